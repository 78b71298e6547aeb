"""``isa95kit outbox list|show|replay|purge [--outbox FILE]``: look into the durable outbox
of ``isa95kit soap send`` / ``SoapClient`` and send again what was not delivered.

``replay`` exits 0 when everything replayed was delivered, 1 if a Fault refused one, 3 if a
transport failure left one in the dead-letter state.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from . import EXIT_OK, EXIT_USAGE
from ._soap_client import add_client_options, client_options, report_failure


def register(sub: Any) -> None:
    p = sub.add_parser(
        "outbox",
        help="list, show, replay or purge the durable SOAP outbox",
        description="The outbox keeps every message sent with 'isa95kit soap send' until it "
        "is delivered; undelivered ones (dead letters, or left by a killed process) can be "
        "replayed with their original BODID.",
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True

    ls = verbs.add_parser("list", help="one line per entry")
    _outbox_option(ls)
    ls.add_argument(
        "--state",
        action="append",
        choices=("pending", "sending", "sent", "dead"),
        help="only entries in this state (repeatable)",
    )
    ls.set_defaults(func=run_list)

    show = verbs.add_parser("show", help="one entry with its payload")
    _outbox_option(show)
    show.add_argument("id", type=int, metavar="ID")
    show.set_defaults(func=run_show)

    rp = verbs.add_parser("replay", help="send again what was not delivered")
    add_client_options(rp)
    rp.add_argument("ids", type=int, nargs="*", metavar="ID", help="only these entries")
    rp.add_argument("--no-dead", action="store_true", help="leave dead letters alone")
    rp.set_defaults(func=run_replay)

    pg = verbs.add_parser("purge", help="delete delivered (or given) entries")
    _outbox_option(pg)
    pg.add_argument(
        "--state",
        action="append",
        choices=("pending", "sending", "sent", "dead"),
        help="states to delete (default: sent)",
    )
    pg.add_argument(
        "--older-than",
        type=float,
        default=0.0,
        metavar="HOURS",
        help="only entries last changed longer ago than this",
    )
    pg.set_defaults(func=run_purge)


def _outbox_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--outbox", metavar="FILE", help="outbox file (default: $ISA95KIT_OUTBOX or ~/.local/state)"
    )


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def run_list(args: argparse.Namespace) -> int:
    from ..delivery import Outbox, OutboxState

    with Outbox(args.outbox) as box:
        states = [OutboxState(s) for s in args.state] if args.state else None
        entries = box.entries(states)
        for e in entries:
            error = f"  {e.last_error}" if e.last_error and e.state is not OutboxState.SENT else ""
            print(
                f"{e.id:>5}  {e.state.value:<7}  {e.attempts:>2}x  {_when(e.updated)}  "
                f"{e.bodid}  {e.endpoint}{error}"
            )
        counts = box.counts()
    summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    print(
        f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} ({summary or 'empty'})",
        file=sys.stderr,
    )
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from ..delivery import Outbox

    with Outbox(args.outbox) as box:
        e = box.get(args.id)
    print(f"id:         {e.id}\nBODID:      {e.bodid}\nendpoint:   {e.endpoint}")
    print(f"state:      {e.state.value}\nattempts:   {e.attempts}")
    print(f"created:    {_when(e.created)}\nupdated:    {_when(e.updated)}")
    print(f"last error: {e.last_error or '-'}")
    for k, v in sorted(e.meta.items()):
        print(f"{k + ':':<11} {v}")
    print()
    sys.stdout.flush()
    sys.stdout.buffer.write(e.payload)
    sys.stdout.buffer.write(b"\n")
    return EXIT_OK


def run_replay(args: argparse.Namespace) -> int:
    from ..soap._client import SoapClient
    from ._soap_client import _UsageError

    try:
        opts = client_options(args)
    except _UsageError as exc:
        print(f"isa95kit outbox replay: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    box = opts["outbox"]
    wanted = set(args.ids) if args.ids else None
    entries = [
        e for e in box.replayable(include_dead=not args.no_dead) if wanted is None or e.id in wanted
    ]
    if wanted is not None and (missing := wanted - {e.id for e in entries}):
        for entry_id in sorted(missing):
            box.get(entry_id)  # OutboxError (exit 1) for an unknown id
        print(f"isa95kit: entries {sorted(missing)} are delivered or being sent", file=sys.stderr)
    code = EXIT_OK
    for endpoint in dict.fromkeys(e.endpoint for e in entries):
        ids = {e.id for e in entries if e.endpoint == endpoint}
        soap = next(e.meta.get("soap", "1.1") for e in entries if e.endpoint == endpoint)
        with SoapClient(endpoint, **{"soap": soap, **opts}) as client:
            for entry, result in client.replay(include_dead=not args.no_dead, entry_ids=ids):
                if isinstance(result, BaseException):
                    failed = report_failure(result)
                    code = max(code, failed)  # 3 (transport) outranks 1 (Fault)
                else:
                    print(
                        f"{entry.id:>5}  delivered  BODID {entry.bodid}  "
                        f"({result.attempts} attempts in all)"
                    )
    box.close()
    return code


def run_purge(args: argparse.Namespace) -> int:
    from ..delivery import Outbox, OutboxState

    states = [OutboxState(s) for s in (args.state or ["sent"])]
    with Outbox(args.outbox) as box:
        n = box.purge(states, older_than=args.older_than * 3600)
    print(f"purged {n} entr{'y' if n == 1 else 'ies'}", file=sys.stderr)
    return EXIT_OK
