"""Engineering change: the change list of two E-BOM revisions, applying it to an M-BOM
through its provenance, every flagged case, the CLI and properties."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isa95kit import bom as B
from isa95kit.bom import Bom, ChangeKind, ItemType, MBom, Occurrence, Operation, Part
from isa95kit.cli import main
from tests.bom._strategies import eboms

DATA = Path(__file__).parent / "data"
ROUTING = [Operation("OP10", 10), Operation("OP20", 20), Operation("OP30", 30)]


def parts(*extra: Part) -> dict[str, Part]:
    base = [
        Part("PUMP", "EA", ItemType.MAKE, revision="A"),
        Part("PH", "EA", ItemType.PHANTOM),
        Part("SCREW", "EA"),
        Part("BOLT", "EA"),
        Part("HOUSING", "EA"),
        Part("OIL", "LTR"),
        Part("MOTOR", "EA", ItemType.MAKE),
        Part("COIL", "EA"),
    ]
    return {p.id: p for p in [*base, *extra]}


def rev_a() -> Bom:
    return Bom(
        parts(),
        [
            Occurrence("PUMP", "HOUSING", F(1), "EA", "10", operation="OP10"),
            Occurrence("PUMP", "PH", F(2), "EA", "20", operation="OP20"),
            Occurrence("PH", "SCREW", F(4), "EA", "1", scrap=F(1, 10)),
            Occurrence("PUMP", "OIL", F(1, 2), "LTR", "30", operation="OP30"),
        ],
        list(ROUTING),
        root="PUMP",
    )


def revise(bom: Bom, *occurrences: Occurrence, drop: tuple[str, ...] = ()) -> Bom:
    """``bom`` with occurrences replaced by (parent, find number), added, or dropped."""
    new = {(o.parent, o.find_number): o for o in occurrences}
    kept = [new.pop((o.parent, o.find_number), o) for o in bom.occurrences]
    kept = [o for o in kept if f"{o.parent}#{o.find_number}" not in drop]
    return dataclasses.replace(bom, occurrences=[*kept, *new.values()], parts=dict(bom.parts))


def line(mbom: MBom, material: str) -> B.MBomLine:
    return next(x for x in mbom.lines if x.material == material)


def eco(old: Bom, new: Bom, mbom: MBom | None = None, **kw: object) -> B.EcoResult:
    mbom = mbom if mbom is not None else B.transform(old)
    return B.apply_changes(B.diff_boms(old, new), mbom, **kw)  # type: ignore[arg-type]


# -- the change list --------------------------------------------------------------------------


def test_diff_of_a_revision_with_itself_is_empty() -> None:
    assert len(B.diff_boms(rev_a(), rev_a())) == 0


def test_diff_every_occurrence_kind() -> None:
    a = rev_a()
    b = revise(
        a,
        Occurrence("PUMP", "HOUSING", F(1), "EA", "10", operation="OP10", scrap=F(1, 20)),
        Occurrence("PH", "BOLT", F(4), "EA", "1"),
        Occurrence("PUMP", "OIL", F(500), "MLT", "30", operation="OP30"),
        Occurrence("PUMP", "MOTOR", F(1), "EA", "40", operation="OP10"),
        drop=("PUMP#20",),
    )
    kinds = [(c.kind, c.parent, c.find_number) for c in B.diff_boms(a, b)]
    assert kinds == [
        (ChangeKind.QUANTITY_CHANGED, "PUMP", "10"),  # scrap counts as quantity
        (ChangeKind.UNIT_CHANGED, "PUMP", "30"),
        (ChangeKind.REMOVED, "PUMP", "20"),
        (ChangeKind.ADDED, "PUMP", "40"),
        (ChangeKind.REPLACED, "PH", "1"),  # removal + addition at the same find number
    ]


def test_without_find_numbers_a_different_child_is_removed_and_added() -> None:
    a = Bom(parts(), [Occurrence("PUMP", "SCREW", F(1), "EA")], root="PUMP")
    b = Bom(parts(), [Occurrence("PUMP", "BOLT", F(1), "EA")], root="PUMP")
    assert [c.kind for c in B.diff_boms(a, b)] == [ChangeKind.REMOVED, ChangeKind.ADDED]


def test_part_revision_and_definition_changes() -> None:
    a = rev_a()
    b = dataclasses.replace(
        a,
        parts=parts(
            Part("PUMP", "EA", ItemType.MAKE, revision="B"),
            Part("SCREW", "EA", base_quantity=F(10)),
        ),
    )
    changes = B.diff_boms(a, b).changes
    assert [(c.kind, c.parent) for c in changes] == [
        (ChangeKind.REVISION_CHANGED, "PUMP"),
        (ChangeKind.PART_CHANGED, "SCREW"),
    ]
    assert "revision A → B" in changes[0].describe()
    assert "base quantity 1 → 10" in changes[1].describe()


def test_diff_on_a_date() -> None:
    import datetime as dt

    a = rev_a()
    b = revise(
        a,
        Occurrence(
            "PUMP", "BOLT", F(1), "EA", "50", operation="OP10", effective_from=dt.date(2027, 1, 1)
        ),
    )
    assert len(B.diff_boms(a, b, date=dt.date(2026, 6, 1))) == 0
    assert len(B.diff_boms(a, b, date=dt.date(2027, 6, 1))) == 1


# -- applying: what is certain --------------------------------------------------------------------


def test_quantity_change_through_a_phantom() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PUMP", "PH", F(3), "EA", "20", operation="OP20"))
    result = eco(a, b)
    assert result.ok and [c.kind for c in result.applied] == [ChangeKind.QUANTITY_CHANGED]
    screw = line(result.mbom, "SCREW")
    # hand-derived: 3 phantoms x 4 screws / 0.9 kept
    assert screw.quantity == F(40, 3) and screw.net == F(12)
    assert str(screw.rounded) == "13.333333"
    assert screw.provenance[0].quantity == F(40, 3)
    assert B.reconcile(b, result.mbom).ok


def test_scrap_change_keeps_the_net() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PH", "SCREW", F(4), "EA", "1", scrap=F(1, 5)))
    screw = line(eco(a, b).mbom, "SCREW")
    assert (screw.quantity, screw.net, screw.provenance[0].scrap) == (F(10), F(8), F(1, 5))


def test_unit_change_is_converted_exactly() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PUMP", "OIL", F(600), "MLT", "30", operation="OP30"))
    result = eco(a, b)
    oil = line(result.mbom, "OIL")
    assert (oil.quantity, oil.unit) == (F(3, 5), "LTR")
    assert [c.kind for c in result.applied] == [ChangeKind.UNIT_CHANGED]


def test_removal_and_addition() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PUMP", "BOLT", F(6), "EA", "50", operation="OP10"), drop=("PUMP#30",))
    result = eco(a, b)
    assert result.ok and len(result.applied) == 2
    assert "OIL" not in {x.material for x in result.mbom.lines}
    bolt = line(result.mbom, "BOLT")
    assert (bolt.id, bolt.operation, bolt.quantity) == ("OP10-BOLT", "OP10", F(6))
    assert bolt.provenance[0].path == ("PUMP", "BOLT")
    assert [x.operation for x in result.mbom.lines] == ["OP10", "OP10", "OP20"]  # routing order
    assert B.reconcile(b, result.mbom).ok


def test_addition_inherits_the_phantom_operation() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PH", "BOLT", F(1), "EA", "2"))
    bolt = line(eco(a, b).mbom, "BOLT")
    assert (bolt.operation, bolt.quantity, bolt.provenance[0].assignment) == (
        "OP20",
        F(2),
        "inherited",
    )


def test_replacement_keeps_the_operation_of_the_line_it_replaces() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PH", "BOLT", F(4), "EA", "1", scrap=F(1, 10)))
    result = eco(a, b)
    assert [c.kind for c in result.applied] == [ChangeKind.REPLACED]
    bolt = line(result.mbom, "BOLT")
    assert (bolt.operation, bolt.quantity) == ("OP20", F(80, 9))
    assert "SCREW" not in {x.material for x in result.mbom.lines}


def test_replacement_named_by_no_rule_takes_the_slot() -> None:
    a = revise(rev_a(), Occurrence("PUMP", "SCREW", F(2), "EA", "60"))
    rules = B.load_rules({"assign": [{"material": "SCREW", "operation": "OP30"}]})
    mbom = B.transform(a, rules)
    b = revise(a, Occurrence("PUMP", "BOLT", F(2), "EA", "60"))
    result = eco(a, b, mbom, rules=rules)
    bolt = line(result.mbom, "BOLT")
    assert (bolt.operation, bolt.provenance[0].assignment) == ("OP30", "replaced")


def test_product_revision_is_carried() -> None:
    a = rev_a()
    b = dataclasses.replace(a, parts=parts(Part("PUMP", "EA", ItemType.MAKE, revision="B")))
    result = eco(a, b)
    assert result.ok and result.mbom.revision == "B"


def test_input_m_bom_is_not_changed() -> None:
    a = rev_a()
    mbom = B.transform(a)
    before = B.provenance_json(mbom)
    eco(a, revise(a, drop=("PUMP#10",)), mbom)
    assert B.provenance_json(mbom) == before


# -- applying: what is flagged ------------------------------------------------------------------


def flag(result: B.EcoResult) -> list[str]:
    return [f.reason for f in result.flagged]


def test_flag_merged_line() -> None:
    # SCREW from the phantom and directly in OP20: one merged line of two occurrences
    a = revise(rev_a(), Occurrence("PUMP", "SCREW", F(1), "EA", "50", operation="OP20"))
    mbom = B.transform(a)
    assert len(line(mbom, "SCREW").provenance) == 2
    b = revise(a, Occurrence("PUMP", "SCREW", F(2), "EA", "50", operation="OP20"))
    result = eco(a, b, mbom)
    assert flag(result) == ["merged"] and result.flagged[0].lines == ("OP20-SCREW",)
    assert result.mbom.lines == mbom.lines
    # a new occurrence that would join an existing line is flagged the same way
    c = revise(rev_a(), Occurrence("PUMP", "SCREW", F(1), "EA", "50", operation="OP20"))
    assert flag(eco(rev_a(), c)) == ["merged"]


def test_flag_split_across_operations() -> None:
    rules = B.load_rules({"split": [{"material": "OIL", "shares": {"OP10": "1/4", "OP30": "3/4"}}]})
    a = rev_a()
    mbom = B.transform(a, rules)
    b = revise(a, Occurrence("PUMP", "OIL", F(1), "LTR", "30", operation="OP30"))
    result = eco(a, b, mbom, rules=rules)
    assert flag(result) == ["split"]
    assert set(result.flagged[0].lines) == {"OP10-OIL", "OP30-OIL"}


def test_flag_edited_line() -> None:
    a = rev_a()
    mbom = B.transform(a)
    edited = [
        dataclasses.replace(x, quantity=F(1)) if x.material == "OIL" else x for x in mbom.lines
    ]
    mbom = dataclasses.replace(mbom, lines=edited)
    b = revise(a, Occurrence("PUMP", "OIL", F(1), "LTR", "30", operation="OP30"))
    result = eco(a, b, mbom)
    assert flag(result) == ["edited"] and line(result.mbom, "OIL").quantity == 1


def test_flag_no_operation() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PUMP", "BOLT", F(1), "EA", "50"))
    result = eco(a, b)
    assert flag(result) == ["no-operation"]
    assert "BOLT" not in {x.material for x in result.mbom.lines}


def test_flag_untraced() -> None:
    a = rev_a()
    mbom = B.transform(a)
    mbom = dataclasses.replace(mbom, lines=[x for x in mbom.lines if x.material != "OIL"])
    b = revise(a, Occurrence("PUMP", "OIL", F(1), "LTR", "30", operation="OP30"))
    assert flag(eco(a, b, mbom)) == ["untraced"]


def test_flag_ambiguous_twins() -> None:
    a = Bom(
        parts(),
        [
            Occurrence("PUMP", "SCREW", F(1), "EA", operation="OP10"),
            Occurrence("PUMP", "SCREW", F(2), "EA", operation="OP20"),
        ],
        list(ROUTING),
        root="PUMP",
    )
    b = dataclasses.replace(
        a, occurrences=[a.occurrences[0], dataclasses.replace(a.occurrences[1], quantity=F(3))]
    )
    assert flag(eco(a, b)) == ["ambiguous"]


def test_flag_zero_quantity_and_part_change() -> None:
    a = revise(rev_a(), Occurrence("PUMP", "BOLT", F(0), "EA", "50", operation="OP10"))
    b = revise(a, Occurrence("PUMP", "BOLT", F(1), "EA", "50", operation="OP10"))
    assert flag(eco(a, b)) == ["zero-quantity"]
    c = dataclasses.replace(
        rev_a(), parts=parts(Part("PH", "EA", ItemType.PHANTOM, base_quantity=F(2)))
    )
    assert flag(eco(rev_a(), c)) == ["part-changed"]


def test_flag_fixed_quantity_change() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PUMP", "OIL", F(1, 2), "LTR", "30", operation="OP30", fixed=True))
    assert flag(eco(a, b)) == ["fixed-changed"]


def test_fixed_quantities_do_not_scale_with_their_phantom() -> None:
    a = revise(rev_a(), Occurrence("PH", "BOLT", F(5), "EA", "2", fixed=True))
    b = revise(a, Occurrence("PUMP", "PH", F(3), "EA", "20", operation="OP20"))
    result = eco(a, b)
    assert result.ok
    assert line(result.mbom, "BOLT").quantity == F(5)
    assert result.mbom.totals() == B.transform(b).totals()


def test_changes_below_a_make_part_kept_whole_are_outside() -> None:
    rules = B.load_rules({"explode": "phantoms"})
    a = revise(
        rev_a(),
        Occurrence("PUMP", "MOTOR", F(1), "EA", "40", operation="OP10"),
        Occurrence("MOTOR", "COIL", F(2), "EA", "1", operation="OP10"),
    )
    b = revise(a, Occurrence("MOTOR", "COIL", F(3), "EA", "1", operation="OP10"))
    result = eco(a, b, B.transform(a, rules), rules=rules)
    assert result.ok and result.applied == [] and len(result.outside) == 1
    # exploded fully, the same change reaches the product
    full = eco(a, b, B.transform(a, B.Rules()))
    assert line(full.mbom, "COIL").quantity == F(3)


def test_report_text_and_json() -> None:
    a = rev_a()
    b = revise(a, Occurrence("PUMP", "BOLT", F(1), "EA", "50"), drop=("PUMP#10",))
    result = eco(a, b)
    text = result.to_text()
    assert "1 applied, 1 flagged" in text and "no-operation" in text
    data = result.as_dict()
    assert data["flagged"][0]["new"]["child"] == "BOLT"
    assert data["applied"][0]["kind"] == "removed"


# -- the provenance JSON reads back -----------------------------------------------------------


def test_provenance_json_round_trip(tmp_path: Path) -> None:
    mbom = B.transform(rev_a())
    path = tmp_path / "mbom.json"
    path.write_text(B.provenance_json(mbom))
    again = B.read_mbom_json(path)
    assert again.lines == mbom.lines and again.unassigned == mbom.unassigned
    assert B.provenance_json(again) == B.provenance_json(mbom)


def test_provenance_json_errors_name_the_path(tmp_path: Path) -> None:
    data = json.loads(B.provenance_json(B.transform(rev_a())))
    data["lines"][1]["exact"] = "many"
    from isa95kit.errors import BomTransformError

    with pytest.raises(BomTransformError) as info:
        B.read_mbom_json(data)
    assert info.value.location.path == "$.lines[1].exact"


# -- CLI ---------------------------------------------------------------------------------------


def test_cli_eco(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--routing", str(DATA / "pump-routing.csv"), "--rules", str(DATA / "pump-rules.toml")]
    old, new = str(DATA / "pump-C.csv"), str(DATA / "pump-D.csv")
    mbom = tmp_path / "mbom-C.json"
    assert main(["bom", "transform", old, *common, "--format", "json", "-o", str(mbom)]) == 0
    out = tmp_path / "mbom-D.json"
    code = main(
        ["bom", "eco", old, new, "--mbom", str(mbom), *common, "-o", str(out), "--format", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    # C → D: PH 2 → 3, SCREW → BOLT, OIL 500 MLT → 0.6 LTR, GASKET removed, LABEL added
    # with no operation (flagged), PUMP revision C → D
    assert code == 1
    assert [f["reason"] for f in report["flagged"]] == ["no-operation"]
    assert sorted(c["kind"] for c in report["applied"]) == [
        "part-changed",  # OIL is counted in LTR now: its line converts exactly
        "quantity-changed",
        "removed",
        "replaced",
        "revision-changed",
        "unit-changed",
    ]
    result = B.read_mbom_json(out)
    assert result.revision == "D"
    assert {x.material: x.quantity for x in result.lines} == {
        "HOUSING": 1,
        "SEAL": 2,
        "BOLT": F(40, 3),
        "WASHER": 6,
        "OIL": F(3, 5),
        "PAINT": F(3, 20),
    }
    assert main(["bom", "reconcile", new, str(out), *common, "--ignore", "missing:LABEL"]) == 0
    xml = tmp_path / "mbom-D.xml"
    assert main(["bom", "eco", old, new, "--mbom", str(mbom), *common, "-o", str(xml)]) == 1
    assert xml.read_bytes().startswith(b"<?xml")
    capsys.readouterr()
    assert main(["bom", "eco", old, old, "--mbom", str(mbom), *common]) == 0
    assert "0 applied, 0 flagged" in capsys.readouterr().out


def test_cli_eco_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = str(DATA / "pump-C.csv")
    assert main(["bom", "eco", old, old, "--mbom", str(tmp_path / "none.json")]) == 2
    assert "none.json" in capsys.readouterr().err
    assert main(["bom", "eco", old, old]) == 2  # --mbom is required
    capsys.readouterr()


# -- properties ----------------------------------------------------------------------------------


@given(eboms())
def test_property_diff_of_itself_applies_nothing(a: Bom) -> None:
    mbom = B.transform(a)
    result = B.apply_changes(B.diff_boms(a, a), mbom)
    assert result.applied == result.flagged == result.outside == []
    assert result.mbom.lines == mbom.lines


@st.composite
def revisions(draw: st.DrawFn) -> tuple[Bom, Bom]:
    """A random E-BOM and a random next revision of it: quantities, scrap, units (KGM ↔ GRM),
    removals, replacements and additions."""
    a = draw(eboms())
    occurrences = []
    for o in a.occurrences:
        action = draw(
            st.sampled_from(["keep", "keep", "quantity", "scrap", "unit", "drop", "replace"])
        )
        if action == "quantity":
            o = dataclasses.replace(o, quantity=o.quantity * draw(st.sampled_from([2, F(1, 3)])))
        elif action == "scrap":
            o = dataclasses.replace(o, scrap=draw(st.sampled_from([F(0), F(1, 5)])))
        elif action == "unit" and o.unit == "KGM":
            o = dataclasses.replace(o, quantity=o.quantity * 1000, unit="GRM")
        elif action == "drop":
            continue
        elif action == "replace" and o.parent != "P":
            o = dataclasses.replace(o, child="NEW", unit="EA")
        occurrences.append(o)
    if draw(st.booleans()):
        occurrences.append(Occurrence("P", "NEW", F(3), "EA", "99", operation="OP20"))
    new_parts = {**a.parts, "NEW": Part("NEW", "EA")}
    return a, dataclasses.replace(a, parts=new_parts, occurrences=occurrences)


@given(revisions())
def test_property_applying_the_diff_gives_the_new_totals(pair: tuple[Bom, Bom]) -> None:
    a, b = pair
    result = B.apply_changes(B.diff_boms(a, b), B.transform(a))
    if not result.flagged:
        assert result.mbom.totals() == B.transform(b).totals()
        assert B.reconcile(b, result.mbom).findings == []


def test_a_change_is_applied_whole_or_not_at_all() -> None:
    # the phantom makes two lines; one was edited by hand, so neither is scaled
    a = revise(rev_a(), Occurrence("PH", "BOLT", F(1), "EA", "2"))
    mbom = B.transform(a)
    lines = [
        dataclasses.replace(x, quantity=F(7)) if x.material == "BOLT" else x for x in mbom.lines
    ]
    mbom = dataclasses.replace(mbom, lines=lines)
    b = revise(a, Occurrence("PUMP", "PH", F(3), "EA", "20", operation="OP20"))
    result = eco(a, b, mbom)
    assert flag(result) == ["edited"]
    assert result.mbom.lines == mbom.lines


def test_a_new_phantom_bringing_one_material_twice_is_merged() -> None:
    a = rev_a()
    b = revise(
        a,
        Occurrence("PUMP", "PH2", F(1), "EA", "50", operation="OP10"),
        Occurrence("PH2", "BOLT", F(1), "EA", "1"),
        Occurrence("PH2", "BOLT", F(2), "EA", "2"),
    )
    b.parts["PH2"] = Part("PH2", "EA", ItemType.PHANTOM)
    result = eco(a, b)
    # the transform makes one BOLT line of the two paths: the phantom's addition is flagged,
    # and so are its children, which come through it
    assert flag(result) == ["merged", "depends", "depends"]
    assert result.applied == [] and result.mbom.lines == B.transform(a).lines


def test_an_eco_by_effectivity_dates_in_one_e_bom(tmp_path: Path) -> None:
    import datetime as dt

    pump = Path(__file__).resolve().parents[2] / "examples" / "data" / "pump"
    rules = B.load_rules(pump / "rules.toml")
    ebom = B.read_ebom(pump / "ebom.csv", routing=pump / "routing.csv", rules=rules)
    before, after = dt.date(2026, 8, 1), dt.date(2026, 10, 1)
    mbom = B.transform(ebom, rules, at=before)
    change = B.diff_boms(ebom, ebom, date=before, new_date=after)
    assert [(c.kind, c.old and c.old.child, c.new and c.new.child) for c in change] == [
        (ChangeKind.REPLACED, "SEAL-OLD", "SEAL-NEW")  # ECO-2026-117 from 1 September
    ]
    result = B.apply_changes(change, mbom, rules=rules)
    assert result.ok and result.mbom.at == after
    assert result.mbom.totals() == B.transform(ebom, rules, at=after).totals()
    # the same on the command line, OLD and NEW the same file
    common = ["--routing", str(pump / "routing.csv"), "--rules", str(pump / "rules.toml")]
    old = tmp_path / "aug.json"
    assert (
        main(
            [
                "bom",
                "transform",
                str(pump / "ebom.csv"),
                *common,
                "--at",
                "2026-08-01",
                "--format",
                "json",
                "-o",
                str(old),
            ]
        )
        == 0
    )
    new = tmp_path / "oct.json"
    assert (
        main(
            [
                "bom",
                "eco",
                str(pump / "ebom.csv"),
                str(pump / "ebom.csv"),
                *common,
                "--mbom",
                str(old),
                "--new-at",
                "2026-10-01",
                "-o",
                str(new),
            ]
        )
        == 0
    )
    assert "SEAL-NEW" in {x.material for x in B.read_mbom_json(new).lines}
