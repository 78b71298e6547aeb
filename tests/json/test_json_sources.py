"""read_json tells JSON text from paths by what JSON can start with, and every bad source is
an Isa95Error (fuzz cases: any text not starting with '{' or '[' was opened as a path)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit import MalformedDocumentError, MappingError
from isa95kit.errors import DecodeError, InvalidSourceError, SourceNotFoundError


@pytest.mark.parametrize("text", ["null", "  true", '"JobOrder"', "-1", "12", "", "   ", "x\ny"])
def test_json_text_that_is_not_a_document_is_decode_error_not_a_path(text: str) -> None:
    with pytest.raises(DecodeError) as info:
        ik.read_json(text)
    assert not isinstance(info.value, OSError)


def test_xml_text_is_pointed_at_read_xml() -> None:
    with pytest.raises(MalformedDocumentError, match="read_xml"):
        ik.read_json("<JobOrder/>")


def test_a_missing_path_is_source_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError):
        ik.read_json(str(tmp_path / "missing.json"))
    with pytest.raises(SourceNotFoundError):
        ik.read_json(tmp_path / "missing.json")


def test_not_a_source() -> None:
    with pytest.raises(InvalidSourceError):
        ik.read_json(5)  # type: ignore[arg-type]


def test_text_and_binary_file_objects(tmp_path: Path) -> None:
    text = '{"MaterialLot": {"ID": "L1"}}'
    expected = ik.read_json(text)
    assert ik.read_json(io.StringIO(text)) == expected
    assert ik.read_json(io.BytesIO(text.encode())) == expected
    path = tmp_path / "lot.json"
    path.write_text(text)
    assert ik.read_json(path) == expected
    with path.open() as fh:
        assert ik.read_json(fh) == expected


def test_a_text_file_object_is_refused_as_soon_as_it_passes_the_limit() -> None:
    from isa95kit import ReadConfig
    from isa95kit._source import ParseLimits as Limits

    class Endless(io.TextIOBase):
        reads = 0

        def read(self, size: int | None = -1) -> str:
            self.reads += 1
            return "[" * (size if size and size > 0 else 1024)

    endless = Endless()
    with pytest.raises(MalformedDocumentError, match="exceeds the limit"):
        ik.read_json(endless, config=ReadConfig(limits=Limits(max_bytes=3 << 20)))
    assert endless.reads <= 4


def test_mapping_errors_from_files_carry_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"MaterialLot": {"Bogus": 1}}')
    with pytest.raises(MappingError) as info:
        ik.read_json(str(path))
    assert info.value.location.file == str(path)
