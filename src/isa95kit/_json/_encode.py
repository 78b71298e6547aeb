"""Model instances -> B2MML-JSON values (dicts, lists, scalars), one pass.

Each class gets a function compiled once from its wire specs (:func:`encoder_for`), with
its field plan in local variables. Lexical forms come from the side record the XML (or
JSON) decoder left on the instance, so a dateTime read as ``2024-03-01T08:00:00.000+01:00``
is written exactly so.

Numbers are exact: in *dict* mode (``to_dict``) they are :class:`~decimal.Decimal`; in
*text* mode they are marker strings holding the exact number text, which the text writer
turns into bare JSON numbers (see ``_text.py``) — no float anywhere.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Any

from .._xml._side import Side, side_of
from .._xml._tables import EXT_NS, ClassSpec, FieldSpec, spec_of
from ..model._base import AnyElement, B2MMLModel, Nil
from ._common import (
    ANY,
    DROPPED_ATTRS,
    EXTENDED,
    JSON_NUMBER,
    NIL_KEY,
    ORDER,
    ROOT_XMLNS,
    TEXT,
    UNKNOWN,
    Fail,
    attr_key,
)

__all__ = ["MARK", "Deferred", "Encoder", "encoder_for"]

#: prefix of a number marker in text mode (JSON-escaped as ``\\u0000``)
MARK = "\x00"

EncodeFn = Callable[[Any, "Encoder"], Any]


class Deferred:
    """A long array of complex children, encoded item by item when written (streaming)."""

    __slots__ = ("encode_item", "items")

    def __init__(self, items: list[Any], encode_item: Callable[[int, Any], Any]) -> None:
        self.items = items
        self.encode_item = encode_item


class Encoder:
    """State of one encoding run: the mode and the count of number markers made.

    With ``defer`` set (streaming), arrays of at least that many complex children are left
    as :class:`Deferred` and encoded only when the writer reaches them.
    """

    __slots__ = ("defer", "numbers", "text")

    def __init__(self, *, text: bool, defer: int | None = None) -> None:
        self.text = text
        self.numbers = 0
        self.defer = defer

    def number(self, text: str) -> Any:
        """A JSON number from its exact text."""
        if self.text:
            self.numbers += 1
            return MARK + text
        return Decimal(text)

    def raw(self, raw: str) -> Any:
        """A value from the JSON text it was read as (kept in the side record)."""
        if raw[0] == '"':
            return json.loads(raw)
        if raw == "true":
            return True
        if raw == "false":
            return False
        return self.number(raw)


_FNS: dict[type[Any], EncodeFn] = {}


def encoder_for(cls: type[B2MMLModel]) -> EncodeFn:
    fn = _FNS.get(cls)
    if fn is None:
        spec = spec_of(cls)
        fn = _FNS[cls] = _simple(spec) if spec.simple else _complex(spec)
    return fn


# -- scalars -------------------------------------------------------------------------------------
ScalarFn = Callable[[Any, Any, "Side | None", Encoder], Any]


def scalar_fn(f: FieldSpec) -> ScalarFn:
    """``fn(value, key, side, enc)``: the JSON scalar of a leaf value of field ``f``."""
    codec = f.leaf
    assert codec is not None
    kind = codec.kind if f.enum is None else "enum"
    fmt = codec.fmt

    def lexical(value: Any, key: Any, side: Side | None) -> str | None:
        return side.lexical(key, value) if side is not None and side.lex is not None else None

    def check(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def checked(value: Any) -> Any:
            try:
                return fn(value)
            except (TypeError, ValueError, AttributeError) as exc:
                raise Fail(f"bad value {value!r} in {f.tag or 'the text'}: {exc}") from None

        return checked

    if kind == "str":

        def out(value: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
            if not isinstance(value, str):
                raise Fail(f"expected text in {f.tag or 'the text'}, got {type(value).__name__}")
            return value

    elif kind == "enum":
        as_text = check(fmt)

        def out(value: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
            return value.value if isinstance(value, Enum) else as_text(value)

    elif kind in ("decimal", "int"):
        as_text = check(fmt)

        def out(value: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
            if not enc.text and type(value) is Decimal and value.is_finite():
                return value
            text = lexical(value, key, side)
            if text is None or not JSON_NUMBER.match(text):
                text = as_text(value)
            return enc.number(text)

    elif kind == "bool":

        def out(value: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
            if not isinstance(value, bool):
                raise Fail(f"expected a boolean in {f.tag or 'the text'}, got {value!r}")
            return value

    else:  # dateTime, date, time, binary: strings, exactly as read
        as_text = check(fmt)

        def out(value: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
            text = lexical(value, key, side)
            return as_text(value) if text is None else text

    def scalar(value: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
        if side is not None and side.lex is not None:
            raw = side.lexical(("json", key), value)
            if raw is not None:
                return enc.raw(raw)
        return out(value, key, side, enc)

    return scalar


def _extra_attrs(out: dict[str, Any], side: Side) -> None:
    for name, text in side.attrs.items():  # type: ignore[union-attr]
        if name not in DROPPED_ATTRS:
            out[attr_key(name)] = text


def _with_nil_false(value: Any) -> dict[str, Any]:
    """The JSON of an element written with an explicit ``xsi:nil="false"``."""
    out = dict(value) if isinstance(value, dict) else {TEXT: value}
    out[NIL_KEY] = "false"
    return out


# -- simple content ------------------------------------------------------------------------------
def _values_of(names: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """``d -> (d[n] for n in names)`` as one C call."""
    if not names:
        return lambda d: ()
    if len(names) == 1:
        name = names[0]
        return lambda d: (d[name],)
    return operator.itemgetter(*names)


def _simple(spec: ClassSpec) -> EncodeFn:
    cls_name = spec.cls.__name__
    text_field = spec.text
    assert text_field is not None and text_field.leaf is not None
    value_out = scalar_fn(text_field)
    kind = "enum" if text_field.enum is not None else text_field.leaf.kind
    #: text kinds whose empty text is written by leaving ``$`` out of the object form
    textual = kind in ("str", "bytes", "hexbytes")
    attrs = [(f.name, "@" + f.tag, scalar_fn(f)) for f in spec.fields if f.kind == "A"]
    attr_values = _values_of([name for name, _, _ in attrs])
    n_attrs = len(attrs)
    enum_type = text_field.enum

    def encode_simple(obj: Any, enc: Encoder) -> Any:
        d = obj.__dict__
        value = d["value"]
        if not obj.__pydantic_private__ and attr_values(d).count(None) == n_attrs:
            # the common case: a bare value, no attributes, nothing in a side record
            if kind == "str" and type(value) is str:
                return value
            if enum_type is not None and type(value) is enum_type:
                return value.value
            side = None
        else:
            side = side_of(obj)
        if value is None:
            raise Fail(f"{cls_name}.value is required")
        val = value_out(value, "value", side, enc)
        out: dict[str, Any] | None = None
        for name, key, fn in attrs:
            a = d[name]
            if a is not None:
                if out is None:
                    out = {} if textual and val == "" else {TEXT: val}
                try:
                    out[key] = fn(a, name, side, enc)
                except Fail as exc:
                    exc.segments.append(key)
                    raise
        if side is not None and side.attrs:
            if out is None:
                out = {} if textual and val == "" else {TEXT: val}
            _extra_attrs(out, side)
        return val if out is None else out

    return encode_simple


# -- complex content -----------------------------------------------------------------------------
_CLS, _LEAF, _OPEN = 0, 1, 2


def _complex(spec: ClassSpec) -> EncodeFn:
    cls_name = spec.cls.__name__
    attrs = [(f.name, "@" + f.tag, scalar_fn(f)) for f in spec.fields if f.kind == "A"]
    attr_values = _values_of([name for name, _, _ in attrs])
    n_attrs = len(attrs)
    #: per child field: name, key, code, many, required, class, encoder slot, spec, extra
    plan: list[tuple[str, str, int, bool, bool, Any, list[Any], FieldSpec, Any]] = []
    keys: dict[str, str] = {}
    for f in spec.fields:
        if f.kind == "E":
            if f.cls is not None:
                plan.append((f.name, f.tag, _CLS, f.many, f.required, f.cls, [None], f, None))
            else:
                plan.append((f.name, f.tag, _LEAF, f.many, f.required, None, [None], f,
                             scalar_fn(f)))
            keys[f.name] = f.tag
        elif f.kind in ("X", "Y"):
            key = EXTENDED if f.kind == "X" else ANY
            plan.append((f.name, key, _OPEN, f.many, f.required, None, [None], f, None))
            keys[f.name] = key
    ordered = spec.ordered
    mixed = spec.mixed
    rank = {f.name: f.order for f in spec.fields}
    child_values = _values_of([entry[0] for entry in plan])

    def bind(slot: list[Any], fcls: Any) -> EncodeFn:
        fn: EncodeFn = encoder_for(fcls)
        slot[0] = fn
        return fn

    def child(f: FieldSpec, x: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
        """One complex child (or NIL) -> its JSON, with what the side record says."""
        fcls = f.cls
        if isinstance(x, fcls):  # type: ignore[arg-type]
            out = encoder_for(fcls)(x, enc)  # type: ignore[arg-type]
            if side is not None and side.lex and side.lexical(("nil-false", key), x) is not None:
                return _with_nil_false(out)
            return out
        if isinstance(x, Nil) and f.nillable:
            return _nil(key, x, side)
        raise Fail(f"{f.name} holds {type(x).__name__}, expected {fcls.__name__}")  # type: ignore[union-attr]

    def leaf(f: FieldSpec, fn: ScalarFn, x: Any, key: Any, side: Side | None, enc: Encoder) -> Any:
        if isinstance(x, Nil):
            if f.nillable:
                return _nil(key, x, side)
            raise Fail(f"{f.tag} is not nillable")
        out = fn(x, key, side, enc)
        if side is not None and side.lex and side.lexical(("nil-false", key), x) is not None:
            return _with_nil_false(out)
        return out

    def encode_complex(obj: Any, enc: Encoder) -> Any:
        d = obj.__dict__
        side = side_of(obj) if obj.__pydantic_private__ else None
        out: dict[str, Any] = {}
        key = ""
        try:
            if n_attrs and attr_values(d).count(None) != n_attrs:
                for name, key, fn in attrs:
                    a = d[name]
                    if a is not None:
                        out[key] = fn(a, name, side, enc)
            if side is not None:
                if side.attrs:
                    _extra_attrs(out, side)
                if mixed and side.texts:
                    raw = side.lexical(("json", TEXT), side.texts) if side.lex else None
                    text = _mixed_text(side.texts) if raw is None else enc.raw(raw)
                    if text is not None:
                        out[TEXT] = text
            for entry, v in zip(plan, child_values(d)):  # noqa: B905 - same length
                if not v and (v is None or type(v) is list):  # absent (not NIL, not 0)
                    if entry[4]:
                        what = "is required" if v is None else "needs at least one item"
                        raise Fail(f"{cls_name}.{entry[0]} {what}")
                    continue
                name, key, code, many, required, fcls, slot, f, extra = entry
                if code == _CLS:
                    encode = slot[0] or bind(slot, fcls)
                    if not many:
                        if type(v) is fcls and side is None:
                            out[key] = encode(v, enc)
                        else:
                            out[key] = child(f, v, name, side, enc)
                        continue
                    if enc.defer is not None and len(v) >= enc.defer:
                        out[key] = Deferred(v, _item_encoder(child, f, name, side, enc))
                        continue
                    items: list[Any] = []
                    try:
                        if side is None:
                            for x in v:
                                if type(x) is fcls:
                                    items.append(encode(x, enc))
                                else:
                                    items.append(child(f, x, (name, len(items)), side, enc))
                        else:
                            for x in v:
                                items.append(child(f, x, (name, len(items)), side, enc))
                    except Fail as exc:
                        exc.segments.append(len(items))
                        raise
                elif code == _LEAF:
                    if not many:
                        out[key] = leaf(f, extra, v, name, side, enc)
                        continue
                    items = []
                    try:
                        for x in v:
                            items.append(leaf(f, extra, x, (name, len(items)), side, enc))
                    except Fail as exc:
                        exc.segments.append(len(items))
                        raise
                else:
                    items = []
                    try:
                        for x in v:
                            items.append(any_out(x, f.kind == "X"))
                    except Fail as exc:
                        exc.segments.append(len(items))
                        raise
                if items:
                    out[key] = items
                elif required:
                    raise Fail(f"{cls_name}.{name} needs at least one item")
            key = ""
            if side is not None:
                if side.unknown:
                    out[UNKNOWN] = [
                        {"position": pos, "element": any_out(el, False)}
                        for pos, el in side.unknown
                    ]
                if ordered and side.order:
                    order = _order(side.order, d, spec, rank)
                    if order is not None:
                        out[ORDER] = [keys[n] for n in order]
        except Fail as exc:
            if key:
                exc.segments.append(key)
            raise
        return out

    return encode_complex


def _item_encoder(
    child: Callable[[FieldSpec, Any, Any, Side | None, Encoder], Any],
    f: FieldSpec, name: str, side: Side | None, enc: Encoder,
) -> Callable[[int, Any], Any]:
    def encode_item(i: int, x: Any) -> Any:
        return child(f, x, (name, i), side, enc)

    return encode_item


def _nil(key: Any, value: Any, side: Side | None) -> Any:
    """``null``, or the attributes of an ``xsi:nil`` element that carried more than that."""
    if side is not None and side.lex is not None:
        attrs = side.lexical(("nil", key), value)
        if attrs is not None:
            return {attr_key(k): v for k, v in attrs.items()}  # type: ignore[attr-defined]
    return None


def _mixed_text(texts: list[str | None]) -> Any:
    """``$`` of mixed content: the leading text, or every text when later ones matter."""
    if any(t is not None and not t.isspace() for t in texts[1:]):
        return list(texts)
    first = texts[0]
    if first is None or first.isspace() or not first:
        return None
    return first


def _order(
    order: list[str], d: dict[str, Any], spec: ClassSpec, rank: dict[str, int]
) -> list[str] | None:
    """The children's document order when it fits the fields and is not the natural one."""
    counts: dict[str, int] = {}
    for name in order:
        if name not in rank:
            return None
        counts[name] = counts.get(name, 0) + 1
    for f in spec.fields:
        if f.kind in ("E", "X", "Y"):
            value: Any = d.get(f.name)
            n = len(value) if f.many else (0 if value is None else 1)
            if counts.get(f.name, 0) != n:
                return None
    if all(rank[a] <= rank[b] for a, b in itertools.pairwise(order)):
        return None
    return order


