"""Serial and process-pool execution of a batch on this machine.

A worker process that dies (a crash in a C extension, the OOM killer, ``os._exit``) breaks a
:class:`~concurrent.futures.ProcessPoolExecutor`: every chunk not finished by then is lost. The
files of those chunks are run again one at a time on a fresh pool, so the file that kills
its worker a second time is known exactly and reported as ``crashed``; the run goes on.

Workers are forked from this process after it was warmed for the task (``_warm``): they
start with its imports, compiled bundles and tables in copy-on-write memory, in ~10 ms
instead of the ~0.5 s a forkserver took to start, import and warm (measured with 2 workers:
new pool to first result). ``fork`` is used only where it is safe: on Linux, from a process
running no other thread (a thread holding a lock at the fork, e.g. fsspec's or dask's event
loop, would leave it held in the child forever). Elsewhere workers come from a forkserver
that imported isa95kit and ran the validation warm-up once (``_preload``), ``spawn`` on
platforms without one. SIGINT is blocked while workers are forked, and ignored in them:
Ctrl-C is the parent's to handle.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ._sources import FileSource
from ._tasks import FileResult, Task, TaskError, Verdict, crashed, run_chunk, run_file
from ._warm import warm_up

__all__ = ["cpu_count", "run_processes", "run_serial", "start_method"]

#: modules a forkserver imports once, so that each worker starts warm
_PRELOAD = [
    "isa95kit.batch._tasks",
    "isa95kit.validation",
    "isa95kit._xml",
    "isa95kit._json",
    "isa95kit.batch._preload",
]


def cpu_count() -> int:
    """The cores this process may use (the affinity mask, not just the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def run_serial(task: Task, sources: Iterable[FileSource]) -> Iterator[FileResult]:
    """One file after the other in this process (the reference for every other mode)."""
    for source in sources:
        yield run_file(task, source)


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops them (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked while forking (see _pool)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _pool(jobs: int, task: Task) -> ProcessPoolExecutor:
    """A pool of ``jobs`` workers, started the way :func:`start_method` says at this moment
    (a pool that replaces a broken one may start differently)."""
    context = _context(task)
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_interrupt)
    if context.get_start_method() == "fork":
        # a fork pool forks every worker at its first submit: do it now, with SIGINT blocked,
        # so that no child runs the parent's handler before its initializer ignores SIGINT
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            executor.submit(os.getpid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return executor


def start_method() -> str:
    """How local workers start here and now: ``fork`` on Linux from a process running a
    single thread, else ``forkserver`` (``spawn`` where there is none)."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _context(task: Task) -> Any:
    method = start_method()
    context = multiprocessing.get_context(method)
    if method == "fork":
        warm_up(task)  # inherited by every worker forked from now on
    elif method == "forkserver":
        context.set_forkserver_preload(_PRELOAD)
    return context


def run_processes(
    task: Task, chunks: Iterable[Sequence[FileSource]], jobs: int, *, window: int | None = None
) -> Iterator[FileResult]:
    """Run chunks on ``jobs`` worker processes, yielding results as chunks complete.

    At most ``window`` chunks are in flight (default ``2 * jobs``), so a run over millions of
    files holds a bounded amount of work and results at any time.
    """
    window = window or 2 * jobs
    todo = iter(chunks)
    running: dict[Future[list[FileResult]], Sequence[FileSource]] = {}
    finished = False
    executor = _pool(jobs, task)
    try:
        while True:
            while len(running) < window:
                chunk = next(todo, None)
                if chunk is None:
                    break
                running[executor.submit(run_chunk, task, chunk)] = chunk
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            lost: list[FileSource] = []
            for future in done:
                chunk = running.pop(future)
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    lost.extend(chunk)
                except Exception:  # e.g. a result that does not pickle: retry file by file
                    lost.extend(chunk)
            if lost or _broken(executor):
                for future, chunk in list(running.items()):  # the pool is gone: drain it
                    try:
                        yield from future.result()
                    except Exception:
                        lost.extend(chunk)
                running.clear()
                executor.shutdown(wait=True)
                executor = _pool(jobs, task)
                for source in sorted(lost, key=lambda s: s.index):
                    result, executor = _alone(task, source, executor, jobs)
                    yield result
        finished = True
    finally:
        _stop(executor, graceful=finished)


def _broken(executor: ProcessPoolExecutor) -> bool:
    return bool(getattr(executor, "_broken", False))


def _alone(
    task: Task, source: FileSource, executor: ProcessPoolExecutor, jobs: int
) -> tuple[FileResult, ProcessPoolExecutor]:
    """Second attempt of a file whose chunk was lost: it runs alone, so a crash is its own."""
    try:
        return executor.submit(run_chunk, task, [source], 2).result()[0], executor
    except BrokenProcessPool:
        executor.shutdown(wait=True)
        reason = "the worker process died while processing this file, twice"
        fresh = _pool(jobs, task)
        return crashed(source, reason, 2), fresh
    except Exception as exc:  # the result could not come back (e.g. does not pickle)
        error = TaskError.from_exception(exc, source.location)
        failed = FileResult(
            source.index, source.location, Verdict.FAILED, source.size, error=error, attempts=2
        )
        return failed, executor


def _stop(executor: ProcessPoolExecutor, *, graceful: bool) -> None:
    """Shut the pool down; after an interruption, stop the workers at once."""
    if graceful:
        executor.shutdown(wait=True)
        return
    processes = list(getattr(executor, "_processes", {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, AttributeError):
            process.terminate()
    for process in processes:
        with contextlib.suppress(OSError, AttributeError, AssertionError):
            process.join(5)
