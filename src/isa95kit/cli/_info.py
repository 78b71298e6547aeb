"""``isa95kit info PATH…``: what a B2MML document holds.

Paths are files, folders (every ``*.xml`` inside, sorted) or ``-`` for stdin. Exit codes:
0 every file summarised, 1 a file is not (supported, well-formed) B2MML or its typed read
failed (then summarised from the tree), 2 usage or I/O errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._source import read_stdin
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def register(sub: Any) -> None:
    p = sub.add_parser(
        "info", help="show what a B2MML document holds (root, version, entities, IDs)"
    )
    p.add_argument("files", nargs="+", metavar="PATH", help="files, folders of *.xml, or -")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument(
        "--max-ids", type=int, default=10,
        help="IDs listed per entity in text output (0: counts only; default 10)",
    )  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .._inspect import summarize_all
    from ..errors import Isa95Error
    from ._validate import _expand

    if args.max_ids < 0:
        print(f"isa95kit: error: --max-ids must be 0 or more, got {args.max_ids}", file=sys.stderr)
        return EXIT_USAGE
    sources: list[Any] = []
    for path in args.files:
        if path == "-":
            sources.append(read_stdin())  # in blocks, refused once past the size limit
            continue
        found = _expand([path])
        if found is None:
            return EXIT_USAGE
        sources.extend(found)
    status = EXIT_OK
    summaries = []
    for source in sources:
        name = source if isinstance(source, str) else "-"
        try:
            parts = summarize_all(source)
        except Isa95Error as exc:
            print(f"isa95kit: error: {exc}", file=sys.stderr)
            status = max(status, EXIT_FAILED)
            continue
        except OSError as exc:
            print(f"isa95kit: error: cannot read {name}: {exc}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        for s in parts:
            if s.typed_error is not None:
                print(f"isa95kit: error: {name}: typed read failed, summarised from the tree: "
                      f"{s.typed_error}", file=sys.stderr)  # fmt: skip
                status = max(status, EXIT_FAILED)
        summaries.extend(parts)
    if summaries:
        if args.json:
            data = [s.to_dict() for s in summaries]
            one = len(sources) == 1 and len(data) == 1
            print(json.dumps(data[0] if one else data, indent=2))
        else:
            print("\n\n".join(s.render(args.max_ids) for s in summaries))
    return status
