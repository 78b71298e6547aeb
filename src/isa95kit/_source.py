"""Input sources and the hardened XML parser shared by every reader.

A *source* is a path (``str`` not starting with ``<`` or ``os.PathLike``), ``bytes``,
XML text (``str`` starting with ``<``) or a binary file object. Parsing is hardened:
no DTD loading, no entity expansion, no network, libxml2's depth limit (256) kept,
and a size limit checked before parsing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Union

from .errors import (
    InvalidSourceError,
    Isa95Error,
    Location,
    MalformedDocumentError,
    SourceError,
    SourceNotFoundError,
)

if TYPE_CHECKING:
    from lxml import etree

Source = Union[str, bytes, "os.PathLike[str]", IO[bytes]]

__all__ = [
    "DEFAULT_LIMITS",
    "ParseLimits",
    "Source",
    "describe",
    "open_stream",
    "parse_bytes",
    "parse_xml",
    "read_bytes",
    "xml_parser",
]


@dataclass(frozen=True)
class ParseLimits:
    """Limits applied to untrusted XML. ``max_bytes`` bounds whole-document parsing.

    Nesting depth is bounded by libxml2 itself: it refuses documents deeper than 256
    levels unless ``huge_tree`` is set, which isa95kit never does (so the bound is fixed;
    B2MML documents stay far below it). The same setting caps single text nodes at 10 MB.
    """

    max_bytes: int = 1 << 30
    #: attributes on one element (B2MML's have at most a handful); checked before they are read
    max_attributes: int = 256


DEFAULT_LIMITS = ParseLimits()


def describe(source: object) -> str | None:
    """A file name for error messages, or None for in-memory input."""
    if isinstance(source, os.PathLike):
        return str(os.fspath(source))
    if isinstance(source, str) and not source.lstrip("\ufeff \t\r\n").startswith("<"):
        return source
    name: object = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def xml_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """A new hardened lxml parser (parsers are not thread-safe; make one per use)."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=remove_blank_text,
        collect_ids=False,
    )


def _syntax_error(exc: Exception, file: str | None) -> MalformedDocumentError:
    line, column = getattr(exc, "position", (None, None))
    msg = getattr(exc, "msg", None) or str(exc)
    return MalformedDocumentError(
        f"not well-formed XML: {msg}",
        location=Location(file=file, line=line, column=column),
    )


#: how far into a document its prolog (declaration, comments, DOCTYPE) is looked for
_PROLOG_BYTES = 1 << 16
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.S)


def declares_doctype(head: bytes) -> bool:
    """Whether the prolog in ``head`` (the document's first bytes) has a DOCTYPE — also when
    the parser gave up inside it (a parameter entity, an unreadable external subset)."""
    return _PROLOG.match(head) is not None


def _dtd_refused(file: str | None, line: int | None = 1) -> MalformedDocumentError:
    return MalformedDocumentError(
        "document type declarations (DTDs) are not allowed in B2MML input; "
        "entities are never expanded and nothing is fetched",
        location=Location(file=file, line=line),
    )


def doctype_line(data: bytes) -> int | None:
    """The line of the document's ``<!DOCTYPE`` (in its prolog), or None."""
    at = data.find(b"<!DOCTYPE", 0, _PROLOG_BYTES)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None


def check_no_doctype(tree: etree._ElementTree, file: str | None) -> None:
    """Refuse documents carrying a DTD: B2MML never needs one, attacks always do."""
    info = tree.docinfo
    if getattr(info, "doctype", "") or info.internalDTD is not None:
        raise _dtd_refused(file)


def read_bytes(source: Source, limits: ParseLimits = DEFAULT_LIMITS) -> tuple[bytes, str | None]:
    """The document's bytes and file name, size-checked before anything is parsed.

    XML text is encoded as UTF-8 with its declaration dropped (an encoding declaration
    would contradict the re-encoding).
    """
    file = describe(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, str) and file is None:
        try:
            data = _strip_decl(source.encode("utf-8"))
        except UnicodeEncodeError as exc:  # a lone surrogate: not text XML can carry
            raise MalformedDocumentError(
                f"the text holds a character UTF-8 cannot encode at index {exc.start} "
                f"({source[exc.start]!r})"
            ) from None
    elif isinstance(source, (str, os.PathLike)):
        path = _usable_path(source, file)
        try:
            _check_size(os.path.getsize(path), limits, file)
            with open(path, "rb") as fh:
                data = _read_limited(fh, limits, file)
        except OSError as exc:
            raise source_error(path, exc) from None
    elif callable(getattr(source, "read", None)):
        try:
            data = _read_limited(source, limits, file)
        except Isa95Error:
            raise
        except (OSError, ValueError) as exc:
            raise SourceError(f"cannot read the file object: {exc}") from None
    else:
        raise InvalidSourceError(
            f"cannot read a {type(source).__name__}: give a path, bytes, XML text "
            "or a binary file object"
        )
    _check_size(len(data), limits, file)
    return data, file


