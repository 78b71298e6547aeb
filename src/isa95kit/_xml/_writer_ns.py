"""Namespace scopes of the string writer, resolved exactly as lxml builds its tree.

The tree encoder (``_encode.py``) lets lxml pick prefixes: ``SubElement(parent, tag,
nsmap=...)`` declares what ``nsmap`` adds to the scope, then looks the element's namespace
up (``_setNodeNamespaces``, ``_searchNsByHref``, ``_findOrBuildNodeNs`` in lxml's sources),
and a namespaced attribute finds or declares a prefixed binding. The string writer must
write the very same declarations and prefixes, so this module mirrors those lookups on a
chain of :class:`Frame` objects (one per element that declares something or changes the
namespace; elements that do neither share their parent's frame, which changes no lookup).
"""

from __future__ import annotations

import re

__all__ = ["XML_NS", "Decl", "Frame", "NeedsTree", "Scope", "check_name", "check_uri"]

XML_NS = "http://www.w3.org/XML/1998/namespace"

#: lxml's ``_DEFAULT_NAMESPACE_PREFIXES``: the prefix a new declaration of these gets
_DEFAULT_PREFIXES = {
    XML_NS: "xml",
    "http://www.w3.org/1999/xhtml": "html",
    "http://www.w3.org/1999/XSL/Transform": "xsl",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://schemas.xmlsoap.org/wsdl/": "wsdl",
    "http://www.w3.org/2001/XMLSchema": "xs",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://codespeak.net/lxml/objectify/pytype": "py",
}

#: names and URIs the writer takes as they are; anything else (non-ASCII names, characters
#: lxml may refuse or quote differently) is left to the tree encoder, which decides
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_URI = re.compile(r"[A-Za-z0-9:/._\-#?=~%+@!$,;*()\[\]]*\Z")


class NeedsTree(Exception):
    """This instance (or an option) is written by the tree encoder instead: the string
    writer met something it does not reproduce byte for byte, or an error the tree
    encoder reports with its own message and location."""


def check_name(name: str) -> str:
    if _NAME.match(name) is None:
        raise NeedsTree(name)
    return name


def check_uri(uri: str) -> str:
    if _URI.match(uri) is None:
        raise NeedsTree(uri)
    return uri


class Decl:
    """One namespace declaration (``xmlns:prefix="uri"``); identity matters, as in libxml2."""

    __slots__ = ("prefix", "text", "uri")

    def __init__(self, prefix: str | None, uri: str) -> None:
        self.prefix = prefix
        self.uri = uri
        #: the declaration as written in a start tag
        self.text = f' xmlns="{uri}"' if prefix is None else f' xmlns:{prefix}="{uri}"'


XML_DECL = Decl("xml", XML_NS)


class Frame:
    """An element as the namespace lookups see it: its declarations and its namespace."""

    __slots__ = ("decls", "ns", "parent")

    def __init__(self, parent: Frame | None, ns: Decl | None = None) -> None:
        self.parent = parent
        self.decls: list[Decl] = []
        self.ns = ns

    def search(self, prefix: str | None) -> Decl | None:
        """libxml2's ``xmlSearchNs`` from this element."""
        if prefix == "xml":
            return XML_DECL
        node: Frame | None = self
        while node is not None:
            for d in node.decls:
                if d.prefix == prefix:
                    return d
            if node is not self:
                d2 = node.ns
                if d2 is not None and d2.prefix == prefix:
                    return d2
            node = node.parent
        return None

    def search_href(self, uri: str, attribute: bool) -> Decl | None:
        """lxml's ``_searchNsByHref`` from this element."""
        if uri == XML_NS:
            return XML_DECL
        default: Decl | None = None
        node: Frame | None = self
        while node is not None:
            cands = node.decls if node is self or node.ns is None else [*node.decls, node.ns]
            for d in cands:
                if d.uri == uri:
                    if d.prefix is None and attribute:
                        if default is None:
                            default = d
                    elif self.search(d.prefix) is d:
                        return d
            node = node.parent
        if default is not None and self.search(None) is default:
            return default
        return None

    def nsmap(self) -> dict[str | None, str]:
        """lxml's ``element.nsmap``: the nearest declaration of each prefix."""
        found: dict[str | None, str] = {}
        node: Frame | None = self
        while node is not None:
            for d in node.decls:
                if d.prefix not in found:
                    found[d.prefix] = d.uri
            node = node.parent
        return found


class Scope:
    """The document-wide part of the lookups: lxml's counter of invented ``nsN`` prefixes."""

    __slots__ = ("counter",)

    def __init__(self) -> None:
        self.counter = 0

    def new_prefix(self) -> str:
        prefix = f"ns{self.counter}"
        self.counter += 1
        return prefix

    def find_or_build(self, fr: Frame, uri: str, attribute: bool) -> Decl:
        """lxml's ``_findOrBuildNodeNs``: an in-scope binding of ``uri``, else a new
        declaration on ``fr`` (attributes never use the default namespace)."""
        d = fr.search_href(uri, attribute)
        if d is not None and not (attribute and d.prefix is None):
            return d
        prefix = _DEFAULT_PREFIXES.get(uri) or self.new_prefix()
        while fr.search(prefix) is not None:
            prefix = self.new_prefix()
        d = Decl(prefix, check_uri(uri))
        fr.decls.append(d)
        return d

    def element(
        self, parent: Frame | None, uri: str | None, nsmap: dict[str | None, str] | None
    ) -> Frame:
        """The frame of a new element in namespace ``uri`` (None: no namespace) declaring
        ``nsmap``: lxml's ``_setNodeNamespaces`` on a node just added to ``parent``."""
        fr = Frame(parent)
        node_ns = uri
        if nsmap:
            for prefix, href in nsmap.items():
                if prefix is not None:
                    if prefix == "xml":
                        raise NeedsTree("xml prefix")
                    check_name(prefix)
                d = fr.search(prefix)
                if d is None or d.uri != href:
                    d = Decl(prefix, check_uri(href))
                    fr.decls.append(d)
                if href == node_ns:
                    fr.ns = d
                    node_ns = None
        if node_ns is not None:
            fr.ns = self.find_or_build(fr, node_ns, False)
        return fr


def qname(fr: Frame, local: str) -> str:
    """The written name of the element of ``fr`` whose local name is ``local``."""
    d = fr.ns
    if d is None or d.prefix is None:
        return local
    return f"{d.prefix}:{local}"
