"""Model instances -> XML bytes directly, byte for byte what the tree encoder writes.

:func:`write_document` is what ``write_xml`` uses: no lxml tree, one list of strings
joined and encoded once. The tree encoder (``_encode.py`` + ``lxml.etree.tostring``) stays
the reference: ``tests/xml/test_writer_equivalence.py`` compares both on the golden and
reference documents and on generated instances. Everything here mirrors it:

- prefixes and declarations are resolved the way lxml builds its tree (``_writer_ns``);
- text is escaped as libxml2 does (``&amp; &lt; &gt; &#13;`` in text, also ``&quot;
  &#10; &#9;`` in attribute values); pretty printing follows libxml2's format rules (two
  spaces a level, at most 60, nothing added inside an element that holds text);
- the common case (no side record, declared types) runs through per-class handlers
  compiled once (``_writer_plan``); side records, nil, mixed content, order, unknown and
  extension content take the general :class:`Writer` methods below.

Anything the writer does not reproduce exactly, and every error, raises :class:`NeedsTree`:
``write_xml`` then runs the tree encoder, which writes the document or raises its own
:class:`~isa95kit.errors.EncodeError` with its message and location (so errors cannot
drift apart).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from ..model._base import AnyElement, B2MMLModel, Nil
from ._config import WriteConfig
from ._encode import XSI_NIL, Encoder
from ._encode_fast import fast_encoder
from ._side import Side, side_of
from ._tables import B2MML_NS, ClassSpec, FieldSpec, spec_of
from ._writer_ns import Decl, Frame, NeedsTree, Scope, check_name, qname

__all__ = ["NeedsTree", "Writer", "write_document"]

XSI = XSI_NIL[1 : XSI_NIL.index("}")]
#: libxml2 indents by two spaces a level, up to 60 spaces
INDENT = tuple("  " * min(level, 30) for level in range(512))
_CONTROL = bytes(i for i in range(32) if i not in (9, 10, 13))
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def escape_text(text: str) -> str:
    return text.translate(_TEXT_ESCAPES)


def escape_attr(text: str) -> str:
    return text.translate(_ATTR_ESCAPES)


def _needs_escape(texts: list[str], attrs: list[str]) -> bool:
    t = "".join(texts)
    if "&" in t or "<" in t or ">" in t or "\r" in t:
        return True
    a = "".join(attrs)
    return any(c in a for c in '&<>"\n\r\t')


def write_document(
    obj: B2MMLModel, tag: str, nsmap: dict[str | None, str], config: WriteConfig
) -> bytes:
    """The bytes ``etree.tostring(Encoder().root(obj, tag, nsmap), ...)`` would return."""
    if config.encoding.upper() not in ("UTF-8", "UTF8"):
        raise NeedsTree("encoding")  # other encodings: libxml2's character references
    w = Writer(config.pretty_print, escape=False)
    w.root(obj, tag, nsmap)
    if _needs_escape(w.texts, w.attr_values):  # rare: write again, escaping each value
        w = Writer(config.pretty_print, escape=True)
        w.root(obj, tag, nsmap)
    text = "".join(w.parts)
    if "\ufffe" in text or "\uffff" in text:
        raise NeedsTree("character")  # characters lxml refuses: its error is the message
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        raise NeedsTree("character") from None
    if len(data.translate(None, _CONTROL)) != len(data):
        raise NeedsTree("character")
    if config.xml_declaration:
        return b"<?xml version='1.0' encoding='" + config.encoding.encode() + b"'?>\n" + data
    return data


class Writer:
    """The state of one write and the general (side record aware) element writers.

    ``lv`` arguments: the element's level when its parent is pretty-printed (its line is
    indented and ended), else -1 (written as is).
    """

    __slots__ = (
        "attr_values",
        "escape",
        "handler_for",
        "out",
        "parts",
        "pretty",
        "raw_text",
        "require",
        "scope",
        "texts",
    )

    def __init__(self, pretty: bool, escape: bool) -> None:
        from ._writer_plan import handler_for

        self.parts: list[str] = []
        self.out = self.parts.append
        #: every text and attribute value written unescaped (checked once at the end)
        self.texts: list[str] = []
        self.attr_values: list[str] = []
        self.raw_text = self.texts.append
        self.pretty = pretty
        self.escape = escape
        self.require = True
        self.scope = Scope()
        self.handler_for = handler_for

    # -- values ---------------------------------------------------------------------------------
    def text(self, value: str) -> None:
        if self.escape:
            self.out(value.translate(_TEXT_ESCAPES))
        else:
            self.out(value)
            self.texts.append(value)

    def attr(self, value: str) -> str:
        if self.escape:
            return value.translate(_ATTR_ESCAPES)
        self.attr_values.append(value)
        return value

    @staticmethod
    def fmt(f: FieldSpec, value: Any) -> str:
        """``Encoder.text_of`` without a side record."""
        if isinstance(value, Enum) or f.leaf is None:
            return str(value.value if isinstance(value, Enum) else value)
        try:
            return f.leaf.fmt(value)
        except (TypeError, ValueError):
            raise NeedsTree("value") from None

    def text_of(self, f: FieldSpec, key: Any, value: Any, side: Side | None) -> str:
        if side is not None:
            lexical = side.lexical(key, value)
            if lexical is not None:
                return lexical
        return self.fmt(f, value)

    # -- tags -----------------------------------------------------------------------------------
    def start(self, fr: Frame, name: str, attrs: dict[str, str] | None) -> str:
        """``<name`` with the frame's declarations and ``attrs`` (Clark keys resolved; may
        declare namespaces on the frame, in the order lxml would)."""
        written = []
        if attrs:
            for key, value in attrs.items():
                if key[0] == "{":
                    uri, _, local = key[1:].partition("}")
                    if not uri:
                        raise NeedsTree("empty namespace")
                    d = self.scope.find_or_build(fr, uri, True)
                    key = f"{d.prefix}:{check_name(local)}"
                else:
                    check_name(key)
                written.append(f' {key}="{self.attr(value)}"')
        return "".join(["<", name, *(d.text for d in fr.decls), *written])

    # -- elements -------------------------------------------------------------------------------
    def root(self, obj: B2MMLModel, tag: str, nsmap: dict[str | None, str]) -> None:
        side = side_of(obj)
        if side is not None and side.nsmap:
            nsmap = side.nsmap
        uri, _, local = tag[1:].partition("}")
        fr = self.scope.element(None, uri, nsmap)
        self.fill(
            fr, qname(fr, local), obj, spec_of(type(obj)), side, None, 0 if self.pretty else -1
        )

    def child(
        self,
        parent: Frame,
        f: FieldSpec,
        obj: Any,
        nsmap: dict[Any, str] | None,
        lv: int,
        nil_false: bool = False,
    ) -> None:
        """``Encoder.child`` (+ ``xsi:nil="false"`` that ``Encoder.item`` sets afterwards)."""
        if isinstance(obj, AnyElement):
            if nil_false:
                raise NeedsTree("nil-false on extension content")
            self.any(parent, obj, lv, obj.tail)
            return
        side = side_of(obj)
        spec = spec_of(type(obj))
        plain = side is None and nsmap is None
        if plain and not nil_false and f.qualified:
            probe = Frame(parent)
            d = probe.search_href(B2MML_NS, False)
            if d is not None:
                probe.ns = d
                fn = self.handler_for(f, d.prefix, lv >= 0, self.escape, spec)
                if fn is not None:
                    fn(obj, self, probe, lv)
                    return
        if side is not None and side.nsmap:
            nsmap = side.nsmap
        uri = B2MML_NS if f.qualified else None
        fr = self.scope.element(parent, uri, nsmap)
        inner = None
        if not f.qualified and not (plain and fast_encoder(spec) is not None):
            # (the tree encoder's per-class path, taken for plain instances, sets none)
            scope = fr.nsmap()
            if scope.get(None) == "" and B2MML_NS not in scope.values():
                # below an unqualified element that undeclared the default namespace, B2MML
                # children redeclare it (as the tree encoder does)
                inner = {None: B2MML_NS}
        self.fill(fr, qname(fr, f.tag), obj, spec, side, inner, lv, nil_false)

    def fill(
        self,
        fr: Frame,
        name: str,
        obj: Any,
        spec: ClassSpec,
        side: Side | None,
        inner: dict[Any, str] | None,
        lv: int,
        nil_false: bool = False,
    ) -> None:
        """``Encoder.fill``: the element ``name`` with its attributes, text and children."""
        d = obj.__dict__
        attrs: dict[str, str] = {}
        for f in spec.attrs.values():
            value = d.get(f.name)
            if value is not None:
                attrs[f.tag] = self.text_of(f, f.name, value, side)
        if side is not None and side.attrs:
            attrs.update(side.attrs)
        if nil_false:
            # the tree encoder sets it after the subtree: only an in-scope binding is safe
            xsi = fr.search_href(XSI, True)
            if xsi is None or xsi.prefix is None:
                raise NeedsTree("xsi:nil=false without a binding")
            attrs[XSI_NIL] = "false"
        start = self.start(fr, name, attrs)
        out = self.out
        ind = INDENT[lv] if lv >= 0 else ""
        end = "\n" if lv >= 0 else ""
        if spec.simple:
            value = d.get("value")
            if value is None:
                raise NeedsTree("value is required")
            out(ind + start + ">")
            self.text(self.text_of(spec.text, "value", value, side))  # type: ignore[arg-type]
            out(f"</{name}>{end}")
            return
        unknown = side.unknown if side is not None else None
        order = side.order if side is not None else None
        texts = side.texts if side is not None and spec.mixed else None
        if order is not None and Encoder._order_fits(order, spec, d):
            items = Encoder._ordered_items(order, spec, d)
        else:
            items = self._items(spec, d)
        # what the tree holds below the element, in order: ("u"nknown | "i"tem, ..., tail)
        children: list[tuple[str, Any, Any, int, Any]] = []
        for count, (f, index, value) in enumerate(items):
            if unknown:
                while unknown and unknown[0][0] == count:
                    extra = unknown[0][1]
                    children.append(("u", None, extra, 0, _tail(extra)))
                    unknown = unknown[1:]
            if texts and count + 1 < len(texts):
                tail = texts[count + 1]  # the tree encoder sets it on the element written
            else:
                tail = (
                    _tail(value) if f.kind in ("X", "Y") or isinstance(value, AnyElement) else None
                )
            children.append(("i", f, value, index, tail))
        for _, extra in unknown or ():
            children.append(("u", None, extra, 0, _tail(extra)))
        head = texts[0] if texts else None
        if not children and head is None:
            out(ind + start + "/>" + end)
            return
        formatted = lv >= 0 and head is None and all(c[4] is None for c in children)
        out(ind + start + (">\n" if formatted else ">"))
        if head is not None:
            self.text(head)
        sub = lv + 1 if formatted else -1
        for what, f, value, index, tail in children:
            if what == "u":
                self.any(fr, value, sub, tail)
                continue
            self.item(fr, f, index, value, side, inner, sub, tail)
        out(f"{ind if formatted else ''}</{name}>{end}")

    def _items(self, spec: ClassSpec, d: dict[str, Any]) -> list[tuple[FieldSpec, int, Any]]:
        items: list[tuple[FieldSpec, int, Any]] = []
        for f in spec.fields:
            if f.kind in ("A", "T"):
                continue
            value = d.get(f.name)
            if f.many:
                if not value:
                    if f.required and self.require:
                        raise NeedsTree("required")
                    continue
                items.extend((f, i, v) for i, v in enumerate(value))
            elif value is None:
                if f.required and self.require:
                    raise NeedsTree("required")
            else:
                items.append((f, 0, value))
        return items

    def item(
        self,
        fr: Frame,
        f: FieldSpec,
        index: int,
        value: Any,
        side: Side | None,
        nsmap: dict[Any, str] | None,
        lv: int,
        tail: str | None = None,
    ) -> None:
        """``Encoder.item``: one child for field ``f``, followed by ``tail`` (mixed content)."""
        if f.kind in ("X", "Y"):
            if not isinstance(value, AnyElement):
                raise NeedsTree("not an AnyElement")
            self.any(fr, value, lv, tail)
            return
        if not f.qualified:
            nsmap = {None: ""} if fr.nsmap().get(None) else None
        key = (f.name, index) if f.many else f.name
        if f.cls is not None and not isinstance(value, Nil):
            if not isinstance(value, f.cls):
                raise NeedsTree("wrong type")
            nil_false = side is not None and side.lexical(("nil-false", key), value) is not None
            if isinstance(value, AnyElement):
                if nil_false:
                    raise NeedsTree("nil-false on extension content")
                self.any(fr, value, lv, tail)
                return
            self.child(fr, f, value, nsmap, lv, nil_false)
        else:
            uri = B2MML_NS if f.qualified else None
            child = self.scope.element(fr, uri, nsmap)
            name = qname(child, f.tag)
            ind = INDENT[lv] if lv >= 0 else ""
            end = "\n" if lv >= 0 else ""
            if isinstance(value, Nil):
                # a nil element's own attributes are kept in the lexical record as a dict
                kept: Any = side.lexical(("nil", key), value) if side is not None else None
                nil: dict[str, str] = dict(kept) if kept is not None else {XSI_NIL: "true"}
                self.out(ind + self.start(child, name, nil) + "/>" + end)
            else:
                self.out(ind + self.start(child, name, None) + ">")
                self.text(self.text_of(f, key, value, side))
                self.out(f"</{name}>{end}")
        if tail is not None:
            self.text(tail)

    def any(self, parent: Frame, obj: AnyElement, lv: int, tail: str | None) -> None:
        """``Encoder.any``: content kept verbatim, then ``tail``."""
        tag = obj.tag
        if tag.startswith("{"):
            uri, _, local = tag[1:].partition("}")
            if not uri:
                raise NeedsTree("empty namespace")
            prefix = obj.prefix
            nsmap = {prefix: uri} if parent.nsmap().get(prefix) != uri else None
            fr = self.scope.element(parent, uri, nsmap)
            name = qname(fr, check_name(local))
        elif parent.nsmap().get(None):
            # the tree encoder parses <tag xmlns=""/> (lxml keeps xmlns="" only on parsed
            # nodes) and appends it: the declaration stays on the element
            fr = Frame(parent)
            fr.decls.append(Decl(None, ""))
            name = check_name(tag)
        else:
            fr = Frame(parent)
            name = check_name(tag)
        start = self.start(fr, name, obj.attributes)
        ind = INDENT[lv] if lv >= 0 else ""
        end = "\n" if lv >= 0 else ""
        children = obj.children
        if obj.text is None and not children:
            self.out(ind + start + "/>" + end)
        else:
            formatted = lv >= 0 and obj.text is None and all(c.tail is None for c in children)
            self.out(ind + start + (">\n" if formatted else ">"))
            if obj.text is not None:
                self.text(obj.text)
            sub = lv + 1 if formatted else -1
            for c in children:
                self.any(fr, c, sub, c.tail)
            self.out(f"{ind if formatted else ''}</{name}>{end}")
        if tail is not None:
            self.text(tail)


def _tail(value: Any) -> str | None:
    return value.tail if isinstance(value, AnyElement) else None