def open_stream(source: Source) -> tuple[IO[bytes], str | None, bool]:
    """A binary stream over ``source`` for incremental readers: (stream, file name, whether
    the caller must close it). The same sources and the same errors as :func:`read_bytes`,
    without reading the document whole (incremental readers bound memory themselves)."""
    import io

    file = describe(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source)), file, True
    if isinstance(source, str) and file is None:
        data, _ = read_bytes(source, ParseLimits(max_bytes=len(source) * 4 + 1))
        return io.BytesIO(data), file, True
    if isinstance(source, (str, os.PathLike)):
        path = _usable_path(source, file)
        try:
            return open(path, "rb"), file, True  # the caller closes it
        except OSError as exc:
            raise source_error(path, exc) from None
    if callable(getattr(source, "read", None)):
        return source, file, False
    raise InvalidSourceError(
        f"cannot read a {type(source).__name__}: give a path, bytes, XML text "
        "or a binary file object"
    )


def read_stdin(limits: ParseLimits = DEFAULT_LIMITS) -> bytes:
    """Standard input's bytes, read in blocks and refused as soon as they pass the limit
    (a 2 GB pipe is refused after ``max_bytes``, not after reading it all)."""
    import sys

    try:
        return _read_limited(sys.stdin.buffer, limits, "<stdin>")
    except OSError as exc:
        raise SourceError(f"cannot read standard input: {exc}") from None


def _usable_path(source: str | os.PathLike[str], file: str | None) -> str:
    path = os.fspath(source)
    if not isinstance(path, str) or "\0" in path:
        raise SourceError(f"cannot read {path!r}: not a usable path", location=Location(file))
    return path


def source_error(path: str, exc: OSError) -> SourceError:
    """An OSError of reading ``path`` as the Isa95Error the API raises (errno kept)."""
    cls = SourceNotFoundError if isinstance(exc, FileNotFoundError) else SourceError
    err = cls(f"cannot read {path}: {exc.strerror or exc}", location=Location(file=path))
    err.errno, err.strerror, err.filename = exc.errno, exc.strerror, path
    return err


def _read_limited(fh: IO[bytes], limits: ParseLimits, file: str | None) -> bytes:
    """Read in blocks, refusing as soon as the size limit is passed (never read it all first)."""
    parts: list[bytes] = []
    total = 0
    while True:
        block = fh.read(_BLOCK)
        if not block:
            break
        if not isinstance(block, bytes):
            raise InvalidSourceError(
                f"the file object returned {type(block).__name__}, not bytes: "
                "open it in binary mode"
            )
        total += len(block)
        _check_size(total, limits, file)
        parts.append(block)
    return b"".join(parts)


#: block size of reading file objects and files
_BLOCK = 1 << 20


def parse_bytes(data: bytes, file: str | None) -> etree._Element:
    """Parse with the hardened parser; refuse DTDs; syntax errors carry line and column."""
    from lxml import etree

    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        if declares_doctype(data[:_PROLOG_BYTES]):  # the parser gave up inside the DTD
            raise _dtd_refused(file, doctype_line(data) or 1) from None
        raise _syntax_error(exc, file) from None
    try:
        check_no_doctype(root.getroottree(), file)
    except MalformedDocumentError:
        raise _dtd_refused(file, doctype_line(data) or 1) from None
    return root


def parse_xml(source: Source, *, limits: ParseLimits = DEFAULT_LIMITS) -> etree._ElementTree:
    """Parse a whole document with the hardened parser.

    Raises :class:`MalformedDocumentError` (with line and column) for input that is not
    well-formed, too big, too deep or carries a DTD.
    """
    data, file = read_bytes(source, limits)
    return parse_bytes(data, file).getroottree()


def _strip_decl(data: bytes) -> bytes:
    if data.startswith(b"<?xml"):
        end = data.find(b"?>")
        if end != -1:
            return data[end + 2 :]
    return data


def _check_size(size: int, limits: ParseLimits, file: str | None) -> None:
    if size > limits.max_bytes:
        raise MalformedDocumentError(
            f"document of {size} bytes exceeds the limit of {limits.max_bytes} bytes; "
            "use iter_xml() to stream it or raise ParseLimits.max_bytes",
            location=Location(file=file),
        )
