"""``isa95kit validate``: check partner files (schema and business rules) for CI and people.

Exit codes: 0 when no file has an error, 1 when any has, 2 for usage or I/O errors (a missing
path, an unreadable file, a bad profile or extension schema). Never prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import IO, Any

from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE

__all__ = ["register"]

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
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders of *.xml")
    parser.add_argument(
        "--version",
        dest="b2mml_version",
        default="auto",
        choices=_VERSIONS,
        help="the release to validate against (default: detected per file)",
    )
    parser.add_argument("--profile", metavar="FILE", help="a .toml or .json validation profile")
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text")
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
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    try:
        return _validate(args)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # one clear line, never a traceback
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _validate(args: argparse.Namespace) -> int:
    from ..errors import Isa95Error
    from ..validation import ValidationReport
    from ..validation._api import make_options, run_one

    files = _expand(args.paths)
    if files is None:
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
    sizes = [_size(path) for path in files]
    bar = _Bar(len(files), sum(sizes)) if _wants_bar(len(files), sum(sizes)) else None
    report = ValidationReport(
        strict=options.profile.strict, schema_only=options.schema_only, profile=options.profile.name
    )
    out = sys.stdout
    stream_text = args.format == "text" and not args.output
    io_error = False
    for path, size in zip(files, sizes, strict=True):
        try:
            result = run_one(path, options)
        except OSError as exc:
            if bar:
                bar.clear()
            print(f"isa95kit: error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            io_error = True
            continue
        except Isa95Error as exc:  # e.g. a vendor extension schema that does not compile
            if bar:
                bar.clear()
            print(f"isa95kit: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        report.files.append(result)
        if bar:
            bar.advance(size)
        if stream_text and result.issues:
            if bar:
                bar.clear()
            out.write("".join(f"{issue}\n" for issue in result.issues))
            out.flush()
    if bar:
        bar.clear()
    text = _render(report, args.format, streamed=stream_text)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        out.write(text)
    if io_error:
        return EXIT_USAGE
    return EXIT_OK if report.valid else EXIT_FAILED


def _render(report: Any, fmt: str, *, streamed: bool) -> str:
    if fmt == "json":
        return str(report.to_json())
    if fmt == "junit":
        return str(report.to_junit())
    return report.summary() + "\n" if streamed else str(report.to_text())


def _expand(paths: Sequence[str]) -> list[str] | None:
    """Files as given, folders walked for ``*.xml`` (sorted); None after a usage error."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(
                os.path.join(folder, name)
                for folder, _, names in os.walk(path)
                for name in names
                if name.lower().endswith(".xml")
            )
            if not found:
                print(f"isa95kit: error: no *.xml files under {path}", file=sys.stderr)
                return None
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)
        else:
            print(f"isa95kit: error: {path}: no such file or folder", file=sys.stderr)
            return None
    return files


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


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
