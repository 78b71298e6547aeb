"""The one-pass rule dispatch and its shortcuts give what each rule gives on its own.

The dispatcher visits every anchor once for all rules; the DataType rules share one memo of
answers per DataType name, ``duplicate-id`` skips the Version walk in a subtree without a Version, and
``compare_datetimes`` compares date-times of one offset as text. Each shortcut is checked
against the plain path on mutated documents (and, for the date-times, against
``parse_datetime``)."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from isa95kit.validation import RULES, iter_issues
from isa95kit.validation._api import make_options
from isa95kit.validation._context import RuleContext
from isa95kit.validation._layers import Dispatcher, namespace_of
from isa95kit.validation._paths import PathBuilder
from isa95kit.validation._values import compare_datetimes, parse_datetime
from tests.validation._issue_corpus import documents

_PROFILE = make_options().profile
_NAMES = ["DataType", "ID", "UnitOfMeasure", "QuantityString", "ValueString", "StartTime"]
_TEXTS = ["integer", "decimal", " double ", "boolean", "dateTime", "string", "x", "1.5", " 7 ",
          "", "A", "2024-03-11T05:30:00+01:00", "2024-03-11T05:30:00.5+01:00", "KGM", "XQZ"]  # fmt: skip


def _mutants(count: int) -> dict[str, bytes]:
    """The pinned corpus plus seeded mutations: texts changed, complex elements doubled,
    comments slipped between siblings, Versions added, everything on one line."""
    found = dict(documents())
    base = found["mutated:doubled"]
    rng = random.Random(10)
    for n in range(count):
        root = etree.fromstring(base)
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        for _ in range(rng.randint(2, 8)):
            element = rng.choice(elements)
            roll = rng.random()
            if roll < 0.3 and not len(element):
                element.text = rng.choice(_TEXTS)
            elif roll < 0.45 and len(element) and element.getparent() is not None:
                element.addnext(etree.fromstring(etree.tostring(element)))
            elif roll < 0.6 and element.getparent() is not None:
                element.addnext(etree.Comment("between"))
            elif roll < 0.7 and etree.QName(element).localname == "ID":
                version = etree.Element(str(element.tag)[: -len("ID")] + "Version")
                version.text = rng.choice(["1", "2"])
                element.addnext(version)
            else:
                for other in root.iter(*(f"{{*}}{name}" for name in _NAMES)):
                    if rng.random() < 0.2 and not len(other):
                        other.text = rng.choice(_TEXTS)
        data = etree.tostring(root)
        found[f"mutant {n}"] = data
        found[f"mutant {n} on one line"] = re.sub(rb">\s+<", b"><", data)
    return found


_DOCUMENTS = _mutants(12)


def _run(root: Any, rules: list[Any]) -> list[tuple[Any, ...]]:
    namespace = namespace_of(root)
    ctx = RuleContext(namespace=namespace, file=None, profile=_PROFILE,
                      paths=PathBuilder(namespace))  # fmt: skip
    return [(i.line, i.path, i.code, i.message) for i in Dispatcher(rules, ctx).run(root)]


@pytest.mark.parametrize("name", sorted(_DOCUMENTS))
def test_one_dispatch_gives_each_rule_alone(name: str) -> None:
    root = etree.fromstring(_DOCUMENTS[name])
    together = _run(root, list(_PROFILE.enabled_rules()))
    alone = [found for rule in _PROFILE.enabled_rules() for found in _run(root, [rule])]
    assert sorted(together, key=repr) == sorted(alone, key=repr)
    # in document order of the anchors: the lines never go back (at_end issues aside)
    lines = [line or 0 for line, _, code, _ in together if code != "dangling-reference"]
    assert lines == sorted(lines)


def test_the_mutants_trip_the_shortcut_rules() -> None:
    codes = {
        found[2]
        for data in _DOCUMENTS.values()
        for found in _run(etree.fromstring(data), list(_PROFILE.enabled_rules()))
    }
    assert {"duplicate-id", "quantity-not-numeric", "value-not-of-datatype",
            "end-before-start", "unknown-unit"} <= codes  # fmt: skip


@pytest.mark.parametrize("name", sorted(_DOCUMENTS))
def test_stream_and_tree_agree_on_the_mutants(name: str) -> None:
    """The rules' issues (schema issues of a one-line document are placed by the streaming
    engine's own heuristics, tested elsewhere)."""

    def placed(stream: bool) -> list[tuple[Any, ...]]:
        issues = iter_issues(_DOCUMENTS[name], stream=stream)
        return [(i.code, i.line, i.path, i.message) for i in issues if i.code in RULES]

    assert placed(True) == placed(False)


def test_the_sibling_walk_passes_other_siblings() -> None:
    """A comment and a Key between the value and its DataType: the same issue."""
    typed = RULES["quantity-not-numeric"]
    template = (
        '<WorkSchedule xmlns="http://www.mesa.org/xml/B2MML"><ID>W</ID><WorkRequest><ID>R</ID>'
        "<Parameter><ID>P</ID><Value><ValueString> 1x </ValueString>{gap}<DataType>integer"
        "</DataType></Value></Parameter></WorkRequest></WorkSchedule>"
    )
    direct = _run(etree.fromstring(template.format(gap="")), [typed])
    walked = _run(etree.fromstring(template.format(gap="<!-- c --><Key>k</Key>")), [typed])
    assert [found[2:] for found in direct] == [found[2:] for found in walked]
    assert direct and "'1x' is not an integer" in direct[0][3]


_STAMP = st.builds(
    lambda day, time, frac, zone: f"{day}T{time}{frac}{zone}",
    st.sampled_from(["2024-03-11", "2024-02-30", "0000-01-01", "9999-12-31", "12024-01-01"]),
    st.sampled_from(["00:00:00", "05:30:00", "23:59:59", "24:00:00", "12:60:00", "12:00:61"]),
    st.sampled_from(["", ".5", ".50", ".123", ".123456", ".1234567", ".9999999"]),
    st.sampled_from(["", "Z", "+01:00", "-05:00", "+14:00", "+25:00", "-00:30"]),
)


@given(_STAMP, _STAMP)
def test_compare_datetimes_agrees_with_parse_datetime(first: str, second: str) -> None:
    x, y = parse_datetime(first), parse_datetime(second)
    answer = compare_datetimes(first, second)
    assert answer in (-1, 0, 1, None)
    micro = ".1234567" not in (first + second) and ".9999999" not in (first + second)
    if x is not None and y is not None and (x.tzinfo is None) == (y.tzinfo is None) and micro:
        assert answer == (x > y) - (x < y)
    if x is not None and y is not None and (x.tzinfo is None) != (y.tzinfo is None):
        assert answer is None  # one side without a timezone: not comparable
