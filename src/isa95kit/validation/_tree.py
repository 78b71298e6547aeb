"""The tree engine: parse the whole document, validate it with lxml, walk it for the rules.

Used for documents up to the profile's ``stream_threshold``, and for wrapper documents
(SOAP, MTConnect) whose B2MML elements are validated one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .._source import declares_doctype, xml_parser
from ..errors import MappingError
from ._context import RuleContext
from ._layers import (
    PROBE_BYTES,
    Dispatcher,
    Options,
    Outcome,
    attributes_issue,
    decide,
    doctype_issue,
    has_doctype,
    namespace_of,
    probe_root,
    schema_issue,
    schema_subject,
    subject_names,
    syntax_issues,
    too_many_attributes,
    version_issue,
)
from ._model import Issue, Severity
from ._paths import PathBuilder, find_libxml2_path, line_of, local_name

if TYPE_CHECKING:
    from lxml import etree

    from ..versions import SchemaIssue

__all__ = ["tree_issues"]


def tree_issues(
    data: bytes | None, path: str | None, options: Options, outcome: Outcome
) -> Iterator[Issue]:
    """Every issue of one document given as ``data`` or as a file ``path``."""
    from lxml import etree

    file = outcome.file
    parser = xml_parser()
    if data is None:
        # read the bytes (this engine runs below the stream threshold): parsing from the path
        # would let libxml2 resolve an external DTD and fail with a bare I/O error
        assert path is not None
        with open(path, "rb") as handle:
            data = handle.read()
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError:
        if declares_doctype(data[:65536]):
            yield doctype_issue(file, data[:65536])
        else:
            yield from syntax_issues(parser.error_log, file)
        return
    if has_doctype(tree):
        yield doctype_issue(file, data[:65536])
        return
    limit = options.profile.max_attributes
    crowded = too_many_attributes(tree.getroot(), limit, data)
    if crowded is not None:
        count = len(crowded.attrib)
        yield attributes_issue(file, line_of(crowded), local_name(crowded), count, limit)
        return
    from ..versions import find_b2mml_elements

    root = tree.getroot()
    targets = find_b2mml_elements(root)
    first = targets[0] if targets else root
    paths = PathBuilder(namespace_of(first))
    outcome.root = local_name(first)
    try:
        if not targets:
            yield version_issue("unknown-version", _not_b2mml(root), file, root, paths)
            return
        # a large document's release comes from the names of its first PROBE_BYTES, as in
        # the streaming engine; parsed again only when the whole tree cannot tell them
        names = None
        probe = None
        if len(data) > PROBE_BYTES and targets[0] is root:
            names = subject_names(root, data, options.version)
            if names is None:
                probe = probe_root(data[:PROBE_BYTES])
        for element in targets:
            subject = probe if probe is not None and element is root else element
            known = names if element is root else None
            yield from _schema_layer(element, subject, options, outcome, paths, known)
            if not options.schema_only:
                yield from _rules_layer(element, options, outcome, paths)
    finally:
        outcome.namespaces.update(paths.namespaces())


def _not_b2mml(root: etree._Element) -> str:
    from ..versions import detect_version

    try:
        detect_version(root)
    except MappingError as exc:
        return exc.message
    return "not a B2MML document"  # pragma: no cover - find_b2mml_elements found nothing


def _schema_layer(
    element: etree._Element,
    subject: etree._Element,
    options: Options,
    outcome: Outcome,
    paths: PathBuilder,
    names: frozenset[str] | None = None,
) -> Iterator[Issue]:
    from ..versions import load_schema, schema_issues

    file = outcome.file
    decision = decide(subject, options, names=names)
    if decision.version is None:
        yield version_issue("unknown-version", decision.error or "", file, element, paths)
        return
    severity = options.profile.severity("version-mismatch")
    if decision.mismatch is not None and severity is not None:
        yield version_issue(
            "version-mismatch", decision.mismatch.message, file, element, paths, severity=severity
        )
    version, ext = decision.version, options.extensions
    found = schema_issues(load_schema(version, extensions=ext), element, file=file)
    if decision.fallbacks and any(issue.level == "error" for issue in found):
        for other in decision.fallbacks:
            again = schema_issues(load_schema(other, extensions=ext), element, file=file)
            if not any(issue.level == "error" for issue in again):
                version, found = other, again
                break
    outcome.version = outcome.version or version.value
    for issue in found:
        if issue.code == "v0400-read-as-v0401":  # not the schema's verdict: its own code
            yield version_issue(issue.code, issue.message, file, element, paths)
            continue
        yield schema_issue(
            issue.message,
            file=file,
            line=issue.location.line,
            column=issue.location.column,
            element=_locate(element, issue),
            paths=paths,
            severity=Severity.WARNING if issue.level == "warning" else Severity.ERROR,
        )


def _locate(top: etree._Element, found: SchemaIssue) -> etree._Element | None:
    """The element a schema issue is about: by libxml2's path, else by line and name."""
    tag, _ = schema_subject(found.message)
    path = found.location.path
    base = top.getroottree().getpath(top)
    if path and top.getparent() is not None and path.startswith(base):
        path = "/*" + path[len(base) :]
    element = find_libxml2_path(top, path)
    if element is not None and (tag is None or element.tag == tag):
        return element
    line = found.location.line
    if tag is not None:
        for candidate in top.iter(tag):
            if line is None or line_of(candidate) == line:
                return candidate
    return element


def _rules_layer(
    element: etree._Element, options: Options, outcome: Outcome, paths: PathBuilder
) -> Iterator[Issue]:
    ctx = RuleContext(
        namespace=namespace_of(element), file=outcome.file, profile=options.profile, paths=paths
    )
    yield from Dispatcher(options.profile.enabled_rules(), ctx).run(element)
