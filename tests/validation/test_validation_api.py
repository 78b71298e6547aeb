"""Public API, sources, profiles and the text/JSON/JUnit renderings."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import isa95kit.validation as validation
from isa95kit.errors import DocumentInvalidError, MissingDependencyError
from isa95kit.validation import (
    CODES,
    Issue,
    Severity,
    ValidationProfile,
    check,
    is_valid,
    iter_issues,
    validate,
)
from tests.validation._support import job_order, request, work_schedule

GOOD = work_schedule(request("WR-1", job_order("JO-1")))
BAD = work_schedule(request("WR-1", job_order("JO-1"), job_order("JO-1")))
WARN = work_schedule(request("WR-1", job_order("JO-1")), creation="2024-05-01T06:00:00")
SRC = Path(__file__).resolve().parents[2] / "src"


def test_all_is_sorted_and_complete() -> None:
    assert validation.__all__ == sorted(validation.__all__)
    for name in validation.__all__:
        assert hasattr(validation, name), name


def test_importing_isa95kit_and_the_validation_package_stays_cheap() -> None:
    code = (
        "import sys, isa95kit, isa95kit.validation; "
        "print('lxml' in sys.modules, 'isa95kit.versions' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )  # fmt: skip
    assert done.stdout.split() == ["False", "False"]


def test_validate_raises_with_every_issue() -> None:
    assert validate(GOOD).valid
    with pytest.raises(DocumentInvalidError) as caught:
        validate(BAD)
    error = caught.value
    assert [i.code for i in error.issues] == ["duplicate-id"]
    assert isinstance(error, ValueError) and error.line == error.issues[0].line
    assert "1 error" in str(error) and "duplicate-id" in str(error)
    assert validate(WARN).warning_count == 1  # warnings do not raise...
    with pytest.raises(DocumentInvalidError):
        validate(WARN, strict=True)  # ...unless strict


def test_is_valid_and_iter_issues() -> None:
    assert is_valid(GOOD) and not is_valid(BAD)
    assert is_valid(WARN) and not is_valid(WARN, strict=True)
    issues = list(iter_issues(BAD))
    assert [i.code for i in issues] == ["duplicate-id"]
    assert all(isinstance(i, Issue) for i in issues)
    assert [i.code for i in iter_issues(BAD, schema_only=True)] == []


def test_every_kind_of_source(tmp_path: Path) -> None:
    path = tmp_path / "partner.xml"
    path.write_bytes(BAD)
    text = BAD.decode()
    for source in (BAD, text, str(path), path, io.BytesIO(BAD), open(path, "rb")):  # noqa: SIM115
        report = check(source).files[0]
        assert [i.code for i in report.issues] == ["duplicate-id"], source
    assert check(str(path)).files[0].file == str(path)
    assert check(BAD).files[0].file is None
    with pytest.raises(FileNotFoundError):
        check(str(tmp_path / "missing.xml"))


def test_forced_version_and_bad_options() -> None:
    report = check(GOOD, version="V0600").files[0]
    assert report.version == "V0600" and not report.valid
    assert "No matching global declaration" in report.issues[-1].message
    assert check(GOOD, version="v0701").valid
    with pytest.raises(ValueError, match="unknown B2MML version"):
        check(GOOD, version="V9999")
    with pytest.raises(ValueError, match="unknown issue code"):
        check(GOOD, profile={"rules": {"no-such-rule": "off"}})


def test_issue_location_and_text() -> None:
    (issue,) = check(BAD).files[0].issues
    assert issue.location.line == issue.line and issue.location.path == issue.path
    text = str(issue)
    assert text.startswith(f"<input>:{issue.line}: error duplicate-id: JobOrder ID 'JO-1'")
    assert f"[{issue.path}]" in text and text.endswith(f"({issue.hint})")
    assert set(issue.to_dict()) == {
        "code", "severity", "message", "file", "line", "column", "path", "hint",
    }  # fmt: skip


# --------------------------------------------------------------------------- profiles
def test_profile_from_toml_and_json(tmp_path: Path) -> None:
    if sys.version_info < (3, 11):  # TOML needs tomllib (3.11+) or tomli
        pytest.importorskip("tomli")
    toml = tmp_path / "acme.toml"
    toml.write_text(
        'name = "ACME agreement"\nstrict = true\nmax_issues = 50\n'
        '[rules]\nduplicate-id = "warning"\ndatetime-without-timezone = "off"\n'
    )
    profile = ValidationProfile.load(toml)
    assert profile.name == "ACME agreement" and profile.strict and profile.max_issues == 50
    assert profile.severity("duplicate-id") is Severity.ERROR  # a warning, made strict
    assert profile.severity("datetime-without-timezone") is None
    assert profile.evolve(strict=False).severity("duplicate-id") is Severity.WARNING
    as_json = tmp_path / "acme.json"
    as_json.write_text(json.dumps({"rules": {"unknown-unit": "error"}}))
    loaded = ValidationProfile.load(as_json)
    assert loaded.name == "acme.json" and loaded.severity("unknown-unit") is Severity.ERROR
    assert check(WARN, profile=toml).valid  # the timezone rule is off
    assert not check(BAD, profile=str(as_json)).valid
    broken = tmp_path / "broken.toml"
    broken.write_text("[rules\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        ValidationProfile.load(broken)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"rules": {"schema": "warning"}}, "always an error"),
        ({"rules": {"not-well-formed": "off"}}, "always an error"),
        ({"rules": {"duplicate-id": "fatal"}}, "not one of error, warning, info, off"),
        ({"rule": {}}, "unknown key"),
        ({"max_issues": 0}, "max_issues"),
        ({"strict": "yes"}, "strict"),
    ],
)
def test_profile_errors(data: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ValidationProfile.from_mapping(data)


def test_bad_profile_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"rules": ')
    with pytest.raises(ValueError, match="not valid JSON"):
        ValidationProfile.load(broken)
    assert issubclass(MissingDependencyError, ImportError)  # what 3.10 without tomli raises


def test_version_mismatch_can_be_configured() -> None:
    info = CODES["version-mismatch"]
    assert info.configurable and info.severity is Severity.WARNING
    assert not CODES["schema"].configurable


# --------------------------------------------------------------------------- renderings
def two_files(tmp_path: Path) -> validation.ValidationReport:
    good, bad = tmp_path / "good.xml", tmp_path / "bad & ugly.xml"
    good.write_bytes(WARN)
    bad.write_bytes(BAD)
    report = check(good)
    report.files += check(bad).files
    return report


def test_text_report(tmp_path: Path) -> None:
    report = two_files(tmp_path)
    lines = report.to_text().splitlines()
    assert lines[0].startswith(f"{tmp_path / 'good.xml'}:4: warning datetime-without-timezone:")
    assert lines[1].startswith(f"{tmp_path / 'bad & ugly.xml'}:")
    assert lines[-1] == "2 files checked: 1 valid, 1 invalid; 1 error, 1 warning"


def test_json_report_has_stable_keys(tmp_path: Path) -> None:
    data = json.loads(two_files(tmp_path).to_json())
    assert list(data) == [
        "tool", "tool_version", "profile", "strict", "schema_only", "valid", "summary", "files",
    ]  # fmt: skip
    assert data["summary"] == {"files": 2, "invalid_files": 1, "errors": 1, "warnings": 1}
    first = data["files"][0]
    assert list(first) == [
        "file", "valid", "version", "root", "mode", "bytes", "seconds", "errors", "warnings",
        "infos", "namespaces", "issues",
    ]  # fmt: skip
    assert first["namespaces"]["b2mml"] == "http://www.mesa.org/xml/B2MML"
    issue = data["files"][1]["issues"][0]
    assert issue["code"] == "duplicate-id" and issue["severity"] == "error"
    # the path evaluates against the document with the report's prefixes
    tree = etree.parse(str(tmp_path / "bad & ugly.xml"))
    (element,) = tree.xpath(issue["path"], namespaces=first["namespaces"])
    assert element.sourceline == issue["line"]


def test_junit_report(tmp_path: Path) -> None:
    xml = two_files(tmp_path).to_junit()
    root = etree.fromstring(xml.encode())
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        str(tmp_path / "good.xml"),
        str(tmp_path / "bad & ugly.xml"),
    ]
    good, bad = suites
    assert good.get("failures") == "0" and good.find("testcase/failure") is None
    assert "datetime-without-timezone" in (good.findtext("system-out") or "")
    (case,) = bad.findall("testcase")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "duplicate-id"
    assert case.get("name", "").startswith("duplicate-id at line ")
    for suite in suites:  # the attributes CI tools read
        assert {"name", "tests", "failures", "errors", "skipped", "time"} <= set(suite.keys())
        assert int(suite.get("tests", "0")) == len(suite.findall("testcase"))


@pytest.mark.parametrize("stream", [False, True], ids=["tree", "stream"])
def test_shared_v07_namespace_falls_back_to_the_release_that_accepts(stream: bool) -> None:
    # OpPhysicalAssetRequirement/EquipmentLevel is a hierarchy scope in V0700, a code in V0701;
    # no element name tells the releases apart, so V0701 is tried first, then V0700
    inner = """          <PhysicalAssetRequirement>
            <ID>PA-1</ID>
            <EquipmentLevel><EquipmentID>LINE-1</EquipmentID><EquipmentLevel>ProductionLine</EquipmentLevel></EquipmentLevel>
          </PhysicalAssetRequirement>"""
    data = work_schedule(request("WR-1", job_order("JO-1", inner)))
    report = check(data, stream=stream).files[0]
    assert (report.version, report.valid, report.issues) == ("V0700", True, [])
    forced = check(data, stream=stream, version="V0701").files[0]
    assert forced.version == "V0701" and not forced.valid
    assert {i.code for i in forced.issues} == {"schema"}


def test_a_model_instance_is_validated_as_the_xml_written_for_it() -> None:
    """``validate(model)`` raised AttributeError (issue 9)."""
    from isa95kit import DocumentInvalidError, is_valid, iter_issues, validate
    from isa95kit.model import JobOrder

    good = JobOrder(id="JO-1")
    assert validate(good).valid and is_valid(good)
    bad = JobOrder(id="JO-1", start_time="2026-01-02T08:00:00Z", end_time="2026-01-01T08:00:00Z")
    with pytest.raises(DocumentInvalidError) as info:
        validate(bad)
    assert [i.code for i in info.value.issues] == ["end-before-start"]
    assert info.value.issues[0].file == "<JobOrder>"
    assert [i.code for i in iter_issues(bad)] == ["end-before-start"]
