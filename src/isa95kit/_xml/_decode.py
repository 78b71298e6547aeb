"""lxml tree -> model instances, one pass, using the compiled wire tables.

Instances are built directly (no pydantic validation per element): structure, required
fields, order and leaf values are checked here, and every problem raises a located
:class:`~isa95kit.errors.MappingError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._gc import gc_paused
from ..errors import Location, MalformedDocumentError, MappingError
from ..model._base import NIL, AnyElement, B2MMLModel
from ._compile import _local, bind, decoder_for
from ._config import ReadConfig
from ._side import Side, ensure_side
from ._tables import EXT_NS, ClassSpec, FieldSpec, spec_of

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Decoder", "declared_on_root_only", "uniform_prefixes", "xpath_of"]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI}}}nil"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_new = object.__new__
_set = object.__setattr__


def _prefixed(tag: str, nsmap: dict[str | None, str]) -> str:
    if tag[0] != "{":
        return tag
    ns, local = tag[1:].split("}", 1)
    for prefix, uri in nsmap.items():
        if uri == ns and prefix:
            return f"{prefix}:{local}"
    if "B2MML" in ns:
        return f"b2mml:{local}"
    return local if ns in nsmap.values() else f"{{{ns}}}{local}"


def xpath_of(el: etree._Element, placeholder: Callable[[Any], str | None] | None = None) -> str:
    """Positional XPath of an element, B2MML names prefixed ``b2mml:`` (or the doc's prefix).

    ``placeholder`` names the tag a streaming placeholder stands for, so positions count it.
    """
    steps: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        tag = node.tag
        if not isinstance(tag, str):
            break
        if placeholder is None:
            pos = 1 + sum(1 for _ in node.itersiblings(tag, preceding=True))
        else:
            pos = 1 + sum(
                1
                for s in node.itersiblings(preceding=True)
                if s.tag == tag or (not isinstance(s.tag, str) and placeholder(s) == tag)
            )
        steps.append(f"{_prefixed(tag, node.nsmap)}[{pos}]")
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def line_of(el: etree._Element) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


def uniform_prefixes(root: etree._Element, data: object) -> bool:
    """Whether ``data`` (the document's bytes) declares namespaces on ``root`` only, with one
    prefix per namespace.

    Every declaration is spelled ``xmlns`` in the bytes of an ASCII-compatible encoding, so
    as many occurrences as the root has declarations leave none anywhere else (text or
    comments holding the word only make the answer a conservative False, and so do encodings
    like UTF-16). Then an element's prefix follows from its namespace alone.
    """
    return isinstance(data, bytes) and declared_on_root_only(root, data.count(b"xmlns"))


def declared_on_root_only(root: etree._Element, xmlns_count: int) -> bool:
    """:func:`uniform_prefixes` given the number of ``xmlns`` in the document's bytes."""
    if root.getparent() is not None:
        return False
    nsmap = root.nsmap
    return len(set(nsmap.values())) == len(nsmap) and xmlns_count == len(nsmap)


def to_any(el: etree._Element, ctx: Decoder) -> AnyElement:
    """Keep an element the model has no fields for, verbatim."""
    ctx.check_attributes(el)
    children = [to_any(c, ctx) for c in el if isinstance(c.tag, str)]
    tail = el.tail if el.tail and not el.tail.isspace() else None
    return AnyElement(
        tag=el.tag,
        attributes=dict(el.attrib),
        text=el.text,
        children=children,
        tail=tail,
        prefix=el.prefix,
    )


class Decoder:
    """Decodes elements of one document; holds the error context."""

    def __init__(self, config: ReadConfig, file: str | None, source: Any = None) -> None:
        self.config = config
        self.file = file
        self.source = source
        self.preserve = config.unknown == "preserve"
        self.max_attributes = config.limits.max_attributes
        #: the nillable element whose own ``xsi:nil="false"`` :meth:`nil` is decoding past
        self.nil_flagged: etree._Element | None = None
        #: one str object per distinct short text value within a document (memory)
        self.share: Callable[[str, str], str]
        self.reset_shared()
        #: streaming reader: items decoded ahead, as (tag, instance); the tree holds
        #: processing instructions ``<?{ref_target} index?>`` in their place
        self.refs: list[tuple[str, Any]] = []
        self.ref_target = ""
        #: the document declares namespaces on its root only, one prefix each: every
        #: qualified element then has the prefix of its namespace (no per-element check)
        self.uniform_prefixes = False

    def check_attributes(self, el: etree._Element) -> None:
        """Refuse an element with more attributes than the limit before reading them (lxml
        reads attribute values in time quadratic in their number)."""
        count = len(el.attrib)
        if count > self.max_attributes:
            raise MalformedDocumentError(
                f"<{_local(el.tag)}> has {count} attributes, more than the limit of "
                f"{self.max_attributes} (ParseLimits.max_attributes)",
                location=Location(file=self.file, line=line_of(el), path=xpath_of(el)),
            )

    def reset_shared(self) -> None:
        """Start a new table of shared texts (``iter_xml`` does so for every item)."""
        shared: dict[str, str] = {}
        self.share = shared.setdefault

    # -- errors ---------------------------------------------------------------------------------
    def error(self, el: etree._Element, message: str) -> MappingError:
        path = xpath_of(el, self.ref_tag if self.refs else None)
        return MappingError(
            message,
            location=Location(file=self.file, line=line_of(el), column=self._column(el), path=path),
        )

    def _column(self, el: etree._Element) -> int | None:
        """Column (in characters) of the element's start tag, when the source text is at hand.

        The start tag is the n-th ``<name`` (followed by a delimiter, so ``<Process`` is not
        ``<ProcessWorkSchedule``) on its line, n counting the same-named elements before it
        on that line: exact for one-line documents too.
        """
        data = self.source
        line = line_of(el)
        if not isinstance(data, bytes) or line is None or not isinstance(el.tag, str):
            return None
        lines = data.split(b"\n", line)
        if len(lines) < line:
            return None
        text = lines[line - 1]
        local = el.tag.split("}", 1)[-1]
        name = (f"{el.prefix}:" if el.prefix else "") + local
        before = 0
        for other in el.getroottree().iter(el.tag):
            if other is el:
                break
            if line_of(other) == line and other.prefix == el.prefix:
                before += 1
        pattern = re.compile(b"<" + re.escape(name.encode()) + rb"(?=[\s/>])")
        for i, match in enumerate(pattern.finditer(text)):
            if i == before:
                return len(text[: match.start()].decode("utf-8", "replace")) + 1
        return None

    # -- decoding -------------------------------------------------------------------------------
    def decode_root(self, el: etree._Element, cls: type[B2MMLModel]) -> B2MMLModel:
        self.uniform_prefixes = uniform_prefixes(el, self.source)
        with gc_paused():
            obj: B2MMLModel = self.decode(el, spec_of(cls))
        side = ensure_side(obj)
        side.tag = el.tag
        side.nsmap = dict(el.nsmap)
        return obj

    def decode(self, el: etree._Element, spec: ClassSpec) -> Any:
        """One element -> one instance of ``spec.cls``."""
        return decoder_for(spec)(el, self)

    # -- the rare paths, called by the compiled functions ---------------------------------------
    def keep_prefix(self, el: etree._Element, obj: Any) -> None:
        """The element's prefix differs from its parent's: keep its declaration."""
        if isinstance(obj, AnyElement) or el.tag[0] != "{":
            return  # no-namespace (unqualified) elements have no prefix to keep
        side = ensure_side(obj)
        side.nsmap = {**(side.nsmap or {}), el.prefix: _ns(el.tag)}

    def text_error(self, el: etree._Element, text: str) -> MappingError:
        """Text in element-only content (before, between or after the children)."""
        return self.error(el, f"unexpected text {text.strip()[:40]!r} in {_local(el.tag)}")

    def no_children(self, el: etree._Element) -> str:
        """The whole text of a simple-content element that has comments or processing
        instructions in it (an element child is an error)."""
        for child in el:
            if isinstance(child.tag, str):
                raise self.error(
                    child,
                    f"{_local(el.tag)} has simple content; unexpected element {_local(child.tag)}",
                )
        return "".join(str(t) for t in el.itertext())

    def check_required(
        self, el: etree._Element, spec: ClassSpec, fs: set[str] | frozenset[str]
    ) -> None:
        for f in spec.required:
            if f.name not in fs:
                what = "attribute" if f.kind == "A" else "element"
                raise self.error(el, f"{_local(el.tag)} lacks required {what} {f.tag!r}")

    def order_error(
        self, parent: etree._Element, el: etree._Element, spec: ClassSpec, f: FieldSpec, last: int
    ) -> MappingError:
        prev = repr(spec.fields[last].tag) if spec.fields[last].tag else "the extension content"
        return self.error(
            el,
            f"element {f.tag!r} is out of order in {_local(parent.tag)}: "
            f"it must come before {prev}",
        )

    def child(
        self,
        child: etree._Element,
        f: FieldSpec,
        d: dict[str, Any],
        side: Side | None,
        prefix: str | None,
    ) -> tuple[Side | None, Any]:
        """A known child off the fast path: nillable, simple-typed, or not yet bound."""
        if f.nillable and child.get(XSI_NIL) is not None:
            return self.nil(child, f, d, side)
        if f.cls is not None:
            value = bind(f)(child, self)
            if child.prefix != prefix:
                self.keep_prefix(child, value)
            return side, value
        return self.leaf_element(child, f, d, side)

    def ref_index(self, node: Any) -> int | None:
        if getattr(node, "target", None) == self.ref_target and self.ref_target:
            return int(node.text)
        return None

    def ref_tag(self, node: Any) -> str | None:
        index = self.ref_index(node)
        return None if index is None else self.refs[index][0]

    def ref_child(
        self, child: etree._Element, spec: ClassSpec, d: dict[str, Any], fs: set[str]
    ) -> None:
        """A placeholder left by the streaming reader for a list item it decoded already."""
        index = self.ref_index(child)
        if index is None:
            return  # a genuine processing instruction or comment: not data
        tag, value = self.refs[index]
        f = spec.elements[tag]
        d[f.name].append(value)
        fs.add(f.name)

    def other_child(
        self,
        el: etree._Element,
        child: etree._Element,
        spec: ClassSpec,
        d: dict[str, Any],
        fs: set[str],
        side: Side | None,
    ) -> Side | None:
        """An element the content model does not name: extension, xsd:any or unknown."""
        g = self._open_content(spec, child.tag)
        if g is not None:
            d[g.name].append(to_any(child, self))
            fs.add(g.name)
            return side
        if not self.preserve:
            raise self.error(child, self._unknown_message(el, spec, child.tag))
        if side is None:
            side = Side()
        if side.unknown is None:
            side.unknown = []
        # position: how many known children precede it (the writer replays it there)
        known = 0
        for f in spec.fields:
            if f.kind != "A" and f.kind != "T":
                v = d[f.name]
                known += len(v) if f.many else v is not None
        side.unknown.append((known, to_any(child, self)))
        return side

    def general_children(
        self, el: etree._Element, spec: ClassSpec, d: dict[str, Any], fs: set[str]
    ) -> Side | None:
        """Children of repeating-choice or mixed content: document order is recorded."""
        side: Side | None = None
        text = el.text
        if text is not None and not spec.mixed and not text.isspace():
            raise self.error(el, f"unexpected text {text.strip()[:40]!r} in {_local(el.tag)}")
        if spec.mixed:
            side = Side()
            side.texts = [text]
        prefix = el.prefix
        # mixed content that is a sequence (not a repeating choice): children keep their order,
        # which the writer reproduces from the fields, so an out-of-order child is refused
        last = -1 if spec.mixed and not spec.ordered else None
        ext = spec.ext_field
        for child in el:
            tail = child.tail
            if not spec.mixed and tail is not None and not tail.isspace():
                raise self.text_error(el, tail)
            f = spec.elements.get(child.tag)
            if f is None:
                if isinstance(child.tag, str):
                    side = self.other_child(el, child, spec, d, fs, side)
                    if (
                        last is not None
                        and ext is not None
                        and child.tag.startswith("{" + EXT_NS + "}")
                    ):
                        last = ext.order
                elif self.refs and (index := self.ref_index(child)) is not None:
                    self.ref_child(child, spec, d, fs)
                    if spec.ordered:
                        side = side or Side()
                        name = spec.elements[self.refs[index][0]].name
                        side.order = [*(side.order or []), name]
                continue
            if last is not None:
                if f.order < last:
                    raise self.order_error(el, child, spec, f, last)
                last = f.order
            side, value = self.child(child, f, d, side, prefix)
            if f.many:
                d[f.name].append(value)
            elif f.name in fs:
                raise self.error(
                    child, f"{_local(child.tag)} may occur only once in {_local(el.tag)}"
                )
            else:
                d[f.name] = value
            fs.add(f.name)
            if side is None:
                side = Side()
            if spec.ordered:
                if side.order is None:
                    side.order = []
                side.order.append(f.name)
            if spec.mixed:
                assert side.texts is not None
                side.texts.append(child.tail)
        return side

    def nil(
        self, child: etree._Element, f: FieldSpec, d: dict[str, Any], side: Side | None
    ) -> tuple[Side | None, Any]:
        flag = child.get(XSI_NIL)
        if flag not in ("true", "1"):
            if f.cls is not None:
                outer, self.nil_flagged = self.nil_flagged, child
                try:
                    value = self.decode(child, spec_of(f.cls))
                finally:
                    self.nil_flagged = outer
                if flag != "false":
                    raise self.error(child, f"bad xsi:nil value {flag!r}")
                if side is None:
                    side = Side()
                key = (f.name, len(d[f.name])) if f.many else f.name
                side.add_lex(("nil-false", key), value, "false")
                return side, value
            return self.leaf_element(child, f, d, side)
        if child.text or len(child):
            # XSD: a nil element has no content; the model cannot hold both NIL and a value
            raise self.error(child, f"{_local(child.tag)} has xsi:nil={flag!r} and content")
        if len(child.attrib) > 1 or flag != "true":
            self.check_attributes(child)
            if side is None:
                side = Side()
            key = (f.name, len(d[f.name])) if f.many else f.name
            attrs = {str(k): str(v) for k, v in child.attrib.items()}
            side.add_lex(("nil", key), NIL, attrs)  # type: ignore[arg-type]
        return side, NIL

    def leaf_element(
        self, child: etree._Element, f: FieldSpec, d: dict[str, Any], side: Side | None
    ) -> tuple[Side | None, Any]:
        t = (self.no_children(child) if len(child) else child.text) or ""
        value = self.leaf(child, f, t, None)
        if not f.leaf.exact and f.leaf.fmt(value) != t:  # type: ignore[union-attr]
            if side is None:
                side = Side()
            side.add_lex((f.name, len(d[f.name])) if f.many else f.name, value, t)
        return side, value

    def attributes(
        self,
        el: etree._Element,
        spec: ClassSpec,
        d: dict[str, Any],
        fs: set[str],
        side: Side | None,
    ) -> Side | None:
        attrs = spec.attrs
        self.check_attributes(el)
        items: list[tuple[str, str]] = el.attrib.items()  # type: ignore[assignment]
        for key, text in items:
            f = attrs.get(key)
            if f is None:
                if key == XSI_NIL:
                    if el is self.nil_flagged:  # a nillable element's own flag: nil() keeps it
                        continue
                    if not self.preserve:
                        # XSD: xsi:nil only on a nillable element (whatever its value)
                        raise self.error(el, f"xsi:nil on {_local(el.tag)}, which is not nillable")
                if not self.preserve and not key.startswith("{"):
                    raise self.error(el, f"unknown attribute {key!r} on {_local(el.tag)}")
                if side is None:
                    side = Side()
                if side.attrs is None:
                    side.attrs = {}
                side.attrs[key] = text
                if key[0] == "{":
                    self._keep_attribute_prefix(el, key, side)
                continue
            value = self.leaf(el, f, text, key)
            d[f.name] = value
            fs.add(f.name)
            if not f.leaf.exact and f.leaf.fmt(value) != text:  # type: ignore[union-attr]
                if side is None:
                    side = Side()
                side.add_lex(f.name, value, text)
        return side

    @staticmethod
    def _keep_attribute_prefix(el: etree._Element, key: str, side: Side) -> None:
        """A kept namespaced attribute keeps the prefix the document gave its namespace."""
        ns = key[1 : key.index("}")]
        if ns == XML_NS:
            return  # xml: is predeclared
        for prefix, uri in el.nsmap.items():
            if uri == ns and prefix is not None:
                parent = el.getparent()
                if parent is None or parent.nsmap.get(prefix) != ns:
                    side.nsmap = {**(side.nsmap or {}), prefix: ns}
                return

    def _open_content(self, spec: ClassSpec, tag: str) -> FieldSpec | None:
        if spec.ext_field is not None and tag.startswith("{" + EXT_NS + "}"):
            return spec.ext_field
        if spec.any_field is not None:
            return spec.any_field
        return None

    def leaf(self, el: etree._Element, f: FieldSpec, text: str, attr: str | None) -> Any:
        try:
            return f.leaf.parse(text)  # type: ignore[union-attr]
        except ValueError as exc:
            what = f"attribute {attr!r} of " if attr else ""
            raise self.error(el, f"bad value in {what}{_local(el.tag)}: {exc}") from None

    def _unknown_message(self, el: etree._Element, spec: ClassSpec, tag: str) -> str:
        ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
        expected = ", ".join(f.tag for f in spec.fields if f.kind == "E")
        where = f"element {_local(tag)!r}"
        if ns != _ns(el.tag):
            where += f" (namespace {ns})" if ns else " (no namespace)"
        return (
            f"unknown {where} in {_local(el.tag)}; expected one of: {expected or '(none)'}. "
            "Use ReadConfig(unknown='preserve') to keep unknown content"
        )


def _ns(tag: Any) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""
