"""Public entry points of the XML codec."""

from __future__ import annotations

import io
import os
from collections.abc import Generator, Iterator
from typing import Any, TypeVar, cast, overload

from .._gc import gc_paused
from .._source import (
    Source,
    _check_size,
    _syntax_error,
    check_no_doctype,
    describe,
    open_stream,
    parse_bytes,
    read_bytes,
)
from ..errors import (
    EncodeError,
    InvalidSourceError,
    Isa95Error,
    Location,
    MalformedDocumentError,
    MappingError,
    SourceError,
)
from ..model._base import B2MMLModel
from ..model._registry import ELEMENTS, NAMESPACE
from ..versions._model import B2MMLVersion, release_for_namespace
from ._config import DEFAULT_READ, DEFAULT_WRITE, ReadConfig, WriteConfig
from ._decode import Decoder, xpath_of
from ._encode import Encoder, default_nsmap
from ._migrated import (
    DownEncoder,
    MigratedDecoder,
    fill_report,
    iter_migrated,
    iter_migrated_streaming,
    read_older_streaming,
)
from ._side import ensure_side, side_of
from ._stream import read_streaming
from ._tables import resolve_class, root_element, spec_of
from ._writer import NeedsTree, write_document

__all__ = ["XmlReader", "XmlWriter", "iter_xml", "read_xml", "write_xml"]

M = TypeVar("M", bound=B2MMLModel)
ModelClass = type[B2MMLModel]


def _load(source: Source, config: ReadConfig) -> tuple[Any, str | None, bytes]:
    """Parse hardened; return (root element, file name, raw bytes for error columns)."""
    data, file = read_bytes(source, config.limits)
    return parse_bytes(data, file), file, data


def b2mml_element(root: Any, file: str | None) -> Any:
    """The B2MML element of a parsed document: the root itself, or the single B2MML element
    inside a wrapper (a SOAP envelope's Body, an MTConnect asset), found the same way as
    ``validate`` and ``info`` find it. A wrapper holding several is refused (read each
    with ``iter_xml`` or open the envelope with ``isa95kit.soap``)."""
    from ..versions import find_b2mml_elements, is_b2mml_namespace

    tag = root.tag
    if tag.startswith("{") and is_b2mml_namespace(tag[1 : tag.index("}")]):
        return root
    found = find_b2mml_elements(root)
    if not found:
        return root  # _class_of_root explains what the root is instead
    if len(found) > 1:
        lines = ", ".join(str(el.sourceline) for el in found[:5])
        raise MappingError(
            f"the <{tag.split('}')[-1]}> wrapper holds {len(found)} B2MML documents "
            f"(lines {lines}); read_xml reads one",
            location=Location(file=file, line=root.sourceline, path=xpath_of(root)),
        )
    return found[0]


def _own_nsmap(el: Any) -> dict[str | None, str]:
    """The namespace declarations a B2MML element taken out of a wrapper needs: its own, and
    those inherited from the wrapper that the element's subtree uses (tags or attributes)."""
    parent = el.getparent()
    if parent is None:
        return dict(el.nsmap)
    inherited = parent.nsmap
    used: set[str] = set()
    for node in el.iter():
        tag = node.tag
        if isinstance(tag, str) and tag.startswith("{"):
            used.add(tag[1 : tag.index("}")])
        for name in node.attrib:
            if name.startswith("{"):
                used.add(name[1 : name.index("}")])
    return {
        prefix: uri
        for prefix, uri in el.nsmap.items()
        if inherited.get(prefix) != uri or uri in used
    }


def _class_of_root(root: Any, file: str | None) -> type[B2MMLModel]:
    tag = root.tag
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    where = Location(file=file, line=root.sourceline, path=f"/{local}[1]")
    if ns != NAMESPACE:
        if release_for_namespace(ns):  # only the streaming reader's first look gets here
            raise _OlderRelease(ns)
        if not ns:
            msg = f"root element <{local}> has no namespace; B2MML V0701 uses {NAMESPACE}"
        else:
            msg = f"root element <{local}> is in namespace {ns}, not B2MML ({NAMESPACE})"
        raise MappingError(msg, location=where)
    name = ELEMENTS.get(local)
    if name is None:
        raise MappingError(f"<{local}> is not a global B2MML V0701 element", location=where)
    cls: type[B2MMLModel] = resolve_class(name)
    return cls


