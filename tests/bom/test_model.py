from __future__ import annotations

import datetime as dt
from fractions import Fraction

from isa95kit.bom import Bom, ItemType, Occurrence, Part


def test_effectivity_from_inclusive_to_exclusive() -> None:
    occ = Occurrence(
        "A",
        "B",
        Fraction(2),
        "EA",
        effective_from=dt.date(2026, 1, 1),
        effective_to=dt.date(2026, 7, 1),
    )
    assert not occ.effective_at(dt.date(2025, 12, 31))
    assert occ.effective_at(dt.date(2026, 1, 1))
    assert not occ.effective_at(dt.date(2026, 7, 1))


def test_children_in_input_order() -> None:
    bom = Bom(
        parts={"A": Part("A", "EA", ItemType.MAKE)},
        occurrences=[
            Occurrence("A", "C", Fraction(1), "EA"),
            Occurrence("X", "Y", Fraction(1), "EA"),
            Occurrence("A", "B", Fraction(1, 2), "KGM"),
        ],
    )
    assert [o.child for o in bom.children("A")] == ["C", "B"]
