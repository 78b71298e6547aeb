"""Loading the shipped schema bundles (``isa95kit/xsd/<version>/``), with vendor extensions.

Nothing is ever fetched: every document libxml2 asks for goes through :class:`_Resolver`,
which serves bundle files from the package and the vendor files the caller supplied, under a
private ``isa95kit-xsd:`` URL scheme, and refuses everything else. Vendor schemas are read
before compiling; a ``schemaLocation`` with a URL scheme (``http:``, ``https:``, ``file:``...) is
refused with :class:`SchemaLoadError` instead of being followed.

Vendor extensions (``load_schema(version, extensions=[...])``)
    Each supplied schema is classified by its ``targetNamespace``:

    * the release's extensions namespace (``...-AllExtensions``): a partner's edited copy of an
      ``*Extensions.xsd``. It is included into the extension schema, and every official
      definition it redefines (same kind and name, e.g. ``xsd:group name="Material"``) is
      dropped from the official extension files, so the vendor's groups are used *in place of*
      MESA's empty ones; groups it does not mention stay as published;
    * the release's own namespace (e.g. Rockwell's ``RABatchRecord.xsd``): included into the
      entry schema; its global definitions likewise replace official ones of the same name;
    * any other namespace: imported (vendor namespaces such as ``RABatchRecordExtensions``).

    ``xsd:include``/``xsd:import`` locations in vendor files are rewritten: official file names
    and imports of the release's namespaces go to the bundle, other relative locations to the
    supplied file of that path (or, if not supplied, the local file beside the vendor schema).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .._source import xml_parser
from ..errors import Location
from ._lxml import line_of, log_entries
from ._model import B2MMLVersion, SchemaLoadError

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "bundle_files",
    "clear_cache",
    "element_vocabulary",
    "extension_element_names",
    "global_elements",
    "load_schema",
]

XSD = "http://www.w3.org/2001/XMLSchema"
_INDEX_NS = "{urn:isa95kit:schema-bundle}"
ENTRY = "AllSchemas.xsd"
_SCHEME = "isa95kit-xsd:"
#: the vendor schema set is small; a stray huge file is a mistake, not a schema
_MAX_VENDOR_BYTES = 16 << 20
_MAX_VENDOR_FILES = 64
_EXT_CACHE_SIZE = 16

_lock = threading.RLock()
_base_cache: dict[B2MMLVersion, etree.XMLSchema] = {}
_ext_cache: OrderedDict[tuple[object, ...], etree.XMLSchema] = OrderedDict()


# --------------------------------------------------------------------------- bundle access


def _bundle_dir(version: B2MMLVersion) -> Traversable:
    return resources.files("isa95kit") / "xsd" / version.value


@cache
def bundle_files(version: B2MMLVersion) -> tuple[str, ...]:
    """Names of the schema files in the bundle of ``version``."""
    return tuple(sorted(p.name for p in _bundle_dir(version).iterdir() if p.name.endswith(".xsd")))


def _read_bundle_file(version: B2MMLVersion, name: str) -> bytes:
    if name not in bundle_files(version):
        raise KeyError(name)
    data: bytes = (_bundle_dir(version) / name).read_bytes()
    return data


@cache
def _index(version: B2MMLVersion) -> etree._Element:
    from lxml import etree

    data = (_bundle_dir(version) / "index.xml").read_bytes()
    return etree.fromstring(data, xml_parser())


@cache
def element_vocabulary(version: B2MMLVersion) -> frozenset[str]:
    """Every element name (global and local) the release declares in its namespace."""
    text = _index(version).findtext(f"{_INDEX_NS}elements") or ""
    return frozenset(text.split())


@cache
def global_elements(version: B2MMLVersion) -> frozenset[str]:
    """The global element names of the release: the possible document roots."""
    text = _index(version).findtext(f"{_INDEX_NS}globalElements") or ""
    return frozenset(text.split())


@cache
def extension_entry(version: B2MMLVersion) -> str:
    """File name of the release's complete extension schema (``*-AllExtensions.xsd``)."""
    return _index(version).get("extensionEntry", "")


def _bundle_url(version: B2MMLVersion, name: str) -> str:
    return f"{_SCHEME}/{version.value}/{name}"


