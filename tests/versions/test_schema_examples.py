"""Every example document gets the official schema's verdict (examples/MANIFEST.tsv)."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from versions_support import EXAMPLES, manifest_rows

from isa95kit.versions import (
    B2MMLVersion,
    UnsupportedVersionError,
    detect_version,
    validate_schema,
)

ROWS = manifest_rows()
ROCKWELL = EXAMPLES / "V0401-rockwell-extension"
SOAP = "http://www.w3.org/2003/05/soap-envelope"


def _row_id(row: dict[str, str]) -> str:
    return row["file"].rsplit("__", 1)[-1]


def _first_error(row: dict[str, str]) -> tuple[int, str] | None:
    match = re.match(r"line (\d+): (.*?)(?: \[.*\])?$", row["first_validation_error"])
    return (int(match.group(1)), match.group(2)) if match else None


def test_manifest_is_there() -> None:
    assert ROWS, "examples/MANIFEST.tsv not found"
    assert {r["valid_against_official"] for r in ROWS} == {"yes", "no", "n.a."}


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_verdict_matches_the_official_schema(row: dict[str, str]) -> None:
    path = EXAMPLES / row["file"]
    expected = row["valid_against_official"]
    if expected == "n.a.":
        with pytest.raises(UnsupportedVersionError) as caught:
            validate_schema(path)
        assert "no schema" in str(caught.value)
        assert caught.value.namespace in row["b2mml_version"]
        assert caught.value.file == str(path)
        return
    (result,) = validate_schema(path)
    assert result.version.value == row["b2mml_version"].split()[0]
    assert result.info.root_name == row["root_element"]
    assert result.valid is (expected == "yes"), [str(i) for i in result.issues]
    first = _first_error(row)
    if expected == "no":
        assert first is not None
        line, message = first
        assert (result.issues[0].location.line, result.issues[0].message) == (line, message)
        assert result.issues[0].location.file == str(path)


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r["valid_against_official"] != "n.a."], ids=_row_id
)
def test_same_verdict_inside_a_soap_envelope(row: dict[str, str]) -> None:
    """The B2MML element is found inside a wrapper and validated as it is."""
    source = etree.parse(str(EXAMPLES / row["file"])).getroot()
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
    etree.SubElement(envelope, f"{{{SOAP}}}Header")
    etree.SubElement(envelope, f"{{{SOAP}}}Body").append(source)
    wrapped = etree.fromstring(etree.tostring(envelope))
    (result,) = validate_schema(wrapped)
    assert result.info.embedded and result.info.path.startswith("/soap:Envelope/soap:Body/")
    assert result.valid is (row["valid_against_official"] == "yes")
    first = _first_error(row)
    if first is not None:
        assert result.issues[0].message == first[1]
        assert result.issues[0].location.path.startswith("/soap:Envelope/soap:Body/")


def test_rockwell_example_with_its_vendor_schema() -> None:
    """MANIFEST: the vendor schema RABatchRecord.xsd leaves 1 error (not nillable)."""
    (row,) = [r for r in ROWS if "Example_with_extensions" in r["file"]]
    assert "leaves 1 error: RecommendedEventRisk is not nillable" in row["first_validation_error"]
    path = EXAMPLES / row["file"]
    for extensions in (
        [ROCKWELL / "RABatchRecord.xsd", ROCKWELL / "RABatchRecordExtensions.xsd"],
        [ROCKWELL / "RABatchRecord.xsd"],  # the imported extension file is found beside it
    ):
        (result,) = validate_schema(path, extensions=extensions)
        assert [i.message for i in result.issues] == [
            "Element '{http://www.wbf.org/xml/B2MML-V0401}RecommendedEventRisk': "
            "The element is not 'nillable'."
        ]
        assert result.info.mismatch is None
        assert result.extensions == tuple(str(p) for p in extensions)


def test_detect_all_examples() -> None:
    for row in ROWS:
        if row["valid_against_official"] == "n.a.":
            continue
        info = detect_version(EXAMPLES / row["file"])
        assert info.version is B2MMLVersion(row["b2mml_version"].split()[0])
        assert info.decided_by == "namespace" and not info.embedded
