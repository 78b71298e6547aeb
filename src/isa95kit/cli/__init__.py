"""The ``isa95kit`` command line: a thin layer over the public API.

Each sub-command lives in its own private module ``_<name>.py`` that defines
``register(subparsers)``. Errors are reported as one clear line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import io
import os
import sys
from collections.abc import Sequence

from ..errors import Isa95Error

#: sub-commands in help order; a name whose module is absent is skipped
_COMMANDS = (
    "info",
    "validate",
    "convert",
    "migrate",
    "diff",
    "units",
    "bom",
    "soap",
    "outbox",
)

#: exit codes shared by every sub-command
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="isa95kit",
        description="ISA-95 / B2MML data exchange: inspect, validate, convert, units.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"isa95kit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _COMMANDS:
        module_name = f"{__name__}._{name}"
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        code = int(args.func(args))
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # the reader stopped early (``| head``): not an error
        _silence_stdout()
        return EXIT_OK
    except Isa95Error as exc:
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, OSError) else EXIT_FAILED  # I/O: exit 2
    except (OSError, UnicodeError) as exc:
        print(f"isa95kit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("isa95kit: interrupted", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at devnull so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # no real file descriptor
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