# --------------------------------------------------------------------------- resolver


def _make_resolver(
    version: B2MMLVersion, overrides: dict[str, bytes], refused: list[str]
) -> etree.Resolver:
    from lxml import etree

    prefix = f"{_SCHEME}/{version.value}/"

    class _Resolver(etree.Resolver):
        def resolve(  # type: ignore[override]  # lxml-stubs omit the context argument
            self, system_url: str | None, public_id: str | None, context: object
        ) -> object:
            url = system_url or ""
            if url in overrides:
                return self.resolve_string(overrides[url], context, base_url=url)
            if url.startswith(prefix):
                try:
                    data = _read_bundle_file(version, url[len(prefix) :])
                except KeyError:
                    pass
                else:
                    return self.resolve_string(data, context, base_url=url)
            refused.append(url)
            raise OSError(f"isa95kit refuses to load {url!r}")

    return _Resolver()


def _compile(
    version: B2MMLVersion,
    entry: bytes,
    overrides: dict[str, bytes],
    names: dict[str, str] | None = None,
) -> etree.XMLSchema:
    from lxml import etree

    refused: list[str] = []
    parser = xml_parser()
    parser.resolvers.add(_make_resolver(version, overrides, refused))
    entry_url = _bundle_url(version, ENTRY)
    root = etree.fromstring(entry, parser, base_url=entry_url)
    try:
        return etree.XMLSchema(etree.ElementTree(root))
    except etree.XMLSchemaParseError as exc:
        details = tuple(
            _readable(f"{err.filename}:{err.line}: {err.message}", names)
            for err in log_entries(exc.error_log)
            if err.level_name in ("ERROR", "FATAL") or "Failed to" in err.message
        ) or (str(exc),)
        extra = f"; refused to load: {', '.join(refused)}" if refused else ""
        raise SchemaLoadError(
            f"the {version.value} schema bundle with the given extensions does not compile: "
            f"{details[0]}{extra}",
            details=details,
        ) from None


def _readable(text: str, names: dict[str, str] | None) -> str:
    for url, path in (names or {}).items():
        text = text.replace(url, path)
    return text.replace(f"{_SCHEME}/", "isa95kit bundle ")


# --------------------------------------------------------------------------- public


def load_schema(
    version: B2MMLVersion | str,
    *,
    extensions: Sequence[str | os.PathLike[str]] = (),
) -> etree.XMLSchema:
    """The compiled schema of ``version``: its bundle, plus vendor ``extensions`` if given.

    Compiled once and cached (per version; per version and extension file contents when
    extensions are given). The returned :class:`lxml.etree.XMLSchema` is shared: its
    ``error_log`` belongs to the last validation, so use :func:`validate_schema` (which
    locks) or your own lock when validating from several threads.

    Raises ``ValueError`` for an unknown version, :class:`SchemaLoadError` when an extension
    schema cannot be read, refers to a URL, or does not compile with the bundle.
    """
    v = B2MMLVersion.coerce(version)
    if isinstance(extensions, (str, os.PathLike)):
        extensions = (extensions,)
    if not extensions:
        with _lock:
            schema = _base_cache.get(v)
            if schema is None:
                schema = _compile(v, _read_bundle_file(v, ENTRY), {})
                _base_cache[v] = schema
            return schema
    vendor = _collect_vendor_files(v, [Path(os.fspath(p)) for p in extensions])
    key: tuple[object, ...] = (
        v,
        tuple((str(f.path), hashlib.sha256(f.data).hexdigest()) for f in vendor),
    )
    with _lock:
        cached = _ext_cache.get(key)
        if cached is not None:
            _ext_cache.move_to_end(key)
            return cached
        schema = _compile_with_vendor(v, vendor)
        _ext_cache[key] = schema
        while len(_ext_cache) > _EXT_CACHE_SIZE:
            _ext_cache.popitem(last=False)
        return schema


