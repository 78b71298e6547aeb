"""Engineering change: diff two E-BOM revisions, apply the change list to an existing M-BOM.

:func:`diff_boms` compares the occurrences of two E-BOMs parent by parent. Occurrences pair up
by find number (or, without one, by child part); a pair that differs is a quantity or unit
change, an old and a new occurrence at the same parent and find number with different parts
are a replacement, the rest are additions and removals.

:func:`apply_changes` carries the change list into an M-BOM made from the old E-BOM, following
each line's provenance (the E-BOM occurrence paths behind it). A change is applied only where
the result is certain; everything else is *flagged* with a reason, never guessed:

``merged``       the occurrence shares its line with other occurrences;
``split``        the occurrence is spread over several lines (operations) or by a share;
``edited``       the line quantity is not what its provenance says (changed by hand);
``untraced``     the occurrence is in the product's structure but behind no line;
``ambiguous``    several old occurrences match the change (no find numbers to tell them apart);
``no-operation`` a new occurrence names no operation of the M-BOM's routing;
``not-convertible`` a quantity that cannot be converted exactly;
``zero-quantity`` a quantity change from zero (no exact ratio to scale by).

Changes under parents that the M-BOM's product does not consume through phantoms (a make
sub-assembly has its own M-BOM) are ``outside`` and neither applied nor flagged.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from ..errors import BomTransformError
from ..units import Rounding
from ._explode import explode, item_type_of, occurrence_quantity
from ._mbom import LineKind, MBom, MBomLine, Provenance
from ._model import Bom, ItemType, Occurrence

__all__ = [
    "Change",
    "ChangeKind",
    "EcoResult",
    "EngineeringChange",
    "FlaggedChange",
    "apply_changes",
    "diff_boms",
]


class ChangeKind(str, Enum):
    """What an engineering change does to one occurrence."""

    ADDED = "added"
    REMOVED = "removed"
    QUANTITY_CHANGED = "quantity-changed"
    UNIT_CHANGED = "unit-changed"
    REPLACED = "replaced"


@dataclass(frozen=True)
class Change:
    """One change at ``parent`` / ``find_number``: ``old`` and ``new`` occurrence (``None``
    for an addition or a removal). A quantity change includes a change of scrap."""

    kind: ChangeKind
    parent: str
    find_number: str | None
    old: Occurrence | None
    new: Occurrence | None

    @property
    def eco(self) -> str | None:
        """The ECO number the new occurrence (else the old one) carries."""
        for occ in (self.new, self.old):
            if occ is not None and occ.eco:
                return occ.eco
        return None

    def describe(self) -> str:
        where = f"{self.parent}" + (f" #{self.find_number}" if self.find_number else "")
        old, new = self.old, self.new
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
                "quantity": _text(o.quantity),
                "unit": o.unit,
                "scrap": _text(o.scrap),
                "operation": o.operation,
                "source": o.source,
            }

        return {
            "kind": self.kind.value,
            "parent": self.parent,
            "find_number": self.find_number,
            "eco": self.eco,
            "old": occ(self.old),
            "new": occ(self.new),
        }


def _text(value: Fraction) -> str:
    """A Fraction as an exact decimal when it has one, else ``n/d``."""
    n, d = value.numerator, value.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = n * 10**places // value.denominator
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def _qty(o: Occurrence) -> str:
    scrap = f" (scrap {_text(o.scrap)})" if o.scrap else ""
    return f"{_text(o.quantity)} {o.unit}{scrap}"


@dataclass
class EngineeringChange:
    """The changes from the ``old`` to the ``new`` E-BOM (compared on ``date`` if given)."""

    old: Bom
    new: Bom
    changes: list[Change]
    date: _dt.date | None = None

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Any:
        return iter(self.changes)


def _pair(
    old: list[Occurrence], new: list[Occurrence]
) -> tuple[list[tuple[Occurrence, Occurrence]], list[Occurrence], list[Occurrence]]:
    """Pairs of (old, new) for the same find number and child (or child alone when neither
    has a find number), in order; then the unpaired old and new occurrences."""
    left, right = list(old), list(new)
    pairs: list[tuple[Occurrence, Occurrence]] = []
    for o in list(left):
        match = next(
            (n for n in right if n.find_number == o.find_number and n.child == o.child), None
        )
        if match is not None:
            pairs.append((o, match))
            left.remove(o)
            right.remove(match)
    return pairs, left, right


def diff_boms(old: Bom, new: Bom, *, date: _dt.date | None = None) -> EngineeringChange:
    """The change list from ``old`` to ``new`` (occurrences effective on ``date`` if given),
    parent by parent in the order of their first appearance, find numbers in order."""
    changes: list[Change] = []
    old_groups, new_groups = old.by_parent(), new.by_parent()
    for parent in dict.fromkeys([*old_groups, *new_groups]):
        before = [o for o in old_groups.get(parent, []) if date is None or o.effective_at(date)]
        after = [o for o in new_groups.get(parent, []) if date is None or o.effective_at(date)]
        pairs, removed, added = _pair(before, after)
        for o, n in pairs:
            if o.unit != n.unit:
                changes.append(Change(ChangeKind.UNIT_CHANGED, parent, n.find_number, o, n))
            elif o.quantity != n.quantity or o.scrap != n.scrap:
                changes.append(Change(ChangeKind.QUANTITY_CHANGED, parent, n.find_number, o, n))
        for o in list(removed):
            if o.find_number is None:
                continue
            successor = next((a for a in added if a.find_number == o.find_number), None)
            if successor is not None:
                changes.append(Change(ChangeKind.REPLACED, parent, o.find_number, o, successor))
                removed.remove(o)
                added.remove(successor)
        changes += [Change(ChangeKind.REMOVED, parent, o.find_number, o, None) for o in removed]
        changes += [Change(ChangeKind.ADDED, parent, n.find_number, None, n) for n in added]
    return EngineeringChange(old, new, changes, date)


# -- applying a change list to an M-BOM ---------------------------------------------------


@dataclass(frozen=True)
class FlaggedChange:
    """A change that was not applied: ``reason`` (a code from the module docstring), a
    message, and the M-BOM lines concerned."""

    change: Change
    reason: str
    message: str
    lines: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.change.as_dict(),
            "reason": self.reason,
            "message": self.message,
            "lines": list(self.lines),
        }


@dataclass
class EcoResult:
    """The new M-BOM, the changes applied to it, those flagged for a person to decide, and
    those outside the M-BOM's product."""

    mbom: MBom
    applied: list[Change] = field(default_factory=list)
    flagged: list[FlaggedChange] = field(default_factory=list)
    outside: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.flagged

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.mbom.product,
            "ok": self.ok,
            "applied": [c.as_dict() for c in self.applied],
            "flagged": [f.as_dict() for f in self.flagged],
            "outside": [c.as_dict() for c in self.outside],
        }

    def to_text(self) -> str:
        out = [
            f"M-BOM {self.mbom.product}: {len(self.applied)} applied, "
            f"{len(self.flagged)} flagged, {len(self.outside)} outside"
        ]
        out += [f"  applied   {c.describe()}" for c in self.applied]
        out += [f"  FLAGGED   {f.change.describe()}: {f.reason}: {f.message}" for f in self.flagged]
        out += [f"  outside   {c.describe()}" for c in self.outside]
        return "\n".join(out)


