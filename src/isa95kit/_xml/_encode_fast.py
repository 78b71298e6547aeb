"""Per-class encoding functions for the common case, compiled once from the wire tables.

The general :class:`~._encode.Encoder` handles everything (side records, nil, order,
mixed and unqualified content, located errors). Most instances need none of that: no side
record, fields of the declared types. For those, a closure per class writes the element
with its fields pre-bound, and hands anything unusual back to the general encoder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model._base import VALUE_ONLY
from ._tables import ClassSpec, FieldSpec, spec_of

if TYPE_CHECKING:
    from lxml import etree

    from ._encode import Encoder

__all__ = ["EncodeFn", "fast_encoder"]

EncodeFn = Callable[[Any, "etree._Element", str, "Encoder"], None]
_FNS: dict[int, EncodeFn | None] = {}


def fast_encoder(spec: ClassSpec) -> EncodeFn | None:
    """The fast function of a class, or None when the class always needs the general path."""
    key = id(spec)
    if key not in _FNS:
        eligible = not (spec.ordered or spec.mixed) and all(f.qualified for f in spec.fields)
        _FNS[key] = (_simple(spec) if spec.simple else _complex(spec)) if eligible else None
    return _FNS[key]


def _plain(obj: Any) -> bool:
    """True when the instance has no side record (nothing but its fields to write)."""
    private = obj.__pydantic_private__
    return private is None or private.get("_wire") is None


def _simple(spec: ClassSpec) -> EncodeFn:
    from lxml import etree

    sub = etree.SubElement
    attrs = tuple((f.name, f.tag, f) for f in spec.attrs.values())
    text_field = spec.text
    assert text_field is not None

    def encode_simple(obj: Any, parent: etree._Element, tag: str, enc: Encoder) -> None:
        d = obj.__dict__
        value = d["value"]
        el = sub(parent, tag)
        if obj.__pydantic_fields_set__ is not VALUE_ONLY:
            for name, atag, f in attrs:
                a = d[name]
                if a is not None:
                    el.set(atag, a if type(a) is str else enc.text_of(f, name, a, None))
        if type(value) is str:
            el.text = value
        elif value is None:
            raise enc.error(f"{type(obj).__name__}.value is required")
        else:
            el.text = enc.text_of(text_field, "value", value, None)

    return encode_simple


def _complex(spec: ClassSpec) -> EncodeFn:
    from lxml import etree

    sub = etree.SubElement
    attrs = tuple((f.name, f.tag, f) for f in spec.attrs.values())
    # extension and xsd:any items (no class here) always take the general path
    items = tuple(
        (f.name, f.clark, f.many, f.required, f.cls if f.kind == "E" else None, f)
        for f in spec.fields
        if f.kind in ("E", "X", "Y")
    )

    def encode_complex(obj: Any, parent: etree._Element, tag: str, enc: Encoder) -> None:
        d = obj.__dict__
        el = sub(parent, tag)
        for name, atag, f in attrs:
            a = d[name]
            if a is not None:
                el.set(atag, a if type(a) is str else enc.text_of(f, name, a, None))
        for name, clark, many, required, cls, f in items:
            value = d[name]
            if many:
                if not value:
                    if required and enc.require:
                        raise enc.error(f"{type(obj).__name__}.{name} needs at least one item")
                    continue
                for index, item in enumerate(value):
                    if type(item) is cls and _plain(item):
                        (f.enc or _bind(f))(item, el, clark, enc)
                    else:
                        enc.item(el, f, index, item, None)
            elif value is None:
                if required and enc.require:
                    raise enc.error(f"{type(obj).__name__}.{name} is required")
            elif type(value) is cls and _plain(value):
                (f.enc or _bind(f))(value, el, clark, enc)
            elif cls is None and f.kind == "E" and type(value) is str:
                sub(el, clark).text = value
            else:
                enc.item(el, f, 0, value, None)

    return encode_complex


def _bind(f: FieldSpec) -> EncodeFn:
    """The encoding function for a class-typed field's items (general path if none)."""
    assert f.cls is not None
    if f.spec is None:
        f.spec = spec_of(f.cls)
    fn = fast_encoder(f.spec)
    if fn is None:

        def general(obj: Any, parent: etree._Element, tag: str, enc: Encoder) -> None:
            enc.child(parent, tag, obj)

        fn = general
    f.enc = fn
    return fn
