"""Structure-aware mutators for B2MML documents, driven by hypothesis.

Each mutator takes the document bytes and a hypothesis ``draw`` and returns new bytes.
Tree mutators parse the seed with lxml (seeds are well-formed) and change elements,
attributes, namespaces and leaf texts the way a careless partner or an attacker would;
byte mutators break the syntax. :func:`mutated_documents` chains a few of them on a seed
drawn from the reference corpus, the golden documents and generated instances.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
B2MML = "http://www.mesa.org/xml/B2MML"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

Draw = Callable[..., Any]

#: values that break number, date and code parsing, or stress text handling
EXTREME_TEXTS = [
    "", " ", "0", "-0", "+01.50", "1e999999999", "-1E-999999", "NaN", "INF", "-INF",
    "9" * 400, "0." + "0" * 300 + "1", "1,5", "0x10", "\uff12", "١٢", "1_000",
    "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999+14:00", "2026-01-01T00:00:00+25:00", "2026-01-01",
    "P1Y2M3DT4H5M6.7S", "PT", "\u202e\u200b", "a\u0301", "\U0001F600", "\ufeffX",
    "x" * 70_000, "<![CDATA[x]]>", "&amp;", "Other", "other", "true", "1",
]  # fmt: skip
EXTREME_ATTRS = [
    ("foo", "1"), (f"{{{XSI}}}nil", "true"), (f"{{{XSI}}}nil", "false"),
    (f"{{{XSI}}}type", "xs:string"), ("{http://www.w3.org/XML/1998/namespace}lang", "en"),
    ("{urn:other}a", "1"), ("schemeID", "S" * 5000), ("unitCode", "BX"), ("unitCode", ""),
    ("OtherValue", "x"), ("releaseID", "9.9"),
]  # fmt: skip
ENCODINGS = ["utf-8", "utf-16", "utf-16-le", "latin-1", "ascii"]


def seeds() -> list[bytes]:
    """The reference and golden documents (small ones: the suite must stay fast)."""
    found: list[bytes] = []
    for folder in (ROOT / "tests" / "data" / "golden", ROOT / "tests" / "data" / "reference"):
        for path in sorted(folder.rglob("*.xml")):
            data = path.read_bytes()
            if len(data) <= 64_000:
                found.append(data)
    return found


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter() if isinstance(e.tag, str)]


def _tree_mutation(data: bytes, draw: Draw) -> bytes:
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return data
    elements = _elements(root)
    el = draw(st.sampled_from(elements))
    kind = draw(
        st.sampled_from(
            ["text", "attr", "drop-attr", "duplicate", "remove", "reorder", "rename",
             "namespace", "many-attrs", "nest", "comment"]
        )
    )  # fmt: skip
    parent = el.getparent()
    if kind == "text" and len(el) == 0:
        xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
        el.text = draw(st.sampled_from(EXTREME_TEXTS) | xml_text)
    elif kind == "attr":
        name, value = draw(st.sampled_from(EXTREME_ATTRS))
        el.set(name, value)
    elif kind == "drop-attr" and el.attrib:
        del el.attrib[draw(st.sampled_from(sorted(el.attrib)))]
    elif kind == "duplicate" and parent is not None:
        parent.insert(parent.index(el), copy.deepcopy(el))
    elif kind == "remove" and parent is not None:
        parent.remove(el)
    elif kind == "reorder" and len(el) > 1:
        children = list(el)
        order = draw(st.permutations(range(len(children))))
        for child in children:
            el.remove(child)
        for i in order:
            el.append(children[i])
    elif kind == "rename":
        ns = el.tag[1:].split("}")[0] if el.tag.startswith("{") else None
        local = draw(st.sampled_from(["ID", "Description", "Bogus", "JobOrder", "Quantity"]))
        el.tag = f"{{{ns}}}{local}" if ns else local
    elif kind == "namespace":
        local = el.tag.split("}")[-1]
        ns = draw(
            st.sampled_from(
                [B2MML, "http://www.mesa.org/xml/B2MML-V0600", "urn:other", "",
                 "http://www.mesa.org/xml/B2MML-AllExtensions"]
            )
        )  # fmt: skip
        el.tag = f"{{{ns}}}{local}" if ns else local
    elif kind == "many-attrs":
        for i in range(draw(st.sampled_from([10, 300, 3000]))):
            el.set(f"a{i}", "1")
    elif kind == "nest":
        inner = el
        for _ in range(draw(st.sampled_from([5, 50, 300]))):
            inner = etree.SubElement(inner, el.tag)
    elif kind == "comment":
        el.insert(0, etree.Comment(" c "))
    return etree.tostring(root, xml_declaration=draw(st.booleans()), encoding="utf-8")


def _byte_mutation(data: bytes, draw: Draw) -> bytes:
    if not data:
        return data
    kind = draw(
        st.sampled_from(["flip", "truncate", "insert", "delete", "encoding", "doctype", "bom"])
    )
    at = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        junk = draw(
            st.sampled_from(
                [
                    b"<",
                    b"&#0;",
                    b"&x;",
                    b"]]>",
                    b"\x00",
                    b"\xff\xfe",
                    b"</a>",
                    b"<!-- ",
                    b"&#x10FFFF;",
                ]
            )
        )
        return data[:at] + junk + data[at:]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 32)) :]
    if kind == "encoding":
        encoding = draw(st.sampled_from(ENCODINGS))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data
        # a declaration the mutations left unclosed stays in the body
        body = text.partition("?>")[2] if text.startswith("<?xml") and "?>" in text else text
        declared = draw(st.sampled_from(ENCODINGS))
        head = f'<?xml version="1.0" encoding="{declared}"?>'
        return (head + body).encode(encoding, errors="replace")
    if kind == "doctype":
        dtd = draw(
            st.sampled_from(
                [b'<!DOCTYPE r [<!ENTITY e "e">]>', b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x">',
                 b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>']
            )
        )  # fmt: skip
        start = data.find(b"<", 1 if data.startswith(b"<?") else 0)
        if data.startswith(b"<?"):
            start = data.find(b"?>") + 2
        return data[:start] + dtd + data[start:]
    return b"\xef\xbb\xbf" + data


@st.composite
def mutated_documents(draw: Draw, pool: list[bytes] | None = None) -> bytes:
    """A seed with one to three mutations (tree mutations more often than byte ones)."""
    data = draw(st.sampled_from(pool if pool is not None else SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        mutate = _tree_mutation if draw(st.integers(0, 3)) else _byte_mutation
        data = mutate(data, draw)
    return data


SEEDS = seeds()
