"""The direct JSON -> XML converter (``_json/_direct_xml.py``) against the model path.

``json_to_xml(j)`` must give the bytes of ``write_xml(read_json(j))`` and raise the same
error (class, message, location) on bad input; documents it does not handle go to the model
path with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit._json import read_json, write_json
from isa95kit._json._direct_xml import (
    convert_json_source,
    escape_attr,
    escape_text,
    json_to_xml,
)
from isa95kit._xml._config import ReadConfig
from isa95kit._xml._tables import resolve_class
from isa95kit.model import ELEMENTS
from isa95kit.model._base import B2MMLModel
from tests.strategies import instances

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
JSON_DOCS = sorted((DATA / "golden").glob("*.json")) + sorted((DATA / "mesa").glob("*.json"))
XML_DOCS = sorted((ROOT / "tests" / "data" / "golden").glob("*.xml")) + sorted(DATA.glob("*.xml"))


def _outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args, **kwargs)
    except Exception as exc:  # compared, not hidden: both sides must fail alike
        return "error", (type(exc), str(exc), getattr(exc, "location", None))


def _model(source: Any, config: ReadConfig | None = None) -> bytes:
    return ik.write_xml(read_json(source, config=config))


def _same(source: Any, config: ReadConfig | None = None) -> None:
    assert _outcome(json_to_xml, source, config=config) == _outcome(_model, source, config)


@pytest.mark.parametrize("path", JSON_DOCS, ids=lambda p: p.name)
def test_json_documents_give_the_model_paths_bytes(path: Path) -> None:
    _same(path)
    _same(path.read_bytes())
    _same(path.read_text("utf-8"), ReadConfig(unknown="preserve"))


@pytest.mark.parametrize("path", XML_DOCS, ids=lambda p: p.name)
def test_the_json_of_xml_documents(path: Path) -> None:
    _same(write_json(ik.read_xml(path)))
    _same(write_json(ik.read_xml(path), indent=2))


def test_regular_documents_take_the_direct_path() -> None:
    path = ROOT / "tests" / "data" / "golden" / "erp_mes_work_schedule.xml"
    for text in (write_json(ik.read_xml(path)), (DATA / "golden" / "process-work-schedule.json")):
        out, why = convert_json_source(text, None)
        assert why is None and out == _model(text)


# -- bad or unusual input: the same bytes or errors ------------------------------------------------
_BASE: dict[str, Any] = json.loads(
    write_json(ik.read_xml(ROOT / "tests" / "data" / "golden" / "erp_mes_work_schedule.xml"))
)


def _ws(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["ProcessWorkSchedule"]["DataArea"]["WorkSchedule"][0]  # type: ignore[no-any-return]


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        node: Any = _ws(doc)
        for step in path[:-1]:
            node = node[step]
        if value is _DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value

    return edit


_DELETE = object()
_WR = ["WorkRequest", 0]

EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "valid": lambda doc: None,
    "ID as a number": _set(["ID"], 12),
    "ID as a float text": _set(["ID"], 1.5),
    "ID null": _set(["ID"], None),
    "ID an array": _set(["ID"], ["a"]),
    "ID an object with $": _set(["ID"], {"$": "x", "@schemeID": "s"}),
    "ID an object without $": _set(["ID"], {"@schemeID": "s"}),
    "ID with an unknown attribute": _set(["ID"], {"$": "x", "@bogus": "s"}),
    "ID with a namespaced attribute": _set(["ID"], {"$": "x", "@xsi:type": "s"}),
    "missing ID": _set(["ID"], _DELETE),
    "unknown key": _set(["Bogus"], "x"),
    "extension key": _set(["#extended"], []),
    "priority with exponent": _set([*_WR, "Priority"], 1e3),
    "priority -0": _set([*_WR, "Priority"], -0.0),
    "priority as text": _set([*_WR, "Priority"], " +2 "),
    "priority bad text": _set([*_WR, "Priority"], "2,5"),
    "priority true": _set([*_WR, "Priority"], True),
    "priority many digits": _set([*_WR, "Priority"], 12.500),
    "bad dateTime": _set(["StartTime"], "2024-03-11 06:00"),
    "dateTime as a number": _set(["StartTime"], 2024),
    "bad enumeration": _set(["WorkType"], "Bogus"),
    "array for a single child": _set(["HierarchyScope"], [_ws(_BASE)["HierarchyScope"]]),
    "single for an array": _set(["WorkRequest"], _ws(_BASE)["WorkRequest"][0]),
    "empty array": _set(["WorkRequest"], []),
    "null item": _set(["WorkRequest"], [None]),
    "text with markup characters": _set(["ID"], "a&b<c>d\"e'f\r\ng\th]]>"),
    "attribute with markup characters": _set(
        ["Description", 0], {"$": "x", "@languageID": 'a&b<c>d"e\r\ng\th'}
    ),
    "text with non-ASCII": _set(["ID"], "Fr\u00fchschicht \U0001f600"),
    "empty text": _set(["ID"], ""),
    "root namespace": lambda doc: doc.update({"@xmlns:b2mml": "http://www.mesa.org/xml/B2MML"}),
    "root namespace wrong": lambda doc: doc.update({"@xmlns:b2mml": "urn:other"}),
    "two roots": lambda doc: doc.update({"WorkSchedule": {}}),
    "not a root": lambda doc: doc.update({"Bogus": {}}),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_edited_documents_fail_or_convert_alike(name: str, tmp_path: Path) -> None:
    doc = json.loads(json.dumps(_BASE))
    EDITS[name](doc)
    text = json.dumps(doc, ensure_ascii=False)
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    _same(path)
    _same(text.encode("utf-8"))


#: number texts json.dumps does not write, put in place of the first Priority
RAW_NUMBERS = ["2E1", "2e-1", "-0", "2.50", "-0.0", "0.000", "1" + "0" * 40, "2.0E0"]


@pytest.mark.parametrize("raw", RAW_NUMBERS)
def test_number_texts_fail_or_convert_alike(raw: str) -> None:
    text = json.dumps(_BASE, separators=(",", ":"), ensure_ascii=False)
    assert '"Priority":2' in text
    _same(text.replace('"Priority":2', f'"Priority":{raw}', 1).encode("utf-8"))


@pytest.mark.parametrize("text", ["", "{", "[]", '{"a": 1, "a": 2}', '{"WorkSchedule": NaN}', "12"])
def test_malformed_json_is_the_same_error(text: str) -> None:
    _same(text.encode("utf-8"))


def test_a_missing_file_is_the_same_error(tmp_path: Path) -> None:
    _same(tmp_path / "absent.json")


# -- escaping as libxml2 escapes ---------------------------------------------------------------------
_XML_CHARS = st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"
).filter(lambda c: c in "\t\n\r" or ord(c) >= 0x20)


@given(st.text(_XML_CHARS, max_size=30))
def test_escaping_matches_lxml(text: str) -> None:
    el = etree.Element("a", b=text)
    el.text = text
    assert (
        etree.tostring(el, encoding="unicode")
        == f'<a b="{escape_attr(text)}">{escape_text(text)}</a>'
    )


# -- generated documents ---------------------------------------------------------------------------
_NAMES = ["WorkSchedule", "MaterialInformation", "WorkPerformance", "ProcessWorkSchedule",
          "EquipmentInformation", "OperationsDefinitionInformation"]  # fmt: skip


@pytest.mark.parametrize("name", _NAMES)
def test_generated_documents_convert_as_the_model_path(name: str) -> None:
    cls = resolve_class(ELEMENTS[name])

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(instances(cls, max_depth=3, extensions=True))
    def check(obj: B2MMLModel) -> None:
        _same(write_json(obj, element=name))
        _same(write_json(ik.read_xml(ik.write_xml(obj, element=name))))

    check()


# -- the command line ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", JSON_DOCS, ids=lambda p: p.name)
def test_convert_writes_the_model_paths_xml(path: Path, tmp_path: Path) -> None:
    from isa95kit.cli import main

    out = tmp_path / "out.xml"
    assert main(["convert", str(path), "-o", str(out)]) == 0
    assert out.read_bytes() == _model(path)
    assert main(["convert", str(path), "-o", str(out), "--pretty"]) == 0
    assert out.read_bytes() == ik.write_xml(
        read_json(path), config=ik.WriteConfig(pretty_print=True)
    )
