"""Fuzzing the XML entry points with structure-aware mutations of real documents.

Oracles, on every input:
* only :class:`Isa95Error` escapes ``read_xml``, ``iter_xml``, ``validate`` (both engines),
  ``info`` and the CLI — and the CLI prints no traceback;
* accepted means lossless: what ``read_xml`` accepts, ``write_xml`` writes and ``read_xml``
  reads back equal, and writing again gives the same bytes;
* stream = tree: both validation engines give the same verdict and the same issue codes,
  lines and paths.

CI runs the ``ci`` hypothesis profile (bounded examples); ``python tools/fuzz.py`` runs the
same properties for hours. Every case a fuzz run found is kept in ``corpus/`` and replayed
by :func:`test_corpus`.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import isa95kit as ik
from isa95kit import Isa95Error
from isa95kit.validation import check

from ._mutators import mutated_documents

CORPUS = Path(__file__).parent / "corpus"
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def read_oracle(data: bytes) -> None:
    try:
        doc = ik.read_xml(data)
    except Isa95Error:
        return
    from isa95kit.versions import migration_report

    report = migration_report(doc)
    if report is not None:  # an older release: it is written back to that release
        try:
            written = ik.write_xml(doc, version=report.source)
        except Isa95Error:
            return  # what the older release cannot express is refused, never dropped
        assert ik.write_xml(ik.read_xml(written), version=report.source) == written
        return
    written = ik.write_xml(doc)
    again = ik.read_xml(written)
    assert again == doc, "accepted but not read back equal"
    assert ik.write_xml(again) == written, "writing is not stable"


def iter_oracle(data: bytes) -> None:
    for name in ("JobOrder", "MaterialLot", "ID"):
        with contextlib.suppress(Isa95Error):
            for _ in ik.iter_xml(data, name):
                pass


def stream_tree_oracle(data: bytes) -> None:
    """Same verdict from both engines; for well-formed documents the same issues — codes,
    lines and XPaths, in the same order; the same syntax and hostile-input issues at the
    same lines for broken ones."""
    tree, stream = check(data, stream=False), check(data, stream=True)
    if stream.files[0].mode != "stream":
        return  # a wrapper (SOAP, MTConnect): both runs used the tree engine
    assert stream.valid == tree.valid, "the streaming and tree engines disagree on the verdict"
    exact = ("not-well-formed", "hostile-input")
    if not any(i.code in exact for i in tree.issues):  # a broken document: the streaming
        # engine also reports what it found in the complete part before the break
        def placed(report: Any) -> list[tuple[str, int | None, str | None]]:
            return [(i.code, i.line, i.path) for i in report.issues]

        assert placed(stream) == placed(tree)
    def located(report: Any) -> list[tuple[str, int | None]]:
        return [(i.code, i.line) for i in report.issues if i.code in exact]

    assert located(stream) == located(tree)


def cli_oracle(data: bytes, tmp: Path) -> None:
    from isa95kit.cli import main

    path = tmp / "doc.xml"
    path.write_bytes(data)
    for argv in (["info", str(path)], ["validate", str(path)], ["convert", str(path)]):
        err = io.StringIO()
        out = io.TextIOWrapper(io.BytesIO())  # convert writes bytes to stdout.buffer
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        assert code in (0, 1, 2), (argv, code)
        assert "Traceback" not in err.getvalue(), err.getvalue()


@FUZZ
@given(mutated_documents())
def test_read_and_write(data: bytes) -> None:
    read_oracle(data)


@FUZZ
@given(mutated_documents())
def test_iter(data: bytes) -> None:
    iter_oracle(data)


@FUZZ
@given(mutated_documents())
def test_stream_equals_tree(data: bytes) -> None:
    stream_tree_oracle(data)


@settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 3))  # a process per example
@given(data=mutated_documents())
def test_cli(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    cli_oracle(data, tmp_path_factory.mktemp("cli"))


@pytest.mark.parametrize(
    "case", sorted(CORPUS.glob("*.xml")), ids=lambda p: p.name if isinstance(p, Path) else p
)
def test_corpus(case: Path, tmp_path: Path) -> None:
    """Cases fuzz runs found (each broke an oracle once): they stay fixed."""
    data = case.read_bytes()
    read_oracle(data)
    iter_oracle(data)
    stream_tree_oracle(data)
    cli_oracle(data, tmp_path)
