"""Pieces shared by the tree and the streaming engine: options, parser errors, schema errors,
version lookup and the rule dispatcher."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._source import doctype_line
from ..errors import MappingError
from ._context import RuleContext
from ._model import CODES, Check, Issue, Rule, Severity
from ._paths import PathBuilder, line_of
from ._profile import ValidationProfile

if TYPE_CHECKING:
    from lxml import etree

    from ..versions import B2MMLVersion, StructureMismatch

__all__ = [
    "PROBE_BYTES",
    "PULL_OPTIONS",
    "Decision",
    "Dispatcher",
    "Options",
    "Outcome",
    "decide",
    "doctype_issue",
    "has_doctype",
    "namespace_of",
    "probe_root",
    "schema_issue",
    "schema_subject",
    "subject_names",
    "syntax_issues",
    "version_issue",
]

#: the options of ``isa95kit._source.xml_parser()``, for lxml's pull parser
PULL_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "collect_ids": False,
}


#: how much of a document version detection looks at (both engines, so they agree)
PROBE_BYTES = 1 << 18


@dataclass(frozen=True)
class Options:
    """One validation run's settings (built by the public API)."""

    profile: ValidationProfile
    version: B2MMLVersion | None = None
    prefer: str = "V0701"
    extensions: tuple[str, ...] = ()
    schema_only: bool = False
    stream: bool | None = None
    chunk_size: int = 16 * 1024  # small blocks stay in the CPU cache: measurably faster


@dataclass
class Outcome:
    """What a run learned besides its issues (filled in by the engines)."""

    file: str | None
    size: int | None = None
    mode: str = "tree"
    version: str | None = None
    root: str | None = None
    namespaces: dict[str, str] = field(default_factory=dict)


def namespace_of(element: etree._Element) -> str | None:
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1 : tag.index("}")]
    return None


# --------------------------------------------------------------------------- input layer
_HOSTILE_TYPES = frozenset({"ERR_RESOURCE_LIMIT", "ERR_ENTITY_LOOP", "ERR_ENTITY_AMPLIFICATION"})
_HOSTILE_TEXT = re.compile(
    r"depth|amplification|entity reference loop|huge|network entity", re.IGNORECASE
)


def syntax_issues(
    entries: Iterable[Any], file: str | None, raised: Exception | None = None
) -> list[Issue]:
    """Issues for a parser's error-log entries (errors and fatal errors, deduplicated, up to
    the first fatal one: what libxml2 logs after it are echoes of the broken syntax, which
    a parser fed in blocks does not reach); from the exception ``raised`` when the log is
    empty (lxml's "no element found")."""
    issues: list[Issue] = []
    seen: set[tuple[int, int, str]] = set()
    for entry in entries:
        if entry.level_name not in ("ERROR", "FATAL") or entry.domain_name == "SCHEMASV":
            continue
        message = entry.message.strip()
        key = (entry.line, entry.column, message)
        if key in seen:
            continue
        seen.add(key)
        hostile = entry.type_name in _HOSTILE_TYPES or _HOSTILE_TEXT.search(message) is not None
        code = "hostile-input" if hostile else "not-well-formed"
        text = f"rejected: {message}" if hostile else f"not well-formed XML: {message}"
        hint = CODES[code].hint
        if hostile and "depth" in message.lower():
            hint = "B2MML documents nest a few dozen levels; deeper input is refused unread"
        issues.append(
            Issue(code, Severity.ERROR, text, file, entry.line or None, entry.column or None,
                  None, hint)
        )  # fmt: skip
        if entry.level_name == "FATAL":
            break
    if not issues and raised is not None:
        message = str(getattr(raised, "msg", "") or raised)
        if "no element found" in message:
            message = "Document is empty"  # libxml2's words, as the tree engine reports
        issues.append(
            Issue("not-well-formed", Severity.ERROR, f"not well-formed XML: {message}", file, 1,
                  1, None, CODES["not-well-formed"].hint)
        )  # fmt: skip
    return issues


def has_doctype(tree: etree._ElementTree) -> bool:
    info = tree.docinfo
    return bool(getattr(info, "doctype", "")) or info.internalDTD is not None


