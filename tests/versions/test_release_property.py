"""Property tests: documents a V0600 or V0401 system emits (drawn from that release's IR, see
``release_strategies``) read into the V0701 model and written back to their release come back
canonically equal, and, when nothing V0701 requires is missing, are valid V0701."""

from __future__ import annotations

import re
from xml.etree.ElementTree import canonicalize

import pytest
from hypothesis import given
from lxml import etree
from release_strategies import documents, is_valid, valid_documents

import isa95kit as ik
from isa95kit.versions import B2MMLVersion, load_schema, migration_report

ROOTS = {
    "V0600": (
        "ProductionSchedule",
        "ProcessProductionSchedule",
        "MaterialInformation",
        "EquipmentInformation",
        "PersonnelInformation",
        "ProcessSegmentInformation",
        "ProductDefinition",
        "OperationsDefinition",
    ),
    "V0401": (
        "ProductionSchedule",
        "MaterialInformation",
        "EquipmentInformation",
        "PersonnelInformation",
        "ProcessSegmentInformation",
        "ProductDefinition",
    ),
}
CASES = [(release, root) for release, roots in ROOTS.items() for root in roots]


def canonical(data: bytes) -> str:
    return canonicalize(data.decode("utf-8"), with_comments=False, strip_text=True)


def carried_pieces(root: etree._Element, release: str) -> list[etree._Element]:
    """The outermost elements of ``release``'s namespace in a V0701 tree (carried pieces)."""
    ns = "{" + B2MMLVersion.coerce(release).namespace + "}"
    return [
        el
        for el in root.iter(ns + "*")
        if not any(str(a.tag).startswith(ns) for a in el.iterancestors())
    ]


def check_round_trip(doc: bytes, release: str) -> None:
    """The two properties, for one document of ``release``."""
    obj = ik.read_xml(doc)
    report = migration_report(obj)
    assert report is not None and report.source.value == release
    # (a) release -> V0701 model -> release: canonically equal
    back = ik.write_xml(obj, version=release)
    assert canonical(back) == canonical(doc), report.to_text()
    # (b) nothing V0701 requires is missing: the migrated document is valid V0701, but for
    # the pieces V0701 has no place for, which stay in their release's namespace: each one
    # is reported as carried (by name), and nothing else is foreign
    if not report.missing:
        up = etree.fromstring(ik.write_xml(obj))
        pieces = carried_pieces(up, release)
        names = sorted(etree.QName(el).localname for el in pieces)
        reported = sorted(
            re.sub(r"\[\d+\]$", "", c.path).rsplit("/", 1)[-1] for c in report.carried
        )
        assert names == reported, report.to_text()
        for el in pieces:
            el.getparent().remove(el)
        schema = load_schema("V0701")
        assert schema.validate(up), (str(schema.error_log), report.to_text())


@pytest.mark.parametrize(("release", "root"), CASES, ids=[f"{r}-{e}" for r, e in CASES])
def test_release_document_round_trips_through_v0701(release: str, root: str) -> None:
    @given(valid_documents(release, root))
    def check(doc: bytes) -> None:
        check_round_trip(doc, release)

    check()


@pytest.mark.parametrize("release", list(ROOTS))
def test_documents_are_valid_by_construction(release: str) -> None:
    """The schema is a guard, not the generator: nearly every drawn document is valid."""
    verdicts: list[bool] = []

    @given(documents(release, ROOTS[release][0]))
    def draw(doc: bytes) -> None:
        verdicts.append(is_valid(doc, release))

    draw()
    assert sum(verdicts) >= 0.9 * len(verdicts), f"{verdicts.count(False)} of {len(verdicts)}"


# regressions the properties found (minimal documents, as hypothesis shrank them)


def test_repeated_element_v0701_holds_once_is_carried() -> None:
    """V0600 repeats ProductionRequest/Version, V0701's OperationsRequest holds one: the
    second was refused by the reader ("Version may occur only once"); now it is carried."""
    doc = (
        b'<ProductionSchedule xmlns="http://www.mesa.org/xml/B2MML-V0600"><ProductionRequest>'
        b"<ID>r1</ID><Version>1</Version><Version>2</Version></ProductionRequest>"
        b"</ProductionSchedule>"
    )
    obj = ik.read_xml(doc)
    report = migration_report(obj)
    assert report is not None
    assert obj.operations_request[0].version.value == "1"  # type: ignore[attr-defined]
    (piece,) = report.carried
    assert piece.rule == "ProductionRequest/Version: V0701 holds one Version"
    assert piece.path == "/ProductionSchedule[1]/ProductionRequest[1]/Version[2]"
    assert canonical(ik.write_xml(obj, version="V0600")) == canonical(doc)


def test_carried_any_keeps_the_vendor_prefix() -> None:
    """A vendor element inside V0401's <Any> (carried, after another carried piece) came
    back as ns1: instead of ns0: (the rebuild of carried pieces lost its own declaration)."""
    doc = (
        b'<ProductionSchedule xmlns="http://www.wbf.org/xml/B2MML-V0401"><ProductionRequest>'
        b"<SegmentRequirement><ProductSegmentID>0</ProductSegmentID>"
        b"<ProcessSegmentID>0</ProcessSegmentID></SegmentRequirement></ProductionRequest>"
        b"<ScheduleState>Forecast</ScheduleState>"
        b'<Any><ns0:Note xmlns:ns0="urn:example:vendor">0</ns0:Note></Any></ProductionSchedule>'
    )
    check_round_trip(doc, "V0401")
    assert b"<ns0:Note" in ik.write_xml(ik.read_xml(doc), version="V0401")


def test_carried_pieces_are_the_only_foreign_content_in_v0701() -> None:
    """V0701 has no place for V0600's test specifications: written to V0701 they stay in
    V0600's namespace (not valid V0701), and the report names each one."""
    doc = (
        b'<PersonnelInformation xmlns="http://www.mesa.org/xml/B2MML-V0600"><ID>p</ID>'
        b"<QualificationTestSpecification><ID>q</ID></QualificationTestSpecification>"
        b"</PersonnelInformation>"
    )
    check_round_trip(doc, "V0600")
    report = migration_report(ik.read_xml(doc))
    assert report is not None and [c.path for c in report.carried] == [
        "/PersonnelInformation[1]/QualificationTestSpecification[1]"
    ]
