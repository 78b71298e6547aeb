"""Filling the identifiers V0701 requires and older documents lack (``fill_missing``), and the
error a V0701 write of an instance lacking them gives without it."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.cli import main
from isa95kit.versions import load_schema, migrate, migration_report
from tests.conftest import EXAMPLES

FILL = ik.ReadConfig(fill_missing=True)
OLDER = sorted([*(EXAMPLES / "V0600").glob("*.xml"), *(EXAMPLES / "V0401").glob("*.xml")])
ID_ONLY = [  # documents whose missing V0701 elements are all identifiers
    p for p in OLDER if p.name.endswith(("EndBeforeStart.xml", "DateTimeKinds.xml"))
]


def canonical(data: bytes) -> str:
    return canonicalize(data.decode("utf-8"), with_comments=False, strip_text=True)


def valid_v0701(data: bytes) -> bool:
    return bool(load_schema("V0701").validate(etree.fromstring(data)))


def named(path: str, element: str) -> str:
    """A callable fill: the parent's last step and the element's name."""
    return f"{path.rsplit('/', 1)[-1].replace('[', '-').rstrip(']')}-{element}"


def _readable(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        try:
            ik.read_xml(p)
        except ik.Isa95Error:
            continue
        out.append(p)
    return out


READABLE = _readable(OLDER)


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name[-45:])
def test_fills_are_left_out_again_writing_back(path: Path) -> None:
    obj = ik.read_xml(path, config=FILL)
    report = migration_report(obj)
    assert report is not None
    plain = migration_report(ik.read_xml(path))
    assert plain is not None
    own_ids = [c for c in plain.missing if c.rule.startswith("V0701 requires element 'ID'")]
    assert sum(c.count for c in report.filled) == sum(c.count for c in own_ids)
    assert not any(c.rule.startswith("V0701 requires element 'ID'") for c in report.missing)
    back = ik.write_xml(obj, version=report.source.value)
    assert canonical(back) == canonical(path.read_bytes())  # lossless round trip


@pytest.mark.parametrize("path", ID_ONLY, ids=lambda p: p.name[-45:])
def test_a_callable_fill_gives_valid_v0701(path: Path) -> None:
    obj = ik.read_xml(path, config=ik.ReadConfig(fill_missing=named))
    report = migration_report(obj)
    assert report is not None and report.filled and not report.missing
    out = ik.write_xml(obj)
    assert valid_v0701(out)
    assert canonical(ik.write_xml(obj, version=report.source.value)) == canonical(path.read_bytes())
    # the document API gives the same V0701 document
    result = migrate(path, "V0701", fill_missing=named)
    assert valid_v0701(result.data) and result.report.filled == report.filled


def test_the_scheme_derives_ids_from_the_parent_id_and_position() -> None:
    ns = "http://www.mesa.org/xml/B2MML-V0600"
    doc = (
        f'<ProcessProductionSchedule xmlns="{ns}"><ApplicationArea><CreationDateTime>'
        "2026-01-01T00:00:00Z</CreationDateTime></ApplicationArea><DataArea><Process/>"
        "<ProductionSchedule><ID>S</ID><ProductionRequest><ID>JO-1</ID><SegmentRequirement>"
        "<ProcessSegmentID>P</ProcessSegmentID><MaterialRequirement/><MaterialRequirement/>"
        "</SegmentRequirement></ProductionRequest><ProductionRequest/></ProductionSchedule>"
        "</DataArea></ProcessProductionSchedule>"
    ).encode()
    obj = ik.read_xml(doc, config=FILL)
    schedule = obj.data_area.operations_schedule[0]  # type: ignore[attr-defined]
    first, second = schedule.operations_request
    segment = first.segment_requirement[0]
    assert segment.id.value == "JO-1.SR1"
    assert [m.id.value for m in segment.material_requirement] == ["JO-1.SR1.MR1", "JO-1.SR1.MR2"]
    assert second.id.value == "S.OR2"
    report = migration_report(obj)
    assert report is not None
    filled = {c.rule.split(" in ")[1].split(":")[0]: c for c in report.filled}
    assert filled["OpMaterialRequirement"].count == 2
    assert filled["OpMaterialRequirement"].path.endswith(
        "/OperationsRequest[1]/SegmentRequirement[1]/MaterialRequirement[1]/ID[1]"
    )
    # references are not invented by the scheme: still missing
    assert any("'OperationsDefinitionID'" in c.rule for c in report.missing)
    assert canonical(ik.write_xml(obj, version="V0600")) == canonical(doc)


def test_streamed_fill_equals_the_tree_fill() -> None:
    path = ID_ONLY[0]
    tree = ik.read_xml(path, config=ik.ReadConfig(fill_missing=named))
    stream = ik.read_xml(path, config=ik.ReadConfig(fill_missing=named, stream_threshold=0))
    assert tree == stream
    assert migration_report(tree) == migration_report(stream)
    assert ik.write_xml(tree) == ik.write_xml(stream)


def test_without_fill_a_v0701_write_names_every_missing_element() -> None:
    path = next(p for p in READABLE if p.name.endswith("spec_ProcessProductionSchedule.xml"))
    obj = ik.read_xml(path)
    with pytest.raises(ik.EncodeError) as info:
        ik.write_xml(obj)
    message = str(info.value)
    assert "18 required element(s) missing" in message
    assert "'ID' in OperationsSchedule at /ProcessOperationsSchedule[1]/DataArea[1]" in message
    assert "version='V0600'" in message and "fill_missing" in message
    assert info.value.location is not None
    assert (
        info.value.location.path
        == "/ProcessOperationsSchedule[1]/DataArea[1]/OperationsSchedule[1]"
    )


def test_cli_fill_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ID_ONLY[0]
    out = tmp_path / "filled.xml"
    code = main(
        ["migrate", str(path), "--to", "V0701", "--fill-ids", "-o", str(out), "--report", "json"]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().err)
    assert {c["kind"] for c in report["changes"]} >= {"filled", "missing"}
    root = etree.parse(str(out)).getroot()
    ids = root.findall(
        ".//{http://www.mesa.org/xml/B2MML}OperationsRequest/{http://www.mesa.org/xml/B2MML}ID"
    )
    assert [i.text for i in ids] == ["OS1.OR1"]
    assert main(["migrate", str(path), "--to", "V0600", "--fill-ids"]) == 2
