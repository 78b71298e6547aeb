"""Conformance to MESA's B2MML-JSON schema: its defects, the run-time patches (each shown
necessary), the docs listing them, and the JSON Schema of the Pythonic model."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import isa95kit as ik
from isa95kit._json import model_json_schema, read_json, to_dict, write_json
from isa95kit.model import NIL, JobOrder, QuantityValue, WorkSchedule
from tests.json._mesa import DUPLICATED, PATCHES, mesa_schema, patched_parts, validator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def v0701(releases: Path) -> Path:
    return releases / "V0701"


def _original(v0701: Path) -> Any:
    return jsonschema.Draft202012Validator(mesa_schema(v0701 / "AllSchemas.json")[0])


def _load(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def test_mesa_defects_are_still_there(v0701: Path) -> None:
    """If MESA fixes its file, these fail and the patches can go."""
    schema, dups = mesa_schema(v0701 / "AllSchemas.json")
    assert dups == DUPLICATED
    node = schema["$defs"]["WorkflowSpecificationNodeType"]["properties"]
    assert "WorkflowSpecifictionNodeProperty" in node
    assert "WorkflowSpecificationNodeProperty" not in node
    level = schema["$defs"]["OpPhysicalAssetRequirementType"]["properties"]["EquipmentLevel"]
    assert level == {"$ref": "#/$defs/HierarchyScopeType"}


def test_patched_parts_are_valid_json_schema(v0701: Path) -> None:
    parts = patched_parts(v0701)
    assert len(parts["$defs"]) > 200
    jsonschema.Draft202012Validator.check_schema(parts)


@pytest.mark.parametrize(
    "doc",
    [
        # 1. duplicated names: the element ParameterType holds an enumeration value
        {"ParameterType": "Other"},
        {"LinkType": {"$": "Other", "@OtherValue": "Material"}},
        # 2. stale name: the 2023 XSD spells WorkflowSpecificationNodeProperty correctly
        {"WorkflowSpecification": {"ID": "WF", "WorkflowSpecificationNode": [
            {"ID": "N1", "WorkflowSpecificationNodeProperty": [{"ID": "P1"}]}]}},
        # 3. stale type: OpPhysicalAssetRequirement/EquipmentLevel is an EquipmentLevelType
        {"JobOrder": {"ID": "J", "PhysicalAssetRequirement": [{"ID": "PA",
                                                               "EquipmentLevel": "Site"}]}},
        # 4.-6. room for extension and xsd:any content, and the order of repeating choices
        {"JobOrder": {"ID": "J", "#extended": [
            {"tag": "{http://www.mesa.org/xml/B2MML-AllExtensions}Colour", "text": "red"}]}},
        {"ProcessSegment": {"ID": "PS", "SegmentDependency": [
            {"ID": "D", "Dependency": "NotFollow", "ProductSegmentID": ["P"],
             "SegmentID": ["S1", "S2"],
             "#order": ["ID", "Dependency", "SegmentID", "ProductSegmentID", "SegmentID"]}]}},
    ],
    ids=["duplicate-enum", "duplicate-object", "typo", "stale-type", "extension", "order"],
)
def test_each_patch_is_needed(doc: dict[str, Any], v0701: Path) -> None:
    """Valid B2MML, read and written by isa95kit: MESA's file as shipped rejects it, the
    patched copy accepts it."""
    assert not _original(v0701).is_valid(doc)
    assert [e.message for e in validator(v0701).iter_errors(doc)] == []
    model = read_json(json.dumps(doc))
    assert _load(write_json(model)) == doc
    ik.write_xml(model)  # and it is XML


def test_docs_list_every_patch() -> None:
    docs = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for name in DUPLICATED:
        assert name in docs, name
    for word in ("WorkflowSpecifictionNodeProperty", "OpPhysicalAssetRequirement",
                 "EquipmentLevelType", "#extended", "#any", "#order"):
        assert word in docs, word
    assert len(PATCHES) == 6
    assert len(re.findall(r"^\| P\d ", docs, flags=re.M)) == len(PATCHES)


# -- the Pythonic model's JSON Schema -------------------------------------------------------------
def test_model_json_schema_describes_model_dump() -> None:
    schema = model_json_schema(WorkSchedule)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    check = jsonschema.Draft202012Validator(schema)
    doc = ik.read_xml(ROOT / "examples" / "data" / "process-work-schedule.xml")
    ws = doc.data_area.work_schedule[0]  # type: ignore[attr-defined]
    dumped = ws.model_dump(mode="json")
    assert [e.message for e in check.iter_errors(dumped)] == []
    top = schema["$defs"]["WorkSchedule"]  # recursive (WorkScheduleChild): a $ref at the top
    assert schema["$ref"] == "#/$defs/WorkSchedule"
    assert "work_request" in top["properties"] and "WorkRequest" not in top["properties"]
    # B2MML-JSON is a different shape: MESA's names, bare values, numbers as numbers
    assert not check.is_valid(to_dict(ws, element="WorkSchedule")["WorkSchedule"])


def test_model_json_schema_options_and_nil() -> None:
    by_name = model_json_schema("JobOrder", by_alias=True)
    assert "ID" in by_name["properties"]
    QuantityValue.model_rebuild()
    schema = model_json_schema(QuantityValue)
    alternatives = schema["properties"]["quantity_string"]["anyOf"]
    assert {"type": "null", "description": "xsi:nil (NIL)"} in alternatives
    dumped = QuantityValue(quantity_string=NIL).model_dump(mode="json")
    assert dumped["quantity_string"] is None
    jsonschema.validate(dumped, schema)
    validation = model_json_schema(JobOrder, mode="validation")
    assert "id" in validation["properties"]
    with pytest.raises(ValueError):
        model_json_schema("NotAnElement")
    with pytest.raises(TypeError):
        model_json_schema(dict)  # type: ignore[arg-type]
