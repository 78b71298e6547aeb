"""The E-BOM → M-BOM pipeline: small ordered steps configured by a :class:`Rules` file.

resolve effectivity → normalise units → classify → dissolve phantoms → regroup / split →
assign operations → add M-BOM-only items → merge by material and operation → scrap and
fixed quantities → round once → check invariants.
"""

from __future__ import annotations

import datetime as _dt

from .._gc import gc_paused
from ._invariants import check_invariants, explode_check
from ._mbom import MBom, TransformReport
from ._model import Bom, Operation
from ._rules import Rules
from ._steps import (
    add_items,
    assign,
    classify,
    dissolve_phantoms,
    merge,
    normalise_units,
    regroup,
    resolve_effectivity,
    resolve_root,
    round_lines,
    split,
)

__all__ = ["transform"]


def transform(
    bom: Bom,
    rules: Rules | None = None,
    *,
    at: _dt.date | None = None,
    serial: str | None = None,
    lot: str | None = None,
    ecos: frozenset[str] | None = None,
    product: str | None = None,
    routing: list[Operation] | None = None,
) -> MBom:
    """Transform an E-BOM into an M-BOM. Keyword arguments override the rules'
    ``[effectivity]`` and ``product``; ``routing`` overrides ``bom.routing``.

    Bad input raises :class:`~isa95kit.errors.BomTransformError`; invariant failures are
    reported in ``result.report.issues`` (``result.report.ok``).
    """
    with gc_paused():
        return _transform(bom, rules, at, serial, lot, ecos, product, routing)


def _transform(
    bom: Bom,
    rules: Rules | None,
    at: _dt.date | None,
    serial: str | None,
    lot: str | None,
    ecos: frozenset[str] | None,
    product: str | None,
    routing: list[Operation] | None,
) -> MBom:
    rules = rules or Rules()
    report = TransformReport()
    at = at if at is not None else rules.at
    serial = serial if serial is not None else rules.serial
    lot = lot if lot is not None else rules.lot
    ecos = ecos if ecos is not None else rules.ecos
    ops = list(routing if routing is not None else bom.routing)
    root = resolve_root(bom, product or rules.product)

    resolved, excluded = resolve_effectivity(bom, at=at, serial=serial, lot=lot, ecos=ecos)
    report.steps.append(f"effectivity: {len(resolved.occurrences)} kept, {len(excluded)} out")
    report.excluded.extend(excluded)
    resolved = normalise_units(resolved, rules)
    report.steps.append("units: normalised exactly")
    resolved, references = classify(resolved, rules)
    report.excluded.extend(references)
    report.steps.append(f"classify: {len(references)} reference items left out")
    children = resolved.by_parent()
    items, phantoms = dissolve_phantoms(resolved, root, explode=rules.explode, children=children)
    report.phantoms.extend(phantoms)
    report.steps.append(f"phantoms: {len(phantoms)} dissolved, {len(items)} lines")
    items = split(regroup(items, rules), rules)
    items = assign(items, rules, ops)
    items = add_items(items, rules, root)
    groups = merge(items)
    report.steps.append(f"merge: {len(items)} lines into {len(groups)}")
    lines = round_lines(groups, rules.rounding)
    report.steps.append("quantities: scrap applied, rounded once")

    if not ops:  # no routing: the operations the lines name, in order of appearance
        seen = dict.fromkeys(line.operation for line in lines if line.operation is not None)
        ops = [Operation(op, 10 * (i + 1)) for i, op in enumerate(seen)]
    order = {op.id: i for i, op in enumerate(ops)}
    assigned = [line for line in lines if line.operation is not None]
    assigned.sort(key=lambda line: order[line.operation or ""])
    part = resolved.parts[root]
    mbom = MBom(
        product=root,
        revision=part.revision,
        base_quantity=part.base_quantity,
        unit=part.unit,
        routing=ops,
        lines=assigned,
        unassigned=[line for line in lines if line.operation is None],
        report=report,
        description=part.description,
        at=at,
        serial=serial,
        lot=lot,
    )
    report.ebom_totals, buy = explode_check(
        resolved, root, explode=rules.explode, children=children
    )
    report.issues.extend(
        check_invariants(
            mbom,
            resolved,
            explode=rules.explode,
            expected=report.ebom_totals,
            children=children,
            buy=buy,
        )
    )
    report.steps.append(f"invariants: {len(report.issues)} issues")
    return mbom
