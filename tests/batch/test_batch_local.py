"""``isa95kit.batch`` on this machine: serial and process pool, sources, chunks, crashes."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import isa95kit as ik
from isa95kit.batch import (
    FileSource,
    ValidateTask,
    Verdict,
    chunked,
    convert_many,
    expand,
    run_many,
    validate_many,
)
from isa95kit.batch._run import (
    CHUNK_BYTES,
    CHUNK_FILES,
    DASK_CHUNK_FILES,
    DASK_CHUNK_FLOOR,
    DASK_SPREAD,
    FILE_COST,
)
from isa95kit.errors import SourceNotFoundError
from isa95kit.validation._api import make_options
from tests.batch._corpus import GOLDEN, KillOnce, Poison, mixed_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("corpus"))


def comparable(report: ik.ValidationReport) -> dict[str, object]:
    """The report without timings (which differ from run to run)."""
    data = report.to_dict()
    for file in data["files"]:  # type: ignore[union-attr]
        file.pop("seconds")
    return data


def test_serial_batch_equals_check_file_by_file(corpus: Path) -> None:
    run = validate_many(corpus)
    report = run.report()
    files = expand([str(corpus)])
    assert [f.file for f in report.files] == [s.location for s in files]
    for source, mine in zip(files, report.files, strict=True):
        alone = ik.validation.check(source.location).files[0]
        assert mine.issues == alone.issues and mine.version == alone.version
    summary = run.summary
    assert summary.files == len(files) and summary.mode == "serial"
    assert summary.verdicts[Verdict.VALID] + summary.verdicts[Verdict.INVALID] == len(files)
    assert summary.codes["hostile-input"] == 2 and summary.codes["not-well-formed"] >= 2


def test_two_processes_equal_serial(corpus: Path) -> None:
    serial = validate_many(corpus).report()
    run = validate_many(corpus, jobs=2, chunk_files=3)
    seen = [result.index for result in run]  # as completed
    assert sorted(seen) == list(range(len(serial.files)))
    assert comparable(run.report()) == comparable(serial)
    assert run.summary.mode == "processes" and run.summary.workers == 2
    assert len({r.worker for r in run.results()}) >= 1


def test_results_and_errors_pickle(corpus: Path) -> None:
    task = ValidateTask(make_options(strict=True, profile={"rules": {"unknown-unit": "error"}}))
    again = pickle.loads(pickle.dumps(task))
    assert again.options.profile.severity("unknown-unit") is ik.Severity.ERROR
    results = run_many(task, corpus / "hostile").results()
    assert pickle.loads(pickle.dumps(results)) == results


def test_a_broken_pool_loses_no_file(corpus: Path, tmp_path: Path) -> None:
    """A worker that dies once: its chunk's files run again, each counted once."""
    task = KillOnce(ValidateTask(make_options()), "erp_mes_work_schedule.xml",
                    str(tmp_path / "killed"))  # fmt: skip
    run = run_many(task, corpus, jobs=2, chunk_files=4)
    results = run.results()
    assert (tmp_path / "killed").exists()  # the worker really died
    assert [r.index for r in results] == list(range(len(expand([str(corpus)]))))
    assert all(r.verdict in (Verdict.VALID, Verdict.INVALID) for r in results)
    assert comparable(run.report()) == comparable(validate_many(corpus).report())
    assert run.summary.retried >= 1
    victim = next(r for r in results if r.source.endswith("erp_mes_work_schedule.xml"))
    assert victim.attempts == 2 and victim.verdict == Verdict.VALID


def test_a_file_that_crashes_twice_is_reported_and_the_run_goes_on(
    corpus: Path, tmp_path: Path
) -> None:
    task = Poison(ValidateTask(make_options()), "prefixed_job_order.xml", str(tmp_path))
    run = run_many(task, corpus, jobs=2, chunk_files=4)
    results = run.results()
    crashed = [r for r in results if r.verdict == Verdict.CRASHED]
    assert [Path(r.source).name for r in crashed] == ["prefixed_job_order.xml"]
    assert crashed[0].error is not None and crashed[0].error.kind == "WorkerCrashed"
    assert "died" in crashed[0].error.message
    assert len(list(tmp_path.iterdir())) == 2  # once in its chunk, once alone
    others = [r for r in results if r.verdict != Verdict.CRASHED]
    assert len(others) == len(results) - 1 and all(r.report is not None for r in others)
    assert run.summary.verdicts[Verdict.CRASHED] == 1 and run.summary.failed == 1


