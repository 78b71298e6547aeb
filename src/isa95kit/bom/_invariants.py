"""Invariants of an M-BOM, checked against an independent explosion of the E-BOM."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ._exact import Num, Sums, div, exact_sum, mul_div, num
from ._mbom import InvariantIssue, LineKind, MBom, MBomLine
from ._model import Bom, ItemType, Occurrence

__all__ = ["BillItem", "bill_items", "check_invariants", "explode_check", "exploded_totals"]


@dataclass(frozen=True)
class BillItem:
    """One ``OperationsMaterialBillItem``: a material, its specifications (lines) and the sum
    of their quantities, exact and as written (the sum of the rounded specifications)."""

    material: str
    unit: str
    kind: LineKind
    lines: tuple[MBomLine, ...]
    quantity: Fraction
    rounded: Decimal


def bill_items(lines: Iterable[MBomLine]) -> list[BillItem]:
    """The material bill of ``lines``: one item per material, unit and kind."""
    groups: dict[tuple[str, str, LineKind], list[MBomLine]] = {}
    for line in lines:
        groups.setdefault((line.material, line.unit, line.kind), []).append(line)
    return [
        BillItem(
            material,
            unit,
            kind,
            tuple(group),
            exact_sum(g.quantity for g in group),
            sum((g.rounded for g in group), Decimal(0)),
        )
        for (material, unit, kind), group in groups.items()
    ]


def exploded_totals(
    bom: Bom,
    root: str,
    *,
    explode: str = "all",
    children: dict[str, list[Occurrence]] | None = None,
) -> dict[str, Fraction]:
    """Gross total per material of the E-BOM (effectivity, units and classification already
    resolved), exploded from ``root`` independently of the pipeline: phantoms pass their
    quantity on, ``gross = net / (1 - scrap)`` at each level."""
    return explode_check(bom, root, explode=explode, children=children)[0]


def explode_check(
    bom: Bom,
    root: str,
    *,
    explode: str = "all",
    children: dict[str, list[Occurrence]] | None = None,
) -> tuple[dict[str, Fraction], set[str]]:
    """:func:`exploded_totals` and the buy parts reached, in one traversal."""
    if children is None:
        children = bom.by_parent()
    parts = bom.parts
    totals: Sums[str] = Sums()
    buy: set[str] = set()
    limit = len(parts)
    todo: list[tuple[str, Num, int]] = [(root, num(parts[root].base_quantity), 0)]
    while todo:
        parent, gross, depth = todo.pop()
        if depth > limit:  # pragma: no cover - the pipeline raises on cycles first
            break
        base = num(parts[parent].base_quantity)
        for occ in children.get(parent, ()):
            q = num(occ.quantity)
            need = q if occ.fixed else mul_div(gross, q, base)
            if occ.scrap:
                need = div(need, 1 - occ.scrap)
            kind = occ.item_type or parts[occ.child].item_type
            if kind is ItemType.PHANTOM:
                todo.append((occ.child, need, depth + 1))
                continue
            totals.add(occ.child, need)
            if kind is ItemType.BUY:
                buy.add(occ.child)
            elif kind is ItemType.MAKE and explode == "all":
                todo.append((occ.child, need, depth + 1))
    return totals.result(), buy


def check_invariants(
    mbom: MBom,
    resolved: Bom,
    *,
    explode: str = "all",
    expected: dict[str, Fraction] | None = None,
    children: dict[str, list[Occurrence]] | None = None,
    buy: set[str] | None = None,
) -> list[InvariantIssue]:
    """Every bill item equals the sum of its specifications; the product does not consume
    itself; every buy part appears; per material, the M-BOM totals equal the E-BOM's
    exploded totals after scrap (exactly); every line has an operation."""
    issues: list[InvariantIssue] = []
    everything = [*mbom.lines, *mbom.unassigned]
    for item in bill_items(everything):
        exact = exact_sum(line.quantity for line in item.lines)
        written = sum((line.rounded for line in item.lines), Decimal(0))
        if exact != item.quantity or written != item.rounded:
            issues.append(
                InvariantIssue(
                    "bill-item-sum",
                    f"bill item {item.material} is not the sum of its specifications",
                    item.material,
                )
            )
    for line in everything:
        if line.material == mbom.product:
            issues.append(
                InvariantIssue(
                    "cycle", f"{mbom.product} consumes itself ({line.id})", line.material
                )
            )
    if expected is None or buy is None:
        expected, buy = explode_check(resolved, mbom.product, explode=explode, children=children)
    present = {line.material for line in everything}
    for part in sorted(buy - present):
        issues.append(
            InvariantIssue("buy-part-missing", f"buy part {part} has no M-BOM line", part)
        )
    actual = mbom.totals()
    for material in sorted(set(expected) | set(actual)):
        want, got = expected.get(material, Fraction(0)), actual.get(material, Fraction(0))
        if want != got:
            issues.append(
                InvariantIssue(
                    "total-mismatch",
                    f"{material}: M-BOM total {got} differs from the exploded E-BOM total {want}",
                    material,
                )
            )
    for line in mbom.unassigned:
        where = line.provenance[0].source if line.provenance else None
        issues.append(
            InvariantIssue(
                "unassigned",
                f"{line.material} has no operation (from {where or 'the rules'})",
                line.material,
            )
        )
    return issues
