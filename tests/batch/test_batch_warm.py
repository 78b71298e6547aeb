"""Warm workers: local pools forked from the warmed parent (or a forkserver where fork is
unsafe), dask workers warmed by a plugin; a warm worker's results are the serial ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import isa95kit as ik
from isa95kit.batch import FileResult, ValidateTask, Verdict, run_many, validate_many
from isa95kit.batch._local import start_method
from isa95kit.batch._warm import warm_key, warm_up
from isa95kit.validation._api import make_options
from isa95kit.versions import B2MMLVersion
from tests.batch._corpus import WarmProbe, mixed_corpus
from tests.batch.test_batch_local import comparable
from tests.batch.test_batch_migrate import serial_reference

OLDER = len([r for r in B2MMLVersion if r is not B2MMLVersion.V0701])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def threaded() -> Iterator[None]:
    """A second thread in this process, for the test's duration (fork is then unsafe)."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join()


def probed(results: list[FileResult]) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    """(what ``serial_reference`` gives, the probe's states of the migrated files)."""
    same: list[tuple[Any, ...]] = []
    states: list[dict[str, Any]] = []
    for result in results:
        if result.error is not None:
            same.append((result.verdict, (result.error.kind, result.error.message), None))
            continue
        assert result.output is not None
        state = dict(result.value)
        same.append((result.verdict, state.pop("summary"), Path(result.output).read_bytes()))
        states.append(state)
    return same, states


def test_fork_only_from_a_single_threaded_process() -> None:
    if sys.platform != "linux":
        pytest.skip("fork is used on Linux only")
    # earlier tests may have left a thread (dask's event loop): then a forkserver, rightly
    alone = threading.active_count() == 1
    assert start_method() == ("fork" if alone else "forkserver")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert start_method() == "forkserver"
    finally:
        stop.set()
        thread.join()


#: run in a new interpreter (one thread: fork), from the repository root
FORKED = """
import json, os, sys
from isa95kit.batch import run_many
from isa95kit.batch._local import start_method
from isa95kit.batch._warm import warm_key
from tests.batch._corpus import WarmProbe
from tests.batch.test_batch_warm import probed
from tests.batch.test_batch_migrate import serial_reference

corpus, out = sys.argv[1:3]
assert start_method() == "fork", start_method()
task = WarmProbe(output_dir=out)
same, states = probed(run_many(task, corpus, jobs=2, chunk_files=3).results())
assert same == serial_reference(corpus, "V0701"), "results differ from serial"
assert states and os.getpid() not in {s["pid"] for s in states}
print(json.dumps({"key": warm_key(task), "warmed": [s["warmed"] for s in states]}))
"""


def test_forked_workers_start_warm_and_migrate_as_serial(corpus: Path, tmp_path: Path) -> None:
    """In a new process (a single thread): the pool forks from the parent after it warmed
    for the task (not thoroughly), so every file, each worker's first included, finds it."""
    if sys.platform != "linux":
        pytest.skip("fork is used on Linux only")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    proc = subprocess.run(
        [sys.executable, "-c", FORKED, str(corpus), str(tmp_path / "out")],
        cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert all(data["key"] in warmed for warmed in data["warmed"])
    assert all(f"{data['key']}:thorough" not in warmed for warmed in data["warmed"])


def test_pool_workers_migrate_as_serial_whatever_the_start(corpus: Path, tmp_path: Path) -> None:
    task = WarmProbe(output_dir=str(tmp_path / "out"))
    same, states = probed(run_many(task, corpus, jobs=2, chunk_files=3).results())
    assert same == serial_reference(corpus, "V0701")
    assert states and os.getpid() not in {s["pid"] for s in states}  # ran in the workers


def test_a_forkserver_pool_gives_the_serial_report(corpus: Path, threaded: None) -> None:
    assert start_method() == "forkserver"
    run = validate_many(corpus, jobs=2, chunk_files=4)
    assert comparable(run.report()) == comparable(validate_many(corpus).report())
    assert run.summary.mode == "processes" and len({r.worker for r in run.results()}) == 2


def test_warm_up_runs_once_per_kind_and_a_thorough_one_covers_the_light_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from isa95kit.batch import _warm
    from isa95kit.versions import _migrate_tree

    monkeypatch.setattr(_warm, "_DONE", set())  # this process's record, for this test only
    task = WarmProbe(output_dir="unused")
    calls: list[bool] = []

    def counted(self: WarmProbe, thorough: bool = False) -> bool:
        calls.append(thorough)
        return True

    monkeypatch.setattr(WarmProbe, "warm", counted)
    assert warm_up(task) and warm_up(task) and calls == [False]
    assert warm_up(task, thorough=True) and warm_up(task) and calls == [False, True]
    assert warm_up(task, thorough=True) and calls == [False, True]
    monkeypatch.undo()
    monkeypatch.setattr(_warm, "_DONE", set())
    assert warm_up(task, thorough=True)

    assert f"{warm_key(task)}:thorough" in _warm._DONE
    assert _migrate_tree.tables.cache_info().currsize >= OLDER  # every older release's tables
    # a task without warm() gets the validation warm-up, under its own name
    assert (
        warm_key(object()) == "isa95kit-warm-validation" != warm_key(ValidateTask(make_options()))
    )


def test_warm_workers_without_dask_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from isa95kit.batch._dask import warm_workers

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ik.MissingDependencyError, match=r"isa95kit\[dask\]"):
        warm_workers(object(), ValidateTask(make_options()))


def test_dask_workers_are_warmed_by_a_plugin_before_their_first_chunk(
    corpus: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None,
        )  # fmt: skip
    with cluster, distributed.Client(cluster) as client:
        task = WarmProbe(output_dir=str(tmp_path / "out"))
        results = run_many(task, corpus, dask=client, chunk_files=4).results()
        same, states = probed(results)
        assert same == serial_reference(corpus, "V0701")
        assert len({s["pid"] for s in states}) == 2
        # every file, the first of each worker included, found the tables of every release
        assert all(f"{warm_key(task)}:thorough" in s["warmed"] for s in states)
        assert all(s["tables"] >= OLDER for s in states)

        def plugins(dask_scheduler: Any) -> list[str]:
            return sorted(dask_scheduler.worker_plugins)

        assert warm_key(task) in client.run_on_scheduler(plugins)  # kept for joining workers
        again = run_many(task, corpus, dask=client, chunk_files=4).results()
        assert probed(again)[0] == same
        assert [r.verdict for r in again].count(Verdict.FAILED) == 4
