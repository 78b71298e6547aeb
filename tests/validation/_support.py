"""Helpers for the validation tests: small schema-valid V0701 documents and the examples."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from isa95kit.validation import FileReport, Issue, ValidationReport

V0701 = "http://www.mesa.org/xml/B2MML"
V0600 = "http://www.mesa.org/xml/B2MML-V0600"


def work_schedule(requests: str, *, creation: str = "2024-05-01T06:00:00Z") -> bytes:
    """A V0701 ProcessWorkSchedule around ``requests`` (WorkRequest elements, indented)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ProcessWorkSchedule xmlns="{V0701}" releaseID="1">
  <ApplicationArea>
    <CreationDateTime>{creation}</CreationDateTime>
  </ApplicationArea>
  <DataArea>
    <Process/>
    <WorkSchedule>
      <ID>WS-1</ID>
{requests}
    </WorkSchedule>
  </DataArea>
</ProcessWorkSchedule>
""".encode()


def job_order(identifier: str, inner: str = "") -> str:
    return f"""        <JobOrder>
          <ID>{identifier}</ID>
{inner}
        </JobOrder>"""


def request(identifier: str, *orders: str, times: str = "") -> str:
    return f"""      <WorkRequest>
        <ID>{identifier}</ID>
{times}
{chr(10).join(orders)}
      </WorkRequest>"""


def parameter(value: str, datatype: str, unit: str = "", identifier: str = "P1") -> str:
    unit_xml = f"<UnitOfMeasure>{unit}</UnitOfMeasure>" if unit else ""
    return f"""          <JobOrderParameter>
            <ID>{identifier}</ID>
            <Value><ValueString>{value}</ValueString><DataType>{datatype}</DataType>{unit_xml}</Value>
          </JobOrderParameter>"""


def codes(report: ValidationReport | FileReport) -> list[str]:
    issues = report.issues
    return [issue.code for issue in issues]


def line_of_text(data: bytes, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(data.decode().splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")


def resolve(data: bytes, issue: Issue, namespaces: dict[str, str]) -> etree._Element:
    """The element an issue's positional XPath names (it must name exactly one)."""
    tree = etree.ElementTree(etree.fromstring(data))
    found = tree.xpath(issue.path, namespaces=namespaces)
    assert isinstance(found, list) and len(found) == 1, (issue.path, found)
    element = found[0]
    assert isinstance(element, etree._Element)
    return element


@dataclass(frozen=True)
class Example:
    path: Path
    version: str
    root: str
    official: str  # yes / no / n.a.
    first_error: str

    @property
    def name(self) -> str:
        return self.path.name.rsplit("__", 1)[-1]


def read_manifest(examples: Path) -> list[Example]:
    with open(examples / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        Example(
            path=examples / row["file"],
            version=row["b2mml_version"].split()[0],
            root=row["root_element"],
            official=row["valid_against_official"],
            first_error=row["first_validation_error"],
        )
        for row in rows
    ]


def by_name(manifest: list[Example], fragment: str) -> Example:
    (found,) = [example for example in manifest if fragment in example.path.name]
    return found


def iter_lines(report: ValidationReport) -> Iterator[tuple[str, int | None]]:
    for issue in report.issues:
        yield issue.code, issue.line
