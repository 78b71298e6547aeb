"""Output: B2MML V0701 documents valid against the official schema, the flat CSV, the
provenance JSON, atomic writes."""

from __future__ import annotations

import datetime as dt
import json
import os
from fractions import Fraction as F
from pathlib import Path

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit import bom
from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part
from isa95kit.model import OperationsDefinition, ProcessOperationsDefinitionInformation

NS = {"b": "http://www.mesa.org/xml/B2MML"}


@pytest.fixture(scope="module")
def schema(v0701: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(v0701 / "AllSchemas.xsd")))


@pytest.fixture
def mbom() -> bom.MBom:
    ebom = Bom(
        {
            "PUMP": Part("PUMP", "EA", ItemType.MAKE, revision="C", description="Pump P-100"),
            "KIT": Part("KIT", "EA", ItemType.PHANTOM),
            "SCREW": Part("SCREW", "EA", description="Screw M8"),
            "JIG": Part("JIG", "EA"),
        },
        [
            Occurrence("PUMP", "SCREW", F(4), "EA", operation="OP10", source="e.csv:2"),
            Occurrence("PUMP", "KIT", F(1), "EA", operation="OP20", source="e.csv:3"),
            Occurrence("KIT", "SCREW", F(2), "EA", scrap=F(1, 3), source="e.csv:4"),
            Occurrence("PUMP", "JIG", F(1), "EA", operation="OP20", fixed=True, source="e.csv:5"),
        ],
        [
            Operation("OP10", 10, "Housing", "WC-CNC", "PT12M"),
            Operation("OP20", 20, "Assembly", "WC-ASM", "PT20M"),
        ],
    )
    rules = bom.load_rules(
        {"add": [{"material": "GREASE", "quantity": "1.5", "unit": "GRM", "operation": "OP20"}]}
    )
    return bom.transform(ebom, rules, at=dt.date(2026, 6, 1))


def test_documents_valid_against_the_official_schema(
    mbom: bom.MBom, schema: etree.XMLSchema
) -> None:
    for obj in (
        bom.to_operations_definition(mbom),
        bom.to_operations_material_bill(mbom),
        bom.to_operations_definition_information(mbom),
        bom.to_process_message(mbom),
        bom.to_process_message(mbom, information=False),
    ):
        doc = etree.fromstring(ik.write_xml(obj))
        assert schema.validate(doc), (type(obj).__name__, schema.error_log)
    report = ik.validate(ik.write_xml(bom.to_process_message(mbom)))
    assert report.valid, report.issues


def test_segments_specifications_and_bill(mbom: bom.MBom) -> None:
    od = bom.to_operations_definition(mbom)
    assert od.id.value == "OD-PUMP-C" and od.version is not None and od.version.value == "C"
    assert [s.id.value for s in od.operations_segment] == ["OP10", "OP20"]
    op10, op20 = od.operations_segment
    assert op10.duration == "PT12M"
    assert op10.equipment_specification[0].equipment_class_id[0].value == "WC-CNC"
    specs = {s.id.value: s for s in op20.material_specification}
    assert set(specs) == {"OP20-SCREW", "OP20-JIG-FIXED", "OP20-GREASE-ADDED", "OP20-PUMP-PRODUCED"}
    screw = specs["OP20-SCREW"]
    assert screw.quantity[0].quantity_string.value == "3.000000"  # 2 / (1 - 1/3)
    assert screw.quantity[0].unit_of_measure.value == "EA"  # type: ignore[union-attr]
    assert specs["OP20-GREASE-ADDED"].material_use.value.value == "Consumable"  # type: ignore[union-attr]
    assert specs["OP20-PUMP-PRODUCED"].material_use.value.value == "Produced"  # type: ignore[union-attr]
    assert specs["OP20-JIG-FIXED"].material_specification_property[0].id.value == (
        "isa95kit:fixed-quantity"
    )
    bill = bom.to_operations_material_bill(mbom)
    assert od.operations_material_bill_id[0].value == bill.id.value
    items = {i.id.value: i for i in bill.operations_material_bill_item}
    assert [m.value for m in items["SCREW"].material_specification_id] == [
        "OP10-SCREW",
        "OP20-SCREW",
    ]
    assert items["SCREW"].quantity[0].quantity_string.value == "7.000000"
    assert not hasattr(items["SCREW"], "material_definition_id")


def test_process_message_round_trips(mbom: bom.MBom) -> None:
    now = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.timezone.utc)
    message = bom.to_process_message(mbom, sender="PLM-BRIDGE", now=now)
    back = ik.read_xml(ik.write_xml(message), ProcessOperationsDefinitionInformation)
    info = back.data_area.operations_definition_information[0]
    assert info.operations_definition[0].id.value == "OD-PUMP-C"
    assert back.application_area.sender.logical_id.value == "PLM-BRIDGE"  # type: ignore[union-attr]
    plain = bom.to_process_message(mbom, information=False, now=now)
    assert isinstance(plain.data_area.operations_definition[0], OperationsDefinition)  # type: ignore[union-attr]


def test_csv(mbom: bom.MBom) -> None:
    rows = bom.to_csv(mbom).splitlines()
    assert (
        rows[0]
        == "operation,sequence,line,material,description,quantity,unit,exact,kind,use,fixed,occurrences"
    )
    assert "OP20,20,OP20-SCREW,SCREW,Screw M8,3.000000,EA,3,consumed,Consumed,,1" in rows
    assert "OP20,20,OP20-GREASE-ADDED,GREASE,,1.500000,GRM,1.5,added,Consumable,,1" in rows


def test_provenance_json(mbom: bom.MBom) -> None:
    data = json.loads(bom.provenance_json(mbom))
    assert data["product"] == "PUMP" and data["at"] == "2026-06-01"
    screw = next(line for line in data["lines"] if line["id"] == "OP20-SCREW")
    (prov,) = screw["provenance"]
    assert prov == {
        "path": ["PUMP", "KIT", "SCREW"],
        "sources": ["e.csv:3", "e.csv:4"],
        "find_numbers": [None, None],
        "quantity": "3",
        "net": "2",
        "scrap": "1/3",
        "assignment": "inherited",
        "share": "1",
    }
    assert data["phantoms"] == [["PUMP", "KIT"]] and data["issues"] == []


def test_exact_text() -> None:
    assert [bom.exact_text(F(x)) for x in ("1/4", "20/19", "-3/8", "100", "0")] == [
        "0.25",
        "20/19",
        "-0.375",
        "100",
        "0",
    ]


def test_write_atomic_replaces_whole_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "mbom.xml"
    target.write_bytes(b"old")
    bom.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        bom.write_atomic(target, b"half")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["mbom.xml"]  # no temporary file left


def test_check_bill_on_the_written_documents(mbom: bom.MBom) -> None:
    definition = bom.to_operations_definition(mbom)
    bill = bom.to_operations_material_bill(mbom)
    assert bom.check_bill(definition, bill) == []
    back = ik.read_xml(ik.write_xml(bill), type(bill))
    back.operations_material_bill_item[0].quantity[0].quantity_string = "7.000001"  # type: ignore[assignment]
    (issue,) = bom.check_bill(definition, back)
    assert issue.code == "bill-item-sum" and issue.material == "SCREW"
    item = back.operations_material_bill_item[0]
    item.material_specification_id = [*item.material_specification_id, "NOPE"]  # type: ignore[list-item]
    assert "missing ['NOPE']" in bom.check_bill(definition, back)[0].message
