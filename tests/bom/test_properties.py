"""Invariants as properties over generated E-BOMs: random trees with phantoms, make parts,
base quantities, units needing exact and material factors, scrap and fixed quantities.

The expected totals are computed here by a plain recursive explosion, independently of the
library, and must equal the M-BOM's totals exactly."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit import bom
from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part
from isa95kit.versions import load_schema

OPS = [Operation("OP10", 10), Operation("OP20", 20), Operation("OP30", 30)]
#: buy parts: (id, part unit, units an occurrence may use)
BUY = [
    ("B-EA", "EA", ("EA", "BX")),
    ("B-KG", "KGM", ("KGM", "GRM")),
    ("B-M", "MTR", ("MTR", "MMT")),
]
RULES = bom.load_rules(
    {
        "materials": {"B-EA": {"factors": ["1 BX = 12 EA"]}},
        "default_operation": "OP30",
        "split": [{"material": "B-M", "shares": {"OP10": "1/3", "OP20": "2/3"}}],
        "rounding": {"places": 4},
    }
)

quantity = st.one_of(
    st.integers(1, 20).map(F),
    st.tuples(st.integers(1, 999), st.sampled_from([10, 100, 1000])).map(lambda t: F(*t)),
    st.tuples(st.integers(1, 9), st.integers(2, 7)).map(lambda t: F(*t)),
)


@st.composite
def eboms(draw: st.DrawFn) -> Bom:
    parts = {
        "ROOT": Part(
            "ROOT", "EA", ItemType.MAKE, base_quantity=draw(st.sampled_from([F(1), F(10), F(4)]))
        )
    }
    parts.update({pid: Part(pid, unit) for pid, unit, _ in BUY})
    internal = ["ROOT"]
    occurrences: list[Occurrence] = []
    for i in range(draw(st.integers(1, 25))):
        parent = draw(st.sampled_from(internal))
        op = draw(st.one_of(st.none(), st.sampled_from([o.id for o in OPS])))
        scrap = draw(st.sampled_from([F(0), F(0), F(1, 20), F(1, 3), F(3, 100)]))
        fixed = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
        if draw(st.booleans()):
            pid = f"S{i}"
            kind = draw(st.sampled_from([ItemType.MAKE, ItemType.PHANTOM]))
            parts[pid] = Part(
                pid, "EA", kind, base_quantity=draw(st.sampled_from([F(1), F(2), F(5, 2)]))
            )
            internal.append(pid)
            occurrences.append(
                Occurrence(
                    parent, pid, draw(quantity), "EA", operation=op, scrap=scrap, fixed=fixed
                )
            )
        else:
            pid, _, units = draw(st.sampled_from(BUY))
            unit = draw(st.sampled_from(units))
            occurrences.append(
                Occurrence(
                    parent, pid, draw(quantity), unit, operation=op, scrap=scrap, fixed=fixed
                )
            )
    return Bom(parts, occurrences, list(OPS), root="ROOT")


FACTOR = {("EA", "BX"): F(12), ("KGM", "GRM"): F(1, 1000), ("MTR", "MMT"): F(1, 1000)}


def expected_totals(ebom: Bom) -> dict[str, F]:
    """Exploded totals by plain recursion: gross = net / (1 - scrap) at every level."""
    out: dict[str, F] = {}

    def walk(parent: str, gross: F) -> None:
        base = ebom.parts[parent].base_quantity
        for occ in ebom.occurrences:
            if occ.parent != parent:
                continue
            part = ebom.parts[occ.child]
            q = occ.quantity * FACTOR.get((part.unit, occ.unit), F(1))
            need = (q if occ.fixed else gross * q / base) / (1 - occ.scrap)
            if part.item_type is not ItemType.PHANTOM:
                out[occ.child] = out.get(occ.child, F(0)) + need
            if part.item_type in (ItemType.PHANTOM, ItemType.MAKE):
                walk(occ.child, need)

    walk("ROOT", ebom.parts["ROOT"].base_quantity)
    return out


@given(eboms())
def test_exploded_totals_preserved_exactly(ebom: Bom) -> None:
    mbom = bom.transform(ebom, RULES)
    assert mbom.report.ok, mbom.report.issues
    assert mbom.totals() == expected_totals(ebom)
    assert not mbom.unassigned
    for line in mbom.lines:
        assert line.rounded == RULES.rounding.for_unit(line.unit).fraction(line.quantity)
        assert sum((p.quantity for p in line.provenance), F(0)) == line.quantity
        for p in line.provenance:
            assert p.path[0] == "ROOT" and p.path[-1] == line.material
            assert len(p.sources) == len(p.path) - 1
            assert p.quantity * (1 - p.scrap) == p.net
    # a material in two operations is never merged into one line
    keys = [(line.material, line.operation, line.fixed) for line in mbom.lines]
    assert len(keys) == len(set(keys))


@given(eboms())
def test_checking_explosion_and_exact_types(ebom: Bom) -> None:
    """The invariant check's own explosion (integer pairs) equals the plain recursion, and
    every exact quantity the pipeline hands out is a ``Fraction`` (never a bare int)."""
    mbom = bom.transform(ebom, RULES)
    assert mbom.report.ebom_totals == expected_totals(ebom)
    for line in mbom.lines:
        assert type(line.quantity) is F and type(line.net) is F
        for p in line.provenance:
            assert all(type(v) is F for v in (p.quantity, p.net, p.scrap, p.share))


_SCHEMA = load_schema("V0701")
NS = {"b": "http://www.mesa.org/xml/B2MML"}


@given(eboms())
def test_output_valid_and_bill_items_sum_their_specifications(ebom: Bom) -> None:
    mbom = bom.transform(ebom, RULES)
    definition = bom.to_operations_definition(mbom)
    bill = bom.to_operations_material_bill(mbom)
    assert bom.check_bill(definition, bill) == []
    xml = ik.write_xml(bom.to_process_message(mbom, definition=definition, bill=bill))
    doc = etree.fromstring(xml)
    assert _SCHEMA.validate(doc), _SCHEMA.error_log
    specs = {
        s.findtext("b:ID", namespaces=NS): Decimal(
            s.findtext("b:Quantity/b:QuantityString", namespaces=NS) or ""
        )
        for s in doc.iterfind(".//b:OperationsSegment/b:MaterialSpecification", NS)
    }
    for item in doc.iterfind(".//b:OperationsMaterialBillItem", NS):
        refs = [e.text for e in item.iterfind("b:MaterialSpecificationID", NS)]
        total = Decimal(item.findtext("b:Quantity/b:QuantityString", namespaces=NS) or "")
        assert total == sum((specs[r] for r in refs), Decimal(0))
        assert item.find("b:MaterialDefinitionID", NS) is None
