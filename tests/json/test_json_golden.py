"""Golden files: realistic XML documents (the core's ``examples/data`` and ours) and JSON
documents written by hand to MESA's schema, through every direction of the codec.

Regenerate the expected JSON of the XML documents with ``ISA95KIT_REGEN=1`` (then review
the diff: the golden files are the specification of the output).
"""

from __future__ import annotations

import io
import json
import os
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit._json import dump_json, from_dict, read_json, to_dict, write_json
from tests.json._canon import canonical
from tests.json._mesa import mesa_schema, validator

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
DATA = HERE / "data"
GOLDEN = DATA / "golden"
XML_DOCS = sorted(DATA.glob("*.xml")) + sorted((ROOT / "examples" / "data").glob("*.xml"))
MESA_DOCS = sorted((DATA / "mesa").glob("*.json"))
B2MML_NS = "http://www.mesa.org/xml/B2MML"


def _load(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


@cache
def _xsd(folder: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(folder / "AllSchemas.xsd")))


def _without_foreign_content(xml: bytes) -> etree._Element:
    """The document minus extension / xsd:any elements (MESA's groups for them are empty,
    and TransUserArea's wildcard is strict), for XSD validation of everything else."""
    root = etree.fromstring(xml)
    for el in list(root.iter()):
        parent = el.getparent()
        if isinstance(el.tag, str) and not el.tag.startswith("{" + B2MML_NS + "}") and (
            parent is not None and parent.tag.startswith("{" + B2MML_NS + "}")
        ):
            parent.remove(el)
    return root


def test_there_are_golden_documents() -> None:
    assert len(XML_DOCS) >= 3, XML_DOCS
    assert len(MESA_DOCS) >= 3, MESA_DOCS


@pytest.mark.parametrize("path", XML_DOCS, ids=lambda p: p.name)
def test_xml_to_json_is_the_golden_file(path: Path) -> None:
    got = write_json(ik.read_xml(path), indent=2) + b"\n"
    golden = GOLDEN / f"{path.stem}.json"
    if os.environ.get("ISA95KIT_REGEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(got)
    assert golden.exists(), f"no golden file {golden.name}: run with ISA95KIT_REGEN=1"
    assert got.decode() == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", XML_DOCS, ids=lambda p: p.name)
def test_xml_json_xml_is_canonically_equal(path: Path) -> None:
    source = path.read_bytes()
    text = write_json(ik.read_xml(source))
    back = ik.write_xml(read_json(text))
    assert canonical(back) == canonical(source)
    # and through the dict API as well
    data = to_dict(ik.read_xml(source))
    assert canonical(ik.write_xml(from_dict(data))) == canonical(source)


@pytest.mark.parametrize("path", XML_DOCS, ids=lambda p: p.name)
def test_json_model_json_is_identical(path: Path) -> None:
    text = write_json(ik.read_xml(path))
    again = read_json(text)
    assert again == ik.read_xml(path)
    assert write_json(again) == text
    pretty = write_json(again, indent=2)
    assert write_json(read_json(pretty), indent=2) == pretty


@pytest.mark.parametrize("path", XML_DOCS, ids=lambda p: p.name)
def test_streamed_output_is_the_same(path: Path) -> None:
    """``dump_json`` (the CLI's streaming writer) writes exactly ``write_json``'s bytes."""
    obj = ik.read_xml(path)
    out = io.BytesIO()
    dump_json(obj, out)
    assert out.getvalue() == write_json(obj)


@pytest.mark.parametrize("path", XML_DOCS, ids=lambda p: p.name)
def test_output_validates_against_patched_mesa_schema(path: Path, v0701: Path) -> None:
    data = _load(write_json(ik.read_xml(path)))
    errors = [f"{e.json_path}: {e.message}" for e in validator(v0701)
              .iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("path", MESA_DOCS, ids=lambda p: p.name)
def test_hand_written_mesa_json(path: Path, v0701: Path) -> None:
    folder = v0701
    data = _load(path.read_bytes())
    # written to MESA's schema: valid against the patched copy, and against MESA's file as
    # shipped unless it uses a patched feature (extension / xsd:any content)
    assert [e.message for e in validator(folder).iter_errors(data)] == []
    uses_patch = "#extended" in path.read_text() or "#any" in path.read_text()
    import jsonschema

    original = jsonschema.Draft202012Validator(mesa_schema(folder / "AllSchemas.json")[0])
    assert original.is_valid(data) != uses_patch
    # JSON -> model -> JSON gives the same JSON value (key order: the content model's)
    model = read_json(path)
    assert _load(write_json(model)) == data
    assert write_json(read_json(write_json(model))) == write_json(model)
    # JSON -> XML is valid B2MML, and comes back as the same JSON
    xml = ik.write_xml(model)
    schema = _xsd(folder)
    assert schema.validate(_without_foreign_content(xml)), schema.error_log
    assert _load(write_json(ik.read_xml(xml))) == data
