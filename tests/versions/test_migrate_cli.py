"""``isa95kit migrate``, ``info``/``convert`` on older releases, and wrapped documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.cli import main
from isa95kit.versions import migrate, migration_report
from tests.conftest import EXAMPLES

V0401_DOC = next((EXAMPLES / "V0401").glob("*MAT-20121210170256-CRBN0001.xml"))
V0600_DOC = next((EXAMPLES / "V0600").glob("*spec_ProcessProductionSchedule.xml"))


def c14n(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    return bytes(etree.tostring(etree.fromstring(data, parser), method="c14n2"))


def test_cli_migrate_up_with_json_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "v0701.xml"
    code = main(["migrate", str(V0600_DOC), "--to", "V0701", "-o", str(out), "--report", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().err)
    assert report["source"] == "V0600" and report["target"] == "V0701"
    assert any(c["kind"] == "rename" for c in report["changes"])
    assert (
        etree.parse(str(out)).getroot().tag
        == "{http://www.mesa.org/xml/B2MML}ProcessOperationsSchedule"
    )


def test_cli_migrate_down_strict_fails_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(V0600_DOC), "--to", "V0401", "--strict"]) == 1
    assert "cannot express" in capsys.readouterr().err


def test_cli_migrate_down_warns_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(V0600_DOC), "--to", "v0401"]) == 0
    captured = capsys.readouterr()
    assert "dropped" in captured.err and "B2MML-V0401" in captured.out


def test_cli_info_and_convert_read_an_older_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(V0401_DOC)]) == 0
    assert "V0401" in capsys.readouterr().out
    out = tmp_path / "doc.json"
    assert main(["convert", str(V0401_DOC), "-o", str(out)]) == 0
    assert "SyncMaterialDefinition" in out.read_text(encoding="utf-8")


def test_document_in_a_soap_envelope_is_migrated_in_place() -> None:
    body = V0401_DOC.read_bytes().split(b"?>", 1)[1]
    envelope = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        + body
        + b"</s:Body></s:Envelope>"
    )
    result = migrate(envelope, "V0701")
    root = etree.fromstring(result.data)
    assert root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    assert root[0][0].tag == "{http://www.mesa.org/xml/B2MML}SyncMaterialDefinition"
    obj = ik.read_xml(envelope)
    report = migration_report(obj)
    assert report is not None and report.source.value == "V0401"
    assert c14n(ik.write_xml(obj, version="V0401")) == c14n(body)
