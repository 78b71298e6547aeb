"""The string writer ``write_xml`` uses writes exactly the bytes of the lxml tree encoder.

The tree encoder (``_xml/_encode.py`` + ``etree.tostring``) is the reference: every case
here writes one instance both ways -- :func:`write_document` directly (so a silent fall
back to the tree cannot make a case pass) and :func:`write_tree` -- and compares bytes.
Errors must be the same ``EncodeError`` (message and location) through ``write_xml``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import isa95kit as ik
from isa95kit._xml._api import write_tree
from isa95kit._xml._encode import default_nsmap
from isa95kit._xml._tables import EXT_NS, resolve_class, root_element
from isa95kit._xml._writer import NeedsTree, write_document
from isa95kit.errors import EncodeError
from isa95kit.model import ELEMENTS
from isa95kit.model._base import AnyElement, B2MMLModel
from isa95kit.model._registry import NAMESPACE
from isa95kit.versions import MigrationWarning
from tests.conftest import EXAMPLES
from tests.strategies import instances

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

CONFIGS = [
    ik.WriteConfig(),
    ik.WriteConfig(pretty_print=True),
    ik.WriteConfig(xml_declaration=False),
    ik.WriteConfig(prefix="b2mml"),
    ik.WriteConfig(prefix="b2mml", pretty_print=True, encoding="utf-8"),
]
CONFIG_IDS = ["plain", "pretty", "no-declaration", "prefix", "prefix-pretty-utf8"]


def _tag(obj: B2MMLModel, element: str | None = None) -> str:
    return f"{{{NAMESPACE}}}{root_element(obj, element)}"


def assert_same(obj: B2MMLModel, config: ik.WriteConfig, element: str | None = None) -> bytes:
    """Both writers give the same bytes; the string writer handles the case itself."""
    tag = _tag(obj, element)
    expected = write_tree(obj, tag, config, None, False)
    got = write_document(obj, tag, default_nsmap(config.prefix), config)
    assert got == expected
    assert ik.write_xml(obj, config=config, element=element) == expected
    return expected


def assert_same_error(obj: B2MMLModel, config: ik.WriteConfig | None = None) -> EncodeError:
    config = config or ik.WriteConfig()
    with pytest.raises(EncodeError) as tree:
        write_tree(obj, _tag(obj), config, None, False)
    with pytest.raises(EncodeError) as public:
        ik.write_xml(obj, config=config)
    assert str(public.value) == str(tree.value)
    assert public.value.location == tree.value.location
    return public.value


def without_sides(obj: B2MMLModel) -> B2MMLModel:
    """A deep copy of ``obj`` with no side records (as if built in Python)."""
    copy = obj.model_copy(deep=True)
    todo: list[Any] = [copy]
    while todo:
        node = todo.pop()
        if isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, B2MMLModel):
            object.__setattr__(node, "__pydantic_private__", None)
            todo.extend(node.__dict__.values())
    return copy


# -- documents --------------------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.xml")))
def test_golden_documents(name: str, config: ik.WriteConfig) -> None:
    obj = ik.read_xml(GOLDEN / name)
    assert_same(obj, config)
    # without side records (the per-class handlers write it) it is the same too
    assert_same(without_sides(obj), config)


def _reference_documents() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*.xml"))


@pytest.mark.parametrize("unknown", ["error", "preserve"])
@pytest.mark.parametrize("path", _reference_documents(), ids=lambda p: p.name[-40:])
def test_reference_documents(path: Path, unknown: str) -> None:
    """Third-party documents read_xml accepts (older releases migrated to V0701)."""
    try:
        obj = ik.read_xml(path, config=ik.ReadConfig(unknown=unknown))  # type: ignore[arg-type]
    except ik.Isa95Error:
        pytest.skip("read_xml refuses this document")
    for config in CONFIGS[:2]:
        try:
            write_tree(obj, _tag(obj), config, None, False)
        except EncodeError:  # the migrated instance lacks what V0701 requires
            assert_same_error(obj, config)
        else:
            assert_same(obj, config)


def test_down_migration_uses_the_tree() -> None:
    obj = ik.read_xml(GOLDEN / "erp_mes_work_schedule.xml")
    with pytest.warns(MigrationWarning):
        out = ik.write_xml(obj, version="V0600")
    with pytest.warns(MigrationWarning):
        assert out == write_tree(obj, _tag(obj), ik.WriteConfig(), "V0600", False)
    assert b"B2MML" in out


def test_other_encodings_use_the_tree() -> None:
    obj = ik.read_xml(GOLDEN / "lexical_material_lot.xml")
    config = ik.WriteConfig(encoding="ISO-8859-1")
    with pytest.raises(NeedsTree):
        write_document(obj, _tag(obj), default_nsmap(None), config)
    assert ik.write_xml(obj, config=config) == write_tree(obj, _tag(obj), config, None, False)


# -- content the general path writes ------------------------------------------------------------
def _job(**fields: Any) -> B2MMLModel:
    from isa95kit.model import JobOrder

    JobOrder.model_rebuild()
    return JobOrder.model_validate({"id": "JO-1", **fields})


@pytest.mark.parametrize("config", CONFIGS[:2], ids=CONFIG_IDS[:2])
def test_escaping_and_characters(config: ik.WriteConfig) -> None:
    text = "a&b <c> \"q\" 's' tab\there\r\nline ]]> é — 😀 \x7f\x85\u2028\ufeff\U0010fffd"
    job = _job(description=[{"value": text, "language_id": text}], work_master_id=text)
    out = assert_same(job, config)
    assert b"&amp;b &lt;c&gt;" in out and b"&#13;" in out and b"&quot;q&quot;" in out
    assert ik.read_xml(out) == job


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1f", "\ufffe", "\ud800"])
def test_characters_xml_cannot_carry_raise_the_same_error(bad: str) -> None:
    assert_same_error(_job(description=[{"value": f"x{bad}y"}]))
    assert_same_error(_job(description=[{"value": "x", "language_id": bad}]))


def test_encode_errors_are_the_tree_encoders() -> None:
    from isa95kit.model import MaterialLot

    lot = ik.read_xml(GOLDEN / "lexical_material_lot.xml")
    assert isinstance(lot, MaterialLot)
    lot.__dict__["id"] = None  # required, bypassing validation as a careless caller might
    error = assert_same_error(lot)
    assert error.location is not None and error.location.path


@pytest.mark.parametrize("config", CONFIGS, ids=CONFIG_IDS)
def test_extension_content(config: ik.WriteConfig) -> None:
    ext = AnyElement(
        tag=f"{{{EXT_NS}}}Routing",
        attributes={"plant": "DE01", "{urn:x}flag": "a&b", f"{{{XSI}}}type": "t"},
        text="  step 10 ",
        children=[
            AnyElement(tag=f"{{{EXT_NS}}}Step", text="cut", tail=" then ", prefix="ext"),
            AnyElement(tag="Local", attributes={"n": "2"}, text=""),
            AnyElement(tag="{urn:other}Other", prefix=None, children=[AnyElement(tag="Deep")]),
        ],
        prefix="ext",
    )
    plain = AnyElement(tag=f"{{{EXT_NS}}}Flag", prefix="ext")
    unqualified = AnyElement(tag="Bare", tail="")
    assert_same(_job(extended=[ext, plain, unqualified]), config)


@pytest.mark.parametrize("pretty", [False, True])
def test_mixed_content_and_kept_unknowns(pretty: bool) -> None:
    doc = f"""<b2mml:Value xmlns:b2mml="{NAMESPACE}" xmlns:xsi="{XSI}" xmlns:x="urn:x"
        x:flag="1" xsi:schemaLocation="{NAMESPACE} B2MML.xsd">lead &amp; text<b2mml:ValueString
        >12.5</b2mml:ValueString>between<x:Note a="&quot;">kept<x:Inner/>after</x:Note
        ><b2mml:DataInterpretation>Constant</b2mml:DataInterpretation><DataType
        xmlns="{NAMESPACE}">double</DataType><b2mml:UnitOfMeasure
        >Cel</b2mml:UnitOfMeasure>trailing</b2mml:Value>"""
    obj = ik.read_xml(doc.encode(), config=ik.ReadConfig(unknown="preserve"))
    assert_same(obj, ik.WriteConfig(pretty_print=pretty))


def test_nil_forms_and_lexical_records() -> None:
    from isa95kit.model import NIL

    lot = ik.read_xml(GOLDEN / "lexical_material_lot.xml")
    assert_same(lot, ik.WriteConfig(pretty_print=True))
    fresh = without_sides(lot)
    fresh.published_date = NIL  # a nil on an instance without xsi declared: declared on it
    assert_same(fresh, ik.WriteConfig())
    assert_same(fresh, ik.WriteConfig(pretty_print=True))


def test_pretty_printing_past_thirty_levels() -> None:
    """libxml2 indents at most 60 spaces."""
    from isa95kit.model import MaterialDefinition

    node: dict[str, Any] = {"id": "leaf"}
    for level in range(40):
        node = {"id": f"md-{level}", "assembly_definition": [node]}
    md = MaterialDefinition.model_validate(node)
    out = assert_same(md, ik.WriteConfig(pretty_print=True))
    assert b"\n" + b" " * 60 + b"<MaterialDefinition>" not in out
    assert b"\n" + b" " * 60 + b"<AssemblyDefinition>" in out


def test_values_of_every_leaf_kind() -> None:
    job = ik.read_xml(GOLDEN / "prefixed_job_order.xml")
    job.priority.value = Decimal("2.250")
    assert_same(job, ik.WriteConfig())
    assert_same(without_sides(job), ik.WriteConfig(prefix="p"))


# -- generated instances ----------------------------------------------------------------------
ROOTS = [
    "JobOrder",
    "MaterialLot",
    "SyncWorkPerformance",
    "WorkRecord",
    "InformationObject",
    "Value",
    "GRecipe",
    "BatchInformation",
]


@pytest.mark.parametrize("name", ROOTS)
def test_generated_instances(name: str) -> None:
    cls = resolve_class(ELEMENTS[name])

    @settings(max_examples=max(5, settings.default.max_examples // 2))
    @given(
        instances(cls, max_depth=3, extensions=True),
        st.sampled_from(range(len(CONFIGS))),
    )
    def check(obj: B2MMLModel, which: int) -> None:
        config = CONFIGS[which]
        data = assert_same(obj, config, element=name)
        # decoded again, with side records (prefixes, lexical forms): still the same bytes
        back = ik.read_xml(data)
        assert_same(back, config)
        assert_same(back, ik.WriteConfig(pretty_print=not config.pretty_print))

    check()


@pytest.mark.parametrize("pretty", [False, True])
def test_namespace_bound_twice(pretty: bool) -> None:
    """A document binding B2MML both as default and as a prefix, its elements using both:
    a binding already in scope is not declared again (lxml's rule)."""
    doc = f"""<JobOrder xmlns="{NAMESPACE}" xmlns:b2mml="{NAMESPACE}" xmlns:xsi="{XSI}"
        ><b2mml:ID>J-1</b2mml:ID><Description>d</Description><b2mml:HierarchyScope
        ><EquipmentID>E</EquipmentID><b2mml:EquipmentLevel>Site</b2mml:EquipmentLevel
        ></b2mml:HierarchyScope><JobOrderParameter xmlns:b2mml="{NAMESPACE}"
        ><b2mml:ID>P</b2mml:ID></JobOrderParameter></JobOrder>"""
    obj = ik.read_xml(doc.encode())
    assert_same(obj, ik.WriteConfig(pretty_print=pretty))
    assert_same(without_sides(obj), ik.WriteConfig(pretty_print=pretty))


def test_attribute_namespaces_bound_only_as_default_get_a_prefix() -> None:
    """lxml never puts a namespaced attribute in the default namespace: it invents nsN."""
    inner = AnyElement(tag="{urn:x}Inner", attributes={"{urn:x}a": "1", "{urn:y}b": "2"})
    ext = AnyElement(
        tag="{urn:x}Outer",
        prefix=None,
        attributes={"{urn:x}a": "1", "{urn:z}c": "3"},
        children=[inner, AnyElement(tag="{urn:y}Other", prefix="ns0")],
    )
    out = assert_same(_job(extended=[ext]), ik.WriteConfig())
    assert b"ns0:" in out or b"ns1:" in out
