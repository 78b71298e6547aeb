"""The E-BOM → M-BOM steps, each a small function over plain data (see ``_transform``).

Quantities stay exact ``Fraction``s from the input to the last step; nothing is rounded
before :func:`round_lines`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from fractions import Fraction
from math import gcd
from operator import attrgetter
from typing import Any

from ..errors import BomTransformError, Isa95Error, Location
from ..units import MaterialFactors, conversion_factor
from ._exact import _WHOLE as _WHOLE_FRACTIONS
from ._exact import Num, _combine, frac, num
from ._mbom import Exclusion, LineKind, MBomLine, Node, Provenance, node_path
from ._model import Bom, ItemType, Occurrence, Operation, Part
from ._rules import RoundingPolicy, Rules

__all__ = [
    "Item",
    "add_items",
    "assign",
    "classify",
    "dissolve_phantoms",
    "location_of",
    "merge",
    "normalise_units",
    "regroup",
    "resolve_effectivity",
    "resolve_root",
    "round_lines",
    "split",
]

_ONE = Fraction(1)
_ZERO = Fraction(0)
new_tuple = tuple.__new__


def location_of(source: str | None, step: str | None = None) -> Location:
    """A ``Location`` from an occurrence's ``source`` (``file:line`` or ``file#json.path``)."""
    if source is None:
        return Location(path=step)
    if "#" in source:
        file, _, path = source.partition("#")
        return Location(file=file or None, path=path)
    file, _, line = source.rpartition(":")
    if file and line.isdigit():
        return Location(file=file, line=int(line), path=step)
    return Location(file=source, path=step)


#: an occurrence's fields, read at once and written through their slot descriptors: a
#: slotted frozen dataclass copied without ``__init__``
_OCC_NAMES = tuple(f.name for f in fields(Occurrence))
_OCC_GET = attrgetter(*_OCC_NAMES)
_OCC_SET = tuple(getattr(Occurrence, name).__set__ for name in _OCC_NAMES)
_OCC_SETTER = dict(zip(_OCC_NAMES, _OCC_SET, strict=True))


def _evolve(occ: Occurrence, **changes: Any) -> Occurrence:
    """``dataclasses.replace`` without re-running ``__init__`` (a million times cheaper);
    only for fields that need no validation."""
    new = object.__new__(Occurrence)
    for set_field, value in zip(_OCC_SET, _OCC_GET(occ), strict=True):
        set_field(new, value)
    for name, value in changes.items():
        _OCC_SETTER[name](new, value)
    return new


def _error(message: str, source: str | None, step: str) -> BomTransformError:
    return BomTransformError(message, location=location_of(source, step))


@dataclass(slots=True)
class Item:
    """A working line: one exploded E-BOM path (or one added item). ``net`` is the quantity
    per product base quantity before scrap, ``keep`` the product of ``1 - scrap`` along the
    path, so the gross quantity is ``net / keep``."""

    material: str
    node: Node
    net: Num
    keep: Num
    unit: str
    item_type: ItemType
    operation: str | None
    assignment: str
    fixed: bool = False
    share: Num = 1
    kind: LineKind = LineKind.CONSUMED
    use: str = "Consumed"
    description: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """Part ids from the product to this material."""
        return node_path(self.node)

    @property
    def find_number(self) -> str | None:
        return self.node[3]

    @property
    def source(self) -> str | None:
        return self.node[2]


# -- 1. effectivity ---------------------------------------------------------------------


