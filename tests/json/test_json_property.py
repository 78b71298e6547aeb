"""Property-based round trips over the core's generated roots (``tests/core``: the entities
and their Process/Sync/Show/Acknowledge messages), through JSON:

- XML -> JSON -> XML is canonically equal to the XML (prefixes and schemaLocation aside);
- JSON -> model -> JSON is identical, byte for byte, and the models are equal;
- the JSON validates against MESA's schema (patched, see ``_mesa.py``);
- an instance built in Python and the same instance read back from XML give the same JSON.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import isa95kit as ik
from isa95kit._json import from_dict, read_json, to_dict, write_json
from isa95kit._xml._tables import resolve_class
from isa95kit.model import ELEMENTS
from isa95kit.model._base import B2MMLModel
from tests.core.test_roundtrip_property import DEPTH, ENTITIES, MESSAGES
from tests.json._canon import canonical
from tests.json._mesa import validator
from tests.strategies import instances


def _examples(name: str) -> int:
    """A fifth of the profile's count per entity, a fifteenth per message wrapper: drawing
    an instance costs ten times the round trip, the four verbs wrap the same noun, and the
    core's own property tests already cover the XML side at full count."""
    n = settings.default.max_examples
    return max(4, n // 5) if name in ENTITIES else max(2, n // 15)


#: messages are drawn shallower than in the core's tests (3 levels, not 5): the wrapper
#: takes two of them, and the entity inside is covered at depth 3 by the entity cases
_DEPTH = {name: min(DEPTH[name], 3) for name in ENTITIES + MESSAGES}


def _round_trip(name: str, obj: B2MMLModel, folder: Path) -> None:
    xml = ik.write_xml(obj, element=name)
    parsed = ik.read_xml(xml)
    text = write_json(parsed)
    assert write_json(obj, element=name) == text  # side records add nothing the model lacks
    back = read_json(text)
    assert back == parsed
    assert write_json(back) == text
    assert canonical(ik.write_xml(back)) == canonical(xml)
    data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    errors = [f"{e.json_path}: {e.message}" for e in validator(folder).iter_errors(data)]
    assert errors == [], text[:2000]
    assert from_dict(to_dict(back)) == back


@pytest.mark.parametrize("name", ENTITIES + MESSAGES)
def test_generated_documents_round_trip_through_json(name: str, v0701: Path) -> None:
    cls = resolve_class(ELEMENTS[name])
    folder = v0701

    @settings(max_examples=_examples(name), suppress_health_check=[HealthCheck.too_slow])
    @given(instances(cls, max_depth=_DEPTH[name], extensions=True))
    def check(obj: B2MMLModel) -> None:
        _round_trip(name, obj, folder)

    check()


# -- leaves: exact numbers and lexical forms -----------------------------------------------------
_DIGITS = st.integers(0, 10**40)


@given(
    st.builds(
        lambda sign, digits, exp: Decimal((sign, tuple(int(c) for c in str(digits)), exp)),
        st.integers(0, 1), _DIGITS, st.integers(-30, 0),
    )
)
def test_decimals_are_json_numbers_with_every_digit(value: Decimal) -> None:
    from isa95kit.model import JobOrder

    JobOrder.model_rebuild()
    obj = JobOrder.model_validate({"id": "J", "priority": {"value": value}})
    text = write_json(obj)
    assert text == b'{"JobOrder":{"ID":"J","Priority":' + format(value, "f").encode() + b"}}"
    back = read_json(text)
    got = back.priority.value  # type: ignore[union-attr]
    assert got == value and str(got) == str(Decimal(format(value, "f")))
    assert to_dict(back)["JobOrder"]["Priority"] == value


_LEXICAL_DATETIME = st.builds(
    lambda dt, frac, tz: dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + tz,
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["", ".0", ".5", ".120", ".000000", ".123456789"]),
    st.sampled_from(["", "Z", "+00:00", "-00:00", "+14:00", "-05:30"]),
)


@given(_LEXICAL_DATETIME)
def test_datetimes_keep_their_exact_text(text: str) -> None:
    xml = (
        '<JobOrder xmlns="http://www.mesa.org/xml/B2MML"><ID>J</ID>'
        f"<StartTime>{text}</StartTime></JobOrder>"
    ).encode()
    j = write_json(ik.read_xml(xml))
    assert json.loads(j)["JobOrder"]["StartTime"] == text
    assert f"<StartTime>{text}</StartTime>".encode() in ik.write_xml(read_json(j))


_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.text(max_size=5),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)
_JSON = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["ID", "$", "@schemeID", "Quantity", "#extended", "x"]),
                      inner, max_size=3),
    max_leaves=8,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["WorkSchedule", "JobOrder", "MaterialLot"]), _JSON)
def test_arbitrary_json_gives_a_model_or_a_located_error(root: str, body: Any) -> None:
    """Whatever the JSON, the reader returns a model or raises DecodeError with a path:
    never KeyError, TypeError or a half-built instance."""
    try:
        obj = from_dict({root: body})
    except ik.DecodeError as exc:
        assert exc.path is not None and exc.path.startswith("$")
        return
    assert isinstance(obj, B2MMLModel)
    assert from_dict(to_dict(obj)) == obj
