"""Schema-only validation of every B2MML element of a document against its release's bundle."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .._source import Source
from ..errors import Location
from ._bundles import extension_element_names, load_schema
from ._detect import (
    as_element,
    as_v0401,
    find_b2mml_elements,
    info_for_element,
    no_b2mml_error,
    v0400_note,
)
from ._lxml import line_of, log_entries
from ._model import B2MMLVersion, SchemaIssue, SchemaResult, VersionInfo

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["schema_issues", "validate_schema"]

#: an lxml XMLSchema keeps the error log of its last run: validate one at a time
_validation_lock = threading.Lock()


def _join(base: str, error_path: str | None, embedded: bool) -> str:
    if not error_path:
        return base
    if not embedded:
        return error_path
    cut = error_path.find("/", 1)
    return base if cut == -1 else base + error_path[cut:]


def schema_issues(
    schema: etree.XMLSchema,
    element: etree._Element,
    *,
    file: str | None = None,
) -> tuple[SchemaIssue, ...]:
    """Validate one element (the root or one inside a wrapper) and return every issue.

    A B2MML V0400 element is validated as V0401 (a copy in V0401's namespace: ``schema``
    should be V0401's), after a warning (code ``v0400-read-as-v0401``) that says so."""
    tree = element.getroottree()
    embedded = element is not tree.getroot()
    base = tree.getpath(element)
    subject = as_v0401(element)
    legacy: tuple[SchemaIssue, ...] = ()
    if subject is not element:
        embedded = True  # the copy is a root of its own: its paths are joined to ``base``
        legacy = (
            SchemaIssue(
                message=v0400_note(str(element.tag)[1:].split("}")[0]),
                location=Location(file=file, line=line_of(element), path=base),
                code="v0400-read-as-v0401",
                level="warning",
            ),
        )
    with _validation_lock:
        schema.validate(subject)
        log = log_entries(schema.error_log)
    if legacy:  # the messages name the document's own namespace
        own = "{" + str(element.tag)[1:].split("}")[0] + "}"
        v0401 = "{" + B2MMLVersion.V0401.namespace + "}"
        log = [replace(e, message=e.message.replace(v0401, own)) for e in log]
    return legacy + tuple(
        SchemaIssue(
            message=entry.message,
            location=Location(
                file=file,
                line=entry.line,
                column=entry.column,
                path=_join(base, entry.path, embedded),
            ),
            code=entry.type_name,
            level="warning" if entry.level_name == "WARNING" else "error",
        )
        for entry in log
        if entry.level_name in ("ERROR", "FATAL", "WARNING")
    )


def validate_schema(
    source_or_element: Source | etree._Element | etree._ElementTree,
    *,
    version: B2MMLVersion | str | None = None,
    prefer: B2MMLVersion | str = B2MMLVersion.V0701,
    extensions: Sequence[str | os.PathLike[str]] = (),
) -> list[SchemaResult]:
    """Schema-only validation: one :class:`SchemaResult` per B2MML element of the document.

    The release comes from :func:`detect_version` unless ``version`` forces one. In the shared
    V07 namespace, when the element names could not tell V0700 from V0701 and the preferred
    release rejects the element, the other one is tried; if it accepts, it is used and
    ``info.decided_by`` becomes ``"structure"``. ``extensions`` are vendor extension schemas
    (see :func:`load_schema`).

    Raises :class:`~isa95kit.errors.MappingError` when the document contains no B2MML element,
    :class:`UnsupportedVersionError` for a release without a schema (e.g. BatchML-V02),
    :class:`SchemaLoadError` when the extensions do not load.
    """
    root, file = as_element(source_or_element)
    found = find_b2mml_elements(root)
    if not found:
        raise no_b2mml_error(root, file)
    if isinstance(extensions, (str, os.PathLike)):
        extensions = (extensions,)
    ext = tuple(os.fspath(p) for p in extensions)
    results: list[SchemaResult] = []
    for element in found:
        info = info_for_element(element, prefer=prefer, version=version, file=file)
        if ext:
            extra = extension_element_names(info.version, ext)
            info = info_for_element(
                element, prefer=prefer, version=version, file=file, extra_names=extra
            )
        issues = schema_issues(load_schema(info.version, extensions=ext), element, file=file)
        if info.decided_by == "preference" and any(i.level == "error" for i in issues):
            info, issues = _try_other(info, element, issues, ext, file)
        results.append(SchemaResult(info=info, issues=issues, extensions=ext))
    return results


def _try_other(
    info: VersionInfo,
    element: etree._Element,
    issues: tuple[SchemaIssue, ...],
    ext: tuple[str, ...],
    file: str | None,
) -> tuple[VersionInfo, tuple[SchemaIssue, ...]]:
    for other in info.candidates:
        if other is info.version:
            continue
        other_issues = schema_issues(load_schema(other, extensions=ext), element, file=file)
        if not any(i.level == "error" for i in other_issues):
            note = (
                f"namespace {info.namespace} is shared by "
                f"{' and '.join(v.value for v in info.candidates)}; no element name tells them "
                f"apart, but {info.version.value} rejects the document and {other.value} "
                f"accepts it, so {other.value} was used"
            )
            extra = extension_element_names(other, ext)
            fresh = info_for_element(element, version=other, file=file, extra_names=extra)
            return (
                replace(fresh, decided_by="structure", ambiguity=note),
                other_issues,
            )
    return info, issues