def resolve_effectivity(
    bom: Bom,
    *,
    at: _dt.date | None = None,
    serial: str | None = None,
    lot: str | None = None,
    ecos: frozenset[str] | None = None,
) -> tuple[Bom, list[Exclusion]]:
    """Keep the occurrences effective at ``at`` (date), for ``serial`` and ``lot``, and whose
    ECO is released (when ``ecos`` is given); of alternates keep the lowest priority."""
    kept: list[Occurrence] = []
    out: list[Exclusion] = []
    for occ in bom.occurrences:
        reason = ""
        if at is not None and not occ.effective_at(at):
            reason, detail = "effectivity", f"not effective at {at.isoformat()}"
        elif serial is not None and not occ.effective_for_serial(serial):
            reason, detail = "serial", f"not effective for serial {serial}"
        elif lot is not None and not occ.effective_for_lot(lot):
            reason, detail = "lot", f"not effective for lot {lot}"
        elif ecos is not None and occ.eco is not None and occ.eco not in ecos:
            reason, detail = "eco", f"ECO {occ.eco} is not released"
        if reason:
            out.append(Exclusion(reason, (occ.parent, occ.child), occ.source, detail))
        else:
            kept.append(occ)
    best: dict[tuple[str, str], Occurrence] = {}
    for occ in kept:
        if occ.alternate_group is not None:
            key = (occ.parent, occ.alternate_group)
            if key not in best or occ.priority < best[key].priority:
                best[key] = occ
    if best:
        chosen = {id(o) for o in best.values()}
        final: list[Occurrence] = []
        for occ in kept:
            if occ.alternate_group is None or id(occ) in chosen:
                final.append(occ)
            else:
                primary = best[(occ.parent, occ.alternate_group)].child
                out.append(
                    Exclusion(
                        "alternate",
                        (occ.parent, occ.child),
                        occ.source,
                        f"alternate of {primary} (group {occ.alternate_group})",
                    )
                )
        kept = final
    return replace(bom, occurrences=kept), out


# -- 2. units -----------------------------------------------------------------------------


def normalise_units(bom: Bom, rules: Rules) -> Bom:
    """Every occurrence quantity in its child's M-BOM unit (the part's unit, or the
    ``[materials]`` unit of the rules), exactly; material factors come from the part and
    the rules. An unknown unit or a missing factor raises, never a factor of 1."""
    parts: dict[str, Part] = {}
    materials: dict[str, MaterialFactors | None] = {}
    for pid, part in bom.parts.items():
        rule = rules.materials.get(pid)
        statements = (*part.factors, *(rule.factors if rule else ()))
        try:
            factors = MaterialFactors(statements, name=pid) if statements else None
        except Isa95Error as exc:
            raise _error(f"material {pid}: {exc.message}", part.source, "units") from None
        materials[pid] = factors
        target = rule.unit if rule and rule.unit else part.unit
        base = part.base_quantity
        if rule is not None and rule.base_quantity is not None:
            base = rule.base_quantity
        elif target != part.unit:
            base = base * _factor(part.unit, target, factors, pid, part.source)
        if rule is None:  # most parts: nothing to change (target is the part unit)
            parts[pid] = part
            continue
        parts[pid] = replace(
            part,
            unit=target,
            base_quantity=base,
            item_type=rule.type if rule.type else part.item_type,
            description=part.description or rule.description,
        )
    cache: dict[tuple[str, str], tuple[int, int]] = {}  # factors as integer pairs
    occurrences: list[Occurrence] = []
    keep, get_part = occurrences.append, parts.get
    for occ in bom.occurrences:
        child_part = get_part(occ.child)
        if child_part is None:
            raise _error(f"child {occ.child!r} has no part", occ.source, "units")
        if occ.unit == child_part.unit:
            keep(occ)
            continue
        key = (occ.child, occ.unit)
        factor = cache.get(key)
        if factor is None:
            f = _factor(occ.unit, child_part.unit, materials[occ.child], occ.child, occ.source)
            factor = cache[key] = (f.numerator, f.denominator)
        q = occ.quantity
        quantity = Fraction(q.numerator * factor[0], q.denominator * factor[1])
        keep(_evolve(occ, quantity=quantity, unit=child_part.unit))
    return replace(bom, parts=parts, occurrences=occurrences)


def _factor(
    unit: str, target: str, factors: MaterialFactors | None, pid: str, source: str | None
) -> Fraction:
    try:
        return conversion_factor(unit, target, material=factors)
    except Isa95Error as exc:
        raise _error(
            f"{pid}: cannot convert {unit} to {target}: {exc.message} (in the rules file: "
            f'[materials.{pid}] factors = ["1 {unit} = <n> {target}"])',
            source,
            "units",
        ) from None


# -- 3. classify ---------------------------------------------------------------------------


