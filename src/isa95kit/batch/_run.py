"""Batch runs: ``validate_many``, ``convert_many``, ``migrate_many``, generic ``run_many``."""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._sources import FileSource, expand
from ._summary import BatchSummary
from ._tasks import ConvertTask, FileResult, MigrateTask, Task, ValidateTask, Verdict

if TYPE_CHECKING:
    from ..validation import ValidationReport
    from ._dask import Cluster

__all__ = [
    "BatchRun",
    "Paths",
    "chunked",
    "convert_many",
    "migrate_many",
    "run_many",
    "validate_many",
]

Paths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]
#: a chunk never holds more than this many bytes of input (a bigger file is a chunk alone)
CHUNK_BYTES = 16 * 1024 * 1024
#: nor more than this many files on a local pool (its tasks cost next to nothing)
CHUNK_FILES = 256
#: the end of a run shrinks local chunks down to this many files' worth of work
CHUNK_FLOOR = 8
#: the work of one file beyond its bytes, in bytes: validation costs ~0.7 ms a file plus
#: ~41 ns a byte (measured on the benchmark's 2,000 files of 5-128 KB), so a 16 KiB file
#: costs about twice a 1 KiB one, not sixteen times
FILE_COST = 16 * 1024
#: dask chunks: a task costs ~3-5 ms of client, scheduler and worker CPU (submission, four
#: scheduler messages, the result's transfer), the time of 2-4 files. So chunks are a
#: quarter of each worker's share of what is left (not an eighth), up to 1,024 files, and
#: never below 16 files' worth of work (~25 ms): 16 tasks for the benchmark's 2,000 files.
#: The floor bounds the end of a run, where one worker waits for the other's last chunk: a
#: simulation of the benchmark's chunks on 2 workers gave 4.0 % of idle core time with a
#: floor of 64 files (11 tasks), 3.0 % with 32, 1.1 % with 16, for ~20 ms more task CPU
DASK_SPREAD = 2
DASK_CHUNK_FILES = 1024
DASK_CHUNK_FLOOR = 16


