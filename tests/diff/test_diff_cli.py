"""``isa95kit diff A B``: reports, exit codes 0 equal / 1 different / 2 trouble, no tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from isa95kit.cli import main
from tests.diff._docs import BASE, JOBS, job, schedule

CHANGED = schedule(job("JO-1"), job("JO-2", priority="1"), job("JO-3"))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_bytes(BASE)
    b.write_bytes(CHANGED)
    return a, b


def test_equal_exits_0(files: tuple[Path, Path], capsys: Any) -> None:
    a, _ = files
    assert main(["diff", str(a), str(a)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "documents are equal"


def test_different_exits_1_with_a_text_report(files: tuple[Path, Path], capsys: Any) -> None:
    a, b = files
    assert main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [f"--- {a}", f"+++ {b}"]
    assert out[2].startswith(f"~ JobOrder JO-2: {JOBS}[1].priority: 2 -> 1  [")
    assert out[-1] == "1 change: 1 changed"


def test_json_format_and_output_file(files: tuple[Path, Path], tmp_path: Path, capsys: Any) -> None:
    a, b = files
    assert main(["diff", str(a), str(b), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["old"]["file"] == str(a) and data["new"]["file"] == str(b)
    assert [(c["kind"], c["entity_id"], c["old"], c["new"]) for c in data["changes"]] == [
        ("changed", "JO-2", 2, 1)
    ]
    report = tmp_path / "report.json"
    assert main(["diff", str(a), str(b), "--format", "json", "-o", str(report)]) == 1
    assert json.loads(report.read_text()) == data
    assert capsys.readouterr().out == ""


def test_stdin(files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    _, b = files

    class Stdin:
        buffer = io.BytesIO(CHANGED)

    monkeypatch.setattr(sys, "stdin", Stdin)
    assert main(["diff", str(b), "-"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "+++ (stdin)"
    assert main(["diff", "-", "-"]) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing.xml"),                          # I/O
        (b"<ProcessWorkSchedule", "not well-formed"),  # not XML
        (b"<Nope xmlns='urn:x'/>", "B2MML"),            # not B2MML
    ],
)  # fmt: skip
def test_trouble_exits_2_with_one_line(
    files: tuple[Path, Path], tmp_path: Path, capsys: Any, content: bytes | None, message: str
) -> None:
    a, _ = files
    bad = tmp_path / "missing.xml"
    if content is not None:
        bad = tmp_path / "bad.xml"
        bad.write_bytes(content)
    assert main(["diff", str(a), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("isa95kit: error: ") and len(err.strip().splitlines()) == 1
    assert message.lower() in err.lower()
    assert "Traceback" not in err


def test_usage_error_exits_2(capsys: Any) -> None:
    assert main(["diff", "only-one.xml"]) == 2
    assert main(["diff", "a.xml", "b.xml", "--format", "yaml"]) == 2


def test_console_entry_point(files: tuple[Path, Path]) -> None:
    a, b = files
    run = subprocess.run(
        [sys.executable, "-m", "isa95kit", "diff", str(a), str(b)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 1 and "JO-2" in run.stdout and run.stderr == ""
