"""Reconciliation: does an M-BOM still consume what the E-BOM says?

The E-BOM side is the exact explosion of the product (see :mod:`._explode`): the total of
each material after scrap, per base quantity of the product. The M-BOM side is either an
:class:`~isa95kit.bom.MBom` or a B2MML V0701 ``OperationsDefinition`` document from
elsewhere (its segments' ``MaterialSpecification``\\ s and its ``OperationsMaterialBill``).
Each difference is a :class:`Finding` with a stable code:

``missing``              an E-BOM material that no M-BOM line consumes;
``extra``                an M-BOM material that the E-BOM does not consume;
``quantity-mismatch``    the totals differ (exactly; units converted exactly) or a line
                         states no quantity;
``unit-not-comparable``  an M-BOM unit that cannot be converted exactly into the E-BOM's
                         (no factor links them) — never compared with a made-up factor;
``revision-mismatch``    the product's or a material's revision differs;
``unassigned``           a material the M-BOM consumes but assigns to no operation.

Intended differences are ignored by :class:`IgnoreRule`\\ s (``CODE:MATERIAL`` or
``CODE:PARENT/MATERIAL``, globs allowed) from the ``[reconcile]`` section of the rules file
or given directly; ignored findings stay visible in the report.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import fnmatch
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any

from ..errors import BomTransformError, Isa95Error, Location
from ._change import resolve
from ._invariants import exploded_totals
from ._mbom import LineKind, MBom
from ._model import Bom
from ._output import exact_text as _text
from ._rules import Rules
from ._steps import resolve_root

__all__ = [
    "Finding",
    "FindingCode",
    "IgnoreRule",
    "MBomEntry",
    "MBomSide",
    "Reconciliation",
    "load_ignore_rules",
    "read_mbom",
    "read_operations_definition",
    "reconcile",
]


class FindingCode(str, Enum):
    """The stable codes of reconciliation findings."""

    MISSING = "missing"
    EXTRA = "extra"
    QUANTITY_MISMATCH = "quantity-mismatch"
    UNIT_NOT_COMPARABLE = "unit-not-comparable"
    REVISION_MISMATCH = "revision-mismatch"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Finding:
    """One difference between the E-BOM and the M-BOM of ``parent`` for ``material``.

    ``expected`` is the E-BOM's exact total in ``unit``; ``actual`` the M-BOM's, converted
    into ``unit`` (``None`` when it could not be, see ``actual_unit``); ``where`` names the
    M-BOM lines concerned."""

    code: FindingCode
    parent: str
    material: str
    message: str
    expected: Fraction | None = None
    actual: Fraction | None = None
    unit: str | None = None
    actual_unit: str | None = None
    where: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "parent": self.parent,
            "material": self.material,
            "message": self.message,
            "expected": None if self.expected is None else _text(self.expected),
            "actual": None if self.actual is None else _text(self.actual),
            "unit": self.unit,
            "actual_unit": self.actual_unit,
            "where": list(self.where),
        }


@dataclass(frozen=True)
class IgnoreRule:
    """An intended difference: findings whose code, parent and material match these globs
    are reported as ignored, with ``reason``."""

    code: str = "*"
    material: str = "*"
    parent: str = "*"
    reason: str | None = None

    @classmethod
    def parse(cls, text: str, *, reason: str | None = None) -> IgnoreRule:
        """``CODE:MATERIAL``, ``CODE:PARENT/MATERIAL`` or ``MATERIAL`` (every code)."""
        code, sep, rest = text.partition(":")
        if not sep:
            code, rest = "*", text
        parent, sep, material = rest.rpartition("/")
        rule = cls(code.strip() or "*", material.strip() or "*", parent.strip() or "*", reason)
        rule.check()
        return rule

    def check(self, location: Location | None = None) -> None:
        known = {c.value for c in FindingCode}
        if not any(fnmatch.fnmatchcase(c, self.code) for c in known):
            raise BomTransformError(
                f"ignore rule {self}: {self.code!r} matches no finding code "
                f"({', '.join(sorted(known))})",
                location=location,
            )

    def matches(self, finding: Finding) -> bool:
        return (
            fnmatch.fnmatchcase(finding.code.value, self.code)
            and fnmatch.fnmatchcase(finding.material, self.material)
            and fnmatch.fnmatchcase(finding.parent, self.parent)
        )

    def __str__(self) -> str:
        where = self.material if self.parent == "*" else f"{self.parent}/{self.material}"
        return f"{self.code}:{where}"


@dataclass
class Reconciliation:
    """The findings (``ok`` when there are none left after the ignore rules) and the ignored
    ones with the rule that matched."""

    product: str
    findings: list[Finding] = field(default_factory=list)
    ignored: list[tuple[Finding, IgnoreRule]] = field(default_factory=list)
    compared: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def codes(self) -> list[str]:
        return [f.code.value for f in self.findings]

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "ok": self.ok,
            "materials_compared": self.compared,
            "findings": [f.as_dict() for f in self.findings],
            "ignored": [
                {**f.as_dict(), "rule": str(r), "reason": r.reason} for f, r in self.ignored
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        head = (
            f"{self.product}: {len(self.findings)} finding(s), {len(self.ignored)} ignored, "
            f"{self.compared} material(s) compared"
        )
        out = [head]
        out += [f"  {f.code.value:<20} {f.material:<16} {f.message}" for f in self.findings]
        for f, rule in self.ignored:
            why = f" ({rule.reason})" if rule.reason else ""
            out.append(f"  ignored {f.code.value:<12} {f.material:<16} by {rule}{why}")
        return "\n".join(out)


# -- the M-BOM side -------------------------------------------------------------------------


@dataclass(frozen=True)
class MBomEntry:
    """One consumed material of an existing M-BOM, whatever its origin: ``quantity`` in
    ``unit`` per ``MBomSide.base_quantity`` (``None``: not stated), the ``operation``
    (segment) it is assigned to, ``where`` it was found."""

    material: str
    quantity: Fraction | None
    unit: str | None
    operation: str | None
    where: str
    revision: str | None = None
    #: decimal places the quantity was written with (``None``: exact, as in an MBom)
    places: int | None = None


@dataclass
class MBomSide:
    """The consumed materials of an M-BOM of ``product`` per ``base_quantity`` ``unit``."""

    product: str | None
    entries: list[MBomEntry]
    revision: str | None = None
    base_quantity: Fraction | None = None
    unit: str | None = None
    source: str | None = None
    #: the day the M-BOM is effective (``OperationsDefinition/EffectiveStartDate``), if known
    at: _dt.date | None = None

    @classmethod
    def from_mbom(cls, mbom: MBom) -> MBomSide:
        """The consumed lines of one of our M-BOMs; lines the rules added (``LineKind.ADDED``,
        consumables and packaging) are intended and not compared."""
        entries = [
            MBomEntry(line.material, line.quantity, line.unit, operation, line.id)
            for lines, assigned in ((mbom.lines, True), (mbom.unassigned, False))
            for line in lines
            if line.kind is LineKind.CONSUMED
            for operation in [line.operation if assigned else None]
        ]
        return cls(mbom.product, entries, mbom.revision, mbom.base_quantity, mbom.unit, at=mbom.at)


_PRODUCED = ("produced", "by-product produced", "co-product produced", "yield produced")


def _value(obj: Any) -> str | None:
    value = getattr(obj, "value", obj)
    if value is None:
        return None
    value = getattr(value, "value", value)  # an Enum
    return str(value).strip() or None


def _quantity(specs: list[Any], where: str) -> tuple[Fraction | None, str | None, int | None]:
    """The quantity of a MaterialSpecification: the first ``Quantity`` (its
    ``UnitOfMeasure`` the unit), exact, and the decimal places it was written with."""
    from ..model import NIL

    for q in specs:
        text = q.quantity_string
        unit = q.unit_of_measure
        number = None if text is NIL else _value(text)
        code = None if unit is None or unit is NIL else _value(unit)
        if number is None:
            return None, code, None
        # the precision as written; an exponent form is taken as exact
        places = None if "e" in number.lower() else len(number.partition(".")[2])
        try:
            return Fraction(number), code, places
        except (ValueError, ZeroDivisionError):
            raise BomTransformError(
                f"{where}: quantity {number!r} is not a number", location=Location(path=where)
            ) from None
    return None, None, None


def _revision(spec: Any) -> str | None:
    for prop in spec.material_specification_property:
        if (_value(prop.id) or "").lower() in ("revision", "version"):
            for value in prop.value_:
                text = _value(getattr(value, "value_string", None))
                if text:
                    return text
    return None


def _definitions(doc: Any) -> tuple[list[Any], list[Any]]:
    """(OperationsDefinitions, OperationsMaterialBills) anywhere a document holds them."""
    from ..model import OperationsDefinition, OperationsMaterialBill

    defs: list[Any] = []
    bills: list[Any] = []
    todo = [doc]
    while todo:
        obj = todo.pop()
        if isinstance(obj, OperationsDefinition):
            defs.append(obj)
        elif isinstance(obj, OperationsMaterialBill):
            bills.append(obj)
        else:
            for name in (
                "data_area",
                "operations_definition_information",
                "operations_definition",
                "operations_material_bill",
            ):
                value = getattr(obj, name, None)
                if isinstance(value, list):
                    todo += reversed(value)
                elif value is not None:
                    todo.append(value)
    return defs, bills


def read_operations_definition(
    source: Any, *, product: str | None = None, file: str | None = None
) -> MBomSide:
    """The M-BOM side of a B2MML V0701 document (a path, bytes, text or a read model) holding
    an ``OperationsDefinition`` (also inside ``OperationsDefinitionInformation`` or a
    ``Sync``/``Process``/... transaction).

    The product is the segments' ``Produced`` material (its quantity the base quantity), else
    ``product``; ``EffectiveStartDate`` gives the day effectivity is resolved for. Consumed
    materials are each top-level or child segment's ``MaterialSpecification``\\ s naming a
    ``MaterialDefinitionID``, assigned to that segment;
    ``OperationsMaterialBillItem``\\ s whose ``MaterialSpecificationID`` names no segment
    specification are unassigned materials (the item ``ID`` names the material).
    """
    from .. import read_xml
    from ..model import B2MMLModel

    if isinstance(source, B2MMLModel):
        doc = source
    else:
        is_path = isinstance(source, os.PathLike) or (
            isinstance(source, str) and not source.lstrip().startswith("<")
        )
        if is_path and file is None:
            file = os.fspath(source)
        doc = read_xml(source)
    defs, bills = _definitions(doc)
    here = Location(file=file)
    if not defs:
        raise BomTransformError("the document holds no OperationsDefinition", location=here)
    if len(defs) > 1:
        names = [_value(d.id) for d in defs]
        chosen = [d for d in defs if _value(d.id) == product] if product else []
        if len(chosen) != 1:
            raise BomTransformError(
                f"the document holds {len(defs)} OperationsDefinitions "
                f"({', '.join(map(str, names))}); name the one to compare (product=)",
                location=here,
            )
        defs = chosen
    definition = defs[0]
    did = _value(definition.id) or "?"
    entries: list[MBomEntry] = []
    spec_ids: set[str] = set()
    entry_spec: dict[int, str | None] = {}  # entry index -> its MaterialSpecification ID
    produced: tuple[str, Fraction | None, str | None] | None = None

    def walk(segment: Any, path: str) -> None:
        nonlocal produced
        sid = _value(segment.id) or "?"
        for k, spec in enumerate(segment.material_specification):
            where = f"{path}/MaterialSpecification[{k + 1}]"
            spec_id = _value(spec.id)
            if spec_id:
                spec_ids.add(spec_id)
            materials = [m for m in (_value(x) for x in spec.material_definition_id) if m]
            if not materials:
                continue  # a material class or lot: nothing to compare
            use = (_value(spec.material_use) or "consumed").lower()
            quantity, unit, places = _quantity(spec.quantity, where)
            if use in _PRODUCED:
                if produced is None and use == "produced":
                    produced = (materials[0], quantity, unit)
                continue
            entry_spec[len(entries)] = spec_id
            entries.append(
                MBomEntry(materials[0], quantity, unit, sid, where, _revision(spec), places)
            )
        for k, child in enumerate(segment.operations_segment_child):
            walk(child, f"{path}/OperationsSegmentChild[{k + 1}]")

    for k, segment in enumerate(definition.operations_segment):
        walk(segment, f"OperationsDefinition[{did}]/OperationsSegment[{k + 1}]")
    wanted = {_value(i) for i in definition.operations_material_bill_id}
    added: set[str] = set()
    for bill in bills:
        bid = _value(bill.id)
        if wanted and bid not in wanted:
            continue
        for k, item in enumerate(bill.operations_material_bill_item):
            refs = [r for r in (_value(x) for x in item.material_specification_id) if r]
            if (_value(item.use_type) or "").lower() == "added":
                added.update(refs)  # M-BOM-only items of isa95kit's rules: intended
            if refs and any(r in spec_ids for r in refs):
                continue  # its segment specification is compared already
            where = f"OperationsMaterialBill[{bid}]/OperationsMaterialBillItem[{k + 1}]"
            quantity, unit, places = _quantity(item.quantity, where)
            entries.append(
                MBomEntry(_value(item.id) or "?", quantity, unit, None, where, None, places)
            )
    entries = [e for n, e in enumerate(entries) if entry_spec.get(n) not in added]
    name, base, unit = produced if produced is not None else (product, None, None)
    start = getattr(definition.effective_start_date, "value", None)
    at = start.date() if isinstance(start, _dt.datetime) else None
    return MBomSide(name, entries, _value(definition.version), base, unit, file, at)


def read_mbom(source: str | os.PathLike[str], *, product: str | None = None) -> MBom | MBomSide:
    """An existing M-BOM from a file: the provenance JSON of ``bom transform`` as an
    :class:`MBom`; B2MML XML, or B2MML-JSON (``.json`` that is not a provenance JSON), as the
    :class:`MBomSide` of its ``OperationsDefinition``."""
    from .. import read_json
    from .._source import source_error
    from ._mbom_json import is_mbom_json, read_mbom_json

    name = os.fspath(source)
    if not name.lower().endswith(".json"):
        return read_operations_definition(name, product=product)
    try:
        with open(name, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise source_error(name, exc) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        data = None  # the B2MML-JSON codec reports it with its location
    if is_mbom_json(data):
        return read_mbom_json(data)
    return read_operations_definition(read_json(raw), product=product, file=name)


# -- comparing ------------------------------------------------------------------------------


def _factor(unit_from: str, unit_to: str, factors: list[str]) -> Fraction:
    from ..units import conversion_factor

    if unit_from == unit_to:
        return Fraction(1)
    return conversion_factor(unit_from, unit_to, material=factors or None)


def _factors_of(ebom: Bom, material: str, rules: Rules) -> list[str]:
    part = ebom.parts.get(material)
    out = list(part.factors) if part is not None else []
    rule = rules.materials.get(material)
    if rule is not None:
        out += list(rule.factors)
    return out


def reconcile(
    ebom: Bom,
    mbom: MBom | MBomSide | Any,
    *,
    ignore: Iterable[IgnoreRule | str] = (),
    rules: Rules | None = None,
    product: str | None = None,
    at: _dt.date | None = None,
    exact: bool = False,
) -> Reconciliation:
    """Compare ``ebom`` with ``mbom``: an :class:`MBom`, an :class:`MBomSide`, a file
    :func:`read_mbom` reads (provenance JSON, B2MML XML or B2MML-JSON), or a B2MML
    ``OperationsDefinition`` document as bytes, text or model (see
    :func:`read_operations_definition`).

    The E-BOM is resolved and exploded as the transform does under ``rules`` (default
    ``Rules()``): effectivity at ``at`` (default: the M-BOM's ``at`` or the definition's
    ``EffectiveStartDate``, else the rules'; with none of them every occurrence counts),
    units, scrap, phantoms (and make parts when the rules explode ``all``). ``ignore``
    takes :class:`IgnoreRule`\\ s or their text form (see :func:`load_ignore_rules`).
    Quantities written as decimals (a B2MML document) may differ from the exact total by
    their rounding: half a unit in their last place each (a whole unit when the rules round
    that unit up, down, to ceiling or floor); ``exact=True`` reports those differences
    too."""
    rules = rules or Rules()
    serial = lot = None
    if isinstance(mbom, MBom):
        at = at if at is not None else mbom.at
        serial, lot = mbom.serial, mbom.lot
        side = MBomSide.from_mbom(mbom)
    elif isinstance(mbom, MBomSide):
        side = mbom
    else:
        wanted = product or ebom.root or rules.product
        is_path = isinstance(mbom, os.PathLike) or (
            isinstance(mbom, str) and not mbom.lstrip().startswith("<")
        )
        loaded = read_mbom(mbom, product=wanted) if is_path else None
        if isinstance(loaded, MBom):
            return reconcile(
                ebom, loaded, ignore=ignore, rules=rules, product=product, at=at, exact=exact
            )
        side = loaded or read_operations_definition(mbom, product=wanted)
    at = at if at is not None else side.at if side.at is not None else rules.at
    resolved = resolve(ebom, rules, at=at, serial=serial, lot=lot, ecos=rules.ecos)
    wanted = product or side.product or rules.product
    if wanted is not None and wanted not in resolved.parts:
        raise BomTransformError(
            f"the M-BOM's product {wanted!r} is not a part of the E-BOM",
            location=Location(file=side.source),
        )
    name = resolve_root(resolved, wanted)
    rule_list = [r if isinstance(r, IgnoreRule) else IgnoreRule.parse(r) for r in ignore]
    result = Reconciliation(name)
    raw: list[Finding] = []
    expected = exploded_totals(resolved, name, explode=rules.explode)
    part = resolved.parts[name]

    # the M-BOM's quantities are per its base quantity; the E-BOM's per the part's
    scale = Fraction(1)
    if side.base_quantity:
        try:
            base = side.base_quantity * _factor(
                side.unit or part.unit, part.unit, _factors_of(ebom, name, rules)
            )
            scale = part.base_quantity / base
        except Isa95Error as exc:
            raw.append(
                Finding(
                    FindingCode.UNIT_NOT_COMPARABLE,
                    name,
                    name,
                    f"the M-BOM's base unit {side.unit} cannot be compared with {part.unit}: "
                    f"{getattr(exc, 'reason', exc.message)}",
                    unit=part.unit,
                    actual_unit=side.unit,
                )
            )
    if part.revision and side.revision and part.revision != side.revision:
        raw.append(
            Finding(
                FindingCode.REVISION_MISMATCH,
                name,
                name,
                f"product revision {side.revision} in the M-BOM, {part.revision} in the E-BOM",
            )
        )

    by_material: dict[str, list[MBomEntry]] = {}
    for entry in side.entries:
        by_material.setdefault(entry.material, []).append(entry)
    for material, total in expected.items():
        unit = resolved.parts[material].unit
        entries = by_material.get(material)
        if not entries:
            raw.append(
                Finding(
                    FindingCode.MISSING,
                    name,
                    material,
                    f"{_text(total)} {unit} in the E-BOM, no M-BOM line",
                    expected=total,
                    unit=unit,
                )
            )
            continue
        check = _Check(name, material, total, unit, resolved.parts[material].revision, rules)
        raw += check.run(entries, _factors_of(ebom, material, rules), scale, exact)
    for material, entries in by_material.items():
        if material not in expected:
            first = entries[0]
            amount = f" ({_text(first.quantity)} {first.unit})" if first.quantity else ""
            raw.append(
                Finding(
                    FindingCode.EXTRA,
                    name,
                    material,
                    f"in the M-BOM{amount}, not consumed by the E-BOM",
                    actual=first.quantity if len(entries) == 1 else None,
                    actual_unit=first.unit,
                    where=tuple(e.where for e in entries),
                )
            )
    result.compared = len(set(expected) | set(by_material))
    for finding in raw:
        rule = next((r for r in rule_list if r.matches(finding)), None)
        if rule is None:
            result.findings.append(finding)
        else:
            result.ignored.append((finding, rule))
    return result


#: rounding modes that may move a value by a whole unit in the last place
_DIRECTED = {
    decimal.ROUND_UP,
    decimal.ROUND_DOWN,
    decimal.ROUND_CEILING,
    decimal.ROUND_FLOOR,
    decimal.ROUND_05UP,
}


@dataclass
class _Check:
    parent: str
    material: str
    expected: Fraction
    unit: str
    revision: str | None
    rules: Rules

    def finding(self, code: FindingCode, message: str, **kw: Any) -> Finding:
        return Finding(code, self.parent, self.material, message, unit=self.unit, **kw)

    def run(
        self, entries: list[MBomEntry], factors: list[str], scale: Fraction, exact: bool
    ) -> list[Finding]:
        out: list[Finding] = []
        where = tuple(e.where for e in entries)
        loose = tuple(e.where for e in entries if e.operation is None)
        if loose:
            out.append(
                self.finding(
                    FindingCode.UNASSIGNED,
                    f"assigned to no operation ({', '.join(loose)})",
                    where=loose,
                )
            )
        revisions = sorted({e.revision for e in entries if e.revision})
        if self.revision and any(r != self.revision for r in revisions):
            out.append(
                self.finding(
                    FindingCode.REVISION_MISMATCH,
                    f"revision {', '.join(revisions)} in the M-BOM, {self.revision} in the E-BOM",
                    where=where,
                )
            )
        actual = slack = Fraction(0)
        for e in entries:
            if e.quantity is None:
                out.append(
                    self.finding(
                        FindingCode.QUANTITY_MISMATCH,
                        f"{e.where} states no quantity; the E-BOM has "
                        f"{_text(self.expected)} {self.unit}",
                        expected=self.expected,
                        where=(e.where,),
                    )
                )
                return out
            if e.unit is None:  # no UnitOfMeasure: not assumed to be the E-BOM's unit
                out.append(
                    self.finding(
                        FindingCode.UNIT_NOT_COMPARABLE,
                        f"{e.where} states no unit of measure; the E-BOM counts in {self.unit}",
                        expected=self.expected,
                        where=(e.where,),
                    )
                )
                return out
            try:
                factor = _factor(e.unit, self.unit, factors)
            except Isa95Error as exc:  # incompatible or unknown: never a made-up factor
                out.append(
                    self.finding(
                        FindingCode.UNIT_NOT_COMPARABLE,
                        f"{e.unit} in the M-BOM cannot be compared with {self.unit}: "
                        f"{getattr(exc, 'reason', exc.message)}",
                        expected=self.expected,
                        actual_unit=e.unit,
                        where=(e.where,),
                    )
                )
                return out
            actual += e.quantity * factor
            if e.places is not None and not exact:
                ulp = Fraction(1, 10**e.places) * factor
                mode = self.rules.rounding.for_unit(e.unit or self.unit).mode
                slack += ulp if mode in _DIRECTED else ulp / 2
        actual *= scale
        slack *= scale
        if abs(actual - self.expected) > slack:
            out.append(
                self.finding(
                    FindingCode.QUANTITY_MISMATCH,
                    f"{_text(actual)} {self.unit} in the M-BOM, {_text(self.expected)} "
                    f"{self.unit} in the E-BOM",
                    expected=self.expected,
                    actual=actual,
                    where=where,
                )
            )
        return out


def load_ignore_rules(source: str | os.PathLike[str] | Mapping[str, Any]) -> list[IgnoreRule]:
    """The ``[reconcile]`` ignore list of a rules file (or of its parsed mapping)::

    [reconcile]
    ignore = ["extra:GLUE-*", {code = "quantity-mismatch", material = "M-7", reason = "ECO 12"}]
    """
    if isinstance(source, Mapping):
        data, file = source, None
    else:
        from ._rules import _load_toml

        file = os.fspath(source)
        try:
            with open(file, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            from .._source import source_error

            raise source_error(file, exc) from None
        data = _load_toml(raw, file)
    table = data.get("reconcile", {})
    at = Location(file=file, path="reconcile.ignore")
    if not isinstance(table, Mapping):
        raise BomTransformError("[reconcile] must be a table", location=at)
    items = table.get("ignore", [])
    if not isinstance(items, list):
        raise BomTransformError("reconcile.ignore must be a list", location=at)
    out: list[IgnoreRule] = []
    for k, item in enumerate(items):
        here = Location(file=file, path=f"reconcile.ignore[{k}]")
        if isinstance(item, str):
            out.append(IgnoreRule.parse(item))
            continue
        if not isinstance(item, Mapping) or set(item) - {"code", "material", "parent", "reason"}:
            raise BomTransformError(
                "an ignore rule is a string 'CODE:MATERIAL' or a table with code, material, "
                "parent, reason",
                location=here,
            )
        rule = IgnoreRule(
            str(item.get("code", "*")),
            str(item.get("material", "*")),
            str(item.get("parent", "*")),
            None if item.get("reason") is None else str(item["reason"]),
        )
        rule.check(here)
        out.append(rule)
    return out
