"""Readers: PLM CSV (default and renamed columns), routing CSV, JSON and B2MML; every bad
input raises BomTransformError naming file, line and column, and nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from isa95kit import bom
from isa95kit.bom import ItemType
from isa95kit.errors import BomTransformError, Isa95Error

from .conftest import ROUTING


def test_csv_default_columns(ebom_csv: Callable[[str], Path]) -> None:
    path = ebom_csv(
        """
,PUMP,1,EA,,make,,,,,C
PUMP,SEAL,2,pcs,10,buy,OP30,2.5,2026-01-01,2027-01-01,B
PUMP,OIL,0.125,kg,20,,OP30,,,,
"""
    )
    ebom = bom.read_csv(path)
    assert ebom.parts["PUMP"].revision == "C" and ebom.parts["PUMP"].item_type is ItemType.MAKE
    seal, oil = ebom.occurrences
    assert (seal.quantity, seal.unit, seal.find_number, seal.operation) == (2, "H87", "10", "OP30")
    assert seal.scrap == Fraction(1, 40)  # 2.5 % exactly, never 0.025000000000000001
    assert seal.effective_from == dt.date(2026, 1, 1) and seal.effective_to == dt.date(2027, 1, 1)
    assert seal.source == f"{path}:3"
    assert (oil.quantity, oil.unit, oil.item_type) == (Fraction(1, 8), "KGM", None)
    assert ebom.parts["OIL"].unit == "KGM" and ebom.parts["OIL"].item_type is ItemType.BUY
    assert ebom.roots() == ["PUMP"]


def test_csv_columns_renamed_by_rules(write: Callable[[str, str], Path]) -> None:
    rules = bom.load_rules(
        write(
            "rules.toml",
            """
