"""``isa95kit soap wsdl|serve``: the WSDL of the V0701 transactions, and a SOAP server.

``soap serve`` runs :class:`isa95kit.soap.SoapServer` on waitress (127.0.0.1:8095 by default),
a mock ERP/MES unless you point integrations elsewhere; Ctrl-C stops it cleanly. ``soap send``
and ``soap describe`` (the client) register themselves from ``_soap_client`` when present.
Exit codes: 0 ok, 1 SOAP Fault, 2 usage or I/O error, 3 transport failure.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import signal
import sys
from pathlib import Path
from typing import Any

from . import EXIT_OK, EXIT_USAGE

#: exit code of a SOAP Fault and of a transport failure (shared with ``soap send``)
EXIT_FAULT, EXIT_TRANSPORT = 1, 3
PASSWORD_ENV = "ISA95KIT_SOAP_PASSWORD"


def register(sub: Any) -> None:
    p = sub.add_parser("soap", help="SOAP exchange: WSDL, a mock ERP/MES server, a client")
    actions = p.add_subparsers(dest="soap_command", metavar="ACTION")
    actions.required = True

    w = actions.add_parser("wsdl", help="write the WSDL of the B2MML V0701 transactions")
    w.add_argument("--soap", choices=("1.1", "1.2"), default="1.1", help="binding (default 1.1)")
    w.add_argument("--address", help="service address in the WSDL (default: a local URL)")
    w.add_argument(
        "--schema-location",
        help="schemaLocation of the V0701 import (default: the installed bundle, as a file URL)",
    )
    w.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    w.set_defaults(func=run_wsdl)

    s = actions.add_parser("serve", help="serve B2MML over SOAP (a mock ERP/MES by default)")
    s.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8095, help="TCP port (default 8095; 0: any free)")
    s.add_argument("--store", default=":memory:", help="SQLite file of replies and entities")
    s.add_argument("--username", help="require this user (WS-Security UsernameToken or Basic)")
    s.add_argument("--password", help=f"the user's password (or set {PASSWORD_ENV})")
    s.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    s.add_argument("--max-bytes", type=int, default=16 << 20, help="request size limit")
    s.add_argument("--no-validate", action="store_true", help="skip schema validation")
    s.set_defaults(func=run_serve)

    if importlib.util.find_spec(f"{__package__}._soap_client") is not None:
        importlib.import_module(f"{__package__}._soap_client").register_soap(actions)


def run_wsdl(args: argparse.Namespace) -> int:
    from ..soap._wsdl import DEFAULT_ADDRESS, build_wsdl

    location = args.schema_location
    if location is None:
        bundle = Path(__file__).resolve().parents[1] / "xsd" / "V0701" / "AllSchemas.xsd"
        location = bundle.as_uri()
    data = build_wsdl(args.soap, address=args.address or DEFAULT_ADDRESS, schema_location=location)
    if args.output is None:
        sys.stdout.buffer.write(data)
    else:
        args.output.write_bytes(data)
        print(f"wrote {args.output} (SOAP {args.soap} binding)", file=sys.stderr)
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from ..soap._server import SoapServer, create_server

    password = args.password if args.password is not None else os.environ.get(PASSWORD_ENV)
    if (args.username is None) != (password is None):
        print("isa95kit: error: --username and --password go together", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.port <= 65535 or args.threads < 1 or args.max_bytes < 1:
        print("isa95kit: error: bad --port, --threads or --max-bytes", file=sys.stderr)
        return EXIT_USAGE
    users = {args.username: password} if args.username is not None and password else None
    app = SoapServer(
        store=args.store, users=users, max_bytes=args.max_bytes, validate=not args.no_validate
    )
    try:
        server = create_server(app, host=args.host, port=args.port, threads=args.threads)
    except OSError as exc:
        app.store.close()
        print(f"isa95kit: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{server.effective_port}/b2mml"
    auth = f", user {args.username}" if users else ""
    print(f"serving B2MML SOAP at {url} (WSDL {url}?wsdl; store {args.store}{auth})")
    print("press Ctrl-C to stop", flush=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: the same
    try:
        server.run()  # waitress stops its workers on KeyboardInterrupt and returns
    except KeyboardInterrupt:
        server.task_dispatcher.shutdown()
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        app.store.close()
    print("stopped", file=sys.stderr)
    return EXIT_OK


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
