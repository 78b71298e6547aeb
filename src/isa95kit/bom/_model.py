"""The BOM model: parts, occurrences and operations, exact (``Fraction``) quantities."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

__all__ = ["Bom", "ItemType", "Occurrence", "Operation", "Part"]


class ItemType(str, Enum):
    """How an item is obtained: made, bought, dissolved into its parent, or documentation only."""

    MAKE = "make"
    BUY = "buy"
    PHANTOM = "phantom"
    REFERENCE = "reference"


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Occurrence:
    """One use of ``child`` in ``parent``: ``quantity`` ``unit`` per ``base_quantity`` of the
    parent. ``scrap`` is a fraction in [0, 1) of the gross input that is lost. Effective for
    ``effective_from <= date < effective_to`` (either bound may be open). ``source`` says where
    it was read (``file:line``)."""

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

    def effective_at(self, date: _dt.date) -> bool:
        if self.effective_from is not None and date < self.effective_from:
            return False
        return self.effective_to is None or date < self.effective_to


@dataclass(frozen=True)
class Operation:
    """A routing operation; ``duration`` is an ISO 8601 duration (``PT5M``) or ``None``."""

    id: str
    sequence: int
    description: str | None = None
    work_center: str | None = None
    duration: str | None = None


@dataclass
class Bom:
    """An engineering BOM: parts by id, occurrences in input order, a routing."""

    parts: dict[str, Part] = field(default_factory=dict)
    occurrences: list[Occurrence] = field(default_factory=list)
    routing: list[Operation] = field(default_factory=list)

    def children(self, parent: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.parent == parent]
