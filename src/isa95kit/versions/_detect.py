"""Version detection: find the B2MML element(s) of a document and tell which release they use.

Structure heuristic (documented in docs/schema-bundles.md)
    Each bundle's ``index.xml`` lists every element name its release declares (global and
    local). For a B2MML element, the local names of all elements in its subtree that are in
    its namespace are compared with those vocabularies:

    * shared V07 namespace: the release (V0700 or V0701) that leaves fewer names undeclared
      wins (``decided_by="structure"``); on a tie the ``prefer`` option decides
      (``decided_by="preference"``);
    * mismatch: when the declared release leaves names undeclared and another release declares
      strictly more of them, a :class:`StructureMismatch` lists those names and the releases
      that know them (e.g. a V0600-namespaced document using V0401-only names). Names no
      release declares (typos, vendor elements in the B2MML namespace) are not evidence.

    The heuristic looks at names only; types and enumerations that changed without a renamed
    element are left to schema validation (:func:`validate_schema` re-checks the other V07
    release when the preferred one rejects a document the names could not place).
"""

from __future__ import annotations

import copy
import functools
import re
from typing import TYPE_CHECKING

from .._source import Source, describe, parse_xml
from ..errors import Location, MappingError
from ._bundles import element_vocabulary, global_elements
from ._lxml import line_of
from ._model import (
    B2MMLVersion,
    DecidedBy,
    StructureMismatch,
    VersionInfo,
    is_b2mml_namespace,
    versions_for_namespace,
)

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "V0400",
    "as_element",
    "as_v0401",
    "detect_version",
    "find_b2mml_elements",
    "info_for_element",
    "is_v0400_namespace",
    "structure_mismatch",
    "quick_info",
    "substitute_v0400",
    "telling_tags",
    "v0400_note",
]

_ORDER = {v: i for i, v in enumerate(B2MMLVersion)}
#: how many more element names another release must declare before a mismatch is reported
#: (one is enough when it is the root element, which then has no global declaration)
_MIN_MARGIN = 2

#: B2MML V0400, the release before V0401, in the namespace its documents use in the wild
#: (``http://www.wbf.org/xml/b2mml-v0400``, lower case; upper-case and www.mesa.org spellings
#: are accepted too). isa95kit has no V0400 schema: such a document is read as V0401 (its
#: corrected successor), through the V0401 bundle and migration rules where they agree.
V0400 = "V0400"
_V0400_NS = re.compile(r"^https?://www\.(?:wbf|mesa)\.org/xml/b2mml-v0400/?$", re.IGNORECASE)
#: ``xmlns[:p]="<a V0400 namespace or its -extensions / -AllExtensions namespace>"``
_V0400_DECLARATION = re.compile(
    rb"""(\sxmlns(?::[A-Za-z_][-\w.]*)?\s*=\s*)(["'])"""
    rb"""(https?://www\.(?:wbf|mesa)\.org/xml/b2mml-v0400)(-(?:all)?extensions)?(/?)\2""",
    re.IGNORECASE,
)


def is_v0400_namespace(namespace: str | None) -> bool:
    """True for a B2MML V0400 namespace (read as V0401)."""
    return bool(namespace) and _V0400_NS.match(namespace or "") is not None


def v0400_note(namespace: str) -> str:
    """What reading a V0400 element as V0401 means, for reports and issues."""
    return (
        f"namespace {namespace} is B2MML V0400, older than the releases isa95kit has schemas "
        "for: it is read as V0401 (V0401's schema and migration rules apply where the releases "
        "agree; what V0401 does not declare is reported)"
    )


def substitute_v0400(data: bytes) -> tuple[bytes, str | None]:
    """The document with its V0400 namespace declarations declaring V0401's namespaces
    instead (``-extensions`` and ``-AllExtensions`` both become V0401's extension namespace),
    and the V0400 namespace found (None, and ``data`` unchanged, if there is none)."""
    if b"-v0400" not in data and b"-V0400" not in data:  # memchr-fast for the others
        return data, None
    found: list[str] = []
    own = B2MMLVersion.V0401.namespace.encode()

    def swap(m: re.Match[bytes]) -> bytes:
        if not m.group(4):
            found.append((m.group(3) + m.group(5)).decode("ascii"))
        uri = own + (b"-AllExtensions" if m.group(4) else b"")
        return m.group(1) + m.group(2) + uri + m.group(2)

    out = _V0400_DECLARATION.sub(swap, data)
    return (out, found[0]) if found else (data, None)


