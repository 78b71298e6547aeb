"""Engineering change, first half: the change list between two E-BOM revisions.

:func:`diff_boms` compares the occurrences of two E-BOMs parent by parent. Occurrences pair up
by find number and child part (child alone where neither has a find number); a pair that
differs is a quantity (or scrap) or unit change, an old and a new occurrence at the same
parent and find number with different parts are a replacement, the rest are additions and
removals. Parts whose revision changed, or whose unit, base quantity or item type changed,
are listed too. :func:`resolve` gives an E-BOM as the transform's first steps see it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ._model import Bom, Occurrence, Part
from ._output import exact_text
from ._rules import Rules
from ._steps import classify, normalise_units

__all__ = ["Change", "ChangeKind", "EngineeringChange", "diff_boms", "resolve"]


class ChangeKind(str, Enum):
    """What an engineering change does."""

    ADDED = "added"
    REMOVED = "removed"
    QUANTITY_CHANGED = "quantity-changed"
    UNIT_CHANGED = "unit-changed"
    REPLACED = "replaced"
    REVISION_CHANGED = "revision-changed"
    PART_CHANGED = "part-changed"


@dataclass(frozen=True)
class Change:
    """One change at ``parent`` / ``find_number``: the ``old`` and ``new`` occurrence
    (``None`` for an addition or a removal). A quantity change includes a change of scrap.
    For ``revision-changed`` and ``part-changed``, ``parent`` is the part and ``old_part`` /
    ``new_part`` hold its two versions."""

    kind: ChangeKind
    parent: str
    find_number: str | None
    old: Occurrence | None = None
    new: Occurrence | None = None
    old_part: Part | None = None
    new_part: Part | None = None

    @property
    def eco(self) -> str | None:
        """The ECO number the new occurrence (else the old one) carries."""
        for occ in (self.new, self.old):
            if occ is not None and occ.eco:
                return occ.eco
        return None

    def describe(self) -> str:
        where = self.parent + (f" #{self.find_number}" if self.find_number else "")
        old, new = self.old, self.new
        if self.kind is ChangeKind.REVISION_CHANGED and self.old_part and self.new_part:
            return f"{where}: revision {self.old_part.revision} → {self.new_part.revision}"
        if self.kind is ChangeKind.PART_CHANGED and self.old_part and self.new_part:
            return f"{where}: part changed ({_part_delta(self.old_part, self.new_part)})"
        if self.kind is ChangeKind.ADDED and new is not None:
            return f"{where}: added {new.child} {_qty(new)}"
        if self.kind is ChangeKind.REMOVED and old is not None:
            return f"{where}: removed {old.child} {_qty(old)}"
        if self.kind is ChangeKind.REPLACED and old is not None and new is not None:
            return f"{where}: {old.child} {_qty(old)} replaced by {new.child} {_qty(new)}"
        assert old is not None and new is not None
        return f"{where}: {old.child} {_qty(old)} → {_qty(new)}"

    def as_dict(self) -> dict[str, Any]:
        def occ(o: Occurrence | None) -> dict[str, Any] | None:
            if o is None:
                return None
            return {
                "child": o.child,
                "quantity": exact_text(o.quantity),
                "unit": o.unit,
                "scrap": exact_text(o.scrap),
                "operation": o.operation,
                "source": o.source,
            }

        out: dict[str, Any] = {
            "kind": self.kind.value,
            "parent": self.parent,
            "find_number": self.find_number,
            "eco": self.eco,
            "old": occ(self.old),
            "new": occ(self.new),
            "description": self.describe(),
        }
        return out


def _qty(o: Occurrence) -> str:
    scrap = f" (scrap {exact_text(o.scrap)})" if o.scrap else ""
    return f"{exact_text(o.quantity)} {o.unit}{scrap}"


def _part_delta(a: Part, b: Part) -> str:
    out = []
    if a.unit != b.unit:
        out.append(f"unit {a.unit} → {b.unit}")
    if a.base_quantity != b.base_quantity:
        out.append(f"base quantity {exact_text(a.base_quantity)} → {exact_text(b.base_quantity)}")
    if a.item_type is not b.item_type:
        out.append(f"type {a.item_type.value} → {b.item_type.value}")
    return ", ".join(out)


@dataclass
class EngineeringChange:
    """The changes from the ``old`` to the ``new`` E-BOM (``old`` compared on ``date``,
    ``new`` on ``new_date``, if given)."""

    old: Bom
    new: Bom
    changes: list[Change]
    date: _dt.date | None = None
    #: the day the new revision is resolved for (an ECO by effectivity dates), if not ``date``
    new_date: _dt.date | None = None

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {"changes": [c.as_dict() for c in self.changes]}


def _pair(
    old: list[Occurrence], new: list[Occurrence]
) -> tuple[list[tuple[Occurrence, Occurrence]], list[Occurrence], list[Occurrence]]:
    """Pairs of (old, new) with the same find number and child, in order; then the unpaired
    old and new occurrences."""
    right = list(new)
    pairs: list[tuple[Occurrence, Occurrence]] = []
    left: list[Occurrence] = []
    for o in old:
        match = next(
            (n for n in right if n.find_number == o.find_number and n.child == o.child), None
        )
        if match is None:
            left.append(o)
        else:
            pairs.append((o, match))
            right.remove(match)
    return pairs, left, right


def diff_boms(
    old: Bom,
    new: Bom,
    *,
    date: _dt.date | None = None,
    new_date: _dt.date | None = None,
) -> EngineeringChange:
    """The change list from ``old`` to ``new``: occurrence changes parent by parent in order
    of first appearance, then part changes. ``date`` keeps the occurrences effective on that
    day; ``new_date`` (default ``date``) the new revision's. An ECO made by effectivity dates
    inside one E-BOM is ``diff_boms(ebom, ebom, date=before, new_date=after)``."""
    changes: list[Change] = []
    old_groups, new_groups = old.by_parent(), new.by_parent()
    then = new_date if new_date is not None else date
    for parent in dict.fromkeys([*old_groups, *new_groups]):
        before = [o for o in old_groups.get(parent, []) if date is None or o.effective_at(date)]
        after = [o for o in new_groups.get(parent, []) if then is None or o.effective_at(then)]
        pairs, removed, added = _pair(before, after)
        for o, n in pairs:
            if o.unit != n.unit:
                changes.append(Change(ChangeKind.UNIT_CHANGED, parent, n.find_number, o, n))
            elif o.quantity != n.quantity or o.scrap != n.scrap or o.fixed != n.fixed:
                changes.append(Change(ChangeKind.QUANTITY_CHANGED, parent, n.find_number, o, n))
        for o in list(removed):
            if o.find_number is None:
                continue
            successor = next((a for a in added if a.find_number == o.find_number), None)
            if successor is not None:
                changes.append(Change(ChangeKind.REPLACED, parent, o.find_number, o, successor))
                removed.remove(o)
                added.remove(successor)
        changes += [Change(ChangeKind.REMOVED, parent, o.find_number, o) for o in removed]
        changes += [Change(ChangeKind.ADDED, parent, n.find_number, None, n) for n in added]
    for pid, a in old.parts.items():
        b = new.parts.get(pid)
        if b is None:
            continue
        if a.revision != b.revision:
            changes.append(Change(ChangeKind.REVISION_CHANGED, pid, None, old_part=a, new_part=b))
        if _part_delta(a, b):
            changes.append(Change(ChangeKind.PART_CHANGED, pid, None, old_part=a, new_part=b))
    return EngineeringChange(old, new, changes, date, new_date)


# -- the E-BOM as the transform sees it ------------------------------------------------------


def resolve(
    bom: Bom,
    rules: Rules | None = None,
    *,
    at: _dt.date | None = None,
    serial: str | None = None,
    lot: str | None = None,
    ecos: frozenset[str] | None = None,
) -> Bom:
    """The E-BOM as the transform's first steps leave it: effectivity resolved (date, serial,
    lot, released ECOs, alternates), quantities in each material's M-BOM unit, item types
    and scrap by the rules, reference items left out."""
    from ._steps import resolve_effectivity

    rules = rules or Rules()
    resolved, _ = resolve_effectivity(bom, at=at, serial=serial, lot=lot, ecos=ecos)
    return classify(normalise_units(resolved, rules), rules)[0]
