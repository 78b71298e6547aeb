"""Engineering change, second half: apply a change list to an existing M-BOM.

:func:`apply_changes` carries the change list of :func:`~._change.diff_boms` into an M-BOM
made from the old E-BOM, following each line's provenance (the E-BOM occurrence paths behind
it) and the same rules the transform used. A change is applied only where the result is
certain; everything else is *flagged* with a reason, never guessed:

``merged``          the occurrence shares its line with other occurrences (or would join one);
``split``           the occurrence is spread over several lines, or shared by a split rule;
``edited``          the line quantity is not what its provenance says (changed by hand);
``untraced``        the occurrence is in the product's structure but behind no line;
``ambiguous``       several old occurrences match (no find numbers to tell them apart);
``no-operation``    the rules give a new line no operation (and it replaces no line);
``not-convertible`` a quantity or unit that cannot be converted exactly;
``zero-quantity``   a change from quantity zero (no exact ratio to scale by);
``fixed-changed``   a quantity turns fixed (per order) or back to scaled;
``part-changed``    a part's unit, base quantity or item type changed: transform again;
``depends``         a new line would come through an occurrence whose change is flagged.

Changes that do not reach the M-BOM's product — under a make part kept as one line, out of
effect on the M-BOM's date, serial or lot, or reference items — are ``outside``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import Isa95Error
from ..units import conversion_factor
from ._change import Change, ChangeKind, EngineeringChange, _part_delta, resolve
from ._mbom import LineKind, MBom, MBomLine, Provenance
from ._model import Bom, ItemType, Occurrence
from ._output import exact_text
from ._rules import Rules
from ._steps import Item, assign, dissolve_phantoms, regroup, split

__all__ = ["EcoResult", "FlaggedChange", "apply_changes"]


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
    those that do not reach the M-BOM's product."""

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
            f"{self.mbom.product}: {len(self.applied)} applied, {len(self.flagged)} flagged, "
            f"{len(self.outside)} outside the M-BOM"
        ]
        out += [f"  applied  {c.describe()}" for c in self.applied]
        out += [f"  FLAGGED  {f.change.describe()}: {f.reason}: {f.message}" for f in self.flagged]
        out += [f"  outside  {c.describe()}" for c in self.outside]
        return "\n".join(out)


