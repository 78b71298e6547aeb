"""Hypothesis strategies of E-BOMs shared by the reconciliation and ECO tests."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import strategies as st

from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part


@st.composite
def eboms(draw: st.DrawFn) -> Bom:
    """Random products: buy parts in EA or KGM, phantoms of buy parts, scrap, operations."""
    buys = [Part(f"B{i}", draw(st.sampled_from(["EA", "KGM"]))) for i in range(4)]
    phantoms = [Part(f"H{i}", "EA", ItemType.PHANTOM) for i in range(2)]
    parts = {p.id: p for p in [Part("P", "EA", ItemType.MAKE, revision="A"), *buys, *phantoms]}
    qty = st.fractions(min_value=F(1, 8), max_value=10, max_denominator=8)
    scrap = st.sampled_from([F(0), F(1, 10), F(1, 4)])
    ops = st.sampled_from(["OP10", "OP20"])
    occurrences = []
    for i, child in enumerate(
        draw(st.lists(st.sampled_from([*buys, *phantoms]), min_size=1, max_size=5))
    ):
        occurrences.append(
            Occurrence(
                "P",
                child.id,
                draw(qty),
                child.unit,
                str(10 * (i + 1)),
                operation=draw(ops),
                scrap=draw(scrap),
            )
        )
    for h in phantoms:
        for j, child in enumerate(draw(st.lists(st.sampled_from(buys), max_size=3))):
            occurrences.append(
                Occurrence(
                    h.id,
                    child.id,
                    draw(qty),
                    child.unit,
                    str(j + 1),
                    operation=draw(st.none() | ops),
                    scrap=draw(scrap),
                )
            )
    routing = [Operation("OP10", 10), Operation("OP20", 20)]
    return Bom(parts, occurrences, routing, root="P")