[columns]
parent = "Parent Item"
child = "Component"
quantity = "Qty"
unit = "UoM"
""",
        )
    )
    path = write("plm.csv", "Parent Item,Component,Qty,UoM\nA,B,3,EA\n")
    (occ,) = bom.read_csv(path, rules=rules).occurrences
    assert (occ.parent, occ.child, occ.quantity, occ.unit) == ("A", "B", 3, "EA")


@pytest.mark.parametrize(
    ("rows", "line", "column", "text"),
    [
        ("A,B,two,EA", 2, 3, "not a number"),
        ("A,B,1.5e,EA", 2, 3, "not a number"),
        ("A,B,-1,EA", 2, 3, "negative"),
        ("A,B,1,EA\nA,C,1,BOGUS", 3, 4, "unknown unit 'BOGUS'"),
        ("A,,1,EA", 2, 2, "no child"),
        ("A,B,1,EA,,gadget", 2, 6, "unknown item type"),
        ("A,B,1,EA,,,,150", 2, 8, "below 100"),
        ("A,B,1,EA,,,,,2026-13-01", 2, 9, "not a date"),
    ],
)
def test_csv_bad_values_name_file_line_column(
    ebom_csv: Callable[[str], Path], rows: str, line: int, column: int, text: str
) -> None:
    path = ebom_csv(rows)
    with pytest.raises(BomTransformError) as info:
        bom.read_csv(path)
    err = info.value
    assert (err.file, err.line, err.column) == (str(path), line, column)
    assert text in str(err)
    assert isinstance(err, (Isa95Error, ValueError))


def test_csv_missing_column(write: Callable[[str, str], Path]) -> None:
    path = write("bad.csv", "parent,child,unit\nA,B,EA\n")
    with pytest.raises(BomTransformError, match="missing column 'quantity'") as info:
        bom.read_csv(path)
    assert (info.value.file, info.value.line) == (str(path), 1)


def test_csv_missing_renamed_column_names_the_file_header(
    write: Callable[[str, str], Path],
) -> None:
    rules = bom.load_rules({"columns": {"quantity": "Qty"}})
    path = write("bad.csv", "parent,child,quantity,unit\nA,B,1,EA\n")
    with pytest.raises(BomTransformError, match="missing column 'Qty'"):
        bom.read_csv(path, rules=rules)


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        bom.read_csv(tmp_path / "nope.csv")


def test_routing_csv(write: Callable[[str, str], Path]) -> None:
    ops = bom.read_routing_csv(write("r.csv", "operation,sequence\nB,20\nA,10\n"))
    assert [(o.id, o.sequence) for o in ops] == [("A", 10), ("B", 20)]
    ops = bom.read_routing_csv(write("r.csv", ROUTING))
    assert ops[0].work_center == "WC-CNC" and ops[0].duration == "PT12M"


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("operation,sequence\nA,ten\n", 2, "not an integer"),
        ("operation,sequence\nA,10\nA,20\n", 1, "twice"),
        ("operation,sequence,duration\nA,10,5 minutes\n", 3, "ISO 8601"),
    ],
)
def test_routing_errors(
    write: Callable[[str, str], Path], text: str, column: int, message: str
) -> None:
    with pytest.raises(BomTransformError, match=message) as info:
        bom.read_routing_csv(write("r.csv", text))
    assert info.value.column == column


def _json(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "product": "A",
        "parts": [
            {"id": "A", "unit": "EA", "type": "make"},
            {"id": "B", "unit": "KGM", "factors": ["1 BX = 2.5 KGM"]},
        ],
        "occurrences": [{"parent": "A", "child": "B", "quantity": 0.1, "unit": "g"}],
        "routing": [{"id": "OP10", "sequence": 10}],
    }
    data.update(extra)
    return data


def test_json_reader_exact_numbers(write: Callable[[str, str], Path]) -> None:
    path = write("e.json", json.dumps(_json()))
    ebom = bom.read_json(path)
    (occ,) = ebom.occurrences
    assert occ.quantity == Fraction(1, 10) and occ.unit == "GRM"  # 0.1 read as a decimal
    assert ebom.parts["B"].factors == ("1 BX = 2.5 KGM",)
    assert ebom.root == "A" and ebom.routing[0].id == "OP10"
    assert occ.source == f"{path}#$.occurrences[0]"


def test_json_child_with_no_part(write: Callable[[str, str], Path]) -> None:
    data = _json(occurrences=[{"parent": "A", "child": "Z", "quantity": 1, "unit": "EA"}])
    with pytest.raises(BomTransformError, match="child 'Z' is not a declared part") as info:
        bom.read_json(write("e.json", json.dumps(data)))
    assert info.value.path == "$.occurrences[0].child"


def test_json_syntax_error_has_line(write: Callable[[str, str], Path]) -> None:
    with pytest.raises(BomTransformError) as info:
        bom.read_json(write("e.json", '{\n  "parts": [,]\n}'))
    assert info.value.line == 2


B2MML = """<?xml version="1.0" encoding="UTF-8"?>
<MaterialInformation xmlns="http://www.mesa.org/xml/B2MML">
  <MaterialDefinition>
    <ID>PUMP</ID>
    <Version>C</Version>
    <MaterialDefinitionProperty>
      <ID>isa95kit:item-type</ID><Value><ValueString>make</ValueString></Value>
    </MaterialDefinitionProperty>
    <MaterialDefinitionProperty>
      <ID>isa95kit:base-quantity</ID>
      <Value><ValueString>1</ValueString><UnitOfMeasure>EA</UnitOfMeasure></Value>
    </MaterialDefinitionProperty>
    <AssemblyDefinition>
      <ID>SCREW</ID>
      <EffectiveEndDate>2027-01-01T00:00:00Z</EffectiveEndDate>
      <MaterialDefinitionProperty>
        <ID>isa95kit:usage-quantity</ID>
        <Value><ValueString>8</ValueString><UnitOfMeasure>EA</UnitOfMeasure></Value>
      </MaterialDefinitionProperty>
      <MaterialDefinitionProperty>
        <ID>isa95kit:operation</ID><Value><ValueString>OP30</ValueString></Value>
      </MaterialDefinitionProperty>
      <MaterialDefinitionProperty>
        <ID>isa95kit:scrap-percent</ID><Value><ValueString>2</ValueString></Value>
      </MaterialDefinitionProperty>
    </AssemblyDefinition>
  </MaterialDefinition>
  <MaterialDefinition>
    <ID>SCREW</ID>
    <MaterialDefinitionProperty>
      <ID>UnitConversion:BX</ID>
      <Value><ValueString>100</ValueString><UnitOfMeasure>EA</UnitOfMeasure></Value>
    </MaterialDefinitionProperty>
  </MaterialDefinition>
