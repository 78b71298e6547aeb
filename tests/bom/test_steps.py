"""Each pipeline step alone, on hand-built E-BOMs with hand-derived results."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction as F

import pytest

from isa95kit import bom
from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part, _steps
from isa95kit.errors import BomTransformError

MAKE, BUY, PHANTOM, REF = ItemType.MAKE, ItemType.BUY, ItemType.PHANTOM, ItemType.REFERENCE
OPS = [Operation("OP10", 10), Operation("OP20", 20), Operation("OP30", 30)]


def make_bom(parts: list[Part], occurrences: list[Occurrence], root: str = "A") -> Bom:
    return Bom({p.id: p for p in parts}, occurrences, list(OPS), root=root)


_LINES = itertools.count(2)


def occ(parent: str, child: str, q: object, unit: str = "EA", **kw: object) -> Occurrence:
    source = f"e.csv:{next(_LINES)}"
    return Occurrence(parent, child, F(str(q)), unit, source=source, **kw)  # type: ignore[arg-type]


# -- 1. effectivity -----------------------------------------------------------------------------


def test_effectivity_by_date_serial_lot_and_eco() -> None:
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("B", "EA"), Part("C", "EA"), Part("D", "EA"), Part("E", "EA")],
        [
            occ("A", "B", 1, effective_to=dt.date(2026, 1, 1)),
            occ("A", "C", 1, serial_from="SN-9", serial_to="SN-20"),
            occ("A", "D", 1, lot_from="L100"),
            occ("A", "E", 1, eco="ECO-7"),
        ],
    )
    kept, out = _steps.resolve_effectivity(
        ebom, at=dt.date(2026, 6, 1), serial="SN-10", lot="L099", ecos=frozenset({"ECO-1"})
    )
    assert [o.child for o in kept.occurrences] == ["C"]  # SN-10 > SN-9 in natural order
    assert [(e.reason, e.path) for e in out] == [
        ("effectivity", ("A", "B")),
        ("lot", ("A", "D")),
        ("eco", ("A", "E")),
    ]
    kept, _ = _steps.resolve_effectivity(ebom, serial="SN-21", ecos=frozenset({"ECO-7"}))
    assert [o.child for o in kept.occurrences] == ["B", "D", "E"]
    kept, out = _steps.resolve_effectivity(ebom)  # nothing asked: everything is effective
    assert len(kept.occurrences) == 4 and not out


def test_alternates_keep_the_lowest_priority() -> None:
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("B1", "EA"), Part("B2", "EA"), Part("C", "EA")],
        [
            occ("A", "B2", 1, alternate_group="G", priority=2),
            occ("A", "B1", 1, alternate_group="G", priority=1),
            occ("A", "C", 1),
        ],
    )
    kept, out = _steps.resolve_effectivity(ebom)
    assert [o.child for o in kept.occurrences] == ["B1", "C"]
    assert out[0].reason == "alternate" and "alternate of B1" in out[0].detail


# -- 2. units -------------------------------------------------------------------------------------


def test_units_box_to_each_and_gram_to_kilogram_exactly() -> None:
    rules = bom.load_rules({"materials": {"SCREW": {"unit": "EA", "factors": ["1 BX = 250 EA"]}}})
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("SCREW", "BX"), Part("OIL", "KGM")],
        [occ("A", "SCREW", "0.032", "BX"), occ("A", "OIL", 125, "GRM")],
    )
    out = _steps.normalise_units(ebom, rules)
    screw, oil = out.occurrences
    assert (screw.quantity, screw.unit) == (8, "EA")
    assert (oil.quantity, oil.unit) == (F(1, 8), "KGM")
    assert out.parts["SCREW"].unit == "EA"


def test_units_base_quantity_follows_a_new_unit() -> None:
    rules = bom.load_rules({"materials": {"KIT": {"unit": "EA", "factors": ["1 BX = 10 EA"]}}})
    ebom = make_bom([Part("A", "EA", MAKE), Part("KIT", "BX", MAKE, base_quantity=F(2))], [])
    assert _steps.normalise_units(ebom, rules).parts["KIT"].base_quantity == 20


@pytest.mark.parametrize(
    ("part_unit", "unit", "message"),
    [
        ("EA", "BX", "cannot convert BX to EA"),  # no material factor: never 1.0
        ("KGM", "EA", "cannot convert EA to KGM"),  # another dimension
        ("EA", "KGM", "cannot convert KGM to EA"),
    ],
)
def test_units_missing_factor_raises_never_one(part_unit: str, unit: str, message: str) -> None:
    ebom = make_bom([Part("A", "EA", MAKE), Part("B", part_unit)], [occ("A", "B", 2, unit)])
    with pytest.raises(BomTransformError, match=message) as info:
        _steps.normalise_units(ebom, bom.Rules())
    assert info.value.file == "e.csv"


def test_units_contradicting_factors_raise() -> None:
    rules = bom.load_rules({"materials": {"B": {"factors": ["1 BX = 12 EA"]}}})
    ebom = make_bom([Part("A", "EA", MAKE), Part("B", "EA", factors=("1 BX = 10 EA",))], [])
    with pytest.raises(BomTransformError, match="material B"):
        _steps.normalise_units(ebom, rules)


# -- 3. classify ------------------------------------------------------------------------------------


def test_classify_rules_references_and_scrap() -> None:
    rules = bom.load_rules(
        {
            "classify": [{"material": "DWG-*", "set_type": "reference"}],
            "scrap": [{"material": "CAST*", "yield": "0.96"}],
        }
    )
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("DWG-1", "EA"), Part("CAST", "EA"), Part("DOC", "EA", REF)],
        [occ("A", "DWG-1", 1), occ("A", "CAST", 1), occ("A", "DOC", 1)],
    )
    out, excluded = _steps.classify(ebom, rules)
    assert [o.child for o in out.occurrences] == ["CAST"]
    assert out.occurrences[0].scrap == F(1, 25)  # yield 0.96 -> scrap 0.04
    assert [(e.reason, e.path[-1]) for e in excluded] == [
        ("reference", "DWG-1"),
        ("reference", "DOC"),
    ]


# -- 4. phantoms ----------------------------------------------------------------------------------------


def test_phantom_children_inherit_unless_they_name_their_own() -> None:
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("K", "EA", PHANTOM), Part("X", "EA"), Part("Y", "EA")],
        [occ("A", "K", 2, operation="OP20"), occ("K", "X", 3), occ("K", "Y", 1, operation="OP30")],
    )
    items, phantoms = _steps.dissolve_phantoms(ebom, "A")
    assert phantoms == [("A", "K")]
    got = {(i.material, i.operation, i.assignment, i.net) for i in items}
    assert got == {("X", "OP20", "inherited", 6), ("Y", "OP30", "explicit", 2)}
    assert items[0].path == ("A", "K", "X")


def test_nested_phantoms_scale_and_keep_the_nearest_operation() -> None:
    ebom = make_bom(
        [
            Part("A", "EA", MAKE),
            Part("K", "EA", PHANTOM),
            Part("L", "EA", PHANTOM),
            Part("X", "EA"),
        ],
        [occ("A", "K", 2, operation="OP10"), occ("K", "L", 5, operation="OP20"), occ("L", "X", 3)],
    )
    (item,), _ = _steps.dissolve_phantoms(ebom, "A")
    assert (item.net, item.operation, item.assignment) == (30, "OP20", "inherited")


def test_make_parts_are_lines_and_exploded_unless_phantoms_only() -> None:
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("S", "EA", MAKE), Part("X", "EA")],
        [occ("A", "S", 2, operation="OP30"), occ("S", "X", 3, operation="OP10")],
    )
    items, _ = _steps.dissolve_phantoms(ebom, "A")
    assert [(i.material, i.net) for i in items] == [("S", 2), ("X", 6)]
    items, _ = _steps.dissolve_phantoms(ebom, "A", explode="phantoms")
    assert [(i.material, i.net) for i in items] == [("S", 2)]


def test_cycle_raises_with_its_path_and_source() -> None:
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("B", "EA", MAKE), Part("C", "EA", PHANTOM)],
        [occ("A", "B", 1), occ("B", "C", 1), occ("C", "B", 1)],
    )
    with pytest.raises(BomTransformError, match="cycle B → C → B") as info:
        _steps.dissolve_phantoms(ebom, "A")
    assert info.value.location.file == "e.csv"


def test_child_with_no_part_raises() -> None:
    ebom = make_bom([Part("A", "EA", MAKE)], [occ("A", "GHOST", 1)])
    with pytest.raises(BomTransformError, match="child 'GHOST' has no part"):
        _steps.dissolve_phantoms(ebom, "A")


# -- 5. regroup / split, 6. assign, 7. add ---------------------------------------------------------------


def _items(rules: bom.Rules) -> list[_steps.Item]:
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("S", "EA", PHANTOM), Part("GLUE", "GRM"), Part("NUT", "EA")],
        [occ("A", "S", 1, operation="OP10"), occ("S", "GLUE", 10), occ("A", "NUT", 4)],
    )
    items, _ = _steps.dissolve_phantoms(ebom, "A")
    items = _steps.split(_steps.regroup(items, rules), rules)
    return _steps.assign(items, rules, OPS)


def test_regroup_moves_lines_below_a_part() -> None:
    items = _items(bom.load_rules({"regroup": [{"under": "S", "operation": "OP30"}]}))
    assert [(i.material, i.operation, i.assignment) for i in items] == [
        ("GLUE", "OP30", "regroup"),
        ("NUT", None, "none"),
    ]


def test_split_shares_exactly() -> None:
    rules = bom.load_rules(
        {"split": [{"material": "GLUE", "shares": {"OP10": "1/3", "OP20": "2/3"}}]}
    )
    items = _items(rules)
    assert [(i.material, i.operation, i.net, i.share) for i in items[:2]] == [
        ("GLUE", "OP10", F(10, 3), F(1, 3)),
        ("GLUE", "OP20", F(20, 3), F(2, 3)),
    ]


def test_assign_by_rule_then_default_and_unknown_operation() -> None:
    items = _items(bom.load_rules({"assign": [{"material": "N*", "operation": "OP20"}]}))
    assert [(i.material, i.operation, i.assignment) for i in items] == [
        ("GLUE", "OP10", "inherited"),
        ("NUT", "OP20", "rule"),
    ]
    items = _items(bom.load_rules({"default_operation": "OP30"}))
    assert items[1].operation == "OP30" and items[1].assignment == "default"
    with pytest.raises(BomTransformError, match=r"'OP99' of NUT .* not in the routing"):
        _items(bom.load_rules({"default_operation": "OP99"}))


def test_add_items_are_kind_added() -> None:
    rules = bom.load_rules(
        {"add": [{"material": "GREASE", "quantity": "0.5", "unit": "g", "operation": "OP30"}]}
    )
    (item,) = _steps.add_items([], rules, "A")
    assert (item.material, item.net, item.unit, item.kind, item.use) == (
        "GREASE",
        F(1, 2),
        "GRM",
        bom.LineKind.ADDED,
        "Consumable",
    )


# -- 8. merge, 9. quantities, 10. rounding -------------------------------------------------------------


def test_merge_by_material_and_operation_keeps_provenance() -> None:
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("K", "EA", PHANTOM), Part("X", "EA")],
        [
            occ("A", "X", 1, operation="OP10"),
            occ("A", "K", 1, operation="OP10"),
            occ("K", "X", 2),
            occ("A", "X", 4, operation="OP30"),
        ],
    )
    items, _ = _steps.dissolve_phantoms(ebom, "A")
    groups = _steps.merge(items)
    lines = _steps.round_lines(groups, bom.RoundingPolicy())
    assert [(ln.material, ln.operation, ln.quantity) for ln in lines] == [
        ("X", "OP10", 3),
        ("X", "OP30", 4),
    ]
    assert [p.path for p in lines[0].provenance] == [("A", "X"), ("A", "K", "X")]
    assert [p.quantity for p in lines[0].provenance] == [1, 2]


def test_scrap_formula_gross_is_net_over_one_minus_scrap_at_every_level() -> None:
    # A needs 2 S (scrap 20 %), S is a phantom with 3 X (scrap 25 %) per S
    ebom = make_bom(
        [Part("A", "EA", MAKE), Part("S", "EA", PHANTOM), Part("X", "EA")],
        [occ("A", "S", 2, operation="OP10", scrap=F(1, 5)), occ("S", "X", 3, scrap=F(1, 4))],
    )
    items, _ = _steps.dissolve_phantoms(ebom, "A")
    (line,) = _steps.round_lines(_steps.merge(items), bom.RoundingPolicy())
    # S gross = 2 / 0.8 = 2.5; X gross = 2.5 * 3 / 0.75 = 10
    assert line.quantity == 10 and line.net == 6
    (prov,) = line.provenance
    assert prov.scrap == F(2, 5)  # 1 - 0.8 * 0.75
    assert prov.quantity == prov.net / (1 - prov.scrap)


def test_fixed_quantity_does_not_scale_with_the_parent() -> None:
    ebom = make_bom(
        [Part("A", "EA", MAKE, base_quantity=F(10)), Part("S", "EA", PHANTOM), Part("JIG", "EA")],
        [occ("A", "S", 50, operation="OP10"), occ("S", "JIG", 1, fixed=True)],
    )
    items, _ = _steps.dissolve_phantoms(ebom, "A")
    (line,) = _steps.round_lines(_steps.merge(items), bom.RoundingPolicy())
    assert line.quantity == 1 and line.fixed and line.id == "OP10-JIG-FIXED"


def test_round_once_under_the_policy_per_unit() -> None:
    rules = bom.load_rules(
        {"rounding": {"places": 3, "mode": "half-up", "units": {"EA": {"places": 0, "mode": "up"}}}}
    )
    ebom = make_bom(
        [Part("A", "EA", MAKE, base_quantity=F(3)), Part("X", "EA"), Part("Y", "KGM")],
        [occ("A", "X", 1, operation="OP10"), occ("A", "Y", 2, "KGM", operation="OP10")],
    )
    items, _ = _steps.dissolve_phantoms(ebom, "A")
    lines = _steps.round_lines(_steps.merge(items), rules.rounding)
    assert [(ln.quantity, str(ln.rounded)) for ln in lines] == [(1, "1"), (2, "2.000")]
