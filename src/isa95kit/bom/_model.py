"""The BOM model: parts, occurrences and operations, exact (``Fraction``) quantities."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

__all__ = ["Bom", "ItemType", "Occurrence", "Operation", "Part", "serial_key"]


class ItemType(str, Enum):
    """How an item is obtained: made, bought, dissolved into its parent, or documentation only."""

    MAKE = "make"
    BUY = "buy"
    PHANTOM = "phantom"
    REFERENCE = "reference"


def serial_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A natural sort key for serial and lot numbers: ``SN-9 < SN-10`` (digits as numbers)."""
    return tuple(
        (0, int(chunk)) if chunk.isdigit() else (1, chunk) for chunk in re.findall(r"\d+|\D+", text)
    )


@dataclass(frozen=True, slots=True)
class Part:
    """A part revision. ``unit`` is its base unit; ``factors`` are material factor statements
    (``"1 BX = 12 EA"``); occurrence quantities below it are per ``base_quantity`` of it."""

    id: str
    unit: str
    item_type: ItemType = ItemType.BUY
    revision: str | None = None
    description: str | None = None
    base_quantity: Fraction = Fraction(1)
    factors: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One use of ``child`` in ``parent``: ``quantity`` ``unit`` per ``base_quantity`` of the
    parent. ``scrap`` is a fraction in [0, 1) of the gross input that is lost. Effective for
    ``effective_from <= date < effective_to`` (either bound may be open), for serial numbers
    ``serial_from <= serial <= serial_to`` and lots ``lot_from <= lot <= lot_to`` (natural
    order, see :func:`serial_key`), and only while its ``eco`` is released when a set of
    released ECOs is given. ``fixed`` quantities do not scale with the parent (a setup part).
    Occurrences sharing an ``alternate_group`` under one parent are alternates: the lowest
    ``priority`` is used. ``source`` says where it was read (``file:line``)."""

    parent: str
    child: str
    quantity: Fraction
    unit: str
    find_number: str | None = None
    item_type: ItemType | None = None
    operation: str | None = None
    scrap: Fraction = Fraction(0)
    effective_from: _dt.date | None = None
    effective_to: _dt.date | None = None
    eco: str | None = None
    source: str | None = None
    serial_from: str | None = None
    serial_to: str | None = None
    lot_from: str | None = None
    lot_to: str | None = None
    fixed: bool = False
    alternate_group: str | None = None
    priority: int = 0
    revision: str | None = None

    def effective_at(self, date: _dt.date) -> bool:
        if self.effective_from is not None and date < self.effective_from:
            return False
        return self.effective_to is None or date < self.effective_to

    def effective_for_serial(self, serial: str) -> bool:
        return _in_range(serial, self.serial_from, self.serial_to)

    def effective_for_lot(self, lot: str) -> bool:
        return _in_range(lot, self.lot_from, self.lot_to)


def _in_range(value: str, low: str | None, high: str | None) -> bool:
    key = serial_key(value)
    if low is not None and key < serial_key(low):
        return False
    return high is None or key <= serial_key(high)


@dataclass(frozen=True)
class Operation:
    """A routing operation; ``duration`` is its standard time as an ISO 8601 duration
    (``PT5M``) or ``None``."""

    id: str
    sequence: int
    description: str | None = None
    work_center: str | None = None
    duration: str | None = None
    source: str | None = None


@dataclass
class Bom:
    """An engineering BOM: parts by id, occurrences in input order, a routing. ``root`` is the
    product (the one parent that is no child) unless set."""

    parts: dict[str, Part] = field(default_factory=dict)
    occurrences: list[Occurrence] = field(default_factory=list)
    routing: list[Operation] = field(default_factory=list)
    root: str | None = None
    source: str | None = None

    def children(self, parent: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.parent == parent]

    def by_parent(self) -> dict[str, list[Occurrence]]:
        """Occurrences grouped by parent, in input order (one pass)."""
        groups: dict[str, list[Occurrence]] = {}
        for occ in self.occurrences:
            groups.setdefault(occ.parent, []).append(occ)
        return groups

    def roots(self) -> list[str]:
        """Parents that are nobody's child, in input order."""
        children = {o.child for o in self.occurrences}
        seen: dict[str, None] = {}
        for occ in self.occurrences:
            if occ.parent not in children:
                seen.setdefault(occ.parent)
        return list(seen)
