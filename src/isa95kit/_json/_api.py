"""Public entry points of the B2MML-JSON codec."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import IO, Any, TypeVar, Union, overload

from .._gc import gc_paused
from .._source import DEFAULT_LIMITS, ParseLimits, describe, read_bytes
from .._xml._config import ReadConfig
from .._xml._side import ensure_side
from .._xml._tables import resolve_class, root_element
from ..errors import (
    EncodeError,
    InvalidSourceError,
    Location,
    MalformedDocumentError,
    MappingError,
    SourceError,
)
from ..model._base import B2MMLModel
from ..model._registry import ELEMENTS, NAMESPACE
from ..versions._model import release_for_namespace
from ._common import ROOT_XMLNS, Fail, format_path
from ._decode import Context, _describe, decoder_for
from ._encode import Encoder, encoder_for, root_members
from ._text import dump_stream, dumps, loads, locate

__all__ = ["dump_json", "from_dict", "read_json", "to_dict", "write_json"]

M = TypeVar("M", bound=B2MMLModel)

#: a path, bytes, JSON text (``str`` starting with ``{``) or a binary/text file
JsonSource = Union[str, bytes, "os.PathLike[str]", IO[bytes], IO[str]]


# -- reading -------------------------------------------------------------------------------------
def _text_of(source: JsonSource, limits: ParseLimits) -> tuple[str, str | None]:
    """The JSON text of ``source`` and a file name for messages.

    A ``str`` is JSON text when it starts (after white space) with a JSON value — ``{``,
    ``[``, a string, a number, ``true``/``false``/``null`` — or spans lines; any other
    ``str`` is a path. Paths and file objects are read in blocks under ``limits``.
    """
    file: str | None = None
    data: str | bytes
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, str) and _is_json_text(source):
        data = source
    elif isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("<"):
        raise MalformedDocumentError(
            "this is XML text, not JSON: read it with isa95kit.read_xml",
            location=Location(line=1, column=1, path="$"),
        )
    elif isinstance(source, (str, os.PathLike)) or _is_binary_file(source):
        data, file = read_bytes(source, limits)  # type: ignore[arg-type]
    elif callable(getattr(source, "read", None)):  # a text file
        file = describe(source)
        data = _read_text(source, limits, file)
    else:
        raise InvalidSourceError(
            f"cannot read a {type(source).__name__}: give a path, bytes, JSON text or a file"
        )
    _check_size(len(data), limits, file)
    if isinstance(data, bytes):
        try:
            data = data.decode(json.detect_encoding(data))
        except UnicodeDecodeError as exc:
            raise MalformedDocumentError(
                f"JSON text is not valid {exc.encoding}: {exc.reason} at byte {exc.start}",
                location=Location(file=file),
            ) from None
    if data[:1] == "\ufeff":
        data = data[1:]
    return data, file


_JSON_START = frozenset('{["-0123456789')


def _is_json_text(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")
    return (
        head[:1] in _JSON_START
        or head.startswith(("true", "false", "null"))
        or "\n" in text
        or not head
    )


def _is_binary_file(source: object) -> bool:
    import io

    return isinstance(source, (io.RawIOBase, io.BufferedIOBase)) or "b" in str(
        getattr(source, "mode", "")
    )


def _read_text(fh: Any, limits: ParseLimits, file: str | None) -> str:
    """A text file object read in blocks, refused as soon as it passes the size limit."""
    parts: list[str] = []
    total = 0
    while True:
        try:
            block = fh.read(1 << 20)
        except (OSError, ValueError) as exc:
            raise SourceError(f"cannot read {file or 'the file object'}: {exc}") from None
        if not block:
            return "".join(parts)
        if isinstance(block, bytes):
            block = block.decode("utf-8")
        total += len(block)
        _check_size(total, limits, file)
        parts.append(block)


def _check_size(size: int, limits: ParseLimits, file: str | None) -> None:
    if size > limits.max_bytes:
        raise MalformedDocumentError(
            f"document of {size} bytes exceeds the limit of {limits.max_bytes} bytes; "
            "raise ParseLimits.max_bytes to read it",
            location=Location(file=file),
        )


def _expected_class(type: Any) -> Any:
    if isinstance(type, str):
        name = ELEMENTS.get(type)
        if name is None:
            raise ValueError(f"{type!r} is not a global B2MML V0701 element")
        return resolve_class(name)
    return type


def _decode(
    data: Any,
    type: Any,
    config: ReadConfig,
    file: str | None,
    text: Callable[[], str] | None,
    consume: bool = False,
) -> B2MMLModel:
    """``data`` -> model; ``text`` gives the JSON text back for error positions."""

    def error(message: str, segments: list[str | int]) -> MappingError:
        line = column = None
        if text is not None:
            where = locate(text(), list(reversed(segments)))
            if where is not None:
                line, column = where
        return MappingError(
            message,
            location=Location(file=file, line=line, column=column, path=format_path(segments)),
        )

    if not isinstance(data, dict):
        raise error(
            'a B2MML-JSON document is an object {"<GlobalElement>": {...}}, '
            f"not {_describe(data)}",
            [],
        )
    element: str | None = None
    nsmap: dict[str | None, str] = {}
    for key, value in data.items():
        if key.startswith("@xmlns:"):
            prefix = key[7:]
            uri = ROOT_XMLNS.get(prefix)
            if uri is None:
                raise error(
                    f"MESA's B2MML-JSON declares only @xmlns:{', @xmlns:'.join(ROOT_XMLNS)}"
                    f" at the top, not {key!r}",
                    [key],
                )
            if value != uri:
                older = release_for_namespace(value) if isinstance(value, str) else None
                hint = (
                    (
                        f": this is a B2MML {older} document; read_json reads the current "
                        "release (V0701)"
                    )
                    if older
                    else ""
                )
                raise error(f"{key} must be {uri!r}, not {value!r}{hint}", [key])
            nsmap[prefix] = uri
        elif key in ELEMENTS:
            if element is not None:
                raise error(f"a document has one root element, not {element!r} and {key!r}", [key])
            element = key
        else:
            raise error(f"{key!r} is not a global B2MML V0701 element", [key])
    if element is None:
        raise error("the document has no root element", [])
    cls: type[B2MMLModel] = resolve_class(ELEMENTS[element])
    if type is not None:
        expected = _expected_class(type)
        if expected is not cls:
            raise error(
                f"expected a {expected.__name__} document, got {element!r} ({cls.__name__})",
                [element],
            )
    ctx = Context(preserve=config.unknown == "preserve", consume=consume)
    try:
        with gc_paused():
            obj: B2MMLModel = decoder_for(cls)(data[element], ctx)
    except Fail as exc:
        exc.segments.append(element)
        raise error(exc.message, exc.segments) from None
    except RecursionError:
        raise MalformedDocumentError(
            "document nested too deeply", location=Location(file=file)
        ) from None
    side = ensure_side(obj)
    side.tag = f"{{{NAMESPACE}}}{element}"
    if nsmap:
        if "b2mml" not in nsmap:
            nsmap[None] = NAMESPACE
        side.nsmap = nsmap
    return obj


@overload
def read_json(source: JsonSource, type: type[M], *, config: ReadConfig | None = None) -> M: ...
@overload
def read_json(
    source: JsonSource, type: str | None = None, *, config: ReadConfig | None = None
) -> B2MMLModel: ...


def read_json(
    source: JsonSource, type: type[M] | str | None = None, *, config: ReadConfig | None = None
) -> B2MMLModel:
    """Read a B2MML-JSON document (MESA's conventions) into the typed model.

    ``source`` is a path, ``bytes``, JSON text or a file. ``type`` (a model class or a
    global element name) checks the root. Numbers are read exactly (never as float).
    Raises :class:`MalformedDocumentError` for text that is not JSON (or has duplicate
    keys), :class:`MappingError` with the JSON path (``$.WorkSchedule.WorkRequest[2]...``),
    line and column for JSON that does not fit the model. ``config.unknown="preserve"``
    keeps unknown attributes (``"@name"``) in the side record; unknown element keys are
    always errors. ``config.limits.max_bytes`` bounds the input size.
    """
    config = config or ReadConfig()
    limits = config.limits or DEFAULT_LIMITS
    text, file = _text_of(source, limits)
    # one pause for parsing and decoding: a collection in between would scan every
    # container the parser just made
    with gc_paused():
        data = loads(text, file)
        again: Callable[[], str]
        if isinstance(source, (str, os.PathLike)) and file is not None:
            del text  # a file: read again for the position of an error, not held meanwhile

            def again() -> str:
                return _text_of(source, limits)[0]
        else:
            held = text

            def again() -> str:
                return held

        obj: B2MMLModel = _decode(data, type, config, file, again, consume=True)
        del data  # released under the pause: the parsed tree is never scanned
    return obj


@overload
def from_dict(data: Any, type: type[M], *, config: ReadConfig | None = None) -> M: ...
@overload
def from_dict(
    data: Any, type: str | None = None, *, config: ReadConfig | None = None
) -> B2MMLModel: ...


def from_dict(
    data: Any, type: type[M] | str | None = None, *, config: ReadConfig | None = None
) -> B2MMLModel:
    """Build the typed model from a B2MML-JSON value already parsed (``{"<Root>": {...}}``).

    Numbers may be ``int`` or :class:`~decimal.Decimal` (parse with
    ``json.loads(text, parse_float=Decimal)``); a ``float`` is an error, as it cannot
    carry an exact decimal. ``data`` is not modified.
    """
    with gc_paused():
        obj: B2MMLModel = _decode(data, type, config or ReadConfig(), None, None)
    return obj


# -- writing -------------------------------------------------------------------------------------
def _encode(obj: B2MMLModel, element: str | None, enc: Encoder) -> dict[str, Any]:
    name = root_element(obj, element)
    top: dict[str, Any] = root_members(obj)
    try:
        with gc_paused():
            top[name] = encoder_for(type(obj))(obj, enc)
    except Fail as exc:
        exc.segments.append(name)
        raise EncodeError(exc.message, location=Location(path=format_path(exc.segments))) from None
    return top


def to_dict(obj: B2MMLModel, *, element: str | None = None) -> dict[str, Any]:
    """The B2MML-JSON value of a model instance: ``{"<Root>": {...}}`` of dicts, lists,
    ``str``, ``bool``, ``None`` and :class:`~decimal.Decimal` numbers (exact).

    ``json.dumps`` cannot write ``Decimal``; use :func:`write_json` for the text.
    """
    return _encode(obj, element, Encoder(text=False))


def write_json(obj: B2MMLModel, *, element: str | None = None, indent: int | None = None) -> bytes:
    """Serialise a model instance to B2MML-JSON (UTF-8 bytes, compact unless ``indent``).

    Keys follow the content model's order; numbers keep their exact digits; dateTimes and
    other lexical forms read from XML or JSON are written exactly as read.
    """
    enc = Encoder(text=True)
    with gc_paused():  # the dicts are made and dropped under one pause: never scanned
        text = dumps(_encode(obj, element, enc), enc, indent=indent)
    return _utf8(text)


def dump_json(obj: B2MMLModel, fh: IO[bytes], *, element: str | None = None) -> None:
    """Write ``obj`` as compact B2MML-JSON to the binary file ``fh``, streaming: long arrays
    are encoded item by item as they are written, so memory holds the model and the JSON
    of one item per level, never the whole document's JSON. The bytes are those of
    :func:`write_json`."""
    enc = Encoder(text=True, defer=_DEFER)
    top = _encode(obj, element, enc)
    buffer: list[str] = []
    size = [0]

    def write(piece: str) -> None:
        buffer.append(piece)
        size[0] += len(piece)
        if size[0] > 1 << 20:
            fh.write(_utf8("".join(buffer)))
            buffer.clear()
            size[0] = 0

    try:
        dump_stream(top, enc, write)
    except Fail:  # an item failed while streaming: the full encoder says where
        _encode(obj, element, Encoder(text=True))
        raise  # pragma: no cover - the full encoder fails the same way
    fh.write(_utf8("".join(buffer)))


#: arrays of at least this many complex children are streamed item by item
_DEFER = 8


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodeError(
            f"text holds a character that cannot be written ({exc.object[exc.start]!r})"
        ) from None
