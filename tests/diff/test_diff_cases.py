"""Hand-derived diffs of a small work schedule: every expected change is written out."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import isa95kit as ik
from isa95kit import ChangeKind
from tests.diff._docs import BASE, JOBS, REQUEST, job, schedule


def _changes(a: bytes, b: bytes) -> list[tuple[str, str, str, object, object]]:
    return [(c.kind.value, c.path, c.xpath, c.old, c.new) for c in ik.diff(a, b)]


def test_equal_documents_have_no_changes() -> None:
    result = ik.diff(BASE, BASE)
    assert result.equal and not result and len(result) == 0
    assert not result.order_only
    assert result.summary() == "documents are equal"
    # the same data written differently (prefix, pretty print) is equal too
    other = ik.write_xml(ik.read_xml(BASE), config=ik.WriteConfig(prefix="b2mml"))
    assert ik.diff(BASE, other).equal


def test_added_job_order() -> None:
    new = schedule(job("JO-1"), job("JO-2"), job("JO-4"), job("JO-3"))
    (change,) = ik.diff(BASE, new)
    assert change.kind is ChangeKind.ADDED
    assert (change.path, change.xpath) == (f"{JOBS}[2]", f'{REQUEST}/JobOrder[ID="JO-4"]')
    assert (change.entity, change.entity_id, change.old) == ("JobOrder", "JO-4", None)
    assert change.new == ik.read_xml(new).data_area.work_schedule[0].work_request[0].job_order[2]


def test_removed_job_order_uses_the_old_index() -> None:
    new = schedule(job("JO-1"), job("JO-3"))
    (change,) = ik.diff(BASE, new)
    assert (change.kind, change.path, change.entity_id) == (
        ChangeKind.REMOVED,
        f"{JOBS}[1]",
        "JO-2",
    )
    assert change.old.id == "JO-2" and change.new is None


def test_changed_priority_is_a_leaf_change_with_decimal_values() -> None:
    new = schedule(job("JO-1"), job("JO-2", priority="1"), job("JO-3"))
    assert _changes(BASE, new) == [
        ("changed", f"{JOBS}[1].priority", f'{REQUEST}/JobOrder[ID="JO-2"]/Priority',
         Decimal("2"), Decimal("1")),
    ]  # fmt: skip


def test_changed_property_value_deep_in_a_requirement() -> None:
    new = schedule(job("JO-1"), job("JO-2"), job("JO-3", visc="13.0"))
    (change,) = ik.diff(BASE, new)
    assert change.path == (
        f"{JOBS}[2].material_requirement[0].material_requirement_property[0].value_[0].value_string"
    )
    assert change.xpath == (
        f'{REQUEST}/JobOrder[ID="JO-3"]/MaterialRequirement[ID="MR-10"]'
        '/MaterialRequirementProperty[ID="VISCOSITY"]/Value[1]/ValueString'
    )
    # the nearest entity matched by ID holds the change
    assert (change.entity, change.entity_id) == ("MaterialRequirementProperty", "VISCOSITY")
    assert (change.old, change.new) == ("12.5", "13.0")


def test_nested_requirement_quantity_change() -> None:
    new = schedule(job("JO-1", qty="1900"), job("JO-2"), job("JO-3"))
    (change,) = ik.diff(BASE, new)
    assert change.path == f"{JOBS}[0].material_requirement[0].quantity[0].quantity_string"
    assert change.xpath.endswith('/JobOrder[ID="JO-1"]/MaterialRequirement[ID="MR-10"]'
                                 "/Quantity[1]/QuantityString")  # fmt: skip
    assert (change.entity, change.entity_id, change.old, change.new) == (
        "MaterialRequirement", "MR-10", "1850", "1900",
    )  # fmt: skip


def test_order_only_change_is_reported_as_moves() -> None:
    new = schedule(job("JO-3"), job("JO-1"), job("JO-2"))
    result = ik.diff(BASE, new)
    assert result.order_only and not result.equal
    # JO-1, JO-2 keep their order; JO-3 moved to the front
    assert _changes(BASE, new) == [("moved", f"{JOBS}[0]", f'{REQUEST}/JobOrder[ID="JO-3"]', 2, 0)]
    assert result.summary() == "1 change: 1 moved (order only)"


def test_moved_and_changed_job_order() -> None:
    new = schedule(job("JO-3", priority="5"), job("JO-1"), job("JO-2"))
    result = ik.diff(BASE, new)
    assert not result.order_only
    assert [(c.kind.value, c.path, c.entity_id) for c in result] == [
        ("moved", f"{JOBS}[0]", "JO-3"),
        ("changed", f"{JOBS}[0].priority", "JO-3"),
    ]


def test_renamed_job_order_is_a_removal_and_an_addition() -> None:
    new = schedule(job("JO-1"), job("JO-9"), job("JO-3"))
    assert [(c.kind.value, c.entity_id) for c in ik.diff(BASE, new)] == [
        ("added", "JO-9"), ("removed", "JO-2"),
    ]  # fmt: skip


def test_items_without_id_are_matched_by_position() -> None:
    doc = ik.read_xml(BASE)
    other = doc.model_copy(deep=True)
    jo = other.data_area.work_schedule[0].work_request[0].job_order[0]
    jo.description = [*jo.description, "second line"]
    result = ik.diff(doc, other)
    assert [(c.kind.value, c.path, c.new) for c in result] == [
        ("added", f"{JOBS}[0].description[1]", "second line"),
    ]
    assert result.changes[0].xpath.endswith('/JobOrder[ID="JO-1"]/Description[2]')


def test_repeated_ids_are_matched_in_order_of_occurrence() -> None:
    twice = schedule(job("JO-1"), job("JO-1", priority="7"))
    swapped = schedule(job("JO-1", priority="7"), job("JO-1"))
    changes = _changes(twice, swapped)
    # the first JO-1 is compared with the first JO-1: both priorities changed, nothing moved
    assert [(k, p, o, n) for k, p, _, o, n in changes] == [
        ("changed", f"{JOBS}[0].priority", Decimal("2"), Decimal("7")),
        ("changed", f"{JOBS}[1].priority", Decimal("7"), Decimal("2")),
    ]
    assert changes[1][2].endswith('/JobOrder[ID="JO-1"][2]/Priority')


def test_attributes_and_optional_elements() -> None:
    a = ik.read_xml(BASE)
    b = a.model_copy(deep=True)
    jo = b.data_area.work_schedule[0].work_request[0].job_order[1]
    jo.id = ik.model.Identifier("JO-2", scheme_id="SAP")
    jo.start_time = None
    jo.work_master_id = "WM-9"
    got = [(c.kind.value, c.path, c.xpath.rsplit("/", 1)[1], c.old, c.new) for c in ik.diff(a, b)]
    assert got == [
        ("changed", f"{JOBS}[1].id.scheme_id", "@schemeID", None, "SAP"),
        ("changed", f"{JOBS}[1].start_time", "StartTime",
         a.data_area.work_schedule[0].work_request[0].job_order[1].start_time.value, None),
        ("changed", f"{JOBS}[1].work_master_id", "WorkMasterID", None, "WM-9"),
    ]  # fmt: skip


def test_values_compare_as_written() -> None:
    """1.5 and 1.50 are different numbers in B2MML text; +01.50 and 1.50 are not."""
    a = ik.read_xml(schedule(job("JO-1", priority="+01.50")))
    assert ik.diff(a, schedule(job("JO-1", priority="1.50"))).equal
    (change,) = ik.diff(a, schedule(job("JO-1", priority="1.5")))
    assert (change.old, change.new) == (Decimal("1.50"), Decimal("1.5"))
    # the same instant at another offset is written differently: a change
    b = a.model_copy(deep=True)
    jo = b.data_area.work_schedule[0].work_request[0].job_order[0]
    jo.start_time = "2026-11-24T05:00:00Z"
    assert [c.path for c in ik.diff(a, b)] == [f"{JOBS}[0].start_time"]


def test_different_roots_are_one_change() -> None:
    other = ik.write_xml(ik.read_xml(BASE).data_area.work_schedule[0])
    (change,) = ik.diff(BASE, other)
    assert (change.kind, change.path, change.old, change.new) == (
        ChangeKind.CHANGED, "", "ProcessWorkSchedule", "WorkSchedule",
    )  # fmt: skip


def test_sources_paths_bytes_models_and_json(tmp_path) -> None:
    xml_path = tmp_path / "a.xml"
    xml_path.write_bytes(BASE)
    json_path = tmp_path / "a.json"
    json_path.write_bytes(ik.write_json(ik.read_xml(BASE)))
    assert ik.diff(xml_path, json_path).equal
    assert ik.diff(str(xml_path), BASE.decode()).equal
    assert ik.diff(ik.read_xml(BASE), json_path.read_text()).equal
    result = ik.diff(str(xml_path), json_path)
    assert (result.old_file, result.new_file) == (str(xml_path), str(json_path))


def test_unreadable_sources_raise_the_readers_errors(tmp_path) -> None:
    with pytest.raises(ik.SourceNotFoundError):
        ik.diff(BASE, tmp_path / "missing.xml")
    with pytest.raises(ik.MalformedDocumentError):
        ik.diff(BASE, b"<ProcessWorkSchedule")


def test_json_shape() -> None:
    new = schedule(job("JO-1", priority="1.25"), job("JO-3"), job("JO-5"))
    data = json.loads(ik.diff(BASE, new).to_json())
    assert set(data) == {"equal", "order_only", "old", "new", "summary", "changes"}
    assert data["equal"] is False and data["order_only"] is False
    assert data["old"] == {"file": None, "root": "ProcessWorkSchedule"}
    assert data["summary"] == {"added": 1, "removed": 1, "changed": 1, "moved": 0}
    by_kind = {c["kind"]: c for c in data["changes"]}
    for c in data["changes"]:
        assert set(c) == {"kind", "path", "xpath", "entity", "entity_id", "old", "new"}
    assert (by_kind["changed"]["old"], by_kind["changed"]["new"]) == (2, 1.25)
    added = by_kind["added"]["new"]  # the item in B2MML-JSON form
    assert added["ID"] == "JO-5" and added["Priority"] == 2
    assert added["MaterialRequirement"][0]["Quantity"][0]["QuantityString"] == "1850"
    assert by_kind["removed"]["old"]["ID"] == "JO-2" and by_kind["removed"]["new"] is None
    # decimal numbers keep every digit in the JSON text
    assert '"new": 1.25' in ik.diff(BASE, new).to_json()


def test_text_report() -> None:
    new = schedule(job("JO-1"), job("JO-2", priority="1"), job("JO-4"))
    text = ik.diff(BASE, new).to_text(old_name="old.xml", new_name="new.xml")
    lines = text.splitlines()
    assert lines[:2] == ["--- old.xml", "+++ new.xml"]
    assert lines[2].startswith(f"~ JobOrder JO-2: {JOBS}[1].priority: 2 -> 1  [")
    assert lines[3].startswith(f"+ JobOrder JO-4: {JOBS}[2]: added  [")
    assert lines[4].startswith(f"- JobOrder JO-3: {JOBS}[2]: removed  [")
    assert lines[-1] == "3 changes: 1 added, 1 removed, 1 changed"
