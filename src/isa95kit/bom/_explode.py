"""Explosion of an E-BOM: exact material totals per make parent, phantoms dissolved.

For every parent that is made (not a phantom, not a reference), the total of each material
it consumes per ``base_quantity`` of the parent: occurrence quantities converted exactly into
the material's base unit, grossed up for scrap (``net / (1 - scrap)``), with phantom
assemblies dissolved into their parent (their children multiplied through). Reference items
are documentation only and never consumed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from ..errors import BomTransformError, Location, UnitError
from ._model import Bom, ItemType, Occurrence, Part

__all__ = ["MaterialTotal", "explode", "item_type_of", "occurrence_quantity"]


@dataclass(frozen=True)
class MaterialTotal:
    """What ``parent`` consumes of ``material``: ``quantity`` ``unit`` per ``base_quantity``
    of the parent, after scrap. ``paths`` are the occurrence chains it came from (a chain is
    longer than one where phantoms were dissolved) and ``shares`` what each contributes."""

    parent: str
    material: str
    quantity: Fraction
    unit: str
    revision: str | None
    paths: tuple[tuple[Occurrence, ...], ...]
    shares: tuple[Fraction, ...]


def item_type_of(bom: Bom, occurrence: Occurrence) -> ItemType:
    """The occurrence's item type: its own, else its child part's, else ``BUY``."""
    if occurrence.item_type is not None:
        return occurrence.item_type
    part = bom.parts.get(occurrence.child)
    return part.item_type if part is not None else ItemType.BUY


def _where(occurrence: Occurrence) -> Location:
    file, _, line = (occurrence.source or "").rpartition(":")
    if file and line.isdigit():
        return Location(file=file, line=int(line), path=f"{occurrence.parent}/{occurrence.child}")
    return Location(file=occurrence.source, path=f"{occurrence.parent}/{occurrence.child}")


def _unit_of(bom: Bom, occurrence: Occurrence) -> tuple[str, Part | None]:
    part = bom.parts.get(occurrence.child)
    return (part.unit if part is not None else occurrence.unit), part


def occurrence_quantity(bom: Bom, occurrence: Occurrence) -> tuple[Fraction, str]:
    """The gross quantity of one occurrence (scrap included) in its child's base unit, exact.

    Raises :class:`BomTransformError` (with the occurrence's ``file:line``) when the
    occurrence's unit cannot be converted into the part's base unit or the scrap is not in
    [0, 1).
    """
    from ..units import conversion_factor

    if not 0 <= occurrence.scrap < 1:
        raise BomTransformError(
            f"scrap {occurrence.scrap} of {occurrence.child} in {occurrence.parent} "
            "is not in [0, 1)",
            location=_where(occurrence),
        )
    unit, part = _unit_of(bom, occurrence)
    quantity = occurrence.quantity / (1 - occurrence.scrap)
    if occurrence.unit == unit:
        return quantity, unit
    try:
        factor = conversion_factor(
            occurrence.unit, unit, material=list(part.factors) if part and part.factors else None
        )
    except UnitError as exc:
        raise BomTransformError(
            f"{occurrence.child} in {occurrence.parent}: {occurrence.unit} cannot be converted "
            f"into the part's base unit {unit}: {getattr(exc, 'reason', exc.message)}",
            location=_where(occurrence),
        ) from None
    return quantity * factor, unit


def _effective(bom: Bom, parent: str, date: _dt.date | None) -> list[Occurrence]:
    """The children of ``parent`` in use: effective on ``date`` (if given) and, of each
    alternate group, only the members of the lowest ``priority``."""
    children = [o for o in bom.children(parent) if date is None or o.effective_at(date)]
    best: dict[str, int] = {}
    for o in children:
        if o.alternate_group is not None:
            best[o.alternate_group] = min(best.get(o.alternate_group, o.priority), o.priority)
    return [
        o for o in children if o.alternate_group is None or o.priority == best[o.alternate_group]
    ]


def _leaves(
    bom: Bom,
    parent: str,
    factor: Fraction,
    chain: tuple[Occurrence, ...],
    date: _dt.date | None,
    make: bool,
) -> Iterator[tuple[str, Fraction, str, tuple[Occurrence, ...]]]:
    """(material, quantity, unit, path) consumed by ``parent`` times ``factor``; phantoms are
    dissolved recursively (and made parts too if ``make``), references skipped."""
    for occurrence in _effective(bom, parent, date):
        kind = item_type_of(bom, occurrence)
        if kind is ItemType.REFERENCE:
            continue
        path = (*chain, occurrence)
        if any(o.parent == occurrence.child for o in path):
            names = " → ".join([path[0].parent, *(o.child for o in path)])
            raise BomTransformError(f"cycle in the E-BOM: {names}", location=_where(occurrence))
        quantity, unit = occurrence_quantity(bom, occurrence)
        if not occurrence.fixed:  # a fixed quantity does not scale with its parent
            quantity *= factor
        dissolve = kind is ItemType.PHANTOM or (make and kind is ItemType.MAKE)
        if dissolve and bom.children(occurrence.child):
            part = bom.parts.get(occurrence.child)
            base = part.base_quantity if part is not None else Fraction(1)
            yield from _leaves(bom, occurrence.child, quantity / base, path, date, make)
        else:
            yield occurrence.child, quantity, unit, path


def explode(
    bom: Bom,
    *,
    date: _dt.date | None = None,
    parents: list[str] | None = None,
    make: bool = False,
) -> dict[str, dict[str, MaterialTotal]]:
    """Material totals per made parent: ``{parent: {material: MaterialTotal}}``.

    ``date`` keeps only the occurrences effective on that day (from-inclusive, to-exclusive);
    ``parents`` restricts the result (default: every parent with children that is neither a
    phantom nor a reference). Totals are exact ``Fraction``s in each material's base unit, per
    the parent's ``base_quantity``; materials keep the order of their first occurrence.
    ``make=True`` dissolves made sub-assemblies too (a fully flattened bill).
    """
    if parents is None:
        seen = dict.fromkeys(o.parent for o in bom.occurrences)
        parents = [
            p
            for p in seen
            if (part := bom.parts.get(p)) is None
            or part.item_type not in (ItemType.PHANTOM, ItemType.REFERENCE)
        ]
    result: dict[str, dict[str, MaterialTotal]] = {}
    for parent in parents:
        totals: dict[str, MaterialTotal] = {}
        for material, quantity, unit, path in _leaves(bom, parent, Fraction(1), (), date, make):
            part = bom.parts.get(material)
            revision = path[-1].revision or (part.revision if part is not None else None)
            before = totals.get(material)
            if before is None:
                totals[material] = MaterialTotal(
                    parent, material, quantity, unit, revision, (path,), (quantity,)
                )
            else:
                totals[material] = MaterialTotal(
                    parent,
                    material,
                    before.quantity + quantity,
                    unit,
                    revision,
                    (*before.paths, path),
                    (*before.shares, quantity),
                )
        if totals:
            result[parent] = totals
    return result