def any_out(el: Any, extension: bool) -> dict[str, Any]:
    """An element kept verbatim (``AnyElement``) -> its JSON object."""
    if not isinstance(el, AnyElement):
        raise Fail(f"expected an AnyElement, got {type(el).__name__}")
    d = el.__dict__
    tag = d["tag"]
    if extension and not tag.startswith("{" + EXT_NS + "}"):
        raise Fail(f"extension element {tag!r} is not in the extensions namespace {EXT_NS}")
    out: dict[str, Any] = {"tag": tag}
    if d["attributes"]:
        out["attributes"] = dict(d["attributes"])
    if d["text"] is not None:
        out["text"] = d["text"]
    if d["children"]:
        children = []
        for i, c in enumerate(d["children"]):
            try:
                children.append(any_out(c, False))
            except Fail as exc:
                exc.segments += [i, "children"]
                raise
        out["children"] = children
    if d["tail"] is not None:
        out["tail"] = d["tail"]
    if d["prefix"] is not None:
        out["prefix"] = d["prefix"]
    return out


def root_members(obj: B2MMLModel) -> dict[str, str]:
    """The ``@xmlns:*`` declarations MESA allows at the top, from the root's side record."""
    side = side_of(obj)
    out: dict[str, str] = {}
    if side is not None and side.nsmap:
        for prefix, uri in ROOT_XMLNS.items():
            if side.nsmap.get(prefix) == uri:
                out["@xmlns:" + prefix] = uri
    return out