class _Flag(Exception):
    def __init__(self, reason: str, message: str, lines: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.reason, self.message, self.lines = reason, message, tuple(lines)


def _edge_at(p: Provenance, occ: Occurrence) -> int | None:
    """The position of ``occ`` along the provenance path, or ``None``."""
    for k in range(len(p.path) - 1):
        if p.path[k] == occ.parent and p.path[k + 1] == occ.child:
            fn = p.find_numbers[k] if k < len(p.find_numbers) else None
            if fn == occ.find_number or (not p.find_numbers and occ.find_number is None):
                return k
            if not p.find_numbers:  # the M-BOM did not record find numbers
                return k
    return None


class _Applier:
    def __init__(self, ec: EngineeringChange, mbom: MBom, rules: Any) -> None:
        self.ec = ec
        self.mbom = mbom
        self.rules = rules
        self.make = getattr(rules, "explode", "all") == "all"
        self.lines: list[MBomLine] = [*mbom.lines]
        self.unassigned: list[MBomLine] = [*mbom.unassigned]
        self.product = mbom.product
        self.scope_old = self._scope(ec.old)
        self.scope_new = self._scope(ec.new)

    def _scope(self, bom: Bom) -> set[str]:
        """The product and the parents dissolved into it (phantoms; made parts too when the
        rules explode ``all``): the parents whose children its lines consume."""
        scope, todo = {self.product}, [self.product]
        while todo:
            parent = todo.pop()
            for o in bom.children(parent):
                kind = item_type_of(bom, o)
                dissolved = kind is ItemType.PHANTOM or (self.make and kind is ItemType.MAKE)
                if dissolved and o.child not in scope:
                    scope.add(o.child)
                    todo.append(o.child)
        return scope

    def _affected(self, occ: Occurrence) -> list[tuple[int, int, bool]]:
        """(line index, provenance index, assigned?) of every provenance through ``occ``."""
        found: list[tuple[int, int, bool]] = []
        for assigned, lines in ((True, self.lines), (False, self.unassigned)):
            for i, line in enumerate(lines):
                for j, p in enumerate(line.provenance):
                    if _edge_at(p, occ) is not None:
                        found.append((i, j, assigned))
        return found

    def _line(self, i: int, assigned: bool) -> MBomLine:
        return (self.lines if assigned else self.unassigned)[i]

    def _set(self, i: int, assigned: bool, line: MBomLine | None) -> None:
        target = self.lines if assigned else self.unassigned
        if line is None:
            target[i] = dataclasses.replace(target[i], id="\0removed")
        else:
            target[i] = line

    def _check_sole(self, occ: Occurrence) -> list[tuple[int, bool, Provenance]]:
        """The lines ``occ`` alone makes, or :class:`_Flag`."""
        ambiguous = [
            o
            for o in self.ec.old.children(occ.parent)
            if o.child == occ.child and o is not occ and (o.find_number == occ.find_number)
        ]
        if ambiguous:
            raise _Flag(
                "ambiguous",
                f"{len(ambiguous) + 1} occurrences of {occ.child} in {occ.parent} "
                "with no find number to tell them apart",
            )
        hits = self._affected(occ)
        if not hits:
            raise _Flag("untraced", f"no M-BOM line comes from {occ.parent}/{occ.child}")
        out: list[tuple[int, bool, Provenance]] = []
        paths: dict[tuple[str, ...], list[str]] = {}
        for i, j, assigned in hits:
            line = self._line(i, assigned)
            paths.setdefault(line.provenance[j].path, []).append(line.id)
        for path, ids in paths.items():
            if len(ids) > 1:
                raise _Flag("split", f"{'/'.join(path)} is split over lines {', '.join(ids)}", ids)
        for i, j, assigned in hits:
            line = self._line(i, assigned)
            p = line.provenance[j]
            if len(line.provenance) > 1:
                raise _Flag(
                    "merged",
                    f"line {line.id} merges {len(line.provenance)} occurrences of {line.material}",
                    [line.id],
                )
            if p.share != 1:
                raise _Flag("split", f"line {line.id} has a share {_text(p.share)}", [line.id])
            if line.quantity != p.quantity:
                raise _Flag(
                    "edited",
                    f"line {line.id} quantity {_text(line.quantity)} {line.unit} is not the "
                    f"{_text(p.quantity)} its provenance gives (changed by hand?)",
                    [line.id],
                )
            out.append((i, assigned, p))
        return out

    def _gross(self, bom: Bom, occ: Occurrence) -> Fraction:
        try:
            return occurrence_quantity(bom, occ)[0]
        except BomTransformError as exc:
            raise _Flag("not-convertible", exc.message) from None

    def quantity(self, change: Change) -> None:
        old, new = change.old, change.new
        assert old is not None and new is not None
        sole = self._check_sole(old)
        before, after = self._gross(self.ec.old, old), self._gross(self.ec.new, new)
        if before == 0:
            raise _Flag("zero-quantity", f"{old.child} had quantity 0; no ratio to scale by")
        ratio = after / before
        for i, assigned, p in sole:
            line = self._line(i, assigned)
            k = _edge_at(p, old)
            assert k is not None
            keep = (1 - p.scrap) / (1 - old.scrap) * (1 - new.scrap)
            quantity = p.quantity * ratio
            prov = dataclasses.replace(
                p,
                quantity=quantity,
                net=quantity * keep,
                scrap=1 - keep,
                sources=_put(p.sources, k, new.source),
            )
            self._set(
                i,
                assigned,
                dataclasses.replace(
                    line,
                    quantity=quantity,
                    net=quantity * keep if line.net is not None else None,
                    rounded=self._round(quantity, line.unit),
                    provenance=(prov,),
                ),
            )

    def remove(self, change: Change) -> None:
        assert change.old is not None
        for i, assigned, _p in self._check_sole(change.old):
            self._set(i, assigned, None)

    def add(self, change: Change, *, slot: MBomLine | None = None) -> None:
        new = change.new
        assert new is not None
        totals = explode(
            self.ec.new, date=self.ec.date or self.mbom.at, parents=[self.product], make=self.make
        )
        contributions = [
            (total, path, share)
            for total in totals.get(self.product, {}).values()
            for path, share in zip(total.paths, total.shares, strict=True)
            if any(o is new for o in path)
        ]
        if not contributions:
            raise _Flag("untraced", f"{new.child} in {new.parent} adds nothing the product uses")
        scale = self._scale()
        lines: list[MBomLine] = []
        for total, path, share in contributions:
            named = next((o.operation for o in reversed(path) if o.operation), None)
            operation = named if named is not None else slot.operation if slot else None
            if operation is None or all(op.id != operation for op in self.mbom.routing):
                raise _Flag(
                    "no-operation",
                    f"{total.material} from {new.parent}/{new.child} names no operation of "
                    f"the routing ({named or 'none'}); assign it by hand",
                )
            quantity = share * scale
            net = quantity
            scrap = Fraction(0)
            for o in path:
                net *= 1 - o.scrap
            scrap = 1 - net / quantity if quantity else Fraction(0)
            prov = Provenance(
                path=(path[0].parent, *(o.child for o in path)),
                sources=tuple(o.source for o in path),
                quantity=quantity,
                net=net,
                scrap=scrap,
                find_numbers=tuple(o.find_number for o in path),
                assignment="explicit" if path[-1].operation else "inherited",
            )
            ident = (
                slot.id
                if slot is not None and len(contributions) == 1
                else self._new_id(operation, total.material)
            )
            lines.append(
                MBomLine(
                    id=ident,
                    material=total.material,
                    operation=operation,
                    quantity=quantity,
                    unit=total.unit,
                    rounded=self._round(quantity, total.unit),
                    kind=LineKind.CONSUMED,
                    provenance=(prov,),
                    description=(
                        p.description if (p := self.ec.new.parts.get(total.material)) else None
                    ),
                    fixed=path[-1].fixed,
                    net=net,
                )
            )
        self.lines += lines

    def replace(self, change: Change) -> None:
        assert change.old is not None
        sole = self._check_sole(change.old)
        slot = self._line(sole[0][0], sole[0][1]) if len(sole) == 1 else None
        if slot is None:
            raise _Flag(
                "split",
                f"{change.old.child} makes {len(sole)} lines; replace them by hand",
                [self._line(i, a).id for i, a, _ in sole],
            )
        self.add(change, slot=slot)  # raises before anything changes if it cannot be placed
        self._set(sole[0][0], sole[0][1], None)

    def _scale(self) -> Fraction:
        """M-BOM base quantity per E-BOM base quantity of the product."""
        from ..units import conversion_factor

        part = self.ec.new.parts.get(self.product)
        if part is None:
            return Fraction(1)
        base = self.mbom.base_quantity
        if self.mbom.unit != part.unit:
            try:
                base *= conversion_factor(
                    self.mbom.unit, part.unit, material=list(part.factors) or None
                )
            except Exception as exc:  # an UnitError: the M-BOM base cannot be compared
                raise _Flag("not-convertible", str(exc)) from None
        return base / part.base_quantity

    def _new_id(self, operation: str, material: str) -> str:
        taken = {line.id for line in [*self.lines, *self.unassigned]}
        ident, n = f"{operation}-{material}", 1
        while ident in taken:
            n += 1
            ident = f"{operation}-{material}-{n}"
        return ident

    def _round(self, quantity: Fraction, unit: str) -> Decimal:
        """The one rounding, by the rules' policy for ``unit`` (6 places half-even)."""
        policy = getattr(self.rules, "rounding", None)
        rounding = policy.for_unit(unit) if policy is not None else Rounding(6)
        return rounding.fraction(quantity)

    def result(self) -> MBom:
        keep = [line for line in self.lines if line.id != "\0removed"]
        lost = [line for line in self.unassigned if line.id != "\0removed"]
        return dataclasses.replace(self.mbom, lines=keep, unassigned=lost)


def _put(values: tuple[str | None, ...], k: int, value: str | None) -> tuple[str | None, ...]:
    if k >= len(values):
        return values
    return (*values[:k], value, *values[k + 1 :])


def apply_changes(ec: EngineeringChange, mbom: MBom, *, rules: Any = None) -> EcoResult:
    """Apply ``ec`` (from :func:`diff_boms`) to ``mbom``, an M-BOM made from ``ec.old`` with
    ``rules`` (a :class:`Rules`: explosion depth and rounding; default ``Rules()``).

    Returns the new M-BOM with every change that could be applied with certainty; the others
    are in ``flagged`` with a reason and the lines concerned (see the module docstring), and
    the input ``mbom`` is left unchanged.
    """
    applier = _Applier(ec, mbom, rules)
    result = EcoResult(mbom)
    for change in ec.changes:
        if change.parent not in applier.scope_old and change.parent not in applier.scope_new:
            result.outside.append(change)
            continue
        try:
            if change.kind in (ChangeKind.QUANTITY_CHANGED, ChangeKind.UNIT_CHANGED):
                applier.quantity(change)
            elif change.kind is ChangeKind.REMOVED:
                applier.remove(change)
            elif change.kind is ChangeKind.ADDED:
                applier.add(change)
            else:
                applier.replace(change)
        except _Flag as flag:
            result.flagged.append(FlaggedChange(change, flag.reason, flag.message, flag.lines))
        else:
            result.applied.append(change)
    result.mbom = applier.result()
    return result
