"""Material factors from B2MML properties, and converting every quantity of a typed document."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel

import isa95kit as ik
from isa95kit.errors import IncompatibleUnitsError, UnitError
from isa95kit.model import MaterialClass, MaterialDefinition, OperationsRequest
from isa95kit.units import DocumentConversion, MaterialFactors, Rounding, convert, convert_document

pytestmark = pytest.mark.filterwarnings("ignore::isa95kit.units.DeprecatedUnitWarning")


def _definition() -> MaterialDefinition:
    return MaterialDefinition.model_validate(
        {
            "ID": "M-100",
            "MaterialDefinitionProperty": [
                {
                    "ID": "UnitConversion:PF",
                    "Value": [{"ValueString": "40", "UnitOfMeasure": "BX"}],
                },
                {
                    "ID": "Packaging",
                    "MaterialDefinitionPropertyChild": [
                        {
                            "ID": "UnitConversion:BX",
                            "Value": [
                                {"ValueString": "12", "UnitOfMeasure": "EA"},
                                {"ValueString": "3.6", "UnitOfMeasure": "KGM"},
                            ],
                        }
                    ],
                },
                {"ID": "Colour", "Value": [{"ValueString": "blue"}]},
            ],
        }
    )


def test_factors_from_material_definition_properties() -> None:
    factors = MaterialFactors.from_material(_definition())
    assert factors.name == "M-100"
    assert list(factors) == ["1 PF = 40 BX", "1 BX = 12 EA", "1 BX = 3.6 KGM"]
    assert factors.ratio("PF", "EA") == 480
    assert factors.ratio("EA", "GRM") == 300  # 3.6 kg per box of 12
    assert convert("2", "PF", "EA", material=_definition()) == 960


def test_density_property_on_material_class() -> None:
    oil = MaterialClass.model_validate(
        {
            "ID": "OIL",
            "MaterialClassProperty": [
                {"ID": "Density", "Value": [{"ValueString": "0.9", "UnitOfMeasure": "GL"}]}
            ],
        }
    )
    # 0.9 g/l is an odd oil, but the arithmetic is what is tested: 1 m³ = 0.9 kg
    assert convert("2", "MTQ", "KGM", material=oil) == Decimal("1.8")
    sugar = MaterialClass.model_validate(
        {
            "ID": "SYRUP",
            "MaterialClassProperty": [
                {"ID": "density", "Value": [{"ValueString": "1.3", "UnitOfMeasure": "kg/l"}]}
            ],
        }
    )
    assert convert("10", "LTR", "KGM", material=sugar) == 13


def test_definition_and_class_combine_and_must_agree() -> None:
    cls = MaterialClass.model_validate(
        {
            "ID": "SCREWS",
            "MaterialClassProperty": [
                {
                    "ID": "UnitConversion:EA",
                    "Value": [{"ValueString": "0.3", "UnitOfMeasure": "KGM"}],
                }
            ],
        }
    )
    # class says 1 EA = 0.3 kg; the definition says 1 BX = 12 EA = 3.6 kg: consistent
    factors = MaterialFactors.from_material(_definition(), cls)
    assert factors.ratio("KGM", "EA") is not None
    wrong = MaterialClass.model_validate(
        {
            "ID": "SCREWS",
            "MaterialClassProperty": [
                {
                    "ID": "UnitConversion:EA",
                    "Value": [{"ValueString": "0.25", "UnitOfMeasure": "KGM"}],
                }
            ],
        }
    )
    with pytest.raises(UnitError, match="contradicts"):
        MaterialFactors.from_material(_definition(), wrong)


def test_bad_properties() -> None:
    no_unit = MaterialDefinition.model_validate(
        {
            "ID": "X",
            "MaterialDefinitionProperty": [
                {"ID": "UnitConversion:BX", "Value": [{"ValueString": "12"}]}
            ],
        }
    )
    with pytest.raises(UnitError, match="needs a number and a unit"):
        MaterialFactors.from_material(no_unit)
    not_density = MaterialDefinition.model_validate(
        {
            "ID": "X",
            "MaterialDefinitionProperty": [
                {"ID": "Density", "Value": [{"ValueString": "1", "UnitOfMeasure": "KGM"}]}
            ],
        }
    )
    with pytest.raises(UnitError, match="not a density unit"):
        MaterialFactors.from_material(not_density)
    floaty = MaterialDefinition.model_validate(
        {
            "ID": "X",
            "MaterialDefinitionProperty": [
                {
                    "ID": "UnitConversion:BX",
                    "Value": [{"ValueString": "twelve", "UnitOfMeasure": "EA"}],
                }
            ],
        }
    )
    with pytest.raises(UnitError):
        MaterialFactors.from_material(floaty)


def _request() -> OperationsRequest:
    return OperationsRequest.model_validate(
        {
            "ID": "OR-1",
            "SegmentRequirement": [
                {
                    "ID": "SR-1",
                    "ProcessSegmentID": "PS-1",
                    "OperationsDefinitionID": "OD-1",
                    "OperationsSegmentID": "OS-1",
                    "MaterialRequirement": [
                        {
                            "ID": "MR-1",
                            "MaterialDefinitionID": ["M-100"],
                            "Quantity": [{"QuantityString": "2", "UnitOfMeasure": "PF"}],
                        },
                        {
                            "ID": "MR-2",
                            "MaterialDefinitionID": ["M-200"],
                            "Quantity": [
                                {
                                    "QuantityString": "2.5",
                                    "UnitOfMeasure": {"value": "[lb_av]", "listID": "UCUM"},
                                },
                                {"QuantityString": "1500", "UnitOfMeasure": "g"},
                                {"QuantityString": "3", "UnitOfMeasure": "LTR"},
                            ],
                        },
                    ],
                }
            ],
        }
    )


def _quantities(doc: OperationsRequest) -> list[list[tuple[str, str]]]:
    return [
        [(q.quantity_string.value, q.unit_of_measure.value) for q in mr.quantity]  # type: ignore[union-attr]
        for mr in doc.segment_requirement[0].material_requirement
    ]


def test_convert_document_per_dimension_and_per_material() -> None:
    doc = _request()
    report = DocumentConversion()
    out = convert_document(
        doc,
        ["KGM"],
        materials={"M-100": _definition()},
        material_targets={"M-100": "EA"},
        report=report,
    )
    assert _quantities(out) == [
        [("960", "EA")],
        [("1.133980925", "KGM"), ("1.500", "KGM"), ("3", "LTR")],
    ]
    assert (report.converted, report.unchanged) == (3, 1)
    # the input is untouched and the output still writes valid XML
    assert _quantities(doc)[0] == [("2", "PF")]
    xml = ik.write_xml(out)
    assert b"<QuantityString>960</QuantityString>" in xml
    assert b'listID="UNECERec20"' in xml


def test_convert_document_rounding_and_strictness() -> None:
    doc = _request()
    with pytest.raises(UnitError) as info:
        convert_document(doc, ["LBR"])  # 1500 g in lb is not a finite decimal
    assert info.value.path is not None and "MaterialRequirement[2]" in info.value.path
    out = convert_document(doc, ["LBR"], rounding=Rounding(4))
    # the pound quantity only changes its spelling; the gram one is converted and rounded
    assert _quantities(out)[1][:2] == [("2.5", "LBR"), ("3.3069", "LBR")]
    with pytest.raises(IncompatibleUnitsError):
        convert_document(doc, [], material_targets={"M-100": "EA"})  # no factors for M-100
    report = DocumentConversion()
    convert_document(doc, [], material_targets={"M-100": "EA"}, strict=False, report=report)
    assert len(report.skipped) == 1 and "Quantity[1]" in report.skipped[0][0]


def test_two_targets_for_one_dimension() -> None:
    with pytest.raises(UnitError, match="two targets"):
        convert_document(_request(), ["KGM", "LBR"])


class _Code(BaseModel):
    value: str | None = None
    list_id: str | None = None


class _Qty(BaseModel):
    quantity_string: _Code | None = None
    unit_of_measure: _Code | None = None


class _Line(BaseModel):
    material_definition_id: _Code | None = None
    quantity: list[_Qty] = []


class _Doc(BaseModel):
    lines: list[_Line] = []


def test_walker_is_generic_over_pydantic_models() -> None:
    doc = _Doc(
        lines=[
            _Line(
                material_definition_id=_Code(value="A"),
                quantity=[
                    _Qty(quantity_string=_Code(value="3"), unit_of_measure=_Code(value="BX"))
                ],
            ),
            _Line(
                quantity=[
                    _Qty(quantity_string=_Code(value="250"), unit_of_measure=_Code(value="GRM"))
                ]
            ),
        ]
    )
    out = convert_document(doc, ["KGM"], materials={"A": "BX=12EA"}, material_targets={"A": "DZN"})
    assert out.lines[0].quantity[0].quantity_string.value == "3"  # type: ignore[union-attr]
    assert out.lines[0].quantity[0].unit_of_measure.value == "DZN"  # type: ignore[union-attr]
    assert out.lines[1].quantity[0].quantity_string.value == "0.250"  # type: ignore[union-attr]
