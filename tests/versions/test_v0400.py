"""B2MML V0400 (the lower-case ``b2mml-v0400`` namespace, older than any shipped schema): read,
detected, validated and migrated as V0401, and always reported as such. The V0400 documents
are the valid V0401 reference documents with their namespace changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest
from lxml import etree
from versions_support import EXAMPLES, ROOT, manifest_rows

import isa95kit as ik
from isa95kit.versions import (
    B2MMLVersion,
    detect_version,
    migrate,
    migration_report,
    validate_schema,
)

V0401_NS = B2MMLVersion.V0401.namespace.encode()
#: the spelling V0400 documents use in the wild, and the other spellings accepted
WILD = "http://www.wbf.org/xml/b2mml-v0400"
SPELLINGS = (WILD, "http://www.wbf.org/xml/B2MML-V0400", "http://www.mesa.org/xml/B2MML-V0400")
REFERENCE = [
    EXAMPLES / row["file"]
    for row in manifest_rows()
    if row["b2mml_version"].startswith("V0401") and row["valid_against_official"] == "yes"
]
IDS = [p.name[-32:] for p in REFERENCE]


def canonical(data: bytes) -> str:
    return canonicalize(data.decode("utf-8-sig"), with_comments=False, strip_text=True)


def as_v0400(v0401: bytes, namespace: str = WILD) -> bytes:
    return v0401.replace(V0401_NS, namespace.encode())


@pytest.fixture(params=REFERENCE, ids=IDS)
def reference(request: pytest.FixtureRequest) -> bytes:
    path: Path = request.param
    return path.read_bytes()


def test_reference_documents_exist() -> None:
    assert len(REFERENCE) >= 3


@pytest.mark.parametrize("namespace", SPELLINGS)
def test_read_as_v0401_and_reported(reference: bytes, namespace: str) -> None:
    doc = as_v0400(reference, namespace)
    obj = ik.read_xml(doc)
    assert obj == ik.read_xml(reference)  # the V0401 rules apply as to the V0401 document
    report = migration_report(obj)
    assert report is not None
    assert report.source is B2MMLVersion.V0401 and report.read_from == namespace
    first = report.changes[0]
    assert first.kind == "namespace" and first.rule.startswith(f"{namespace} -> ")
    assert "V0400, read as V0401" in first.rule and first.line is not None
    assert f"read from {namespace}" in report.to_text()
    assert report.as_dict()["read_from"] == namespace
    # written back: the V0401 document (V0400 is not a release to write)
    assert canonical(ik.write_xml(obj, version="V0401")) == canonical(reference)


def test_extension_namespace_spellings() -> None:
    """``-extensions`` (the spelling seen in the wild) and ``-AllExtensions`` both become
    V0401's extension namespace."""
    base = REFERENCE[0].read_bytes()
    for suffix in ("-extensions", "-AllExtensions"):
        doc = as_v0400(base).replace(
            b"<ApplicationArea>",
            f'<ApplicationArea xmlns:Extended="{WILD}{suffix}">'.encode(),
            1,
        )
        result = migrate(doc, "V0401")
        assert b"b2mml-v0400" not in result.data.lower()
        assert result.report.read_from == WILD


def test_element_v0401_lacks_is_carried_and_reported(reference: bytes) -> None:
    """Where V0400 and V0401 disagree: what V0401 does not know is refused by the strict
    default, with its place, or carried (and reported) with ``unknown="preserve"``, also
    in a part of the document V0401 and V0701 share unchanged (the ApplicationArea)."""
    doc = as_v0400(reference).replace(b"<ApplicationArea>", b"<ApplicationArea><V0400Only/>", 1)
    with pytest.raises(ik.MappingError) as info:
        ik.read_xml(doc)
    assert str(info.value.location.path).endswith("]/ApplicationArea[1]/V0400Only[1]")
    obj = ik.read_xml(doc, config=ik.ReadConfig(unknown="preserve"))
    report = migration_report(obj)
    assert report is not None
    (piece,) = [c for c in report.carried if "V0400Only" in c.rule]
    assert piece.rule == "V0400Only: unknown in V0401 TransApplicationArea"
    assert piece.path.endswith("/ApplicationArea[1]/V0400Only[1]")
    back = ik.write_xml(obj, version="V0401")
    assert b"<V0400Only/>" in back