def as_v0401(element: etree._Element) -> etree._Element:
    """A copy of a V0400 element in V0401's namespaces (source lines kept), to validate
    against the V0401 bundle; other elements are returned as they are."""
    from lxml import etree

    ns = _namespace(element)
    if not is_v0400_namespace(ns):
        return element
    v0401, v0401_ext = B2MMLVersion.V0401.namespace, B2MMLVersion.V0401.extension_namespace
    moved = {str(ns): v0401}
    for uri in set(element.nsmap.values()):
        if uri.lower().startswith(str(ns).lower().rstrip("/") + "-"):
            moved[uri] = v0401_ext  # its -extensions / -AllExtensions namespace
    prefixes = {"{" + old + "}": "{" + new + "}" for old, new in moved.items()}

    def renamed(tag: str) -> str:
        for old, new in prefixes.items():
            if tag.startswith(old):
                return new + tag[len(old) :]
        return tag

    def copy_into(source: etree._Element, parent: etree._Element) -> None:
        for child in source:
            if not isinstance(child.tag, str):  # comments, processing instructions
                parent.append(copy.copy(child))
                continue
            attrib = {str(k): str(v) for k, v in child.attrib.items()}
            el = etree.SubElement(parent, renamed(child.tag), attrib)
            el.text, el.tail, el.sourceline = child.text, child.tail, child.sourceline
            copy_into(child, el)

    # rebuilt element by element, so that the names take the prefixes of the declarations
    # (libxml2's messages and paths then read like those of a V0401 document)
    nsmap = {p: moved.get(u, u) for p, u in element.nsmap.items()}
    attrib = {str(k): str(v) for k, v in element.attrib.items()}
    root = etree.Element(renamed(str(element.tag)), attrib, nsmap=nsmap)  # type: ignore[arg-type]
    root.text, root.sourceline = element.text, element.sourceline
    copy_into(element, root)
    return root


def as_element(
    source_or_element: Source | etree._Element | etree._ElementTree,
) -> tuple[etree._Element, str | None]:
    """The element to work on and the file name for messages (parsing a source if needed)."""
    from lxml import etree

    if isinstance(source_or_element, etree._ElementTree):
        root = source_or_element.getroot()
        return root, source_or_element.docinfo.URL
    if isinstance(source_or_element, etree._Element):
        if not isinstance(source_or_element.tag, str):
            raise TypeError("expected an element, got a comment or processing instruction")
        return source_or_element, source_or_element.getroottree().docinfo.URL
    tree = parse_xml(source_or_element)
    return tree.getroot(), describe(source_or_element)


def _namespace(element: etree._Element) -> str | None:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1 : tag.index("}")]
    return None


def find_b2mml_elements(root_element: etree._Element | etree._ElementTree) -> list[etree._Element]:
    """``[root]`` for a B2MML document, else the outermost B2MML elements inside the wrapper.

    A B2MML element is one in a WBF/MESA B2MML or BatchML document namespace, whether or not
    isa95kit has a schema for it (so that an unsupported release is reported, not skipped).
    Wrappers are e.g. a SOAP envelope or an MTConnect ``Assets`` document; the elements are
    returned in document order, and nothing inside a found element is searched further.
    """
    from lxml import etree

    root = root_element.getroot() if isinstance(root_element, etree._ElementTree) else root_element
    if is_b2mml_namespace(_namespace(root)):
        return [root]
    found: list[etree._Element] = []
    stack = [child for child in reversed(root) if isinstance(child.tag, str)]
    while stack:
        element = stack.pop()
        if is_b2mml_namespace(_namespace(element)):
            found.append(element)
        else:
            stack.extend(child for child in reversed(element) if isinstance(child.tag, str))
    return found


def _names_in(element: etree._Element, namespace: str) -> frozenset[str]:
    cut = len(namespace) + 2
    return frozenset(str(el.tag)[cut:] for el in element.iter(f"{{{namespace}}}*"))


def _mismatch(
    names: frozenset[str],
    declared: B2MMLVersion,
    root_name: str,
) -> StructureMismatch | None:
    undeclared = names - element_vocabulary(declared)
    if not undeclared:
        return None
    remaining = {v: len(names - element_vocabulary(v)) for v in B2MMLVersion if v is not declared}
    best = min(remaining.values())
    margin = len(undeclared) - best
    likely = tuple(v for v in B2MMLVersion if remaining.get(v) == best)
    root_elsewhere = root_name in undeclared and any(
        root_name in global_elements(v) for v in likely
    )
    if margin < _MIN_MARGIN and not (margin > 0 and root_elsewhere):
        return None
    known_somewhere = frozenset().union(*(element_vocabulary(v) for v in B2MMLVersion))
    return StructureMismatch(
        declared=declared,
        likely=likely,
        names=tuple(
            sorted(n for n in undeclared if any(n in element_vocabulary(v) for v in likely))
        ),
        unknown=tuple(sorted(undeclared - known_somewhere)),
    )


