"""``isa95kit migrate IN --to V0701|V0600|V0401 [-o OUT] [--report text|json] [--strict]``.

Migrates a B2MML document of any release V0401-V0701 to another release (see
docs/migration.md). The report of every rename, value change, carried and dropped piece goes
to stderr (``--report``); with ``--strict`` unknown content going up, and content the target
cannot express going down, fail with exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import Any

from . import EXIT_OK

_TARGETS = ("V0701", "V0700", "V0601", "V0600", "V0500", "V0401")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "migrate",
        help="migrate a B2MML document between releases (V0401-V0701)",
        description="Migrate a B2MML document of any release to V0701 or down to an older "
        "release; pieces the target cannot hold are carried or reported.",
    )
    p.add_argument("input", metavar="IN", help="input XML file, or - for stdin")
    p.add_argument("--to", required=True, type=str.upper, choices=_TARGETS, help="target release")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    p.add_argument(
        "--report", choices=("text", "json"), help="print the migration report to stderr"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail on unknown content (up) or content the target cannot express (down)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..versions import MigrationWarning, migrate

    source: Any = sys.stdin.buffer.read() if args.input == "-" else args.input
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MigrationWarning)  # the report says it
        result = migrate(source, args.to, strict=args.strict)
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