@overload
def read_xml(source: Source, type: type[M], *, config: ReadConfig | None = None) -> M: ...
@overload
def read_xml(
    source: Source, type: str | None = None, *, config: ReadConfig | None = None
) -> B2MMLModel: ...


def read_xml(
    source: Source, type: type[M] | str | None = None, *, config: ReadConfig | None = None
) -> B2MMLModel:
    """Read a B2MML V0701 document into the typed model of its root element.

    ``source`` is a path, ``bytes``, XML text or a binary file. A document wrapped in a
    SOAP envelope or an MTConnect asset is read from its one B2MML element. ``type`` (a model class
    or a global element name) checks the root. Raises :class:`MalformedDocumentError`
    for input that is not well-formed or hostile, :class:`MappingError` (with file, line,
    column and XPath) for input that does not fit the model.
    """
    config = config or DEFAULT_READ
    file = describe(source)

    wanted = type

    def root_class(root: Any) -> ModelClass:
        cls = _class_of_root(root, file)
        if wanted is not None:
            named = isinstance(wanted, str) and wanted in ELEMENTS
            expected = resolve_class(ELEMENTS[wanted]) if named else wanted  # type: ignore[index]
            if isinstance(expected, str) or expected is not cls:
                want = expected if isinstance(expected, str) else expected.__name__
                raise MappingError(
                    f"expected a {want} document, got <{root.tag.split('}')[-1]}> ({cls.__name__})",
                    location=Location(file=file, line=root.sourceline, path=xpath_of(root)),
                )
        return cls

    size = _size_of(source)
    if size is not None and size > config.stream_threshold:
        _check_size(size, config.limits, file)
        stream: Any = io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source)  # type: ignore[arg-type]
        try:
            obj, root = read_streaming(stream, Decoder(config, file), root_class)
        except _OlderRelease:
            try:
                streamed = read_older_streaming(stream, config, file, root_class)
            except Isa95Error:
                # the error the whole tree's migration meets first (migration before
                # decoding, in document order) may lie further on: the tree path raises it
                streamed = None
            if streamed is not None:
                return streamed
            # (or declarations the block scan cannot migrate: the tree path explains)
        else:
            side = ensure_side(obj)
            side.tag = root.tag
            side.nsmap = dict(root.nsmap)
            return obj
    from ..versions._migrate import attach_report, migrate_up_tree

    data: bytes | None
    data, file = read_bytes(source, config.limits)
    root, migration = migrate_up_tree(data, file, strict=config.unknown == "error")
    if migration is None:
        decoder = Decoder(config, file, data)
    else:  # an older release, migrated to V0701 as a tree
        data = None  # columns of the migrated tree would not match the source text
        decoder = MigratedDecoder(config, file, migration)
    obj = decoder.decode_root(root, root_class(root))
    if root.getparent() is not None:  # taken out of a SOAP envelope or MTConnect asset
        ensure_side(obj).nsmap = _own_nsmap(root)
    if migration is not None:
        assert isinstance(decoder, MigratedDecoder)
        migration.report.changes.extend(decoder.missing)
        fill_report(obj, migration.report, config)
        attach_report(obj, migration.report)
    return obj


class _OlderRelease(Exception):
    """The streaming reader met an older release's root: read it through the migration."""


def _size_of(source: Source) -> int | None:
    """Size of a file or bytes source (None for text and file objects: read in one go)."""
    if isinstance(source, bytes):
        return len(source)
    if isinstance(source, os.PathLike) or (isinstance(source, str) and describe(source)):
        try:
            return os.path.getsize(source)
        except (OSError, ValueError):  # the loader reports it as a SourceError
            return None
    return None


