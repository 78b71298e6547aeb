"""MESA's B2MML-JSON schema (``xsd/V0701/AllSchemas.json``), patched at run time.

MESA generated the file with XMLSpy and never tested it. Each patch below fixes one defect
found against the 2023 XSD, or adds room for content MESA's JSON has no place for; every
patch is derived from MESA's own files (the JSON, and the XSD for where extensions and
repeating choices are), never from isa95kit's model, so the conformance tests check the
codec against MESA rather than against itself. ``docs/json.md`` lists the same patches.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

__all__ = [
    "ELEMENT_DEF", "PATCHES", "Patch", "mesa_schema", "patched_parts", "patched_schema", "validator"
]

XS = "{http://www.w3.org/2001/XMLSchema}"

#: the element names that appear twice in MESA's ``$defs`` (as a global element and as a
#: complex type): what a JSON parser does with the file hides the element definitions
DUPLICATED = (
    "BatchListEntryType",
    "EquipmentElementType",
    "EquipmentProceduralElementType",
    "InformationObjectType",
    "LinkType",
    "ParameterType",
    "RecipeElementType",
    "ResourceNetworkConnectionType",
    "WorkflowSpecificationConnectionType",
    "WorkflowSpecificationNodeType",
)

#: the definition of an element kept verbatim (``AnyElement``: extension or xsd:any content)
ELEMENT_DEF = "isa95kit:Element"


@dataclass(frozen=True)
class Patch:
    what: str
    reason: str


PATCHES = (
    Patch(
        "root properties of the 10 duplicated names (" + ", ".join(DUPLICATED) + ") point "
        "to the element's type ``<Name>Type``",
        "an element and a complex type share each of these $defs names; JSON parsers keep "
        "the last (the complex type), so e.g. {\"ParameterType\": \"Other\"} validated "
        "against ParameterType (the complex type) instead of ParameterTypeType",
    ),
    Patch(
        "WorkflowSpecificationNodeType: property WorkflowSpecifictionNodeProperty renamed "
        "WorkflowSpecificationNodeProperty",
        "stale name: the 2023 XSD (V0701) fixed the V0700 typo, the JSON did not",
    ),
    Patch(
        "OpPhysicalAssetRequirementType.EquipmentLevel: $ref HierarchyScopeType -> "
        "EquipmentLevelType",
        "stale name: the 2023 XSD changed the type of this element, the JSON kept the old one",
    ),
    Patch(
        "'#extended' (array of isa95kit:Element) added to the 214 types whose XSD content "
        "model has an Extended:* group",
        "MESA's JSON has no place for extension elements",
    ),
    Patch(
        "'#any' (array of isa95kit:Element) added to TransSignatureType and TransUserAreaType",
        "MESA maps xsd:any to properties matching ^\\w+$ with any value, which cannot say "
        "an element's namespace, attributes or order",
    ),
    Patch(
        "'#order' (array of keys) added to the types whose XSD content model repeats a "
        "choice or group (BatchListEntryType, EquipmentElementType, GRecipeHeaderType, "
        "SegmentDependencyType)",
        "grouping children by name loses their order; the order is kept only when it is "
        "not the content-model order",
    ),
)


@cache
def mesa_schema(path: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    """MESA's file as any JSON parser reads it (last duplicate wins), and the names of
    the ``$defs`` entries that appear more than once."""
    dups: list[str] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for k, v in pairs:
            if k in seen and k not in ("description", "$schema"):
                dups.append(k)
            seen[k] = v
        return seen

    schema = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=hook)
    return schema, tuple(sorted(dups))


def _xsd_facts(folder: Path) -> tuple[set[str], set[str], set[str]]:
    """Named complex types with an Extended:* group, with xsd:any, and with a repeating
    choice or group (maxOccurs > 1), from MESA's XSD files."""
    ext: set[str] = set()
    anys: set[str] = set()
    repeating: set[str] = set()
    for xsd in sorted(folder.glob("*.xsd")):
        for node in etree.parse(str(xsd)).iter(f"{XS}group", f"{XS}any", f"{XS}choice",
                                               f"{XS}sequence"):
            ct = next((a for a in node.iterancestors(f"{XS}complexType")), None)
            name = ct.get("name") if ct is not None else None
            if name is None:
                continue
            ref = node.get("ref") or ""
            if node.tag == f"{XS}group" and ref.startswith("Extended:"):
                ext.add(name)
            elif node.tag == f"{XS}any":
                anys.add(name)
            elif node.get("maxOccurs") not in (None, "1"):
                repeating.add(name)
    return ext, anys, repeating