def classify(bom: Bom, rules: Rules) -> tuple[Bom, list[Exclusion]]:
    """Set each occurrence's item type (occurrence, else part, then ``[[classify]]`` rules)
    and scrap (``[[scrap]]`` rules override the E-BOM); leave reference items out."""
    kept: list[Occurrence] = []
    out: list[Exclusion] = []
    parts = bom.parts
    if not rules.classify and not rules.scrap:  # the common case, a million times
        for occ in bom.occurrences:
            part = parts.get(occ.child)
            if part is None:
                raise _error(f"child {occ.child!r} has no part", occ.source, "classify")
            if (occ.item_type or part.item_type) is ItemType.REFERENCE:
                path = (occ.parent, occ.child)
                out.append(Exclusion("reference", path, occ.source, "reference item"))
            else:
                kept.append(occ)
        return replace(bom, occurrences=kept), out
    for occ in bom.occurrences:
        part = parts.get(occ.child)
        if part is None:
            raise _error(f"child {occ.child!r} has no part", occ.source, "classify")
        kind = occ.item_type or part.item_type
        path = (occ.parent, occ.child)
        for rule in rules.classify:
            if rule.match.matches(occ.child, kind, path, occ.find_number, occ.operation):
                assert rule.type is not None
                kind = rule.type
                break
        scrap = occ.scrap
        for srule in rules.scrap:
            if srule.match.matches(occ.child, kind, path, occ.find_number, occ.operation):
                scrap = srule.scrap
                break
        if kind is ItemType.REFERENCE:
            out.append(Exclusion("reference", path, occ.source, "reference item"))
            continue
        if kind is not (occ.item_type or part.item_type) or scrap != occ.scrap:
            occ = _evolve(occ, item_type=kind, scrap=scrap)
        kept.append(occ)
    return replace(bom, occurrences=kept), out


# -- 4. explode, dissolving phantoms ---------------------------------------------------------


def resolve_root(bom: Bom, product: str | None = None) -> str:
    """The product: ``product``, ``bom.root`` or the one parent that is nobody's child."""
    root = product or bom.root
    if root is not None:
        if root not in bom.parts:
            raise BomTransformError(f"product {root!r} is not a part of the E-BOM")
        return root
    roots = bom.roots()
    if len(roots) == 1:
        return roots[0]
    if not roots and bom.occurrences:
        raise BomTransformError(
            "no product: every parent is also a child (a cycle)",
            location=location_of(bom.occurrences[0].source, "explode"),
        )
    if not roots:
        raise BomTransformError("the E-BOM has no occurrences")
    raise BomTransformError(
        f"several products ({', '.join(roots[:5])}): name one (--product / product = ...)"
    )


def dissolve_phantoms(
    bom: Bom,
    root: str,
    *,
    explode: str = "all",
    children: dict[str, list[Occurrence]] | None = None,
) -> tuple[list[Item], list[tuple[str, ...]]]:
    """Explode the E-BOM from ``root`` into one :class:`Item` per occurrence path. Phantoms
    give no line: their children take their place, scaled by the phantom's quantity, and
    inherit the phantom's operation unless they name their own. Make parts are exploded
    too (``explode="all"``) or kept as one line (``"phantoms"``). A cycle raises.
    ``children`` is ``bom.by_parent()`` when the caller has it already."""
    if children is None:
        children = bom.by_parent()
    parts = bom.parts
    items: list[Item] = []
    phantoms: list[Node] = []
    limit = len(parts)  # a path longer than the number of parts goes round a cycle
    # pre-order in input order: (occurrence, the parent's net per its base quantity as a
    # reduced (numerator, denominator) pair of ints, keep, operation, node, depth); exact
    # integer arithmetic, one Fraction per line at most
    top = children.get(root, [])
    root_node: Node = (None, root, None, None)
    stack: list[tuple[Occurrence, int, int, Num, str | None, Node, int]] = [
        (o, 1, 1, 1, None, root_node, 1) for o in reversed(top)
    ]
    all_exploded = explode == "all"
    # local names: this loop runs once per occurrence, a million times
    pop, push, get_part, get_children = stack.pop, stack.extend, parts.get, children.get
    emit, phantom_seen = items.append, phantoms.append
    PHANTOM, MAKE, CONSUMED, new_item = ItemType.PHANTOM, ItemType.MAKE, LineKind.CONSUMED, Item
    while stack:
        occ, fn, fd, keep, inherited, node, depth = pop()
        if depth > limit:
            _check_acyclic(children, root)  # raises, naming the cycle
        child = occ.child
        part = get_part(child)
        if part is None:
            raise _error(f"child {child!r} has no part", occ.source, "explode")
        q = occ.quantity
        s = occ.scrap
        if occ.fixed:
            n, d = q.numerator, q.denominator
            c_keep: Num = 1 if not s else 1 - s
        else:
            n, d = fn * q.numerator, fd * q.denominator
            g = gcd(n, d)
            if g != 1:
                n, d = n // g, d // g
            c_keep = keep if not s else keep * (1 - s)
        c_node = (node, child, occ.source, occ.find_number)
        kind = occ.item_type or part.item_type
        op = occ.operation
        if op is not None:
            how = "explicit"
        elif inherited is not None:
            op, how = inherited, "inherited"
        else:
            how = "none"
        if kind is PHANTOM or (kind is MAKE and all_exploded):
            below = get_children(child)
            if below:
                b = part.base_quantity  # the children's quantities are per this
                bn, bd = b.numerator, b.denominator
                if bn == 1 and bd == 1:
                    cn, cd = n, d
                else:
                    cn, cd = n * bd, d * bn
                    g = gcd(cn, cd)
                    if g != 1:
                        cn, cd = cn // g, cd // g
                d1 = depth + 1
                c_op = op if kind is PHANTOM else None
                push([(o, cn, cd, c_keep, c_op, c_node, d1) for o in reversed(below)])
            if kind is PHANTOM:
                phantom_seen(c_node)
                continue
        emit(
            new_item(
                child,
                c_node,
                n if d == 1 else Fraction(n, d),
                c_keep,
                part.unit,
                kind,
                op,
                how,
                occ.fixed,
                1,
                CONSUMED,
                "Consumed",
                part.description,
            )
        )
    return items, [node_path(n) for n in phantoms]


