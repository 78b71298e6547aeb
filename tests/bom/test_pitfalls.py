"""The E-BOM → M-BOM mistakes peers made, each as a hand-derived case.

- rounding at every level (Odoo #36611, ERPNext #48147): isa95kit rounds once, at the end;
- the unit lost in the roll-up (Odoo PR 258651): every line keeps its Rec 20 unit;
- deep levels mis-scaled when a base quantity is not 1 (ERPNext PR 57963, Odoo PR 160149);
- a material used in two operations merged into one line (ERPNext #35173): two lines;
- a silent factor of 1.0 for an unknown unit or a missing factor: an error.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction as F

import pytest

from isa95kit import bom
from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part
from isa95kit.errors import BomTransformError
from isa95kit.units import Rounding

MAKE, PHANTOM = ItemType.MAKE, ItemType.PHANTOM
OPS = [Operation("OP10", 10), Operation("OP20", 20)]


def test_rounding_once_not_per_path() -> None:
    # four phantom kits, each holding 1 screw per 4 kits (base quantity 4): 1/4 screw per path
    parts = [Part("A", "EA", MAKE), Part("SCREW", "EA")]
    occs = []
    for i in range(4):
        parts.append(Part(f"K{i}", "EA", PHANTOM, base_quantity=F(4)))
        occs += [
            Occurrence("A", f"K{i}", F(1), "EA", operation="OP10"),
            Occurrence(f"K{i}", "SCREW", F(1), "EA"),
        ]
    ebom = Bom({p.id: p for p in parts}, occs, OPS, root="A")
    rules = bom.load_rules({"rounding": {"units": {"EA": {"places": 0, "mode": "up"}}}})
    mbom = bom.transform(ebom, rules)
    (line,) = mbom.lines
    assert line.quantity == 1 and line.rounded == Decimal(1)
    # what rounding each path up would have given: 4 screws for 1
    per_path = sum(Rounding(0, decimal.ROUND_UP).fraction(p.quantity) for p in line.provenance)
    assert per_path == 4
    assert mbom.report.ok


def test_rounding_once_across_levels() -> None:
    # A needs 1 P (phantom, per 3 P: 1 Q), Q (phantom) needs 3 X: X = 1/3 * 3 = 1 exactly
    ebom = Bom(
        {
            "A": Part("A", "EA", MAKE),
            "P": Part("P", "EA", PHANTOM, base_quantity=F(3)),
            "Q": Part("Q", "EA", PHANTOM),
            "X": Part("X", "KGM"),
        },
        [
            Occurrence("A", "P", F(1), "EA", operation="OP10"),
            Occurrence("P", "Q", F(1), "EA"),
            Occurrence("Q", "X", F(3), "KGM"),
        ],
        OPS,
    )
    rules = bom.load_rules({"rounding": {"places": 2}})
    (line,) = bom.transform(ebom, rules).lines
    assert line.quantity == 1 and line.rounded == Decimal("1.00")
    # rounding at each level instead: Q = 0.33, X = 0.33 * 3 = 0.99
    q_rounded = Rounding(2).fraction(F(1, 3))
    assert Rounding(2).apply(q_rounded * 3) == Decimal("0.99")


def test_units_kept_in_the_roll_up() -> None:
    ebom = Bom(
        {"A": Part("A", "EA", MAKE), "K": Part("K", "EA", PHANTOM), "OIL": Part("OIL", "KGM")},
        [
            Occurrence("A", "OIL", F(500), "GRM", operation="OP10"),
            Occurrence("A", "K", F(2), "EA", operation="OP10"),
            Occurrence("K", "OIL", F(1, 8), "KGM"),
        ],
        OPS,
    )
    mbom = bom.transform(ebom)
    (line,) = mbom.lines
    assert (line.quantity, line.unit) == (F(3, 4), "KGM")  # 0.5 kg + 2 * 0.125 kg
    assert [(p.quantity, p.path[-1]) for p in line.provenance] == [
        (F(1, 2), "OIL"),
        (F(1, 4), "OIL"),
    ]
    row = bom.to_csv(mbom).splitlines()[1]
    assert row == "OP10,10,OP10-OIL,OIL,,0.750000,KGM,0.75,consumed,Consumed,,2"


def test_deep_levels_scale_with_base_quantities() -> None:
    # per 10 pumps: 20 S (make, per 4 S: 6 X and 2 T), T phantom per 5 T: 10 Y
    ebom = Bom(
        {
            "PUMP": Part("PUMP", "EA", MAKE, base_quantity=F(10)),
            "S": Part("S", "EA", MAKE, base_quantity=F(4)),
            "T": Part("T", "EA", PHANTOM, base_quantity=F(5)),
            "X": Part("X", "EA"),
            "Y": Part("Y", "EA"),
        },
        [
            Occurrence("PUMP", "S", F(20), "EA", operation="OP20"),
            Occurrence("S", "X", F(6), "EA", operation="OP10"),
            Occurrence("S", "T", F(2), "EA", operation="OP10"),
            Occurrence("T", "Y", F(10), "EA"),
        ],
        OPS,
    )
    mbom = bom.transform(ebom)
    got = {(ln.material, ln.operation): ln.quantity for ln in mbom.lines}
    # S = 20; X = 20 * 6 / 4 = 30; T = 20 * 2 / 4 = 10; Y = 10 * 10 / 5 = 20 (per 10 pumps)
    assert got == {("S", "OP20"): 20, ("X", "OP10"): 30, ("Y", "OP10"): 20}
    assert mbom.base_quantity == 10 and mbom.report.ok


def test_material_in_two_operations_stays_two_lines() -> None:
    ebom = Bom(
        {"A": Part("A", "EA", MAKE), "SCREW": Part("SCREW", "EA")},
        [
            Occurrence("A", "SCREW", F(4), "EA", operation="OP10"),
            Occurrence("A", "SCREW", F(6), "EA", operation="OP20"),
            Occurrence("A", "SCREW", F(1), "EA", operation="OP10"),
        ],
        OPS,
    )
    mbom = bom.transform(ebom)
    assert [(ln.operation, ln.quantity) for ln in mbom.lines] == [("OP10", 5), ("OP20", 6)]
    (item,) = bom.bill_items(mbom.lines)
    assert item.quantity == 11 and [ln.id for ln in item.lines] == ["OP10-SCREW", "OP20-SCREW"]


@pytest.mark.parametrize("unit", ["BX", "KGM"])
def test_no_silent_factor_of_one(unit: str) -> None:
    ebom = Bom(
        {"A": Part("A", "EA", MAKE), "SCREW": Part("SCREW", "EA")},
        [Occurrence("A", "SCREW", F(2), unit, operation="OP10", source="plm.csv:7")],
        OPS,
    )
    with pytest.raises(BomTransformError, match=f"cannot convert {unit} to EA") as info:
        bom.transform(ebom)
    assert (info.value.file, info.value.line) == ("plm.csv", 7)
    rules = bom.load_rules({"materials": {"SCREW": {"factors": [f"1 {unit} = 100 EA"]}}})
    (line,) = bom.transform(ebom, rules).lines
    assert line.quantity == 200