def test_sources_dirs_globs_and_order(corpus: Path) -> None:
    files = expand([str(corpus / "V0701"), str(corpus / "hostile" / "*.xml"),
                    str(corpus / "V0600" / "..") + "/generated/minimal-V0500.xml"])  # fmt: skip
    names = [Path(f.location).name for f in files]
    assert names[:6] == sorted(p.name for p in GOLDEN.glob("*.xml"))
    assert names[6:11] == sorted(p.name for p in (corpus / "hostile").iterdir())
    assert names[-1] == "minimal-V0500.xml" and [f.index for f in files] == list(range(12))
    assert files[0].relative == "erp_mes_work_schedule.xml"
    recursive = expand([str(corpus) + "/**/minimal-*.xml"])
    assert recursive[0].relative == "generated/minimal-V0401.xml"
    with pytest.raises(SourceNotFoundError, match="no such file or folder"):
        expand([str(corpus / "nowhere.xml")])
    with pytest.raises(SourceNotFoundError, match=r"no \*\.xml files under"):
        expand([str(corpus / "nothing-*.xml")])


def test_fsspec_memory_and_file_urls(corpus: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    for file in sorted(GOLDEN.glob("*.xml")):
        fs.pipe_file(f"/inbox/{file.name}", file.read_bytes())
    fs.pipe_file("/inbox/sub/laughs.xml", (corpus / "hostile" / "billion-laughs.xml").read_bytes())
    try:
        memory = validate_many("memory://inbox/").report()
        local = validate_many([str(GOLDEN), str(corpus / "hostile" / "billion-laughs.xml")])
        first = memory.files[0].file or ""
        assert first.startswith("memory://") and first.endswith("/inbox/erp_mes_work_schedule.xml")
        assert [i.code for i in memory.issues] == [i.code for i in local.report().issues]
        assert [i.line for i in memory.issues] == [i.line for i in local.report().issues]
        globbed = expand(["memory://inbox/*.xml"])
        assert len(globbed) == 6 and globbed[0].relative == "erp_mes_work_schedule.xml"
        url = (corpus / "V0701").as_uri()
        by_url = validate_many(url, jobs=2).report()
        assert by_url.files[0].file == url + "/erp_mes_work_schedule.xml"
        assert [i.code for i in by_url.issues] == [
            i.code for i in validate_many(corpus / "V0701").report().issues
        ]
        converted = convert_many("memory://inbox/*.xml", output_dir="memory://out").results()
        assert all(r.verdict == Verdict.CONVERTED for r in converted)
        assert ik.read_json(fs.cat_file("/out/lexical_material_lot.json")) == ik.read_xml(
            GOLDEN / "lexical_material_lot.xml"
        )
    finally:
        fs.rm("/inbox", recursive=True)
        if fs.exists("/out"):
            fs.rm("/out", recursive=True)


def test_convert_many_next_to_source_and_under_a_folder(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "deep").mkdir(parents=True)
    for file in sorted(GOLDEN.glob("*.xml"))[:3]:
        (src / "deep" / file.name).write_bytes(file.read_bytes())
    (src / "broken.xml").write_bytes(b"<JobOrder xmlns='http://www.mesa.org/xml/B2MML'><Bogus/>")
    results = convert_many(src, output_dir=tmp_path / "out", jobs=2).results()
    verdicts = {Path(r.source).name: r.verdict for r in results}
    assert verdicts.pop("broken.xml") == Verdict.FAILED
    assert set(verdicts.values()) == {Verdict.CONVERTED}
    outputs = sorted(p.relative_to(tmp_path / "out").as_posix()
                     for p in (tmp_path / "out").rglob("*") if p.is_file())  # fmt: skip
    assert outputs == sorted(f"deep/{Path(n).stem}.json" for n in verdicts)
    failed = next(r for r in results if r.verdict == Verdict.FAILED)
    assert failed.error is not None and failed.error.kind == "MalformedDocumentError"
    back = convert_many(tmp_path / "out").results()  # next to the JSON files
    assert all(r.output and r.output.endswith(".xml") for r in back)
    assert ik.read_xml(back[0].output) == ik.read_xml(src / "deep" / Path(back[0].output).name)
    same = convert_many(src / "deep", to="xml").results()
    assert {r.verdict for r in same} == {Verdict.FAILED}  # would overwrite its source
    assert not list(tmp_path.rglob("*.partial"))


def test_an_interrupted_write_never_replaces_a_good_file(tmp_path: Path) -> None:
    from isa95kit.batch import write_atomically

    target = tmp_path / "good.json"
    target.write_bytes(b"{}")

    def fail(out: object) -> None:
        out.write(b'{"half": ')  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(str(target), fail)
    assert target.read_bytes() == b"{}" and sorted(tmp_path.iterdir()) == [target]


def test_summary_json(corpus: Path) -> None:
    run = validate_many(corpus / "hostile")
    run.results()
    data = json.loads(json.dumps(run.summary.to_dict()))
    assert data["files"] == 5 and data["verdicts"] == {"invalid": 5}
    assert data["files_per_second"] > 0 and "hostile-input" in data["codes"]
    assert "5 files (5 invalid)" in str(run.summary)


sources = st.lists(st.integers(0, 40_000_000), max_size=600).map(
    lambda sizes: [FileSource(i, f"f{i}.xml", size, f"f{i}.xml") for i, size in enumerate(sizes)]
)


@given(sources, st.integers(1, 8), st.none() | st.integers(1, 10), st.booleans(),
       st.sampled_from([2, 4]))  # fmt: skip
def test_chunks_keep_every_file_once_in_order(
    files: list[FileSource], workers: int, per_chunk: int | None, ramp: bool, spread: int
) -> None:
    chunks = list(chunked(files, workers, files=per_chunk, max_bytes=16_000_000, ramp=ramp,
                          spread=spread))  # fmt: skip
    assert [f for chunk in chunks for f in chunk] == files
    limit = per_chunk or CHUNK_FILES
    for chunk in chunks:
        assert 1 <= len(chunk) <= limit
        assert len(chunk) == 1 or sum(f.size for f in chunk) <= 16_000_000
    if ramp and per_chunk is None and chunks:  # the first round is small: results stream early
        assert all(len(chunk) <= 8 for chunk in chunks[:workers])


def test_a_ramp_starts_small_and_doubles_per_round() -> None:
    files = [FileSource(i, f"f{i}.xml", 1000, f"f{i}.xml") for i in range(2000)]
    sizes = [len(chunk) for chunk in chunked(files, 2, ramp=True)]
    assert sizes[:10] == [8, 8, 16, 16, 32, 32, 64, 64, 128, 128]
    assert len(next(chunked(files, 2))) == 250  # no ramp: an eighth of the work at once
    tail = [len(chunk) for chunk in chunked(files, 2, smallest=32)]
    assert min(tail) == 32 and tail[-1] < 2 * 32  # the tail stops at 32 files, no crumb


def test_dask_chunks_are_cut_by_work_not_file_count() -> None:
    """Small files then big ones: chunks hold about the same work, not the same count."""
    small = [FileSource(i, f"s{i}.xml", 2_000, "s.xml") for i in range(1000)]
    big = [FileSource(1000 + i, f"b{i}.xml", 120_000, "b.xml") for i in range(1000)]
    files = small + big
    chunks = list(chunked(files, 2, max_files=DASK_CHUNK_FILES, smallest=DASK_CHUNK_FLOOR,
                          spread=DASK_SPREAD))  # fmt: skip
    assert [f for chunk in chunks for f in chunk] == files
    work = [sum(f.size + FILE_COST for f in chunk) for chunk in chunks]
    floor = DASK_CHUNK_FLOOR * sum(work) / len(files)
    assert len(chunks) <= 20 and min(work[:-1]) >= floor * 0.9  # few tasks (not 2,000)
    assert work[-1] >= floor / 2  # and no crumb of a task at the end
    assert all(sum(f.size for f in chunk) <= CHUNK_BYTES for chunk in chunks)
    counts = [len(chunk) for chunk in chunks]
    assert counts[0] > 4 * counts[-2]  # the small files' chunk holds many more files


def test_missing_extras_name_the_dask_extra(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from isa95kit.cli import main

    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.setitem(sys.modules, "fsspec", None)
    with pytest.raises(ik.MissingDependencyError, match=r"isa95kit\[dask\]"):
        validate_many(corpus / "V0701", dask="local")
    with pytest.raises(ik.MissingDependencyError, match=r"isa95kit\[dask\]"):
        expand(["s3://bucket/inbox/"])
    assert main(["validate", "--dask", "local", str(corpus / "V0701")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'isa95kit[dask]'" in err and "Traceback" not in err
    assert validate_many(corpus / "V0701", jobs=2).report().valid  # local paths need neither


def test_pool_workers_start_with_the_v0701_bundle_compiled(corpus: Path) -> None:
    """Workers fork from this process after it compiled V0701, or from a forkserver that did
    (batch/_warm.py, _preload.py): not per file."""
    from isa95kit.batch._preload import WARM
    from isa95kit.batch._warm import _MINIMAL
    from tests.batch._corpus import Probe

    assert WARM and ik.validation.check(_MINIMAL).valid  # the warm-up document really works
    results = run_many(Probe(), corpus / "V0701", jobs=2, chunk_files=1).results()
    assert all("V0701" in r.value["compiled"] for r in results)
    assert all(r.value["profiler"] is None for r in results)