def attributes_issue(
    file: str | None, line: int | None, name: str, count: int, limit: int
) -> Issue:
    """An element with more attributes than the profile's ``max_attributes``: refused before
    anything reads them (their cost grows with the square of their number)."""
    return Issue(
        "hostile-input",
        Severity.ERROR,
        f"rejected: <{name}> has {count} attributes, more than the limit of {limit}; "
        "nothing after it was validated",
        file,
        line,
        None,
        None,
        "B2MML elements have a handful of attributes; raise the profile's max_attributes "
        "only for a document you trust",
    )


def depth_issue(file: str | None, line: int | None) -> Issue:
    """Nesting deeper than libxml2's limit of 256 levels: refused unread, as the tree
    engine's parser refuses it."""
    return Issue(
        "hostile-input",
        Severity.ERROR,
        "rejected: Excessive depth in document: 256 levels",
        file,
        line,
        None,
        None,
        "B2MML documents nest a few dozen levels; deeper input is refused unread",
    )


def too_many_attributes(root: etree._Element, limit: int, data: bytes) -> etree._Element | None:
    """The first element with more than ``limit`` attributes, or None.

    Linear and cheap: one regular-expression pass over ``data`` looks for a start tag with
    more than ``limit`` attributes (quoted values may hold ``>``); only when one is there
    does the exact XPath count run (namespace declarations look like attributes to the
    expression, so it may run for nothing, never miss)."""
    ascii_based = b"\x00" not in data[:4] and not data.startswith((b"\xfe\xff", b"\xff\xfe"))
    if ascii_based and (
        # a quicker sieve first: ``<`` cannot occur inside a start tag (not even in a quoted
        # value), and each attribute takes at least 5 bytes (`` a=""``), so a crowded tag is
        # a run of that many bytes without ``<`` after one
        _no_long_run(data, 5 * (limit + 1)) or _crowded_tag(limit + 1).search(data) is None
    ):  # UTF-16: count always
        return None
    found = root.xpath("(descendant-or-self::*[count(@*) > $n])[1]", n=limit)
    return found[0] if isinstance(found, list) and found else None  # type: ignore[return-value]


def _no_long_run(data: bytes, length: int) -> bool:
    """Whether no ``<`` in ``data`` is followed by ``length`` bytes without ``<``, i.e.
    ``_long_run(length).search(data) is None``, in about ``len(data) / length`` steps: from
    each ``<`` to the last one within ``length`` bytes after it (``rfind`` stops there at
    once on B2MML, whose tags are a few dozen bytes apart: a fifth of the expression's time).
    """
    if length < 64:  # many short steps: the regular expression is quicker
        return _long_run(length).search(data) is None
    rfind, end = data.rfind, len(data)
    at = data.find(b"<")
    while at >= 0 and end - at > length:
        at = rfind(b"<", at + 1, at + 1 + length)
    return at >= 0 or b"<" not in data


def crowded_tag(count: int) -> bytes:
    """The regular expression of at least ``count`` attributes (after a start tag's name)."""
    attribute = rb"""\s+[^\s=<>"']+\s*=\s*(?:"[^"]*"|'[^']*')"""
    return rb"(?:%s){%d}" % (attribute, count)


@functools.lru_cache(maxsize=8)
def _long_run(length: int) -> re.Pattern[bytes]:
    return re.compile(rb"<[^<]{%d}" % length)


@functools.lru_cache(maxsize=8)
def _crowded_tag(count: int) -> re.Pattern[bytes]:
    return re.compile(rb"<[^\s<>!?/=]+" + crowded_tag(count))


def doctype_issue(file: str | None, head: bytes) -> Issue:
    line = doctype_line(head)
    return Issue(
        "hostile-input",
        Severity.ERROR,
        "rejected: the document has a document type declaration (DTD); B2MML needs none and "
        "DTDs carry entity attacks (billion laughs, external entities such as file:///etc/passwd)"
        " - nothing was expanded, fetched or validated",
        file,
        line,
        None,
        None,
        "remove the DOCTYPE; B2MML is defined by its XML schema, not by a DTD",
    )