class _Flag(Exception):
    def __init__(self, reason: str, message: str, lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.reason, self.message, self.lines = reason, message, lines


Edge = tuple[str, str, "str | None"]


def _edges(p: Provenance) -> tuple[Edge, ...]:
    """The (parent, child, find number) of each occurrence along a provenance path."""
    path, finds = p.path, p.find_numbers
    return tuple(
        (path[k], path[k + 1], finds[k] if k < len(finds) else None) for k in range(len(path) - 1)
    )


def _edge(occ: Occurrence) -> Edge:
    return (occ.parent, occ.child, occ.find_number)


def _at(p: Provenance, occ: Occurrence) -> int | None:
    """The position of ``occ`` along a provenance path (parent, child and find number)."""
    edges = _edges(p)
    edge = _edge(occ)
    return edges.index(edge) if edge in edges else None


_Op = tuple[str, int, "MBomLine | None", bool]  # ("set" | "drop" | "add", key, line, loose)


class _Rows:
    """The M-BOM's lines under edit: ordered rows, indexed by occurrence edge, by part on a
    path and by material. Edits are staged per change and committed whole."""

    def __init__(self, lines: list[MBomLine], unassigned: list[MBomLine]) -> None:
        self.rows: dict[int, MBomLine] = {}
        self.loose: set[int] = set()
        self.by_edge: dict[Edge, set[int]] = {}
        self.by_part: dict[str, set[int]] = {}
        self.by_material: dict[str, set[int]] = {}
        self.ids: set[str] = set()
        self.next = 0
        for line in lines:
            self._add(self._key(), line, False)
        for line in unassigned:
            self._add(self._key(), line, True)

    def _key(self) -> int:
        self.next += 1
        return self.next

    def _index(self, key: int, line: MBomLine, on: bool) -> None:
        def put(index: dict[Any, set[int]], name: Any) -> None:
            if on:
                index.setdefault(name, set()).add(key)
            else:
                index[name].discard(key)

        for p in line.provenance:
            for edge in _edges(p):
                put(self.by_edge, edge)
                put(self.by_part, edge[1])
        put(self.by_material, line.material)
        (self.ids.add if on else self.ids.discard)(line.id)

    def _add(self, key: int, line: MBomLine, loose: bool) -> None:
        self.rows[key] = line
        if loose:
            self.loose.add(key)
        self._index(key, line, True)

    def commit(self, ops: list[_Op]) -> None:
        for what, key, line, loose in ops:
            old = self.rows.get(key)
            if old is not None:
                self._index(key, old, False)
            if what == "drop":
                del self.rows[key]
                self.loose.discard(key)
            elif what == "set":
                assert line is not None
                self.rows[key] = line
                self._index(key, line, True)
            else:
                assert line is not None
                self._add(key, line, loose)

    def keys(self, index: dict[Any, set[int]], name: Any) -> list[int]:
        return sorted(index.get(name, ()))

    def lines(self, loose: bool) -> list[MBomLine]:
        return [line for key, line in self.rows.items() if (key in self.loose) is loose]


class _Applier:
    def __init__(self, ec: EngineeringChange, mbom: MBom, rules: Rules) -> None:
        self.ec, self.mbom, self.rules = ec, mbom, rules
        self.product = mbom.product
        self.rows = _Rows(mbom.lines, mbom.unassigned)
        self.ops: list[_Op] = []  # the edits of the change being applied
        self.flagged: set[Edge] = set()  # occurrences whose change was flagged
        self.revision = mbom.revision
        self.added = False  # lines were added: put them in routing order at the end
        self.groups: dict[int, dict[str, list[Occurrence]]] = {}
        self.at = ec.new_date if ec.new_date is not None else mbom.at
        self.old = self._resolve(ec.old, mbom.at)
        self.new = self._resolve(ec.new, self.at)
        self.scope = self._scope(self.old) | self._scope(self.new)
        #: id(resolved bom) -> its working lines with the edges of each
        self._items: dict[int, list[tuple[Item, frozenset[Edge]]]] = {}

    def children(self, bom: Bom, parent: str) -> list[Occurrence]:
        """``bom.children(parent)``, grouped once per E-BOM."""
        groups = self.groups.get(id(bom))
        if groups is None:
            groups = self.groups[id(bom)] = bom.by_parent()
        return groups.get(parent, [])

    def _resolve(self, bom: Bom, at: _dt.date | None) -> Bom:
        m = self.mbom
        return resolve(bom, self.rules, at=at, serial=m.serial, lot=m.lot, ecos=self.rules.ecos)

    def _scope(self, bom: Bom) -> set[str]:
        """The product and the parents dissolved into its lines (phantoms; make parts too
        when the rules explode ``all``)."""
        scope, todo = {self.product}, [self.product]
        while todo:
            parent = todo.pop()
            for o in self.children(bom, parent):
                part = bom.parts.get(o.child)
                kind = o.item_type or (part.item_type if part else ItemType.BUY)
                deep = kind is ItemType.PHANTOM or (
                    kind is ItemType.MAKE and self.rules.explode == "all"
                )
                if deep and o.child not in scope:
                    scope.add(o.child)
                    todo.append(o.child)
        return scope

    def uses(self, part: str) -> bool:
        """Whether a line's provenance runs through (or ends in) ``part``."""
        return bool(self.rows.by_part.get(part))

    # -- finding the resolved version of a raw occurrence --------------------------------
    def _live(self, resolved: Bom, raw: Bom, occ: Occurrence | None) -> Occurrence | None:
        """``occ`` as the transform sees it (units normalised, rules' scrap), or ``None``
        when it is out of effect or a reference item."""
        if occ is None:
            return None
        twins = 0
        for o in self.children(raw, occ.parent):
            if o is occ:
                break
            twins += _same(o, occ)
        matches = [o for o in self.children(resolved, occ.parent) if _same(o, occ)]
        return matches[twins] if twins < len(matches) else None

    def _sole(self, occ: Occurrence) -> list[tuple[int, int]]:
        """(row, position) of each line that ``occ`` alone makes, or :class:`_Flag`."""
        twins = [
            o for o in self.children(self.ec.old, occ.parent) if _same(o, occ) and o is not occ
        ]
        if twins:
            raise _Flag(
                "ambiguous",
                f"{len(twins) + 1} occurrences of {occ.child} in {occ.parent} share find "
                f"number {occ.find_number or '(none)'}",
            )
        rows = self.rows.rows
        hits = [
            (key, rows[key], k)
            for key in self.rows.keys(self.rows.by_edge, _edge(occ))
            for p in rows[key].provenance
            if (k := _at(p, occ)) is not None
        ]
        if not hits:
            if not self._through(self.old, occ) or not self._through(self.new, occ):
                # it gives the product nothing (an empty phantom), or no longer (its parent
                # went with an earlier change): no line to change
                return []
            raise _Flag("untraced", f"no M-BOM line comes from {occ.parent}/{occ.child}")
        seen: dict[tuple[tuple[str, ...], tuple[str | None, ...]], str] = {}
        out = []
        for key, line, k in hits:
            ident = (line.id,)
            if len(line.provenance) > 1:
                raise _Flag(
                    "merged",
                    f"line {line.id} holds {len(line.provenance)} occurrences of {line.material}",
                    ident,
                )
            p = line.provenance[0]
            path = (p.path, p.find_numbers)
            if p.share != 1 or path in seen:
                ids = tuple(
                    rows[other].id
                    for other in self.rows.keys(self.rows.by_edge, _edge(occ))
                    if any((q.path, q.find_numbers) == path for q in rows[other].provenance)
                )
                raise _Flag("split", f"{'/'.join(p.path)} is split over {', '.join(ids)}", ids)
            seen[path] = line.id
            if line.quantity != p.quantity:
                raise _Flag(
                    "edited",
                    f"line {line.id} has {exact_text(line.quantity)} {line.unit}, its "
                    f"provenance {exact_text(p.quantity)} (changed by hand?)",
                    ident,
                )
            out.append((key, k))
        return out

    def _fixed_below(self, p: Provenance, k: int) -> bool:
        """A fixed quantity after position ``k`` stops scaling from above."""
        for j in range(k + 1, len(p.path) - 1):
            fn = p.find_numbers[j] if j < len(p.find_numbers) else None
            for o in self.children(self.old, p.path[j]):
                if o.child == p.path[j + 1] and o.find_number == fn and o.fixed:
                    return True
        return False

    def _round(self, quantity: Fraction, unit: str) -> Any:
        return self.rules.rounding.for_unit(unit).fraction(quantity)

    # -- the change kinds --------------------------------------------------------------------
    def _factor(self, unit_from: str, unit_to: str, material: str) -> Fraction:
        """The exact factor between two units of ``material`` (its part's and the rules'
        factors), or :class:`_Flag`."""
        if unit_from == unit_to:
            return Fraction(1)
        part = self.ec.new.parts.get(material) or self.ec.old.parts.get(material)
        rule = self.rules.materials.get(material)
        factors = [*(part.factors if part else ()), *(rule.factors if rule else ())]
        try:
            return conversion_factor(unit_from, unit_to, material=factors or None)
        except Isa95Error as exc:
            raise _Flag(
                "not-convertible", f"{material}: {getattr(exc, 'reason', exc.message)}"
            ) from None

    def _rescale(
        self,
        line: MBomLine,
        factor: Fraction,
        keep: Fraction,
        unit: str,
        k: int,
        source: str | None,
    ) -> MBomLine:
        """``line`` (of one provenance) times ``factor`` in ``unit``, ``keep`` the new
        fraction kept after scrap, the source at position ``k`` replaced."""
        p = line.provenance[0]
        quantity = p.quantity * factor
        prov = Provenance(
            p.path,
            _put(p.sources, k, source),
            quantity,
            quantity * keep,
            1 - keep,
            p.find_numbers,
            p.assignment,
            p.share,
        )
        return dataclasses.replace(
            line,
            quantity=quantity,
            unit=unit,
            net=quantity * keep,
            rounded=self._round(quantity, unit),
            provenance=(prov,),
        )

    def scale(self, old: Occurrence, new: Occurrence, raw_old: Occurrence) -> None:
        if old.fixed != new.fixed:
            raise _Flag("fixed-changed", f"{old.child} changes between fixed and scaled quantity")
        sole = self._sole(raw_old)
        before, after = old.quantity / (1 - old.scrap), new.quantity / (1 - new.scrap)
        if before == 0:
            raise _Flag("zero-quantity", f"{old.child} had quantity 0: no ratio to scale by")
        # the old quantity in the new unit (the part's unit may have changed too)
        unit_factor = self._factor(old.unit, new.unit, old.child)
        ratio = after / (before * unit_factor)
        for key, k in sole:
            line = self.rows.rows[key]
            p = line.provenance[0]
            if self._fixed_below(p, k):
                continue
            keep = (1 - p.scrap) / (1 - old.scrap) * (1 - new.scrap)
            if k == len(p.path) - 2:  # the line of this very occurrence: in its new unit
                if line.unit != old.unit:
                    raise _Flag(
                        "not-convertible",
                        f"line {line.id} is in {line.unit}, the E-BOM in {old.unit}",
                        (line.id,),
                    )
                updated = self._rescale(line, ratio * unit_factor, keep, new.unit, k, new.source)
            else:
                updated = self._rescale(line, ratio, keep, line.unit, k, new.source)
            self.ops.append(("set", key, updated, False))

    def convert_part(self, material: str) -> bool:
        """The lines of ``material`` in the new E-BOM's unit of it; ``False`` if it has none."""
        part = self.new.parts.get(material)
        keys = self.rows.keys(self.rows.by_material, material)
        if part is None or not keys:
            return False
        for key in keys:
            line = self.rows.rows[key]
            if line.unit == part.unit:
                continue
            if len(line.provenance) != 1:
                raise _Flag("merged", f"line {line.id} holds several occurrences", (line.id,))
            factor = self._factor(line.unit, part.unit, material)
            p = line.provenance[0]
            updated = self._rescale(line, factor, 1 - p.scrap, part.unit, -1, None)
            self.ops.append(("set", key, updated, False))
        return True

    def remove(self, raw_old: Occurrence) -> None:
        for key, _k in self._sole(raw_old):
            self.ops.append(("drop", key, None, False))

    def _through(self, resolved: Bom, occ: Occurrence) -> list[Item]:
        """The transform's working lines of ``resolved`` whose path passes ``occ``, with the
        rules' regrouping, splitting and assignment applied (computed once per E-BOM)."""
        items = self._items.get(id(resolved))
        if items is None:
            try:
                work, _ = dissolve_phantoms(resolved, self.product, explode=self.rules.explode)
                work = split(regroup(work, self.rules), self.rules)
                work = assign(work, self.rules, self.mbom.routing)
            except Isa95Error as exc:
                raise _Flag("no-operation", exc.message) from None
            items = [(item, frozenset(_edges(_chain(item)))) for item in work]
            self._items[id(resolved)] = items
        edge = _edge(occ)
        return [item for item, edges in items if edge in edges]

    def add(self, new: Occurrence, slot: int | None = None) -> None:
        """New lines for the paths through ``new``, by the transform's own steps; ``slot``
        is the row a replacement takes the place of."""
        mine = self._through(self.new, new)
        rows = self.rows.rows
        taken = set(self.rows.ids)
        merge_keys: set[tuple[str, str, str, bool, LineKind]] = set()
        for item in mine:
            behind = frozenset(_edges(_chain(item))) & self.flagged
            if behind:
                parent, child, _fn = sorted(behind, key=str)[0]
                raise _Flag(
                    "depends",
                    f"{item.material} comes through {parent}/{child}, whose change is flagged",
                )
            if item.share != 1:
                raise _Flag("split", f"a split rule shares {item.material} over operations")
            operation = item.operation
            if operation is None and slot is not None:
                operation = rows[slot].operation  # a replacement takes the line it replaces
            if operation is None:
                raise _Flag(
                    "no-operation",
                    f"the rules give {item.material} (from {new.parent}/{new.child}) no "
                    "operation; assign it by hand",
                )
            merge_key = (item.material, operation, item.unit, item.fixed, item.kind)
            for key in self.rows.keys(self.rows.by_material, item.material):
                line = rows[key]
                same = (line.material, line.operation, line.unit, line.fixed, line.kind)
                if key != slot and same == merge_key:
                    raise _Flag(
                        "merged",
                        f"{item.material} would join line {line.id} in {operation}",
                        (line.id,),
                    )
            if merge_key in merge_keys:
                raise _Flag("merged", f"{item.material} comes twice into {operation}")
            merge_keys.add(merge_key)
            net, keep = Fraction(item.net), Fraction(item.keep)
            quantity = net / keep
            chain = _chain(item)
            line = MBomLine(
                _new_id(operation, item.material, item.fixed, taken),
                item.material,
                operation,
                quantity,
                item.unit,
                self._round(quantity, item.unit),
                item.kind,
                (
                    Provenance(
                        chain.path,
                        chain.sources,
                        quantity,
                        net,
                        1 - keep,
                        chain.find_numbers,
                        item.assignment if item.operation else "replaced",
                        Fraction(item.share),
                    ),
                ),
                item.description,
                item.fixed,
                net,
                item.use,
            )
            self.ops.append(("add", self.rows._key(), line, False))
            self.added = True


def _chain(item: Item) -> Provenance:
    """The path, sources and find numbers of a working line (its shared chain)."""
    return Provenance.from_node(item.node, Fraction(0), Fraction(0), Fraction(0), "", Fraction(1))


def _same(a: Occurrence, b: Occurrence) -> bool:
    return a.child == b.child and a.find_number == b.find_number


def _put(values: tuple[str | None, ...], k: int, value: str | None) -> tuple[str | None, ...]:
    if not 0 <= k < len(values):
        return values
    return (*values[:k], value, *values[k + 1 :])


def _new_id(operation: str, material: str, fixed: bool, taken: set[str]) -> str:
    """A line id in the transform's scheme (``OP-MATERIAL``), unique in the M-BOM."""
    base = f"{operation}-{material}" + ("-FIXED" if fixed else "")
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    taken.add(ident)
    return ident


def apply_changes(ec: EngineeringChange, mbom: MBom, *, rules: Rules | None = None) -> EcoResult:
    """Apply ``ec`` (from :func:`diff_boms`) to ``mbom``, an M-BOM made from ``ec.old`` with
    ``rules`` (default ``Rules()``; the same explosion, assignment and rounding are used).

    The old revision is resolved for the M-BOM's ``at``, ``serial`` and ``lot``, the new one
    for ``ec.new_date`` (the new M-BOM's ``at``) if the diff had one, else the same.
    Each change is applied whole or not at all. Returns the new M-BOM with every change that
    could be applied with certainty; the others are in ``flagged`` with a reason and the
    lines concerned (see the module docstring). The input ``mbom`` is not changed.
    """
    rules = rules or Rules()
    work = _Applier(ec, mbom, rules)
    result = EcoResult(mbom)
    for change in ec.changes:
        work.ops = []
        try:
            done = _apply_one(work, change)
        except _Flag as flag:  # all or nothing: the staged edits are dropped
            result.flagged.append(FlaggedChange(change, flag.reason, flag.message, flag.lines))
            work.flagged.update(_edge(o) for o in (change.old, change.new) if o is not None)
            continue
        work.rows.commit(work.ops)
        (result.applied if done else result.outside).append(change)
    lines = work.rows.lines(loose=False)
    if work.added:  # new lines join their operation (a stable sort keeps the rest in order)
        order = {op.id: n for n, op in enumerate(mbom.routing)}
        lines.sort(key=lambda line: order.get(line.operation or "", len(order)))
    result.mbom = dataclasses.replace(
        mbom,
        lines=lines,
        unassigned=work.rows.lines(loose=True),
        revision=work.revision,
        at=work.at,
    )
    return result


def _apply_one(work: _Applier, change: Change) -> bool:
    """Apply one change; ``False`` when it does not reach the M-BOM."""
    if change.kind in (ChangeKind.REVISION_CHANGED, ChangeKind.PART_CHANGED):
        assert change.new_part is not None
        if change.parent != work.product and not work.uses(change.parent):
            return False
        if change.kind is ChangeKind.PART_CHANGED:
            a, b = change.old_part, change.new_part
            assert a is not None
            parent = bool(work.children(work.ec.old, a.id) or work.children(work.ec.new, a.id))
            if parent or a.base_quantity != b.base_quantity or a.item_type is not b.item_type:
                raise _Flag(
                    "part-changed",
                    f"{_part_delta(a, b)}: every line below {a.id} changes; "
                    "transform the new E-BOM",
                )
            return work.convert_part(a.id)  # only its unit: its own lines convert exactly
        if change.parent == work.product:
            work.revision = change.new_part.revision
        return True  # M-BOM lines carry no material revision
    if change.parent not in work.scope:
        return False
    old = work._live(work.old, work.ec.old, change.old)
    new = work._live(work.new, work.ec.new, change.new)
    if old is None and new is None:
        return False
    if old is not None and new is not None and change.kind is not ChangeKind.REPLACED:
        assert change.old is not None
        work.scale(old, new, change.old)
    elif old is not None and new is not None:
        assert change.old is not None and change.new is not None
        sole = work._sole(change.old)
        if len(sole) != 1:
            ids = tuple(work.rows.rows[key].id for key, _k in sole)
            raise _Flag("split", f"{change.old.child} makes {len(sole)} lines", ids)
        work.remove(change.old)
        work.add(new, slot=sole[0][0])
    elif old is not None:
        assert change.old is not None
        work.remove(change.old)
    else:
        assert new is not None
        work.add(new)
    return True