def _check_acyclic(children: dict[str, list[Occurrence]], root: str) -> None:
    """Raise on a cycle below ``root`` (three-colour depth-first search over the parts)."""
    done: set[str] = set()
    on_path: dict[str, int] = {}
    path: list[str] = []
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        part, index = stack.pop()
        if index == 0:
            on_path[part] = len(path)
            path.append(part)
        below = children.get(part, ())
        if index < len(below):
            stack.append((part, index + 1))
            occ = below[index]
            child = occ.child
            if child in on_path:
                cycle = " → ".join((*path[on_path[child] :], child))
                raise _error(f"cycle {cycle}", occ.source, "explode")
            if child not in done:
                stack.append((child, 0))
        else:
            path.pop()
            del on_path[part]
            done.add(part)


# -- 5. regroup and split ----------------------------------------------------------------------


def regroup(items: list[Item], rules: Rules) -> list[Item]:
    """``[[regroup]]``: move matching lines to an operation (overrides the E-BOM's)."""
    if not rules.regroup:
        return items
    for item in items:
        for rule in rules.regroup:
            if rule.match.matches(
                item.material, item.item_type, item.path, _find(item), item.operation
            ):
                item.operation, item.assignment = rule.operation, "regroup"
                break
    return items


def split(items: list[Item], rules: Rules) -> list[Item]:
    """``[[split]]``: share a matching line across operations by exact fractions."""
    if not rules.split:
        return items
    out: list[Item] = []
    for item in items:
        for rule in rules.split:
            if rule.match.matches(
                item.material, item.item_type, item.path, _find(item), item.operation
            ):
                for op, share in rule.shares:
                    out.append(
                        replace(
                            item,
                            net=num(item.net * share),
                            operation=op,
                            assignment="split",
                            share=num(item.share * share),
                        )
                    )
                break
        else:
            out.append(item)
    return out


def _find(item: Item) -> str | None:
    return item.node[3]


# -- 6. assign ---------------------------------------------------------------------------------


def assign(items: list[Item], rules: Rules, routing: Sequence[Operation]) -> list[Item]:
    """Give every line without an operation one by ``[[assign]]`` rule or the rules'
    ``default_operation``; lines still without one stay unassigned (reported). With a
    routing, an operation it does not list raises."""
    for item in items:
        if item.operation is None:
            for rule in rules.assign:
                if rule.match.matches(item.material, item.item_type, item.path, _find(item), None):
                    item.operation, item.assignment = rule.operation, "rule"
                    break
            else:
                if rules.default_operation is not None:
                    item.operation, item.assignment = rules.default_operation, "default"
    if routing:
        known = {op.id for op in routing}
        for item in items:
            if item.operation is not None and item.operation not in known:
                source = item.node[2] if item.node[2] is not None else rules.source
                raise _error(
                    f"operation {item.operation!r} of {item.material} ({item.assignment}) "
                    f"is not in the routing ({', '.join(sorted(known))})",
                    source,
                    "assign",
                )
    return items


# -- 7. M-BOM-only items ----------------------------------------------------------------------