def version_issue(
    code: str,
    message: str,
    file: str | None,
    element: etree._Element | None,
    paths: PathBuilder,
    *,
    severity: Severity | None = None,
) -> Issue:
    return Issue(
        code,
        severity or CODES[code].severity,
        message,
        file,
        line_of(element),
        None,
        paths.path(element) if element is not None else None,
        CODES[code].hint,
    )


# --------------------------------------------------------------------------- version layer
@dataclass(frozen=True)
class Decision:
    """The release to validate against; ``fallbacks`` are tried when it rejects the document
    and the shared V07 namespace left the choice to the ``prefer`` option."""

    version: B2MMLVersion | None
    mismatch: StructureMismatch | None = None
    fallbacks: tuple[B2MMLVersion, ...] = ()
    error: str | None = None


def probe_root(head: bytes) -> etree._Element | None:
    """The root of a partial tree parsed from the first bytes of a document (which the caller
    has parsed, or will parse, properly: recovering here only closes the cut-off elements)."""
    from lxml import etree

    try:
        return etree.fromstring(head, etree.XMLParser(recover=True, **PULL_OPTIONS))
    except etree.XMLSyntaxError:
        return None


#: a complete start tag after its ``<`` (attribute values may hold ``>`` but never ``<``)
_COMPLETE_START_TAG = re.compile(
    rb"""[^\s/>!?<][^\s/>]*(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>"""
)
_ASCII_BASED = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1"})


def subject_names(
    root: etree._Element, data: bytes, version: B2MMLVersion | None = None
) -> frozenset[str] | None:
    """The release-telling element names (``versions.telling_tags``) of the probe of a large
    document, read from its complete tree without parsing the probe, or None when that tree
    cannot tell them (the caller then parses the probe).

    Only the answer "none" is given: when the document uses no telling name at all, its
    probe uses none either, provided the probe's elements are elements of the document,
    named and namespaced as there. They are, unless :data:`PROBE_BYTES` cuts a start tag
    (the probe would hold an element of a cut-off name, or miss a namespace declaration that
    follows the cut), which the bytes before the cut show in an ASCII-based encoding: the
    cut is inside a start tag unless the text after the last ``<`` is an end tag, a comment,
    a CDATA section, a processing instruction, a complete start tag or nothing."""
    from ..versions._detect import _candidates, _namespace, telling_tags

    namespace = _namespace(root)
    candidates = _candidates(namespace or "")
    encoding = (root.getroottree().docinfo.encoding or "").lower()
    if (
        namespace is None
        or candidates is None
        or encoding not in _ASCII_BASED
        or b"\x00" in data[:4]
        or not _cut_outside_start_tag(data[:PROBE_BYTES])
    ):
        return None
    versions = candidates if version is None else (*candidates, version)
    if next(root.iter(*telling_tags(namespace, versions)), None) is not None:
        return None
    return frozenset()


def _cut_outside_start_tag(head: bytes) -> bool:
    at = head.rfind(b"<")
    if at < 0:
        return False
    tail = head[at + 1 :]
    # nothing after the ``<``: no name, no element (libxml2 reports an invalid name)
    return tail[:1] in (b"", b"/", b"!", b"?") or _COMPLETE_START_TAG.match(tail) is not None


def decide(
    subject: etree._Element, options: Options, *, names: frozenset[str] | None = None
) -> Decision:
    """Detect (or take the forced) release of a B2MML element.

    ``subject`` is the element itself or, for a large document, the partial tree of its
    first :data:`PROBE_BYTES` (the element names decide V0700 against V0701 and reveal a
    namespace/structure mismatch; reading the whole document for them would cost as much as
    parsing it). ``names``: the release-telling element names of the subject, when the caller
    knows them (see :func:`subject_names`).
    """
    from ..versions import detect_version, structure_mismatch
    from ..versions._detect import quick_info

    try:
        info = quick_info(subject, prefer=options.prefer, version=options.version, names=names)
        if info is not None and options.version is not None:
            return Decision(options.version, info.mismatch)
        if options.version is not None:
            return Decision(options.version, structure_mismatch(subject, options.version))
        if info is None:
            info = detect_version(subject, prefer=options.prefer)
    except MappingError as exc:  # no B2MML, or a release without a schema (BatchML-V02)
        return Decision(None, error=exc.message)
    fallbacks: tuple[B2MMLVersion, ...] = ()
    if info.decided_by == "preference":
        fallbacks = tuple(v for v in info.candidates if v is not info.version)
    return Decision(info.version, info.mismatch, fallbacks)


