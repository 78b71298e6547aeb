"""The attribute-limit check's quick sieve never hides an element over the limit: the
result is always the exact XPath count's (``too_many_attributes`` in ``_layers.py``)."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from isa95kit._source import xml_parser
from isa95kit.validation._layers import too_many_attributes

_VALUE = st.text(alphabet="ab >\"'\n\t&", max_size=4)


def _exact(root: etree._Element, limit: int) -> etree._Element | None:
    found = root.xpath("(descendant-or-self::*[count(@*) > $n])[1]", n=limit)
    return found[0] if isinstance(found, list) and found else None  # type: ignore[return-value]


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    parts = ["<r>"]
    for _ in range(draw(st.integers(1, 4))):
        names = draw(st.lists(st.sampled_from(string.ascii_letters), unique=True, max_size=8))
        attrs = []
        for name in names:
            value = draw(_VALUE)
            quote = "'" if '"' in value and "'" not in value else '"'
            value = value.replace("&", "&amp;").replace(
                quote, "&quot;" if quote == '"' else "&apos;"
            )
            attrs.append(
                f"{draw(st.sampled_from([' ', '  ', chr(10)]))}{name}={quote}{value}{quote}"
            )
        parts.append("<e" + "".join(attrs) + draw(st.sampled_from(["/>", " />", "></e>"])))
    parts.append("</r>")
    return "".join(parts).encode("utf-8")


@given(_documents(), st.integers(0, 8))
def test_the_sieve_agrees_with_the_exact_count(data: bytes, limit: int) -> None:
    root = etree.fromstring(data, xml_parser())
    assert too_many_attributes(root, limit, data) is _exact(root, limit)


def test_the_tightest_crowded_tag_is_found() -> None:
    for limit in (1, 5, 20):
        data = (
            "<r><e" + "".join(f' {c}=""' for c in string.ascii_letters[: limit + 1]) + "/></r>"
        ).encode()
        root = etree.fromstring(data, xml_parser())
        assert too_many_attributes(root, limit, data) is root[0]
        assert too_many_attributes(root, limit + 1, data) is None
