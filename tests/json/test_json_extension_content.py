"""Extension and unknown content read from JSON is what XML can carry: every accepted
element writes as XML that read_xml reads back equal (fuzz cases: a non-URI xmlns
attribute, '{urn:a b}x', the xml/xmlns prefixes and a tail were accepted, then written as
XML that read_xml rejected)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit import MappingError

EXT = "http://www.mesa.org/xml/B2MML-AllExtensions"


def _doc(element: dict[str, Any]) -> str:
    return json.dumps({"JobOrder": {"ID": "J", "#extended": [element]}})


@pytest.mark.parametrize(
    ("element", "where"),
    [
        ({"tag": f"{{{EXT}}}a", "attributes": {"xmlns": "not a uri"}}, "attributes.xmlns"),
        ({"tag": f"{{{EXT}}}a", "attributes": {"xmlns:p": "urn:p"}}, "attributes['xmlns:p']"),
        ({"tag": f"{{{EXT}}}a", "children": [{"tag": "{urn:a b}x"}]}, "children[0].tag"),
        ({"tag": f"{{{EXT}}}a", "children": [{"tag": "{}x"}]}, "children[0].tag"),
        ({"tag": f"{{{EXT}}}a", "children": [{"tag": "1x"}]}, "children[0].tag"),
        ({"tag": f"{{{EXT}}}a", "children": [{"tag": "p:x"}]}, "children[0].tag"),
        ({"tag": f"{{{EXT}}}a", "prefix": "xml"}, "prefix"),
        ({"tag": f"{{{EXT}}}a", "prefix": "xmlns"}, "prefix"),
        ({"tag": f"{{{EXT}}}a", "prefix": "a b"}, "prefix"),
        ({"tag": f"{{{EXT}}}a", "tail": "text after"}, "tail"),
        ({"tag": f"{{{EXT}}}a", "text": "bell \u0007"}, None),  # refused as JSON text
        ({"tag": f"{{{EXT}}}a", "attributes": {"b": "nul \u0000"}}, None),
        ({"tag": f"{{{EXT}}}a", "attributes": {"{urn:a b}c": "1"}}, "attributes"),
    ],
)
def test_unwritable_extension_content_is_refused_with_its_path(
    element: dict[str, Any], where: str | None
) -> None:
    with pytest.raises(MappingError) as info:
        ik.read_json(_doc(element))
    assert info.value.location.line == 1 and info.value.location.column
    if where is None:
        return
    path = info.value.location.path or ""
    assert path.startswith("$.JobOrder['#extended'][0]"), path
    assert where.split("[")[0].split(".")[0] in path, path


def test_a_tail_inside_unknown_mixed_content_is_kept() -> None:
    element = {
        "tag": f"{{{EXT}}}a",
        "children": [{"tag": "{urn:x}b", "text": "in", "tail": " after"}],
        "tail": "\n  ",
    }
    doc = ik.read_json(_doc(element))
    assert ik.read_xml(ik.write_xml(doc)) == ik.read_xml(ik.write_xml(doc))
    assert b"<x:b" in ik.write_xml(doc) or b"b xmlns" in ik.write_xml(doc)


_name = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,6}", fullmatch=True)
_uri = st.sampled_from(["urn:x", "http://example.com/ns", "urn:a:b", EXT])
_text = st.one_of(st.none(), st.text(max_size=8))
_tag = st.one_of(_name, st.builds(lambda u, n: f"{{{u}}}{n}", _uri, _name))
_prefix = st.one_of(st.none(), st.sampled_from(["p", "q", "ns1"]), st.text(max_size=4))
_attributes = st.dictionaries(
    st.one_of(_name, st.sampled_from(["xmlns", "xml:lang", "{urn:a b}c", "{urn:q}r"])),
    st.text(max_size=6),
    max_size=3,
)
_child = st.fixed_dictionaries(
    {"tag": _tag}, optional={"text": _text, "tail": _text, "attributes": _attributes}
)


@given(
    st.fixed_dictionaries(
        {"tag": st.builds(lambda n: f"{{{EXT}}}{n}", _name)},
        optional={
            "attributes": _attributes,
            "text": _text,
            "tail": _text,
            "prefix": _prefix,
            "children": st.lists(_child, max_size=3),
        },
    )
)
def test_accepted_extension_content_writes_xml_that_reads_back(element: dict[str, Any]) -> None:
    try:
        doc = ik.read_json(_doc(element))
    except MappingError:
        return  # refused with a location: fine
    xml = ik.write_xml(doc)
    again = ik.read_xml(xml)  # read_xml accepts what was written ...
    # ... and writes it back canonically equal ('' and no text are the same in XML)
    assert etree.canonicalize(ik.write_xml(again).decode()) == etree.canonicalize(xml.decode())
