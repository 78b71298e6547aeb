"""Readers of E-BOMs: the PLM CSV export, the routing CSV and JSON.

Every problem raises :class:`BomTransformError` naming the file, line and column (CSV) or
the JSON path; quantities are read exactly (never through ``float``).
"""

from __future__ import annotations

import csv
import datetime as _dt
import decimal
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from typing import IO, Any, Union

from ..errors import BomTransformError, Isa95Error, Location
from ..units import normalize_unit
from ._model import Bom, ItemType, Occurrence, Operation, Part
from ._rules import CSV_COLUMNS, CSV_OPTIONAL, ROUTING_COLUMNS, Rules, parse_quantity

__all__ = ["read_csv", "read_json", "read_routing_csv"]

TextSource = Union[str, "os.PathLike[str]", IO[str]]

#: the columns a PLM CSV must have (the other default columns may be absent)
REQUIRED = ("parent", "child", "quantity", "unit")
_DURATION = re.compile(
    r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?\Z"
)
_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}


def _open(source: TextSource) -> tuple[IO[str], str | None, bool]:
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            return open(path, encoding="utf-8-sig", newline=""), path, True
        except OSError as exc:
            from .._source import source_error

            raise source_error(path, exc) from None
    if callable(getattr(source, "read", None)):
        return source, getattr(source, "name", None), False
    raise BomTransformError(f"cannot read a {type(source).__name__}: give a path or a text file")


