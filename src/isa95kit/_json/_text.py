"""JSON text in and out: exact numbers, hardened parsing, positions of errors.

Writing: the encoder (text mode) leaves each number as a marker string ``"\\x00<digits>"``;
``json.dumps`` (the C encoder) escapes it to ``"\\u0000<digits>"`` and one regular
expression pass turns those back into bare numbers with the exact digits. The count of
replacements is checked against the count of markers made, so a user string that happens
to look like a marker (it would have to start with U+0000, which XML cannot carry) is an
error, never a silent number.

Reading: ``json.loads`` with numbers kept as their exact text (:class:`~._common.Num`,
never float), ``NaN``/``Infinity`` refused, duplicate keys refused (JSON parsers keep the
last one silently), and characters XML cannot carry refused with their position.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..errors import EncodeError, Location, MalformedDocumentError, MappingError
from ._common import Num, format_path
from ._encode import Deferred, Encoder

__all__ = ["dump_stream", "dumps", "line_column", "loads", "locate"]

_MARKER = re.compile(r'"\\u0000([-+.0-9eE]+)"')
#: escapes of characters XML 1.0 cannot carry: controls, U+FFFE/U+FFFF, lone surrogates
#: (an escape is a backslash preceded by an even number of backslashes)
_BAD_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*\\u(?:000[0-8bBcCeEfF]|001[0-9a-fA-F]|[fF]{3}[eEfF]"
    r"|[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2}))"
    r"|(?<!\\)(?:\\\\)*(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|(?<!\\)(?:\\\\)*\\[bf]"  # the short escapes of backspace and form feed
)
_BAD_CHAR = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def dumps(value: Any, enc: Encoder, *, indent: int | None = None) -> str:
    """JSON text of an encoder (text mode) result, numbers written exactly."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return _numbers(text, enc.numbers)


def _numbers(text: str, expected: int) -> str:
    out, n = _MARKER.subn(r"\1", text)
    if n != expected:
        raise EncodeError(
            "text starting with U+0000 cannot be written: XML and B2MML cannot carry it"
        )
    return out


_DEFERRED = re.compile(r'"\\u0000L(\d+)"')


def dump_stream(value: Any, enc: Encoder, write: Callable[[str], Any]) -> None:
    """Write an encoder result (text mode, ``defer`` set) as compact JSON in pieces.

    Each :class:`Deferred` array is written item by item: an item is encoded, written and
    dropped before the next, so what is held at once is the model plus the JSON of one
    item per open level (never the whole document's dicts or text).
    """
    pending: dict[int, Deferred] = {}
    made = [0, 0]  # placeholders made, numbers written

    def placeholder(obj: Any) -> str:
        if not isinstance(obj, Deferred):
            raise TypeError(f"{type(obj).__name__} is not JSON")
        made[0] += 1
        pending[made[0]] = obj
        return f"\x00L{made[0]}"

    def emit(v: Any) -> None:
        text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=placeholder)
        pieces = _DEFERRED.split(text)
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                out, n = _MARKER.subn(r"\1", piece)
                made[1] += n
                write(out)
                continue
            deferred = pending.pop(int(piece))
            write("[")
            for j, item in enumerate(deferred.items):
                if j:
                    write(",")
                emit(deferred.encode_item(j, item))
            write("]")

    emit(value)
    if pending or made[1] != enc.numbers:
        raise EncodeError(
            "text starting with U+0000 cannot be written: XML and B2MML cannot carry it"
        )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _Duplicate(k)
            seen.add(k)
    return d


