"""``isa95kit soap send URL FILE`` and ``isa95kit soap describe WSDL``: the client side of
``isa95kit soap`` (``cli/_soap.py`` calls :func:`register_soap`).

Exit codes: 0 the reply's B2MML printed; 1 a SOAP Fault (printed as one block); 2 usage or
I/O error; 3 transport failure after all retries (the message stays in the outbox's
dead-letter state, ``isa95kit outbox replay`` sends it again).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..errors import (
    CircuitOpenError,
    DeliveryFailedError,
    Isa95Error,
    SoapFaultError,
    TransportError,
)
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE

EXIT_TRANSPORT = 3


def register_soap(sub: Any) -> None:
    """Add ``send`` and ``describe`` to the ``isa95kit soap`` sub-command parsers."""
    p = sub.add_parser(
        "send",
        help="send a B2MML message to a SOAP endpoint, with retries and a durable outbox",
        description="Send FILE (a B2MML message) to URL in a SOAP envelope and print the "
        "reply's B2MML. Transient failures are retried with the same BODID; the message is "
        "kept in the outbox until delivered. Exit codes: 0 ok, 1 SOAP Fault, 2 usage or I/O, "
        "3 transport failure after all retries.",
    )
    p.add_argument("url", metavar="URL", help="endpoint address (http:// or https://)")
    p.add_argument("file", metavar="FILE", help="B2MML message to send, or - for stdin")
    add_client_options(p)
    p.add_argument("--wsdl", metavar="W", help="a third-party WSDL: put FILE in its B2MML slot")
    p.add_argument("--operation", metavar="OP", help="the WSDL operation to call")
    p.add_argument("-o", "--output", metavar="OUT", help="write the reply here (default: stdout)")
    p.set_defaults(func=run_send)

    d = sub.add_parser(
        "describe",
        help="list a WSDL's operations with their B2MML slots",
        description="List the operations of a (third-party) WSDL with the SOAP version, "
        "SOAPAction and where a B2MML document goes in each (shapes A, B, C).",
    )
    d.add_argument("wsdl", metavar="WSDL", help="WSDL file or URL")
    d.add_argument("--slot", metavar="PATH", help="force a string parameter as the slot")
    d.set_defaults(func=run_describe)


def add_client_options(p: argparse.ArgumentParser) -> None:
    """Options shared by ``soap send`` and ``outbox replay``."""
    p.add_argument("--soap", choices=("1.1", "1.2"), default=None, help="SOAP version (1.1)")
    p.add_argument(
        "--timeout", type=float, default=30.0, metavar="S", help="read timeout in seconds (30)"
    )
    p.add_argument(
        "--connect-timeout", type=float, default=5.0, metavar="S", help="connect timeout (5)"
    )
    p.add_argument(
        "--retries", type=int, default=4, metavar="N", help="retries after the first attempt (4)"
    )
    p.add_argument("--username", metavar="U", help="WS-Security UsernameToken user")
    p.add_argument("--password", metavar="P", help="its password (or $ISA95KIT_SOAP_PASSWORD)")
    p.add_argument("--digest", action="store_true", help="send a PasswordDigest, not the text")
    p.add_argument("--basic", metavar="USER:PASSWORD", help="HTTP Basic authentication")
    p.add_argument("--insecure", action="store_true", help="do not verify the TLS certificate")
    p.add_argument("--cert", metavar="PEM", help="client certificate for mutual TLS")
    p.add_argument("--key", metavar="PEM", help="its private key (if not in --cert)")
    p.add_argument("--action", metavar="URI", help="SOAPAction")
    p.add_argument(
        "--outbox", metavar="FILE", help="outbox file (default: $ISA95KIT_OUTBOX or ~/.local/state)"
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="log every attempt (retries are always shown)"
    )


def client_options(args: argparse.Namespace) -> dict[str, Any]:
    """``SoapClient`` keyword arguments from the shared options (and the log on stderr)."""
    from ..delivery import Outbox, RetryPolicy
    from ..soap._wsse import UsernameToken

    _log_to_stderr(verbose=args.verbose)
    opts: dict[str, Any] = {
        "timeout": (args.connect_timeout, args.timeout),
        "retry": RetryPolicy(max_attempts=max(0, args.retries) + 1),
        "outbox": Outbox(args.outbox),
        "verify": not args.insecure,
    }
    if args.soap:
        opts["soap"] = args.soap
    if args.action:
        opts["action"] = args.action
    if args.username:
        password = args.password or os.environ.get("ISA95KIT_SOAP_PASSWORD")
        if password is None:
            raise _usage("--username needs --password (or $ISA95KIT_SOAP_PASSWORD)")
        opts["username_token"] = UsernameToken(args.username, password, digest=args.digest)
    if args.basic:
        user, sep, password = args.basic.partition(":")
        if not sep:
            raise _usage("--basic takes USER:PASSWORD")
        opts["auth"] = (user, password)
    if args.cert:
        opts["cert"] = (args.cert, args.key) if args.key else args.cert
    return opts


def _log_to_stderr(*, verbose: bool) -> None:
    """Attempts and retries as ``isa95kit: BODID ...: attempt 2 failed ...`` lines; the final
    outcome (a Fault, giving up) is reported by the command itself, once."""
    import logging

    class Stderr(logging.StreamHandler):  # type: ignore[type-arg]
        """Writes to the current ``sys.stderr`` (which tests and callers may swap)."""

        _isa95kit_cli = True

        @property
        def stream(self) -> Any:
            return sys.stderr

        @stream.setter
        def stream(self, value: Any) -> None:
            pass

    log = logging.getLogger("isa95kit.soap.client")
    if not any(getattr(h, "_isa95kit_cli", False) for h in log.handlers):
        handler = Stderr()
        handler.setFormatter(logging.Formatter("isa95kit: %(message)s"))
        handler.addFilter(lambda record: record.levelno < logging.ERROR)
        log.addHandler(handler)
    if verbose:
        log.setLevel(logging.INFO)


class _UsageError(Exception):
    pass


def _usage(message: str) -> _UsageError:
    return _UsageError(message)


def print_fault(exc: SoapFaultError) -> None:
    """A Fault as one readable block on stderr."""
    lines = [f"isa95kit: SOAP Fault {exc.code or '(no code)'}: {exc.reason or exc.message}"]
    for issue in getattr(exc, "issues", None) or []:
        lines.append(f"  {issue}")
    if exc.detail and not getattr(exc, "issues", None):
        lines.append(f"  detail: {exc.detail}")
    print("\n".join(lines), file=sys.stderr)


def report_failure(exc: BaseException) -> int:
    """Exit code and message for what stopped a send (shared with ``outbox replay``)."""
    if isinstance(exc, SoapFaultError):
        print_fault(exc)
        return EXIT_FAILED
    if isinstance(exc, (DeliveryFailedError, CircuitOpenError, TransportError)):
        print(f"isa95kit: transport failure: {exc}", file=sys.stderr)
        return EXIT_TRANSPORT
    if isinstance(exc, Isa95Error):
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, OSError) else EXIT_FAILED
    raise exc


def run_send(args: argparse.Namespace) -> int:
    from .._source import read_stdin
    from .._xml import write_xml
    from ..soap._client import SoapClient

    try:
        opts = client_options(args)
    except _UsageError as exc:
        print(f"isa95kit soap send: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.operation and not args.wsdl:
        print("isa95kit soap send: error: --operation needs --wsdl", file=sys.stderr)
        return EXIT_USAGE
    try:
        payload = read_stdin() if args.file == "-" else _read(args.file)
        if args.wsdl:
            client = SoapClient.from_wsdl(
                args.wsdl, operation=args.operation, address=args.url, **opts
            )
        else:
            client = SoapClient(args.url, **opts)
        with client:
            reply = client.call(payload)
    except Exception as exc:  # sorted by report_failure; anything else is a bug and raises
        return report_failure(exc)
    out = write_xml(reply.message)
    if args.output:
        with open(args.output, "wb") as fh:
            fh.write(out)
    else:
        sys.stdout.buffer.write(out)
        if not out.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
    print(
        f"isa95kit: delivered BODID {reply.bodid} in {reply.attempts} attempt"
        f"{'s' if reply.attempts != 1 else ''} (HTTP {reply.status})",
        file=sys.stderr,
    )
    return EXIT_OK


def _read(path: str) -> bytes:
    from pathlib import Path

    from .._source import read_bytes

    return read_bytes(Path(path))[0]


def run_describe(args: argparse.Namespace) -> int:
    from ..soap._thirdparty import describe_wsdl

    text = describe_wsdl(args.wsdl, slot=args.slot)
    print(text or "no SOAP operations")
    return EXIT_OK
