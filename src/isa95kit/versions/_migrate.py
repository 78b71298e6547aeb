"""Migrating B2MML documents between releases (V0401-V0701): the public entry points.

The model is V0701 only: an older document is migrated at the edge, as a tree (see
``_migrate_tree.py``), before it is decoded, and a V0701 instance is written to an older
release by migrating the V0701 tree the writer produced.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._source import Source, parse_bytes, read_bytes
from ..errors import Location, MappingError
from ._detect import is_v0400_namespace, substitute_v0400
from ._migrate_report import MigrationChange, MigrationReport, MigrationWarning
from ._migrate_tree import (
    UpMigration,
    declared_release,
    down_tree,
    substitute_namespaces,
    up_migration,
)
from ._model import B2MMLVersion, release_for_namespace

V0701_NAMESPACE = "http://www.mesa.org/xml/B2MML"

__all__ = [
    "MigrationResult",
    "migrate",
    "migrate_down",
    "migrate_up",
    "migration_report",
    "source_release",
]

_KEY = "_migration"


@dataclass(frozen=True)
class MigrationResult:
    """A migrated document (``data``, UTF-8 XML bytes) and what was done (``report``)."""

    data: bytes
    report: MigrationReport


def source_release(el: Any, file: str | None = None) -> B2MMLVersion | None:
    """The older release of a B2MML element by its namespace; None for V0701 (and V0700,
    which shares V0701's namespace and is read as V0701)."""
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    name = release_for_namespace(tag[1 : tag.index("}")])
    if name is None:
        return None
    release = B2MMLVersion.coerce(name)
    return None if release is B2MMLVersion.V0701 else release


def migrate_up(
    data: bytes, file: str | None = None, *, strict: bool = False
) -> tuple[Any, MigrationReport | None]:
    """Parse a document (hardened) and, if its B2MML element is of an older release, migrate
    it to V0701 in place (inside a SOAP envelope or MTConnect asset too). Returns (B2MML
    element, report or None for a V0701 document)."""
    el, migration = migrate_up_tree(data, file, strict=strict)
    return el, None if migration is None else migration.report


def migrate_up_tree(
    data: bytes, file: str | None = None, *, strict: bool = False
) -> tuple[Any, UpMigration | None]:
    """:func:`migrate_up`, returning the migration itself (report and source names)."""
    from .._xml._api import b2mml_element

    release = declared_release(data)
    legacy = None
    if release is None:  # B2MML V0400: read through the V0401 rules
        data, legacy = substitute_v0400(data)
        release = declared_release(data) if legacy else None
    if release is not None:
        data = substitute_namespaces(data, release)
    el = b2mml_element(parse_bytes(data, file), file)
    if release is None or source_release(el) is not None:
        if source_release(el) is not None or is_v0400_namespace(el.tag[1:].split("}")[0]):
            raise MappingError(  # declared in a way the substitution missed
                "cannot migrate this document's namespace declarations",
                location=Location(file=file, line=el.sourceline, path=_root_path(el)),
            )
        return el, None
    migration = up_migration(
        el, release, strict=strict, file=file, every_element=legacy is not None
    )
    if legacy is not None:
        report = migration.report
        report.read_from = legacy
        first = MigrationChange(
            "namespace",
            f"{legacy} -> {release.namespace}: B2MML V0400, read as V0401 (V0401's rules "
            "apply where the releases agree; what V0401 does not declare is carried)",
            f"/{report.source_root}[1]",
            el.sourceline,
        )
        report.changes.insert(0, first)
    return el, migration


def _root_path(el: Any) -> str:
    return "/" + str(el.tag).split("}")[-1] + "[1]"


def migrate_down(
    el: Any,
    to: B2MMLVersion | str,
    *,
    strict: bool = False,
    source_root: str | None = None,
    file: str | None = None,
) -> tuple[Any, MigrationReport]:
    """Migrate a V0701 element (in place in its tree) down to release ``to``. Content ``to``
    cannot express raises :class:`~isa95kit.EncodeError` if ``strict``, else it is dropped
    with a :class:`MigrationWarning`; both are in the report."""
    release = B2MMLVersion.coerce(to)
    root, report = down_tree(el, release, strict=strict, source_root=source_root, file=file)
    if report.dropped:
        warnings.warn(
            f"{len(report.dropped)} piece(s) {release} cannot express were dropped, "
            f"first: {report.dropped[0]}",
            MigrationWarning,
            stacklevel=3,
        )
    return root, report


def migration_report(obj: Any) -> MigrationReport | None:
    """The :class:`MigrationReport` of an instance ``read_xml`` migrated from an older release
    (None for a V0701 document or an instance built in Python)."""
    private = getattr(obj, "__pydantic_private__", None)
    report = private.get(_KEY) if private else None
    return report if isinstance(report, MigrationReport) else None


def attach_report(obj: Any, report: MigrationReport) -> None:
    private = obj.__pydantic_private__
    if private is None:
        private = {}
        object.__setattr__(obj, "__pydantic_private__", private)
    private[_KEY] = report


def migrate(
    source: Source,
    to: B2MMLVersion | str = B2MMLVersion.V0701,
    *,
    strict: bool = False,
    fill_missing: bool | Callable[[str, str], str | None] | None = None,
) -> MigrationResult:
    """Migrate a B2MML document (path, bytes, text or file) of any release to release ``to``.

    A document inside a SOAP envelope or an MTConnect asset is migrated in place. Older
    releases go up to V0701 first; pieces V0701 cannot hold are carried (kept verbatim, in
    the report) and come back when going down to their release again.

    ``fill_missing`` (to V0701 only): fill the identifiers V0701 requires and the source
    lacks, as ``ReadConfig.fill_missing`` does (docs/migration.md); the B2MML element is
    then rewritten from the model, each fill a ``filled`` change of the report.
    """
    from lxml import etree

    target = B2MMLVersion.coerce(to)
    data, file = read_bytes(source)
    el, up_report = migrate_up(data, file, strict=strict)
    if fill_missing and up_report is not None and target is B2MMLVersion.V0701:
        el, up_report = _filled(data, el, strict, fill_missing)
    report = up_report or MigrationReport(
        B2MMLVersion.V0701, target, source_root=el.tag.split("}")[-1]
    )
    if target is not B2MMLVersion.V0701:
        up = report
        el, report = migrate_down(el, target, strict=strict, source_root=up.source_root, file=file)
        if up.source is not B2MMLVersion.V0701:
            report.source = up.source
            report.read_from = up.read_from
            report.changes[:0] = up.changes
    root = el.getroottree().getroot()
    out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return MigrationResult(out, report)


def _filled(
    data: bytes, el: Any, strict: bool, how: bool | Callable[[str, str], str | None]
) -> tuple[Any, MigrationReport]:
    """The migrated B2MML element rewritten from the model with its missing identifiers
    filled (in its wrapper's place, if it has one), and the report of that read."""
    from lxml import etree

    from .._xml import _api
    from .._xml._config import ReadConfig, WriteConfig

    config = ReadConfig(unknown="error" if strict else "preserve", fill_missing=how)
    obj = _api.read_xml(data, config=config)
    report = migration_report(obj)
    assert report is not None
    tag = "{" + V0701_NAMESPACE + "}" + el.tag.split("}")[-1]
    out = _api.write_tree(obj, tag, WriteConfig(), None, strict, require=False)
    new = etree.fromstring(out, etree.XMLParser(resolve_entities=False, no_network=True))
    parent = el.getparent()
    if parent is not None:
        parent.replace(el, new)
    return new, report
