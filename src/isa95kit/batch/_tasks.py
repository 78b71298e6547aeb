"""Picklable per-file tasks and their results.

A task is a small frozen dataclass with ``__call__(source) -> Done``; :func:`run_chunk` runs a
task over a chunk of files in a worker and turns every exception into data (class name,
message, location), so no file is ever lost and every result crosses process boundaries.
A new kind of batch work is one more task class here; tasks that write a file per input
share :class:`Outputs` (where the output goes, atomic writes, left-over partial files).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import IO, TYPE_CHECKING, Any

from ..errors import Isa95Error, Location
from ._sources import FileSource, fsspec, is_url, open_binary

if TYPE_CHECKING:
    from ..validation import FileReport
    from ..validation._layers import Options

__all__ = [
    "ConvertTask",
    "Done",
    "FileResult",
    "MigrateTask",
    "Outputs",
    "TaskError",
    "Verdict",
    "ValidateTask",
    "crashed",
    "migration_summary",
    "refuse_overwrite",
    "run_chunk",
    "run_file",
]


class Verdict:
    """The verdicts of a per-file result (plain strings, so results stay simple data)."""

    VALID = "valid"
    INVALID = "invalid"
    CONVERTED = "converted"
    MIGRATED = "migrated"
    #: the task raised: unreadable file, undecodable document, bad option ...
    FAILED = "failed"
    #: the file took its worker down (twice: once in its chunk, once alone)
    CRASHED = "crashed"


@dataclass(frozen=True)
class TaskError:
    """An exception as data: ``kind`` is the class name, ``io`` says it was an ``OSError``."""

    kind: str
    message: str
    location: Location = field(default_factory=Location)
    io: bool = False
    isa95: bool = False
    detail: str | None = None

    @classmethod
    def from_exception(cls, exc: BaseException, file: str | None) -> TaskError:
        isa95 = isinstance(exc, Isa95Error)
        location = exc.location if isinstance(exc, Isa95Error) else Location(file=file)
        if location.file is None:
            location = Location(file, location.line, location.column, location.path)
        if isinstance(exc, Isa95Error):
            message = exc.message
        elif isinstance(exc, OSError) and exc.strerror:
            message = exc.strerror
        else:
            message = str(exc) or type(exc).__name__
        detail = None if isa95 or isinstance(exc, OSError) else traceback.format_exc(limit=8)
        return cls(type(exc).__name__, message, location, isinstance(exc, OSError), isa95, detail)

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "type": self.kind,
            "message": self.message,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "path": loc.path,
        }


@dataclass(frozen=True)
class Done:
    """What a task returns for one file (the runner adds timing and identity)."""

    verdict: str
    report: FileReport | None = None
    output: str | None = None
    value: Any = None


@dataclass(frozen=True)
class FileResult:
    """The result for one input file; picklable, whatever happened to the file.

    ``index`` is the file's position in the input order (results arrive as they complete;
    sort by ``index`` for the serial order). ``attempts`` counts the runs it took (a retry
    after a lost worker is the second attempt). ``seconds`` is the wall-clock time of the
    file in its worker, ``cpu_seconds`` the CPU time of the thread that ran it: far less CPU
    than wall time means the file waited (for a core on a busy machine, or for storage).
    """

    index: int
    source: str
    verdict: str
    size: int = 0
    seconds: float = 0.0
    report: FileReport | None = None
    output: str | None = None
    value: Any = None
    error: TaskError | None = None
    worker: str | None = None
    attempts: int = 1
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.verdict in (Verdict.VALID, Verdict.CONVERTED, Verdict.MIGRATED)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "index": self.index,
            "file": self.source,
            "verdict": self.verdict,
            "bytes": self.size,
            "seconds": round(self.seconds, 6),
            "cpu_seconds": round(self.cpu_seconds, 6),
            "worker": self.worker,
            "attempts": self.attempts,
        }
        if self.output is not None:
            data["output"] = self.output
        if self.error is not None:
            data["error"] = self.error.to_dict()
        if self.report is not None:
            data["report"] = self.report.to_dict()
        if self.value is not None:
            data["value"] = self.value
        return data


Task = Callable[[FileSource], Done]


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_file(task: Task, source: FileSource, attempts: int = 1) -> FileResult:
    """Run ``task`` on one file; any exception becomes a ``failed`` result."""
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        done = task(source)
    except Exception as exc:  # captured as data: a batch never loses a file
        return FileResult(
            source.index, source.location, Verdict.FAILED, source.size,
            time.perf_counter() - started, error=TaskError.from_exception(exc, source.location),
            worker=_worker_name(), attempts=attempts, cpu_seconds=time.thread_time() - cpu,
        )  # fmt: skip
    size = done.report.size if done.report is not None and done.report.size else source.size
    return FileResult(
        source.index, source.location, done.verdict, size, time.perf_counter() - started,
        report=done.report, output=done.output, value=done.value, worker=_worker_name(),
        attempts=attempts, cpu_seconds=time.thread_time() - cpu,
    )  # fmt: skip


def run_chunk(task: Task, chunk: Sequence[FileSource], attempts: int = 1) -> list[FileResult]:
    """Run ``task`` over a chunk of files in order (the unit of work of a worker)."""
    return [run_file(task, source, attempts) for source in chunk]


def crashed(source: FileSource, reason: str, attempts: int) -> FileResult:
    """The result of a file that took its worker down on every attempt."""
    error = TaskError("WorkerCrashed", reason, Location(file=source.location))
    return FileResult(
        source.index, source.location, Verdict.CRASHED, source.size, error=error,
        attempts=attempts,
    )  # fmt: skip


# -- validation ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ValidateTask:
    """Validate one file with fixed options (local paths as today, URLs through fsspec)."""

    options: Options

    def __call__(self, source: FileSource) -> Done:
        from ..validation import _api

        if source.is_url:
            with open_binary(source.location) as handle:
                report = _api.run_one(handle, self.options)
        else:
            report = _api.run_one(source.location, self.options)
        return Done(Verdict.VALID if report.valid else Verdict.INVALID, report=report)

    def warm(self, thorough: bool = False) -> bool:
        """Warm a process for validation: the V0701 bundle and the validation layers (another
        release's bundle compiles when a file needs it, ``thorough`` or not)."""
        from ._warm import warm_validation

        return warm_validation()

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # a profile holds read-only mapping proxies, which plain pickle refuses: send fields
        options = {f.name: getattr(self.options, f.name) for f in fields(self.options)}
        profile = options.pop("profile")
        state = {f.name: getattr(profile, f.name) for f in fields(profile) if f.init}
        state["rules"] = dict(state["rules"])
        return _validate_task, ({"profile": state, **options},)


def _validate_task(state: dict[str, Any]) -> ValidateTask:
    from ..validation import ValidationProfile
    from ..validation._layers import Options

    profile = ValidationProfile(**state.pop("profile"))
    return ValidateTask(Options(profile=profile, **state))


# -- outputs ------------------------------------------------------------------------------
class Outputs:
    """Where a task that writes one file per input puts it, and how.

    Next to its source, or under ``output_dir`` (a folder or an fsspec URL) keeping the
    source's path below the folder or glob it was found under. Local files are written
    through a temporary file and ``os.replace`` (:func:`write_atomically`); on an object store
    each output is one upload. A subclass names its outputs in :meth:`targets`.
    """

    output_dir: str | None

    def place(self, source: FileSource, relative: str) -> str:
        """The output location of ``source`` for ``relative`` (its path renamed)."""
        if self.output_dir is None:
            location = source.location
            sep = "/" if is_url(location) else os.sep
            head = location.rsplit(sep, 1)[0] + sep if sep in location else ""
            return head + relative.replace(os.sep, sep).rsplit(sep, 1)[-1]
        if is_url(self.output_dir):
            return self.output_dir.rstrip("/") + "/" + relative.replace(os.sep, "/")
        return os.path.join(self.output_dir, relative)

    def targets(self, source: FileSource) -> list[str]:
        """Every output this task may write for ``source``."""
        raise NotImplementedError

    def store(self, source: FileSource, target: str, write: Callable[[IO[bytes]], object]) -> str:
        """Write ``target`` (never over ``source``) all or nothing; returns ``target``."""
        refuse_overwrite(source, target)
        if is_url(target):
            buffer = _Buffer()
            write(buffer)  # type: ignore[arg-type]
            fs, path = fsspec().core.url_to_fs(target)
            fs.pipe_file(path, bytes(buffer.data))  # one put: all or nothing on object stores
        else:
            write_atomically(target, write)
        return target

    def partials(self, sources: Iterable[FileSource]) -> list[str]:
        """Left-over temporary files of these sources' outputs (after workers were stopped);
        each output folder is listed once, whatever the number of files."""
        names: dict[str, set[str]] = {}
        for source in sources:
            for target in self.targets(source):
                if not is_url(target):
                    folder, name = os.path.split(target)
                    names.setdefault(folder or os.curdir, set()).add(name)
        found: list[str] = []
        for folder, wanted in names.items():
            with contextlib.suppress(OSError):
                for entry in os.listdir(folder):
                    if entry.startswith(".") and entry.endswith(PARTIAL):
                        name = entry[1 : -len(PARTIAL)].rsplit(".", 1)[0]
                        if name in wanted:
                            found.append(os.path.join(folder, entry))
        return found


def refuse_overwrite(source: FileSource, target: str) -> None:
    if _same(target, source.location):
        raise _overwrite(source.location)


# -- conversion ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ConvertTask(Outputs):
    """Convert one file between B2MML XML and B2MML-JSON and write it atomically.

    The output goes next to the source, or to ``output_dir`` (a folder or URL) keeping the
    source's relative path; ``to`` is ``"json"``, ``"xml"`` or None (the other format). The
    bytes are those of ``isa95kit convert IN -o OUT`` (:func:`~isa95kit.cli._convert.
    convert_document`: straight from the parsed input when the direct converters can, else
    through the model), made in memory before the output is opened.
    """

    to: str | None = None
    output_dir: str | None = None
    pretty: bool = False
    keep_unknown: bool = False

    def target(self, source: FileSource, kind: str) -> str:
        fmt = self.to or ("json" if kind == "xml" else "xml")
        return self.place(source, _with_suffix(source.relative, fmt))

    def targets(self, source: FileSource) -> list[str]:
        return [self.target(source, kind) for kind in ("xml", "json")]

    def __call__(self, source: FileSource) -> Done:
        from .._xml._config import ReadConfig
        from ..cli._convert import convert_document, detect

        with open_binary(source.location) as handle:
            data: bytes | str = handle.read() if source.is_url else handle.read(64)
        kind = detect(data[:64] if isinstance(data, bytes) else b"")
        if kind is None:
            raise _not_b2mml(source.location)
        if not source.is_url:
            data = source.location  # read by path, as the single-file command does
        target = self.target(source, kind)
        refuse_overwrite(source, target)  # before the work, not after
        fmt = self.to or ("json" if kind == "xml" else "xml")
        config = ReadConfig(unknown="preserve" if self.keep_unknown else "error")
        # converted whole (the direct walk, or the model) before the output is opened
        output = convert_document(data, kind, fmt, self.pretty, config)
        del data
        self.store(source, target, lambda out: out.write(output))
        return Done(Verdict.CONVERTED, output=target)

    def warm(self, thorough: bool = False) -> bool:
        """Warm a process for conversion: the converters both ways (``thorough`` or not)."""
        from ._warm import warm_conversion

        return warm_conversion()


# -- migration -----------------------------------------------------------------------------
_RELEASE_TAG = re.compile(r"\.V\d{4}$", re.IGNORECASE)


@dataclass(frozen=True)
class MigrateTask(Outputs):
    """Migrate one B2MML document to release ``to`` (``isa95kit.versions.migrate``) and write
    it atomically.

    Under ``output_dir`` the output keeps the source's relative path (``in/a/po.xml`` ->
    ``out/a/po.xml``); next to its source it is tagged with the release (``po.xml`` ->
    ``po.V0701.xml``; ``po.V0600.xml`` -> ``po.V0701.xml``). The result's ``value`` is the
    summary of the :class:`~isa95kit.versions.MigrationReport` (:func:`migration_summary`).
    With ``strict``, content the target cannot express (or unknown content going up) fails
    the file instead of being dropped.
    """

    to: str = "V0701"
    output_dir: str | None = None
    strict: bool = False

    def target(self, source: FileSource) -> str:
        if self.output_dir is not None:
            return self.place(source, source.relative)
        stem, ext = os.path.splitext(source.relative)
        return self.place(source, f"{_RELEASE_TAG.sub('', stem)}.{self.to}{ext or '.xml'}")

    def targets(self, source: FileSource) -> list[str]:
        return [self.target(source)]

    def __call__(self, source: FileSource) -> Done:
        from ..versions import MigrationWarning, migrate

        target = self.target(source)
        refuse_overwrite(source, target)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MigrationWarning)  # the summary counts them
            if source.is_url:
                with open_binary(source.location) as handle:
                    result = migrate(handle, self.to, strict=self.strict)
            else:
                result = migrate(source.location, self.to, strict=self.strict)
        self.store(source, target, lambda out: out.write(result.data))
        return Done(Verdict.MIGRATED, output=target, value=migration_summary(result.report))

    def warm(self, thorough: bool = False) -> bool:
        """Warm a process for migration to ``to``; ``thorough``: with the tables of every
        release (for long-lived workers; see ``_warm``)."""
        from ._warm import warm_migration

        return warm_migration(self.to, thorough=thorough)