def chunked(
    sources: Sequence[FileSource],
    workers: int,
    *,
    files: int | None = None,
    max_bytes: int = CHUNK_BYTES,
    max_files: int = CHUNK_FILES,
    ramp: bool = False,
    smallest: int = CHUNK_FLOOR,
    spread: int = 4,
) -> Iterator[list[FileSource]]:
    """Group files into chunks in input order, by the work they hold (bytes plus
    :data:`FILE_COST` a file), not by their count: few tasks for millions of small files, big
    files alone, and (unless ``files`` fixes the count) chunks that shrink towards the end of
    the run — ``1 / spread`` of each worker's share of the work left, at most ``max_files``
    files and ``max_bytes`` bytes — so that workers finish together instead of waiting for
    one last big chunk, but not below ``smallest`` average files' worth of work.

    With ``ramp``, chunks start at ``smallest`` files and double each round of ``workers``
    chunks, so the first results stream back after a few files rather than a whole chunk
    (used for local pools, whose tasks cost no measurable CPU beyond independent serial
    processes; a dask task costs a few ms of client and scheduler CPU, so there chunks start
    at full size)."""
    workers = max(workers, 1)
    share = spread * workers
    left = sum(source.size for source in sources) + FILE_COST * len(sources)
    count = max(len(sources), 1)
    # the floor: ``smallest`` average files, or less for a run too small to fill ``share``
    floor = max(1.0, min(smallest * left / count, left / share))
    chunk: list[FileSource] = []
    work = size = made = 0

    def limits() -> tuple[float, int]:
        if files:
            return math.inf, files
        cap = max_files
        if ramp:
            cap = min(cap, smallest << min(made // workers, 16))
        return max(floor, left / share), cap

    budget, cap = limits()
    for source in sources:
        cost = source.size + FILE_COST
        full = len(chunk) >= cap or size + source.size > max_bytes
        # a chunk ends past its budget, unless what is left after it is a crumb of a task
        if chunk and (full or (work + cost / 2 > budget and left - work > floor / 2)):
            yield chunk
            left -= work
            made += 1
            chunk, work, size = [], 0, 0
            budget, cap = limits()
        chunk.append(source)
        work += cost
        size += source.size
    if chunk:
        yield chunk


def _jobs(jobs: int | str | None) -> int:
    from ._local import cpu_count

    if jobs is None:
        return 1
    if jobs == "auto":
        return cpu_count()
    count = int(jobs)
    if count < 1:
        raise ValueError(f"jobs must be a positive number or 'auto', not {jobs!r}")
    return count


class BatchRun(Iterator[FileResult]):
    """A running batch: iterate for per-file results as they complete.

    ``summary`` is updated with each result; :meth:`results` (all results in input order)
    and :meth:`report` (the validation report, same order as a serial run) finish the run
    first. Use it as a context manager, or call :meth:`close`, to stop a run early: queued
    work is cancelled, workers started for the run are stopped, and no partial output stays.
    """

    def __init__(
        self,
        task: Task,
        sources: list[FileSource],
        *,
        jobs: int | str | None = 1,
        dask: Any = None,
        chunk_files: int | None = None,
        retries: int = 1,
        keep: bool = True,
    ) -> None:
        self.task = task
        self.sources = sources
        self._kept: list[FileResult] | None = [] if keep else None
        self._cluster: Cluster | None = None
        count = _jobs(jobs)
        if dask is not None:
            from ._dask import connect, run_dask

            self._cluster = connect(dask, workers=count if jobs not in (None, 1) else None)
            workers = self._cluster.workers
            chunks = chunked(
                sources, workers, files=chunk_files, max_files=DASK_CHUNK_FILES,
                smallest=DASK_CHUNK_FLOOR, spread=DASK_SPREAD,
            )  # fmt: skip
            stream = run_dask(
                task, chunks, self._cluster.client, window=4 * workers, retries=retries
            )
            mode = "dask"
        elif count > 1 and len(sources) > 1:
            from ._local import run_processes

            workers = count
            chunks = chunked(sources, count, files=chunk_files, ramp=True)
            stream = run_processes(task, chunks, count)
            mode = "processes"
        else:
            from ._local import run_serial

            workers, mode = 1, "serial"
            stream = run_serial(task, sources)
        self._stream: Iterator[FileResult] = stream
        self.summary = BatchSummary(workers=workers, mode=mode)
        self._closed = False

    def __iter__(self) -> BatchRun:
        return self

    def __next__(self) -> FileResult:
        if self._closed:
            raise StopIteration
        try:
            result = next(self._stream)
        except StopIteration:
            self._finish()
            if self.summary.mode == "dask":  # the scheduler reruns a dead worker's chunks
                self._sweep(self.sources)  # silently: its half-written output may be left
            raise
        except BaseException:
            self.close()
            raise
        self.summary.add(result)
        if result.verdict == Verdict.CRASHED or result.attempts > 1:
            # a dead worker may have left a temporary file of it: a pool that breaks stops
            # every worker, also those half-way through writing another file's output
            self._sweep([self.sources[result.index]])
        if self._kept is not None:
            self._kept.append(result)
        return result

    def results(self) -> list[FileResult]:
        """Every result in input order (runs the batch to its end)."""
        if self._kept is None:
            raise ValueError("results were not kept (keep=False)")
        for _ in self:
            pass
        return sorted(self._kept, key=lambda result: result.index)

    def report(self) -> ValidationReport:
        """The validation report of every validated file, in input order (as serial)."""
        from ..validation import ValidationReport

        task = self.task
        options = getattr(task, "options", None)
        files = [result.report for result in self.results() if result.report is not None]
        if options is None:
            return ValidationReport(files=files)
        return ValidationReport(
            files=files,
            strict=options.profile.strict,
            schema_only=options.schema_only,
            profile=options.profile.name,
        )

    def _finish(self) -> None:
        self.summary.finish()
        self._closed = True
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def close(self) -> None:
        """Stop the run: cancel queued work, stop workers, remove partial outputs."""
        if self._closed:
            return
        with contextlib.suppress(Exception):
            close = getattr(self._stream, "close", None)
            if close is not None:
                close()
        self._finish()
        self._sweep(self.sources)

    def _sweep(self, sources: Iterable[FileSource]) -> None:
        """Remove temporary files that stopped workers left beside outputs (never outputs)."""
        partials = getattr(self.task, "partials", None)
        if partials is None:
            return
        for path in partials(sources):
            with contextlib.suppress(OSError):
                os.remove(path)

    def __enter__(self) -> BatchRun:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _paths(paths: Paths) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(path) for path in paths]


def run_many(
    task: Task,
    paths: Paths,
    *,
    suffixes: Iterable[str] = (".xml",),
    jobs: int | str | None = 1,
    dask: Any = None,
    chunk_files: int | None = None,
    retries: int = 1,
    keep: bool = True,
) -> BatchRun:
    """Run a picklable per-file ``task`` (``task(FileSource) -> Done``) over many files.

    ``paths``: files, folders (walked for ``suffixes``), globs and fsspec URLs. ``jobs``:
    local worker processes (``"auto"``: every core). ``dask``: a ``distributed.Client``, a
    scheduler address, or ``"local"`` (a LocalCluster of ``jobs`` processes, all cores for
    ``jobs=1``). ``chunk_files``: files per task (default: up to 256, shrinking towards the end;
    see :func:`chunked`). ``keep=False`` keeps no results (for streaming consumers of huge runs).
    """
    sources = expand(_paths(paths), suffixes)
    return BatchRun(
        task, sources, jobs=jobs, dask=dask, chunk_files=chunk_files, retries=retries, keep=keep
    )


def validate_many(
    paths: Paths,
    *,
    jobs: int | str | None = 1,
    dask: Any = None,
    chunk_files: int | None = None,
    keep: bool = True,
    **options: Any,
) -> BatchRun:
    """Validate many files; ``options`` are those of :func:`isa95kit.validation.check`.

    ::

        run = validate_many("partners/", jobs="auto")
        for result in run:                 # as they complete
            print(result.source, result.verdict)
        print(run.summary)                 # counts, throughput
        report = run.report()              # the ValidationReport, in input order
    """
    from ..validation._api import make_options

    task = ValidateTask(make_options(**options))
    return run_many(task, paths, jobs=jobs, dask=dask, chunk_files=chunk_files, keep=keep)


def convert_many(
    paths: Paths,
    *,
    to: str | None = None,
    output_dir: str | os.PathLike[str] | None = None,
    pretty: bool = False,
    keep_unknown: bool = False,
    jobs: int | str | None = 1,
    dask: Any = None,
    chunk_files: int | None = None,
    keep: bool = True,
) -> BatchRun:
    """Convert many files between B2MML XML and B2MML-JSON (``to``: ``"json"``, ``"xml"``,
    or None for the other format), written next to each source or under ``output_dir``
    (a folder or URL, keeping relative paths), atomically."""
    if to not in (None, "json", "xml"):
        raise ValueError(f"to must be 'json', 'xml' or None, not {to!r}")
    folder = None if output_dir is None else os.fspath(output_dir)
    task = ConvertTask(to=to, output_dir=folder, pretty=pretty, keep_unknown=keep_unknown)
    return run_many(
        task, paths, suffixes=(".xml", ".json"), jobs=jobs, dask=dask,
        chunk_files=chunk_files, keep=keep,
    )  # fmt: skip


def migrate_many(
    paths: Paths,
    *,
    to: str = "V0701",
    output_dir: str | os.PathLike[str] | None = None,
    strict: bool = False,
    jobs: int | str | None = 1,
    dask: Any = None,
    chunk_files: int | None = None,
    keep: bool = True,
) -> BatchRun:
    """Migrate many B2MML documents, of any release V0401-V0701, to release ``to``.

    Each output is written atomically under ``output_dir`` (a folder or URL, keeping relative
    paths and names) or next to its source, tagged with the release (``po.xml`` ->
    ``po.V0701.xml``). Each result's ``value`` is the migration summary (source and target
    release, changes by kind, carried, dropped, ``lossless``); with ``strict``, a document the
    target cannot fully express fails instead of losing content.

    ::

        run = migrate_many("archive/", output_dir="archive-v0701/", jobs="auto")
        for result in run:
            if result.ok and not result.value["lossless"]:
                print(result.source, result.value["dropped"], "piece(s) dropped")
    """
    from ..versions import B2MMLVersion

    release = B2MMLVersion.coerce(to).value  # ValueError for an unknown release
    folder = None if output_dir is None else os.fspath(output_dir)
    task = MigrateTask(to=release, output_dir=folder, strict=strict)
    return run_many(task, paths, jobs=jobs, dask=dask, chunk_files=chunk_files, keep=keep)
