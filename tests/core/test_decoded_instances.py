"""Decoded instances behave like constructed ones under pydantic's own API (issue 10, item 4).

Decoders share one fields-set between instances with the same set fields (memory); pydantic's
serializer needs a real ``set`` for ``exclude_unset``, and a change to one instance must never
reach another that shares its fields-set.
"""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit.model import JobOrder, Text

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = ROOT / "examples" / "data" / "process-work-schedule.xml"
NS = "http://www.mesa.org/xml/B2MML"
TWO_JOBS = (
    f'<WorkRequest xmlns="{NS}"><ID>W</ID>'
    "<JobOrder><ID>J1</ID></JobOrder><JobOrder><ID>J2</ID></JobOrder></WorkRequest>"
).encode()


def _decoded(kind: str) -> ik.B2MMLModel:
    doc = ik.read_xml(SCHEDULE)
    return doc if kind == "xml" else ik.read_json(ik.write_json(doc))


@pytest.mark.parametrize("kind", ["xml", "json"])
def test_exclude_unset_on_decoded_documents(kind: str) -> None:
    doc = _decoded(kind)
    dumped = doc.model_dump(exclude_unset=True)
    assert dumped == doc.model_dump(exclude_unset=True, exclude_none=False)
    assert "application_area" in dumped and "data_area" in dumped
    # only what the document set: no None-valued optional fields appear
    assert None not in _values(dumped)
    text = doc.model_dump_json(exclude_unset=True)
    assert '"release_id"' in text and "null" not in text


def _values(data: object) -> list[object]:
    if isinstance(data, dict):
        return [v for x in data.values() for v in _values(x)] + list(data.values())
    if isinstance(data, list):
        return [v for x in data for v in _values(x)]
    return []


@pytest.mark.parametrize("kind", ["xml", "json"])
def test_copy_dump_and_equality_of_decoded_documents(kind: str) -> None:
    doc = _decoded(kind)
    assert doc.model_copy() == doc
    assert doc.model_copy(deep=True) == doc
    assert copy.deepcopy(doc) == doc
    assert pickle.loads(pickle.dumps(doc)) == doc
    assert type(doc).model_validate(doc.model_dump()) == doc


def test_a_change_to_one_instance_never_reaches_one_sharing_its_fields_set() -> None:
    request = ik.read_xml(TWO_JOBS)
    first, second = request.job_order  # type: ignore[attr-defined]
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__  # shared (memory)
    first.description = [Text(value="changed")]
    assert first.model_dump(exclude_unset=True).keys() == {"id", "description"}
    assert second.model_dump(exclude_unset=True).keys() == {"id"}
    third = ik.read_xml(TWO_JOBS).job_order[1]  # type: ignore[attr-defined]
    assert third.model_dump(exclude_unset=True).keys() == {"id"}


def test_copies_of_decoded_instances_are_independent() -> None:
    job = ik.read_xml(TWO_JOBS).job_order[0]  # type: ignore[attr-defined]
    twins = (copy.copy(job), copy.deepcopy(job), job.model_copy(), pickle.loads(pickle.dumps(job)))
    for twin in twins:
        twin.description = [Text(value="x")]
        assert job.model_dump(exclude_unset=True).keys() == {"id"}
        assert twin.model_dump(exclude_unset=True).keys() == {"id", "description"}


def test_the_shared_fields_set_refuses_changes_in_place() -> None:
    job = ik.read_xml(TWO_JOBS).job_order[0]  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="read-only"):
        job.__pydantic_fields_set__.add("description")
    assert job.model_copy(update={"description": [Text(value="d")]}).model_dump(exclude_unset=True).keys() >= {"id"}
    assert job.model_dump(exclude_unset=True).keys() == {"id"}


def test_constructed_and_decoded_instances_dump_alike() -> None:
    built = JobOrder(id="J1")
    decoded = ik.read_xml(f'<JobOrder xmlns="{NS}"><ID>J1</ID></JobOrder>'.encode())
    assert decoded == built
    assert decoded.model_dump(exclude_unset=True) == built.model_dump(exclude_unset=True)
