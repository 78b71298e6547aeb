"""``isa95kit convert IN [--to json|xml] [-o OUT]``: B2MML XML <-> B2MML-JSON.

The input format is detected from the first character (``<`` XML, ``{`` JSON); the output
is the other format unless ``--to`` says otherwise. Large files: the input is held once as
its parsed tree while the model is built, then released; JSON is written in pieces
straight to the output (see ``docs/json.md`` for the memory bound).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, Any

from . import EXIT_OK, EXIT_USAGE


def register(sub: Any) -> None:
    p = sub.add_parser(
        "convert",
        help="convert B2MML XML to B2MML-JSON (MESA's conventions) and back",
        description="Convert a B2MML V0701 document between XML and MESA's B2MML-JSON, "
        "losslessly. The input format is detected; the output is the other one.",
    )
    p.add_argument("input", metavar="IN", help="input file (XML or JSON), or - for stdin")
    p.add_argument("--to", choices=("json", "xml"), help="output format (default: the other one)")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    p.add_argument("--pretty", action="store_true", help="indent the output")
    p.add_argument(
        "--keep-unknown",
        action="store_true",
        help="keep elements and attributes the model does not know instead of failing",
    )
    p.set_defaults(func=run)


def detect(head: bytes) -> str | None:
    """``"xml"`` or ``"json"`` from the first bytes of a document, or None."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"<":
        return "xml"
    if text[:1] == b"{":
        return "json"
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return detect(head[2:].decode(codec, "ignore").encode("utf-8"))
    return None


def run(args: argparse.Namespace) -> int:
    from .._xml._config import ReadConfig

    config = ReadConfig(unknown="preserve" if args.keep_unknown else "error")
    if args.input == "-":
        source: Any = sys.stdin.buffer.read()
        head = source[:64]
    else:
        with open(args.input, "rb") as fh:
            head = fh.read(64)
        source = args.input
    kind = detect(head)
    if kind is None:
        print(f"isa95kit: error: {args.input}: neither XML nor JSON "
              "(expected '<' or '{' first)", file=sys.stderr)
        return EXIT_USAGE
    target = args.to or ("json" if kind == "xml" else "xml")
    if kind == "xml":
        from .._xml import read_xml

        obj = read_xml(source, config=config)
    else:
        from .._json import read_json

        obj = read_json(source, config=config)
    del source
    if args.output:
        # write beside the target and rename: a failure never leaves half a document
        partial = f"{args.output}.partial"
        try:
            with open(partial, "wb") as out:
                _write(obj, target, args.pretty, out)
            os.replace(partial, args.output)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        return EXIT_OK
    try:
        _write(obj, target, args.pretty, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    except BrokenPipeError:  # the reader stopped early (``| head``): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK


def _write(obj: Any, target: str, pretty: bool, out: IO[bytes]) -> None:
    if target == "json":
        from .._json import dump_json, write_json

        if pretty:
            out.write(write_json(obj, indent=2))
        else:
            dump_json(obj, out)
        out.write(b"\n")
    else:
        from .._xml import write_xml
        from .._xml._config import WriteConfig

        out.write(write_xml(obj, config=WriteConfig(pretty_print=pretty)))
