"""read_xml, write_xml, read_json/write_json and validate (both engines) are safe to call from
many threads at once: 8 threads over the reference corpus give the single-threaded results
(fuzz case: streaming validation from 8 threads once reported wrong lines and XPaths)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import isa95kit as ik
from isa95kit import Isa95Error
from isa95kit.validation import check

ROOT = Path(__file__).resolve().parents[1] / "data"
CORPUS = sorted(
    p.read_bytes() for p in [*ROOT.glob("golden/*.xml"), *ROOT.glob("reference/**/*.xml")]
)
# invalid variants too, so that located schema errors are compared
CORPUS += [d.replace(b"<ID>", b"<IDx>", 1).replace(b"</ID>", b"</IDx>", 1) for d in CORPUS[:10]]


def _read_write(data: bytes) -> Any:
    try:
        doc = ik.read_xml(data)
        return (ik.write_xml(doc), ik.write_json(doc), ik.read_json(ik.write_json(doc)) == doc)
    except Isa95Error as exc:  # refused, or (an older release) not writable as V0701
        return ("refused", type(exc).__name__, str(exc))


def _validated(stream: bool) -> Callable[[bytes], Any]:
    def run(data: bytes) -> Any:
        report = check(data, stream=stream)
        return report.valid, [(i.code, i.line, i.column, i.path, i.message) for i in report.issues]

    return run


@pytest.mark.parametrize(
    "task",
    [_read_write, _validated(False), _validated(True)],
    ids=["read-write-xml-json", "validate-tree", "validate-stream"],
)
def test_eight_threads_agree_with_one(task: Callable[[bytes], Any]) -> None:
    expected = [task(data) for data in CORPUS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(2):
            assert list(pool.map(task, CORPUS)) == expected
