"""The documentation and the rule tables stay in step with the code and the official schemas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from isa95kit.validation import CODES, RULES
from isa95kit.validation._rules import DATETIME_ELEMENTS, END_TO_START, LINKS

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation.md"
XS = "{http://www.w3.org/2001/XMLSchema}"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z0-9-]+)`\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_issue_code_is_documented_with_its_severity() -> None:
    found = sections()
    assert set(found) == set(CODES), "docs/validation.md catalogue differs from the registry"
    for code, info in CODES.items():
        body = found[code]
        assert f"**Severity:** {info.severity.value}" in body, code
        assert f"**Layer:** {info.layer.value}" in body, code
        assert ("configurable" in body) is info.configurable, code
        assert info.hint in " ".join(body.split()), code


@pytest.fixture(scope="module")
def schemas(releases: Path) -> list[etree._ElementTree]:
    files = sorted(releases.glob("V0*/*.xsd"))
    assert len(files) > 100
    return [etree.parse(str(path)) for path in files]


def test_datetime_elements_are_every_date_time_element_of_every_release(
    schemas: list[etree._ElementTree],
) -> None:
    types = {"DateTimeType", "xsd:dateTime", "xs:dateTime"}
    for _ in range(3):  # types derived from the date-time types, transitively
        for tree in schemas:
            for definition in tree.iter(f"{XS}complexType", f"{XS}simpleType"):
                bases = {
                    d.get("base") for d in definition.iter(f"{XS}extension", f"{XS}restriction")
                }
                if bases & types and definition.get("name"):
                    types.add(definition.get("name", ""))
    names = {
        element.get("name")
        for tree in schemas
        for element in tree.iter(f"{XS}element")
        if element.get("type") in types and element.get("name")
    }
    assert names == set(DATETIME_ELEMENTS)


def test_start_comes_before_end_wherever_both_are_declared(
    schemas: list[etree._ElementTree],
) -> None:
    pairs = 0
    for tree in schemas:
        for sequence in tree.iter(f"{XS}sequence"):
            names = [e.get("name") for e in sequence if e.tag == f"{XS}element"]
            for end, start in END_TO_START.items():
                if end in names and start in names:
                    pairs += 1
                    assert names.index(start) < names.index(end), (end, names)
    assert pairs > 100


def test_reference_tables_name_real_elements(schemas: list[etree._ElementTree]) -> None:
    declared = {element.get("name") for tree in schemas for element in tree.iter(f"{XS}element")}
    for link in LINKS:
        names = {*link.scopes, *link.targets, *(n for pair in link.references for n in pair)}
        assert names <= declared | {"FromIDValue", "ToIDValue"}, (link.what, names - declared)
    for rule in RULES.values():
        assert set(rule.anchors) <= declared, rule.code
