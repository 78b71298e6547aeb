"""MESA's conventions, one by one, and the API around them (to_dict / from_dict, options,
the few lexical forms JSON cannot carry, cheap imports)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

import isa95kit as ik
from isa95kit._json import from_dict, read_json, to_dict, write_json
from isa95kit._xml._config import ReadConfig
from isa95kit.model import NIL, JobOrder, OperationsType, WorkSchedule
from tests.json._canon import canonical

NS = "http://www.mesa.org/xml/B2MML"


def _xml(body: str, root: str = "JobOrder", extra: str = "") -> bytes:
    return (f'<{root} xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{extra}>'
            f"{body}</{root}>").encode()


def _json(xml: bytes) -> Any:
    return json.loads(write_json(ik.read_xml(xml)), parse_float=Decimal, parse_int=Decimal)


def test_document_attributes_and_text() -> None:
    data = _json(_xml('<ID schemeID="MES">J</ID><WorkType OtherValue="Kit">Other</WorkType>'
                      "<Priority>2</Priority>"))
    assert data == {"JobOrder": {
        "ID": {"$": "J", "@schemeID": "MES"},
        "WorkType": {"$": "Other", "@OtherValue": "Kit"},
        "Priority": Decimal(2),
    }}
    # "$" first, then the attributes; bare scalars without attributes
    assert list(data["JobOrder"]["WorkType"]) == ["$", "@OtherValue"]


def test_arrays_exactly_where_the_schema_allows_more_than_one() -> None:
    data = _json(_xml("<ID>J</ID><Description>one</Description><MaterialRequirement><ID>M</ID>"
                      "<Quantity><QuantityString>1</QuantityString></Quantity>"
                      "</MaterialRequirement>"))["JobOrder"]
    assert data["Description"] == ["one"]
    assert isinstance(data["MaterialRequirement"], list)
    assert data["MaterialRequirement"][0]["Quantity"] == [{"QuantityString": "1"}]
    assert data["ID"] == "J"  # maxOccurs 1: never an array


def test_nil_numbers_booleans_and_lexical_forms() -> None:
    xml = _xml(
        "<ID>J</ID><StartTime>2024-01-01T00:00:00.000+00:00</StartTime>"
        "<Priority>00.50</Priority><MaterialRequirement><ID>M</ID><Quantity>"
        '<QuantityString xsi:nil="true"/><UnitOfMeasure xsi:nil="true"/></Quantity>'
        "</MaterialRequirement>"
    )
    data = _json(xml)["JobOrder"]
    assert data["StartTime"] == "2024-01-01T00:00:00.000+00:00"  # exactly as in the XML
    assert data["Priority"] == Decimal("0.50") and str(data["Priority"]) == "0.50"
    assert data["MaterialRequirement"][0]["Quantity"] == [
        {"QuantityString": None, "UnitOfMeasure": None}
    ]
    text = write_json(ik.read_xml(xml))
    assert b'"Priority":0.50' in text  # a JSON number with every digit, never via float
    sample = _json(_xml("<ID>T</ID><TestSpecification><PhysicalSampleRequired>true"
                        "</PhysicalSampleRequired><EvaluatedProperty><ID>P</ID>"
                        "</EvaluatedProperty></TestSpecification>",
                        root="OperationsTestInformation"))
    assert sample["OperationsTestInformation"]["TestSpecification"][0][
        "PhysicalSampleRequired"] is True


def test_namespace_declarations_only_at_the_top() -> None:
    xml = (f'<b2mml:JobOrder xmlns:b2mml="{NS}" xmlns:Extended='
           '"http://www.mesa.org/xml/B2MML-AllExtensions" '
           'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:other="urn:other">'
           "<b2mml:ID>J</b2mml:ID></b2mml:JobOrder>").encode()
    data = _json(xml)
    assert list(data) == ["@xmlns:b2mml", "@xmlns:Extended", "@xmlns:xsd", "JobOrder"]
    assert "@xmlns:other" not in json.dumps(data)
    back = ik.write_xml(read_json(write_json(ik.read_xml(xml))))
    assert back.startswith(b"<?xml") and b"<b2mml:JobOrder" in back  # the prefix comes back
    assert _json(_xml("<ID>J</ID>")) == {"JobOrder": {"ID": "J"}}  # default namespace: none


def test_to_dict_and_from_dict() -> None:
    xml = _xml("<ID>J</ID><Priority>1.50</Priority>")
    obj = ik.read_xml(xml)
    data = to_dict(obj)
    assert data == {"JobOrder": {"ID": "J", "Priority": Decimal("1.50")}}
    assert isinstance(data["JobOrder"]["Priority"], Decimal)
    frozen = copy.deepcopy(data)
    again = from_dict(data)
    assert data == frozen  # input untouched
    assert again == obj and to_dict(again) == data
    assert json.dumps(data, default=str)  # a plain structure


def test_hand_written_json_types_are_kept() -> None:
    """MESA's schema lets a value be a string, number or boolean; the model keeps the XSD
    type and the JSON keeps what was written (JSON -> model -> JSON is identical)."""
    text = ('{"JobOrder":{"ID":12,"Priority":"7.50","MaterialRequirement":[{"ID":true,'
            '"Quantity":[{"QuantityString":2.5e3}]}],"SegmentRequirementID":[1E+2]}}')
    obj = read_json(text)
    assert obj.id.value == "12"  # type: ignore[attr-defined]
    assert obj.priority.value == Decimal("7.50")  # type: ignore[attr-defined]
    assert write_json(obj) == text.encode()
    xml = ik.write_xml(obj)
    assert b"<ID>12</ID>" in xml and b"<Priority>7.50</Priority>" in xml
    assert b"<QuantityString>2.5e3</QuantityString>" in xml  # a string in the XSD: exact
    assert b"<SegmentRequirementID>1E+2</SegmentRequirementID>" in xml
    exp = read_json('{"JobOrder":{"ID":"J","Priority":1.5e3}}')
    assert b"<Priority>1500</Priority>" in ik.write_xml(exp)  # xsd:decimal: plain notation
    assert write_json(exp) == b'{"JobOrder":{"ID":"J","Priority":1.5e3}}'


def test_changed_values_drop_their_recorded_form() -> None:
    obj = read_json('{"JobOrder":{"ID":12,"StartTime":"2024-01-01T00:00:00.000Z"}}')
    obj.id.value = "13"  # type: ignore[attr-defined]
    obj.start_time.value = obj.start_time.value.replace(year=2025)  # type: ignore[attr-defined]
    assert write_json(obj) == b'{"JobOrder":{"ID":"13","StartTime":"2025-01-01T00:00:00Z"}}'


@pytest.mark.parametrize(
    ("xml_text", "json_text", "back"),
    [
        ("+1.50", "1.50", "1.50"),
        ("01", "1", "1"),
        (" 2.5 ", "2.5", "2.5"),
        (".5", "0.5", "0.5"),
        ("5.", "5", "5"),
    ],
)
def test_the_decimal_forms_json_cannot_carry(xml_text: str, json_text: str, back: str) -> None:
    """Documented: a JSON number cannot start with '+', '.' or a zero, end with '.', or
    carry spaces; such xsd:decimal forms are written in their plain form."""
    xml = _xml(f"<ID>J</ID><Priority>{xml_text}</Priority>")
    text = write_json(ik.read_xml(xml))
    assert text == f'{{"JobOrder":{{"ID":"J","Priority":{json_text}}}}}'.encode()
    assert f"<Priority>{back}</Priority>".encode() in ik.write_xml(read_json(text))


def test_boolean_one_and_zero_become_true_and_false() -> None:
    xml = _xml("<ID>T</ID><TestSpecification><PhysicalSampleRequired>1"
               "</PhysicalSampleRequired><EvaluatedProperty><ID>P</ID></EvaluatedProperty>"
               "</TestSpecification>", root="OperationsTestInformation")
    back = ik.write_xml(read_json(write_json(ik.read_xml(xml))))
    assert b"<PhysicalSampleRequired>true</PhysicalSampleRequired>" in back


def test_wire_details_round_trip() -> None:
    """nil with attributes, xsi:nil="false", mixed text, unknown content, xsi:type."""
    cases = [
        _xml('<ID>J</ID><MaterialRequirement><ID>M</ID><Quantity><QuantityString xsi:nil='
             '"false">3</QuantityString><DataType xsi:nil="1"/><UnitOfMeasure xsi:nil="true" '
             'listID="x"/></Quantity></MaterialRequirement>'),
        _xml("<ID>J</ID>", extra=' xsi:type="JobOrderType"'),
        _xml('<ListHeader><ID>H</ID></ListHeader><BatchList><BatchListEntry><ID>B</ID>'
             "<BatchListEntryType>Batch</BatchListEntryType><Parameter><ID>P</ID>"
             "<ParameterType>ProcessInput</ParameterType><Value>a<ValueString>1</ValueString>"
             "b<DataInterpretation>Constant</DataInterpretation><DataType>string</DataType>"
             "<UnitOfMeasure/></Value></Parameter></BatchListEntry></BatchList>",
             root="BatchInformation"),
    ]
    for xml in cases:
        obj = ik.read_xml(xml)
        text = write_json(obj)
        assert canonical(ik.write_xml(read_json(text))) == canonical(ik.write_xml(obj)), text
        assert write_json(read_json(text)) == text
    mixed = json.loads(write_json(ik.read_xml(cases[2])))
    value = mixed["BatchInformation"]["BatchList"][0]["BatchListEntry"][0]["Parameter"][0][
        "Value"][0]
    assert value["$"] == ["a", "b", None, None, None]
    unknown = _xml("<ID>J</ID><Bogus>x</Bogus>")
    obj = ik.read_xml(unknown, config=ReadConfig(unknown="preserve"))
    text = write_json(obj)
    assert json.loads(text)["JobOrder"]["#unknown"] == [
        {"position": 1, "element": {"tag": f"{{{NS}}}Bogus", "text": "x"}}
    ]
    assert canonical(ik.write_xml(read_json(text))) == canonical(ik.write_xml(obj))


def test_instances_built_in_python() -> None:
    JobOrder.model_rebuild()
    job = JobOrder(id="J", work_type=OperationsType(value="Other", other_value="Kit"))
    assert to_dict(job) == {"JobOrder": {"ID": "J", "WorkType": {"$": "Other",
                                                                 "@OtherValue": "Kit"}}}
    assert write_json(job, indent=2).startswith(b'{\n  "JobOrder": {\n    "ID": "J"')
    WorkSchedule.model_rebuild()
    from isa95kit.model import QuantityValue

    QuantityValue.model_rebuild()
    with pytest.raises(ik.EncodeError, match="pass element"):
        write_json(QuantityValue(quantity_string=NIL))


def test_reading_sources(tmp_path: Any) -> None:
    text = '{"JobOrder": {"ID": "J"}}'
    path = tmp_path / "j.json"
    path.write_text(text, encoding="utf-8")
    for source in (text, text.encode(), path, str(path)):
        assert read_json(source).id.value == "J"  # type: ignore[attr-defined]
    with open(path, "rb") as binary, open(path, encoding="utf-8") as textual:
        assert read_json(binary).id.value == "J"  # type: ignore[attr-defined]
        assert read_json(textual).id.value == "J"  # type: ignore[attr-defined]


def test_json_codec_does_not_load_lxml() -> None:
    code = (
        "import sys, isa95kit._json as j; "
        "m = j.read_json('{\"JobOrder\": {\"ID\": \"J\", \"Priority\": 1.5}}'); "
        "j.write_json(m); print('lxml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
