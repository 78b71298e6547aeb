"""The M-BOM: manufacturing bill lines per operation, with occurrence-level provenance.

Quantities are exact ``Fraction``s per ``base_quantity`` of the product; ``rounded`` is the
one rounding, made at the end under the rules' rounding policy.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from ._model import Operation

__all__ = [
    "Exclusion",
    "InvariantIssue",
    "LineKind",
    "MBom",
    "MBomLine",
    "Node",
    "Provenance",
    "TransformReport",
    "make_node",
    "node_path",
]


class LineKind(str, Enum):
    """Where a line comes from: consumed from the E-BOM, or added by the rules (consumables,
    packaging) with no E-BOM occurrence behind it."""

    CONSUMED = "consumed"
    ADDED = "added"


#: one occurrence on an explosion path: (parent node or None, part id, source, find number);
#: paths share their prefixes, so a million deep paths cost a million small tuples
Node = tuple[Any, str, str | None, str | None]


def make_node(
    path: Sequence[str], sources: Sequence[str | None], find_numbers: Sequence[str | None] = ()
) -> Node:
    """The node chain of ``path`` (``sources`` and ``find_numbers`` per occurrence)."""
    node: Node = (None, path[0], None, None)
    finds = list(find_numbers) or [None] * len(sources)
    for part, source, find in zip(path[1:], sources, finds, strict=True):
        node = (node, part, source, find)
    return node


def node_path(node: Node) -> tuple[str, ...]:
    """The part ids from the product to the node's part."""
    return tuple(n[1] for n in _chain(node))


def _chain(node: Node) -> list[Node]:
    out = []
    while node is not None:
        out.append(node)
        node = node[0]
    out.reverse()
    return out


class Provenance(tuple):  # type: ignore[type-arg]
    """One E-BOM occurrence path behind a line.

    ``path`` is the part ids from the product to the material (``("PUMP", "P-200", "P-210")``),
    ``sources`` each occurrence's ``file:line`` along the path (``len(path) - 1`` entries),
    ``find_numbers`` likewise. ``quantity`` is the exact gross quantity this path contributes
    to the line (in the line's unit), ``net`` the same before scrap, ``scrap`` the combined
    scrap fraction (``quantity = net / (1 - scrap)``). ``assignment`` says how the operation
    was chosen: ``explicit``, ``inherited`` (from a phantom), ``rule``, ``regroup``,
    ``split``, ``default`` or ``none``; ``share`` is the fraction a split rule gave it.
    An immutable tuple; the path is stored as a chain shared with the other paths of the
    explosion (a million deep paths cost a million small tuples).
    """

    __slots__ = ()

    def __new__(
        cls,
        path: Sequence[str],
        sources: Sequence[str | None],
        quantity: Fraction,
        net: Fraction,
        scrap: Fraction = Fraction(0),
        find_numbers: Sequence[str | None] = (),
        assignment: str = "explicit",
        share: Fraction = Fraction(1),
    ) -> Provenance:
        node = make_node(path, sources, find_numbers)
        return tuple.__new__(cls, (node, quantity, net, scrap, assignment, share))

    @classmethod
    def from_node(
        cls,
        node: Node,
        quantity: Fraction,
        net: Fraction,
        scrap: Fraction,
        assignment: str,
        share: Fraction,
    ) -> Provenance:
        return tuple.__new__(cls, (node, quantity, net, scrap, assignment, share))

    @property
    def node(self) -> Node:
        return self[0]  # type: ignore[no-any-return]

    @property
    def quantity(self) -> Fraction:
        return self[1]  # type: ignore[no-any-return]

    @property
    def net(self) -> Fraction:
        return self[2]  # type: ignore[no-any-return]

    @property
    def scrap(self) -> Fraction:
        return self[3]  # type: ignore[no-any-return]

    @property
    def assignment(self) -> str:
        return self[4]  # type: ignore[no-any-return]

    @property
    def share(self) -> Fraction:
        return self[5]  # type: ignore[no-any-return]

    @property
    def path(self) -> tuple[str, ...]:
        return node_path(self[0])

    @property
    def sources(self) -> tuple[str | None, ...]:
        return tuple(n[2] for n in _chain(self[0])[1:])

    @property
    def find_numbers(self) -> tuple[str | None, ...]:
        return tuple(n[3] for n in _chain(self[0])[1:])

    @property
    def source(self) -> str | None:
        """Where the last occurrence of the path was read (``file:line``)."""
        return self[0][2]  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return (
            f"Provenance(path={self.path!r}, sources={self.sources!r}, "
            f"quantity={self.quantity!r}, net={self.net!r}, scrap={self.scrap!r}, "
            f"assignment={self.assignment!r}, share={self.share!r})"
        )


@dataclass(frozen=True, slots=True)
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

    @classmethod
    def _fast(cls, **fields: Any) -> MBomLine:
        """Build without the frozen ``__init__`` (every field given; for the pipeline)."""
        line = object.__new__(cls)
        for name, value in fields.items():
            _LINE_SETTERS[name](line, value)
        return line


#: the slot setters of a line (a frozen dataclass: its own ``__setattr__`` refuses)
_LINE_SETTERS = {f.name: getattr(MBomLine, f.name).__set__ for f in fields(MBomLine)}


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
    """A failed invariant: ``code`` (``cycle``, ``buy-part-missing``, ``total-mismatch``,
    ``unassigned``; ``bill-item-sum`` on written documents), a message and the material or
    bill item concerned."""

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
        from ._exact import Sums

        sums: Sums[str] = Sums()
        for line in [*self.lines, *self.unassigned]:
            if kind is None or line.kind is kind:
                sums.add(line.material, line.quantity)
        return sums.result()
