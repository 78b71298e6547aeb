"""``isa95kit bom``: E-BOM → M-BOM.

::

    isa95kit bom transform ebom.csv --routing routing.csv --rules rules.toml --at 2026-12-01 \\
        -o mbom.xml                       # ProcessOperationsDefinitionInformation for the MES
    isa95kit bom transform ebom.csv --format csv        # flat M-BOM on stdout
    isa95kit bom transform ebom.csv --format json       # M-BOM with provenance

Exit 0 ok, 1 invariant failures (nothing written unless ``--force``), 2 usage, I/O or
input errors. Other ``bom`` actions live in their own modules: a module
``cli/_bom_<name>.py`` defining ``register_bom(bom_subparsers)`` is added when present.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import importlib.util
import sys
from typing import Any

from ..errors import BomTransformError
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE

#: modules that add ``bom`` actions (``register_bom(bom_subparsers)``), if present
_EXTENSIONS = ("_bom_reconcile", "_bom_eco")


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(sub: Any) -> None:
    p = sub.add_parser("bom", help="E-BOM -> M-BOM: engineering BOMs into operations definitions")
    actions = p.add_subparsers(dest="bom_command", metavar="ACTION")
    actions.required = True

    t = actions.add_parser(
        "transform",
        help="transform an E-BOM (PLM CSV, JSON or B2MML) into an M-BOM",
        description="Transform an E-BOM into an M-BOM under a rules file and write it as a "
        "B2MML V0701 operations definition, a flat CSV or JSON with provenance.",
    )
    t.add_argument("ebom", metavar="EBOM", help="E-BOM file: .csv (PLM export), .json or .xml")
    t.add_argument("--routing", metavar="R", help="routing CSV (or JSON with a routing array)")
    t.add_argument("--rules", metavar="RULES", help="rules file (.toml or .json)")
    t.add_argument(
        "--at",
        type=_date,
        metavar="DATE",
        help="resolve date effectivity at DATE (default: the rules' date, else today, UTC)",
    )
    t.add_argument("--serial", help="resolve effectivity for this serial number")
    t.add_argument("--lot", help="resolve effectivity for this lot")
    t.add_argument(
        "--eco", action="append", metavar="ECO", help="a released ECO (repeatable; default: all)"
    )
    t.add_argument("--product", help="the product, when the E-BOM holds several")
    t.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    t.add_argument("--format", choices=("xml", "json", "csv"), default="xml")
    t.add_argument(
        "--document",
        choices=("process", "information", "definition"),
        default="process",
        help="xml: ProcessOperationsDefinitionInformation (default), "
        "OperationsDefinitionInformation, or the OperationsDefinition alone",
    )
    t.add_argument("--provenance", metavar="FILE", help="also write the provenance JSON here")
    t.add_argument("--force", action="store_true", help="write even if invariants fail")
    t.set_defaults(func=run_transform)

    for name in _EXTENSIONS:
        module = f"{__package__}.{name}"
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module).register_bom(actions)


def run_transform(args: argparse.Namespace) -> int:
    from .. import bom, write_xml
    from .._xml._config import WriteConfig

    try:
        rules = bom.load_rules(args.rules) if args.rules else bom.Rules()
        ebom = bom.read_ebom(args.ebom, routing=args.routing, rules=rules, product=args.product)
        at = args.at or rules.at or _dt.datetime.now(_dt.timezone.utc).date()
        mbom = bom.transform(
            ebom,
            rules,
            at=at,
            serial=args.serial,
            lot=args.lot,
            ecos=frozenset(args.eco) if args.eco else None,
            product=args.product,
        )
    except BomTransformError as exc:
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = mbom.report
    for excluded in report.excluded:
        print(
            f"isa95kit: left out ({excluded.reason}): {' > '.join(excluded.path)} "
            f"[{excluded.source}] {excluded.detail}",
            file=sys.stderr,
        )
    for issue in report.issues:
        print(f"isa95kit: invariant {issue.code}: {issue.message}", file=sys.stderr)
    if not report.ok and not args.force:
        print(
            "isa95kit: nothing written (invariants failed; --force writes anyway)", file=sys.stderr
        )
        return EXIT_FAILED
    if args.format == "csv":
        data: bytes = bom.to_csv(mbom).encode("utf-8")
    elif args.format == "json":
        data = bom.provenance_json(mbom).encode("utf-8")
    else:
        definition = bom.to_operations_definition(mbom)
        bill = bom.to_operations_material_bill(mbom)
        problems = bom.check_bill(definition, bill)
        for issue in problems:
            print(f"isa95kit: invariant {issue.code}: {issue.message}", file=sys.stderr)
        if problems and not args.force:
            return EXIT_FAILED
        if args.document == "process":
            obj: Any = bom.to_process_message(mbom, definition=definition, bill=bill)
        elif args.document == "information":
            obj = bom.to_operations_definition_information(mbom, definition=definition, bill=bill)
        else:
            obj = definition
        data = write_xml(obj, config=WriteConfig(pretty_print=True))
    if args.provenance:
        bom.write_atomic(args.provenance, bom.provenance_json(mbom))
    if args.output:
        bom.write_atomic(args.output, data)
    else:
        sys.stdout.buffer.write(data)
    lines = len(mbom.lines)
    print(
        f"isa95kit: {mbom.product}: {lines} lines in {len(mbom.routing)} operations, "
        f"{len(report.excluded)} left out, {len(report.phantoms)} phantoms dissolved "
        f"(effective at {at.isoformat()})",
        file=sys.stderr,
    )
    return EXIT_OK if report.ok else EXIT_FAILED
