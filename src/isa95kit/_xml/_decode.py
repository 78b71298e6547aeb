"""lxml tree -> model instances, one pass, using the compiled wire tables.

Instances are built directly (no pydantic validation per element): structure, required
fields, order and leaf values are checked here, and every problem raises a located
:class:`~isa95kit.errors.MappingError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import Location, MappingError
from ..model._base import NIL, AnyElement, B2MMLModel
from ._config import ReadConfig
from ._side import Side
from ._tables import EXT_NS, ClassSpec, FieldSpec, spec_of

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Decoder", "xpath_of"]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSI_NIL = f"{{{XSI}}}nil"
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


def xpath_of(el: etree._Element) -> str:
    """Positional XPath of an element, B2MML names prefixed ``b2mml:`` (or the doc's prefix)."""
    steps: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        tag = node.tag
        if not isinstance(tag, str):
            break
        pos = 1 + sum(1 for _ in node.itersiblings(tag, preceding=True))
        steps.append(f"{_prefixed(tag, node.nsmap)}[{pos}]")
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


def to_any(el: etree._Element) -> AnyElement:
    """Keep an element the model has no fields for, verbatim."""
    children = [to_any(c) for c in el if isinstance(c.tag, str)]
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
        #: elements (other than the root) that declare namespaces: element -> nsmap
        self.declares: dict[Any, dict[str | None, str]] = {}

    # -- errors ---------------------------------------------------------------------------------
    def error(self, el: etree._Element, message: str) -> MappingError:
        return MappingError(
            message,
            location=Location(
                file=self.file, line=el.sourceline, column=self._column(el), path=xpath_of(el)
            ),
        )

    def _column(self, el: etree._Element) -> int | None:
        """Column of the element's start tag, when the source text is at hand."""
        data = self.source
        line = el.sourceline
        if not isinstance(data, bytes) or line is None:
            return None
        lines = data.split(b"\n", line)
        if len(lines) < line:
            return None
        text = lines[line - 1]
        local = el.tag.split("}", 1)[-1] if isinstance(el.tag, str) else ""
        pos = text.find(b"<" + (f"{el.prefix}:" if el.prefix else "").encode() + local.encode())
        return pos + 1 if pos >= 0 else None

    # -- decoding -------------------------------------------------------------------------------
    def scan_namespaces(self, root: etree._Element) -> None:
        """Find descendants that declare namespaces (rare), so their prefixes survive."""
        for el in root.xpath("descendant::*[count(namespace::*) != count(../namespace::*)]"):
            parent = el.getparent()
            parent_map = parent.nsmap if parent is not None else {}
            own = {p: u for p, u in el.nsmap.items() if parent_map.get(p) != u}
            if own:
                self.declares[el] = own

    def decode_root(self, el: etree._Element, cls: type[B2MMLModel]) -> B2MMLModel:
        self.scan_namespaces(el)
        obj = self.decode(el, spec_of(cls))
        side = _ensure_side(obj)
        side.tag = el.tag
        side.nsmap = dict(el.nsmap)
        return obj

    def decode(self, el: etree._Element, spec: ClassSpec) -> Any:
        d = spec.template.copy()
        for name in spec.lists:
            d[name] = []
        fs: set[str] = set()
        side: Side | None = None
        attrib = el.attrib
        if attrib:
            attrs = spec.attrs
            for key, text in attrib.items():
                f = attrs.get(key)
                if f is None:
                    if key == XSI_NIL:
                        continue
                    if not self.preserve and not key.startswith("{"):
                        raise self.error(el, f"unknown attribute {key!r} on {_local(el.tag)}")
                    if side is None:
                        side = Side()
                    if side.attrs is None:
                        side.attrs = {}
                    side.attrs[key] = text
                    continue
                value = self.leaf(el, f, text, key)
                d[f.name] = value
                fs.add(f.name)
                if not f.leaf.exact and f.leaf.fmt(value) != text:  # type: ignore[union-attr]
                    if side is None:
                        side = Side()
                    side.add_lex(f.name, value, text)
        if spec.simple:
            f = spec.text
            assert f is not None
            text = el.text or ""
            value = self.leaf(el, f, text, None)
            d["value"] = value
            fs.add("value")
            if not f.leaf.exact and f.leaf.fmt(value) != text:  # type: ignore[union-attr]
                if side is None:
                    side = Side()
                side.add_lex("value", value, text)
            for child in el:
                if isinstance(child.tag, str):
                    raise self.error(child, f"{_local(el.tag)} has simple content; "
                                     f"unexpected element {_local(child.tag)}")
        else:
            side = self._children(el, spec, d, fs, side)
        for f in spec.required:
            if f.name not in fs:
                raise self.error(el, f"{_local(el.tag)} lacks required "
                                 f"{'attribute' if f.kind == 'A' else 'element'} {f.tag!r}")
        obj = _new(spec.cls)
        _set(obj, "__dict__", d)
        _set(obj, "__pydantic_fields_set__", fs)
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None if side is None else {"_wire": side})
        if self.declares and el in self.declares:
            side = _ensure_side(obj)
            side.nsmap = self.declares[el]
        return obj

    def _children(
        self, el: etree._Element, spec: ClassSpec, d: dict[str, Any], fs: set[str],
        side: Side | None,
    ) -> Side | None:
        elements = spec.elements
        ordered = spec.ordered
        text = el.text
        if text is not None and not text.isspace():
            if not spec.mixed:
                raise self.error(el, f"unexpected text {text.strip()[:40]!r} in {_local(el.tag)}")
        if spec.mixed:
            if side is None:
                side = Side()
            side.texts = [text]
        last = -1
        count = 0
        for child in el:
            tag = child.tag
            f = elements.get(tag)
            if f is None:
                if not isinstance(tag, str):
                    continue  # comments and processing instructions are not data
                g = self._open_content(spec, tag)
                if g is None:
                    if not self.preserve:
                        raise self.error(child, self._unknown_message(el, spec, tag))
                    if side is None:
                        side = Side()
                    if side.unknown is None:
                        side.unknown = []
                    side.unknown.append((count, to_any(child)))
                    continue
                f = g
                value: Any = to_any(child)
            else:
                if f.order < last and not ordered:
                    raise self.error(child, self._order_message(el, spec, f, last))
                last = f.order
                if f.nillable and child.get(XSI_NIL) in ("true", "1"):
                    value = NIL
                    if len(child.attrib) > 1 or child.get(XSI_NIL) != "true":
                        if side is None:
                            side = Side()
                        key = (f.name, len(d[f.name])) if f.many else f.name
                        side.add_lex(("nil", key), NIL, dict(child.attrib))  # type: ignore[arg-type]
                elif f.cls is not None:
                    value = self.decode(child, spec_of(f.cls))
                else:
                    t = child.text or ""
                    value = self.leaf(child, f, t, None)
                    if not f.leaf.exact and f.leaf.fmt(value) != t:  # type: ignore[union-attr]
                        if side is None:
                            side = Side()
                        side.add_lex((f.name, len(d[f.name])) if f.many else f.name, value, t)
                    if len(child):
                        for c in child:
                            if isinstance(c.tag, str):
                                raise self.error(c, f"unexpected element {_local(c.tag)} in "
                                                 f"simple-valued {_local(tag)}")
            if f.many:
                d[f.name].append(value)
            elif f.name in fs:
                raise self.error(child, f"{_local(tag)} may occur only once in {_local(el.tag)}")
            else:
                d[f.name] = value
            fs.add(f.name)
            count += 1
            if ordered:
                if side is None:
                    side = Side()
                if side.order is None:
                    side.order = []
                side.order.append(f.name)
            if spec.mixed:
                assert side is not None and side.texts is not None
                side.texts.append(child.tail)
        return side

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
        where = f"element {_local(tag)!r}" + (f" (namespace {ns})" if ns != _ns(el.tag) else "")
        return (
            f"unknown {where} in {_local(el.tag)}; expected one of: {expected or '(none)'}. "
            "Use ReadConfig(unknown='preserve') to keep unknown content"
        )

    def _order_message(self, el: etree._Element, spec: ClassSpec, f: FieldSpec, last: int) -> str:
        prev = spec.fields[last].tag
        return f"element {f.tag!r} is out of order in {_local(el.tag)}: it must come before {prev!r}"


def _ensure_side(obj: Any) -> Side:
    private = obj.__pydantic_private__
    if private is None:
        side = Side()
        _set(obj, "__pydantic_private__", {"_wire": side})
        return side
    side = private.get("_wire")
    if not isinstance(side, Side):
        side = private["_wire"] = Side()
    return side


def _local(tag: Any) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else str(tag)


def _ns(tag: Any) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""