def write_xml(
    obj: B2MMLModel,
    *,
    config: WriteConfig | None = None,
    element: str | None = None,
    version: str | None = None,
    strict: bool = False,
) -> bytes:
    """Serialise a model instance to B2MML XML bytes.

    The root element is ``element`` if given, else the one the instance was read from, else
    the global element whose type the class is; it must be a global element of the
    instance's type (:class:`EncodeError` otherwise), as in :func:`isa95kit.write_json`.
    ``version`` (``"V0600"``, ``"V0401"``, ...) writes that older release instead of V0701
    (see docs/migration.md): what it cannot express raises :class:`EncodeError` if
    ``strict``, else it is dropped with a ``MigrationWarning``.
    """
    config = config or DEFAULT_WRITE
    if not isinstance(obj, B2MMLModel):
        raise EncodeError(f"write_xml expects a B2MML model instance, got {type(obj).__name__}")
    tag = f"{{{NAMESPACE}}}{root_element(obj, element)}"
    older = version is not None and version.upper().lstrip("V") not in ("0701", "0700")
    if older:  # an older release is migrated as a tree (versions/_migrate): no string path
        return write_tree(obj, tag, config, version, strict)
    try:
        return write_document(obj, tag, default_nsmap(config.prefix), config)
    except NeedsTree:
        pass  # content the string writer leaves to the tree encoder, or an error it reports
    except EncodeError as exc:  # write_tree names what is missing itself
        missing = _missing_error(obj, tag, exc)
        if missing is None:
            raise
        raise missing from None
    return write_tree(obj, tag, config, version, strict)


def _missing_error(obj: B2MMLModel, tag: str, exc: EncodeError) -> EncodeError | None:
    """An error naming every required V0701 element the instance lacks (with its XPath),
    for a write that failed on the first of them; None for another failure."""
    if "is required" not in str(exc) and "needs at least one item" not in str(exc):
        return None
    from ..versions._migrate import migration_report
    from ._fill import missing_required

    local = tag.split("}", 1)[-1]
    found = missing_required(obj, local)
    if not found:
        return None
    listed = "; ".join(f"{name!r} in {cls} at {path}" for cls, name, path in found[:8])
    more = f" (and {len(found) - 8} more)" if len(found) > 8 else ""
    hint = ""
    origin = migration_report(obj)
    if origin is not None:
        hint = (
            f". The instance was migrated from {origin.source}, which left them optional: "
            f"write it back with version={origin.source.value!r}, or read it with "
            "ReadConfig(fill_missing=True) to fill the missing identifiers"
        )
    return EncodeError(
        f"cannot write B2MML V0701: {len(found)} required element(s) missing: {listed}{more}{hint}",
        location=Location(path=found[0][2]),
    )


def write_tree(
    obj: B2MMLModel,
    tag: str,
    config: WriteConfig,
    version: str | None,
    strict: bool,
    *,
    require: bool = True,
) -> bytes:
    """``write_xml`` through an lxml tree: the reference the string writer is tested against,
    and the path for older releases, other encodings and rare content."""
    from lxml import etree

    older = version is not None and version.upper().lstrip("V") not in ("0701", "0700")
    try:
        if older:
            assert version is not None
            from ..versions._migrate import migrate_down, migration_report
            from ..versions._migrate_tree import down_nsmap

            side = side_of(obj)
            nsmap = side.nsmap if side is not None and side.nsmap else default_nsmap(config.prefix)
            down = DownEncoder(down_nsmap(dict(nsmap), B2MMLVersion.coerce(version)))
            origin = migration_report(obj)
            down.skip_filled = origin is not None and bool(origin.filled)
            encoder: Encoder = down
            encoder.require = False
        else:
            encoder = Encoder()
            encoder.require = require  # False: what is still missing stays out (reported)
        root = encoder.root(obj, tag, default_nsmap(config.prefix))
        if older:
            assert version is not None
            origin = migration_report(obj)
            root, _ = migrate_down(
                root,
                version,
                strict=strict,
                source_root=origin.source_root if origin is not None else None,
            )
        return cast(
            bytes,
            etree.tostring(
                root,
                xml_declaration=config.xml_declaration,
                encoding=config.encoding,
                pretty_print=config.pretty_print,
            ),
        )
    except ValueError as exc:  # lxml: characters XML cannot carry
        if isinstance(exc, EncodeError):
            missing = None if older else _missing_error(obj, tag, exc)
            if missing is not None:
                raise missing from None
            raise
        raise EncodeError(f"cannot write {type(obj).__name__}: {exc}") from None


