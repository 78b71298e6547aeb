"""``isa95kit info FILE``: what a B2MML document holds."""

from __future__ import annotations

import argparse
import json
from typing import Any

from . import EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser(
        "info", help="show what a B2MML document holds (root, version, entities, IDs)"
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="B2MML XML document(s)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--max-ids", type=int, default=10, help="IDs listed per entity (text output)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .._inspect import summarize

    summaries = [summarize(f) for f in args.files]
    if args.json:
        data = [s.to_dict() for s in summaries]
        print(json.dumps(data if len(data) > 1 else data[0], indent=2))
    else:
        print("\n\n".join(s.render(args.max_ids) for s in summaries))
    return EXIT_OK
