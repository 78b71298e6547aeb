"""B2MML XML -> B2MML-JSON without building the model: one walk over the parsed tree.

:func:`xml_to_json` gives exactly the bytes of ``write_json(read_xml(source))``: each class
gets a function compiled once from the same wire tables (``_xml/_tables.py``) that turns an
element straight into its JSON value (keys in content-model order, numbers as the text
writer's markers, lexical forms as read), so no model instance, side record or template
copy is made. The walk handles the regular shape of documents: known elements in order,
known attributes, schema-location hints, comments. Anything else (an older release, a
SOAP-wrapped or streamed document, ``xsi:nil``, extension or unknown content, mixed or
repeating-choice content, a value the model would refuse, ...) makes it give up and run the
model path instead (:data:`Fallback`), which then converts it or raises its located error:
the direct walk never decides about bad input itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._gc import gc_paused
from .._source import describe, read_bytes
from .._xml._config import DEFAULT_READ, ReadConfig
from .._xml._tables import ClassSpec, FieldSpec, spec_of
from ..model._base import B2MMLSimple
from ..model._registry import ELEMENTS, NAMESPACE
from ._common import DROPPED_ATTRS, JSON_NUMBER, ROOT_XMLNS, TEXT, attr_key
from ._encode import MARK, Encoder
from ._text import dumps

if TYPE_CHECKING:
    from lxml import etree

    from .._source import Source

__all__ = ["Fallback", "convert", "convert_source", "try_xml_to_json", "xml_to_json"]

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

#: a number text the JSON writer keeps as is and every decimal/int parser accepts
_PLAIN_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
_PLAIN_INT = re.compile(r"-?(0|[1-9][0-9]*)\Z")
#: an element with unknown attributes and more than this many goes to the model path, and
#: so does every document read with a lower attribute limit (no class has as many fields)
_FEW_ATTRIBUTES = 32

ConvertFn = Callable[["etree._Element", Encoder], Any]
LeafFn = Callable[[str, Encoder], Any]


class Fallback(Exception):
    """The direct walk met something only the model path decides; ``reason`` says what."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- leaf values ---------------------------------------------------------------------------------
def leaf_fn(f: FieldSpec) -> LeafFn:
    """``fn(text, enc)``: the JSON value ``write_json`` gives a leaf read from ``text``."""
    codec = f.leaf
    assert codec is not None
    parse, fmt = codec.parse, codec.fmt
    if f.enum is not None:
        members = frozenset(m.value for m in f.enum)

        def enum_value(text: str, enc: Encoder) -> Any:
            if text not in members:
                raise Fallback(f"{text!r} is not a value of {f.enum.__name__}")  # type: ignore[union-attr]
            return text

        return enum_value
    kind = codec.kind
    if kind == "str":
        return lambda text, enc: text
    if kind in ("decimal", "int"):
        plain = (_PLAIN_DECIMAL if kind == "decimal" else _PLAIN_INT).match

        def number(text: str, enc: Encoder) -> Any:
            if plain(text) is None:
                try:
                    value = parse(text)
                except ValueError:
                    raise Fallback(f"bad number {text!r}") from None
                if not JSON_NUMBER.match(text):
                    text = fmt(value)
            enc.numbers += 1
            return MARK + text

        return number
    if kind == "bool":

        def boolean(text: str, enc: Encoder) -> Any:
            try:
                return parse(text)
            except ValueError:
                raise Fallback(f"bad boolean {text!r}") from None

        return boolean

    def lexical(text: str, enc: Encoder) -> Any:  # dateTime, date, time, binary: as read
        try:
            parse(text)
        except ValueError:
            raise Fallback(f"bad {kind} {text!r}") from None
        return text

    return lexical


# -- elements ------------------------------------------------------------------------------------
_FNS: dict[int, ConvertFn] = {}


def convert_fn(spec: ClassSpec) -> ConvertFn:
    """The compiled converter of one class (made on first use)."""
    fn = _FNS.get(id(spec))
    if fn is None:
        if spec.ordered or spec.mixed:
            fn = _refuse(f"{spec.cls.__name__} has repeating-choice or mixed content")
        elif spec.simple:
            fn = _simple(spec)
        else:
            fn = _complex(spec)
        _FNS[id(spec)] = fn
    return fn


def _refuse(reason: str) -> ConvertFn:
    def refuse(el: etree._Element, enc: Encoder) -> Any:
        raise Fallback(reason)

    return refuse


AttrPlan = list[tuple[str, str, LeafFn]]