def migration_summary(report: Any) -> dict[str, Any]:
    """A :class:`~isa95kit.versions.MigrationReport` in a few numbers (what a batch result
    carries; the full list of changes stays in the worker): releases, counts by kind."""
    kinds: dict[str, int] = {}
    for change in report.changes:
        kinds[change.kind] = kinds.get(change.kind, 0) + 1
    return {
        "source": report.source.value,
        "target": report.target.value,
        "changes": len(report.changes),
        "kinds": dict(sorted(kinds.items())),
        "carried": len(report.carried),
        "dropped": len(report.dropped),
        "missing": len(report.missing),
        "lossless": report.lossless,
    }


PARTIAL = ".partial"


class _Buffer:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        return len(chunk)


def write_atomically(target: str, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``target`` through a temporary file in the same folder and ``os.replace``:
    a failed or interrupted write never leaves a partial file in place of a good one."""
    folder, name = os.path.split(target)
    if folder:
        os.makedirs(folder, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{name}.", suffix=PARTIAL, dir=folder or None)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise


def _with_suffix(relative: str, fmt: str) -> str:
    stem, ext = os.path.splitext(relative)
    return f"{stem if ext.lower() in ('.xml', '.json') else relative}.{fmt}"


def _same(target: str, source: str) -> bool:
    if is_url(target) or is_url(source):
        return target == source
    return os.path.abspath(target) == os.path.abspath(source)


def _not_b2mml(name: str) -> Isa95Error:
    from ..errors import DecodeError

    return DecodeError("neither XML nor JSON (expected '<' or '{' first)", location=Location(name))


def _overwrite(name: str) -> Isa95Error:
    from ..errors import InvalidSourceError

    return InvalidSourceError(
        "the output would replace its source; choose an output folder (-o) or, converting, "
        "the other format",
        location=Location(name),
    )
