"""The declarative rules file (TOML) that configures the E-BOM → M-BOM pipeline.

Every section is optional; ``docs/bom.md`` documents the format. Errors name the file and
the key (``split[1].shares``).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import fnmatch
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import BomTransformError, Isa95Error, Location, MissingDependencyError
from ..units import Rounding, normalize_unit
from ._model import ItemType

__all__ = [
    "CSV_COLUMNS",
    "ROUTING_COLUMNS",
    "AddRule",
    "Match",
    "MaterialRule",
    "OperationRule",
    "RoundingPolicy",
    "Rules",
    "ScrapRule",
    "SplitRule",
    "load_rules",
    "parse_quantity",
]

#: the PLM CSV columns, in order; each can be renamed in ``[columns]``
CSV_COLUMNS = (
    "parent",
    "child",
    "quantity",
    "unit",
    "find_number",
    "type",
    "operation",
    "scrap_percent",
    "effective_from",
    "effective_to",
    "revision",
)
#: optional PLM CSV columns read when present
CSV_OPTIONAL = (
    "serial_from",
    "serial_to",
    "lot_from",
    "lot_to",
    "eco",
    "fixed",
    "alternate_group",
    "priority",
    "base_quantity",
    "description",
)
#: the routing CSV columns; ``description``, ``work_center`` and ``duration`` may be absent
ROUTING_COLUMNS = ("operation", "sequence", "description", "work_center", "duration")

_MODES = {name: getattr(decimal, name) for name in dir(decimal) if name.startswith("ROUND_")}


def parse_quantity(value: object, what: str = "quantity") -> Fraction:
    """An exact quantity from a decimal string, ``int``, ``Decimal`` or ``a/b`` text; never
    a float. Raises ``ValueError`` (callers add the location)."""
    if isinstance(value, (bool, float)):
        raise ValueError(f"{what} {value!r} must be a decimal string or an integer, not a float")
    if isinstance(value, (int, decimal.Decimal, Fraction)):
        result = Fraction(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text:
            raise ValueError(f"{what} is empty")
        try:
            result = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{what} {value!r} is not a number") from None
    else:
        raise ValueError(f"{what} {value!r} is not a number")
    return result


@dataclass(frozen=True)
class Match:
    """What a rule applies to; every given criterion must hold. ``material``, ``under`` (an
    ancestor on the path) and ``operation`` are ``fnmatch`` globs."""

    material: str | None = None
    type: ItemType | None = None
    under: str | None = None
    find_number: str | None = None
    operation: str | None = None

    def matches(
        self,
        material: str,
        item_type: ItemType | None = None,
        path: Sequence[str] = (),
        find_number: str | None = None,
        operation: str | None = None,
    ) -> bool:
        if self.material is not None and not fnmatch.fnmatchcase(material, self.material):
            return False
        if self.type is not None and item_type is not self.type:
            return False
        if self.under is not None:
            pattern = self.under
            if not any(fnmatch.fnmatchcase(p, pattern) for p in path[:-1]):
                return False
        if self.find_number is not None and find_number != self.find_number:
            return False
        return self.operation is None or (
            operation is not None and fnmatch.fnmatchcase(operation, self.operation)
        )


@dataclass(frozen=True)
class MaterialRule:
    """Per-material settings: the M-BOM ``unit`` (issue unit), factors (``"1 BX = 100 EA"``),
    ``base_quantity`` and the item type."""

    unit: str | None = None
    factors: tuple[str, ...] = ()
    base_quantity: Fraction | None = None
    type: ItemType | None = None
    description: str | None = None


@dataclass(frozen=True)
class OperationRule:
    """``[[classify]]`` (``type``), ``[[regroup]]`` and ``[[assign]]`` (``operation``)."""

    match: Match
    operation: str | None = None
    type: ItemType | None = None


@dataclass(frozen=True)
class SplitRule:
    """Split matching lines across operations by exact shares summing to 1."""

    match: Match
    shares: tuple[tuple[str, Fraction], ...]


@dataclass(frozen=True)
class ScrapRule:
    """A scrap fraction for matching occurrences (``yield = y`` means ``scrap = 1 - y``)."""

    match: Match
    scrap: Fraction


@dataclass(frozen=True)
class AddRule:
    """An M-BOM-only item: a consumable or packaging with no E-BOM occurrence."""

    material: str
    quantity: Fraction
    unit: str
    operation: str | None
    use: str = "Consumable"
    fixed: bool = False
    description: str | None = None


@dataclass(frozen=True)
class RoundingPolicy:
    """The one rounding at the end: ``default`` and per-unit overrides."""

    default: Rounding = field(default_factory=lambda: Rounding(6))
    units: Mapping[str, Rounding] = field(default_factory=dict)

    def for_unit(self, unit: str) -> Rounding:
        return self.units.get(unit, self.default)


@dataclass(frozen=True)
class Rules:
    """The pipeline configuration; ``Rules()`` is the default (no renamed columns, no rules,
    full explosion, 6 places half-even)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    routing_columns: Mapping[str, str] = field(default_factory=dict)
    materials: Mapping[str, MaterialRule] = field(default_factory=dict)
    classify: tuple[OperationRule, ...] = ()
    regroup: tuple[OperationRule, ...] = ()
    split: tuple[SplitRule, ...] = ()
    assign: tuple[OperationRule, ...] = ()
    add: tuple[AddRule, ...] = ()
    scrap: tuple[ScrapRule, ...] = ()
    default_operation: str | None = None
    explode: str = "all"
    rounding: RoundingPolicy = field(default_factory=RoundingPolicy)
    at: _dt.date | None = None
    serial: str | None = None
    lot: str | None = None
    ecos: frozenset[str] | None = None
    product: str | None = None
    source: str | None = None

    def column(self, name: str) -> str:
        """The header of canonical column ``name`` in the PLM CSV."""
        return self.columns.get(name, name)

    def routing_column(self, name: str) -> str:
        return self.routing_columns.get(name, name)


