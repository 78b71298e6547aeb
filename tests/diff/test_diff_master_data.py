"""Diffs of the golden documents: master data (definitions, properties, lots) and every root."""

from __future__ import annotations

from pathlib import Path

import pytest

import isa95kit as ik

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"

MASTER = GOLDEN / "material_master_assembly.xml"
INFO = '/SyncMaterialInformation/DataArea/MaterialInformation[ID="MI-DE01-CP200"]'


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.xml")), ids=lambda p: p.name)
def test_golden_documents_equal_their_round_trip(path: Path) -> None:
    doc = ik.read_xml(path)
    assert ik.diff(path, ik.write_xml(doc)).equal
    assert ik.diff(doc, ik.read_json(ik.write_json(doc))).equal


def test_engineering_change_of_a_material_definition() -> None:
    text = MASTER.read_text(encoding="utf-8")
    revised = (
        text.replace("<ValueString>86.4</ValueString>", "<ValueString>88.1</ValueString>", 1)
        .replace("<Version>C</Version>", "<Version>D</Version>", 1)
        .replace("<ID>L24-0304-051</ID>", "<ID>L24-0304-052</ID>", 1)
    )
    result = ik.diff(MASTER, revised.encode())
    got = [(c.kind.value, c.entity, c.entity_id, c.xpath, c.old, c.new) for c in result]
    definition = f'{INFO}/MaterialDefinition[ID="FG-PUMP-CP200"]'
    assert got[:2] == [
        ("changed", "MaterialDefinition", "FG-PUMP-CP200", f"{definition}/Version", "C", "D"),
        ("changed", "MaterialDefinitionProperty", "NET_WEIGHT",
         f'{definition}/MaterialDefinitionProperty[ID="NET_WEIGHT"]/Value[1]/ValueString',
         "86.4", "88.1"),
    ]  # fmt: skip
    # a lot with a new ID is another lot: the old one removed, the new one added
    lots = [(c.kind.value, c.entity, c.entity_id) for c in result.changes[2:]]
    assert lots == [
        ("added", "MaterialLot", "L24-0304-052"),
        ("removed", "MaterialLot", "L24-0304-051"),
    ]