def structure_mismatch(
    element: etree._Element | etree._ElementTree,
    version: B2MMLVersion | str | None = None,
    *,
    prefer: B2MMLVersion | str = B2MMLVersion.V0701,
) -> StructureMismatch | None:
    """Whether the element names of a B2MML element belong to another release than ``version``.

    ``version`` defaults to the one :func:`detect_version` picks. ``None`` means no evidence
    of another release (which is not the same as valid). See the module docstring.
    """
    el, file = as_element(element)
    if version is None:
        return info_for_element(el, prefer=prefer, file=file).mismatch
    ns = _namespace(el) or ""
    return _mismatch(_names_in(el, ns), B2MMLVersion.coerce(version), str(el.tag)[len(ns) + 2 :])


def _prefer(candidates: tuple[B2MMLVersion, ...], prefer: B2MMLVersion | str) -> B2MMLVersion:
    wanted = B2MMLVersion.coerce(prefer)
    return wanted if wanted in candidates else max(candidates, key=_ORDER.__getitem__)


def info_for_element(
    element: etree._Element,
    *,
    prefer: B2MMLVersion | str = B2MMLVersion.V0701,
    version: B2MMLVersion | str | None = None,
    file: str | None = None,
    extra_names: frozenset[str] = frozenset(),
    names: frozenset[str] | None = None,
) -> VersionInfo:
    """:class:`VersionInfo` for one B2MML element (``version`` forces the release).

    ``extra_names`` are element names declared by vendor schemas in the release namespace;
    they count as known to every release. ``names`` replaces the element names of the
    subtree (see :func:`quick_info`).
    """
    tree = element.getroottree()
    path = tree.getpath(element)
    ns = _namespace(element) or ""
    location = Location(file=file, line=line_of(element), path=path)
    legacy = V0400 if is_v0400_namespace(ns) else None
    try:
        candidates = (B2MMLVersion.V0401,) if legacy else versions_for_namespace(ns)
    except MappingError as exc:  # UnsupportedVersionError
        exc.location = location
        raise
    except ValueError:
        raise MappingError(
            f"element {element.tag} is not in a B2MML namespace", location=location
        ) from None
    names = (_names_in(element, ns) if names is None else names) - extra_names
    root_name = str(element.tag)[len(ns) + 2 :]
    ambiguity: str | None = None
    decided_by: DecidedBy
    if legacy is not None and version is None:
        chosen, decided_by = B2MMLVersion.V0401, "namespace"
    elif version is not None:
        chosen, decided_by = B2MMLVersion.coerce(version), "caller"
    elif len(candidates) == 1:
        chosen, decided_by = candidates[0], "namespace"
    else:
        chosen, decided_by, ambiguity = _choose_shared(names, candidates, prefer, ns)
    return VersionInfo(
        version=chosen,
        namespace=ns,
        root_name=root_name,
        decided_by=decided_by,
        ambiguity=ambiguity,
        mismatch=_mismatch(names, chosen, root_name),
        path=path,
        embedded=element is not tree.getroot(),
        line=line_of(element),
        legacy=legacy,
        note=v0400_note(ns) if legacy else None,
    )


def _candidates(namespace: str) -> tuple[B2MMLVersion, ...] | None:
    """The releases a namespace may be, or None (no B2MML namespace with a schema)."""
    if is_v0400_namespace(namespace):
        return (B2MMLVersion.V0401,)
    try:
        return versions_for_namespace(namespace)
    except (MappingError, ValueError):
        return None


@functools.lru_cache(maxsize=64)
def telling_tags(namespace: str, versions: tuple[B2MMLVersion, ...]) -> tuple[str, ...]:
    """The tags (Clark notation, in ``namespace``) of the element names that can change a
    detection among ``versions``: declared by some release, but not by every one of them.

    The other names of a subtree cannot: a name all of ``versions`` declare is undeclared by
    none of the candidates, and a name no release declares counts against every release
    alike (see :func:`quick_info`)."""
    vocabularies = [element_vocabulary(v) for v in B2MMLVersion]
    known = frozenset().union(*vocabularies)
    common = frozenset.intersection(*(element_vocabulary(v) for v in versions))
    return tuple(f"{{{namespace}}}{name}" for name in sorted(known - common))


