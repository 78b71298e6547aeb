"""Building and changing model instances from Python (issue 9, typed construction)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import isa95kit as ik
from isa95kit import ModelError
from isa95kit.model import Identifier, JobOrder, MaterialUseCode, OpMaterialRequirement


def test_simple_content_compares_equal_to_its_value_and_prints_as_it() -> None:
    job = JobOrder(id="JO-1")
    assert job.id == "JO-1" and job.id != "JO-2"
    assert str(job.id) == "JO-1"
    assert Identifier("JO-1") == job.id == Identifier(value="JO-1")
    req = OpMaterialRequirement(id="M", material_use="Consumed")
    assert req.material_use == "Consumed" and req.material_use == MaterialUseCode.CONSUMED
    assert str(req.material_use) == "Consumed"


def test_attributes_are_part_of_what_a_simple_value_means() -> None:
    assert Identifier("JO-1", scheme_id="erp") != "JO-1"


def test_floats_are_refused_where_b2mml_numbers_are_exact() -> None:
    with pytest.raises(ModelError, match=r"1\.5 is a float, which is not exact") as info:
        JobOrder(id="J", priority=1.5)
    assert info.value.path == "priority"
    assert isinstance(info.value, ValueError) and isinstance(info.value, ik.Isa95Error)
    assert JobOrder(id="J", priority=Decimal("1.5")).priority == Decimal("1.5")
    assert JobOrder(id="J", priority="2").priority == Decimal("2")
    assert JobOrder(id="J", priority=3).priority == 3


def test_assignment_is_validated_where_it_happens() -> None:
    job = JobOrder(id="J")
    with pytest.raises(ModelError, match=r"priority\.value: Input should be a valid decimal"):
        job.priority = "high"  # type: ignore[assignment]
    assert job.priority is None
    job.priority = Decimal("4")  # type: ignore[assignment]
    assert job.priority == Decimal("4")
    job.description = ["shorthand"]  # type: ignore[list-item]
    assert job.description[0] == "shorthand"
    assert "shorthand" in ik.write_xml(job).decode()


def test_invalid_construction_names_every_field_in_python_names() -> None:
    with pytest.raises(ModelError) as info:
        JobOrder(id="J", material_requirement=[{"material_use": "Bogus"}])  # type: ignore[list-item]
    err = info.value
    assert err.path == "material_requirement[0].id"
    assert "material_requirement[0].material_use.value" in str(err)
    assert str(err).startswith("invalid JobOrder (2 problems): ")
    assert len(err.errors) == 2


def test_unknown_keywords_and_model_validate_raise_model_error() -> None:
    with pytest.raises(ModelError, match="idx: Extra inputs are not permitted"):
        JobOrder(id="J", idx="x")  # type: ignore[call-arg]
    with pytest.raises(ModelError, match="invalid JobOrder"):
        JobOrder.model_validate({"ID": {"value": 5.0}})
    assert JobOrder.model_validate({"ID": "J"}) == JobOrder(id="J")


def test_decoded_instances_are_not_slowed_or_changed_by_validation() -> None:
    ns = "http://www.mesa.org/xml/B2MML"
    doc = ik.read_xml(f'<JobOrder xmlns="{ns}"><ID>J</ID><Priority>+01.50</Priority></JobOrder>'.encode())
    assert doc.priority == Decimal("1.5")  # type: ignore[attr-defined]
    assert b"<Priority>+01.50</Priority>" in ik.write_xml(doc)
