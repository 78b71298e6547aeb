"""``isa95kit validate``: exit codes, formats, batches, progress, no tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from isa95kit.cli import main
from tests.validation._support import job_order, request, work_schedule

GOOD = work_schedule(request("WR-1", job_order("JO-1")))
BAD = work_schedule(request("WR-1", job_order("JO-1"), job_order("JO-1")))
WARN = work_schedule(request("WR-1", job_order("JO-1")), creation="2024-05-01T06:00:00")
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.xml").write_bytes(GOOD)
    (tmp_path / "in" / "nested").mkdir()
    (tmp_path / "in" / "nested" / "warn.XML").write_bytes(WARN)
    (tmp_path / "in" / "notes.txt").write_text("not XML, not picked up")
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_codes(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(folder / "in")], capsys)
    assert code == 0
    assert "warning datetime-without-timezone" in out
    assert out.splitlines()[-1] == "2 files checked: 2 valid, 0 invalid; 0 errors, 1 warning"
    assert run(["--strict", str(folder / "in")], capsys)[0] == 1
    (folder / "bad.xml").write_bytes(BAD)
    code, out, _ = run([str(folder / "in"), str(folder / "bad.xml")], capsys)
    assert code == 1 and "error duplicate-id" in out
    assert run(["--schema-only", str(folder / "bad.xml")], capsys)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.xml"], "no such file or folder"),
        (["--profile", "missing.toml", "GOOD"], "missing.toml"),
        (["--format", "yaml", "GOOD"], ""),
        (["--version", "V9", "GOOD"], ""),
        (["--extension", "missing.xsd", "GOOD"], "missing.xsd"),
        (["EMPTY"], "no *.xml files"),
    ],
)
def test_usage_errors_exit_2(
    folder: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (folder / "empty").mkdir()
    paths = {"GOOD": str(folder / "in" / "good.xml"), "EMPTY": str(folder / "empty")}
    args = [paths.get(a, str(folder / a) if a.endswith((".xml", ".toml", ".xsd")) else a)
            for a in args]  # fmt: skip
    code, _, err = run(args, capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_unreadable_file_is_an_io_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import isa95kit.validation._api as api

    real = api.run_one

    def flaky(source: object, options: object) -> object:
        if str(source).endswith("zz.xml"):
            raise PermissionError(13, "Permission denied")
        return real(source, options)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "run_one", flaky)
    (folder / "in" / "zz.xml").write_bytes(BAD)
    code, out, err = run([str(folder / "in")], capsys)
    assert code == 2 and "cannot read" in err and "Permission denied" in err
    assert "2 files checked" in out  # the readable ones were still validated


def test_json_and_junit_and_output_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", str(folder / "in")], capsys)
    data = json.loads(out)
    assert code == 0 and data["summary"]["files"] == 2 and data["valid"] is True
    report = folder / "junit.xml"
    code, out, _ = run(["--format", "junit", "-o", str(report), str(folder / "in")], capsys)
    assert code == 0 and out == ""
    root = etree.parse(str(report)).getroot()
    assert root.tag == "testsuites" and len(root.findall("testsuite")) == 2


def test_profile_and_version_options(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = folder / "p.json"
    profile.write_text('{"rules": {"datetime-without-timezone": "error"}}')
    assert run(["--profile", str(profile), str(folder / "in")], capsys)[0] == 1
    code, out, _ = run(["--version", "V0600", str(folder / "in" / "good.xml")], capsys)
    assert code == 1 and "No matching global declaration" in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(25):
        (folder / "in" / f"copy{i:02}.xml").write_bytes(GOOD)
    code, _, err = run([str(folder / "in")], capsys)
    assert code == 0 and "files" not in err  # stderr is not a terminal here
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["validate", str(folder / "in")]) == 0
    drawn = terminal.getvalue()
    assert "27/27 files" in drawn and "MB/s" in drawn and "\r" in drawn


def test_the_console_never_prints_a_traceback(folder: Path) -> None:
    bad_xsd = folder / "Bad-Extensions.xsd"
    bad_xsd.write_text("<not a schema")
    for args in (
        ["--extension", str(bad_xsd), str(folder / "in" / "good.xml")],
        [str(folder / "nowhere")],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "isa95kit", "validate", *args],
            capture_output=True, text=True, env={"PYTHONPATH": str(SRC), "PATH": ""},
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and done.stderr.startswith("isa95kit: error:")
