"""B2MML-JSON values -> model instances, one pass, using the compiled wire specs.

Instances are built directly, as the XML decoder builds them (the one construction hook
``model._base.decoded_instance``): structure, array-ness, required fields and leaf values are
checked here and every problem raises :class:`~._common.Fail`, which the callers on the
way up complete with its JSON path. Nothing is guessed: unknown keys, an array where the
schema allows one item (or a single value where it allows many), and numbers that would
lose precision (Python floats) are errors.

Whatever the model's fields do not hold goes to the same private side record the XML
decoder fills: lexical forms (``"2024-03-01T08:00:00.000+01:00"``), the JSON form of a
value whose JSON type is not the usual one for its XSD type (``"ID": 12``), ``xsi:nil``
details, the order of a repeating choice, extension and unknown content.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from .._xml._side import Side
from .._xml._tables import EXT_NS, ClassSpec, FieldSpec, spec_of
from ..model._base import (
    NIL,
    VALUE_ONLY,
    AnyElement,
    B2MMLModel,
    SharedFieldsSet,
    decoded_instance,
    shared_fields_set,
)
from ._common import (
    ANY,
    EXTENDED,
    JSON_NUMBER,
    NIL_KEY,
    ORDER,
    TEXT,
    UNKNOWN,
    XSI_NIL,
    Fail,
    Num,
    attr_name,
    json_lex_key,
)

__all__ = ["Context", "decoder_for"]

DecodeFn = Callable[[Any, "Context"], Any]
#: ``fn(json_value, key, side) -> (value, side)``: one leaf value
LeafFn = Callable[[Any, Any, "Side | None"], "tuple[Any, Side | None]"]

#: largest decimal exponent accepted from a JSON number in exponent notation: xsd:decimal
#: is written in plain notation, and 1e999999999 would be a gigabyte of zeros
_MAX_EXPONENT = 1000


class Context:
    """Options of one decoding run."""

    __slots__ = ("consume", "preserve")

    def __init__(self, *, preserve: bool = False, consume: bool = False) -> None:
        #: keep unknown attributes (``ReadConfig(unknown="preserve")``)
        self.preserve = preserve
        #: release each item of a long array once decoded (the parsed JSON is ours): the
        #: parsed tree shrinks while the model grows
        self.consume = consume


_FNS: dict[type[Any], DecodeFn] = {}


def decoder_for(cls: type[B2MMLModel]) -> DecodeFn:
    fn = _FNS.get(cls)
    if fn is None:
        spec = spec_of(cls)
        fn = _FNS[cls] = _simple(spec) if spec.simple else _complex(spec)
    return fn


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (Num, int, Decimal)):
        return "a number"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _build(cls: type[Any], d: dict[str, Any], fs: set[str], side: Side | None) -> Any:
    """The instance, built as the XML decoder builds it (fields-sets interned, shared)."""
    if type(fs) is not SharedFieldsSet:
        fs = shared_fields_set(fs)
    return decoded_instance(cls, d, fs, None if side is None else {"_wire": side})


# -- leaves --------------------------------------------------------------------------------------
def leaf_fn(f: FieldSpec) -> LeafFn:
    """The converter of one leaf field: JSON scalar -> model value (+ side record)."""
    codec = f.leaf
    assert codec is not None
    kind = "enum" if f.enum is not None else codec.kind
    parse, fmt, exact = codec.parse, codec.fmt, codec.exact
    numeric = kind in ("decimal", "int")
    what = f"attribute {f.tag!r}" if f.kind == "A" else "value"

    def from_text(
        text: str, key: Any, side: Side | None, raw: str | None
    ) -> tuple[Any, Side | None]:
        try:
            value = parse(text)
        except ValueError as exc:
            raise Fail(f"bad {what}: {exc}") from None
        if not exact and fmt(value) != text:
            if side is None:
                side = Side()
            side.add_lex(key, value, text)
        if raw is not None:
            if side is None:
                side = Side()
            side.add_lex(json_lex_key(key), value, raw)
        return value, side

    def from_number(raw: str, key: Any, side: Side | None) -> tuple[Any, Side | None]:
        if not numeric:
            if kind == "bool":
                raise Fail(f"bad {what}: expected true or false, got the number {raw}")
            return from_text(raw, key, side, raw)  # exact text of the number
        try:
            value: Any = Decimal(raw)
        except InvalidOperation:
            raise Fail(f"bad {what}: {raw!r} is not a number") from None
        if not value.is_finite() or abs(value.as_tuple().exponent) > _MAX_EXPONENT:
            raise Fail(f"bad {what}: the number {raw} is out of range for xsd:decimal")
        if kind == "int":
            if value != value.to_integral_value():
                raise Fail(f"bad {what}: {raw} is not an integer")
            value = int(value)
        if fmt(value) != raw:  # exponent notation, -0: keep the JSON text
            if side is None:
                side = Side()
            side.add_lex(json_lex_key(key), value, raw)
        return value, side

    def convert(v: Any, key: Any, side: Side | None) -> tuple[Any, Side | None]:
        t = type(v)
        if t is str:
            if kind == "str":
                return v, side
            raw = json.dumps(v, ensure_ascii=False) if numeric or kind == "bool" else None
            return from_text(v, key, side, raw)
        if t is Num:
            return from_number(str.__str__(v), key, side)
        if t is bool:
            if kind == "bool":
                return v, side
            if numeric:
                raise Fail(f"bad {what}: expected a number, got {str(v).lower()}")
            text = "true" if v else "false"
            return from_text(text, key, side, text)
        if t is int:
            return from_number(str(v), key, side)
        if t is Decimal:
            if numeric and kind == "decimal":
                if not v.is_finite():
                    raise Fail(f"bad {what}: {v} is not a finite number")
                return v, side
            text = str(v)
            if not JSON_NUMBER.match(text):
                raise Fail(f"bad {what}: {text} is not a finite number")
            return from_number(text, key, side)
        if t is float:
            raise Fail(
                f"bad {what}: the float {v!r} cannot carry an exact decimal value; "
                "use decimal.Decimal, a string, or parse JSON with parse_float=Decimal"
            )
        raise Fail(f"bad {what}: expected a scalar, got {_describe(v)}")

    return convert


# -- simple content ------------------------------------------------------------------------------
def _simple(spec: ClassSpec) -> DecodeFn:
    cls = spec.cls
    template = spec.template
    text_field = spec.text
    assert text_field is not None
    value_in = leaf_fn(text_field)
    is_str = (
        text_field.enum is None and text_field.leaf is not None and (text_field.leaf.kind == "str")
    )
    attrs = {"@" + f.tag: (f.name, leaf_fn(f)) for f in spec.fields if f.kind == "A"}
    required = [("@" + f.tag, f.name) for f in spec.fields if f.kind == "A" and f.required]
    name = cls.__name__
    known = {TEXT: None, **attrs}
    #: value -> member of an enumeration's values (the common case of a bare enum value)
    members: dict[str, Any] | None = (
        dict(text_field.enum._value2member_map_) if text_field.enum is not None else None
    )

    def decode_simple(data: Any, ctx: Context) -> Any:
        if (
            type(data) is str
            and not required
            and (is_str or (members is not None and data in members))
        ):
            d = template.copy()
            d["value"] = data if is_str else members[data]  # type: ignore[index]
            return decoded_instance(cls, d, VALUE_ONLY, None)
        side: Side | None = None
        d = template.copy()
        fs = {"value"}
        if type(data) is not dict:
            if data is None:
                raise Fail(f"{name} cannot be null here: the element is not nillable")
            if isinstance(data, list):
                raise Fail(f"{name} must be a single value here, not an array")
            if required:
                raise Fail(
                    f"{name} lacks required attribute {required[0][0]!r}; "
                    "write it as an object with '$' and '@' keys"
                )
            d["value"], side = value_in(data, "value", side)
            return _build(cls, d, VALUE_ONLY, side)
        text: Any = ""
        for key, v in data.items():
            if key == TEXT:
                text = v
                continue
            entry = attrs.get(key)
            try:
                if entry is None:
                    side = _extra_attr(key, v, side, ctx, name, known)
                    continue
                if v is None:
                    raise Fail("an attribute cannot be null")
                d[entry[0]], side = entry[1](v, entry[0], side)
                fs.add(entry[0])
            except Fail as exc:
                exc.segments.append(key)
                raise
        try:
            d["value"], side = value_in(text, "value", side)
        except Fail as exc:
            if TEXT not in data:
                raise Fail(f"{name} needs its value as '$'") from None
            exc.segments.append(TEXT)
            raise
        for key, field_name in required:
            if field_name not in fs:
                raise Fail(f"{name} lacks required attribute {key!r}")
        return _build(cls, d, fs, side)

    return decode_simple


def _extra_attr(
    key: str, v: Any, side: Side | None, ctx: Context, name: str, known: dict[str, Any]
) -> Side | None:
    """A key the class does not know: a namespaced attribute (kept), or an error."""
    attr = attr_name(key) if key[:1] == "@" else None
    if attr is None or attr == XSI_NIL or (attr[0] != "{" and not ctx.preserve):
        if key == NIL_KEY:
            raise Fail(f"'@xsi:nil' is only allowed on nillable elements ({name})")
        choices = [k for k in known if k[:1] != "#"]
        close = difflib.get_close_matches(key, choices, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise Fail(
            f"unknown key {key!r} in {name}{hint}; expected one of: "
            f"{', '.join(choices) or '(none)'}"
        )
    if type(v) is not str:
        raise Fail(f"attribute {key!r} must be a string, got {_describe(v)}")
    if side is None:
        side = Side()
    if side.attrs is None:
        side.attrs = {}
    side.attrs[attr] = v
    return side


# -- complex content -----------------------------------------------------------------------------
#: _ONE / _MANY: a complex child, not nillable, single / repeated; _ONE_NIL: single,
#: nillable (the hot paths); _CLS: repeated and nillable; _LEAF: a simple-typed element
_ONE, _MANY, _ONE_NIL, _ATTR, _CLS, _LEAF, _EXT, _ANY, _TEXT, _UNKNOWN, _ORDER = range(11)


def _complex(spec: ClassSpec) -> DecodeFn:
    cls = spec.cls
    name = cls.__name__
    template = spec.template
    lists = spec.lists
    table: dict[str, tuple[int, Any, Any]] = {}
    key_of: dict[str, str] = {}
    for f in spec.fields:
        if f.kind == "A":
            table["@" + f.tag] = (_ATTR, f, leaf_fn(f))
        elif f.kind == "E":
            if f.cls is not None and not f.nillable:
                table[f.tag] = (_MANY if f.many else _ONE, f, [None])
            elif f.cls is not None and not f.many:
                table[f.tag] = (_ONE_NIL, f, [None])
            else:
                table[f.tag] = (_CLS, f, None) if f.cls is not None else (_LEAF, f, leaf_fn(f))
            key_of[f.tag] = f.name
        elif f.kind == "X":
            table[EXTENDED] = (_EXT, f, None)
            key_of[EXTENDED] = f.name
        elif f.kind == "Y":
            table[ANY] = (_ANY, f, None)
            key_of[ANY] = f.name
    if spec.mixed:
        table[TEXT] = (_TEXT, None, None)
    table[UNKNOWN] = (_UNKNOWN, None, None)
    if spec.ordered:
        table[ORDER] = (_ORDER, None, None)
    table_get = table.get
    required = spec.required
    fns: dict[str, DecodeFn] = {}

    def child_fn(f: FieldSpec) -> DecodeFn:
        fn = fns.get(f.name)
        if fn is None:
            fn = fns[f.name] = decoder_for(f.cls)  # type: ignore[arg-type]
        return fn

    def bind(slot: list[Any], f: FieldSpec) -> DecodeFn:
        fn = slot[0] = child_fn(f)
        return fn

    def one(
        f: FieldSpec, code: int, conv: Any, x: Any, key: Any, side: Side | None, ctx: Context
    ) -> tuple[Any, Side | None]:
        """One element value (an item of an array, or a single value)."""
        if x is None:
            if not f.nillable:
                raise Fail(f"{f.tag} cannot be null (it is not nillable)")
            return NIL, side
        if f.nillable and type(x) is dict and NIL_KEY in x:
            return _nil_object(f, code, conv, x, key, side, ctx, child_fn)
        if code == _CLS:
            return child_fn(f)(x, ctx), side
        if type(x) is dict or type(x) is list:
            raise Fail(f"{f.tag} has a simple value, not {_describe(x)}")
        value, side = conv(x, key, side)
        return value, side

    #: the fields-set (interned) and the first missing required part, by the object's keys
    fields_sets: dict[tuple[str, ...], tuple[SharedFieldsSet, str | None]] = {}

    def fields_of(keys: tuple[str, ...]) -> tuple[SharedFieldsSet, str | None]:
        names = set()
        for k in keys:
            entry = table.get(k)
            if entry is not None and entry[1] is not None:
                names.add(entry[1].name)
        fs = frozenset(names)
        missing = None
        for f in required:
            if f.name not in fs:
                what = "attribute" if f.kind == "A" else "element"
                key = "@" + f.tag if f.kind == "A" else f.tag
                missing = f"{name} lacks required {what} {key!r}"
                break
        known = (shared_fields_set(fs), missing)
        if len(fields_sets) < 512:  # bounded, whatever the input
            fields_sets[keys] = known
        return known

    def decode_complex(data: Any, ctx: Context) -> Any:
        if type(data) is not dict:
            if data is None:
                raise Fail(f"{name} cannot be null here: the element is not nillable")
            raise Fail(f"{name} must be an object, not {_describe(data)}")
        d = template.copy()
        for n in lists:
            d[n] = []
        side: Side | None = None
        order: Any = None
        for key, v in data.items():
            entry = table_get(key)
            try:
                if entry is None:
                    side = _extra_attr(key, v, side, ctx, name, table)
                    continue
                code, f, conv = entry
                if code == _ONE:
                    if type(v) is list:
                        raise Fail(
                            f"{key} must be a single value (it occurs at most once), not an array"
                        )
                    d[f.name] = (conv[0] or bind(conv, f))(v, ctx)
                    continue
                if code == _ONE_NIL:
                    if v is None:
                        d[f.name] = NIL
                    elif type(v) is dict and NIL_KEY in v:
                        d[f.name], side = _nil_object(f, _CLS, None, v, f.name, side, ctx, child_fn)
                    elif type(v) is list:
                        raise Fail(
                            f"{key} must be a single value (it occurs at most once), not an array"
                        )
                    else:
                        d[f.name] = (conv[0] or bind(conv, f))(v, ctx)
                    continue
                if code == _MANY:
                    if type(v) is not list:
                        raise Fail(
                            f"{key} must be an array (it may occur more than once), "
                            f"not {_describe(v)}"
                        )
                    fn = conv[0] or bind(conv, f)
                    if ctx.consume:
                        items = []
                        try:
                            for i, x in enumerate(v):
                                items.append(fn(x, ctx))
                                v[i] = None
                        except Fail as exc:
                            exc.segments.append(len(items))
                            raise
                    else:
                        try:
                            items = [fn(x, ctx) for x in v]
                        except Fail as exc:
                            exc.segments.append(_failing(fn, v, ctx))
                            raise
                    if items:
                        d[f.name] = items
                    elif f.required:
                        raise Fail(f"{key} needs at least one item")
                    continue
                if code in (_CLS, _LEAF):
                    assert f is not None
                    fname = f.name
                    if f.many:
                        if type(v) is not list:
                            raise Fail(
                                f"{key} must be an array (it may occur more than once), "
                                f"not {_describe(v)}"
                            )
                        items = d[fname]
                        try:
                            for x in v:
                                value, side = one(f, code, conv, x, (fname, len(items)), side, ctx)
                                items.append(value)
                        except Fail as exc:
                            exc.segments.append(len(items))
                            raise
                        if not items and f.required:
                            raise Fail(f"{key} needs at least one item")
                    else:  # a single leaf (single complex children are _ONE / _ONE_NIL)
                        if type(v) is list:
                            raise Fail(
                                f"{key} must be a single value (it occurs at most once), "
                                "not an array"
                            )
                        d[fname], side = one(f, code, conv, v, fname, side, ctx)
                elif code == _ATTR:
                    assert f is not None
                    if v is None:
                        raise Fail("an attribute cannot be null")
                    d[f.name], side = conv(v, f.name, side)
                elif code in (_EXT, _ANY):
                    assert f is not None
                    if type(v) is not list:
                        raise Fail(f"{key} must be an array of elements, not {_describe(v)}")
                    items = d[f.name]
                    for i, x in enumerate(v):
                        try:
                            items.append(any_in(x, code == _EXT, top=True))
                        except Fail as exc:
                            exc.segments.append(i)
                            raise
                elif code == _TEXT:
                    side = _mixed_in(v, side)
                elif code == _UNKNOWN:
                    side = _unknown_in(v, side)
                else:
                    order = v
            except Fail as exc:
                exc.segments.append(key)
                raise
        keys = tuple(data)
        known = fields_sets.get(keys)
        if known is None:
            known = fields_of(keys)
        fs, missing = known
        if missing is not None:
            raise Fail(missing)
        if order is not None:
            try:
                side = _order_in(order, d, spec, key_of, side)
            except Fail as exc:
                exc.segments.append(ORDER)
                raise
        return decoded_instance(cls, d, fs, None if side is None else {"_wire": side})

    return decode_complex


def _failing(fn: DecodeFn, items: list[Any], ctx: Context) -> int:
    """The index of the first item ``fn`` fails on (decoding is pure, so it fails again)."""
    for i, x in enumerate(items):
        try:
            fn(x, ctx)
        except Fail:
            return i
    return len(items)  # pragma: no cover - the failure repeats


def _nil_object(
    f: FieldSpec,
    code: int,
    conv: Any,
    x: dict[str, Any],
    key: Any,
    side: Side | None,
    ctx: Context,
    child_fn: Callable[[FieldSpec], DecodeFn],
) -> tuple[Any, Side | None]:
    """An object with ``@xsi:nil``: nil with attributes, or a value with ``xsi:nil="false"``."""
    flag = x[NIL_KEY]
    if flag in ("true", "1"):
        attrs: dict[str, str] = {}
        for k, v in x.items():
            attr = attr_name(k) if k[:1] == "@" else None
            if attr is None or type(v) is not str:
                raise Fail(f"a nil element has attributes only, not {k!r}")
            attrs[attr] = v
        if attrs != {XSI_NIL: "true"}:
            if side is None:
                side = Side()
            side.add_lex(("nil", key), NIL, attrs)  # type: ignore[arg-type]
        return NIL, side
    if flag != "false":
        raise Fail(f'bad \'@xsi:nil\' value {flag!r} (expected "true" or "false")')
    rest = {k: v for k, v in x.items() if k != NIL_KEY}
    if code == _CLS:
        value = child_fn(f)(rest, ctx)
    else:
        if set(rest) != {TEXT}:
            raise Fail(f"{f.tag} has a simple value: only '$' and '@xsi:nil' are allowed")
        value, side = conv(rest[TEXT], key, side)
    if side is None:
        side = Side()
    side.add_lex(("nil-false", key), value, "false")
    return value, side


def _mixed_in(v: Any, side: Side | None) -> Side | None:
    """``$`` of mixed content (BatchML ``Value``): the leading text, or every text."""
    if side is None:
        side = Side()
    if type(v) is str:
        side.texts = [v]
    elif type(v) is list:
        for item in v:
            if item is not None and type(item) is not str:
                raise Fail(f"the texts of mixed content are strings or null, not {_describe(item)}")
        side.texts = list(v)
    elif type(v) is Num or type(v) is bool:
        text = "true" if v is True else "false" if v is False else str.__str__(v)
        side.texts = [text]
        side.add_lex(json_lex_key(TEXT), side.texts, text)
    else:
        raise Fail(f"'$' must be a string, not {_describe(v)}")
    return side


def _unknown_in(v: Any, side: Side | None) -> Side | None:
    if type(v) is not list:
        raise Fail(f"{UNKNOWN} must be an array, not {_describe(v)}")
    unknown: list[tuple[int, Any]] = []
    for i, item in enumerate(v):
        try:
            if type(item) is not dict or set(item) != {"position", "element"}:
                raise Fail('each unknown element is {"position": n, "element": {...}}')
            pos = item["position"]
            if type(pos) is Num and str.isdigit(pos):
                pos = int(pos)
            if type(pos) is not int or pos < 0:
                raise Fail("'position' must be a non-negative integer", "position")
            unknown.append((pos, any_in(item["element"], False, top=True)))
        except Fail as exc:
            exc.segments.append(i)
            raise
    if unknown:
        if side is None:
            side = Side()
        side.unknown = unknown
    return side


def _order_in(
    v: Any, d: dict[str, Any], spec: ClassSpec, key_of: dict[str, str], side: Side | None
) -> Side | None:
    if type(v) is not list or any(type(k) is not str for k in v):
        raise Fail("'#order' must be an array of keys")
    names: list[str] = []
    for i, k in enumerate(v):
        n = key_of.get(k)
        if n is None:
            raise Fail(f"{k!r} is not a child of {spec.cls.__name__}", i)
        names.append(n)
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    for f in spec.fields:
        if f.kind in ("E", "X", "Y"):
            value = d[f.name]
            have = len(value) if f.many else (0 if value is None else 1)
            if counts.get(f.name, 0) != have:
                raise Fail(
                    f"'#order' names {f.tag or f.name} {counts.get(f.name, 0)} times, "
                    f"but there are {have}"
                )
    if side is None:
        side = Side()
    side.order = names
    return side


_ANY_KEYS = ("tag", "attributes", "text", "children", "tail", "prefix")

_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
#: XML 1.0 (fifth edition) NCName: a Name without colons
_NCNAME = re.compile(f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
#: an absolute URI reference as a namespace name (libxml2 refuses relative and spaced ones)
_NS_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")
#: characters XML 1.0 cannot carry
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _is_clark_name(name: str) -> bool:
    """``local`` or ``{namespace-URI}local`` with an NCName local part."""
    if name.startswith("{"):
        ns, sep, local = name[1:].partition("}")
        return (
            bool(sep) and _NS_URI.fullmatch(ns) is not None and _NCNAME.fullmatch(local) is not None
        )
    return _NCNAME.fullmatch(name) is not None


def any_in(x: Any, extension: bool, *, top: bool = False) -> AnyElement:
    """A JSON element object -> ``AnyElement`` (the shape of its pydantic fields).

    Only what XML can carry is accepted — names, namespaces, prefixes and characters —
    so that everything read can be written as XML and read back (``top``: the element sits
    in element-only content, where a tail can only be white space)."""
    if type(x) is not dict:
        raise Fail(f"an element is an object with 'tag', not {_describe(x)}")
    for k in x:
        if k not in _ANY_KEYS:
            raise Fail(f"unknown key {k!r} in an element; expected: {', '.join(_ANY_KEYS)}")
    tag = x.get("tag")
    if type(tag) is not str or not _is_clark_name(tag):
        raise Fail(
            f"'tag' must be an XML element name, '{{namespace-URI}}local' or 'local', not {tag!r}",
            "tag",
        )
    if extension and not tag.startswith("{" + EXT_NS + "}"):
        raise Fail(f"extension elements are in the namespace {EXT_NS}, not {tag!r}", "tag")
    d: dict[str, Any] = {
        "tag": tag,
        "attributes": {},
        "text": None,
        "children": [],
        "tail": None,
        "prefix": None,
    }
    attrs = x.get("attributes")
    if attrs is not None:
        if type(attrs) is not dict or any(type(a) is not str for a in attrs.values()):
            raise Fail("'attributes' must map names to strings", "attributes")
        for name, value in attrs.items():
            if not _is_clark_name(name) or name == "xmlns" or name.startswith("xmlns:"):
                raise Fail(
                    f"{name!r} is not an attribute name XML can carry (namespace "
                    "declarations are not attributes: give the namespace in the name)",
                    name,
                    "attributes",
                )
            if _BAD_CHARS.search(value):
                raise Fail("the value holds a character XML cannot carry", name, "attributes")
        d["attributes"] = dict(attrs)
    for k in ("text", "tail", "prefix"):
        value = x.get(k)
        if value is not None and type(value) is not str:
            raise Fail(f"{k!r} must be a string or null", k)
        if value is not None and k != "prefix" and _BAD_CHARS.search(value):
            raise Fail(f"{k!r} holds a character XML cannot carry", k)
        d[k] = value
    prefix = d["prefix"]
    if prefix is not None and (
        not _NCNAME.fullmatch(prefix) or prefix.lower().startswith("xml") or tag[0] != "{"
    ):
        raise Fail(
            f"'prefix' {prefix!r} cannot be declared (an NCName not starting with 'xml', "
            "for a tag in a namespace)",
            "prefix",
        )
    if top and d["tail"] is not None and d["tail"].strip():
        raise Fail("text after an element in element-only content ('tail') cannot be kept", "tail")
    children = x.get("children")
    if children is not None:
        if type(children) is not list:
            raise Fail("'children' must be an array", "children")
        kids = []
        for i, c in enumerate(children):
            try:
                kids.append(any_in(c, False))
            except Fail as exc:
                exc.segments += [i, "children"]
                raise
        d["children"] = kids
    return _build(AnyElement, d, set(x), None)  # type: ignore[no-any-return]
