"""``isa95kit bom reconcile`` and ``isa95kit bom eco``: M-BOMs against E-BOM revisions.

::

    isa95kit bom reconcile ebom.csv mbom.xml --rules rules.toml --ignore extra:GLUE-*
    isa95kit bom reconcile ebom.csv mbom.json --format json     # an M-BOM of bom transform
    isa95kit bom eco ebom-A.csv ebom-B.csv --mbom mbom-A.json -o mbom-B.json
    isa95kit bom eco ebom.csv ebom.csv --mbom mbom-aug.json --new-at 2026-10-01 -o mbom-oct.json

Exit 0 ok, 1 reconciliation findings or flagged changes, 2 usage, I/O or input errors.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from typing import Any

from ..errors import Isa95Error
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--routing", metavar="R", help="routing CSV for the E-BOM(s)")
    p.add_argument("--rules", metavar="RULES", help="rules file of the transform (.toml, .json)")
    p.add_argument("--product", help="the product, when the E-BOM holds several")


def register_bom(actions: Any) -> None:
    r = actions.add_parser(
        "reconcile",
        help="compare an E-BOM with an existing M-BOM (ours or a B2MML operations definition)",
        description="Compare the exploded E-BOM with an M-BOM: a provenance JSON of "
        "'bom transform', or a B2MML V0701 document holding an OperationsDefinition "
        "(XML or B2MML-JSON). Findings: missing, extra, quantity-mismatch, "
        "unit-not-comparable, revision-mismatch, unassigned.",
    )
    r.add_argument("ebom", metavar="EBOM", help="E-BOM file: .csv, .json or B2MML .xml")
    r.add_argument("mbom", metavar="MBOM", help="M-BOM: provenance .json or B2MML .xml/.json")
    _common(r)
    r.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULE",
        help="an intended difference, CODE:MATERIAL or CODE:PARENT/MATERIAL, globs allowed "
        "(repeatable; adds to the rules file's [reconcile] ignore list)",
    )
    r.add_argument(
        "--at",
        type=_date,
        metavar="DATE",
        help="resolve effectivity at DATE (default: the M-BOM's date, else the rules', "
        "else today, UTC)",
    )
    r.add_argument(
        "--exact",
        action="store_true",
        help="also report differences within the rounding of written decimals",
    )
    r.add_argument("--format", choices=("text", "json"), default="text")
    r.set_defaults(func=run_reconcile)

    e = actions.add_parser(
        "eco",
        help="diff two E-BOM revisions and apply the change to an M-BOM",
        description="Diff OLD and NEW into a change list and apply it to the M-BOM made from "
        "OLD, following its provenance; changes that cannot be applied with certainty are "
        "flagged, never guessed.",
    )
    e.add_argument("old", metavar="OLD", help="the E-BOM revision the M-BOM was made from")
    e.add_argument("new", metavar="NEW", help="the new E-BOM revision")
    e.add_argument(
        "--mbom", required=True, metavar="MBOM", help="the M-BOM of OLD (provenance JSON)"
    )
    _common(e)
    e.add_argument(
        "--new-at",
        type=_date,
        metavar="DATE",
        help="resolve NEW at DATE (default: the M-BOM's date); for an ECO made by "
        "effectivity dates, OLD and NEW may be the same file",
    )
    e.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="write the new M-BOM: .json (provenance JSON) or .xml (B2MML Process message)",
    )
    e.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    e.set_defaults(func=run_eco)


def _inputs(args: argparse.Namespace, *paths: str) -> tuple[Any, list[Any]]:
    from .. import bom

    rules = bom.load_rules(args.rules) if args.rules else bom.Rules()
    boms = [
        bom.read_ebom(p, routing=args.routing, rules=rules, product=args.product) for p in paths
    ]
    return rules, boms


def _fail(exc: Isa95Error) -> int:
    print(f"isa95kit: error: {exc}", file=sys.stderr)
    return EXIT_USAGE


def run_reconcile(args: argparse.Namespace) -> int:
    from .. import bom

    try:
        rules, (ebom,) = _inputs(args, args.ebom)
        ignore: list[Any] = bom.load_ignore_rules(args.rules) if args.rules else []
        ignore += [bom.IgnoreRule.parse(text) for text in args.ignore]
        mbom = bom.read_mbom(args.mbom, product=args.product or rules.product)
        # like 'bom transform': the M-BOM's own date, else the rules', else today (UTC)
        at = args.at or mbom.at or rules.at or _dt.datetime.now(_dt.timezone.utc).date()
        result = bom.reconcile(
            ebom,
            mbom,
            ignore=ignore,
            rules=rules,
            product=args.product,
            at=at,
            exact=args.exact,
        )
    except Isa95Error as exc:
        return _fail(exc)
    print(result.to_json() if args.format == "json" else result.to_text())
    return EXIT_OK if result.ok else EXIT_FAILED


def run_eco(args: argparse.Namespace) -> int:
    from .. import bom, write_xml
    from .._xml._config import WriteConfig
    from ..bom._mbom_json import read_mbom_json

    try:
        rules, (old, new) = _inputs(args, args.old, args.new)
        mbom = read_mbom_json(args.mbom)
        change = bom.diff_boms(old, new, date=mbom.at, new_date=args.new_at)
        result = bom.apply_changes(change, mbom, rules=rules)
    except Isa95Error as exc:
        return _fail(exc)
    if args.output:
        if args.output.lower().endswith(".xml"):
            message = bom.to_process_message(result.mbom)
            data: bytes | str = write_xml(message, config=WriteConfig(pretty_print=True))
        else:
            data = bom.provenance_json(result.mbom)
        bom.write_atomic(args.output, data)
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(result.to_text())
    if result.flagged:
        print(
            f"isa95kit: {len(result.flagged)} change(s) flagged: decide them by hand"
            + (f" ({args.output} holds the others)" if args.output else ""),
            file=sys.stderr,
        )
    return EXIT_OK if result.ok else EXIT_FAILED
