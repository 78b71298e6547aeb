"""Bad sources raise Isa95Errors that also inherit the fitting builtin (issue 8, items 5 and 7)."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit import (
    InvalidSourceError,
    Isa95Error,
    MalformedDocumentError,
    ParseLimits,
    ReadConfig,
    SourceError,
    SourceNotFoundError,
)
from isa95kit.cli import main

NS = "http://www.mesa.org/xml/B2MML"
JOB = f'<JobOrder xmlns="{NS}"><ID>J</ID></JobOrder>'


@pytest.mark.parametrize("bad", [5, 1.5, None, object(), ["<a/>"]])
def test_something_that_is_not_a_source(bad: object) -> None:
    with pytest.raises(InvalidSourceError, match="give a path, bytes, XML text") as info:
        ik.read_xml(bad)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError) and isinstance(info.value, Isa95Error)


def test_a_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xml"
    for source in (missing, str(missing)):
        with pytest.raises(SourceNotFoundError, match="cannot read") as info:
            ik.read_xml(source)
        err = info.value
        assert isinstance(err, FileNotFoundError) and isinstance(err, Isa95Error)
        assert err.errno == errno.ENOENT and err.file == str(missing)


def test_a_directory_and_a_path_with_a_nul(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        ik.read_xml(tmp_path)
    with pytest.raises(SourceError, match="not a usable path") as info:
        ik.read_xml("a\x00b")
    assert isinstance(info.value, OSError)


def test_text_with_a_lone_surrogate() -> None:
    with pytest.raises(MalformedDocumentError, match="UTF-8 cannot encode"):
        ik.read_xml(JOB.replace(">J<", ">J\ud800<"))


def test_bytes_like_sources() -> None:
    for source in (bytearray(JOB.encode()), memoryview(JOB.encode())):
        assert ik.read_xml(source) == ik.read_xml(JOB.encode())  # type: ignore[arg-type]


class _Endless(io.RawIOBase):
    """A stream that would yield ``total`` bytes, counting what it was asked for."""

    def __init__(self, total: int) -> None:
        self.total, self.served = total, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        n = min(len(buffer), self.total - self.served)
        buffer[:n] = b" " * n
        self.served += n
        return n


def test_a_file_object_is_refused_as_soon_as_it_passes_the_limit() -> None:
    stream = _Endless(50 << 20)
    config = ReadConfig(limits=ParseLimits(max_bytes=1 << 20))
    with pytest.raises(MalformedDocumentError, match="limit"):
        ik.read_xml(stream, config=config)
    assert stream.served <= 3 << 20  # not the 50 MB it would have given


def test_a_text_mode_file_object_is_refused_clearly() -> None:
    with pytest.raises(InvalidSourceError, match="binary mode"):
        ik.read_xml(io.StringIO(JOB))  # type: ignore[arg-type]


def test_the_cli_exits_2_for_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["convert", str(tmp_path / "nope.xml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("isa95kit: error: ") and "Traceback" not in err


def test_stdin_is_read_in_blocks_and_refused_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fuzz case: ``isa95kit convert -`` read a 2 GB pipe whole before "exceeds the limit"."""
    import sys
    import types

    from isa95kit._source import ParseLimits, read_stdin

    class Endless(io.RawIOBase):
        reads = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.reads += 1
            return b"<" * (size if size > 0 else 1 << 20)

    endless = Endless()
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=endless))
    with pytest.raises(MalformedDocumentError, match="exceeds the limit"):
        read_stdin(ParseLimits(max_bytes=3 << 20))
    assert endless.reads <= 4


@pytest.mark.parametrize("external", [True, False])
def test_a_dtd_the_parser_gives_up_on_is_refused_as_a_dtd(external: bool, tmp_path: Path) -> None:
    """read_xml said "failed to load network entity" for an external DTD; it is refused as
    what it is, with the DOCTYPE's line, from a path and from bytes alike."""
    subset = 'SYSTEM "http://evil.example/x.dtd"' if external else '[<!ENTITY % p SYSTEM "x">%p;]'
    data = f'<?xml version="1.0"?>\n<!-- a partner file -->\n<!DOCTYPE x {subset}>\n<x/>'.encode()
    path = tmp_path / "dtd.xml"
    path.write_bytes(data)
    for source in (path, data):
        with pytest.raises(ik.MalformedDocumentError, match="DTDs") as caught:
            ik.read_xml(source)
        assert caught.value.line == 3