</MaterialInformation>
"""


def test_b2mml_reader_property_convention(write: Callable[[str, str], Path]) -> None:
    path = write("e.xml", B2MML)
    ebom = bom.read_b2mml(path)
    (occ,) = ebom.occurrences
    assert (occ.parent, occ.child, occ.quantity, occ.unit) == ("PUMP", "SCREW", 8, "EA")
    assert occ.operation == "OP30" and occ.scrap == Fraction(1, 50)
    assert occ.effective_to == dt.date(2027, 1, 1)
    assert occ.source == f"{path}:13"  # the AssemblyDefinition's line
    assert ebom.parts["PUMP"].item_type is ItemType.MAKE and ebom.parts["PUMP"].revision == "C"
    assert ebom.parts["SCREW"].factors == ("1 BX = 100 EA",)
    assert ebom.parts["SCREW"].unit == "EA"  # from its usage


def test_b2mml_usage_quantity_is_required(write: Callable[[str, str], Path]) -> None:
    text = B2MML.replace("isa95kit:usage-quantity", "Quantity")
    with pytest.raises(BomTransformError, match="no isa95kit:usage-quantity") as info:
        bom.read_b2mml(write("e.xml", text))
    assert info.value.line == 13
    assert info.value.path == "/MaterialInformation[1]/MaterialDefinition[1]/AssemblyDefinition[1]"


def test_b2mml_child_with_no_part(write: Callable[[str, str], Path]) -> None:
    text = B2MML.replace(
        "<ID>SCREW</ID>\n    <MaterialDefinitionProperty>",
        "<ID>NUT</ID>\n    <MaterialDefinitionProperty>",
    )
    with pytest.raises(BomTransformError, match="child 'SCREW' of PUMP has no part"):
        bom.read_b2mml(write("e.xml", text))


def test_read_ebom_dispatches_by_extension(
    write: Callable[[str, str], Path], ebom_csv: Callable[[str], Path]
) -> None:
    routing = write("r.csv", ROUTING)
    assert bom.read_ebom(ebom_csv("A,B,1,EA"), routing=routing).routing[0].id == "OP10"
    assert bom.read_ebom(write("e.json", json.dumps(_json()))).root == "A"
    assert bom.read_ebom(write("e.xml", B2MML)).occurrences[0].child == "SCREW"


def test_json_fixed_flag(write: Callable[[str, str], Path]) -> None:
    occurrence = {"parent": "A", "child": "B", "quantity": 1, "unit": "EA", "fixed": "no"}
    assert (
        not bom.read_json(write("e.json", json.dumps(_json(occurrences=[occurrence]))))
        .occurrences[0]
        .fixed
    )
    occurrence["fixed"] = True
    assert (
        bom.read_json(write("e.json", json.dumps(_json(occurrences=[occurrence]))))
        .occurrences[0]
        .fixed
    )
    occurrence["fixed"] = "perhaps"
    with pytest.raises(BomTransformError, match="yes/no") as info:
        bom.read_json(write("e.json", json.dumps(_json(occurrences=[occurrence]))))
    assert info.value.path == "$.occurrences[0].fixed"