@cache
def patched_schema(folder: Path) -> dict[str, Any]:
    """MESA's schema with :data:`PATCHES` applied (checked to apply exactly)."""
    original, dups = mesa_schema(folder / "AllSchemas.json")
    assert dups == DUPLICATED, f"MESA's duplicated $defs changed: {dups}"
    schema = copy.deepcopy(original)
    defs = schema["$defs"]
    # 1. duplicated names: the root property of the element refers to its type directly
    for name in DUPLICATED:
        assert f"{name}Type" in defs, name
        schema["properties"][name] = {"$ref": f"#/$defs/{name}Type"}
    # 2. stale names against the 2023 XSD
    node = defs["WorkflowSpecificationNodeType"]["properties"]
    node["WorkflowSpecificationNodeProperty"] = node.pop("WorkflowSpecifictionNodeProperty")
    level = defs["OpPhysicalAssetRequirementType"]["properties"]["EquipmentLevel"]
    assert level == {"$ref": "#/$defs/HierarchyScopeType"}, level
    defs["OpPhysicalAssetRequirementType"]["properties"]["EquipmentLevel"] = {
        "$ref": "#/$defs/EquipmentLevelType"
    }
    # 3. extension, xsd:any and order
    defs[ELEMENT_DEF] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["tag"],
        "properties": {
            "tag": {"type": "string", "minLength": 1},
            "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
            "text": {"type": ["string", "null"]},
            "children": {"type": "array", "items": {"$ref": f"#/$defs/{ELEMENT_DEF}"}},
            "tail": {"type": ["string", "null"]},
            "prefix": {"type": ["string", "null"]},
        },
    }
    elements = {"type": "array", "items": {"$ref": f"#/$defs/{ELEMENT_DEF}"}}
    ext, anys, repeating = _xsd_facts(folder)
    assert len(ext) == 214 and anys == {"TransSignatureType", "TransUserAreaType"}, (ext, anys)
    assert repeating == {
        "BatchListEntryType", "EquipmentElementType", "GRecipeHeaderType", "SegmentDependencyType"
    }, repeating
    for name in ext:
        defs[name]["properties"]["#extended"] = elements
    for name in anys:
        defs[name].setdefault("properties", {})["#any"] = elements
    for name in repeating:
        defs[name]["properties"]["#order"] = {"type": "array", "items": {"type": "string"}}
    return schema


@cache
def validator(folder: Path) -> Any:
    """A validator of the patched schema (its patched parts are checked against the
    2020-12 meta-schema by the tests; checking all 1 MB of it takes seconds)."""
    import jsonschema

    schema = patched_schema(folder)
    return jsonschema.validators.validator_for(schema)(schema)


def patched_parts(folder: Path) -> dict[str, Any]:
    """A schema made of every definition the patches touched, for the meta-schema check."""
    original, _ = mesa_schema(folder / "AllSchemas.json")
    schema = patched_schema(folder)
    changed = {
        name: d for name, d in schema["$defs"].items() if original["$defs"].get(name) != d
    }
    return {
        "$schema": schema["$schema"],
        "properties": {n: schema["properties"][n] for n in DUPLICATED},
        "$defs": changed,
    }
