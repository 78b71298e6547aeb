"""Property-based round trips: generated instance -> XML the official schema accepts -> equal.

The strategies come from ``tests/strategies.py``; this file also checks the facts that
module hard-codes (the single-occurrence choices and the tag-recognised leaf types) against
the official XSD, so a new release cannot silently make the strategies invalid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit._xml._tables import B2MML_NS, EXT_NS, resolve_class, spec_of
from isa95kit.model import ELEMENTS
from isa95kit.model._base import AnyElement, B2MMLModel
from tests.strategies import (
    _DURATION_TAGS,
    _LANGUAGE_TAGS,
    CHOICES,
    GROUPS,
    REPEATING_CHOICES,
    choices_of,
    instances,
)

XSD = "{http://www.w3.org/2001/XMLSchema}"

ENTITIES = [
    "MaterialDefinition",
    "MaterialLot",
    "MaterialInformation",
    "Equipment",
    "EquipmentInformation",
    "WorkSchedule",
    "JobOrder",
    "WorkPerformance",
    "OperationsSchedule",
    "OperationsPerformance",
    "OperationsDefinition",
    "ProcessSegment",
]
VERBS = ("Process", "Sync", "Show", "Acknowledge")
MESSAGES = [verb + name for name in ENTITIES for verb in VERBS if verb + name in ELEMENTS]
#: a message wrapper adds two levels (DataArea, the noun) before the entity
DEPTH = {name: 3 for name in ENTITIES} | {name: 5 for name in MESSAGES}


def _examples(name: str) -> int:
    """The profile's example count for entities; a sixth for each message (the four verbs
    wrap the same noun, drawn at full count on its own) and a third for anything else."""
    n = settings.default.max_examples
    if name in ENTITIES:
        return n
    return max(3, n // 6) if name in MESSAGES else max(5, n // 3)


#: further roots with content the entities above lack: InformationObject's unqualified
#: (no-namespace) children, a repeating sequence group (GRecipeHeader), repeating choices
OTHER_ROOTS = ["InformationObject", "WorkRecord", "GRecipe", "BatchInformation"]


def test_every_entity_has_its_messages() -> None:
    for name in ENTITIES:
        assert name in ELEMENTS, name
        if name != "JobOrder":  # job orders travel inside work schedules (and JobList)
            assert all(verb + name in ELEMENTS for verb in VERBS), name
    assert len(MESSAGES) == 4 * (len(ENTITIES) - 1)


def _check(name: str, obj: B2MMLModel, schema: etree.XMLSchema) -> bytes:
    data = ik.write_xml(obj, element=name)
    doc = etree.fromstring(data)
    if not schema.validate(doc):
        raise AssertionError(f"official schema rejects the written {name}:\n"
                             f"{schema.error_log}\n{data.decode()[:4000]}")
    back = ik.read_xml(data)
    assert type(back) is type(obj)
    assert back == obj
    assert ik.write_xml(back) == data  # stable: writing the decoded instance changes nothing
    return data


@pytest.mark.parametrize("name", ENTITIES + MESSAGES)
def test_generated_instances_are_valid_and_round_trip(
    name: str, official_schema: etree.XMLSchema
) -> None:
    cls = resolve_class(ELEMENTS[name])

    @settings(max_examples=_examples(name))
    @given(instances(cls, max_depth=DEPTH[name]))
    def check(obj: B2MMLModel) -> None:
        _check(name, obj, official_schema)

    check()


@pytest.mark.parametrize("name", OTHER_ROOTS)
def test_other_roots_are_valid_and_round_trip(
    name: str, official_schema: etree.XMLSchema
) -> None:
    cls = resolve_class(ELEMENTS[name])

    @settings(max_examples=_examples(name))
    @given(instances(cls, max_depth=2))
    def check(obj: B2MMLModel) -> None:
        _check(name, obj, official_schema)

    check()


def _strip_extensions(doc: etree._Element) -> int:
    found = doc.xpath("//*[namespace-uri() = $ns]", ns=EXT_NS)
    outer = [el for el in found if el.getparent() is not None
             and etree.QName(el.getparent()).namespace != EXT_NS]
    for el in outer:
        el.getparent().remove(el)
    return len(outer)


@pytest.mark.parametrize("name", ["JobOrder", "MaterialLot", "SyncWorkPerformance"])
def test_extension_content_round_trips(name: str, official_schema: etree.XMLSchema) -> None:
    """``Extended:*`` content is kept verbatim; without it the document is schema-valid
    (the official extension groups are empty, so the schema itself would reject it)."""
    cls = resolve_class(ELEMENTS[name])
    seen = []

    @settings(max_examples=_examples(name + "/extensions"))
    @given(instances(cls, max_depth=DEPTH.get(name, 3), extensions=True))
    def check(obj: B2MMLModel) -> None:
        data = ik.write_xml(obj, element=name)
        back = ik.read_xml(data)
        assert back == obj
        doc = etree.fromstring(data)
        seen.append(_strip_extensions(doc))
        assert official_schema.validate(doc), official_schema.error_log

    check()
    assert any(seen), "no example carried extension content"


def test_extension_values_survive_exactly() -> None:
    from isa95kit.model import JobOrder

    ext = AnyElement(
        tag=f"{{{EXT_NS}}}Routing",
        attributes={"plant": "DE01", "{urn:x}flag": "a&b"},
        text="  step 10 ",
        children=[
            AnyElement(tag=f"{{{EXT_NS}}}Step", text="cut", tail=" then ", prefix="ext"),
            AnyElement(tag="Local", attributes={"n": "2"}, prefix=None),
        ],
        prefix="ext",
    )
    JobOrder.model_rebuild()
    obj = JobOrder.model_validate({"id": "JO-1", "extended": [ext]})
    data = ik.write_xml(obj)
    assert b"<ext:Routing" in data
    back = ik.read_xml(data)
    assert back == obj
    assert back.extended[0].children[0].tail == " then "
    assert back.extended[0].attributes["{urn:x}flag"] == "a&b"


# -- the strategies' hard-coded XSD facts --------------------------------------------------------
def _xsd_docs(v0701: Path) -> list[Any]:
    return [etree.parse(str(p)) for p in sorted(v0701.glob("*.xsd"))]


def test_choice_table_matches_the_schema(v0701: Path) -> None:
    """Every single-occurrence ``xsd:choice`` of V0701 is in ``CHOICES`` and vice versa."""
    found: dict[str, set[tuple[frozenset[str], bool]]] = {}
    for doc in _xsd_docs(v0701):
        for choice in doc.iter(f"{XSD}choice"):
            if choice.get("maxOccurs", "1") != "1":
                continue
            parts = list(choice.iter(f"{XSD}element"))
            members = [e.get("name") for e in parts]
            if len(members) < 2:
                continue
            required = choice.get("minOccurs", "1") != "0" and all(
                e.get("minOccurs", "1").strip() != "0" for e in parts
            )
            owner = next(a for a in choice.iterancestors(f"{XSD}complexType"))
            cls_name = owner.get("name")[: -len("Type")]
            cls = resolve_class(cls_name)
            elements = {f.tag: f.name for f in spec_of(cls).fields if f.kind == "E"}
            names = frozenset(elements[m] for m in members)
            found.setdefault(cls_name, set()).add((names, required))
    table = {
        name: {(frozenset(m), r) for m, r in choices_of(resolve_class(name))} for name in CHOICES
    }
    assert table == found


def test_every_ordered_class_is_known_to_the_strategies() -> None:
    """``ordered`` wires come from repeating choices (any order is valid) or repeating
    sequence groups (:data:`GROUPS`); a new one needs a look before it is generated."""
    from isa95kit.model._registry import MODULES

    ordered = set()
    for name in MODULES:
        cls = resolve_class(name)
        if isinstance(cls, type) and issubclass(cls, B2MMLModel) and spec_of(cls).ordered:
            ordered.add(name)
    assert ordered == set(REPEATING_CHOICES) | set(GROUPS)


def test_tag_recognised_leaf_types_match_the_schema(v0701: Path) -> None:
    language, uri, duration = set(), set(), set()
    for doc in _xsd_docs(v0701):
        for node in doc.iter(f"{XSD}attribute", f"{XSD}element"):
            t = (node.get("type") or "").replace(" ", "")
            name = node.get("name")
            if t == "xsd:language":
                language.add(name)
            elif t == "xsd:anyURI":
                uri.add(name)
            elif t == "DurationType":
                duration.add(name)
    assert language == set(_LANGUAGE_TAGS)
    assert duration == set(_DURATION_TAGS)
    assert uri and all(n.endswith("URI") or n == "uri" for n in uri)


def test_strategy_respects_required_and_choices() -> None:
    """The smallest instances (depth 0) still carry every required part; deeper ones
    reach optional content and full lists, never beyond ``max_list``."""
    from hypothesis import find

    from isa95kit.model import HierarchyScope, JobOrder, Parameter

    # max_depth=0: the root may carry optional content, the levels below only what is required
    scope = find(instances(HierarchyScope, max_depth=0),
                 lambda s: s.hierarchy_scope_child is not None)
    for s in (scope, scope.hierarchy_scope_child):
        assert s.equipment_id is not None
        assert (s.equipment_level is None) != (s.equipment_element_level is None)
    assert scope.hierarchy_scope_child.hierarchy_scope_child is None
    assert not scope.hierarchy_scope_child.extended
    param = find(instances(Parameter, max_depth=0, max_list=3), lambda p: len(p.description) == 3)
    assert param.id is not None and param.id.value is not None

    @settings(max_examples=20)
    @given(instances(JobOrder, max_depth=1, max_list=1))
    def bounded(j: JobOrder) -> None:
        assert len(j.description) <= 1 and len(j.material_requirement) <= 1

    bounded()


# -- lexical forms: kept exactly, whatever the partner wrote -------------------------------------
_LEX_DECIMAL = st.builds(
    lambda sign, zeros, digits, point, frac, blank: f"{blank}{sign}{zeros}{digits}{point}{frac}{blank}",
    st.sampled_from(["", "+", "-"]),
    st.sampled_from(["", "0", "00"]),
    st.integers(0, 10**9).map(str),
    st.sampled_from(["", "."]),
    st.sampled_from(["", "0", "5", "50", "000", "125"]),
    st.sampled_from(["", " ", "\n  "]),
).filter(lambda s: not s.strip().endswith(("+", "-")))
_LEX_DATETIME = st.builds(
    lambda dt, frac, tz: dt.strftime("%Y-%m-%dT%H:%M:%S") + frac + tz,
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["", ".0", ".5", ".120", ".000000", ".123456789"]),
    st.sampled_from(["", "Z", "+00:00", "-00:00", "+14:00", "-14:00", "-05:30", "+01:00"]),
)


@given(priority=_LEX_DECIMAL, start=_LEX_DATETIME, end=_LEX_DATETIME,
       qty=_LEX_DECIMAL.filter(lambda s: s == s.strip()))
def test_lexical_forms_round_trip_exactly(
    priority: str, start: str, end: str, qty: str, official_schema: etree.XMLSchema
) -> None:
    data = (
        f'<b2mml:JobOrder xmlns:b2mml="{B2MML_NS}"><b2mml:ID> JO 1 </b2mml:ID>'
        f"<b2mml:StartTime>{start}</b2mml:StartTime><b2mml:EndTime>{end}</b2mml:EndTime>"
        f"<b2mml:Priority>{priority}</b2mml:Priority>"
        "<b2mml:MaterialRequirement><b2mml:ID>M</b2mml:ID><b2mml:Quantity>"
        f"<b2mml:QuantityString>{qty}</b2mml:QuantityString></b2mml:Quantity>"
        "</b2mml:MaterialRequirement></b2mml:JobOrder>"
    ).encode()
    assert official_schema.validate(etree.fromstring(data)), official_schema.error_log
    obj = ik.read_xml(data)
    assert obj.priority.value == Decimal(priority.strip())  # type: ignore[attr-defined]
    out = ik.write_xml(obj, config=ik.WriteConfig(xml_declaration=False))
    assert out == data
