"""JSON Schema of the Pythonic model (pydantic's shape), for users who want that shape.

This is *not* B2MML-JSON: it describes ``model.model_dump(mode="json")`` (snake_case
field names, simple content as ``{"value": ..., "scheme_id": ...}``, decimals as strings,
``extended`` lists of ``AnyElement``). ``docs/json.md`` compares the two shapes.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .._xml._tables import resolve_class
from ..errors import ProfileError
from ..model._base import B2MMLModel, Nil
from ..model._registry import ELEMENTS

__all__ = ["model_json_schema"]


class _Generator(GenerateJsonSchema):
    """pydantic's generator, plus ``NIL`` (an ``xsi:nil`` element) written as ``null``."""

    def is_instance_schema(self, schema: core_schema.IsInstanceSchema) -> JsonSchemaValue:
        if schema["cls"] is Nil:
            return {"type": "null", "description": "xsi:nil (NIL)"}
        return super().is_instance_schema(schema)


def model_json_schema(
    cls: type[B2MMLModel] | str,
    *,
    mode: Literal["serialization", "validation"] = "serialization",
    by_alias: bool = False,
) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a model class or global element, in pydantic's shape.

    ``mode="serialization"`` (default) describes ``instance.model_dump(mode="json")``;
    ``"validation"`` what ``Class.model_validate`` accepts. ``by_alias=True`` uses the
    B2MML names as keys (``model_dump(by_alias=True)``). For MESA's B2MML-JSON shape use
    MESA's ``AllSchemas.json`` with the patches listed in ``docs/json.md``.
    """
    if isinstance(cls, str):
        name = ELEMENTS.get(cls)
        if name is None:
            raise ProfileError(f"{cls!r} is not a global B2MML V0701 element")
        cls = resolve_class(name)
    if not (isinstance(cls, type) and issubclass(cls, B2MMLModel)):
        raise TypeError(f"expected a B2MML model class, got {cls!r}")
    cls.model_rebuild()
    schema = cls.model_json_schema(by_alias=by_alias, mode=mode, schema_generator=_Generator)
    schema["$schema"] = _Generator.schema_dialect
    return schema
