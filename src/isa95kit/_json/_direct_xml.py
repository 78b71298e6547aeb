"""B2MML-JSON -> B2MML XML without building the model: one walk over the parsed JSON.

:func:`json_to_xml` gives exactly the bytes of ``write_xml(read_json(source))`` (compact,
the default :class:`~isa95kit.WriteConfig`): each class gets a function compiled once from
the wire tables that writes an object's XML text straight from its JSON value (attributes
and children in content-model order, values in the text ``read_json`` + ``write_xml``
give them, escaped as libxml2 escapes them). It handles the regular shape: known keys,
values of their JSON types, plain numbers. Anything else (``null``/``xsi:nil``, extension
and unknown content, ``#order``, namespaced attributes, exponent numbers, a value the model
would refuse, ...) runs the model path instead (:class:`~._direct.Fallback`), which then
converts it or raises its located error: the walk never decides about bad input itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from .._gc import gc_paused
from .._source import DEFAULT_LIMITS
from .._xml._config import DEFAULT_READ, ReadConfig
from .._xml._tables import ClassSpec, FieldSpec, resolve_class, spec_of
from ..model._registry import ELEMENTS, NAMESPACE
from ._common import ROOT_XMLNS, TEXT, Num
from ._direct import Fallback

__all__ = ["convert_json", "convert_json_source", "json_to_xml", "try_json_to_xml"]

#: ``fn(json value, out, name)``: append the element ``name`` holding the value to ``out``
WriteFn = Callable[[Any, list[str], str], None]
#: ``fn(json scalar) -> XML text`` (unescaped)
TextFn = Callable[[Any], str]

_PLAIN_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
_PLAIN_INT = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_TEXT_SPECIAL = re.compile(r"[&<>\r]")
_ATTR_SPECIAL = re.compile(r'[&<>"\r\n\t]')
_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\r": "&#13;",
    "\n": "&#10;",
    "\t": "&#9;",
}


def _escape(match: re.Match[str]) -> str:
    return _ESCAPES[match.group()]


def escape_text(text: str) -> str:
    """Character data as libxml2 writes it (``&``, ``<``, ``>`` and CR escaped)."""
    return _TEXT_SPECIAL.sub(_escape, text) if _TEXT_SPECIAL.search(text) else text


def escape_attr(text: str) -> str:
    """An attribute value as libxml2 writes it between double quotes."""
    return _ATTR_SPECIAL.sub(_escape, text) if _ATTR_SPECIAL.search(text) else text


# -- leaf values ---------------------------------------------------------------------------------
def text_fn(f: FieldSpec) -> TextFn:
    """The XML text ``write_xml(read_json(...))`` gives a leaf of field ``f`` read from a
    JSON scalar (raises :class:`Fallback` for anything but the plain cases)."""
    codec = f.leaf
    assert codec is not None
    parse = codec.parse
    if f.enum is not None:
        members = frozenset(m.value for m in f.enum)

        def enum_text(v: Any) -> str:
            if type(v) is not str or v not in members:
                raise Fallback("not a value of the enumeration")
            return v

        return enum_text
    kind = codec.kind
    if kind == "str":

        def str_text(v: Any) -> str:
            t = type(v)
            if t is str:
                return v  # type: ignore[no-any-return]
            if t is Num:
                return str.__str__(v)  # the number's exact text
            raise Fallback("not a string")

        return str_text
    if kind in ("decimal", "int"):
        plain = (_PLAIN_DECIMAL if kind == "decimal" else _PLAIN_INT).match

        def number_text(v: Any) -> str:
            t = type(v)
            if t is Num:
                text = str.__str__(v)
                if plain(text) is None or text == "-0":
                    raise Fallback("a number in exponent form, or -0")
                return text
            if t is str:
                try:
                    parse(v)
                except ValueError:
                    raise Fallback("not a number") from None
                return v  # type: ignore[no-any-return]
            raise Fallback("not a number")

        return number_text
    if kind == "bool":

        def bool_text(v: Any) -> str:
            if v is True:
                return "true"
            if v is False:
                return "false"
            if type(v) is str:
                try:
                    parse(v)
                except ValueError:
                    raise Fallback("not a boolean") from None
                return v
            raise Fallback("not a boolean")

        return bool_text

    def lexical_text(v: Any) -> str:  # dateTime, date, time, binary: as written
        if type(v) is not str:
            raise Fallback(f"not a {kind} string")
        try:
            parse(v)
        except ValueError:
            raise Fallback(f"not a {kind}") from None
        return v

    return lexical_text


# -- elements ------------------------------------------------------------------------------------
class _Writers:
    """The compiled writers of one element prefix (``"b2mml:"`` or ``""``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.fns: dict[int, WriteFn] = {}

    def of(self, spec: ClassSpec) -> WriteFn:
        fn = self.fns.get(id(spec))
        if fn is None:
            if spec.ordered or spec.mixed or not all(f.qualified for f in spec.fields):
                fn = _refuse(f"{spec.cls.__name__}: repeating choice, mixed or unqualified")
            elif spec.simple:
                fn = self._simple(spec)
            else:
                fn = self._complex(spec)
            self.fns[id(spec)] = fn
        return fn

    @staticmethod
    def _attr_table(spec: ClassSpec) -> tuple[list[tuple[str, str, TextFn]], tuple[str, ...]]:
        plan = [("@" + f.tag, f.tag, text_fn(f)) for f in spec.attrs.values()]
        required = tuple("@" + f.tag for f in spec.required if f.kind == "A")
        return plan, required

    def _simple(self, spec: ClassSpec) -> WriteFn:
        text_field = spec.text
        assert text_field is not None and text_field.leaf is not None
        value_text = text_fn(text_field)
        textual = text_field.enum is None and text_field.leaf.kind in ("str", "bytes", "hexbytes")
        plan, required = self._attr_table(spec)
        known = frozenset([TEXT, *(key for key, _, _ in plan)])

        def write_simple(v: Any, out: list[str], name: str) -> None:
            if type(v) is not dict:
                if required or v is None or type(v) is list:
                    raise Fallback("a simple value the model path must decide about")
                out.append(f"<{name}>{escape_text(value_text(v))}</{name}>")
                return
            if not known.issuperset(v):
                raise Fallback("an unknown key")
            for key in required:
                if key not in v:
                    raise Fallback("a required attribute is missing")
            start = "<" + name
            for key, tag, fn in plan:
                a = v.get(key)
                if a is not None:
                    start += f' {tag}="{escape_attr(fn(a))}"'
                elif key in v:
                    raise Fallback("a null attribute")
            if TEXT in v:
                text = value_text(v[TEXT])
            elif textual:
                text = value_text("")
            else:
                raise Fallback("no '$'")
            out.append(f"{start}>{escape_text(text)}</{name}>")

        return write_simple

    def _complex(self, spec: ClassSpec) -> WriteFn:
        prefix = self.prefix
        plan, _ = self._attr_table(spec)
        #: per child field, in content-model order: key, element name, many, class, writer
        children: list[tuple[str, str, bool, bool, list[Any]]] = []
        for f in spec.fields:
            if f.kind == "E":
                if f.cls is not None:
                    children.append((f.tag, prefix + f.tag, f.many, True, [None, f]))
                else:
                    children.append((f.tag, prefix + f.tag, f.many, False, [text_fn(f)]))
            elif f.kind in ("X", "Y"):
                children.append(("#extended" if f.kind == "X" else "#any", "", True, True, []))
        known = frozenset([*(key for key, _, _ in plan), *(entry[0] for entry in children)])
        required = tuple(("@" if f.kind == "A" else "") + f.tag for f in spec.required)
        open_keys = frozenset(entry[0] for entry in children if not entry[1])

        def bind(slot: list[Any]) -> WriteFn:
            fn = slot[0] = self.of(spec_of(slot[1].cls))
            return fn

        def write_complex(v: Any, out: list[str], name: str) -> None:
            if type(v) is not dict:
                raise Fallback("not an object")
            if not known.issuperset(v) or not open_keys.isdisjoint(v):
                raise Fallback("an unknown key, extension or xsd:any content")
            for key in required:
                if key not in v:
                    raise Fallback("a required field is missing")
            start = "<" + name
            if plan:
                for key, tag, fn in plan:
                    a = v.get(key)
                    if a is not None:
                        start += f' {tag}="{escape_attr(fn(a))}"'
                    elif key in v:
                        raise Fallback("a null attribute")
            mark = len(out)
            out.append(start)
            for key, child_name, many, is_class, slot in children:
                c = v.get(key)
                if c is None:
                    if key in v:
                        raise Fallback("null (xsi:nil)")
                    continue
                if many:
                    if type(c) is not list or not c:
                        raise Fallback("not an array, or an empty one")
                    items: list[Any] = c
                else:
                    if type(c) is list:
                        raise Fallback("an array for a single element")
                    items = [c]
                if is_class:
                    write: WriteFn = slot[0] or bind(slot)
                    for x in items:
                        if x is None:
                            raise Fallback("null (xsi:nil)")
                        write(x, out, child_name)
                else:
                    conv: TextFn = slot[0]
                    for x in items:
                        if type(x) is dict or type(x) is list or x is None:
                            raise Fallback("not a scalar")
                        out.append(f"<{child_name}>{escape_text(conv(x))}</{child_name}>")
            if len(out) == mark + 1:
                out[mark] = start + "/>"
            else:
                out[mark] = start + ">"
                out.append(f"</{name}>")

        return write_complex


def _refuse(reason: str) -> WriteFn:
    def refuse(v: Any, out: list[str], name: str) -> None:
        raise Fallback(reason)

    return refuse


_WRITERS: dict[str, _Writers] = {}


# -- documents -----------------------------------------------------------------------------------
def convert_json(data: Any) -> bytes:
    """The XML bytes of a parsed B2MML-JSON document (raises :class:`Fallback`)."""
    from lxml import etree

    if type(data) is not dict or len(data) < 1:
        raise Fallback("not a document object")
    element: str | None = None
    nsmap: dict[str | None, str] = {}
    for key, value in data.items():
        if key.startswith("@xmlns:"):
            prefix = key[7:]
            if ROOT_XMLNS.get(prefix) != value:
                raise Fallback("a namespace declaration the model path must check")
            nsmap[prefix] = value
        elif key in ELEMENTS and element is None:
            element = key
        else:
            raise Fallback("not one global element")
    if element is None:
        raise Fallback("no root element")
    if nsmap and "b2mml" not in nsmap:
        nsmap[None] = NAMESPACE
    if not nsmap:
        nsmap = {None: NAMESPACE}
    prefix = "b2mml:" if "b2mml" in nsmap else ""
    writers = _WRITERS.get(prefix)
    if writers is None:
        writers = _WRITERS[prefix] = _Writers(prefix)
    fn = writers.of(spec_of(resolve_class(ELEMENTS[element])))
    # the declaration and the root's namespace declarations exactly as lxml writes them
    head = etree.tostring(
        etree.Element(f"{{{NAMESPACE}}}{element}", nsmap=nsmap),  # type: ignore[arg-type]
        xml_declaration=True,
        encoding="UTF-8",
    ).decode("utf-8")  # type: ignore[union-attr]
    name = prefix + element
    if not head.endswith("/>") or f"<{name} " not in head:
        raise Fallback("an unexpected root start tag")
    out: list[str] = []
    try:
        with gc_paused():
            fn(data[element], out, name)
    except Fallback:
        raise
    except Exception as exc:  # (RecursionError, ...): the model path says what it is
        raise Fallback(f"{type(exc).__name__} in the direct walk") from None
    # the root's namespace declarations come before its attributes, as libxml2 writes them
    first = out[0]
    out[0] = head[:-2] + first[len(name) + 1 :]
    return "".join(out).encode("utf-8")


def json_to_xml(source: Any, *, config: ReadConfig | None = None) -> bytes:
    """``write_xml(read_json(source, config=config))``: same bytes and same errors, most
    documents without building the model (see the module docstring)."""
    return convert_json_source(source, config)[0]


def convert_json_source(source: Any, config: ReadConfig | None) -> tuple[bytes, str | None]:
    """(XML bytes, why the model path was taken or None)."""
    config = config or DEFAULT_READ
    text, reason = _try_direct(source, config)
    if text is not None:
        return text, None
    from .._xml._api import write_xml
    from ._api import read_json

    return write_xml(read_json(source, config=config)), reason


def try_json_to_xml(source: Any, config: ReadConfig | None = None) -> bytes | None:
    """The XML bytes from the direct walk, or None when the model path must convert
    ``source`` (bad input raises here only what ``read_json`` raises while reading and
    parsing: the same errors)."""
    return _try_direct(source, config or DEFAULT_READ)[0]


def _try_direct(source: Any, config: ReadConfig) -> tuple[bytes | None, str | None]:
    from ._api import _text_of
    from ._text import loads

    if not isinstance(source, (bytes, str, os.PathLike)):
        return None, "a file object (read once, by the model path)"
    # read and parsed exactly as read_json does (the same errors for bad input)
    text, file = _text_of(source, config.limits or DEFAULT_LIMITS)
    with gc_paused():
        data = loads(text, file)
    del text
    try:
        return convert_json(data), None
    except Fallback as exc:
        return None, exc.reason
