"""Fuzzing B2MML-JSON reading and unit conversion.

Oracles: only :class:`Isa95Error` escapes; what ``read_json`` accepts writes as JSON that
reads back equal, and as XML that ``read_xml`` reads back and writes again unchanged; unit conversion of extreme
values and codes either answers exactly or refuses with a ``UnitError``, in bounded time
(the limits in ``isa95kit.units``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import isa95kit as ik
from isa95kit import Isa95Error, units

GOLDEN = Path(__file__).resolve().parents[1] / "json" / "data" / "golden"
SEEDS = [json.loads(p.read_text()) for p in sorted(GOLDEN.glob("*.json"))]
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.sampled_from(["", "x", "1e999999", "NaN", "2026-13-01T00:00:00Z", "\u0000", "Other"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3), st.text(max_size=6),
)  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*prefix, i))
    return found


@st.composite
def mutated_json(draw: Any) -> str:
    doc = json.loads(json.dumps(draw(st.sampled_from(SEEDS))))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        if not path:
            continue
        key = path[-1]
        kind = draw(st.sampled_from(["scalar", "drop", "list", "rename", "attr", "dup"]))
        if kind == "scalar":
            parent[key] = draw(_scalars)
        elif kind == "drop":
            del parent[key]
        elif kind == "list":
            parent[key] = [parent[key]]
        elif kind == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["Bogus", "@bogus", "#extended", "$", "ID"]))] = parent.pop(
                key
            )
        elif kind == "attr" and isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(["@xsi:nil", "@unitCode", "@schemeID", "#order"]))] = (
                draw(_scalars)
            )
        elif kind == "dup" and isinstance(parent, list):
            parent.insert(key, parent[key])
    text = json.dumps(doc, default=str)
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] if draw(st.booleans()) else text[:cut] + "}" + text[cut:]
    return text


@FUZZ
@given(mutated_json())
def test_read_json(text: str) -> None:
    try:
        doc = ik.read_json(text)
    except Isa95Error:
        return
    assert ik.read_json(ik.write_json(doc)) == doc  # JSON -> JSON: lossless, lexical forms too
    # JSON -> XML: XML cannot hold every JSON lexical form (an exponent in an integer, a
    # prefix its parent already declares), so the XML written must read back and be stable
    xml = ik.write_xml(doc)
    assert ik.write_xml(ik.read_xml(xml)) == xml


_codes = st.sampled_from(["KGM", "GRM", "LBR", "EA", "C62", "BX", "MTR", "MTQ", "LTR", "CEL",
                          "FAH", "K", "HUR", "MIN", "SEC", "XX", "", "kg", "KGM ", "1"])  # fmt: skip
_values = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(-(10**50), 10**50),
    st.sampled_from(["1e99999999", "-1e-99999999", "1e999999999999", "0", "-0", "1_0", " 1"]),
)


@FUZZ
@given(
    _values, _codes, _codes, st.one_of(st.none(), st.integers(-20, 20), st.sampled_from([10**8]))
)
def test_convert(value: Any, source: str, target: str, places: int | None) -> None:
    try:
        rounding = None if places is None else units.Rounding(places)
        result = units.convert(value, source, target, rounding=rounding)
    except Isa95Error:
        return
    assert isinstance(result, Decimal) and result.is_finite()


@FUZZ
@given(_values, _codes, _values, _codes)
def test_quantity_arithmetic(a: Any, unit_a: str, b: Any, unit_b: str) -> None:
    try:
        total = units.Quantity(a, unit_a) + units.Quantity(b, unit_b)
    except Isa95Error:
        return
    assert total.value.is_finite()