# --------------------------------------------------------------------------- schema layer
# lazy: a namespace URI may itself hold a quote (``{http:'/...}nil``)
_SUBJECT = re.compile(r"Element '(.+?)'(, attribute '.*?')?:")
_VALUE = re.compile(r"^(?:\[facet '[^']+'\] The value '(.*?)'|'(.*?)' is not a valid value)", re.S)

_SCHEMA_HINTS: tuple[tuple[str, str], ...] = (
    ("No matching global declaration", "the root element is not a message or noun of this "
     "release: check the namespace, or pass --version"),
    ("This element is not expected", "B2MML content is ordered: the element is misplaced, "
     "misspelled, in the wrong namespace or not allowed here; compare with the expected names"),
    ("Missing child element", "add the required child element(s) the message names"),
    ("facet 'enumeration'", "use one of the listed values exactly (case matters)"),
    ("is not a valid value", "write the value in the form of the element's XML Schema type "
     "(dates as 2024-05-01T06:00:00Z, numbers with a dot)"),
    ("is required but missing", "add the attribute"),
    ("is not allowed", "remove the attribute, or put it in the namespace the schema expects"),
    ("nillable", "remove xsi:nil or give the element a value"),
)  # fmt: skip


def schema_subject(message: str) -> tuple[str | None, str | None]:
    """(element tag in Clark notation, offending text value or None) named by a libxml2 message."""
    match = _SUBJECT.search(message)
    if match is None:
        return None, None
    value = None
    if match[2] is None:  # not about an attribute
        found = _VALUE.match(message[match.end() :].lstrip())
        if found is not None:
            value = found[1] if found[1] is not None else found[2]
    return match[1], value


def schema_issue(
    message: str,
    *,
    file: str | None,
    line: int | None,
    column: int | None,
    element: etree._Element | None,
    paths: PathBuilder,
    severity: Severity = Severity.ERROR,
) -> Issue:
    text = " ".join(message.split())
    hint = next((h for key, h in _SCHEMA_HINTS if key in text), CODES["schema"].hint)
    return Issue(
        "schema",
        severity,
        paths.readable(text),
        file,
        line or line_of(element),
        column or None,
        paths.path(element) if element is not None else None,
        hint,
    )


# --------------------------------------------------------------------------- rules layer
class Dispatcher:
    """The enabled rules bound to one document: anchor tag -> checks."""

    def __init__(self, rules: Iterable[Rule], ctx: RuleContext) -> None:
        self.ctx = ctx
        table: dict[str, list[Check]] = {}
        for rule in rules:
            check = rule.factory(ctx)
            if check is None:
                continue
            for anchor in rule.anchors:
                table.setdefault(ctx.q(anchor), []).append(check)
        #: one callable per tag (the checks of a tag chained), for the hot loop
        self._calls: dict[str, Check] = {tag: _chain(c) for tag, c in table.items()}
        self.tags = tuple(self._calls)

    def run(self, top: etree._Element) -> Iterator[Issue]:
        """Run the checks on the anchors of a complete subtree, in document order."""
        calls, ctx = self._calls, self.ctx
        pending = ctx.pending
        if not calls:
            return
        for prepare in ctx.before:
            prepare(top)
        for element in top.iter(*self.tags):
            tag = element.tag
            calls[tag](element, tag)
            if pending:
                yield from pending
                pending.clear()
        ctx.finish()
        if pending:
            yield from pending
            pending.clear()


def _chain(checks: list[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks

        def both(element: Any, tag: str) -> None:
            first(element, tag)
            second(element, tag)

        return both

    def chained(element: Any, tag: str) -> None:
        for check in checks:
            check(element, tag)

    return chained
