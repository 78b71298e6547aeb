"""Migration of the real third-party V0401 and V0600 documents: read as V0701, written back."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest

import isa95kit as ik
from isa95kit.versions import MigrationWarning, load_schema, migrate, migration_report
from tests.conftest import EXAMPLES


def canonical(data: bytes) -> str:
    return canonicalize(data.decode("utf-8"), with_comments=False, strip_text=True)


def _documents() -> list[tuple[Path, str, str]]:
    with (EXAMPLES / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for row in rows:
        release = row["b2mml_version"].split()[0]
        if release in ("V0401", "V0600"):
            out.append((EXAMPLES / row["file"], release, row["valid_against_official"]))
    return out


VALID = [(p, r) for p, r, v in _documents() if v == "yes"]


@pytest.mark.parametrize(("path", "release"), VALID, ids=[p.name[-40:] for p, _ in VALID])
def test_valid_document_round_trips_through_the_model(path: Path, release: str) -> None:
    obj = ik.read_xml(path)
    report = migration_report(obj)
    assert report is not None and report.source.value == release
    assert type(obj).__name__ in ik.model.__all__ or obj is not None
    out = ik.write_xml(obj, version=release)
    assert canonical(out) == canonical(path.read_bytes())
    assert load_schema(release).validate(__import__("lxml.etree").etree.fromstring(out))


@pytest.mark.parametrize(("path", "release"), VALID, ids=[p.name[-40:] for p, _ in VALID])
def test_document_migration_up_and_back(path: Path, release: str) -> None:
    up = migrate(path, "V0701")
    assert up.report.source.value == release and up.report.target.value == "V0701"
    assert b'http://www.mesa.org/xml/B2MML"' in up.data
    back = migrate(up.data, release)
    if release == "V0401":  # one V0401 element per V0701 element: the document comes back
        assert canonical(back.data) == canonical(path.read_bytes())
    else:  # V0600 has Production* and Operations* objects; a bare V0701 file takes Operations*
        assert back.data.count(b"ProcessOperationsSchedule") == 2


def test_v0600_schedule_renames_are_reported() -> None:
    path = next(p for p, r in VALID if p.name.endswith("spec_ProcessProductionSchedule.xml"))
    obj = ik.read_xml(path)
    assert type(obj).__name__ == "ProcessOperationsSchedule"
    request = obj.data_area.operations_schedule[0].operations_request[0]  # type: ignore[attr-defined]
    assert request.id.value == "my-identifier-1"
    report = migration_report(obj)
    assert report is not None
    rules = {c.rule for c in report.changes if c.kind == "rename"}
    assert "ProductionSchedule/ProductionRequest -> OperationsRequest" in rules
    assert "SegmentRequirement/SegmentRequirement -> SegmentRequirementChild" in rules
    # V0701 requires IDs V0600 left optional: reported, not invented
    assert any("'ID'" in c.rule for c in report.missing)


def test_v0600_down_to_v0401_reports_what_it_drops() -> None:
    path = next(p for p, r in VALID if p.name.endswith("spec_ProcessProductionSchedule.xml"))
    obj = ik.read_xml(path)
    with pytest.warns(MigrationWarning):
        out = ik.write_xml(obj, version="V0401")
    assert b"http://www.wbf.org/xml/B2MML-V0401" in out
    with pytest.raises(ik.EncodeError) as info:
        ik.write_xml(obj, version="V0401", strict=True)
    assert info.value.location is not None and info.value.location.path


def test_carried_pieces_come_back() -> None:
    path = next(p for p, r in VALID if p.name.endswith("PRO-20121210181416-27942.xml"))
    obj = ik.read_xml(path)
    report = migration_report(obj)
    assert report is not None and report.carried
    assert all(c.path.startswith("/") for c in report.carried)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ik.write_xml(obj, version="V0401")
    assert canonical(out) == canonical(path.read_bytes())
