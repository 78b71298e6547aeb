"""``isa95kit validate``: check partner files (schema and business rules) for CI and people.

Exit codes: 0 when no file has an error, 1 when any has, 2 for usage or I/O errors (a missing
path, an unreadable file, a bad profile or extension schema). Never prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from ..batch import BatchSummary, FileResult

__all__ = ["add_batch_options", "register"]

_VERSIONS = ("auto", "V0401", "V0500", "V0600", "V0601", "V0700", "V0701")
#: a batch this large gets a progress bar (when stderr is a terminal)
_BAR_FILES, _BAR_BYTES = 20, 64 * 1024 * 1024


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check B2MML partner files: well-formedness, official schema, business rules",
        description=(
            "Validate B2MML documents (V0401-V0701) in layers: well-formedness and hostile "
            "input, the official schema of the detected release, then business rules (end "
            "before start, duplicate IDs, dangling references, units, numbers, timezones). "
            "Every issue is reported with file, line, XPath and a hint. Exit status: 0 no "
            "errors, 1 errors found, 2 usage or I/O error."
        ),
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files, folders of *.xml, globs, or fsspec URLs (s3://bucket/inbox/, memory://...)",
    )
    parser.add_argument(
        "--version",
        dest="b2mml_version",
        default="auto",
        choices=_VERSIONS,
        help="the release to validate against (default: detected per file)",
    )
    parser.add_argument("--profile", metavar="FILE", help="a .toml or .json validation profile")
    parser.add_argument(
        "--format",
        choices=("text", "json", "jsonl", "junit"),
        default="text",
        help="text (default), an aggregate json or junit report, or jsonl: one result per "
        "line as files complete, then a summary line",
    )
    parser.add_argument("--strict", action="store_true", help="warnings count as errors")
    parser.add_argument(
        "--schema-only",
        action="store_true",
        help="only well-formedness and the official schema (the official verdict)",
    )
    parser.add_argument(
        "--extension",
        action="append",
        default=[],
        metavar="XSD",
        help="a vendor extension schema used instead of the empty official one (repeatable)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    add_batch_options(parser)
    parser.set_defaults(func=_command)


def jobs_count(text: str) -> int | str:
    """``--jobs``: a positive number of processes, or ``auto`` (every core)."""
    if text == "auto":
        return text
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number or 'auto', not {text!r}")
    return count


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    """``--jobs`` and ``--dask``, shared with ``isa95kit convert``."""
    parser.add_argument(
        "-j",
        "--jobs",
        type=jobs_count,
        default=None,
        metavar="N",
        help="run on N local processes ('auto': every core); default: one, in this process",
    )
    parser.add_argument(
        "--dask",
        metavar="SCHEDULER",
        help="run on a dask.distributed cluster: tcp://host:8786, or 'local' to start a "
        "LocalCluster of --jobs processes (needs isa95kit[dask])",
    )


def _command(args: argparse.Namespace) -> int:
    try:
        return _validate(args)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # one clear line, never a traceback
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _validate(args: argparse.Namespace) -> int:
    from ..batch import BatchRun, ValidateTask, expand
    from ..errors import Isa95Error
    from ..validation._api import make_options

    if "-" in args.paths and args.paths != ["-"]:
        print("isa95kit: error: - (stdin) validates a single document only", file=sys.stderr)
        return EXIT_USAGE
    try:
        sources = expand(args.paths) if args.paths != ["-"] else []
    except Isa95Error as exc:
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        options = make_options(
            version=args.b2mml_version,
            profile=args.profile,
            strict=True if args.strict else None,
            schema_only=args.schema_only,
            extensions=args.extension,
        )
    except (OSError, ValueError, Isa95Error) as exc:
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.paths == ["-"]:
        return _validate_stdin(args, options)
    total = sum(source.size for source in sources)
    bar = _Bar(len(sources), total) if _wants_bar(len(sources), total) else None
    stream_text = args.format == "text" and not args.output
    lines = _open_lines(args) if args.format == "jsonl" else None
    failed = io_error = False
    with BatchRun(ValidateTask(options), sources, jobs=args.jobs, dask=args.dask) as run:
        for result in _in_order(run, stream_text):
            if bar:
                bar.advance(result.size)
            if lines is not None:
                lines.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            if result.error is not None:
                if bar:
                    bar.clear()
                error = result.error
                if error.io:
                    print(f"isa95kit: error: cannot read {result.source}: {error.message}",
                          file=sys.stderr)  # fmt: skip
                    io_error = True
                    continue
                print(f"isa95kit: error: {error}", file=sys.stderr)
                if error.isa95:  # e.g. a vendor extension schema that does not compile
                    return EXIT_USAGE
                failed = True
                continue
            report = result.report
            if stream_text and report is not None and report.issues:
                if bar:
                    bar.clear()
                sys.stdout.write("".join(f"{issue}\n" for issue in report.issues))
                sys.stdout.flush()
        if bar:
            bar.clear()
        final = run.report()
        results = run.results()
        summary = run.summary
    if lines is not None:
        lines.write(json.dumps({"summary": summary.to_dict(), "valid": final.valid}) + "\n")
        if lines is not sys.stdout:
            lines.close()
    else:
        _write(args, _render(final, args.format, streamed=stream_text, results=results,
                             summary=summary))  # fmt: skip
    if summary.mode != "serial":
        print(f"isa95kit: {summary}", file=sys.stderr)
    if io_error:
        return EXIT_USAGE
    return EXIT_OK if final.valid and not failed else EXIT_FAILED


def _validate_stdin(args: argparse.Namespace, options: Any) -> int:
    """``isa95kit validate -``: standard input, streamed like a big file when it is one
    (memory stays bounded), reported as ``<stdin>`` in every format (``jsonl``: the line of
    a file as a batch run writes it, then the verdict)."""
    from ..batch import FileResult, Verdict
    from ..validation._api import _report, run_one

    try:
        file = run_one(sys.stdin.buffer, options)
    except OSError as exc:
        print(f"isa95kit: error: cannot read standard input: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = _report([file], options)
    if args.format == "jsonl":
        verdict = Verdict.VALID if file.valid else Verdict.INVALID
        result = FileResult(0, file.file or "<stdin>", verdict, file.size or 0, file.seconds,
                            report=file)  # fmt: skip
        lines = _open_lines(args)
        lines.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        lines.write(json.dumps({"valid": report.valid}) + "\n")
        if lines is not sys.stdout:
            lines.close()
    else:
        _write(args, _render(report, args.format, streamed=False))
    return EXIT_OK if report.valid else EXIT_FAILED


def _write(args: argparse.Namespace, text: str) -> None:
    """The report on stdout, or atomically into ``-o FILE``."""
    if args.output:
        from ..batch import write_atomically

        data = text.encode("utf-8")
        write_atomically(args.output, lambda handle: handle.write(data))
    else:
        sys.stdout.write(text)


def _open_lines(args: argparse.Namespace) -> IO[str]:
    if args.output:
        return open(args.output, "w", encoding="utf-8")
    return sys.stdout


def _in_order(results: Iterable[FileResult], ordered: bool) -> Iterator[FileResult]:
    """Results as they complete, or (``ordered``) in input order, holding back early ones."""
    if not ordered:
        yield from results
        return
    waiting: dict[int, FileResult] = {}
    following = 0
    for result in results:
        waiting[result.index] = result
        while following in waiting:
            yield waiting.pop(following)
            following += 1
    yield from (waiting[index] for index in sorted(waiting))


def _render(
    report: Any,
    fmt: str,
    *,
    streamed: bool,
    results: Sequence[FileResult] = (),
    summary: BatchSummary | None = None,
) -> str:
    if fmt == "json":
        data = report.to_dict()
        if summary is not None:
            data["batch"] = summary.to_dict()
            data["batch"]["failures"] = [
                {"file": r.source, "verdict": r.verdict, "error": r.error.to_dict()}
                for r in results
                if r.error is not None
            ]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        from ..batch import junit

        return junit(results, "isa95kit validate") if results else str(report.to_junit())
    return report.summary() + "\n" if streamed else str(report.to_text())


def _expand(paths: Sequence[str]) -> list[str] | None:
    """Files as given, folders walked for ``*.xml`` (sorted), globs and URLs; None after a
    usage error (printed). Shared with ``isa95kit info``."""
    from ..batch import expand
    from ..errors import Isa95Error

    try:
        return [source.location for source in expand(paths)]
    except Isa95Error as exc:
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return None


def _wants_bar(count: int, total: int, stream: IO[str] | None = None) -> bool:
    stream = stream or sys.stderr
    return (count >= _BAR_FILES or total >= _BAR_BYTES) and stream.isatty()


class _Bar:
    """A one-line progress bar on stderr: files, bytes, throughput."""

    def __init__(self, files: int, total: int, stream: IO[str] | None = None) -> None:
        self.files, self.total = files, max(total, 1)
        self.done_files = self.done_bytes = 0
        self.started = time.perf_counter()
        self.stream = stream or sys.stderr
        self._draw()

    def advance(self, size: int) -> None:
        self.done_files += 1
        self.done_bytes += size
        self._draw()

    def _draw(self) -> None:
        share = self.done_bytes / self.total
        filled = int(share * 30)
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.done_bytes / elapsed / 1e6
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done_files}/{self.files} files "
            f"{share:4.0%} {rate:6.1f} MB/s"
        )
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r" + " " * 72 + "\r")
        self.stream.flush()
