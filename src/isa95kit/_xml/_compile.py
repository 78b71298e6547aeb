"""Per-class decoding functions, compiled once from the wire tables.

Each class gets a closure ``fn(el, ctx)`` holding everything it needs in local
variables (its template, child table, leaf codec), so the per-element cost is a few
dictionary operations and one instance construction. Rare situations (attributes,
unknown content, nil, errors) are delegated to the :class:`~._decode.Decoder` context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model._base import VALUE_ONLY, shared_fields_set
from ._side import Side
from ._tables import EXT_NS, ClassSpec, FieldSpec, spec_of

if TYPE_CHECKING:
    from lxml import etree

    from ._decode import Decoder

__all__ = ["DecodeFn", "bind", "decoder_for"]

DecodeFn = Callable[["etree._Element", "Decoder"], Any]
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_new = object.__new__
_set = object.__setattr__

_FNS: dict[int, DecodeFn] = {}
STR = "str"


def decoder_for(spec: ClassSpec) -> DecodeFn:
    fn = _FNS.get(id(spec))
    if fn is None:
        fn = _FNS[id(spec)] = _simple(spec) if spec.simple else _complex(spec)
    return fn


def _child_fn(f: FieldSpec) -> DecodeFn:
    """The decoding function of a child field's class (resolved on first use)."""
    assert f.cls is not None
    if f.spec is None:
        f.spec = spec_of(f.cls)
    return decoder_for(f.spec)


def _simple(spec: ClassSpec) -> DecodeFn:
    template = spec.template
    cls = spec.cls
    text_field = spec.text
    assert text_field is not None and text_field.leaf is not None
    codec = text_field.leaf
    is_str = codec.kind == "str"
    parse, fmt, exact = codec.parse, codec.fmt, codec.exact
    has_required = bool(spec.required)

    def decode_simple(el: etree._Element, ctx: Decoder) -> Any:
        share = ctx.share
        d = template.copy()
        text = el.text
        if len(el):  # comments or processing instructions split the text: keep all of it
            text = ctx.no_children(el)
        if text is None:
            text = ""
        side = None
        if is_str:
            # one object per distinct short text (units, data types, IDs repeat a lot)
            d["value"] = share(text, text) if len(text) < 40 else text
        else:
            try:
                value = d["value"] = parse(text)
            except ValueError as exc:
                raise ctx.error(el, f"bad value in {_local(el.tag)}: {exc}") from None
            if not exact and fmt(value) != text:
                side = Side()
                side.add_lex("value", value, text)
        fs: set[str] = VALUE_ONLY
        if el.attrib:
            fs = {"value"}
            side = ctx.attributes(el, spec, d, fs, side)
        if has_required:
            ctx.check_required(el, spec, fs)
        obj = _new(cls)
        _set(obj, "__dict__", d)
        _set(obj, "__pydantic_fields_set__", fs)
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None if side is None else {"_wire": side})
        return obj

    return decode_simple


def _complex(spec: ClassSpec) -> DecodeFn:
    template = spec.template
    cls = spec.cls
    lists = spec.lists
    #: tag -> (name, order, many, fast, nillable, field); ``fast``: a class-typed child,
    #: or ``STR`` for a plain-string leaf element
    table = {
        tag: (
            f.name,
            f.order,
            f.many,
            True
            if f.cls is not None
            else STR
            if f.leaf is not None and f.leaf.kind == "str"
            else False,
            f.nillable,
            f,
        )
        for tag, f in spec.elements.items()
    }
    table_get = table.get
    general = spec.ordered or spec.mixed
    has_required = bool(spec.required)
    #: extension elements come last: a known element after one is out of order
    ext = spec.ext_field
    ext_prefix = "{" + EXT_NS + "}" if ext is not None else None
    ext_order = ext.order if ext is not None else -1

    def decode_complex(el: etree._Element, ctx: Decoder) -> Any:
        d = template.copy()
        for name in lists:
            d[name] = []
        fs: set[str] = set()
        side: Side | None = None
        if general:
            side = ctx.general_children(el, spec, d, fs)
        else:
            text = el.text
            if text is not None and not text.isspace():
                raise ctx.error(el, f"unexpected text {text.strip()[:40]!r} in {_local(el.tag)}")
            last = -1
            prefix = el.prefix
            for child in el:
                tail = child.tail  # text between children: element-only content has none
                if tail is not None and not tail.isspace():
                    raise ctx.text_error(el, tail)
                entry = table_get(child.tag)
                if entry is None:
                    if isinstance(child.tag, str):
                        side = ctx.other_child(el, child, spec, d, fs, side)
                        if ext_prefix is not None and child.tag.startswith(ext_prefix):
                            last = ext_order
                    elif ctx.refs:  # an element decoded ahead by the streaming reader
                        ctx.ref_child(child, spec, d, fs)
                    continue  # comments and processing instructions are not data
                name, order, many, fast, nillable, f = entry
                if order < last:
                    raise ctx.order_error(el, child, spec, f, last)
                last = order
                fn = f.fn
                if nillable and child.get(XSI_NIL) is not None:
                    side, value = ctx.child(child, f, d, side, prefix)
                elif fn is not None:
                    value = fn(child, ctx)
                    if child.prefix != prefix:
                        ctx.keep_prefix(child, value)
                elif fast is STR and not len(child):
                    value = child.text or ""
                else:
                    side, value = ctx.child(child, f, d, side, prefix)
                if many:
                    d[name].append(value)
                elif name in fs:
                    raise ctx.error(
                        child, f"{_local(child.tag)} may occur only once in {_local(el.tag)}"
                    )
                else:
                    d[name] = value
                fs.add(name)
        if el.attrib:
            side = ctx.attributes(el, spec, d, fs, side)
        if has_required:
            ctx.check_required(el, spec, fs)
        obj = _new(cls)
        _set(obj, "__dict__", d)
        _set(obj, "__pydantic_fields_set__", shared_fields_set(fs))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None if side is None else {"_wire": side})
        return obj

    return decode_complex


def bind(f: FieldSpec) -> DecodeFn:
    """Bind (once) and return the decoding function of a class-typed field."""
    fn: DecodeFn | None = f.fn
    if fn is None:
        fn = f.fn = _child_fn(f)
    return fn


def _local(tag: Any) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else str(tag)