def iter_xml(
    source: Source, element: str | type[B2MMLModel], *, config: ReadConfig | None = None
) -> Iterator[B2MMLModel]:
    """Yield each ``element`` (e.g. ``"JobOrder"``, or the model class ``JobOrder``) of a
    large document, one at a time.

    Memory stays bounded: every yielded element is cleared from the tree with what came
    before it. Nested occurrences are yielded as part of their outermost one. A name that is
    not a V0701 element raises :class:`MappingError` before anything is read.
    """
    name = element_name(element)  # checked now, not at the first next()
    return _iter_source(source, name, config or DEFAULT_READ)


def _iter_source(source: Source, name: str, config: ReadConfig) -> Iterator[B2MMLModel]:
    stream, file, owned = open_stream(source)
    try:
        try:
            older = _older_root(stream, file)
        except TypeError as exc:  # lxml: the file object returned str
            raise InvalidSourceError(f"cannot read the file object: {exc}") from None
        if older:
            size = _size_of(source)
            if size is not None and size > config.stream_threshold:
                yield from iter_migrated_streaming(source, name, config)
            else:
                yield from iter_migrated(source, name, config)
        else:
            yield from _iter_elements(stream, file, name, config)
    finally:
        if owned:
            stream.close()


def element_name(element: object) -> str:
    """The V0701 element name ``iter_xml`` looks for: a name as given, or a class's element."""
    if isinstance(element, type) and issubclass(element, B2MMLModel):
        names = sorted(k for k, v in ELEMENTS.items() if v == element.__name__)
        if element.__name__ in names or len(names) == 1:
            return element.__name__ if element.__name__ in names else names[0]
        hint = f"one of {', '.join(names)}" if names else "the element name the document uses"
        raise MappingError(
            f"{element.__name__} is not the type of one global B2MML element; pass {hint}"
        )
    if not isinstance(element, str):
        raise MappingError(
            f"iter_xml takes an element name or a model class, not a {type(element).__name__}"
        )
    if element not in _vocabulary():
        import difflib

        close = difflib.get_close_matches(element, sorted(_vocabulary()), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise MappingError(f"{element!r} is not a B2MML V0701 element name{hint}")
    return element


def _vocabulary() -> frozenset[str]:
    from ..versions import B2MMLVersion, element_vocabulary

    return element_vocabulary(B2MMLVersion.V0701)


#: bytes fed to the pull parser at a time (the events of one block are decoded before the next)
_BLOCK = 1 << 16


def _pull(stream: Any, tag: str) -> Generator[tuple[str, Any], None, None]:
    """``("end", element)`` for each element named ``tag``, parsed block by block with a
    hardened pull parser; then ``("root", root)``.

    Every element completed before a syntax error is yielded before the error is raised:
    lxml >= 6.2's ``iterparse`` raised it first, losing the items its read-ahead had parsed.
    """
    from lxml import etree

    parser = etree.XMLPullParser(
        events=("end",),
        tag=tag,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    while True:
        block = stream.read(_BLOCK)
        if isinstance(block, str):
            raise TypeError("the file object returned str; open it in binary mode")
        error: etree.XMLSyntaxError | None = None
        try:
            if block:
                parser.feed(block)
                root = None
            else:
                root = parser.close()
        except etree.XMLSyntaxError as exc:
            error = exc
        yield from parser.read_events()
        if error is not None:
            raise error
        if not block:
            yield "root", root
            return


def decode_occurrence(
    el: Any,
    tag: str,
    element: str,
    classes: dict[tuple[str, ...], type[B2MMLModel]],
    decoder: Decoder,
) -> B2MMLModel | None:
    """Decode one occurrence ``el`` of ``element`` (Clark ``tag``) found in a document;
    None for one inside an outer occurrence (it is decoded with that). ``classes`` caches
    the class of each ancestor path."""
    if any(True for _ in el.iterancestors(tag)):
        return None
    path = tuple(a.tag for a in el.iterancestors())[::-1]
    cls = classes.get(path)
    if cls is None:
        cls = classes[path] = _class_by_path(path, element, el, decoder)
    with gc_paused():
        obj: B2MMLModel = decoder.decode(el, spec_of(cls))
    return obj


def _iter_elements(
    stream: Any, file: str | None, element: str, config: ReadConfig
) -> Iterator[B2MMLModel]:
    from lxml import etree

    tag = f"{{{NAMESPACE}}}{element}"
    decoder = Decoder(config, file)
    classes: dict[tuple[str, ...], type[B2MMLModel]] = {}
    checked = False
    elements = _pull(stream, tag)
    try:
        for event, el in elements:
            if event == "root":  # after the last element
                if not checked and el is not None:  # the element never occurred
                    check_no_doctype(el.getroottree(), file)
                break
            if not checked:
                check_no_doctype(el.getroottree(), file)
                checked = True
            decoder.reset_shared()  # items are independent: keep memory bounded
            obj = decode_occurrence(el, tag, element, classes, decoder)
            if obj is None:
                continue
            el.clear(keep_tail=False)
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
            yield obj
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, file) from None
    except TypeError as exc:  # the file object returned str
        raise InvalidSourceError(f"cannot read the file object: {exc}") from None
    except OSError as exc:
        raise SourceError(f"cannot read {file or 'the file object'}: {exc}") from None
    finally:
        elements.close()


def _older_root(stream: Any, file: str | None) -> bool:
    """Whether the document's root is a B2MML element of an older release (first event only;
    a file object is rewound)."""
    from lxml import etree

    if not isinstance(stream, str) and not (hasattr(stream, "seekable") and stream.seekable()):
        return False  # a pipe cannot be read twice: read as V0701
    if isinstance(stream, str):
        with open(stream, "rb") as fh:
            data = fh.read(1 << 16)
    else:
        position = stream.tell()
        data = stream.read(1 << 16)
        stream.seek(position)
    probe = etree.XMLPullParser(
        events=("start",), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:  # the root's start tag from the first 64 KiB, without reading the stream further
        probe.feed(data)
        head: Any = next((element for _, element in probe.read_events()), None)
    except etree.XMLSyntaxError:
        head = None
    if head is None:
        return False  # the real pass reports it
    tag = head.tag
    return (
        isinstance(tag, str)
        and tag.startswith("{")
        and tag[1 : tag.index("}")] != NAMESPACE
        and release_for_namespace(tag[1 : tag.index("}")]) is not None
    )


def _class_by_path(
    path: tuple[str, ...], element: str, el: Any, decoder: Decoder
) -> type[B2MMLModel]:
    """The class of ``element`` below the ancestors ``path`` (root first)."""
    cls: Any = None
    for i, tag in enumerate(path):
        if cls is None:
            local = tag.split("}", 1)[-1]
            if tag.startswith("{" + NAMESPACE + "}") and local in ELEMENTS:
                cls = resolve_class(ELEMENTS[local])
            continue
        f = spec_of(cls).elements.get(tag)
        if f is None or f.cls is None:
            raise decoder.error(el, f"cannot place <{tag.split('}')[-1]}> (ancestor {i + 1})")
        cls = f.cls
    if cls is not None:
        f = spec_of(cls).elements.get(f"{{{NAMESPACE}}}{element}")
        if f is not None and f.cls is not None:
            return f.cls
    if element in ELEMENTS:
        found: type[B2MMLModel] = resolve_class(ELEMENTS[element])
        return found
    raise MalformedDocumentError(
        f"cannot tell the type of <{element}> at {xpath_of(el)}",
        location=Location(file=decoder.file),
    )


class XmlReader:
    """A reusable B2MML XML reader bound to one :class:`ReadConfig` (xsdata-style pair)."""

    def __init__(self, config: ReadConfig | None = None) -> None:
        self.config = config or DEFAULT_READ

    def read(self, source: Source, type: type[M] | str | None = None) -> B2MMLModel:
        """See :func:`read_xml`."""
        return read_xml(source, type, config=self.config)

    def iter(self, source: Source, element: str) -> Iterator[B2MMLModel]:
        """See :func:`iter_xml`."""
        return iter_xml(source, element, config=self.config)


class XmlWriter:
    """A reusable B2MML XML writer bound to one :class:`WriteConfig`."""

    def __init__(self, config: WriteConfig | None = None) -> None:
        self.config = config or DEFAULT_WRITE

    def write(self, obj: B2MMLModel, *, element: str | None = None) -> bytes:
        """See :func:`write_xml`."""
        return write_xml(obj, config=self.config, element=element)
