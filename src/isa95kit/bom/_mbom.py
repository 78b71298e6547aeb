"""The M-BOM: manufacturing bill lines per operation, with occurrence-level provenance.

Quantities are exact ``Fraction``s per ``base_quantity`` of the product; ``rounded`` is the
one rounding, made at the end under the rules' rounding policy.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from ._model import Operation

__all__ = [
    "Exclusion",
    "InvariantIssue",
    "LineKind",
    "MBom",
    "MBomLine",
    "Provenance",
    "TransformReport",
]


class LineKind(str, Enum):
    """Where a line comes from: consumed from the E-BOM, or added by the rules (consumables,
    packaging) with no E-BOM occurrence behind it."""

    CONSUMED = "consumed"
    ADDED = "added"


@dataclass(frozen=True)
class Provenance:
    """One E-BOM occurrence path behind a line.

    ``path`` is the part ids from the product to the material (``("PUMP", "P-200", "P-210")``),
    ``sources`` each occurrence's ``file:line`` along the path (``len(path) - 1`` entries),
    ``find_numbers`` likewise. ``quantity`` is the exact gross quantity this path contributes
    to the line (in the line's unit), ``net`` the same before scrap, ``scrap`` the combined
    scrap fraction (``quantity = net / (1 - scrap)``). ``assignment`` says how the operation
    was chosen: ``explicit``, ``inherited`` (from a phantom), ``rule``, ``regroup``,
    ``split``, ``default`` or ``none``; ``share`` is the fraction a split rule gave it.
    """

    path: tuple[str, ...]
    sources: tuple[str | None, ...]
    quantity: Fraction
    net: Fraction
    scrap: Fraction = Fraction(0)
    find_numbers: tuple[str | None, ...] = ()
    assignment: str = "explicit"
    share: Fraction = Fraction(1)

    @property
    def source(self) -> str | None:
        """Where the last occurrence of the path was read (``file:line``)."""
        return self.sources[-1] if self.sources else None


@dataclass(frozen=True)
class MBomLine:
    """One material in one operation. ``id`` is the ``MaterialSpecification`` ID written;
    ``quantity`` exact, ``rounded`` the same rounded once; ``unit`` a UN/ECE Rec 20 code."""

    id: str
    material: str
    operation: str | None
    quantity: Fraction
    unit: str
    rounded: Decimal
    kind: LineKind = LineKind.CONSUMED
    provenance: tuple[Provenance, ...] = ()
    description: str | None = None
    fixed: bool = False
    net: Fraction | None = None
    material_use: str = "Consumed"


@dataclass(frozen=True)
class Exclusion:
    """An E-BOM occurrence left out of the M-BOM and why: ``reference``, ``effectivity``
    (date), ``serial``, ``lot``, ``eco`` or ``alternate``."""

    reason: str
    path: tuple[str, ...]
    source: str | None
    detail: str = ""


@dataclass(frozen=True)
class InvariantIssue:
    """A failed invariant: ``code`` (``bill-item-sum``, ``cycle``, ``buy-part-missing``,
    ``total-mismatch``, ``unassigned``), a message and the material concerned."""

    code: str
    message: str
    material: str | None = None


@dataclass
class TransformReport:
    """What the pipeline did: the steps run, what it left out, phantoms dissolved, and the
    invariant issues (``ok`` when there are none)."""

    steps: list[str] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    phantoms: list[tuple[str, ...]] = field(default_factory=list)
    issues: list[InvariantIssue] = field(default_factory=list)
    #: exact exploded E-BOM totals per material after scrap, in each material's base unit
    ebom_totals: dict[str, Fraction] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def references(self) -> list[Exclusion]:
        return [e for e in self.excluded if e.reason == "reference"]


@dataclass
class MBom:
    """A manufacturing BOM of ``product`` (``revision``): ``lines`` per ``base_quantity``
    ``unit`` of it, in routing order, each assigned to an operation of ``routing``;
    ``unassigned`` lines found no operation. ``at``/``serial``/``lot`` record the effectivity
    the E-BOM was resolved for."""

    product: str
    revision: str | None
    base_quantity: Fraction
    unit: str
    routing: list[Operation]
    lines: list[MBomLine]
    unassigned: list[MBomLine] = field(default_factory=list)
    report: TransformReport = field(default_factory=TransformReport)
    description: str | None = None
    at: _dt.date | None = None
    serial: str | None = None
    lot: str | None = None

    def lines_for(self, operation: str) -> list[MBomLine]:
        return [line for line in self.lines if line.operation == operation]

    def totals(self, *, kind: LineKind | None = LineKind.CONSUMED) -> dict[str, Fraction]:
        """Exact total per material over every line (assigned or not) of ``kind``
        (``None``: every kind)."""
        out: dict[str, Fraction] = {}
        for line in [*self.lines, *self.unassigned]:
            if kind is None or line.kind is kind:
                out[line.material] = out.get(line.material, Fraction(0)) + line.quantity
        return out
