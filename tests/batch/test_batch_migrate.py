"""``migrate_many`` and ``isa95kit migrate PATH...``: a folder of every release, equal to
``isa95kit.versions.migrate`` file by file, on one process and on two."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.batch import (
    FileResult,
    MigrateTask,
    Verdict,
    expand,
    migrate_many,
    migration_summary,
)
from isa95kit.cli import main
from isa95kit.versions import B2MMLVersion, MigrationWarning, migrate
from tests.batch._corpus import mixed_corpus

#: what the corpus fails with, by file (not XML, a DTD, entity expansion, not well-formed)
FAILING = {"billion-laughs.xml", "empty.xml", "external-entity.xml", "not-well-formed.xml"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("corpus"))


def serial_reference(corpus: Path, to: str, strict: bool = False) -> list[tuple[Any, ...]]:
    """``versions.migrate`` on each file of the folder: (verdict, summary or error, bytes)."""
    out: list[tuple[Any, ...]] = []
    for source in expand([str(corpus)]):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MigrationWarning)
                result = migrate(source.location, to, strict=strict)
        except ik.Isa95Error as exc:
            out.append((Verdict.FAILED, (type(exc).__name__, exc.message), None))
        else:
            out.append((Verdict.MIGRATED, migration_summary(result.report), result.data))
    return out


def observed(results: list[FileResult]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for result in results:
        if result.error is not None:
            out.append((result.verdict, (result.error.kind, result.error.message), None))
        else:
            assert result.output is not None
            out.append((result.verdict, result.value, Path(result.output).read_bytes()))
    return out


def test_a_folder_of_every_release_equals_migrate_file_by_file(
    corpus: Path, tmp_path: Path
) -> None:
    run = migrate_many(corpus, output_dir=tmp_path / "out")
    results = run.results()
    assert observed(results) == serial_reference(corpus, "V0701")
    releases = {r.value["source"] for r in results if r.ok}
    assert {"V0401", "V0500", "V0600", "V0601", "V0701"} <= releases
    failed = {Path(r.source).name for r in results if r.verdict == Verdict.FAILED}
    assert failed == FAILING
    assert run.summary.verdicts == {Verdict.MIGRATED: len(results) - 4, Verdict.FAILED: 4}
    assert run.summary.codes["error:MalformedDocumentError"] == 4
    v0701 = "{" + B2MMLVersion.V0701.namespace + "}"
    for result in results:  # the output tree mirrors the input tree, older releases are V0701
        if result.ok:
            assert result.output is not None
            relative = Path(result.output).relative_to(tmp_path / "out")
            assert (corpus / relative).samefile(result.source)
            if result.value["source"] != "V0701":  # (carried pieces keep their namespace)
                assert etree.parse(result.output).getroot().tag.startswith(v0701)
    assert not list(tmp_path.rglob("*.partial"))


def test_two_processes_equal_serial_down_to_v0401_strict(corpus: Path, tmp_path: Path) -> None:
    serial = migrate_many(corpus, to="v0401", strict=True, output_dir=tmp_path / "a").results()
    run = migrate_many(
        corpus, to="V0401", strict=True, output_dir=tmp_path / "b", jobs=2, chunk_files=5
    )
    parallel = run.results()
    assert run.summary.mode == "processes" and run.summary.workers == 2
    assert observed(parallel) == observed(serial) == serial_reference(corpus, "V0401", True)
    refused = [r for r in parallel if r.error is not None and r.error.kind == "EncodeError"]
    assert refused and all("V0401" in r.error.message for r in refused if r.error)
    assert all(r.error.location.path for r in refused if r.error)  # an XPath to the piece
    assert all(r.cpu_seconds > 0 for r in parallel if r.ok)


def test_without_strict_dropped_content_is_counted(corpus: Path, tmp_path: Path) -> None:
    results = migrate_many(corpus / "V0701", to="V0401", output_dir=tmp_path).results()
    lossy = {Path(r.source).name: r.value["dropped"] for r in results if r.ok}
    assert lossy["material_master_assembly.xml"] > 0
    assert all(not r.value["lossless"] for r in results if r.ok and r.value["dropped"])


def test_next_to_the_source_tagged_with_the_release(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("minimal-V0500.xml", "minimal-V0600.xml"):
        (folder / name).write_bytes((corpus / "generated" / name).read_bytes())
    (folder / "old.V0600.xml").write_bytes(
        (corpus / "generated" / "minimal-V0600.xml").read_bytes()
    )
    results = migrate_many(folder).results()
    assert [Path(r.output or "").name for r in results] == [
        "minimal-V0500.V0701.xml",
        "minimal-V0600.V0701.xml",
        "old.V0701.xml",
    ]
    again = migrate_many(folder).results()  # the outputs are inputs now: never overwritten
    refused = [r for r in again if r.verdict == Verdict.FAILED]
    assert [Path(r.source).name for r in refused] == [
        "minimal-V0500.V0701.xml",
        "minimal-V0600.V0701.xml",
        "old.V0701.xml",
    ]
    assert refused[0].error is not None and "replace its source" in refused[0].error.message
    assert MigrateTask(output_dir=None).targets(expand([str(folder / "old.V0600.xml")])[0]) == [
        str(folder / "old.V0701.xml")
    ]
    with pytest.raises(ValueError, match="unknown B2MML version"):
        migrate_many(folder, to="V9999")


def test_memory_urls_in_and_out(corpus: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    for file in sorted((corpus / "V0600").glob("*.xml"))[:3]:
        fs.pipe_file(f"/archive/2019/{file.name}", file.read_bytes())
    try:
        results = migrate_many("memory://archive/", output_dir="memory://v0701").results()
        assert [r.verdict for r in results] == [Verdict.MIGRATED] * 3
        first = sorted((corpus / "V0600").glob("*.xml"))[0]
        assert fs.cat_file(f"/v0701/2019/{first.name}") == migrate(first, "V0701").data
    finally:
        for folder in ("/archive", "/v0701"):
            if fs.exists(folder):
                fs.rm(folder, recursive=True)


def test_cli_jobs_2_jsonl_and_text(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["migrate", str(corpus), "--to", "V0701", "-o", str(out), "-j", "2",
                 "--format", "jsonl"])  # fmt: skip
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    files, summary = lines[:-1], lines[-1]["summary"]
    assert code == 1  # the hostile files failed; every other file was migrated
    assert sorted(line["index"] for line in files) == list(range(len(files)))
    assert summary["verdicts"] == {"failed": 4, "migrated": len(files) - 4}
    assert summary["mode"] == "processes" and summary["workers"] == 2
    migrated = {line["file"]: line["value"] for line in files if line["verdict"] == "migrated"}
    expected = {
        file: summary for file, (verdict, summary, _) in zip(
            (s.location for s in expand([str(corpus)])), serial_reference(corpus, "V0701"),
            strict=True,
        ) if verdict == Verdict.MIGRATED
    }  # fmt: skip
    assert migrated == expected
    code = main(["migrate", str(corpus / "V0701"), "--to", "V0401", "-o", str(tmp_path / "d")])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    warned = [line for line in captured.err.splitlines() if line.startswith("isa95kit: warning")]
    assert any("material_master_assembly.xml" in line and "dropped" in line for line in warned)
    assert "isa95kit: error:" in captured.err and "converted" not in captured.out
    assert "2 migrated)" in captured.out and "files/s" in captured.out


def test_cli_single_file_unchanged(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = corpus / "generated" / "minimal-V0600.xml"
    assert main(["migrate", str(source), "--to", "V0701"]) == 0
    assert capsys.readouterr().out.encode() == migrate(source, "V0701").data
    assert main(["migrate", "-", str(source), "--to", "V0701"]) == 2
    assert "single document only" in capsys.readouterr().err
    assert main(["migrate", str(corpus / "V0600"), "--to", "V0701", "--report", "text"]) == 2
    assert "--report is for one input" in capsys.readouterr().err


def test_a_stopped_run_leaves_no_partial_migration(corpus: Path, tmp_path: Path) -> None:
    """A worker that died mid-write leaves ``.NAME.*.partial``; the run's sweep finds it."""
    from isa95kit.batch import write_atomically
    from tests.batch._corpus import DieMidWrite

    sources = expand([str(corpus / "V0600")])
    task = MigrateTask(output_dir=str(tmp_path / "out"))
    target = task.target(sources[1])
    assert target == str(tmp_path / "out" / Path(sources[1].location).name)

    def interrupted(out: Any) -> None:
        out.write(b"<half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, interrupted)
    assert not list((tmp_path / "out").iterdir())  # write_atomically cleaned up itself
    left = tmp_path / "out" / f".{Path(target).name}.x1y2.partial"
    left.write_bytes(b"<half")  # as a worker killed mid-write leaves it
    assert task.partials(sources) == [str(left)]
    left.unlink()
    dying = DieMidWrite(task, Path(sources[2].location).name)
    results = migrate_many_with(dying, corpus / "V0600")
    assert [r.verdict for r in results].count(Verdict.CRASHED) == 1
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".partial")]


def migrate_many_with(task: Any, folder: Path) -> list[FileResult]:
    from isa95kit.batch import run_many

    return run_many(task, folder, jobs=2, chunk_files=2).results()
