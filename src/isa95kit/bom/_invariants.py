"""Invariants of an M-BOM, checked against an independent explosion of the E-BOM."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import gcd
from typing import Any

from ._exact import _combine, exact_sum
from ._mbom import InvariantIssue, LineKind, MBom, MBomLine
from ._model import Bom, ItemType, Occurrence

__all__ = [
    "BillItem",
    "bill_items",
    "check_bill",
    "check_invariants",
    "explode_check",
    "exploded_totals",
]


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
    # quantities as (numerator, denominator) pairs of ints, reduced at each step: the same
    # exact arithmetic as Fractions at a fraction of the cost, and independent of the
    # pipeline's own (Fraction) explosion; per material, numerators summed per denominator
    totals: dict[str, dict[int, int]] = {}
    buy: set[str] = set()
    limit = len(parts)
    base = parts[root].base_quantity
    todo: list[tuple[str, int, int, int]] = [(root, base.numerator, base.denominator, 0)]
    pop, push, get_children, get_total, reached = (
        todo.pop,
        todo.append,
        children.get,
        totals.get,
        buy.add,
    )
    PHANTOM, MAKE, BUY = ItemType.PHANTOM, ItemType.MAKE, ItemType.BUY
    all_exploded = explode == "all"
    while todo:
        parent, gn, gd, depth = pop()
        if depth > limit:  # pragma: no cover - the pipeline raises on cycles first
            break
        base = parts[parent].base_quantity
        fn, fd = gn * base.denominator, gd * base.numerator  # the parent's gross per base
        g = gcd(fn, fd)
        if g != 1:
            fn, fd = fn // g, fd // g
        for occ in get_children(parent, ()):
            q = occ.quantity
            if occ.fixed:
                n, d = q.numerator, q.denominator
            else:
                n, d = fn * q.numerator, fd * q.denominator
            s = occ.scrap
            if s:  # need / (1 - scrap)
                sd = s.denominator
                n, d = n * sd, d * (sd - s.numerator)
            g = gcd(n, d)
            if g != 1:
                n, d = n // g, d // g
            child = occ.child
            kind = occ.item_type or parts[child].item_type
            if kind is PHANTOM:
                push((child, n, d, depth + 1))
                continue
            total = get_total(child)
            if total is None:
                totals[child] = {d: n}
            else:
                total[d] = total.get(d, 0) + n
            if kind is BUY:
                reached(child)
            elif kind is MAKE and all_exploded:
                push((child, n, d, depth + 1))
    return {material: _combine(sums) for material, sums in totals.items()}, buy


def check_invariants(
    mbom: MBom,
    resolved: Bom,
    *,
    explode: str = "all",
    expected: dict[str, Fraction] | None = None,
    children: dict[str, list[Occurrence]] | None = None,
    buy: set[str] | None = None,
) -> list[InvariantIssue]:
    """The product does not consume itself; every buy part appears; per material, the
    M-BOM's bill item totals equal the E-BOM's exploded totals after scrap (exactly, from an
    independent explosion); every line has an operation. (That every written bill item is
    the sum of its specifications is checked on the documents: :func:`check_bill`.)"""
    issues: list[InvariantIssue] = []
    everything = [*mbom.lines, *mbom.unassigned]
    if expected is None or buy is None:
        expected, buy = explode_check(resolved, mbom.product, explode=explode, children=children)
    sums: dict[str, dict[int, int]] = {}  # numerators per denominator, per material
    get_sums, consumed = sums.get, LineKind.CONSUMED
    for line in everything:
        if line.kind is consumed:
            q = line.quantity
            per = get_sums(line.material)
            if per is None:
                sums[line.material] = {q.denominator: q.numerator}
            else:
                d = q.denominator
                per[d] = per.get(d, 0) + q.numerator
    actual = {material: _combine(per) for material, per in sums.items()}
    if mbom.product in actual:
        issues.append(InvariantIssue("cycle", f"{mbom.product} consumes itself", mbom.product))
    for part in sorted(buy - actual.keys()):
        issues.append(
            InvariantIssue("buy-part-missing", f"buy part {part} has no M-BOM line", part)
        )
    for material in sorted(expected.keys() ^ actual.keys()) + [
        m for m in expected if m in actual and expected[m] != actual[m]
    ]:
        want, got = expected.get(material, Fraction(0)), actual.get(material, Fraction(0))
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


def check_bill(definition: Any, bill: Any) -> list[InvariantIssue]:
    """On the written documents: every ``OperationsMaterialBillItem`` quantity equals the sum
    of the ``MaterialSpecification`` quantities it references (by ID, as decimals, in one
    unit), and every reference resolves."""
    specs: dict[str, tuple[Decimal, str | None]] = {}
    for segment in definition.operations_segment:
        for spec in segment.material_specification:
            qty = spec.quantity[0]
            specs[spec.id.value] = (Decimal(qty.quantity_string.value), _unit(qty))
    issues: list[InvariantIssue] = []
    for item in bill.operations_material_bill_item:
        total, unit = item.quantity[0], _unit(item.quantity[0])
        refs = [ref.value for ref in item.material_specification_id]
        missing = [r for r in refs if r not in specs]
        summed = sum((specs[r][0] for r in refs if r in specs), Decimal(0))
        units = {specs[r][1] for r in refs if r in specs}
        if missing or units - {unit} or summed != Decimal(total.quantity_string.value):
            issues.append(
                InvariantIssue(
                    "bill-item-sum",
                    f"bill item {item.id.value} ({total.quantity_string.value} {unit}) is not "
                    f"the sum of its specifications ({summed}; missing {missing or 'none'})",
                    item.id.value,
                )
            )
    return issues


def _unit(quantity: Any) -> str | None:
    uom = quantity.unit_of_measure
    return None if uom is None else uom.value
