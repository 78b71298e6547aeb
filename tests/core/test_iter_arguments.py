"""iter_xml refuses what it cannot look for, at the call, with an Isa95Error; it takes a
model class as well as an element name; and it refuses a DTD even when nothing matches."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit import MalformedDocumentError, MappingError
from isa95kit.errors import InvalidSourceError, SourceNotFoundError

NS = "http://www.mesa.org/xml/B2MML"
DOC = (
    f'<ProcessMaterialLot xmlns="{NS}" releaseID="1"><ApplicationArea><CreationDateTime>'
    "2026-01-01T00:00:00Z</CreationDateTime></ApplicationArea><DataArea><Process/>"
    "<MaterialLot><ID>L1</ID></MaterialLot><MaterialLot><ID>L2</ID></MaterialLot>"
    "</DataArea></ProcessMaterialLot>"
).encode()


@pytest.mark.parametrize("name", ["", "Joborder", "b2mml:JobOrder", "{x}y", "Job Order"])
def test_a_name_that_is_no_element_is_refused_at_the_call(name: str) -> None:
    with pytest.raises(MappingError) as info:
        ik.iter_xml(DOC, name)  # no next(): refused before anything is read
    assert isinstance(info.value, ValueError)


def test_a_misspelt_name_gets_suggestions() -> None:
    with pytest.raises(MappingError, match="did you mean MaterialLot"):
        ik.iter_xml(DOC, "MaterialLots")


def test_a_model_class_names_its_element() -> None:
    from isa95kit.model import MaterialLot

    ids = [lot.id.value for lot in ik.iter_xml(DOC, MaterialLot)]
    assert ids == ["L1", "L2"]
    assert ids == [lot.id.value for lot in ik.iter_xml(DOC, "MaterialLot")]


def test_neither_a_name_nor_a_class() -> None:
    with pytest.raises(MappingError, match="not a int"):
        ik.iter_xml(DOC, 5)  # type: ignore[arg-type]


def test_a_doctype_is_refused_even_when_the_element_never_occurs() -> None:
    doc = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "e">]>\n' + DOC
    with pytest.raises(MalformedDocumentError, match="DTD"):
        list(ik.iter_xml(doc, "JobOrder"))


def test_bad_sources_are_isa95_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError):
        list(ik.iter_xml(tmp_path / "missing.xml", "MaterialLot"))
    with pytest.raises(InvalidSourceError):
        list(ik.iter_xml(5, "MaterialLot"))  # type: ignore[arg-type]
    with pytest.raises(InvalidSourceError):
        list(ik.iter_xml(io.StringIO(DOC.decode()), "MaterialLot"))  # type: ignore[arg-type]


def test_a_file_is_closed_after_iteration(tmp_path: Path) -> None:
    path = tmp_path / "lots.xml"
    path.write_bytes(DOC)
    assert len(list(ik.iter_xml(path, "MaterialLot"))) == 2
    it = ik.iter_xml(str(path), "MaterialLot")
    next(it)
    it.close()  # abandoning early closes the file too (no ResourceWarning)
