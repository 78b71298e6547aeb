"""The real documents in tests/data/reference: official verdicts and business rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from isa95kit.validation import Severity, check
from tests.conftest import EXAMPLES
from tests.validation._support import Example, by_name, read_manifest

ROWS = read_manifest(EXAMPLES) if (EXAMPLES / "MANIFEST.tsv").is_file() else []


def test_manifest_covers_every_example(examples_dir: Path, manifest: list[Example]) -> None:
    on_disk = {p for p in examples_dir.rglob("*.xml")}
    assert {example.path for example in manifest} == on_disk
    assert len(manifest) >= 19


@pytest.mark.parametrize("stream", [False, True], ids=["tree", "stream"])
@pytest.mark.parametrize("example", ROWS, ids=lambda e: e.name)
def test_schema_only_verdict_matches_the_official_schema(example: Example, stream: bool) -> None:
    report = check(example.path, schema_only=True, stream=stream).files[0]
    if example.official == "yes":
        assert report.valid, [str(i) for i in report.issues]
        assert report.issues == []
        assert report.version == example.version
    elif example.official == "no":
        assert not report.valid
        assert {i.code for i in report.issues} <= {"schema", "version-mismatch"}
        first = next(i for i in report.issues if i.code == "schema")
        # MANIFEST: "line N: <libxml2 message>"
        line = int(re.match(r"line (\d+):", example.first_error)[1])  # type: ignore[index]
        assert first.line == line
        element = re.search(r"Element '\{[^}]+\}(\w+)'", example.first_error)[1]  # type: ignore[index]
        assert f":{element}'" in first.message
    else:  # no official schema exists for this release
        assert example.official == "n.a."
        assert not report.valid
        assert [i.code for i in report.issues] == ["unknown-version"]
        assert "BatchML-V02" in report.issues[0].message


@pytest.mark.parametrize("example", ROWS, ids=lambda e: e.name)
def test_tree_and_stream_engines_agree(example: Example) -> None:
    def key(stream: bool) -> list[tuple[object, ...]]:
        report = check(example.path, stream=stream).files[0]
        return sorted(
            (i.code, i.severity.value, i.line or 0, i.path or "", i.message) for i in report.issues
        )

    assert key(False) == key(True)


def test_end_before_start_is_reported_at_its_line(manifest: list[Example]) -> None:
    example = by_name(manifest, "Neg_ProcessProductionSchedule_EndBeforeStart")
    assert example.official == "yes"  # the schema misses it
    report = check(example.path).files[0]
    assert not report.valid
    (issue,) = report.issues
    assert (issue.code, issue.severity, issue.line) == ("end-before-start", Severity.ERROR, 45)
    assert issue.path == (
        "/b2mml:ProcessProductionSchedule[1]/b2mml:DataArea[1]/b2mml:ProductionSchedule[1]"
        "/b2mml:ProductionRequest[1]/b2mml:SegmentRequirement[1]/b2mml:LatestEndTime[1]"
    )
    assert "EarliestStartTime 2019-04-24T15:30:01Z (line 44)" in issue.message


def test_non_numeric_quantities_are_reported_at_their_lines(manifest: list[Example]) -> None:
    example = by_name(manifest, "Neg_ProcessProductionSchedule_InvalidQuantityValue")
    assert example.official == "yes"
    report = check(example.path).files[0]
    found = [(i.code, i.line, i.severity) for i in report.issues if i.code != "unknown-unit"]
    assert found == [
        ("quantity-not-numeric", 50, Severity.WARNING),  # '41fs.9' as double
        ("value-not-of-datatype", 55, Severity.WARNING),  # 'faflse' as boolean
        ("quantity-not-numeric", 59, Severity.WARNING),  # '0r3' as int
    ]
    assert report.valid  # warnings only: the file is usable as sent...
    assert not check(example.path, strict=True).valid  # ...unless the agreement is strict


def test_missing_timezones_are_warnings(manifest: list[Example]) -> None:
    example = by_name(manifest, "ProcessProductionSchedule_DateTimeKinds")
    report = check(example.path).files[0]
    assert [(i.code, i.line) for i in report.issues] == [
        ("datetime-without-timezone", 46),
        ("datetime-without-timezone", 47),
    ]
    assert report.valid
    off = check(example.path, profile={"rules": {"datetime-without-timezone": "off"}})
    assert off.files[0].issues == []


def test_valid_examples_have_no_business_rule_errors(manifest: list[Example]) -> None:
    for example in manifest:
        if example.official == "yes" and "Neg_" not in example.path.name:
            report = check(example.path).files[0]
            assert report.valid, (example.name, [str(i) for i in report.issues])


def test_vendor_extension_leaves_the_one_documented_error(
    manifest: list[Example], examples_dir: Path
) -> None:
    example = by_name(manifest, "ProductionBatchRecord_Example_v06")
    vendor = examples_dir / "V0401-rockwell-extension" / "RABatchRecord.xsd"
    official = check(example.path, schema_only=True).files[0]
    assert [i.line for i in official.issues if i.code == "schema"] == [2]
    extended = check(example.path, schema_only=True, extensions=[vendor]).files[0]
    (issue,) = extended.issues
    assert issue.code == "schema" and "RecommendedEventRisk" in issue.message
    assert "nillable" in issue.message  # the MANIFEST's "[... leaves 1 error: ...]"


def test_duplicate_signature_ids_in_the_batch_record(manifest: list[Example]) -> None:
    example = by_name(manifest, "ProductionBatchRecord_Example_v06")
    report = check(example.path).files[0]
    duplicates = [(i.line, i.message) for i in report.issues if i.code == "duplicate-id"]
    assert [line for line, _ in duplicates] == [585, 612]
    assert "'15632578|Signature'" in duplicates[0][1] and "line 575" in duplicates[0][1]


def test_pre_standard_batchml_gets_rules_but_no_schema(manifest: list[Example]) -> None:
    example = by_name(manifest, "cough_syrup_pmw")
    report = check(example.path).files[0]
    assert report.issues[0].code == "unknown-version"
    units = [i for i in report.issues if i.code == "unknown-unit"]
    assert units and all("'NULL'" in i.message for i in units)
    # its 17 procedure-logic graphs resolve: no dangling links
    assert "dangling-reference" not in {i.code for i in report.issues}
