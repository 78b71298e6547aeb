"""Convert every quantity of a typed B2MML document to target units.

The walker is generic over pydantic models: any object with the fields ``quantity_string``
and ``unit_of_measure`` (B2MML ``QuantityValueType``: ``Quantity`` of material, equipment,
personnel, physical-asset requirements and actuals, lot quantities, ...) is a quantity.
The material a quantity belongs to is the nearest enclosing object with a
``material_definition_id`` (or ``material_class_id``) field.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import Isa95Error, Location, UnitError
from ._aliases import normalize_unit
from ._convert import Rounding, convert, to_decimal
from ._material import MaterialLike, as_material
from ._registry import lookup

__all__ = ["DocumentConversion", "convert_document"]

T = TypeVar("T")


@dataclass
class DocumentConversion:
    """What :func:`convert_document` did: converted, unchanged and skipped quantities."""

    converted: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def convert_document(
    document: T,
    targets: Iterable[str] = (),
    *,
    materials: Mapping[str, MaterialLike] | None = None,
    material_targets: Mapping[str, str] | None = None,
    rounding: Rounding | None = None,
    strict: bool = True,
    copy: bool = True,
    report: DocumentConversion | None = None,
) -> T:
    """A copy of ``document`` with every quantity in a target unit.

    ``targets``: one unit per dimension (``["KGM", "LTR", "H87"]``): a quantity is converted
    to the target of its own dimension, others are left as they are. ``materials``: factors
    per material ID (``{"M-100": "BX=12EA"}`` or a ``MaterialDefinition``);
    ``material_targets``: a target unit per material ID (``{"M-100": "EA"}``), which wins
    over ``targets`` and may cross dimensions through that material's factors.
    ``rounding``: applied to every converted value (without it an inexact result raises).
    ``strict=False`` skips quantities that cannot be read or converted instead of raising;
    pass ``report`` to learn what was converted and skipped. ``copy=False`` converts in place.
    """
    by_dimension: dict[str, str] = {}
    for target in targets:
        code = normalize_unit(target)
        info = lookup(code)
        assert info is not None
        key = info.dimension_key
        if key in by_dimension and by_dimension[key] != code:
            raise UnitError(f"two targets for one dimension: {by_dimension[key]} and {code}")
        by_dimension[key] = code
    per_material = {k: normalize_unit(v) for k, v in (material_targets or {}).items()}
    factors = {k: as_material(v) for k, v in (materials or {}).items()}
    result = _copy.deepcopy(document) if copy else document
    done = report if report is not None else DocumentConversion()
    for path, holder, material in _quantities(result, "", None):
        try:
            _convert_one(holder, material, by_dimension, per_material, factors, rounding, done)
        except Isa95Error as exc:
            if strict:
                raise type(exc)(exc.message, location=Location(path=path)) from exc
            done.skipped.append((path, exc.message))
    return result


def _convert_one(
    holder: Any,
    material: str | None,
    by_dimension: dict[str, str],
    per_material: dict[str, str],
    factors: Mapping[str, Any],
    rounding: Rounding | None,
    done: DocumentConversion,
) -> None:
    text, uom = _value(holder.quantity_string), holder.unit_of_measure
    unit = _value(uom)
    if not text or not unit:
        raise UnitError("quantity without a value or a unit")
    list_id = getattr(uom, "list_id", None)
    code = normalize_unit(unit, list_id=list_id)
    info = lookup(code)
    assert info is not None
    target = per_material.get(material or "") or by_dimension.get(info.dimension_key)
    if target is None or (target == code and unit == code):
        done.unchanged += 1
        return
    if target != code:  # same unit in another spelling: the value stays as written
        value = convert(
            to_decimal(text),
            code,
            target,
            material=factors.get(material or ""),
            rounding=rounding,
        )
        holder.quantity_string = _with_value(holder.quantity_string, format(value, "f"))
    new_uom = _with_value(uom, target)
    if getattr(uom, "list_id", None) is not None:
        new_uom = _update(new_uom, list_id="UNECERec20", list_agency_id="6")
    holder.unit_of_measure = new_uom
    done.converted += 1


def _value(obj: Any) -> str | None:
    if obj is None or isinstance(obj, str):
        return obj
    value = getattr(obj, "value", None)
    return value.strip() if isinstance(value, str) else None


def _update(obj: Any, **changes: Any) -> Any:
    return obj.model_copy(update=changes) if hasattr(obj, "model_copy") else changes


def _with_value(obj: Any, value: str) -> Any:
    return _update(obj, value=value) if hasattr(obj, "model_copy") else value


def _quantities(obj: Any, path: str, material: str | None) -> Iterator[tuple[str, Any, str | None]]:
    """``(path, holder, material id)`` for every quantity under ``obj``."""
    fields = getattr(type(obj), "model_fields", None)
    if fields is None:
        return
    own = _material_of(obj)
    if own is not None:
        material = own
    if (
        "quantity_string" in fields
        and "unit_of_measure" in fields
        and (obj.unit_of_measure is not None or obj.quantity_string is not None)
    ):
        yield path or "/", obj, material
    for name, info in fields.items():
        value = getattr(obj, name, None)
        tag = info.alias or name
        if isinstance(value, list):
            for index, item in enumerate(value, 1):
                yield from _quantities(item, f"{path}/{tag}[{index}]", material)
        elif value is not None:
            yield from _quantities(value, f"{path}/{tag}", material)


def _material_of(obj: Any) -> str | None:
    for name in ("material_definition_id", "material_class_id"):
        value = getattr(obj, name, None)
        if isinstance(value, list):
            value = value[0] if value else None
        text = _value(value)
        if text:
            return text
    return None
