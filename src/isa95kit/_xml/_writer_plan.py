"""Per-class handlers of the string writer, compiled once from the wire tables.

A handler writes one element of one class under one field, with the start and end tags,
attribute prefixes and child handlers precomputed for the prefix the B2MML namespace has
there (``"b2mml:ID"`` or ``"ID"``). It covers what ``_encode_fast`` covers in the tree
encoder -- instances without a side record, of the declared types, in classes without
order, mixed or unqualified content -- and hands anything else to the general
:class:`~._writer.Writer` methods. Elements a handler writes declare nothing, so they
share their parent's namespace :class:`~._writer_ns.Frame`.

Two variants exist: compact, and pretty-printed (``lv``: the level to indent at).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from itertools import compress, repeat
from operator import is_not
from typing import TYPE_CHECKING, Any

from ..model._base import VALUE_ONLY, AnyElement, Nil
from ._tables import ClassSpec, FieldSpec, spec_of
from ._writer_ns import Frame, NeedsTree

if TYPE_CHECKING:
    from ._writer import Writer

__all__ = ["Handler", "handler_for"]

Handler = Callable[[Any, "Writer", Frame, int], None]
_HANDLERS: dict[tuple[int, str | None, bool, bool], Handler | None] = {}

_CLASS, _LEAF, _GENERAL = 0, 1, 2


def handler_for(
    f: FieldSpec, prefix: str | None, pretty: bool, escape: bool, spec: ClassSpec | None = None
) -> Handler | None:
    """The handler writing ``f``'s items (of class ``f.cls``) with the B2MML namespace bound
    to ``prefix`` (None: default namespace), or None when the class needs the general path."""
    key = (id(f), prefix, pretty, escape)
    try:
        return _HANDLERS[key]
    except KeyError:
        pass
    assert f.cls is not None
    if spec is None:
        spec = f.spec if f.spec is not None else spec_of(f.cls)
    eligible = not (spec.ordered or spec.mixed) and all(g.qualified for g in spec.fields)
    fn: Handler | None = None
    if eligible:
        make = _simple if spec.simple else _complex
        fn = make(spec, f.tag, prefix, pretty, escape)
    _HANDLERS[key] = fn
    return fn


def _attr_plan(spec: ClassSpec) -> tuple[tuple[str, str, FieldSpec], ...]:
    return tuple((g.name, f' {g.tag}="', g) for g in spec.attrs.values())


_NONES = repeat(None)


def _getter(names: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """``d -> (d[name], ...)`` for ``names``, always a tuple, in one C call."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        only = names[0]
        return lambda d: (d[only],)
    return lambda d: ()


def _enum_texts(f: FieldSpec | None) -> dict[Any, str]:
    """Member -> written text for an enumeration-typed value (``Encoder.text_of``)."""
    if f is None or f.enum is None:
        return {}
    return {m: str(m.value) for m in f.enum}


def _inline(cls: Any) -> tuple[bool, dict[Any, str]] | None:
    """For a simple-content class a parent writes inline when only ``value`` is set:
    (whether it has attributes, its enumeration texts); None for other classes."""
    if cls is None or cls is AnyElement:
        return None
    spec = spec_of(cls)
    if not spec.simple or spec.ordered or spec.mixed or not all(g.qualified for g in spec.fields):
        return None
    return bool(spec.attrs), _enum_texts(spec.text)


def _simple(spec: ClassSpec, tag: str, prefix: str | None, pretty: bool, escape: bool) -> Handler:
    from ._writer import _TEXT_ESCAPES, INDENT

    name = tag if prefix is None else f"{prefix}:{tag}"
    attrs = _attr_plan(spec)
    text_field = spec.text
    assert text_field is not None
    enum_text = _enum_texts(text_field)
    open_ = "<" + name
    open_gt = open_ + ">"
    close = f"</{name}>" + ("\n" if pretty else "")

    def write_simple(obj: Any, w: Writer, fr: Frame, lv: int) -> None:
        d = obj.__dict__
        value = d["value"]
        if type(value) is not str:
            if value is None:
                raise NeedsTree("value is required")
            value = enum_text.get(value) or w.fmt(text_field, value)
        if attrs and obj.__pydantic_fields_set__ is not VALUE_ONLY:
            s = open_
            for fname, pre, g in attrs:
                a = d[fname]
                if a is not None:
                    s = f'{s}{pre}{w.attr(a if type(a) is str else w.fmt(g, a))}"'
            s += ">"
        else:
            s = open_gt
        if pretty:
            s = INDENT[lv] + s
        if escape:
            w.out(f"{s}{value.translate(_TEXT_ESCAPES)}{close}")
        else:
            w.out(f"{s}{value}{close}")
            w.texts.append(value)

    return write_simple


