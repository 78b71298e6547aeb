"""The M-BOM result types: provenance over shared path chains, totals, the transform's report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction as F
from pathlib import Path

import pytest

from isa95kit import bom
from isa95kit.bom import LineKind, Provenance
from isa95kit.errors import BomTransformError


def test_provenance_public_constructor_and_equality() -> None:
    p = Provenance(
        ("A", "K", "X"), ("e.csv:2", "e.csv:3"), F(3), F(2), F(1, 3), ("10", "20"), "inherited"
    )
    assert p.path == ("A", "K", "X") and p.sources == ("e.csv:2", "e.csv:3")
    assert p.find_numbers == ("10", "20") and p.source == "e.csv:3"
    assert (p.quantity, p.net, p.scrap, p.assignment, p.share) == (3, 2, F(1, 3), "inherited", 1)
    same = Provenance(
        ("A", "K", "X"), ("e.csv:2", "e.csv:3"), F(3), F(2), F(1, 3), ("10", "20"), "inherited"
    )
    assert p == same and hash(p) == hash(same)
    assert p != Provenance(("A", "X"), ("e.csv:9",), F(3), F(2))
    with pytest.raises(ValueError):
        Provenance(("A", "X"), ("a", "b"), F(1), F(1))  # one source per occurrence
    assert "path=('A', 'K', 'X')" in repr(p)


def test_report_totals_and_cycle_from_csv(ebom_csv: Callable[[str], Path]) -> None:
    path = ebom_csv(
        """
A,B,2,EA,,make,OP10
B,C,3,EA,,buy,OP10
A,DOC,1,EA,,reference
"""
    )
    rules = bom.load_rules(
        {"add": [{"material": "C", "quantity": "1", "unit": "EA", "operation": "OP10"}]}
    )
    mbom = bom.transform(bom.read_csv(path), rules, at=dt.date(2026, 1, 1))
    assert mbom.totals() == {"B": 2, "C": 6}  # consumed lines only: what the E-BOM explodes to
    assert mbom.totals(kind=None) == {"B": 2, "C": 7}
    assert mbom.totals(kind=LineKind.ADDED) == {"C": 1}
    assert mbom.report.ebom_totals == {"B": 2, "C": 6}
    assert [e.path for e in mbom.report.references] == [("A", "DOC")]
    assert mbom.report.ok and mbom.report.steps[-1] == "invariants: 0 issues"

    cyclic = ebom_csv("A,B,1,EA,,make\nB,C,1,EA,,make\nC,B,1,EA,,make")
    with pytest.raises(BomTransformError, match="cycle B → C → B") as info:
        bom.transform(bom.read_csv(cyclic), product="A")
    assert (info.value.file, info.value.line) == (str(cyclic), 4)


def test_several_products_need_a_name(ebom_csv: Callable[[str], Path]) -> None:
    ebom = bom.read_csv(ebom_csv("A,X,1,EA,,,OP10\nB,X,1,EA,,,OP10"))
    with pytest.raises(BomTransformError, match="several products"):
        bom.transform(ebom)
    assert bom.transform(ebom, product="B").lines[0].provenance[0].path == ("B", "X")
