"""``isa95kit convert IN [--to json|xml] [-o OUT]``: B2MML XML <-> B2MML-JSON.

The input format is detected from the first character (``<`` XML, ``{`` JSON); the output
is the other format unless ``--to`` says otherwise. XML -> JSON and (compact) JSON -> XML
go straight from the parsed input to the output text when they can (``_json/_direct.py``,
``_json/_direct_xml.py``: no model built, the same bytes and errors), converted before
the output is opened. Large files: the input is held once as its parsed tree while the
model is built, then released; JSON is written in pieces straight to the output (see
``docs/json.md`` for the memory bound). Batch conversion (``ConvertTask``) makes the same
bytes in memory with :func:`convert_document` and stores them atomically.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from .._source import read_stdin
from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from ..batch import FileResult


def register(sub: Any) -> None:
    p = sub.add_parser(
        "convert",
        help="convert B2MML XML to B2MML-JSON (MESA's conventions) and back",
        description="Convert a B2MML V0701 document between XML and MESA's B2MML-JSON, "
        "losslessly. The input format is detected; the output is the other one.",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="IN",
        help="input file (XML or JSON), or - for stdin; several files, folders (of *.xml and "
        "*.json), globs or fsspec URLs convert each file, written next to it or under -o DIR",
    )
    p.add_argument("--to", choices=("json", "xml"), help="output format (default: the other one)")
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (default: stdout); for many inputs, the output folder (or URL)",
    )
    p.add_argument("--pretty", action="store_true", help="indent the output")
    p.add_argument(
        "--keep-unknown",
        action="store_true",
        help="keep elements and attributes the model does not know instead of failing",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "jsonl", "junit"),
        default=None,
        help="many inputs: the report on stdout (text, an aggregate json or junit report, or "
        "jsonl: one result per line as files complete)",
    )
    from ._validate import add_batch_options

    add_batch_options(p)
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


def _is_batch(args: argparse.Namespace) -> bool:
    """Many files (or a folder, glob, URL, output folder, --jobs or --dask): batch mode."""
    from ..batch._sources import has_magic, is_url

    inputs: list[str] = args.inputs
    if len(inputs) > 1 or args.jobs is not None or args.dask or args.format:
        return True
    given = inputs[0]
    if given == "-":
        return False
    if is_url(given) or os.path.isdir(given) or (has_magic(given) and not os.path.exists(given)):
        return True
    out = args.output
    return bool(out) and (os.path.isdir(out) or out.endswith(("/", os.sep)) or is_url(out))


def run(args: argparse.Namespace) -> int:
    if _is_batch(args):
        return _convert_many(args)
    args.input = args.inputs[0]
    return _convert_one(args)


def _convert_one(args: argparse.Namespace) -> int:
    from .._xml._config import ReadConfig

    config = ReadConfig(unknown="preserve" if args.keep_unknown else "error")
    if args.input == "-":
        source: Any = read_stdin()  # in blocks, refused once past the size limit
        head = source[:64]
    else:
        with open(args.input, "rb") as fh:
            head = fh.read(64)
        source = args.input
    kind = detect(head)
    if kind is None:
        print(
            f"isa95kit: error: {args.input}: neither XML nor JSON (expected '<' or '{{' first)",
            file=sys.stderr,
        )
        return EXIT_FAILED  # bad content, like malformed XML: 1 in every command
    target = args.to or ("json" if kind == "xml" else "xml")
    obj = _read(source, kind, target, args.pretty, config)
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


class Converted(bytes):
    """The output, converted straight from the input (no model built)."""


def _read(source: Any, kind: str, target: str, pretty: bool, config: Any) -> Any:
    """The input read before any output is opened: the converted bytes when a direct walk
    (``_json/_direct.py``, ``_json/_direct_xml.py``) gives them — the bytes and errors of
    the model path — else the model."""
    if kind == "xml":
        if target == "json":
            from .._json._direct import try_xml_to_json

            text = try_xml_to_json(source, config, 2 if pretty else None)
            if text is not None:
                return Converted(text + b"\n")
        from .._xml import read_xml

        return read_xml(source, config=config)
    if target == "xml" and not pretty:
        from .._json._direct_xml import try_json_to_xml

        text = try_json_to_xml(source, config)
        if text is not None:
            return Converted(text)
    from .._json import read_json

    return read_json(source, config=config)


def convert_document(source: Any, kind: str, target: str, pretty: bool, config: Any) -> bytes:
    """The whole output of converting ``source`` (a path, or the document's bytes) of
    ``kind`` to ``target``, in memory: what ``isa95kit convert IN -o OUT`` writes, byte for
    byte (the direct walk when it can, else the model). Nothing is opened for writing, so a
    caller that stores the result atomically never leaves half a document (the batch
    ``ConvertTask``)."""
    obj = _read(source, kind, target, pretty, config)
    if isinstance(obj, Converted):
        return bytes(obj)
    out = io.BytesIO()
    _write(obj, target, pretty, out)
    return out.getvalue()


def _write(obj: Any, target: str, pretty: bool, out: IO[bytes]) -> None:
    if isinstance(obj, Converted):
        out.write(obj)
        return
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


def _convert_many(args: argparse.Namespace) -> int:
    """Convert every input file; outputs are written atomically, next to each source or
    under ``-o DIR``. Exit 0 all converted, 1 any failed, 2 any unreadable (or usage)."""
    from ..batch import ConvertTask

    task = ConvertTask(
        to=args.to, output_dir=args.output, pretty=args.pretty, keep_unknown=args.keep_unknown
    )
    return run_outputs(args, task, (".xml", ".json"), "convert")


def run_outputs(
    args: argparse.Namespace,
    task: Any,
    suffixes: tuple[str, ...],
    name: str,
    notice: Callable[[FileResult], str | None] | None = None,
) -> int:
    """Run a batch task that writes one output per input (``convert``, ``migrate``) over
    ``args.inputs`` with ``--jobs``/``--dask``, reporting in ``--format``; ``notice`` gives a
    warning line for a file that succeeded (text format). Exit 0 all done, 1 any failed,
    2 any unreadable (or usage)."""
    import json

    from ..batch import BatchRun, expand, junit
    from ..errors import Isa95Error
    from ._validate import _Bar, _in_order, _wants_bar

    if "-" in args.inputs:
        print(f"isa95kit: error: - (stdin) {name}s a single document only", file=sys.stderr)
        return EXIT_USAGE
    try:
        sources = expand(args.inputs, suffixes)
    except Isa95Error as exc:
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or "text"
    total = sum(source.size for source in sources)
    bar = _Bar(len(sources), total) if _wants_bar(len(sources), total) else None
    io_error = failed = False
    with BatchRun(task, sources, jobs=args.jobs, dask=args.dask) as run:
        for result in _in_order(run, fmt == "text"):
            if bar:
                bar.advance(result.size)
            if fmt == "jsonl":
                sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            if result.error is None:
                line = notice(result) if notice is not None and fmt == "text" else None
                if line:
                    if bar:
                        bar.clear()
                    print(f"isa95kit: warning: {line}", file=sys.stderr)
                continue
            io_error = io_error or result.error.io
            failed = True
            if fmt == "text":
                if bar:
                    bar.clear()
                prefix = "cannot read " + result.source + ": " if result.error.io else ""
                print(f"isa95kit: error: {prefix}{result.error}", file=sys.stderr)
        if bar:
            bar.clear()
        results = run.results()
        summary = run.summary
    if fmt == "jsonl":
        sys.stdout.write(json.dumps({"summary": summary.to_dict()}) + "\n")
    elif fmt == "json":
        data = {"summary": summary.to_dict(), "files": [r.to_dict() for r in results]}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "junit":
        sys.stdout.write(junit(results, f"isa95kit {name}"))
    else:
        print(f"isa95kit: {summary}")
    if io_error:
        return EXIT_USAGE
    return EXIT_FAILED if failed else EXIT_OK