def extension_element_names(
    version: B2MMLVersion | str, extensions: Sequence[str | os.PathLike[str]]
) -> frozenset[str]:
    """Element names that vendor ``extensions`` declare in the release namespace itself."""
    v = B2MMLVersion.coerce(version)
    if not extensions:
        return frozenset()
    vendor = _collect_vendor_files(v, [Path(os.fspath(p)) for p in extensions])
    return frozenset(
        decl.get("name") or ""
        for f in vendor
        if f.namespace == v.namespace
        for decl in f.root.iter(f"{{{XSD}}}element")
        if decl.get("name")
    )


def clear_cache() -> None:
    """Forget every compiled schema (for tests and long-running processes)."""
    with _lock:
        _base_cache.clear()
        _ext_cache.clear()


# --------------------------------------------------------------------------- vendor files


@dataclass
class _VendorFile:
    path: Path
    data: bytes
    root: etree._Element
    supplied: bool
    url: str = ""

    @property
    def namespace(self) -> str | None:
        return self.root.get("targetNamespace")


_REFERENCES = frozenset(f"{{{XSD}}}{r}" for r in ("include", "import", "redefine", "override"))


def _references(root: etree._Element) -> Iterable[etree._Element]:
    for child in root:
        if child.tag in _REFERENCES:
            yield child


def _has_scheme(location: str) -> bool:
    parts = urlsplit(location)
    # a Windows drive letter ("C:\\...") parses as a one-letter scheme
    return bool(parts.scheme) and len(parts.scheme) > 1


