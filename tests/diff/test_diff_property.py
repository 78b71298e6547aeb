"""Properties of ``diff`` on generated documents (``tests/strategies.py``).

``diff(x, x)`` and ``diff(x, read_xml(write_xml(x)))`` are empty, and ``diff(a, b)`` is empty
exactly when the canonical XML (C14N 2.0) of ``write_xml(a)`` and ``write_xml(b)`` is equal.
Pairs are drawn so that both outcomes occur often: ``b`` is an equal copy, a copy with one list
reversed, or an independent instance.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit._inspect import walk
from isa95kit._xml._tables import resolve_class
from isa95kit.model import ELEMENTS
from isa95kit.model._base import B2MMLModel
from tests.strategies import instances

ROOTS = ["JobOrder", "MaterialDefinition", "MaterialLot", "Equipment", "ProcessSegment"]


def _canonical(obj: B2MMLModel, name: str) -> str:
    return etree.canonicalize(ik.write_xml(obj, element=name).decode(), strip_text=True)


def _reverse_a_list(obj: B2MMLModel, seed: int) -> B2MMLModel:
    """A deep copy with the items of one list of two or more reversed (if there is one)."""
    copy = obj.model_copy(deep=True)
    lists = [
        (node, name)
        for _, node in walk(copy)
        for name, value in node.__dict__.items()
        if isinstance(value, list) and len(value) > 1
    ]
    if lists:
        node, name = random.Random(seed).choice(lists)
        setattr(node, name, list(reversed(getattr(node, name))))
    return copy


def _pairs(cls: type[B2MMLModel]) -> st.SearchStrategy[tuple[B2MMLModel, B2MMLModel]]:
    docs = instances(cls, max_depth=2)

    @st.composite
    def pair(draw: Any) -> tuple[B2MMLModel, B2MMLModel]:
        a = draw(docs)
        how = draw(st.sampled_from(["copy", "reversed", "other"]))
        if how == "copy":
            return a, a.model_copy(deep=True)
        if how == "reversed":
            return a, _reverse_a_list(a, draw(st.integers(0, 1000)))
        return a, draw(docs)

    return pair()


@pytest.mark.parametrize("name", ROOTS)
def test_diff_with_itself_and_its_round_trip_is_empty(name: str) -> None:
    cls = resolve_class(ELEMENTS[name])

    @settings(max_examples=max(5, settings.default.max_examples // 3))
    @given(instances(cls, max_depth=2))
    def check(x: B2MMLModel) -> None:
        assert ik.diff(x, x).changes == ()
        back = ik.read_xml(ik.write_xml(x, element=name))
        assert ik.diff(x, back).changes == ()

    check()


@pytest.mark.parametrize("name", ROOTS)
def test_diff_is_empty_iff_canonical_xml_is_equal(name: str) -> None:
    cls = resolve_class(ELEMENTS[name])

    @settings(max_examples=max(10, settings.default.max_examples // 2))
    @given(_pairs(cls))
    def check(pair: tuple[B2MMLModel, B2MMLModel]) -> None:
        a, b = pair
        result = ik.diff(a, b)
        assert result.equal == (_canonical(a, name) == _canonical(b, name)), result.to_text()
        back = ik.diff(b, a)
        counts, reverse = result.counts(), back.counts()
        assert (counts["added"], counts["removed"]) == (reverse["removed"], reverse["added"])
        assert (counts["changed"], counts["moved"]) == (reverse["changed"], reverse["moved"])

    check()