def test_detect_version(reference: bytes) -> None:
    info = detect_version(as_v0400(reference))
    assert info.version is B2MMLVersion.V0401 and info.legacy == "V0400"
    assert info.namespace == WILD and info.decided_by == "namespace"
    assert info.candidates == (B2MMLVersion.V0401,)
    assert info.note is not None and "read as V0401" in info.note
    assert info.mismatch is None
    plain = detect_version(reference)
    assert plain.legacy is None and plain.note is None


def test_validate_schema_against_the_v0401_bundle(reference: bytes) -> None:
    (result,) = validate_schema(as_v0400(reference))
    assert result.version is B2MMLVersion.V0401 and result.valid
    (warning,) = result.issues
    assert warning.level == "warning" and warning.code == "v0400-read-as-v0401"
    assert "B2MML V0400" in warning.message and warning.location.line == 2


def test_invalid_v0400_document_gets_v0401_issues_in_its_own_terms(reference: bytes) -> None:
    bad = as_v0400(reference).replace(b"<ApplicationArea>", b"<ApplicationArea><Bogus/>", 1)
    line = bad[: bad.index(b"<Bogus/>")].count(b"\n") + 1
    (result,) = validate_schema(bad)
    assert not result.valid
    errors = [i for i in result.issues if i.level == "error"]
    assert errors and errors[0].location.line == line
    assert f"{{{WILD}}}Bogus" in errors[0].message  # the document's namespace, not V0401's
    # the same issues, places and paths as the V0401 document with the same mistake
    (same,) = validate_schema(bad.replace(WILD.encode(), V0401_NS))
    assert [(i.location, i.code) for i in same.issues] == [(i.location, i.code) for i in errors]
    v0401 = "{" + V0401_NS.decode() + "}"
    assert [i.message.replace(v0401, f"{{{WILD}}}") for i in same.issues] == [
        i.message for i in errors
    ]


def test_validate_tree_and_stream(reference: bytes) -> None:
    from isa95kit.validation._api import check

    doc = as_v0400(reference)
    for stream in (False, True):
        report = check(doc, stream=stream)
        (file,) = report.files
        assert file.version == "V0401"
        assert [i.severity.value for i in file.issues] == ["warning"]
        assert file.issues[0].code == "v0400-read-as-v0401"  # its own code, not "schema"
        assert "read as V0401" in file.issues[0].message


def test_inside_a_soap_envelope(reference: bytes) -> None:
    body = as_v0400(reference).split(b"?>", 1)[-1].lstrip(b"\xef\xbb\xbf")
    envelope = (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        + body
        + b"</soap:Body></soap:Envelope>"
    )
    obj = ik.read_xml(envelope)
    report = migration_report(obj)
    assert report is not None and report.read_from == WILD
    (result,) = validate_schema(envelope)
    assert result.valid and result.info.embedded and result.info.legacy == "V0400"


def test_cli_info_validate_and_migrate(tmp_path: Path) -> None:
    path = tmp_path / "v0400.xml"
    path.write_bytes(as_v0400(REFERENCE[0].read_bytes()))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "isa95kit", *args],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT / "src")},
            check=False,
        )

    info = run("info", str(path))
    assert info.returncode == 0, info.stderr
    assert "V0401 (http://www.wbf.org/xml/b2mml-v0400)" in info.stdout
    assert "is B2MML V0400" in info.stdout
    checked = run("validate", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "warning v0400-read-as-v0401:" in checked.stdout and "read as V0401" in checked.stdout
    out = tmp_path / "v0701.xml"
    migrated = run("migrate", str(path), "--to", "V0701", "-o", str(out), "--report", "json")
    assert migrated.returncode == 0, migrated.stderr
    assert json.loads(migrated.stderr)["read_from"] == WILD  # the report goes to stderr
    assert etree.parse(str(out)).getroot().tag.startswith("{http://www.mesa.org/xml/B2MML}")
