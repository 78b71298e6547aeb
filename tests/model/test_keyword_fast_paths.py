"""The fast paths of keyword construction (issue 9) build what full validation builds.

Bare simple values skip pydantic's per-field work (a ``str`` for a ``str``-valued class is
taken as is), bytes-valued classes keep pydantic's JSON rule (base64), and building a job
order links only the model areas its schema reaches; a schema that reaches further links the
rest on demand.
"""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

import isa95kit as ik
from isa95kit import ModelError
from isa95kit.model import (
    BinaryObject,
    Code,
    Identifier,
    JobOrder,
    MaterialUse,
    MaterialUseCode,
    Numeric,
    ValueString,
)
from isa95kit.model._base import VALUE_ONLY


def _full(cls: type[ik.B2MMLModel], value: object) -> ik.B2MMLModel:
    """The instance full validation builds (a dict through the model's own validator)."""
    return cls.model_validate({"value": value})


@given(st.text())
def test_a_bare_str_builds_what_full_validation_builds(text: str) -> None:
    built = JobOrder(id=text, description=[text]).id
    assert type(built) is Identifier and built.value is text  # taken as is, not copied
    assert built == _full(Identifier, text)
    assert built.model_dump() == _full(Identifier, text).model_dump()
    assert built.model_dump(exclude_unset=True) == {"value": text}


@pytest.mark.parametrize(
    ("cls", "bare", "value"),
    [
        (Numeric, Decimal("1.50"), Decimal("1.50")),
        (Numeric, 3, Decimal(3)),
        (Numeric, "2.5", Decimal("2.5")),
        (MaterialUse, "Consumed", MaterialUseCode.CONSUMED),
        (MaterialUse, MaterialUseCode.PRODUCED, MaterialUseCode.PRODUCED),
        (ValueString, Decimal("1E+3"), "1000"),  # numbers as plain text
        (ValueString, 7, "7"),
    ],
)
def test_other_bare_values_are_validated_like_the_field(
    cls: type[ik.B2MMLModel], bare: object, value: object
) -> None:
    built = TypeAdapter(list[cls]).validate_python([bare])[0]  # type: ignore[valid-type]
    assert type(built) is cls and built.value == value  # type: ignore[attr-defined]
    assert type(built.value) is type(value)  # type: ignore[attr-defined]
    assert built.__pydantic_fields_set__ is VALUE_ONLY


def test_bad_bare_values_fail_with_the_field_path() -> None:
    with pytest.raises(ModelError, match=r"material_use\.value: Input should be") as info:
        JobOrder(id="J", material_requirement=[{"id": "M", "material_use": "Bogus"}])
    assert info.value.path == "material_requirement[0].material_use.value"
    with pytest.raises(ModelError, match="is a float, which is not exact"):
        JobOrder(id="J", material_requirement=[{"id": "M", "quantity": [{"quantity_string": 1.5}]}])
    with pytest.raises(ModelError, match=r"id\.value: Input should be a valid string"):
        JobOrder(id=5)  # type: ignore[arg-type]


def test_bytes_values_keep_the_json_base64_rule() -> None:
    adapter = TypeAdapter(list[BinaryObject])
    assert adapter.validate_json('["YWJj"]')[0].value == b"abc"  # base64 in JSON
    # in Python mode a str goes through the field validator, exactly as in a dict
    assert adapter.validate_python(["YWJj"])[0] == _full(BinaryObject, "YWJj")
    assert adapter.validate_python([b"\x00\xff"])[0].value == b"\x00\xff"
    assert BinaryObject(b"abc") == BinaryObject(value=b"abc")


def test_bare_built_instances_change_copy_and_pickle_independently() -> None:
    job = JobOrder(id="J", description=["d"])
    other = JobOrder(id="K")
    assert job.id.__pydantic_fields_set__ is other.id.__pydantic_fields_set__  # shared
    job.id.scheme_id = "erp"  # validated assignment thaws the shared fields-set first
    assert job.id.model_dump(exclude_unset=True) == {"value": "J", "scheme_id": "erp"}
    assert other.id.model_dump(exclude_unset=True) == {"value": "K"}
    with pytest.raises(ModelError, match="scheme_name"):
        other.id.scheme_name = 5  # type: ignore[assignment]
    for twin in (copy.deepcopy(other), pickle.loads(pickle.dumps(other)), other.model_copy()):
        assert twin == other
        twin.id = "changed"  # type: ignore[assignment]
        assert other.id == "K" and twin.id == "changed"
        assert twin.model_dump(exclude_unset=True) == {"id": {"value": "changed"}}
    assert ik.from_dict(ik.to_dict(job)) == job
    code = Code("KGM")
    assert code == "KGM" and str(code) == "KGM"


def _fresh(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout.strip()


def test_a_job_order_links_only_the_areas_it_needs() -> None:
    areas = _fresh(
        "import sys; from isa95kit.model import JobOrder; JobOrder(id='J'); "
        "print(sorted(m for m in sys.modules if m.startswith('isa95kit.model.')))"
    )
    loaded = {m.rsplit(".", 1)[1] for m in eval(areas) if not m.rsplit(".", 1)[1].startswith("_")}
    # work_schedule, common and the area common takes two names from (imported, not linked)
    assert loaded == {"work_schedule", "common", "information_object"}


def test_a_schema_reaching_further_areas_links_them_on_demand() -> None:
    # OperationsRecordEntryTemplate (common) holds an InformationObject, which reaches every
    # area: the first build finds the names missing and links the rest
    out = _fresh(
        "from isa95kit.model import JobOrder; JobOrder(id='J')\n"
        "from isa95kit.model.common import OperationsRecordEntryTemplate as T\n"
        "t = T(id='t', information_object={'job_order': {'id': 'J'}})\n"
        "print(type(t.information_object).__name__, t.information_object.job_order.id)\n"
        "import isa95kit as ik; print(len(ik.model_json_schema(T)['$defs']) > 100)"
    )
    assert out.splitlines() == ["InformationObject J", "True"]


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.sampled_from(list(MaterialUseCode)))
def test_decimals_and_code_values_taken_as_is_match_pydantic(value: object) -> None:
    cls = MaterialUse if isinstance(value, MaterialUseCode) else Numeric
    bares: list[object] = [value, value.value] if isinstance(value, MaterialUseCode) else [value]
    for bare in bares:
        try:
            expected = _full(cls, bare)
        except ModelError:
            with pytest.raises(ModelError, match="finite"):
                JobOrder(id="J", priority=bare)  # type: ignore[arg-type]
            continue
        built = TypeAdapter(list[cls]).validate_python([bare])[0]  # type: ignore[valid-type]
        assert built == expected and type(built.value) is type(expected.value)  # type: ignore[attr-defined]
        assert built.value is expected.value or built.value == expected.value  # type: ignore[attr-defined]