class _Rows:
    """CSV rows as dicts of canonical column → text, with the line of each row."""

    def __init__(
        self,
        source: TextSource,
        names: Mapping[str, str],
        known: Iterable[str],
        required: Iterable[str],
    ) -> None:
        self.fh, self.file, self.owned = _open(source)
        self.reader = csv.reader(self.fh)
        try:
            header = next(self.reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            self.close()
            raise BomTransformError(
                f"not a CSV file: {exc}", location=Location(self.file, 1)
            ) from None
        if header is None:
            self.close()
            raise BomTransformError("the CSV file is empty", location=Location(self.file, 1))
        header = [h.strip() for h in header]
        self.index: dict[str, int] = {}
        for name in known:
            wanted = names.get(name, name)
            if wanted in header:
                self.index[name] = header.index(wanted)
        for name in required:
            if name not in self.index:
                self.close()
                raise BomTransformError(
                    f"missing column {names.get(name, name)!r} (the {name} column); "
                    f"the header has {', '.join(header)}",
                    location=Location(self.file, 1),
                )

    def close(self) -> None:
        if self.owned:
            self.fh.close()

    def column(self, name: str) -> int:
        return self.index[name] + 1

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        index = self.index
        try:
            for row in self.reader:
                if not row or all(not cell.strip() for cell in row):
                    continue
                yield (
                    self.reader.line_num,
                    {name: row[i].strip() if i < len(row) else "" for name, i in index.items()},
                )
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BomTransformError(
                f"bad CSV: {exc}", location=Location(self.file, self.reader.line_num)
            ) from None
        finally:
            self.close()


def _fail(rows: _Rows, line: int, name: str, message: str) -> BomTransformError:
    col = rows.index.get(name)
    return BomTransformError(
        f"column {name}: {message}",
        location=Location(rows.file, line, None if col is None else col + 1),
    )


def read_csv(
    source: TextSource,
    *,
    routing: TextSource | None = None,
    rules: Rules | None = None,
    product: str | None = None,
) -> Bom:
    """Read a PLM CSV export (one row per occurrence; see ``docs/bom.md`` for the columns).

    A row with an empty ``parent`` declares the part ``child`` (its unit, type, revision and
    ``quantity`` as base quantity). Every other part is declared by its first use.
    """
    rules = rules or Rules()
    rows = _Rows(source, rules.columns, CSV_COLUMNS + CSV_OPTIONAL, REQUIRED)
    parts: dict[str, Part] = {}
    occurrences: list[Occurrence] = []
    file = rows.file or "<csv>"
    for line, row in rows:
        child = row["child"]
        if not child:
            raise _fail(rows, line, "child", "the row names no child part")
        unit = _unit(rows, line, "unit", row["unit"])
        quantity = _number(rows, line, "quantity", row["quantity"])
        item_type = _type(rows, line, row.get("type", ""))
        revision = row.get("revision") or None
        description = row.get("description") or None
        base = row.get("base_quantity", "")
        base_quantity = _number(rows, line, "base_quantity", base) if base else None
        if not row["parent"]:
            if base_quantity is None:
                base_quantity = quantity
            if base_quantity <= 0:
                raise _fail(rows, line, "quantity", "a base quantity must be positive")
            parts[child] = Part(
                child,
                unit,
                item_type or ItemType.MAKE,
                revision,
                description,
                base_quantity,
                source=f"{file}:{line}",
            )
            continue
        if child not in parts:
            parts[child] = Part(
                child,
                unit,
                item_type or ItemType.BUY,
                revision,
                description,
                base_quantity or Fraction(1),
            )
        occurrences.append(
            Occurrence(
                parent=row["parent"],
                child=child,
                quantity=quantity,
                unit=unit,
                find_number=row.get("find_number") or None,
                item_type=item_type,
                operation=row.get("operation") or None,
                scrap=_scrap(rows, line, row.get("scrap_percent", "")),
                effective_from=_date(rows, line, "effective_from", row.get("effective_from", "")),
                effective_to=_date(rows, line, "effective_to", row.get("effective_to", "")),
                eco=row.get("eco") or None,
                source=f"{file}:{line}",
                serial_from=row.get("serial_from") or None,
                serial_to=row.get("serial_to") or None,
                lot_from=row.get("lot_from") or None,
                lot_to=row.get("lot_to") or None,
                fixed=_flag(rows, line, row.get("fixed", "")),
                alternate_group=row.get("alternate_group") or None,
                priority=_int(rows, line, "priority", row.get("priority", "")) or 0,
                revision=revision,
            )
        )
    return _finish(parts, occurrences, routing, rules, product, file)


def _finish(
    parts: dict[str, Part],
    occurrences: list[Occurrence],
    routing: TextSource | None,
    rules: Rules,
    product: str | None,
    file: str | None,
) -> Bom:
    bom = Bom(parts=parts, occurrences=occurrences, source=file)
    for parent in bom.roots():
        if parent not in parts:
            parts[parent] = Part(parent, "EA", ItemType.MAKE)
    for occ in occurrences:
        if occ.parent not in parts:
            parts[occ.parent] = Part(occ.parent, "EA", ItemType.MAKE)
    bom.root = product or rules.product
    if routing is not None:
        bom.routing = read_routing_csv(routing, rules=rules)
    return bom


def _number(rows: _Rows, line: int, name: str, text: str) -> Fraction:
    try:
        value = parse_quantity(text, name)
    except ValueError as exc:
        raise _fail(rows, line, name, str(exc)) from None
    if value < 0:
        raise _fail(rows, line, name, f"{name} {text!r} is negative")
    return value


def _unit(rows: _Rows, line: int, name: str, text: str) -> str:
    if not text:
        raise _fail(rows, line, name, "the unit is empty")
    try:
        return normalize_unit(text)
    except Isa95Error as exc:
        raise _fail(rows, line, name, f"unknown unit {text!r} ({exc.message})") from None


def _type(rows: _Rows, line: int, text: str) -> ItemType | None:
    if not text:
        return None
    try:
        return ItemType(text.lower())
    except ValueError:
        known = ", ".join(t.value for t in ItemType)
        raise _fail(rows, line, "type", f"unknown item type {text!r} ({known})") from None


def _scrap(rows: _Rows, line: int, text: str) -> Fraction:
    if not text:
        return Fraction(0)
    percent = _number(rows, line, "scrap_percent", text.rstrip("%"))
    if percent >= 100:
        raise _fail(rows, line, "scrap_percent", f"scrap {text!r} must be below 100 %")
    return percent / 100


def _date(rows: _Rows, line: int, name: str, text: str) -> _dt.date | None:
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        raise _fail(rows, line, name, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _flag(rows: _Rows, line: int, text: str) -> bool:
    low = text.lower()
    if low in _TRUE or low in _FALSE:
        return low in _TRUE
    raise _fail(rows, line, "fixed", f"{text!r} is not a yes/no flag")


def _int(rows: _Rows, line: int, name: str, text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise _fail(rows, line, name, f"{text!r} is not an integer") from None


def read_routing_csv(source: TextSource, *, rules: Rules | None = None) -> list[Operation]:
    """Read a routing CSV: ``operation, sequence, description, work_center, duration``
    (ISO 8601 standard time such as ``PT12M``); returned in sequence order."""
    rules = rules or Rules()
    rows = _Rows(source, rules.routing_columns, ROUTING_COLUMNS, ("operation", "sequence"))
    ops: dict[str, Operation] = {}
    file = rows.file or "<csv>"
    for line, row in rows:
        op = row["operation"]
        if not op:
            raise _fail(rows, line, "operation", "the row names no operation")
        if op in ops:
            raise _fail(rows, line, "operation", f"operation {op!r} is listed twice")
        sequence = _int(rows, line, "sequence", row["sequence"])
        if sequence is None:
            raise _fail(rows, line, "sequence", "the sequence is empty")
        duration = row.get("duration") or None
        if duration is not None and not _DURATION.match(duration):
            raise _fail(rows, line, "duration", f"{duration!r} is not an ISO 8601 duration (PT5M)")
        ops[op] = Operation(
            op,
            sequence,
            row.get("description") or None,
            row.get("work_center") or None,
            duration,
            source=f"{file}:{line}",
        )
    return sorted(ops.values(), key=lambda o: o.sequence)


# -- JSON ------------------------------------------------------------------------------


def read_json(
    source: TextSource | bytes, *, rules: Rules | None = None, product: str | None = None
) -> Bom:
    """Read an E-BOM from JSON: ``{"product", "parts": [...], "occurrences": [...],
    "routing": [...]}`` with the CSV's field names (``docs/bom.md``). Numbers are read as
    exact decimals; every occurrence's child must be a declared part."""
    file: str | None = None
    if isinstance(source, bytes):
        raw = source.decode("utf-8")
    else:
        fh, file, owned = _open(source)
        try:
            raw = fh.read()
        finally:
            if owned:
                fh.close()
    try:
        data = json.loads(raw, parse_float=decimal.Decimal)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        raise BomTransformError(
            f"not valid JSON: {exc}", location=Location(file, line, col)
        ) from None
    return _JsonBom(file, rules or Rules()).build(data, product)


class _JsonBom:
    def __init__(self, file: str | None, rules: Rules) -> None:
        self.file = file
        self.rules = rules

    def fail(self, path: str, message: str) -> BomTransformError:
        return BomTransformError(message, location=Location(self.file, path=path))

    def get(self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> Any:
        value = obj.get(key)
        if value is None and required:
            raise self.fail(f"{path}.{key}", f"missing {key}")
        return value

    def text(
        self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = False
    ) -> str | None:
        value = self.get(obj, key, path, required=required)
        if value is None or value == "":
            if required:
                raise self.fail(f"{path}.{key}", f"{key} is empty")
            return None
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", f"{key} must be a string")
        return value

    def number(self, value: Any, path: str) -> Fraction:
        try:
            result = parse_quantity(value, path.rsplit(".", 1)[-1])
        except ValueError as exc:
            raise self.fail(path, str(exc)) from None
        if result < 0:
            raise self.fail(path, f"{value} is negative")
        return result

    def unit(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(path, "the unit must be a non-empty string")
        try:
            return normalize_unit(value)
        except Isa95Error as exc:
            raise self.fail(path, f"unknown unit {value!r} ({exc.message})") from None

    def kind(self, value: Any, path: str) -> ItemType | None:
        if value is None:
            return None
        try:
            return ItemType(str(value).lower())
        except ValueError:
            raise self.fail(path, f"unknown item type {value!r}") from None

    def flag(self, value: Any, path: str) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise self.fail(path, f"{value!r} is not a yes/no flag")

    def date(self, value: Any, path: str) -> _dt.date | None:
        if value is None or value == "":
            return None
        try:
            return _dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise self.fail(path, f"{value!r} is not a date (YYYY-MM-DD)") from None

    def rows(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"$.{key}", f"{key} must be an array of objects")
        return value

    def build(self, data: Any, product: str | None) -> Bom:
        if not isinstance(data, Mapping):
            raise self.fail("$", "the top level must be an object")
        parts: dict[str, Part] = {}
        for i, row in enumerate(self.rows(data, "parts")):
            path = f"$.parts[{i}]"
            pid = self.text(row, "id", path, required=True)
            assert pid is not None
            base = row.get("base_quantity")
            factors = row.get("factors", [])
            if not isinstance(factors, list) or not all(isinstance(f, str) for f in factors):
                raise self.fail(f"{path}.factors", "factors must be strings ('1 BX = 12 EA')")
            parts[pid] = Part(
                pid,
                self.unit(row.get("unit"), f"{path}.unit"),
                self.kind(row.get("type"), f"{path}.type") or ItemType.BUY,
                self.text(row, "revision", path),
                self.text(row, "description", path),
                Fraction(1) if base is None else self.number(base, f"{path}.base_quantity"),
                tuple(factors),
                source=f"{self.file or '<json>'}#{path}",
            )
        occurrences = [
            self.occurrence(i, row, parts) for i, row in enumerate(self.rows(data, "occurrences"))
        ]
        routing = [self.operation(i, row) for i, row in enumerate(self.rows(data, "routing"))]
        bom = Bom(parts, occurrences, sorted(routing, key=lambda o: o.sequence), source=self.file)
        bom.root = product or self.text(data, "product", "$") or self.rules.product
        return bom

    def occurrence(self, i: int, row: Mapping[str, Any], parts: Mapping[str, Part]) -> Occurrence:
        path = f"$.occurrences[{i}]"
        parent = self.text(row, "parent", path, required=True)
        child = self.text(row, "child", path, required=True)
        assert parent is not None and child is not None
        for key, pid in (("parent", parent), ("child", child)):
            if pid not in parts:
                raise self.fail(f"{path}.{key}", f"{key} {pid!r} is not a declared part")
        scrap = row.get("scrap_percent")
        scrap_value = (
            Fraction(0) if scrap is None else self.number(scrap, f"{path}.scrap_percent") / 100
        )
        if scrap_value >= 1:
            raise self.fail(f"{path}.scrap_percent", "scrap must be below 100 %")
        priority = row.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise self.fail(f"{path}.priority", "priority must be an integer")
        return Occurrence(
            parent=parent,
            child=child,
            quantity=self.number(
                self.get(row, "quantity", path, required=True), f"{path}.quantity"
            ),
            unit=self.unit(row.get("unit"), f"{path}.unit"),
            find_number=self.text(row, "find_number", path),
            item_type=self.kind(row.get("type"), f"{path}.type"),
            operation=self.text(row, "operation", path),
            scrap=scrap_value,
            effective_from=self.date(row.get("effective_from"), f"{path}.effective_from"),
            effective_to=self.date(row.get("effective_to"), f"{path}.effective_to"),
            eco=self.text(row, "eco", path),
            source=f"{self.file or '<json>'}#{path}",
            serial_from=self.text(row, "serial_from", path),
            serial_to=self.text(row, "serial_to", path),
            lot_from=self.text(row, "lot_from", path),
            lot_to=self.text(row, "lot_to", path),
            fixed=self.flag(row.get("fixed", False), f"{path}.fixed"),
            alternate_group=self.text(row, "alternate_group", path),
            priority=priority,
            revision=self.text(row, "revision", path),
        )

    def operation(self, i: int, row: Mapping[str, Any]) -> Operation:
        path = f"$.routing[{i}]"
        op = self.text(row, "id", path, required=True)
        assert op is not None
        seq = row.get("sequence")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise self.fail(f"{path}.sequence", "sequence must be an integer")
        duration = self.text(row, "duration", path)
        if duration is not None and not _DURATION.match(duration):
            raise self.fail(f"{path}.duration", f"{duration!r} is not an ISO 8601 duration")
        return Operation(
            op,
            seq,
            self.text(row, "description", path),
            self.text(row, "work_center", path),
            duration,
            source=f"{self.file or '<json>'}#{path}",
        )
