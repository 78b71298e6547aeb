"""The one construction hook of decoded instances, and decoded vs. constructed instances.

``model._base.decoded_instance`` fills pydantic's per-instance slots by hand for both codecs;
these tests tie it to pydantic's own slot names (an upgrade that changes them fails here,
not in users' hands) and check that every pydantic API a user reaches for behaves the same
on an instance read from XML or JSON as on one built with keywords (issue 10, items 1 and 4).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import isa95kit as ik
from isa95kit.model import Identifier, JobOrder, Parameter, Text
from isa95kit.model._base import PYDANTIC_SLOTS, SharedFieldsSet, decoded_instance

NS = "http://www.mesa.org/xml/B2MML"
#: inline leaves (ID, Priority), attributes (schemeAgencyID, languageID), an enumeration
#: (DispatchStatus), nillable leaves (DataType, UnitOfMeasure) set and nil, lists, nesting
JOB = f"""<JobOrder xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <ID schemeAgencyID="ERP">JO-1</ID>
  <Description languageID="en">Fill pails</Description>
  <Description>Second line</Description>
  <Priority>3</Priority>
  <DispatchStatus>Ready</DispatchStatus>
  <JobOrderParameter>
    <ID>Speed</ID>
    <Value><ValueString>139.8</ValueString><DataType>double</DataType>
      <UnitOfMeasure>rpm</UnitOfMeasure></Value>
  </JobOrderParameter>
  <JobOrderParameter>
    <ID>Note</ID>
    <Value><ValueString>x</ValueString><DataType xsi:nil="true"/></Value>
  </JobOrderParameter>
</JobOrder>""".encode()


def test_the_hook_fills_exactly_pydantics_slots() -> None:
    assert BaseModel.__slots__ == PYDANTIC_SLOTS, "pydantic changed its instance slots"
    for name in PYDANTIC_SLOTS:
        descriptor = BaseModel.__dict__[name]
        assert hasattr(descriptor, "__set__") and hasattr(descriptor, "__get__"), name
    built = JobOrder(id="J1")
    made = decoded_instance(JobOrder, dict(built.__dict__), {"id"}, None)
    for name in PYDANTIC_SLOTS:  # every slot readable, holding what pydantic itself holds
        assert getattr(made, name) == getattr(built, name), name
    assert made == built
    assert made.model_dump(exclude_unset=True) == built.model_dump(exclude_unset=True)


def test_no_slot_is_left_unset_on_decoded_instances() -> None:
    doc = ik.read_xml(JOB)
    for obj in _instances(doc):
        for name in PYDANTIC_SLOTS:
            getattr(obj, name)  # an unset slot raises AttributeError
        assert obj.__pydantic_extra__ is None
        assert isinstance(obj.__pydantic_fields_set__, set)


def _instances(obj: Any) -> list[Any]:
    found = [obj]
    for value in obj.__dict__.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                found.extend(_instances(item))
    return found


def _decoded(kind: str) -> Any:
    doc = ik.read_xml(JOB)
    return doc if kind == "xml" else ik.read_json(ik.write_json(doc))


def _constructed() -> JobOrder:
    """The same job order, built with keywords (only what the document sets)."""
    from isa95kit.model import NIL, Value

    return JobOrder(
        id=Identifier("JO-1", scheme_agency_id="ERP"),
        description=[Text("Fill pails", language_id="en"), Text("Second line")],
        priority=3,
        dispatch_status="Ready",
        job_order_parameter=[
            Parameter(
                id="Speed",
                value_=[Value(value_string="139.8", data_type="double", unit_of_measure="rpm")],
            ),
            Parameter(id="Note", value_=[Value(value_string="x", data_type=NIL)]),
        ],
    )


@pytest.mark.parametrize("kind", ["xml", "json"])
def test_decoded_and_constructed_instances_are_alike_under_pydantics_api(kind: str) -> None:
    decoded, built = _decoded(kind), _constructed()
    assert decoded == built and built == decoded
    for options in ({}, {"exclude_unset": True}, {"exclude_defaults": True}, {"by_alias": True}):
        assert decoded.model_dump(**options) == built.model_dump(**options), options
        assert decoded.model_dump_json(**options) == built.model_dump_json(**options), options
    assert decoded.model_dump(exclude_unset=True) == decoded.model_dump(exclude_defaults=True)
    # nested instances too: fields-sets of inlined leaves and nillable values
    param = decoded.job_order_parameter[0].value_[0]
    assert param.model_dump(exclude_unset=True) == {
        "value_string": {"value": "139.8"},
        "data_type": {"value": built.job_order_parameter[0].value_[0].data_type.value},
        "unit_of_measure": {"value": "rpm"},
    }
    assert decoded.id.model_dump(exclude_unset=True) == {"value": "JO-1", "scheme_agency_id": "ERP"}


@pytest.mark.parametrize("kind", ["xml", "json"])
def test_model_copy_of_decoded_instances(kind: str) -> None:
    decoded, built = _decoded(kind), _constructed()
    for deep in (False, True):
        copy = decoded.model_copy(deep=deep)
        assert copy == decoded and copy.model_dump(exclude_unset=True) == built.model_dump(
            exclude_unset=True
        )
    changed = decoded.model_copy(update={"work_master_version": Identifier("8")})
    expected = built.model_copy(update={"work_master_version": Identifier("8")})
    assert changed.model_dump(exclude_unset=True) == expected.model_dump(exclude_unset=True)
    assert "work_master_version" in changed.model_dump(exclude_unset=True)
    assert "work_master_version" not in decoded.model_dump(exclude_unset=True)  # untouched
    assert changed != decoded


def test_assignment_is_validated_and_stays_local_on_decoded_instances() -> None:
    first, second = ik.read_xml(JOB), ik.read_xml(JOB)
    leaf = first.job_order_parameter[1].id
    other = first.job_order_parameter[0].id
    assert type(leaf.__pydantic_fields_set__) is SharedFieldsSet
    assert leaf.__pydantic_fields_set__ is other.__pydantic_fields_set__  # interned (memory)
    leaf.scheme_agency_id = "MES"
    assert leaf.model_dump(exclude_unset=True) == {"value": "Note", "scheme_agency_id": "MES"}
    assert other.model_dump(exclude_unset=True) == {"value": "Speed"}
    with pytest.raises(ik.ModelError):
        first.priority = 1.5  # type: ignore[assignment]  # floats are refused on assignment
    first.description.append(Text("third"))  # lists are the instance's own
    assert len(first.description) == 3 and len(second.description) == 2
    first.job_order_parameter[0].value_[0].unit_of_measure = None
    assert second.job_order_parameter[0].value_[0].unit_of_measure == "rpm"


def test_repr_and_defaults_read_alike() -> None:
    decoded, built = ik.read_xml(JOB), _constructed()
    assert repr(decoded) == repr(built)
    assert decoded.work_master_id is None and decoded.personnel_requirement == []
    assert decoded.personnel_requirement is not ik.read_xml(JOB).personnel_requirement