def quick_info(
    element: etree._Element,
    *,
    prefer: B2MMLVersion | str = B2MMLVersion.V0701,
    version: B2MMLVersion | None = None,
    names: frozenset[str] | None = None,
) -> VersionInfo | None:
    """What :func:`info_for_element` answers (``extra_names`` empty), from the element names
    of :func:`telling_tags` only (``names``: those of the subtree, if the caller knows them),
    or None when it cannot tell: the namespace is no B2MML one with a schema, or a telling
    name is undeclared in the chosen release (a structure mismatch may follow; the caller
    then runs :func:`info_for_element`).

    Exact: the release chosen among the candidates depends on the names that some candidate
    lacks (all telling), with the names no release declares counted against each candidate
    alike; and a subtree whose telling names the chosen release all declares leaves only
    unknown names undeclared, which never make a mismatch (every other release lacks them
    too). Looking for a few hundred tags lets libxml2's dictionary answer at once for the
    names a document never uses, instead of reading every element's name in Python."""
    ns = _namespace(element) or ""
    candidates = _candidates(ns)
    if candidates is None:
        return None
    versions = candidates if version is None else (*candidates, version)
    if names is None:
        cut = len(ns) + 2
        names = frozenset(str(el.tag)[cut:] for el in element.iter(*telling_tags(ns, versions)))
    try:
        info = info_for_element(element, prefer=prefer, version=version, names=names)
    except MappingError:  # pragma: no cover - _candidates refused these namespaces
        return None
    return info if names <= element_vocabulary(info.version) else None


def _choose_shared(
    names: frozenset[str],
    candidates: tuple[B2MMLVersion, ...],
    prefer: B2MMLVersion | str,
    namespace: str,
) -> tuple[B2MMLVersion, DecidedBy, str]:
    shared = " and ".join(v.value for v in candidates)
    undeclared = {v: names - element_vocabulary(v) for v in candidates}
    fewest = min(len(u) for u in undeclared.values())
    best = [v for v in candidates if len(undeclared[v]) == fewest]
    if len(best) == 1:
        chosen = best[0]
        telling = sorted(
            n
            for n in names
            if n in element_vocabulary(chosen)
            and any(n not in element_vocabulary(v) for v in candidates)
        )
        return (
            chosen,
            "structure",
            f"namespace {namespace} is shared by {shared}; the element name(s) "
            f"{', '.join(telling[:8])} exist only in {chosen.value}, so {chosen.value} was used",
        )
    chosen = _prefer(candidates, prefer)
    return (
        chosen,
        "preference",
        f"namespace {namespace} is shared by {shared} and no element name used here tells them "
        f"apart, so {chosen.value} was used (prefer={B2MMLVersion.coerce(prefer).value})",
    )


def detect_version(
    source_or_element: Source | etree._Element | etree._ElementTree,
    *,
    prefer: B2MMLVersion | str = B2MMLVersion.V0701,
) -> VersionInfo:
    """Which B2MML release a document (or element) uses.

    Accepts a source (path, bytes, XML text, binary file) or an lxml element/tree. For a
    wrapper document (SOAP envelope, MTConnect assets...) the first B2MML element found by
    :func:`find_b2mml_elements` is described; call this on each of them for all.
    ``prefer`` breaks the V0700/V0701 tie when the element names do not.

    Raises :class:`~isa95kit.errors.MappingError` (with location) when the document contains
    no B2MML element, :class:`UnsupportedVersionError` (a ``MappingError``) for a B2MML or
    BatchML release without a schema, and ``MalformedDocumentError`` for input that is not
    well-formed.
    """
    element, file = as_element(source_or_element)
    B2MMLVersion.coerce(prefer)
    found = find_b2mml_elements(element)
    if not found:
        raise no_b2mml_error(element, file)
    return info_for_element(found[0], prefer=prefer, file=file)


def no_b2mml_error(element: etree._Element, file: str | None) -> MappingError:
    ns = _namespace(element)
    local = str(element.tag)[len(ns) + 2 :] if ns else str(element.tag)
    where = f"namespace {ns}" if ns else "no namespace"
    return MappingError(
        f"not a B2MML document: the element {local!r} ({where}) is not in a B2MML namespace "
        "and contains no element in one (expected e.g. http://www.mesa.org/xml/B2MML or "
        "http://www.mesa.org/xml/B2MML-V0600)",
        location=Location(
            file=file, line=line_of(element), path=element.getroottree().getpath(element)
        ),
    )
