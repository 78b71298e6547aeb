"""Distributed execution of a batch on a ``dask.distributed`` cluster.

One task per chunk of files. Lost workers are handled at two levels:

1. the scheduler reschedules the chunks of a dead worker on the others, until a chunk has
   been on ``distributed.scheduler.allowed-failures + 1`` dying workers (a clusters started
   here allow 1 failure: every chunk gets a second worker);
2. a chunk that still ends in ``KilledWorker`` is split: each of its files runs again as a
   task of its own, *alone on the cluster* (no other task in flight), and a file whose own
   task ends in ``KilledWorker`` is reported as ``crashed`` with the reason; every other
   file of the chunk comes back normally. Alone, because the scheduler blames every task a
   dying worker held, the one it ran and the ones queued behind it: an innocent file queued
   behind a poison file would otherwise be reported as crashed.

``retries=`` covers exceptions that escape a task (the per-file tasks capture their own).

Before its first chunk, a run registers a ``WorkerPlugin`` (:func:`warm_workers`) that
warms every worker for its kind of task, now and as workers join: the first migration on a
cold worker otherwise loaded the migration tables inside its first chunk (0.2-0.3 s a
worker, 24 % of a 2,000-file run's CPU on a 2-worker cluster warmed for validation only).

A chunk's results come back as one pickled blob (:func:`run_packed`): distributed sends
a returned list element by element (a header, a pickle call and a frame per result, on the
worker, the scheduler and the client), which cost more CPU than the 2,000 results of a run
themselves.
"""

from __future__ import annotations

import itertools
import pickle
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import MissingDependencyError
from ._sources import FileSource
from ._tasks import FileResult, Task, TaskError, Verdict, crashed, run_chunk

__all__ = [
    "ALLOWED_FAILURES",
    "LOCAL_CONFIG",
    "Cluster",
    "connect",
    "run_dask",
    "run_packed",
    "warm_workers",
]

#: ``distributed.scheduler.allowed-failures`` of the clusters this package starts
ALLOWED_FAILURES = 1
#: the configuration of the clusters this package starts (``dask="local"``): every chunk gets
#: a second worker, and the workers' statistical profiler is off: it samples the running
#: task's stack every 10 ms, taking the GIL from it (measured: files ran 5 % longer, for a
#: dashboard view nobody looks at in a batch run). The event-loop health tick (20 ms), the
#: system monitor (500 ms) and the memory monitor (100 ms) run less often: together they
#: kept an idle 2-worker cluster at 0.076 CPU seconds per second (client and scheduler
#: process plus workers), 2.5 % of two cores for dashboards and warnings; 0.016 with these.
#: Memory limits are still enforced, checked every second instead of ten times a second.
LOCAL_CONFIG = {
    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise MissingDependencyError(
            "distributed execution needs dask.distributed: pip install 'isa95kit[dask]'"
        ) from exc
    return distributed


@dataclass
class Cluster:
    """A connected client; ``owned`` says this package started it (and must close it)."""

    client: Any
    owned: bool = False
    cluster: Any = None

    @property
    def workers(self) -> int:
        """Worker threads available now (at least 1)."""
        threads: dict[str, int] = self.client.nthreads()
        return max(1, sum(threads.values()))

    def close(self) -> None:
        if not self.owned:
            return
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def connect(target: Any, *, workers: int | None = None) -> Cluster:
    """A client for ``target``: a ``distributed.Client`` (used as is), a scheduler address
    (``tcp://host:8786``), or ``"local"`` for a :class:`~distributed.LocalCluster` of
    ``workers`` single-threaded processes on 127.0.0.1 (configured with :data:`LOCAL_CONFIG`)."""
    distributed = _distributed()
    if isinstance(target, distributed.Client):
        return Cluster(target)
    if not isinstance(target, str) or not target:
        raise TypeError(f"dask= takes a Client, a scheduler address or 'local', not {target!r}")
    if target == "local":
        import dask

        from ._local import cpu_count

        with dask.config.set(LOCAL_CONFIG):
            cluster = distributed.LocalCluster(
                n_workers=workers or cpu_count(),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
        return Cluster(distributed.Client(cluster), owned=True, cluster=cluster)
    return Cluster(distributed.Client(target), owned=True)


def warm_workers(client: Any, task: Task) -> bool:
    """Warm every worker of ``client``'s cluster for ``task`` (``task.warm()``, see
    ``_warm``) and every worker that joins it later; returns once the present ones are warm.

    A ``WorkerPlugin`` named after the task's kind, registered once per cluster (a second
    registration of the name is ignored by the scheduler, so later runs wait for nothing).
    False if it could not be registered (e.g. workers without isa95kit): the run goes on
    with cold workers, and its tasks report what is wrong."""
    _distributed()
    from ._plugin import WarmUp

    try:
        client.register_plugin(WarmUp(task))
    except Exception:  # a warm-up is an optimisation; the tasks report real problems
        return False
    return True


def run_packed(task: Task, files: Sequence[FileSource], attempts: int = 1) -> bytes:
    """:func:`run_chunk` on a worker, its results pickled together (one frame to send)."""
    return pickle.dumps(run_chunk(task, files, attempts), protocol=pickle.HIGHEST_PROTOCOL)


def run_dask(
    task: Task,
    chunks: Iterable[Sequence[FileSource]],
    client: Any,
    *,
    window: int,
    retries: int = 1,
) -> Iterator[FileResult]:
    """Run chunks as tasks on ``client``, at most ``window`` in flight, yielding results as
    they complete (chunks lost with their workers are retried; see the module docstring)."""
    distributed = _distributed()
    killed = _killed_worker()
    warm_workers(client, task)
    run = uuid.uuid4().hex[:12]
    counter = itertools.count()
    todo = iter(chunks)
    suspects: deque[FileSource] = deque()  # files of chunks that killed their workers
    running: dict[str, tuple[Any, Sequence[FileSource], int]] = {}
    pending = distributed.as_completed()

    def submit(files: Sequence[FileSource], attempts: int) -> None:
        key = f"isa95kit-batch-{run}-{next(counter)}"
        future = client.submit(
            run_packed, task, list(files), attempts,
            key=key, pure=False, retries=retries,
        )  # fmt: skip
        running[future.key] = (future, files, attempts)
        pending.add(future)

    def refill() -> None:
        if suspects:  # one at a time, once the rest has drained: a crash is its own
            if not running:
                submit([suspects.popleft()], 2)
            return
        while len(running) < window:
            chunk = next(todo, None)
            if chunk is None:
                return
            submit(chunk, 1)

    refill()
    try:
        for future in pending:
            _, files, attempts = running.pop(future.key)
            try:
                results: list[FileResult] = pickle.loads(future.result())
            except killed as exc:
                if attempts == 1:
                    suspects.extend(files)
                else:
                    reason = (
                        f"the file took down every worker that ran it ({type(exc).__name__}: {exc})"
                    )
                    yield crashed(files[0], reason, attempts)
            except Exception as exc:  # escaped the task even after ``retries``
                for source in files:
                    error = TaskError.from_exception(exc, source.location)
                    yield FileResult(source.index, source.location, Verdict.FAILED,
                                     source.size, error=error, attempts=attempts)  # fmt: skip
            else:
                yield from results
            future.release()
            refill()
    finally:
        if running:  # stopped early: drop the work still queued
            client.cancel([future for future, _, _ in running.values()], force=True)
            running.clear()


def _killed_worker() -> type[Exception]:
    from distributed.scheduler import KilledWorker

    killed: type[Exception] = KilledWorker
    return killed
