"""Read an E-BOM from B2MML ``MaterialDefinition`` / ``AssemblyDefinition`` (V0701).

A top-level ``MaterialDefinition`` is a part; each ``AssemblyDefinition`` inside it is one
occurrence of the child it names. ``AssemblyDefinition`` carries no usage quantity, so the
quantity and the other occurrence attributes are properties with ``isa95kit:`` IDs
(``docs/bom.md``): ``isa95kit:usage-quantity`` (required: ``ValueString`` and
``UnitOfMeasure``), ``isa95kit:find-number``, ``isa95kit:operation``,
``isa95kit:scrap-percent``, ``isa95kit:item-type``, ``isa95kit:eco``, ``isa95kit:fixed``,
``isa95kit:alternate-group``, ``isa95kit:priority``; effectivity is the element's
``EffectiveStartDate`` / ``EffectiveEndDate``. On a part: ``isa95kit:item-type`` and
``isa95kit:base-quantity`` (its ``UnitOfMeasure`` is the part's unit), and the units
convention's ``UnitConversion:<UNIT>`` factors.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from .._source import Source, parse_bytes, read_bytes
from ..errors import BomTransformError, Isa95Error, Location
from ..units import normalize_unit
from ._exact import exact_text
from ._model import Bom, ItemType, Occurrence, Part
from ._rules import Rules, parse_quantity

__all__ = ["read_b2mml"]

PREFIX = "isa95kit:"


def _text(obj: Any) -> str | None:
    if obj is None:
        return None
    value = getattr(obj, "value", obj)
    if value is None:
        return None
    value = getattr(value, "value", value)  # enumerations
    return str(value)


class _Reader:
    def __init__(self, file: str | None, lines: list[int | None]) -> None:
        self.file = file
        self.lines = iter(lines)
        self.parts: dict[str, Part] = {}
        self.occurrences: list[Occurrence] = []
        self.units: dict[str, str] = {}

    def fail(self, where: tuple[int | None, str], message: str) -> BomTransformError:
        return BomTransformError(message, location=Location(self.file, where[0], path=where[1]))

    def props(self, definition: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for prop in definition.material_definition_property:
            pid = _text(prop.id) or ""
            if pid.lower().startswith(PREFIX):
                out[pid[len(PREFIX) :].lower()] = prop
        return out

    def value(self, prop: Any, where: tuple[int | None, str], name: str) -> tuple[str, str | None]:
        values = prop.value_
        if not values or _text(values[0].value_string) in (None, ""):
            raise self.fail(where, f"property {PREFIX}{name} has no ValueString")
        unit = _text(values[0].unit_of_measure)
        return str(_text(values[0].value_string)).strip(), unit

    def number(self, text: str, where: tuple[int | None, str], name: str) -> Fraction:
        try:
            value = parse_quantity(text, name)
        except ValueError as exc:
            raise self.fail(where, f"{PREFIX}{name}: {exc}") from None
        if value < 0:
            raise self.fail(where, f"{PREFIX}{name} {text!r} is negative")
        return value

    def unit(self, text: str | None, where: tuple[int | None, str], name: str) -> str:
        if not text:
            raise self.fail(where, f"property {PREFIX}{name} has no UnitOfMeasure")
        try:
            return normalize_unit(text)
        except Isa95Error as exc:
            raise self.fail(where, f"unknown unit {text!r} ({exc.message})") from None

    def kind(self, props: dict[str, Any], where: tuple[int | None, str]) -> ItemType | None:
        if "item-type" not in props:
            return None
        text, _ = self.value(props["item-type"], where, "item-type")
        try:
            return ItemType(text.lower())
        except ValueError:
            raise self.fail(where, f"unknown item type {text!r}") from None

    def part(self, definition: Any, path: str) -> None:
        where = (next(self.lines, None), path)
        pid = _text(definition.id)
        if not pid:
            raise self.fail(where, "a MaterialDefinition has no ID")
        props = self.props(definition)
        unit, base = None, Fraction(1)
        if "base-quantity" in props:
            text, uom = self.value(props["base-quantity"], where, "base-quantity")
            base = self.number(text, where, "base-quantity")
            unit = self.unit(uom, where, "base-quantity")
            if base <= 0:
                raise self.fail(where, "the base quantity must be positive")
        self.parts[pid] = Part(
            pid,
            unit or "",
            self.kind(props, where) or ItemType.BUY,
            _text(definition.version),
            _text(definition.description[0]) if definition.description else None,
            base,
            tuple(self.factors(definition, where)),
            source=self.source(where),
        )
        for i, usage in enumerate(definition.assembly_definition):
            self.usage(pid, usage, f"{path}/AssemblyDefinition[{i + 1}]")

    def factors(self, definition: Any, where: tuple[int | None, str]) -> Iterator[str]:
        for prop in definition.material_definition_property:
            pid = (_text(prop.id) or "").strip()
            if not pid.lower().startswith("unitconversion:"):
                continue
            of = pid.split(":", 1)[1].strip()
            for value in prop.value_:
                number, uom = _text(value.value_string), _text(value.unit_of_measure)
                if not number or not uom:
                    raise self.fail(where, f"property {pid}: a value needs a number and a unit")
                amount = self.number(number, where, pid)
                yield f"1 {of} = {exact_text(amount)} {uom}"

    def source(self, where: tuple[int | None, str]) -> str:
        if where[0] is not None:
            return f"{self.file or '<b2mml>'}:{where[0]}"
        return f"{self.file or '<b2mml>'}#{where[1]}"

    def usage(self, parent: str, usage: Any, path: str) -> None:
        where = (next(self.lines, None), path)
        child = _text(usage.id)
        if not child:
            raise self.fail(where, "an AssemblyDefinition has no ID")
        props = self.props(usage)
        if "usage-quantity" not in props:
            raise self.fail(
                where,
                f"AssemblyDefinition {child} in {parent} has no {PREFIX}usage-quantity "
                "property (B2MML carries no usage quantity; see docs/bom.md)",
            )
        text, uom = self.value(props["usage-quantity"], where, "usage-quantity")
        quantity = self.number(text, where, "usage-quantity")
        unit = self.unit(uom, where, "usage-quantity")
        self.units.setdefault(child, unit)

        def opt(name: str) -> str | None:
            return self.value(props[name], where, name)[0] if name in props else None

        scrap_text = opt("scrap-percent")
        scrap = Fraction(0)
        if scrap_text is not None:
            scrap = self.number(scrap_text.rstrip("%"), where, "scrap-percent") / 100
            if scrap >= 1:
                raise self.fail(where, "scrap must be below 100 %")
        fixed = (opt("fixed") or "false").lower()
        if fixed not in ("true", "false", "1", "0", "yes", "no"):
            raise self.fail(where, f"{PREFIX}fixed {fixed!r} is not true or false")
        priority = opt("priority")
        if priority is not None and not priority.lstrip("-").isdigit():
            raise self.fail(where, f"{PREFIX}priority {priority!r} is not an integer")
        self.occurrences.append(
            Occurrence(
                parent=parent,
                child=child,
                quantity=quantity,
                unit=unit,
                find_number=opt("find-number"),
                item_type=self.kind(props, where),
                operation=opt("operation"),
                scrap=scrap,
                effective_from=_date(usage.effective_start_date),
                effective_to=_date(usage.effective_end_date),
                eco=opt("eco"),
                source=self.source(where),
                fixed=fixed in ("true", "1", "yes"),
                alternate_group=opt("alternate-group"),
                priority=int(priority) if priority is not None else 0,
                revision=_text(usage.version),
            )
        )
        for i, nested in enumerate(usage.assembly_definition):
            self.usage(child, nested, f"{path}/AssemblyDefinition[{i + 1}]")


def _date(value: Any) -> _dt.date | None:
    raw = getattr(value, "value", value)
    if raw is None:
        return None
    if isinstance(raw, _dt.datetime):
        return raw.date()
    if isinstance(raw, _dt.date):
        return raw
    return _dt.date.fromisoformat(str(raw)[:10])


def _count(definition: Any) -> int:
    return 1 + sum(_count(d) for d in definition.assembly_definition)


def _definitions(obj: Any, path: str) -> Iterator[tuple[Any, str]]:
    """Top-level MaterialDefinitions of a typed document, in document order."""
    from ..model import MaterialDefinition

    for name, info in type(obj).model_fields.items():
        value = getattr(obj, name)
        values = value if isinstance(value, list) else [value]
        alias = info.alias or name
        for i, item in enumerate(values):
            if isinstance(item, MaterialDefinition):
                yield item, f"{path}/{alias}[{i + 1}]"
            elif hasattr(type(item), "model_fields") and name != "extended":
                yield from _definitions(item, f"{path}/{alias}[{i + 1}]")


def read_b2mml(source: Source, *, rules: Rules | None = None, product: str | None = None) -> Bom:
    """Read the parts and occurrences of any B2MML V0701 document holding
    ``MaterialDefinition``s (``SyncMaterialDefinition``, ``MaterialInformation``, ...)."""
    from .. import read_xml

    rules = rules or Rules()
    data, file = read_bytes(source)
    root = parse_bytes(data, file)
    ns = "{http://www.mesa.org/xml/B2MML}"
    lines: list[int | None] = []
    for el in root.iter(f"{ns}MaterialDefinition", f"{ns}AssemblyDefinition"):
        lines.append(getattr(el, "sourceline", None))
    document = read_xml(data)
    tag = str(root.tag).rpartition("}")[2]
    definitions = list(_definitions(document, f"/{tag}[1]"))
    if sum(_count(d) for d, _ in definitions) != len(lines):  # lines cannot be matched
        lines = []
    reader = _Reader(file, lines)
    for definition, path in definitions:
        reader.part(definition, path)
    for pid, part in reader.parts.items():
        if not part.unit:
            unit = rules.materials[pid].unit if pid in rules.materials else None
            reader.parts[pid] = Part(
                pid,
                unit or reader.units.get(pid, "EA"),
                part.item_type,
                part.revision,
                part.description,
                part.base_quantity,
                part.factors,
                part.source,
            )
    for occ in reader.occurrences:
        if occ.child not in reader.parts:
            raise BomTransformError(
                f"child {occ.child!r} of {occ.parent} has no part (no MaterialDefinition "
                f"with ID {occ.child})",
                location=Location(file, int(occ.source.rpartition(":")[2]))
                if occ.source and occ.source.rpartition(":")[2].isdigit()
                else Location(file),
            )
    bom = Bom(reader.parts, reader.occurrences, source=file)
    bom.root = product or rules.product
    return bom
