"""Reading an M-BOM back from its provenance JSON (:func:`provenance_json`), so that a
reconciliation or an engineering change can start from an M-BOM written earlier."""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import os
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..errors import BomTransformError, Location
from ._mbom import Exclusion, InvariantIssue, LineKind, MBom, MBomLine, Provenance, TransformReport
from ._model import Operation
from ._rules import parse_quantity

__all__ = ["is_mbom_json", "read_mbom_json"]


def is_mbom_json(data: object) -> bool:
    """Whether parsed JSON looks like :func:`provenance_dict` output."""
    return isinstance(data, Mapping) and "product" in data and "lines" in data


class _Reader:
    def __init__(self, file: str | None) -> None:
        self.file = file

    def fail(self, path: str, message: str) -> BomTransformError:
        return BomTransformError(message, location=Location(file=self.file, path=path))

    def get(self, obj: Any, key: str, path: str, kind: type | tuple[type, ...] = str) -> Any:
        if not isinstance(obj, Mapping) or key not in obj:
            raise self.fail(f"{path}.{key}", f"missing {key!r}")
        value = obj[key]
        if not isinstance(value, kind):
            raise self.fail(f"{path}.{key}", f"{key!r} has the wrong type")
        return value

    def opt(self, obj: Mapping[str, Any], key: str, path: str) -> str | None:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{path}.{key}", f"{key!r} must be a string")
        return value

    def qty(self, obj: Mapping[str, Any], key: str, path: str) -> Fraction:
        try:
            return parse_quantity(self.get(obj, key, path), key)
        except ValueError as exc:
            raise self.fail(f"{path}.{key}", str(exc)) from None

    def provenance(self, p: Any, path: str) -> Provenance:
        return Provenance(
            path=tuple(self.get(p, "path", path, list)),
            sources=tuple(self.get(p, "sources", path, list)),
            quantity=self.qty(p, "quantity", path),
            net=self.qty(p, "net", path),
            scrap=self.qty(p, "scrap", path),
            find_numbers=tuple(self.get(p, "find_numbers", path, list)),
            assignment=self.get(p, "assignment", path),
            share=self.qty(p, "share", path),
        )

    def line(self, row: Any, path: str) -> MBomLine:
        try:
            rounded = decimal.Decimal(self.get(row, "quantity", path))
            kind = LineKind(self.get(row, "kind", path))
        except (decimal.InvalidOperation, ValueError) as exc:
            raise self.fail(path, f"bad line: {exc}") from None
        net = row.get("net")
        return MBomLine(
            id=self.get(row, "id", path),
            material=self.get(row, "material", path),
            operation=self.opt(row, "operation", path),
            quantity=self.qty(row, "exact", path),
            unit=self.get(row, "unit", path),
            rounded=rounded,
            kind=kind,
            provenance=tuple(
                self.provenance(p, f"{path}.provenance[{k}]")
                for k, p in enumerate(self.get(row, "provenance", path, list))
            ),
            fixed=bool(row.get("fixed", False)),
            net=None if net is None else self.qty(row, "net", path),
            material_use=self.opt(row, "use", path) or "Consumed",
        )

    def mbom(self, data: Any) -> MBom:
        if not is_mbom_json(data):
            raise self.fail("$", "not an M-BOM provenance JSON (no product and lines)")
        at = data.get("at")
        try:
            date = _dt.date.fromisoformat(at) if at else None
        except (TypeError, ValueError):
            raise self.fail("$.at", f"{at!r} is not a date") from None
        report = TransformReport(
            steps=[str(s) for s in data.get("steps", [])],
            excluded=[
                Exclusion(e["reason"], tuple(e["path"]), e.get("source"), e.get("detail", ""))
                for e in data.get("excluded", [])
            ],
            phantoms=[tuple(p) for p in data.get("phantoms", [])],
            issues=[
                InvariantIssue(i["code"], i["message"], i.get("material"))
                for i in data.get("issues", [])
            ],
        )
        return MBom(
            product=self.get(data, "product", "$"),
            revision=self.opt(data, "revision", "$"),
            base_quantity=self.qty(data, "base_quantity", "$"),
            unit=self.get(data, "unit", "$"),
            routing=[
                Operation(
                    self.get(op, "id", f"$.routing[{k}]"),
                    int(self.get(op, "sequence", f"$.routing[{k}]", int)),
                    self.opt(op, "description", f"$.routing[{k}]"),
                )
                for k, op in enumerate(self.get(data, "routing", "$", list))
            ],
            lines=[
                self.line(row, f"$.lines[{k}]")
                for k, row in enumerate(self.get(data, "lines", "$", list))
            ],
            unassigned=[
                self.line(row, f"$.unassigned[{k}]")
                for k, row in enumerate(data.get("unassigned", []))
            ],
            report=report,
            at=date,
            serial=self.opt(data, "serial", "$"),
            lot=self.opt(data, "lot", "$"),
        )


def read_mbom_json(source: str | os.PathLike[str] | Mapping[str, Any]) -> MBom:
    """An :class:`MBom` from the provenance JSON of ``bom transform --format json`` (a path
    or the parsed data). Routing operations keep id, sequence and description only."""
    if isinstance(source, Mapping):
        return _Reader(None).mbom(source)
    file = os.fspath(source)
    try:
        with open(file, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        from .._source import source_error

        raise source_error(file, exc) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BomTransformError(f"not valid JSON: {exc}", location=Location(file=file)) from None
    try:
        return _Reader(file).mbom(data)
    except (KeyError, TypeError) as exc:
        raise BomTransformError(
            f"not an M-BOM provenance JSON: {exc}", location=Location(file=file)
        ) from None