_KEYS = {
    "columns",
    "routing_columns",
    "materials",
    "classify",
    "regroup",
    "split",
    "assign",
    "add",
    "scrap",
    "default_operation",
    "explode",
    "rounding",
    "effectivity",
    "product",
    "reconcile",  # read by bom.load_ignore_rules
}


def load_rules(source: str | os.PathLike[str] | Mapping[str, Any]) -> Rules:
    """Read a rules file (``.toml``, or ``.json`` with the same content) or a mapping."""
    if isinstance(source, Mapping):
        return _Builder(None).build(source)
    name = os.fspath(source)
    try:
        with open(name, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        from .._source import source_error

        raise source_error(name, exc) from None
    if name.endswith(".json"):
        import json

        try:
            data = json.loads(raw.decode("utf-8"), parse_float=decimal.Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BomTransformError(
                f"rules file is not valid JSON: {exc}", location=Location(file=name)
            ) from None
    else:
        data = _load_toml(raw, name)
    if not isinstance(data, Mapping):
        raise BomTransformError("the rules file must be a table", location=Location(file=name))
    return _Builder(name).build(data)


def _load_toml(raw: bytes, name: str) -> Any:
    try:
        import tomllib as toml  # type: ignore[import-not-found,unused-ignore]  # 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as toml  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ModuleNotFoundError:
            raise MissingDependencyError(
                "TOML rules need Python 3.11+ or the tomli package (pip install tomli)"
            ) from None
    try:
        return toml.loads(raw.decode("utf-8"), parse_float=decimal.Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BomTransformError(
            f"rules file is not valid TOML: {exc}", location=Location(file=name)
        ) from None


class _Builder:
    def __init__(self, file: str | None) -> None:
        self.file = file

    def fail(self, key: str, message: str) -> BomTransformError:
        return BomTransformError(message, location=Location(file=self.file, path=key))

    def build(self, data: Mapping[str, Any]) -> Rules:
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise self.fail(unknown[0], f"unknown rules section {unknown[0]!r}")
        eff = self.table(data, "effectivity")
        return Rules(
            columns=self.names(data, "columns", CSV_COLUMNS + CSV_OPTIONAL),
            routing_columns=self.names(data, "routing_columns", ROUTING_COLUMNS),
            materials={
                str(k): self.material(f"materials.{k}", v)
                for k, v in self.table(data, "materials").items()
            },
            classify=tuple(
                self.op_rule(f"classify[{i}]", r, "type")
                for i, r in enumerate(self.rows(data, "classify"))
            ),
            regroup=tuple(
                self.op_rule(f"regroup[{i}]", r, "operation")
                for i, r in enumerate(self.rows(data, "regroup"))
            ),
            split=tuple(
                self.split(f"split[{i}]", r) for i, r in enumerate(self.rows(data, "split"))
            ),
            assign=tuple(
                self.op_rule(f"assign[{i}]", r, "operation")
                for i, r in enumerate(self.rows(data, "assign"))
            ),
            add=tuple(self.add(f"add[{i}]", r) for i, r in enumerate(self.rows(data, "add"))),
            scrap=tuple(
                self.scrap(f"scrap[{i}]", r) for i, r in enumerate(self.rows(data, "scrap"))
            ),
            default_operation=self.text(data, "default_operation"),
            explode=self.choice(data, "explode", ("all", "phantoms"), "all"),
            rounding=self.rounding(self.table(data, "rounding")),
            at=self.date(eff, "effectivity.at", "at"),
            serial=self.text(eff, "serial", "effectivity.serial"),
            lot=self.text(eff, "lot", "effectivity.lot"),
            ecos=self.ecos(eff),
            product=self.text(data, "product"),
            source=self.file,
        )

    # -- primitives --------------------------------------------------------------------
    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            raise self.fail(key, f"{key} must be a table")
        return value

    def rows(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(key, f"{key} must be an array of tables ([[{key}]])")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str | None = None) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(where or key, f"{where or key} must be a non-empty string")
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, allowed: Sequence[str], default: str
    ) -> str:
        value = data.get(key, default)
        if value not in allowed:
            raise self.fail(key, f"{key} must be one of {', '.join(allowed)}, not {value!r}")
        return str(value)

    def quantity(self, value: Any, where: str) -> Fraction:
        try:
            return parse_quantity(value, where)
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None

    def unit(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"{where} must be a unit code")
        try:
            return normalize_unit(value)
        except Isa95Error as exc:
            raise self.fail(where, f"{where}: {exc.message}") from None

    def date(self, data: Mapping[str, Any], where: str, key: str) -> _dt.date | None:
        value = data.get(key)
        if value is None or (isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)):
            return value
        try:
            return _dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(where, f"{where} {value!r} is not a date (YYYY-MM-DD)") from None

    def names(self, data: Mapping[str, Any], key: str, allowed: Sequence[str]) -> dict[str, str]:
        table = self.table(data, key)
        out: dict[str, str] = {}
        for name, header in table.items():
            if name not in allowed:
                raise self.fail(
                    f"{key}.{name}", f"unknown column {name!r}; known: {', '.join(allowed)}"
                )
            if not isinstance(header, str) or not header:
                raise self.fail(f"{key}.{name}", "a column name must be a non-empty string")
            out[name] = header
        return out

    def item_type(self, value: Any, where: str) -> ItemType:
        try:
            return ItemType(str(value).lower())
        except ValueError:
            known = ", ".join(t.value for t in ItemType)
            raise self.fail(where, f"{where} {value!r} is not an item type ({known})") from None

    def match(self, row: Mapping[str, Any], where: str) -> Match:
        def opt(key: str) -> str | None:
            return self.text(row, key, f"{where}.{key}")

        kind = row.get("type")
        return Match(
            material=opt("material"),
            type=None if kind is None else self.item_type(kind, f"{where}.type"),
            under=opt("under"),
            find_number=opt("find_number"),
            operation=opt("in_operation"),
        )

    # -- sections ----------------------------------------------------------------------
    def material(self, where: str, row: Any) -> MaterialRule:
        if not isinstance(row, Mapping):
            raise self.fail(where, f"{where} must be a table")
        factors = row.get("factors", [])
        if isinstance(factors, str):
            factors = [factors]
        if not isinstance(factors, list) or not all(isinstance(f, str) for f in factors):
            raise self.fail(f"{where}.factors", "factors must be strings like '1 BX = 100 EA'")
        base = row.get("base_quantity")
        return MaterialRule(
            unit=None if row.get("unit") is None else self.unit(row["unit"], f"{where}.unit"),
            factors=tuple(factors),
            base_quantity=None if base is None else self.quantity(base, f"{where}.base_quantity"),
            type=None if row.get("type") is None else self.item_type(row["type"], f"{where}.type"),
            description=self.text(row, "description", f"{where}.description"),
        )

    def op_rule(self, where: str, row: Mapping[str, Any], target: str) -> OperationRule:
        if target == "type":
            if "set_type" not in row:
                raise self.fail(f"{where}.set_type", f"{where} needs set_type")
            return OperationRule(
                self.match(row, where), type=self.item_type(row["set_type"], f"{where}.set_type")
            )
        operation = self.text(row, "operation", f"{where}.operation")
        if operation is None:
            raise self.fail(f"{where}.operation", f"{where} needs an operation")
        return OperationRule(self.match(row, where), operation=operation)

    def split(self, where: str, row: Mapping[str, Any]) -> SplitRule:
        shares = row.get("shares")
        if not isinstance(shares, Mapping) or not shares:
            raise self.fail(f"{where}.shares", "shares must be a table {OP = '1/2', ...}")
        parsed = tuple(
            (str(op), self.quantity(v, f"{where}.shares.{op}")) for op, v in shares.items()
        )
        if any(s <= 0 for _, s in parsed) or sum(s for _, s in parsed) != 1:
            raise self.fail(f"{where}.shares", "shares must be positive and sum to exactly 1")
        return SplitRule(self.match(row, where), parsed)

    def scrap(self, where: str, row: Mapping[str, Any]) -> ScrapRule:
        if ("scrap" in row) == ("yield" in row):
            raise self.fail(where, f"{where} needs exactly one of scrap, yield")
        if "scrap" in row:
            scrap = self.quantity(row["scrap"], f"{where}.scrap")
        else:
            scrap = 1 - self.quantity(row["yield"], f"{where}.yield")
        if not 0 <= scrap < 1:
            raise self.fail(where, f"{where}: scrap must be in [0, 1) (yield in (0, 1])")
        return ScrapRule(self.match(row, where), scrap)

    def add(self, where: str, row: Mapping[str, Any]) -> AddRule:
        material = self.text(row, "material", f"{where}.material")
        if material is None or "quantity" not in row or "unit" not in row:
            raise self.fail(where, f"{where} needs material, quantity and unit")
        quantity = self.quantity(row["quantity"], f"{where}.quantity")
        if quantity <= 0:
            raise self.fail(f"{where}.quantity", "an added quantity must be positive")
        use = self.text(row, "use", f"{where}.use") or "Consumable"
        return AddRule(
            material=material,
            quantity=quantity,
            unit=self.unit(row["unit"], f"{where}.unit"),
            operation=self.text(row, "operation", f"{where}.operation"),
            use=use,
            fixed=bool(row.get("fixed", False)),
            description=self.text(row, "description", f"{where}.description"),
        )

    def one_rounding(self, row: Mapping[str, Any], where: str, base: Rounding) -> Rounding:
        places = row.get("places", base.places)
        mode = row.get("mode", base.mode)
        name = str(mode).upper().replace("-", "_")
        name = name if name.startswith("ROUND_") else f"ROUND_{name}"
        if name not in _MODES:
            raise self.fail(f"{where}.mode", f"unknown rounding mode {mode!r}")
        if not isinstance(places, int) or isinstance(places, bool):
            raise self.fail(f"{where}.places", "places must be an integer")
        try:
            return Rounding(places, _MODES[name])
        except Isa95Error as exc:
            raise self.fail(where, exc.message) from None

    def rounding(self, table: Mapping[str, Any]) -> RoundingPolicy:
        default = self.one_rounding(table, "rounding", Rounding(6))
        units = self.table(table, "units")
        per_unit = {
            self.unit(code, f"rounding.units.{code}"): self.one_rounding(
                self.table(units, code), f"rounding.units.{code}", default
            )
            for code in units
        }
        return RoundingPolicy(default, per_unit)

    def ecos(self, eff: Mapping[str, Any]) -> frozenset[str] | None:
        value = eff.get("ecos")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("effectivity.ecos", "ecos must be a list of ECO numbers")
        return frozenset(value)
