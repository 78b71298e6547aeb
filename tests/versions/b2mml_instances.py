"""Test helper: minimal instances of global elements built from an xmlschema model, and mutants.

``minimal_instance(schema, name)`` writes the smallest document the schema model asks for:
required attributes, ``minOccurs`` copies of each particle of a sequence/all, the first
buildable alternative of a required choice, and for text the first candidate value (an
enumeration value of the type, else a small list of lexical forms) that the simple type
accepts. ``mutants(doc)`` derives documents that should be invalid in well-defined ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_CANDIDATES = (
    "x1",
    "1",
    "2024-01-02T03:04:05Z",
    "2024-01-02",
    "03:04:05",
    "true",
    "P1D",
    "1.5",
    "0",
    "2024",
    "http://example.com/x",
    "en",
)
_MAX_DEPTH = 60


class CannotBuild(Exception):
    """The model asks for something this small generator does not produce."""


def _enumerations(simple: Any) -> list[str]:
    found: list[str] = []
    stack = [simple]
    while stack:
        t = stack.pop()
        if t is None:
            continue
        enum = getattr(t, "enumeration", None)
        if enum:
            found.extend(str(v) for v in enum if v is not None)
        stack.extend(getattr(t, "member_types", ()) or ())
        base = getattr(t, "base_type", None)
        if base is not None and base is not t:
            stack.append(base)
    return found


def simple_value(simple: Any) -> str:
    for candidate in (*_enumerations(simple), *_CANDIDATES):
        if simple.is_valid(candidate):
            return candidate
    raise CannotBuild(f"no candidate value for {simple}")


def _text_type(xsd_type: Any) -> Any | None:
    if xsd_type.is_simple():
        return xsd_type
    if xsd_type.has_simple_content():
        return xsd_type.content
    return None


def _build(decl: Any, parent: etree._Element | None, depth: int) -> etree._Element:
    if depth > _MAX_DEPTH:
        raise CannotBuild("too deep")
    if decl.abstract:
        raise CannotBuild(f"abstract element {decl.name}")
    node = etree.Element(decl.name) if parent is None else etree.SubElement(parent, decl.name)
    xsd_type = decl.type
    if not xsd_type.is_simple():
        for name, attr in xsd_type.attributes.items():
            if name and getattr(attr, "use", "optional") == "required":
                node.set(name, attr.fixed if attr.fixed is not None else simple_value(attr.type))
    text_type = _text_type(xsd_type)
    if text_type is not None:
        if decl.fixed is not None:
            node.text = str(decl.fixed)
        else:
            node.text = simple_value(text_type)
    elif not xsd_type.is_simple() and xsd_type.content is not None:
        if xsd_type.is_empty():
            return node
        _fill(xsd_type.content, node, depth + 1)
    return node


def _fill(group: Any, node: etree._Element, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise CannotBuild("too deep")
    items = list(group)
    if group.model == "choice":
        for item in items:
            trial = etree.Element("trial")
            try:
                _emit(item, trial, depth, force=True)
            except CannotBuild:
                continue
            node.extend(list(trial))
            return
        raise CannotBuild("no buildable alternative")
    for item in items:
        _emit(item, node, depth, force=False)


def _emit(item: Any, node: etree._Element, depth: int, *, force: bool) -> None:
    times = max(item.min_occurs, 1 if force else 0)
    for _ in range(times):
        if hasattr(item, "model"):
            _fill(item, node, depth + 1)
        elif hasattr(item, "type") and hasattr(item, "abstract"):
            _build(item, node, depth + 1)
        else:
            raise CannotBuild(f"required wildcard {item}")


def minimal_instance(schema: Any, name: str) -> etree._Element:
    """The smallest instance of the global element ``name`` (local name) of ``schema``."""
    decl = schema.elements[name]
    root = _build(decl, None, 0)
    etree.cleanup_namespaces(root)
    return root


MUTATIONS = ("unknown-child", "drop-child", "bad-value", "drop-attribute", "swap-children")


def _leaves(root: etree._Element) -> Iterator[etree._Element]:
    for el in root.iter():
        if isinstance(el.tag, str) and len(el) == 0 and el.text:
            yield el


def mutant(root: etree._Element, mutation: str) -> etree._Element | None:
    """A copy of ``root`` broken by ``mutation``; None when it does not apply to this document."""
    doc = etree.fromstring(etree.tostring(root))
    ns = etree.QName(doc).namespace
    if mutation == "unknown-child":
        etree.SubElement(doc, f"{{{ns}}}NotAB2MMLElement").text = "x"
        return doc
    if mutation == "drop-child":
        if len(doc) == 0:
            return None
        doc.remove(doc[0])
        return doc
    if mutation == "bad-value":
        for leaf in _leaves(doc):
            leaf.text = "\u00a7 not a valid value \u00a7" + "9" * 300
            return doc
        return None
    if mutation == "drop-attribute":
        for el in doc.iter():
            if isinstance(el.tag, str) and el.attrib:
                del el.attrib[next(iter(el.attrib))]
                return doc
        return None
    if mutation == "swap-children":
        for el in doc.iter():
            kids = [k for k in el if isinstance(k.tag, str)]
            if len(kids) >= 2 and kids[0].tag != kids[1].tag:
                el.remove(kids[0])
                el.insert(el.index(kids[1]) + 1, kids[0])
                return doc
        return None
    raise ValueError(mutation)