def _read_vendor(path: Path, referenced_by: Path | None) -> _VendorFile:
    from lxml import etree

    where = f" (referenced by {referenced_by})" if referenced_by else ""
    try:
        size = path.stat().st_size
        if size > _MAX_VENDOR_BYTES:
            raise SchemaLoadError(
                f"extension schema {path} is {size} bytes; refusing more than {_MAX_VENDOR_BYTES}",
                location=Location(file=str(path)),
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SchemaLoadError(
            f"cannot read extension schema {path}{where}: {exc.strerror or exc}",
            location=Location(file=str(path)),
        ) from None
    try:
        root = etree.fromstring(data, xml_parser(), base_url=str(path))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise SchemaLoadError(
            f"extension schema {path} is not well-formed XML: {exc}",
            location=Location(file=str(path), line=line or None, column=column or None),
        ) from None
    if root.tag != f"{{{XSD}}}schema":
        raise SchemaLoadError(
            f"{path}{where} is not an XML schema (root element {root.tag})",
            location=Location(file=str(path), line=line_of(root)),
        )
    return _VendorFile(path, data, root, supplied=referenced_by is None)


def _collect_vendor_files(version: B2MMLVersion, paths: Sequence[Path]) -> list[_VendorFile]:
    """Read the supplied schemas and the local files they refer to (never a URL)."""
    supplied = [p.resolve() for p in paths]
    files: dict[Path, _VendorFile] = {}
    queue: list[tuple[Path, Path | None]] = [(p, None) for p in supplied]
    while queue:
        path, referenced_by = queue.pop(0)
        if path in files:
            continue
        if len(files) >= _MAX_VENDOR_FILES:
            raise SchemaLoadError(f"more than {_MAX_VENDOR_FILES} extension schemas")
        vendor = _read_vendor(path, referenced_by)
        files[path] = vendor
        for ref in _references(vendor.root):
            location = (ref.get("schemaLocation") or "").strip()
            if not location:
                continue
            if _has_scheme(location):
                raise SchemaLoadError(
                    f"{path} refers to {location!r}: isa95kit never fetches schemas from the "
                    "network; supply that schema as a local file in extensions=",
                    location=Location(file=str(path), line=line_of(ref)),
                )
            target = (path.parent / location).resolve()
            if target in supplied or _official_target(version, ref, location) is None:
                queue.append((target, path))
    return list(files.values())


def _official_target(version: B2MMLVersion, ref: etree._Element, location: str) -> str | None:
    """The bundle file a vendor reference means, or None for a vendor-local file."""
    if ref.tag == f"{{{XSD}}}import":
        ns = ref.get("namespace")
        if ns == version.namespace:
            return ENTRY
        if ns == version.extension_namespace:
            return extension_entry(version)
    name = location.replace("\\", "/").rsplit("/", 1)[-1]
    return name if name in bundle_files(version) else None


def _kind(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(f"{{{XSD}}}"):
        return ""
    kind = tag[len(XSD) + 2 :]
    return "type" if kind in ("complexType", "simpleType") else kind


def _global_names(root: etree._Element) -> set[tuple[str, str]]:
    return {
        (_kind(child), child.get("name") or "")
        for child in root
        if _kind(child) in ("type", "element", "attribute", "group", "attributeGroup")
        and child.get("name")
    }


def _drop_definitions(root: etree._Element, names: set[tuple[str, str]]) -> int:
    dropped = 0
    for child in list(root):
        if (_kind(child), child.get("name") or "") in names:
            root.remove(child)
            dropped += 1
    return dropped


def _compile_with_vendor(version: B2MMLVersion, vendor: list[_VendorFile]) -> etree.XMLSchema:
    from lxml import etree

    main_ns, ext_ns = version.namespace, version.extension_namespace
    ext_entry = extension_entry(version)
    by_path = {f.path: f for f in vendor}
    for i, f in enumerate(vendor):
        f.url = f"{_SCHEME}/vendor{i}/{f.path.name}"
    readable = {f.url: str(f.path) for f in vendor}

    # one document per vendor namespace (XSD processors load a namespace once): the supplied
    # file, or a wrapper including all supplied files of that namespace
    foreign: dict[str, list[_VendorFile]] = {}
    for f in vendor:
        if f.supplied and f.namespace and f.namespace not in (main_ns, ext_ns):
            foreign.setdefault(f.namespace, []).append(f)
    foreign_url: dict[str, str] = {}
    overrides: dict[str, bytes] = {}
    for i, (ns, group) in enumerate(foreign.items()):
        if len(group) == 1:
            foreign_url[ns] = group[0].url
            continue
        url = f"{_SCHEME}/vendor-ns{i}/wrapper.xsd"
        wrapper = etree.Element(f"{{{XSD}}}schema", targetNamespace=ns)
        for f in group:
            etree.SubElement(wrapper, f"{{{XSD}}}include", schemaLocation=f.url)
        overrides[url] = etree.tostring(wrapper)
        foreign_url[ns] = url

    # point every reference of the vendor files at a URL the resolver serves
    for f in vendor:
        for ref in _references(f.root):
            location = (ref.get("schemaLocation") or "").strip()
            imported = ref.get("namespace")
            if ref.tag == f"{{{XSD}}}import" and imported is not None and imported in foreign_url:
                ref.set("schemaLocation", foreign_url[imported])
            elif location:
                target = _official_target(version, ref, location)
                local = by_path.get((f.path.parent / location).resolve())
                if local is not None and (local.supplied or target is None):
                    ref.set("schemaLocation", local.url)
                else:
                    ref.set("schemaLocation", _bundle_url(version, target or ENTRY))
        overrides[f.url] = etree.tostring(f.root)

    # vendor definitions replace official ones of the same kind and name
    replaced: dict[str, set[tuple[str, str]]] = {main_ns: set(), ext_ns: set()}
    for f in vendor:
        if f.namespace in replaced:
            replaced[f.namespace or ""] |= _global_names(f.root)
    parsed: dict[str, etree._Element] = {}
    for name in bundle_files(version):
        root = etree.fromstring(_read_bundle_file(version, name), xml_parser())
        parsed[name] = root
        names = replaced.get(root.get("targetNamespace") or "")
        if names and _drop_definitions(root, names):
            overrides[_bundle_url(version, name)] = etree.tostring(root)

    entry, ext = parsed[ENTRY], parsed[ext_entry]
    for f in vendor:
        if not f.supplied:
            continue
        if f.namespace in (main_ns, None):
            etree.SubElement(entry, f"{{{XSD}}}include", schemaLocation=f.url)
        elif f.namespace == ext_ns:
            etree.SubElement(ext, f"{{{XSD}}}include", schemaLocation=f.url)
    for ns, url in foreign_url.items():
        etree.SubElement(entry, f"{{{XSD}}}import", namespace=ns, schemaLocation=url)
    overrides[_bundle_url(version, ext_entry)] = etree.tostring(ext)
    return _compile(version, etree.tostring(entry), overrides, readable)