def _attr_plan(spec: ClassSpec) -> tuple[AttrPlan, frozenset[str]]:
    plan = [(f.tag, "@" + f.tag, leaf_fn(f)) for f in spec.fields if f.kind == "A"]
    return plan, frozenset(tag for tag, _, _ in plan)


def _attributes(
    el: etree._Element, out: dict[str, Any], plan: AttrPlan, known: frozenset[str], enc: Encoder
) -> None:
    """The attributes of ``el`` into ``out``: the known ones in field order, then the
    namespaced ones the model keeps aside (``xsi:type``, ...), schema-location hints left
    out, as ``write_json`` writes them."""
    attrib = el.attrib
    found = 0
    for tag, key, fn in plan:
        text = attrib.get(tag)
        if text is not None:
            out[key] = fn(text, enc)
            found += 1
    if found == len(attrib):
        return
    if len(attrib) > _FEW_ATTRIBUTES:
        raise Fallback("many attributes (the model path checks the limit)")
    items: list[tuple[str, str]] = attrib.items()  # type: ignore[assignment]
    for name, value in items:
        if name in known:
            continue
        if name == XSI_NIL or name[0] != "{":
            raise Fallback(f"attribute {name!r} the model has no field for")
        if name not in DROPPED_ATTRS:
            out[attr_key(name)] = value


def _simple(spec: ClassSpec) -> ConvertFn:
    text_field = spec.text
    assert text_field is not None and text_field.leaf is not None
    value_of = leaf_fn(text_field)
    kind = "enum" if text_field.enum is not None else text_field.leaf.kind
    #: text kinds whose empty text is written by leaving ``$`` out of the object form
    textual = kind in ("str", "bytes", "hexbytes")
    plan, known = _attr_plan(spec)
    required = tuple("@" + f.tag for f in spec.required if f.kind == "A")

    def convert_simple(el: etree._Element, enc: Encoder) -> Any:
        if len(el):
            raise Fallback("children in simple content")
        value = value_of(el.text or "", enc)
        if not el.attrib:
            if required:
                raise Fallback("a required attribute is missing")
            return value
        out: dict[str, Any] = {} if textual and value == "" else {TEXT: value}
        _attributes(el, out, plan, known, enc)
        for key in required:
            if key not in out:
                raise Fallback("a required attribute is missing")
        return out

    return convert_simple


_CLASS, _LEAF, _SIMPLE = 0, 1, 2
#: the quick converter of a simple-content class whose text is a plain string
_STR = object()


def _complex(spec: ClassSpec) -> ConvertFn:
    plan, known = _attr_plan(spec)
    #: child tag -> (JSON key, order, many, code, [converter], nillable)
    table: dict[str, tuple[str, int, bool, int, list[Any], bool]] = {}
    for tag, f in spec.elements.items():
        if f.cls is not None and issubclass(f.cls, B2MMLSimple):
            table[tag] = (f.tag, f.order, f.many, _SIMPLE, [None, f, None], f.nillable)
        elif f.cls is not None:
            table[tag] = (f.tag, f.order, f.many, _CLASS, [None, f], f.nillable)
        else:
            table[tag] = (f.tag, f.order, f.many, _LEAF, [leaf_fn(f)], f.nillable)
    table_get = table.get
    required = tuple(("@" if f.kind == "A" else "") + f.tag for f in spec.required)

    def bind(slot: list[Any]) -> ConvertFn:
        child_spec = spec_of(slot[1].cls)
        fn = slot[0] = convert_fn(child_spec)
        if len(slot) == 3 and not child_spec.required:
            # a simple-content child without attributes needs only its text converted
            text_field = child_spec.text
            assert text_field is not None and text_field.leaf is not None
            plain = text_field.enum is None and text_field.leaf.kind == "str"
            slot[2] = _STR if plain else leaf_fn(text_field)
        return fn

    def convert_complex(el: etree._Element, enc: Encoder) -> Any:
        text = el.text
        if text is not None and not text.isspace():
            raise Fallback("text in element-only content")
        out: dict[str, Any] = {}
        if el.attrib:
            _attributes(el, out, plan, known, enc)
        last = -1
        items: list[Any] = []
        for child in el:
            tail = child.tail
            if tail is not None and not tail.isspace():
                raise Fallback("text in element-only content")
            entry = table_get(child.tag)
            if entry is None:
                if isinstance(child.tag, str):
                    raise Fallback("extension, xsd:any or unknown content")
                continue  # comments and processing instructions are not data
            key, order, many, code, slot, nillable = entry
            if order <= last and (order < last or not many):
                raise Fallback("a child out of order or repeated")
            if nillable and child.get(XSI_NIL) is not None:
                raise Fallback("xsi:nil")
            if code == _SIMPLE:  # the common case inline: text, no attributes, no children
                full = slot[0] or bind(slot)
                quick = slot[2]
                if quick is None or len(child) or child.attrib:
                    value = full(child, enc)
                elif quick is _STR:
                    value = child.text or ""
                else:
                    value = quick(child.text or "", enc)
            elif code == _CLASS:
                value = (slot[0] or bind(slot))(child, enc)
            else:
                if len(child) or child.attrib:
                    raise Fallback("children or attributes in a leaf element")
                value = slot[0](child.text or "", enc)
            if order == last:
                items.append(value)
                continue
            last = order
            if many:
                items = out[key] = [value]
            else:
                out[key] = value
        for key in required:
            if key not in out:
                raise Fallback("a required field is missing")
        return out

    return convert_complex


