"""Bad JSON gives located errors (JSON path, line, column), never a bare KeyError; numbers
that would lose precision, wrong array-ness and unknown keys are reported, not guessed.
Bad instances give located EncodeErrors."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

import isa95kit as ik
from isa95kit import DecodeError, EncodeError, MalformedDocumentError, MappingError
from isa95kit._json import from_dict, read_json, write_json
from isa95kit._source import ParseLimits
from isa95kit._xml._config import ReadConfig
from isa95kit.model import Identifier, JobOrder, WorkRequest, WorkSchedule


def _ws(job_of_request_3: dict[str, Any]) -> str:
    requests = [{"ID": f"WR-{i}", "JobOrder": [{"ID": f"JO-{i}"}]} for i in range(2)]
    requests.append({"ID": "WR-2", "JobOrder": [job_of_request_3]})
    return json.dumps({"WorkSchedule": {"ID": "WS", "WorkRequest": requests}}, indent=2)


def _error(text: str | bytes | dict[str, Any], cls: type[Exception] = MappingError) -> Any:
    with pytest.raises(cls) as info:
        if isinstance(text, (str, bytes)):
            read_json(text)
        else:
            from_dict(text)
    return info.value


def test_path_line_and_column_point_at_the_value() -> None:
    text = _ws({"ID": "JO-2", "StartTime": "next tuesday"})
    exc = _error(text)
    assert exc.path == "$.WorkSchedule.WorkRequest[2].JobOrder[0].StartTime"
    line = text.splitlines()[exc.line - 1]
    assert line[exc.column - 1 :].startswith('"next tuesday"')
    assert "xsd:dateTime" in exc.message
    assert str(exc).startswith(f"{exc.line}:{exc.column} $.WorkSchedule.WorkRequest[2]")
    assert isinstance(exc, ValueError) and isinstance(exc, DecodeError)


def test_file_name_in_errors(tmp_path: Any) -> None:
    path = tmp_path / "ws.json"
    path.write_text(_ws({"ID": "JO-2", "Priority": "high"}), encoding="utf-8")
    with pytest.raises(MappingError) as info:
        read_json(path)
    exc = info.value
    assert exc.file == str(path)
    assert exc.path == "$.WorkSchedule.WorkRequest[2].JobOrder[0].Priority"
    assert "'high' is not a decimal number" in exc.message


@pytest.mark.parametrize(
    ("job", "path", "words"),
    [
        ({"ID": "J", "Description": "one"}, ".Description", "must be an array"),
        ({"ID": "J", "Description": {"$": "one"}}, ".Description", "must be an array"),
        ({"ID": ["J"]}, ".ID", "must be a single value"),
        ({"ID": "J", "HierarchyScope": [{"EquipmentID": "E"}]}, ".HierarchyScope",
         "must be a single value"),
        ({"ID": "J", "StartTme": "2024-01-01T00:00:00Z"}, ".StartTme", "did you mean 'StartTime'"),
        ({"ID": "J", "@bogus": "x"}, "['@bogus']", "unknown key '@bogus'"),
        ({"ID": {"$": "J", "@schemeIDs": "x"}}, ".ID['@schemeIDs']", "did you mean '@schemeID'"),
        ({"ID": "J", "StartTime": None}, ".StartTime", "cannot be null"),
        ({"ID": "J", "HierarchyScope": "E"}, ".HierarchyScope", "must be an object"),
        ({"ID": "J", "HierarchyScope": {}}, ".HierarchyScope", "lacks required element 'EquipmentID'"),
        ({"Description": ["x"]}, "", "lacks required element 'ID'"),
        ({"ID": {"J": 1}}, ".ID.J", "unknown key 'J' in Identifier; expected one of: $, @sch"),
        ({"ID": {"@schemeID": "x"}, "Priority": {"@format": "x"}}, ".Priority", "'$'"),
        ({"ID": "J", "Priority": True}, ".Priority", "expected a number"),
        ({"ID": "J", "Priority": [1]}, ".Priority", "single value"),
        ({"ID": "J", "Priority": {"$": {"a": 1}}}, ".Priority['$']", "expected a scalar"),
        ({"ID": "J", "Priority": 1e999999}, ".Priority", "out of range"),
        ({"ID": "J", "Command": "Go"}, ".Command", "not a value of JobOrderCommandCode"),
        ({"ID": "J", "#extended": {"tag": "x"}}, "['#extended']", "must be an array"),
        ({"ID": "J", "#extended": [{"tag": "{urn:x}a"}]}, "['#extended'][0].tag",
         "extension elements are in the namespace"),
        ({"ID": "J", "#extended": [{"tag": "{http://www.mesa.org/xml/B2MML-AllExtensions}a",
                                    "children": [{"text": "no tag"}]}]},
         "['#extended'][0].children[0].tag", "'tag'"),
        ({"ID": "J", "#order": ["ID"]}, "['#order']", "unknown key '#order'"),
        ({"ID": "J", "#unknown": [{"position": -1, "element": {"tag": "a"}}]},
         "['#unknown'][0].position", "non-negative"),
        ({"ID": "J", "MaterialRequirement": [{"ID": "M", "Quantity": [
            {"QuantityString": {"@xsi:nil": "maybe"}}]}]},
         ".MaterialRequirement[0].Quantity[0].QuantityString", "'@xsi:nil'"),
        ({"ID": "J", "Priority": {"$": 1, "@xsi:nil": "true"}}, ".Priority['@xsi:nil']",
         "only allowed on nillable"),
    ],
)
def test_structure_errors_are_located(job: dict[str, Any], path: str, words: str) -> None:
    text = _ws(job).replace('"Priority": Infinity', '"Priority": 1e999999')
    exc = _error(text)
    assert exc.path == "$.WorkSchedule.WorkRequest[2].JobOrder[0]" + path, exc
    assert words in exc.message, exc.message
    assert exc.line is not None and exc.column is not None


def test_floats_are_refused_not_guessed() -> None:
    exc = _error({"JobOrder": {"ID": "J", "Priority": 0.1}})
    assert exc.path == "$.JobOrder.Priority"
    assert "float" in exc.message and "Decimal" in exc.message
    exc = _error({"JobOrder": {"ID": 1.5}})
    assert "float" in exc.message
    exc = _error({"JobOrder": {"ID": "J", "Priority": Decimal("NaN")}})
    assert "not a finite number" in exc.message
    # exact types are fine
    ok = from_dict({"JobOrder": {"ID": 7, "Priority": Decimal("0.10")}})
    assert write_json(ok) == b'{"JobOrder":{"ID":7,"Priority":0.10}}'


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"JobOrder": {"ID": "J",}}', "not well-formed JSON"),
        ('{"JobOrder": {"ID": "J", "Priority": NaN}}', "NaN is not a JSON number"),
        ('{"JobOrder": {"ID": "J", "Priority": -Infinity}}', "is not a JSON number"),
        ('{"JobOrder": {"ID": "J", "ID": "K"}}', "duplicate key 'ID'"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_json(text: str, words: str) -> None:
    exc = _error(text, MalformedDocumentError)
    assert words in exc.message


def test_duplicate_keys_are_located() -> None:
    exc = _error('{"JobOrder": {"ID": "J",\n  "Description": [{"$": "a", "$": "b"}]}}',
                 MalformedDocumentError)
    assert (exc.line, exc.column) == (2, 30)
    assert exc.path == "$.JobOrder.Description[0]['$']"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"JobOrder": {"ID": "J\\u0001"}}', "XML cannot carry"),
        ('{"JobOrder": {"ID": "J\\ud800"}}', "XML cannot carry"),
        ('{"JobOrder": {"ID": "J\\uDFFF x"}}', "XML cannot carry"),
        ('{"JobOrder": {"ID": "J\\uffff"}}', "XML cannot carry"),
    ],
)
def test_characters_xml_cannot_carry(text: str, words: str) -> None:
    exc = _error(text)
    assert words in exc.message and exc.line == 1 and exc.column == 23


def test_escapes_that_are_fine() -> None:
    obj = read_json('{"JobOrder": {"ID": "J\\ud83d\\ude00 \\\\u0001 \\t"}}')
    assert obj.id.value == "J\U0001F600 \\u0001 \t"  # type: ignore[attr-defined]
    assert read_json(b'\xef\xbb\xbf{"JobOrder": {"ID": "J"}}').id.value == "J"  # type: ignore[attr-defined]
    utf16 = '{"JobOrder": {"ID": "Jé"}}'.encode("utf-16")
    assert read_json(utf16).id.value == "Jé"  # type: ignore[attr-defined]


def test_bad_bytes_and_limits() -> None:
    exc = _error(b'{"JobOrder": {"ID": "\xff"}}', MalformedDocumentError)
    assert "not valid utf-8" in exc.message
    with pytest.raises(MalformedDocumentError, match="exceeds the limit"):
        read_json('{"JobOrder": {"ID": "J"}}', config=ReadConfig(limits=ParseLimits(max_bytes=10)))


@pytest.mark.parametrize(
    ("doc", "path", "words"),
    [
        ({}, "$", "no root element"),
        ([], "$", "is an object"),
        ({"JobOrder": {"ID": "J"}, "WorkSchedule": {}}, "$.WorkSchedule", "one root element"),
        ({"Joborder": {}}, "$.Joborder", "not a global B2MML V0701 element"),
        ({"@xmlns:b2mml": "http://www.mesa.org/xml/B2MML-V0600", "JobOrder": {"ID": "J"}},
         "$['@xmlns:b2mml']", "B2MML V0600 document"),
        ({"@xmlns:foo": "urn:x", "JobOrder": {"ID": "J"}}, "$['@xmlns:foo']",
         "declares only @xmlns:b2mml, @xmlns:Extended, @xmlns:xsd"),
        ({"JobOrder": []}, "$.JobOrder", "must be an object"),
    ],
)
def test_document_level_errors(doc: Any, path: str, words: str) -> None:
    exc = _error(json.dumps(doc))
    assert exc.path == path and words in exc.message, exc


def test_expected_type() -> None:
    text = '{"JobOrder": {"ID": "J"}}'
    assert isinstance(read_json(text, JobOrder), JobOrder)
    assert isinstance(read_json(text, "JobOrder"), JobOrder)
    with pytest.raises(MappingError, match="expected a WorkSchedule document"):
        read_json(text, WorkSchedule)
    with pytest.raises(ValueError, match="not a global B2MML"):
        read_json(text, "Nope")


def test_unknown_attributes_only_with_preserve() -> None:
    text = '{"JobOrder": {"@plant": "DE01", "ID": {"$": "J", "@{urn:x}flag": "1"}}}'
    with pytest.raises(MappingError, match="unknown key '@plant'"):
        read_json(text)
    obj = read_json(text, config=ReadConfig(unknown="preserve"))
    xml = ik.write_xml(obj)
    assert b'plant="DE01"' in xml and b'flag="1"' in xml
    assert json.loads(write_json(obj)) == json.loads(text)


# -- encoding errors -----------------------------------------------------------------------------
def test_encode_errors_are_located() -> None:
    WorkSchedule.model_rebuild()
    bad = WorkSchedule.model_construct(
        id=Identifier(value="WS"),
        work_request=[WorkRequest.model_construct(
            id=Identifier(value="WR"), job_order=[JobOrder.model_construct(id="oops")])],
    )
    with pytest.raises(EncodeError) as info:
        write_json(bad)
    assert info.value.path == "$.WorkSchedule.WorkRequest[0].JobOrder[0].ID"
    assert "holds str, expected Identifier" in info.value.message
    missing = WorkSchedule.model_construct(id=Identifier(value="WS"), work_request=[])
    with pytest.raises(EncodeError, match="needs at least one item"):
        write_json(missing)
    nan = JobOrder.model_construct(id=Identifier(value="J"))
    object.__setattr__(nan, "priority", __import__("isa95kit.model", fromlist=["Numeric"])
                       .Numeric.model_construct(value=Decimal("NaN")))
    with pytest.raises(EncodeError) as info:
        write_json(nan)
    assert info.value.path == "$.JobOrder.Priority"
    nul = JobOrder.model_construct(id=Identifier(value="\x00123"))
    with pytest.raises(EncodeError, match="U\\+0000"):
        write_json(nul)
    with pytest.raises(EncodeError, match="expected a B2MML model"):
        write_json({"JobOrder": {}})  # type: ignore[arg-type]
    with pytest.raises(EncodeError, match="holds a JobOrder, not a WorkSchedule"):
        write_json(WorkSchedule.model_construct(id=Identifier(value="WS")), element="JobOrder")
