"""``isa95kit.batch`` on a real dask.distributed LocalCluster (2 worker processes, loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from isa95kit.batch import ValidateTask, Verdict, expand, migrate_many, run_many, validate_many
from isa95kit.batch._dask import ALLOWED_FAILURES
from isa95kit.cli import main
from isa95kit.validation._api import make_options
from tests.batch._corpus import KillOnce, Poison, mixed_corpus
from tests.batch.test_batch_local import comparable

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    with cluster, distributed.Client(cluster) as connected:
        yield connected


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def healthy(client: Any) -> Iterator[Any]:
    """The client, with both workers back after a test that killed some."""
    yield client
    client.wait_for_workers(2, timeout=30)


def test_cluster_results_equal_serial(client: Any, corpus: Path) -> None:
    serial = validate_many(corpus)
    serial_report = serial.report()
    run = validate_many(corpus, dask=client, chunk_files=4)
    completed = [result.index for result in run]
    assert sorted(completed) == list(range(len(serial_report.files)))
    assert comparable(run.report()) == comparable(serial_report)
    assert run.summary.mode == "dask" and run.summary.workers == 2
    assert run.summary.verdicts == serial.summary.verdicts
    assert run.summary.codes == serial.summary.codes
    assert len({r.worker for r in run.results()}) == 2  # both workers took part


def test_a_killed_worker_loses_no_file(healthy: Any, corpus: Path, tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    task = KillOnce(ValidateTask(make_options()), "erp_mes_work_schedule.xml", str(marker))
    run = run_many(task, corpus, dask=healthy, chunk_files=4)
    results = run.results()
    assert marker.exists()  # a worker really died mid-run
    assert [r.index for r in results] == list(range(len(expand([str(corpus)]))))
    assert comparable(run.report()) == comparable(validate_many(corpus).report())
    assert run.summary.files == len(results)  # counted once


def test_a_file_that_keeps_killing_workers_is_reported(
    healthy: Any, corpus: Path, tmp_path: Path
) -> None:
    task = Poison(ValidateTask(make_options()), "minimal-V0500.xml", str(tmp_path))
    run = run_many(task, corpus, dask=healthy, chunk_files=8)
    results = run.results()
    crashed = [r for r in results if r.verdict == Verdict.CRASHED]
    assert [Path(r.source).name for r in crashed] == ["minimal-V0500.xml"]
    assert crashed[0].error is not None and "KilledWorker" in crashed[0].error.message
    # its chunk on (allowed-failures + 1) workers, then alone on as many again
    assert len(list(tmp_path.iterdir())) == 2 * (ALLOWED_FAILURES + 1)
    fine = [r for r in results if r.verdict != Verdict.CRASHED]
    assert len(fine) == len(results) - 1 and all(r.report is not None for r in fine)


def test_file_urls_on_the_cluster(client: Any, corpus: Path) -> None:
    url = (corpus / "V0600").as_uri()
    report = validate_many(url, dask=client).report()
    local = validate_many(corpus / "V0600").report()
    assert [f.file for f in report.files] == [
        url + "/" + Path(str(f.file)).name for f in local.files
    ]
    assert [(i.code, i.line) for i in report.issues] == [(i.code, i.line) for i in local.issues]


def test_cli_on_a_scheduler_address(
    client: Any, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    code = main(["validate", "--format", "json", str(corpus)])
    serial = json.loads(capsys.readouterr().out)
    assert main(["validate", "--dask", address, "--format", "json", str(corpus)]) == code == 1
    out, err = capsys.readouterr()
    batch = json.loads(out)
    for data in (serial, batch):
        for file in data["files"]:
            file.pop("seconds")
        data.pop("batch")
    assert batch == serial and "on 2 workers (dask)" in err


def test_migrate_on_the_cluster_equals_serial(
    client: Any, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.batch.test_batch_migrate import observed, serial_reference

    run = migrate_many(corpus, output_dir=tmp_path / "out", dask=client, chunk_files=4)
    results = run.results()
    assert observed(results) == serial_reference(corpus, "V0701")
    assert run.summary.mode == "dask" and run.summary.verdicts[Verdict.FAILED] == 4
    assert len({r.worker for r in results}) == 2
    address = client.scheduler.address
    args = ["migrate", str(corpus / "V0600"), "--to", "V0401", "--strict", "--format", "json"]
    assert main([*args, "-o", str(tmp_path / "serial")]) == 1
    serial = json.loads(capsys.readouterr().out)
    assert main([*args, "-o", str(tmp_path / "dask"), "--dask", address]) == 1
    batch = json.loads(capsys.readouterr().out)
    for data in (serial, batch):
        for file in data["files"]:
            for key in ("seconds", "cpu_seconds", "worker", "output"):
                file.pop(key, None)
    assert batch["files"] == serial["files"]
    assert batch["summary"]["verdicts"] == serial["summary"]["verdicts"]
    assert set(batch["summary"]["verdicts"]) == {"failed", "migrated"}


def test_a_local_cluster_runs_without_the_worker_profiler(corpus: Path) -> None:
    from tests.batch._corpus import Probe

    run = run_many(Probe(), corpus / "V0701", dask="local", jobs=2)
    results = run.results()
    assert run.summary.mode == "dask" and run.summary.workers == 2
    assert {r.value["profiler"] for r in results} == {False}
