"""``isa95kit diff A B [--format text|json]``: what changed between two B2MML documents.

Entities are matched by ID within their parent list (by position when they have none); every
added, removed, changed or moved entity and value is listed with its Python path and its
B2MML path. Exit codes, as ``diff(1)``: 0 equal, 1 different, 2 usage, I/O or a document
that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def register(sub: Any) -> None:
    p = sub.add_parser(
        "diff",
        help="compare two documents entity by entity (exit 0 equal, 1 different)",
        description="Compare two B2MML documents (XML, or B2MML-JSON for *.json) entity by "
        "entity, matched by ID.",
    )
    p.add_argument("old", metavar="A", help="the old document (a path, or - for stdin)")
    p.add_argument("new", metavar="B", help="the new document (a path, or - for stdin)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .._diff import diff
    from ..errors import Isa95Error

    if args.old == "-" and args.new == "-":
        print("isa95kit: error: only one of A and B can be - (stdin)", file=sys.stderr)
        return EXIT_USAGE
    from .._source import read_stdin

    try:  # stdin in blocks, refused once past the size limit
        sources = [read_stdin() if p == "-" else p for p in (args.old, args.new)]
        result = diff(sources[0], sources[1])
    except (Isa95Error, OSError) as exc:  # unreadable or not B2MML: trouble, not "different"
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        text = result.to_json()
    else:
        names = [p if p != "-" else "(stdin)" for p in (args.old, args.new)]
        text = result.to_text(old_name=names[0], new_name=names[1])
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as out:
                out.write(text + "\n")
        except OSError as exc:
            print(f"isa95kit: error: cannot write {args.output}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        print(text)
    return EXIT_OK if result.equal else EXIT_FAILED