def loads(text: str, file: str | None) -> Any:
    """Parse JSON text; malformed or hostile input raises a located error."""
    bad = _BAD_CHAR.search(text)
    if "\\" in text:
        escape = _BAD_ESCAPE.search(text)
        if escape is not None and (bad is None or escape.start() < bad.start()):
            bad = escape
    if bad is not None:
        line, column = line_column(text, bad.start())
        raise MappingError(
            f"a string holds a character XML cannot carry ({bad.group()}); "
            "B2MML text must be XML characters",
            location=Location(file=file, line=line, column=column),
        )
    try:
        return json.loads(
            text,
            parse_float=Num,
            parse_int=Num,
            parse_constant=_no_constants,
            object_pairs_hook=_pairs,
        )
    except json.JSONDecodeError as exc:
        raise MalformedDocumentError(
            f"not well-formed JSON: {exc.msg}",
            location=Location(file=file, line=exc.lineno, column=exc.colno),
        ) from None
    except _Duplicate as exc:
        where = find_duplicate(text)
        location = Location(file=file)
        if where is not None:
            location = Location(file=file, line=where[0], column=where[1], path=where[2])
        raise MalformedDocumentError(
            f"duplicate key {exc.key!r} in an object (JSON parsers would keep only the last)",
            location=location,
        ) from None
    except ValueError as exc:  # parse_constant
        raise MalformedDocumentError(
            f"not well-formed JSON: {exc}", location=Location(file=file)
        ) from None
    except RecursionError:
        raise MalformedDocumentError(
            "JSON nested too deeply", location=Location(file=file)
        ) from None


def line_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


_WS = re.compile(r"[ \t\n\r]*")


def find_duplicate(text: str) -> tuple[int, int, str] | None:
    """Line, column and JSON path of the first repeated key in ``text`` (errors only)."""
    decoder = json.JSONDecoder()

    def ws(pos: int) -> int:
        m = _WS.match(text, pos)
        return m.end() if m else pos

    def value(pos: int, path: list[str | int]) -> tuple[int, tuple[int, int, str] | None]:
        pos = ws(pos)
        if text[pos] == "{":
            pos = ws(pos + 1)
            seen: set[str] = set()
            while text[pos] == '"':
                start = pos
                key, pos = decoder.raw_decode(text, pos)
                if key in seen:
                    line, column = line_column(text, start)
                    return pos, (line, column, format_path([key, *reversed(path)]))
                seen.add(key)
                pos = ws(ws(pos) + 1)
                pos, hit = value(pos, [*path, key])
                if hit is not None:
                    return pos, hit
                pos = ws(pos)
                if text[pos] == ",":
                    pos = ws(pos + 1)
            return pos + 1, None
        if text[pos] == "[":
            pos = ws(pos + 1)
            i = 0
            while text[pos] != "]":
                pos, hit = value(pos, [*path, i])
                if hit is not None:
                    return pos, hit
                pos = ws(pos)
                if text[pos] == ",":
                    pos = ws(pos + 1)
                i += 1
            return pos + 1, None
        _, pos = decoder.raw_decode(text, pos)
        return pos, None

    try:
        return value(0, [])[1]
    except (ValueError, IndexError, RecursionError):
        return None


def locate(text: str, path: list[str | int]) -> tuple[int, int] | None:
    """Line and column of the value at ``path`` (outermost first) in JSON ``text``, or of
    the deepest value on the way that exists. Runs on errors only."""
    decoder = json.JSONDecoder()

    def ws(pos: int) -> int:
        m = _WS.match(text, pos)
        return m.end() if m else pos

    try:
        pos = ws(0)
        for seg in path:
            if isinstance(seg, int):
                if text[pos] != "[":
                    break
                pos = ws(pos + 1)
                for _ in range(seg):
                    _, pos = decoder.raw_decode(text, pos)
                    pos = ws(pos)
                    if text[pos] != ",":
                        return line_column(text, pos)
                    pos = ws(pos + 1)
                continue
            if text[pos] != "{":
                break
            pos = ws(pos + 1)
            found = False
            while text[pos] == '"':
                key, pos = decoder.raw_decode(text, pos)
                pos = ws(pos)
                pos = ws(pos + 1)  # the colon
                if key == seg:
                    found = True
                    break
                _, pos = decoder.raw_decode(text, pos)
                pos = ws(pos)
                if text[pos] == ",":
                    pos = ws(pos + 1)
            if not found:
                break
        return line_column(text, pos)
    except (ValueError, IndexError):
        return None