# -- documents -----------------------------------------------------------------------------------
def convert(root: etree._Element, indent: int | None = None) -> str:
    """The JSON text of a parsed V0701 document's root (raises :class:`Fallback`)."""
    tag = root.tag
    if not isinstance(tag, str) or not tag.startswith("{" + NAMESPACE + "}"):
        raise Fallback("not a B2MML V0701 root")
    if root.getparent() is not None:
        raise Fallback("a B2MML element inside a wrapper")
    element = tag[len(NAMESPACE) + 2 :]
    name = ELEMENTS.get(element)
    if name is None:
        raise Fallback("not a global element")
    from .._xml._tables import resolve_class

    fn = convert_fn(spec_of(resolve_class(name)))
    nsmap = root.nsmap
    top: dict[str, Any] = {
        "@xmlns:" + prefix: uri for prefix, uri in ROOT_XMLNS.items() if nsmap.get(prefix) == uri
    }
    enc = Encoder(text=True)
    try:
        with gc_paused():  # the dicts are made and dropped under one pause: never scanned
            top[element] = fn(root, enc)
            return dumps(top, enc, indent=indent)
    except Fallback:
        raise
    except Exception as exc:  # (RecursionError, ...): the model path says what it is
        raise Fallback(f"{type(exc).__name__} in the direct walk") from None


def xml_to_json(
    source: Source, *, config: ReadConfig | None = None, indent: int | None = None
) -> bytes:
    """``write_json(read_xml(source, config=config), indent=indent)``, same bytes and same
    errors, most documents without building the model (see the module docstring)."""
    return convert_source(source, config, indent)[0]


def convert_source(
    source: Source, config: ReadConfig | None, indent: int | None
) -> tuple[bytes, str | None]:
    """(JSON bytes, why the model path was taken or None)."""
    config = config or DEFAULT_READ
    text, reason = _try_direct(source, config, indent)
    if text is not None:
        return text, None
    from .._xml._api import read_xml
    from ._api import write_json

    return write_json(read_xml(source, config=config), indent=indent), reason


def try_xml_to_json(
    source: Source, config: ReadConfig | None = None, indent: int | None = None
) -> bytes | None:
    """The JSON bytes from the direct walk, or None when the model path must convert
    ``source`` (bad input raises here only what ``read_xml`` raises while reading and
    parsing: the same errors)."""
    return _try_direct(source, config or DEFAULT_READ, indent)[0]


def _try_direct(
    source: Source, config: ReadConfig, indent: int | None
) -> tuple[bytes | None, str | None]:
    """(JSON bytes, None) from the direct walk, or (None, why the model path must run)."""
    reason = _direct_refused(source, config)
    if reason is not None:
        return None, reason
    from ..versions._migrate import migrate_up

    data, file = read_bytes(source, config.limits)
    # read and parsed exactly as read_xml does (the same errors for bad input)
    root, report = migrate_up(data, file, strict=config.unknown == "error")
    del data
    if report is not None:
        return None, "an older release (migrated)"
    try:
        text = convert(root, indent)
    except Fallback as exc:
        return None, exc.reason
    from ._api import _utf8

    return _utf8(text), None


def _direct_refused(source: Source, config: ReadConfig) -> str | None:
    """Why ``source`` goes to the model path before it is read, or None."""
    if config.limits.max_attributes < _FEW_ATTRIBUTES:
        return "a low attribute limit"
    if isinstance(source, bytes):
        size = len(source)
    elif isinstance(source, str) and describe(source) is None:
        size = 0  # XML text: never streamed
    elif isinstance(source, (str, os.PathLike)):
        try:
            size = os.path.getsize(source)
        except (OSError, ValueError):
            return "the source cannot be read (the model path reports it)"
    else:
        return "a file object (read once, by the model path)"
    if size > config.stream_threshold:
        return "larger than the stream threshold (decoded incrementally)"
    return None
