"""Positional XPaths for issues, and finding the element a libxml2 path names.

Convention: every step is ``prefix:LocalName[n]``, with ``n`` counted among preceding
siblings of the same name (so ``[1]`` is always written). Prefixes are fixed per report, not
taken from the document: the document's B2MML namespace is ``b2mml``, its ``-AllExtensions``
namespace ``ext``, any other namespace the prefix the document declares for it (or ``ns1``,
``ns2``, ... when it has none or that prefix is taken); elements in no namespace have no
prefix. The report lists the prefixes it used (``namespaces``), so every path can be evaluated.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["PathBuilder", "find_libxml2_path", "line_of", "local_name"]


def local_name(element: object) -> str:
    """An element's name without namespace ("" for comments and processing instructions)."""
    tag = getattr(element, "tag", None)
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def line_of(element: object) -> int | None:
    """The source line of an element (the lxml stubs type ``sourceline`` loosely)."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else None


class PathBuilder:
    """Builds positional paths; ``removed`` counts children that streaming already dropped."""

    def __init__(
        self,
        b2mml_namespace: str | None,
        removed: dict[etree._Element, dict[str, int]] | None = None,
    ) -> None:
        self.b2mml_namespace = b2mml_namespace
        self.prefixes: dict[str, str] = {}  # namespace -> prefix
        self._taken: set[str] = set()
        self._removed = removed
        if b2mml_namespace:
            self._bind(b2mml_namespace, "b2mml")
            self._bind(b2mml_namespace + "-AllExtensions", "ext")

    def _bind(self, namespace: str, prefix: str) -> str:
        self.prefixes[namespace] = prefix
        self._taken.add(prefix)
        return prefix

    def namespaces(self) -> dict[str, str]:
        """prefix -> namespace, for the prefixes used in paths so far (sorted by prefix)."""
        return dict(sorted((prefix, ns) for ns, prefix in self.prefixes.items()))

    def prefix_for(self, namespace: str, wanted: str | None = None) -> str:
        """The report's prefix for ``namespace`` (binding ``wanted`` or ``nsN`` on first use)."""
        prefix = self.prefixes.get(namespace)
        if prefix is None:
            if not wanted or wanted in self._taken or wanted.lower().startswith("xml"):
                number = 1
                while f"ns{number}" in self._taken:
                    number += 1
                wanted = f"ns{number}"
            prefix = self._bind(namespace, wanted)
        return prefix

    def name(self, element: etree._Element) -> str:
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith("{"):
            return str(tag)
        namespace, local = tag[1:].split("}", 1)
        return f"{self.prefix_for(namespace, element.prefix)}:{local}"

    def readable(self, text: str) -> str:
        """``text`` with every ``{namespace}name`` written as ``prefix:name``."""
        return _CLARK.sub(lambda m: self.prefix_for(m[1]) + ":", text)

    def path(self, element: etree._Element) -> str:
        steps: list[str] = []
        node: etree._Element | None = element
        while node is not None:
            parent = node.getparent()
            tag = node.tag
            position = 1
            for _ in node.itersiblings(tag, preceding=True):
                position += 1
            if self._removed and parent is not None:
                position += self._removed.get(parent, {}).get(tag, 0)
            steps.append(f"{self.name(node)}[{position}]")
            node = parent
        steps.reverse()
        return "/" + "/".join(steps)


#: a namespace in Clark notation inside a libxml2 message: ``{http://...}``
_CLARK = re.compile(r"\{([A-Za-z][A-Za-z0-9+.-]*:[^{}\s']*)\}")
_STEP = re.compile(
    r"(?:(?P<star>\*)|(?:(?P<prefix>[^:\[\]/]+):)?(?P<name>[^:\[\]/]+))(?:\[(?P<n>\d+)\])?\Z"
)


def find_libxml2_path(top: etree._Element, path: str | None) -> etree._Element | None:
    """The element a libxml2 node path (``/*/*[2]/p:Name[3]``) names, relative to ``top``.

    libxml2 writes ``*[n]`` for elements in a default namespace (n counts all element
    siblings) and ``prefix:name[n]`` otherwise (n counts same-named siblings); the first step
    is the validated element itself. Returns None when the path does not fit the tree.
    """
    if not path or not path.startswith("/"):
        return None
    steps = path[1:].split("/")
    node = top
    for step in steps[1:]:
        match = _STEP.match(step)
        if match is None:
            return None
        wanted = int(match["n"] or 1)
        found = None
        count = 0
        for child in node.iterchildren("*"):
            named = match["star"] is None
            if named and (local_name(child), child.prefix or None) != (
                match["name"],
                match["prefix"],
            ):
                continue
            count += 1
            if count == wanted:
                found = child
                break
        if found is None:
            return None
        node = found
    return node