def _complex(spec: ClassSpec, tag: str, prefix: str | None, pretty: bool, escape: bool) -> Handler:
    from ._writer import _TEXT_ESCAPES, INDENT

    p = "" if prefix is None else prefix + ":"
    name = p + tag
    attrs = _attr_plan(spec)
    open_ = "<" + name
    close = f"</{name}>"
    gt, empty = (">\n", "/>\n") if pretty else (">", "/>")
    nl = "\n" if pretty else ""
    kids: list[tuple[bool, bool, int, FieldSpec, Any, str, str, Any, list[Any]]] = []
    names: list[str] = []
    for g in spec.fields:
        if g.kind == "E":
            mode = _LEAF if g.cls is None else _GENERAL if g.cls is AnyElement else _CLASS
        elif g.kind in ("X", "Y"):
            mode = _GENERAL  # extension and xsd:any content: the general path
        else:
            continue
        o, c = f"<{p}{g.tag}>", f"</{p}{g.tag}>{nl}"
        inline = _inline(g.cls) if mode == _CLASS else None
        kids.append((g.many, g.required, mode, g, g.cls, o, c, inline, [None]))
        names.append(g.name)
    # the child fields of an instance in one C call, and only those holding something: a
    # class whose fields may hold a false value ("" or 0 in a leaf, NIL) keeps all but None
    values = _getter(names)
    careful = any(k[2] == _LEAF or k[3].nillable for k in kids if not k[0])
    required = _getter([n for n, k in zip(names, kids, strict=True) if k[1]])
    required_kids = [k for k in kids if k[1]]

    def bind(slot: list[Any], g: FieldSpec) -> Handler:
        fn = handler_for(g, prefix, pretty, escape)
        if fn is None:

            def general(item: Any, w: Writer, fr: Frame, lv: int) -> None:
                w.child(fr, g, item, None, lv)

            fn = general
        slot[0] = fn
        return fn

    def write_complex(obj: Any, w: Writer, fr: Frame, lv: int) -> None:
        d = obj.__dict__
        parts = w.parts
        out = parts.append
        keep = w.raw_text
        s = open_
        if attrs:
            for fname, pre, g in attrs:
                a = d[fname]
                if a is not None:
                    s = f'{s}{pre}{w.attr(a if type(a) is str else w.fmt(g, a))}"'
        if pretty:
            out(INDENT[lv] + s)
            sub = lv + 1
            ind = INDENT[sub]
        else:
            out(s)
            sub = -1
            ind = ""
        mark = len(parts)
        out(gt)
        vals = values(d)
        if required_kids and w.require and not all(required(d)):
            for v, kid in zip(required(d), required_kids, strict=True):
                if v is None or (kid[0] and not v):
                    raise NeedsTree("required")
        held = compress(
            zip(vals, kids, strict=True), map(is_not, vals, _NONES) if careful else vals
        )
        for v, (many, _, mode, g, cls, o, c, inline, slot) in held:
            if many:
                if not v:
                    continue
                seq = v
            else:
                seq = (v,)
            for item in seq:
                if mode == _CLASS:
                    if type(item) is cls:
                        private = item.__pydantic_private__
                        if private is None or private.get("_wire") is None:
                            if inline is not None and (
                                not inline[0] or item.__pydantic_fields_set__ is VALUE_ONLY
                            ):
                                t = item.__dict__["value"]
                                if type(t) is not str:
                                    t = inline[1].get(t) if t is not None else None
                                if t is not None:  # only the value to write: inline
                                    if escape:
                                        out(f"{ind}{o}{t.translate(_TEXT_ESCAPES)}{c}")
                                    else:
                                        out(f"{ind}{o}{t}{c}")
                                        keep(t)
                                    continue
                            (slot[0] or bind(slot, g))(item, w, fr, sub)
                            continue
                    w.item(fr, g, 0, item, None, None, sub)  # no side record: index unused
                elif mode == _LEAF and not isinstance(item, Nil):
                    t = item if type(item) is str else w.fmt(g, item)
                    if escape:
                        out(f"{ind}{o}{t.translate(_TEXT_ESCAPES)}{c}")
                    else:
                        out(f"{ind}{o}{t}{c}")
                        keep(t)
                else:
                    w.item(fr, g, 0, item, None, None, sub)
        if len(parts) == mark + 1:
            parts[mark] = empty
        elif pretty:
            out(f"{INDENT[lv]}{close}\n")
        else:
            out(close)

    return write_complex
