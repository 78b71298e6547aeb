"""Names and small helpers shared by the B2MML-JSON encoder and decoder.

The conventions (see ``docs/json.md``): child elements under their B2MML names, attributes
as ``"@name"``, the text of simple content as ``"$"`` (a bare scalar when there are no
attributes), ``null`` for ``xsi:nil``. Content MESA's JSON has no place for uses keys
starting with ``#`` (never a valid XML name, so never a B2MML name):

``#extended``  ``Extended:*`` extension elements (the ``X`` field of a class)
``#any``       ``xsd:any`` content (the ``Y`` field)
``#unknown``   elements kept by ``ReadConfig(unknown="preserve")``, with their position
``#order``     document order of the children of a repeating choice, when it is not the
               content-model order
"""

from __future__ import annotations

import re
from typing import Any

from ..model._registry import EXT_NAMESPACE, NAMESPACE

__all__ = [
    "ANY",
    "EXTENDED",
    "ORDER",
    "ROOT_XMLNS",
    "TEXT",
    "UNKNOWN",
    "XSI",
    "Fail",
    "Num",
    "attr_key",
    "attr_name",
    "format_path",
    "json_lex_key",
]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSD = "http://www.w3.org/2001/XMLSchema"
XSI_NIL = f"{{{XSI}}}nil"

TEXT = "$"
EXTENDED = "#extended"
ANY = "#any"
UNKNOWN = "#unknown"
ORDER = "#order"
NIL_KEY = "@xsi:nil"

#: the namespace declarations MESA's schema allows at the top level: prefix -> the one
#: namespace the prefix may stand for
ROOT_XMLNS: dict[str, str] = {"b2mml": NAMESPACE, "Extended": EXT_NAMESPACE, "xsd": XSD}

#: attributes MESA's JSON has no place for and that carry no data (schema location hints)
DROPPED_ATTRS = frozenset({f"{{{XSI}}}schemaLocation", f"{{{XSI}}}noNamespaceSchemaLocation"})

_WELL_KNOWN = {XSI: "xsi", XML_NS: "xml"}
_BY_PREFIX = {p: ns for ns, p in _WELL_KNOWN.items()}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: the grammar of a JSON number (RFC 8259), which a raw number text must follow
JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


class Num(str):
    """The exact text of a JSON number, as the parser read it (never a float)."""

    __slots__ = ()


class Fail(Exception):
    """A decoding or encoding problem below the current object; the callers on the way
    up add their key or index to ``segments`` (innermost first), so the happy path pays
    nothing for path tracking."""

    def __init__(self, message: str, *segments: str | int) -> None:
        super().__init__(message)
        self.message = message
        self.segments: list[str | int] = list(segments)


def format_path(segments: list[str | int]) -> str:
    """``["JobOrder", 0, "WorkRequest", "WorkSchedule"]`` (innermost first) ->
    ``$.WorkSchedule.WorkRequest.JobOrder[0]``."""
    parts = ["$"]
    for seg in reversed(segments):
        if isinstance(seg, int):
            parts.append(f"[{seg}]")
        elif _IDENT.match(seg):
            parts.append(f".{seg}")
        else:
            parts.append("['" + seg.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(parts)


def attr_key(name: str) -> str:
    """JSON key of an XML attribute name (Clark notation for namespaced ones)."""
    if name[0] != "{":
        return "@" + name
    ns, local = name[1:].split("}", 1)
    prefix = _WELL_KNOWN.get(ns)
    return f"@{prefix}:{local}" if prefix else f"@{name}"


def attr_name(key: str) -> str | None:
    """The XML attribute name of a JSON ``@`` key (inverse of :func:`attr_key`)."""
    name = key[1:]
    if not name:
        return None
    if name[0] == "{":
        return name if "}" in name[1:] else None
    prefix, sep, local = name.partition(":")
    if not sep:
        return name
    ns = _BY_PREFIX.get(prefix)
    return f"{{{ns}}}{local}" if ns and local else None


def json_lex_key(key: Any) -> tuple[str, Any]:
    """Side-record key of the JSON form of a value whose JSON type is not the usual one
    for its XSD type (``"ID": 12``); the XML codec never looks at these keys."""
    return ("json", key)