def add_items(items: list[Item], rules: Rules, root: str) -> list[Item]:
    """``[[add]]``: consumables and packaging the E-BOM does not list."""
    for rule in rules.add:
        items.append(
            Item(
                rule.material,
                ((None, root, None, None), rule.material, rules.source, None),
                num(rule.quantity),
                _ONE,
                rule.unit,
                ItemType.BUY,
                rule.operation,
                "explicit" if rule.operation else "none",
                rule.fixed,
                kind=LineKind.ADDED,
                use=rule.use,
                description=rule.description,
            )
        )
    return items


# -- 8. merge ------------------------------------------------------------------------------------


def merge(items: Iterable[Item]) -> list[list[Item]]:
    """Group lines by material AND operation (and unit, kind, fixed): a material used in two
    operations stays two lines. Groups keep first-appearance order and every item."""
    groups: dict[tuple[str, str | None, str, LineKind, bool], list[Item]] = {}
    for item in items:
        key = (item.material, item.operation, item.unit, item.kind, item.fixed)
        group = groups.get(key)
        if group is None:
            groups[key] = [item]
        else:
            group.append(item)
    return list(groups.values())


# -- 9. quantities, 10. rounding -----------------------------------------------------------------


def round_lines(groups: Iterable[list[Item]], policy: RoundingPolicy) -> list[MBomLine]:
    """Apply scrap (``gross = net / (1 - scrap)`` per path, summed exactly per line) and
    round each line once under ``policy``."""
    lines: list[MBomLine] = []
    used: set[str] = set()
    whole, make_line = _WHOLE_FRACTIONS, MBomLine._fast
    # many lines share a quantity: each distinct (unit, numerator, denominator) rounded once
    # (keyed by integers: hashing a Fraction costs a modular inverse)
    rounded_cache: dict[tuple[str, int, int], Decimal] = {}
    # the paths below one scrapped occurrence share its ``keep`` object: its integer parts
    # and its scrap fraction are worked out once (the entry holds the object, so no id is
    # reused while the cache lives)
    keeps: dict[int, tuple[Num, int, int, Fraction]] = {}
    for group in groups:
        first = group[0]
        provenance: list[Provenance] = []
        add_provenance = provenance.append
        grosses: dict[int, int] = {}  # exact sums: numerators per (unnormalised) denominator
        nets: dict[int, int] = {}
        several = len(group) > 1  # most lines come from one path: nothing to sum
        for item in group:
            keep = item.keep
            net = item.net
            if type(net) is int:
                n, d = net, 1
                net_f = whole[net] if 0 <= net < 1024 else Fraction(net)
            else:
                n, d = net.numerator, net.denominator
                net_f = net  # type: ignore[assignment]
            if several:
                nets[d] = nets.get(d, 0) + n
            if type(keep) is int and keep == 1:
                gross_f, scrap_f = net_f, _ZERO
            else:
                k = keeps.get(id(keep))
                if k is None:
                    k = keeps[id(keep)] = (keep, keep.numerator, keep.denominator, frac(1 - keep))
                _, a, b, scrap_f = k
                n, d = n * b, d * a  # net / (a / b)
                gross_f = Fraction(n, d)
            if several:
                grosses[d] = grosses.get(d, 0) + n
            add_provenance(
                new_tuple(
                    Provenance,
                    (
                        item.node,
                        gross_f,
                        net_f,
                        scrap_f,
                        item.assignment,
                        _ONE if item.share == 1 else frac(item.share),
                    ),
                )
            )
        if several:
            total_f, net_total = _combine(grosses), _combine(nets)
        else:
            total_f, net_total = gross_f, net_f
        unit = first.unit
        key = (unit, total_f.numerator, total_f.denominator)
        rounded = rounded_cache.get(key)
        if rounded is None:
            rounded = rounded_cache[key] = policy.for_unit(unit).fraction(total_f)
        lines.append(
            make_line(
                id=_line_id(first, used),
                material=first.material,
                operation=first.operation,
                quantity=total_f,
                unit=unit,
                rounded=rounded,
                kind=first.kind,
                provenance=tuple(provenance),
                description=first.description,
                fixed=first.fixed,
                net=net_total,
                material_use=first.use,
            )
        )
    return lines


def _line_id(item: Item, used: set[str]) -> str:
    base = f"{item.operation or 'UNASSIGNED'}-{item.material}"
    if item.fixed:
        base += "-FIXED"
    if item.kind is LineKind.ADDED:
        base += "-ADDED"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate
