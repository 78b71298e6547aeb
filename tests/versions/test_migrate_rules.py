"""The migration rules one by one, on small documents of the older releases."""

from __future__ import annotations

import subprocess
import sys

import pytest

import isa95kit as ik
from isa95kit.versions import migrate, migration_report
from tests.conftest import ROOT

V0600 = "http://www.mesa.org/xml/B2MML-V0600"


def schedule(inner: str) -> bytes:
    return (
        f'<ProductionSchedule xmlns="{V0600}"><ID>S1</ID>'
        f"<ProductionRequest><ID>R1</ID>{inner}</ProductionRequest></ProductionSchedule>"
    ).encode()


def test_generated_tables_are_up_to_date() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_migrations.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_global_rename_and_hand_written_child_rename() -> None:
    obj = ik.read_xml(schedule(""))
    assert type(obj).__name__ == "OperationsSchedule"
    assert obj.operations_request[0].id.value == "R1"  # type: ignore[attr-defined]
    report = migration_report(obj)
    assert report is not None
    assert [c.rule for c in report.changes if c.kind == "rename"] == [
        "ProductionSchedule -> OperationsSchedule",
        "ProductionSchedule/ProductionRequest -> OperationsRequest",
    ]


def test_derived_child_rename() -> None:
    doc = schedule(
        "<HierarchyScope><EquipmentID>A</EquipmentID>"
        "<HierarchyScope><EquipmentID>B</EquipmentID></HierarchyScope></HierarchyScope>"
    )
    obj = ik.read_xml(doc)
    scope = obj.operations_request[0].hierarchy_scope  # type: ignore[attr-defined]
    assert scope.hierarchy_scope_child.equipment_id.value == "B"
    assert b"<HierarchyScope><EquipmentID>B" in ik.write_xml(obj, version="V0600")


def test_code_list_value_becomes_other_with_other_value() -> None:
    doc = schedule(
        "<SegmentRequirement><MaterialRequirement><MaterialUse>Carrier</MaterialUse>"
        "</MaterialRequirement></SegmentRequirement>"
    )
    obj = ik.read_xml(doc)
    use = obj.operations_request[0].segment_requirement[0].material_requirement[0].material_use  # type: ignore[attr-defined]
    assert use.value.value == "Other" and use.other_value == "Carrier"
    out = ik.write_xml(obj, version="V0600")
    assert b"<MaterialUse>Carrier</MaterialUse>" in out


def test_hand_written_value_rename_and_its_inverse() -> None:
    doc = schedule(
        "<SegmentRequirement><MaterialRequirement><MaterialUse>Resurned Sample</MaterialUse>"
        "</MaterialRequirement></SegmentRequirement>"
    )
    obj = ik.read_xml(doc)
    use = obj.operations_request[0].segment_requirement[0].material_requirement[0].material_use  # type: ignore[attr-defined]
    assert use.value.value == "Returned Sample"
    assert b"Resurned Sample" in ik.write_xml(obj, version="V0600")


def test_piece_without_a_place_in_v0701_is_carried_and_restored() -> None:
    doc = schedule("<Location><EquipmentID>L</EquipmentID></Location>")
    obj = ik.read_xml(doc)
    report = migration_report(obj)
    assert report is not None
    assert [(c.kind, c.path) for c in report.carried] == [
        ("carried", "/ProductionSchedule[1]/ProductionRequest[1]/Location[1]")
    ]
    assert b"<Location><EquipmentID>L</EquipmentID></Location>" in ik.write_xml(
        obj, version="V0600"
    )


def test_unknown_element_is_an_error_in_strict_reading() -> None:
    doc = schedule("<NoSuchThing/>")
    with pytest.raises(ik.MappingError) as info:
        ik.read_xml(doc)
    assert info.value.location is not None and info.value.location.path
    obj = ik.read_xml(doc, config=ik.ReadConfig(unknown="preserve"))
    assert b"NoSuchThing" in ik.write_xml(obj, version="V0600")


def test_v0701_content_v0600_cannot_express_is_dropped_or_refused() -> None:
    doc = (
        b'<OperationsSchedule xmlns="http://www.mesa.org/xml/B2MML"><ID>S</ID>'
        b"<Version>2</Version></OperationsSchedule>"
    )
    with pytest.warns(ik.versions.MigrationWarning):
        result = migrate(doc, "V0600")
    assert [c.rule for c in result.report.dropped] == [
        "OperationsSchedule/Version: V0600 OperationsSchedule cannot express it"
    ]
    with pytest.raises(ik.EncodeError):
        migrate(doc, "V0600", strict=True)
