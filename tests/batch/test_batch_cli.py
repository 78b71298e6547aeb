"""``isa95kit validate|convert PATH... --jobs N``: same output as serial, jsonl, reports,
atomic outputs, interruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from isa95kit.batch import FileResult, TaskError, Verdict, junit, validate_many
from isa95kit.batch._tasks import crashed
from isa95kit.cli import main
from tests.batch._corpus import GOLDEN, DieMidWrite, mixed_corpus
from tests.conftest import ROOT

SRC = ROOT / "src"
#: three small golden documents (the model is built lazily: each worker pays its first use)
SMALL = sorted(GOLDEN.glob("*.xml"), key=lambda p: p.stat().st_size)[:3]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("corpus"))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_jobs_2_prints_what_serial_prints(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    serial = run(["validate", str(corpus)], capsys)
    parallel = run(["validate", "--jobs", "2", str(corpus)], capsys)
    assert parallel[0] == serial[0] == 1
    assert parallel[1] == serial[1]  # same issues, same order, same summary line
    assert "files/s" in parallel[2] and "(processes)" in parallel[2]
    assert "Traceback" not in parallel[2] and serial[2] == ""


def test_jsonl_one_result_per_line(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", "-j", "2", "--format", "jsonl", str(corpus / "V0600")], capsys)
    lines = [json.loads(line) for line in out.splitlines()]
    files, summary = lines[:-1], lines[-1]
    assert code == 1 and len(files) == 12
    assert sorted(line["index"] for line in files) == list(range(12))
    assert {line["verdict"] for line in files} == {"valid", "invalid"}
    assert all(line["report"]["file"] == line["file"] for line in files)
    assert summary["summary"]["files"] == 12 and summary["valid"] is False
    assert summary["summary"]["codes"]["schema"] == 6


def test_json_and_junit_aggregate_reports(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate", "--jobs", "2", "--format", "json", str(corpus / "hostile")],
                       capsys)  # fmt: skip
    data = json.loads(out)
    assert code == 1 and data["summary"]["files"] == 5
    assert data["batch"]["verdicts"] == {"invalid": 5} and data["batch"]["workers"] == 2
    assert [Path(f["file"]).name for f in data["files"]] == sorted(
        p.name for p in (corpus / "hostile").iterdir()
    )
    report = corpus.parent / "junit.xml"
    assert main(["validate", "-j", "2", "--format", "junit", "-o", str(report), str(corpus)]) == 1
    root = etree.parse(str(report)).getroot()
    assert root.tag == "testsuites" and len(root.findall("testsuite")) == len(
        validate_many(corpus).sources
    )
    capsys.readouterr()


def test_junit_reports_a_crashed_file_as_an_error(corpus: Path) -> None:
    results = validate_many(corpus / "V0701").results()
    lost = crashed(validate_many(corpus / "V0701").sources[0], "the worker died, twice", 2)
    failed = FileResult(9, "x.xml", Verdict.FAILED, error=TaskError("OSError", "denied", io=True))
    text = junit([lost, *results[1:], failed], "isa95kit validate")
    root = etree.fromstring(text.encode())
    assert root.get("errors") == "2" and root.get("failures") == "0"
    error = root.find("testsuite/testcase/error")
    assert error is not None and error.get("type") == "WorkerCrashed"
    assert "the worker died, twice" in (error.get("message") or "")


def test_bad_jobs_and_dask_without_a_scheduler(corpus: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code, _, err = run(["validate", "--jobs", "0", str(corpus)], capsys)
    assert code == 2 and "positive number or 'auto'" in err


def test_convert_many_files_under_an_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    for file in SMALL:
        (src / "a" / file.name).write_bytes(file.read_bytes())
    (src / "bad.json").write_bytes(b'{"JobOrder": ')
    out = tmp_path / "out"
    code, stdout, err = run(["convert", str(src), "-o", str(out), "--jobs", "2"], capsys)
    assert code == 1 and err.count("\n") == 1 and "not well-formed JSON" in err
    assert err.startswith("isa95kit: error:") and "bad.json" in err
    assert "3 converted, 1 failed" in stdout
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(f"a/{p.stem}.json" for p in SMALL)
    code, stdout, _ = run(["convert", str(out), "--to", "xml", "-o", str(tmp_path / "back"),
                           "--format", "json"], capsys)  # fmt: skip
    data = json.loads(stdout)
    assert code == 0 and data["summary"]["verdicts"] == {"converted": 3}
    assert [Path(f["output"]).name for f in data["files"]] == sorted(p.name for p in SMALL)
    assert not list(tmp_path.rglob("*.partial"))


def test_a_worker_dying_mid_write_leaves_no_partial_file(tmp_path: Path) -> None:
    from isa95kit.batch import ConvertTask, run_many

    src = tmp_path / "in"
    src.mkdir()
    for file in SMALL:
        (src / file.name).write_bytes(file.read_bytes())
    good = tmp_path / "out" / "lexical_material_lot.json"
    good.parent.mkdir()
    good.write_bytes(b"{}")  # an earlier good output: never replaced by half a file
    task = DieMidWrite(ConvertTask(output_dir=str(tmp_path / "out")), "lexical_material_lot.xml")
    results = run_many(task, src, suffixes=(".xml",), jobs=2, chunk_files=2).results()
    verdicts = {Path(r.source).name: r.verdict for r in results}
    assert verdicts.pop("lexical_material_lot.xml") == Verdict.CRASHED
    assert set(verdicts.values()) == {Verdict.CONVERTED}
    assert good.read_bytes() == b"{}"
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".partial")]


def test_interrupting_the_cli_leaves_no_partial_outputs(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    data = (GOLDEN / "erp_mes_work_schedule.xml").read_bytes()
    for i in range(600):
        (src / f"doc{i:04}.xml").write_bytes(data)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "isa95kit", "convert", str(src), "-o", str(out), "--jobs", "2"],
        env={**os.environ, "PYTHONPATH": str(SRC)}, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        out.exists() and any(p.suffix == ".json" for p in out.iterdir())
    ):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground process group
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    names = [p.name for p in out.iterdir()]
    assert names and not [n for n in names if n.endswith(".partial")]
    assert len(names) < 600  # it really was stopped early
    for name in names:  # every output there is complete
        assert json.loads((out / name).read_bytes())


@given(st.permutations(list(range(25))))
def test_text_output_restores_input_order(order: list[int]) -> None:
    from isa95kit.cli._validate import _in_order

    completed = [FileResult(i, f"f{i}.xml", Verdict.VALID) for i in order]
    assert [r.index for r in _in_order(completed, True)] == list(range(25))
    assert [r.index for r in _in_order(completed, False)] == order
