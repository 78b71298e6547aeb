"""Canonical XML for round-trip comparisons: C14N 2.0 with comments dropped, whitespace-only
text between elements ignored, namespace prefixes rewritten (``n0``, ``n1``...) and
``xsi:schemaLocation`` hints left out — the wire details MESA's JSON has no place for.
Every other character of text and attribute values counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"
HINTS = [f"{{{XSI}}}schemaLocation", f"{{{XSI}}}noNamespaceSchemaLocation"]


def canonical(xml: bytes) -> str:
    parser = etree.XMLParser(remove_comments=True, remove_pis=True, resolve_entities=False)
    root = etree.fromstring(xml, parser)
    for el in root.iter():
        if el.text is not None and not el.text.strip() and len(el):
            el.text = None
        if el.tail is not None and not el.tail.strip():
            el.tail = None
    return ET.canonicalize(
        etree.tostring(root), rewrite_prefixes=True, exclude_attrs=HINTS, with_comments=False
    )
