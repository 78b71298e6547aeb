"""``isa95kit migrate IN... --to V0701|V0600|V0401 [-o OUT] [--report text|json] [--strict]
[--fill-ids]``.

Migrates a B2MML document of any release V0401-V0701 to another release (see
docs/migration.md). The report of every rename, value change, carried and dropped piece goes
to stderr (``--report``); with ``--strict`` unknown content going up, and content the target
cannot express going down, fail with exit code 1.

Several inputs, a folder, a glob, an fsspec URL, an output folder, ``--jobs``, ``--dask`` or
``--format`` migrate each file with :func:`isa95kit.batch.migrate_many` (docs/batch.md):
outputs are written atomically under ``-o DIR`` or next to each source, tagged with the
release (``po.xml`` -> ``po.V0701.xml``).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import TYPE_CHECKING, Any

from . import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from ..batch import FileResult

_TARGETS = ("V0701", "V0700", "V0601", "V0600", "V0500", "V0401")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "migrate",
        help="migrate B2MML documents between releases (V0401-V0701)",
        description="Migrate a B2MML document of any release to V0701 or down to an older "
        "release; pieces the target cannot hold are carried or reported. Many files (folders, "
        "globs, URLs) migrate in a batch, on local processes (--jobs) or a Dask cluster.",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="IN",
        help="input file, or - for stdin; several files, folders of *.xml, globs or fsspec "
        "URLs migrate each file, written under -o DIR or next to it as NAME.<release>.xml",
    )
    p.add_argument("--to", required=True, type=str.upper, choices=_TARGETS, help="target release")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (default: stdout); for many inputs, the output folder (or URL)",
    )
    p.add_argument(
        "--report",
        choices=("text", "json"),
        help="one input: print the migration report to stderr",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail on unknown content (up) or content the target cannot express (down)",
    )
    p.add_argument(
        "--fill-ids",
        action="store_true",
        help="--to V0701: fill the identifiers V0701 requires and the source lacks "
        "(<parent ID>.<initials><n>, e.g. JO-1.MR2; reported as 'filled', left out again "
        "when migrating back; docs/migration.md)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "jsonl", "junit"),
        default=None,
        help="many inputs: the report on stdout (text, an aggregate json or junit report, or "
        "jsonl: one result per line as files complete)",
    )
    from ._validate import add_batch_options

    add_batch_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ._convert import _is_batch

    if _is_batch(args):
        return _migrate_many(args)
    args.input = args.inputs[0]
    return _migrate_one(args)


def _migrate_many(args: argparse.Namespace) -> int:
    from ..batch import MigrateTask
    from ._convert import run_outputs

    if args.fill_ids:
        print("isa95kit: error: --fill-ids is for one input", file=sys.stderr)
        return EXIT_USAGE
    if args.report:
        print(
            "isa95kit: error: --report is for one input; many inputs report with --format "
            "(json and jsonl carry each file's migration summary)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    task = MigrateTask(to=args.to, output_dir=args.output, strict=args.strict)
    return run_outputs(args, task, (".xml",), "migrate", _dropped)


def _dropped(result: FileResult) -> str | None:
    """The warning of a migrated file that lost content (as the single-file command warns)."""
    summary = result.value or {}
    count = summary.get("dropped", 0)
    if not count:
        return None
    return (
        f"{result.source}: {count} piece(s) {summary.get('target')} cannot express were "
        "dropped (--format json lists the counts; migrate the file alone with --report text "
        "for each piece)"
    )


def _migrate_one(args: argparse.Namespace) -> int:
    from .._source import read_stdin
    from ..versions import MigrationWarning, migrate

    if args.fill_ids and args.to not in ("V0701", "V0700"):
        print(
            "isa95kit: error: --fill-ids fills what V0701 requires: use --to V0701", file=sys.stderr
        )
        return EXIT_USAGE
    source: Any = read_stdin() if args.input == "-" else args.input  # bounded blocks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MigrationWarning)  # the report says it
        result = migrate(source, args.to, strict=args.strict, fill_missing=args.fill_ids or None)
    if args.report == "json":
        print(result.report.to_json(), file=sys.stderr)
    elif args.report == "text":
        print(result.report.to_text(), file=sys.stderr)
    elif result.report.dropped:
        print(
            f"isa95kit: warning: {len(result.report.dropped)} piece(s) {args.to} cannot "
            "express were dropped (--report text lists them)",
            file=sys.stderr,
        )
    if args.output:
        partial = f"{args.output}.partial"
        try:
            with open(partial, "wb") as out:
                out.write(result.data)
            os.replace(partial, args.output)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
    else:
        sys.stdout.buffer.write(result.data)
    return EXIT_OK
