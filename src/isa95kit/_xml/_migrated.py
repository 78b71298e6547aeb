"""The XML codec's paths for older B2MML releases (V0401..V0700), migrated to V0701.

- :class:`MigratedDecoder`: decodes a migrated tree, reports what V0701 requires and the
  source lacks, names errors in the source document's terms;
- :func:`read_older_streaming`, :func:`iter_older_streaming`: ``read_xml`` / ``iter_xml`` of
  a large older document, migrated item by item (``_stream.MigratingStream``);
  :func:`iter_migrated`: the whole-tree reference of ``iter_xml``;
- :func:`fill_report`: ``ReadConfig.fill_missing`` and its report entries;
- :class:`DownEncoder`: the encoder of ``write_xml(version=...)`` for an older release.
"""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Iterator
from typing import Any

from .._gc import gc_paused
from .._source import Source, describe, read_bytes
from ..errors import Isa95Error, Location, MappingError
from ..model._base import AnyElement, B2MMLModel, decoded_instance
from ..model._registry import NAMESPACE
from ..versions._migrate_report import MigrationChange
from ..versions._migrate_tree import UpMigration, path_of
from ._config import ReadConfig
from ._decode import Decoder, _prefixed
from ._encode import Encoder
from ._side import ensure_side, side_of
from ._stream import read_streaming_migrated
from ._tables import root_element, spec_of

__all__ = [
    "DownEncoder",
    "MigratedDecoder",
    "fill_report",
    "iter_migrated",
    "iter_migrated_streaming",
    "read_older_streaming",
]


class MigratedDecoder(Decoder):
    """Decodes a tree migrated from an older release.

    An element V0701 requires but the older release did not is left unset and reported
    once per rule, with its count and first place (the earliest line), so the instance
    still writes back to its release. Errors and report paths name the elements as the
    source document does. Carried pieces (in the release's own namespace) are kept in the
    side record whatever ``ReadConfig.unknown`` says of other unknown content."""

    def __init__(self, config: ReadConfig, file: str | None, migration: UpMigration) -> None:
        super().__init__(config, file)
        self._missing: dict[tuple[str, str], list[Any]] = {}
        self._rec = migration.rec
        self._carried = "{" + migration.t.ns + "}"

    def check_required(self, el: Any, spec: Any, fs: set[str] | frozenset[str]) -> None:
        for f in spec.required:
            if f.name not in fs:
                hit = self._missing.get((spec.cls.__name__, f.tag))
                line = el.sourceline
                if hit is None:
                    what = "attribute" if f.kind == "A" else "element"
                    rule = (
                        f"V0701 requires {what} {f.tag!r} in {spec.cls.__name__}; "
                        "the source has none"
                    )
                    self._missing[(spec.cls.__name__, f.tag)] = [
                        rule,
                        path_of(el, self._rec),
                        line,
                        1,
                    ]
                else:
                    hit[3] += 1
                    # the streaming reader decodes inner items first: keep the earliest line
                    if line is not None and (hit[2] is None or line < hit[2]):
                        hit[1], hit[2] = path_of(el, self._rec), line

    @property
    def missing(self) -> list[MigrationChange]:
        """The missing elements by line of their first place."""
        found = [MigrationChange("missing", r, p, ln, n) for r, p, ln, n in self._missing.values()]
        return sorted(found, key=lambda c: c.line or 0)

    def other_child(self, el: Any, child: Any, spec: Any, d: Any, fs: set[str], side: Any) -> Any:
        if self.preserve or not child.tag.startswith(self._carried):
            return super().other_child(el, child, spec, d, fs, side)
        self.preserve = True  # a carried piece: kept, written back to its release
        try:
            return super().other_child(el, child, spec, d, fs, side)
        finally:
            self.preserve = False

    def error(self, el: Any, message: str) -> MappingError:
        """A located error whose XPath names the source document's elements."""
        return MappingError(
            message,
            location=Location(file=self.file, line=el.sourceline, path=self.source_xpath(el)),
        )

    def source_xpath(self, el: Any) -> str:
        """:func:`xpath_of` (prefixed names) in the source document's names and positions."""
        rec = self._rec
        steps: list[str] = []
        node = el
        while node is not None and isinstance(node.tag, str):
            prefixed = _prefixed(node.tag, node.nsmap)
            local = node.tag.split("}", 1)[-1]
            name = rec.name_of(node) or local
            if name != local:
                prefixed = prefixed[: len(prefixed) - len(local)] + name
            pos = 1 if node.getparent() is None else rec.position(node, name)
            steps.append(f"{prefixed}[{pos}]")
            node = node.getparent()
        return "/" + "/".join(reversed(steps))


def fill_report(obj: B2MMLModel, report: Any, config: ReadConfig) -> None:
    """``ReadConfig.fill_missing``: fill what V0701 requires; the report's ``missing``
    changes give way to ``filled`` ones."""
    if not config.fill_missing:
        return
    from ._fill import fill_missing

    root = root_element(obj, None)
    how = "callable" if callable(config.fill_missing) else "parent ID + initials + position"
    for (cls, tag), (path, count) in fill_missing(obj, root, config.fill_missing).items():
        for i, change in enumerate(report.changes):
            if change.kind == "missing" and change.rule.endswith(
                f"{tag!r} in {cls}; the source has none"
            ):
                left = change.count - count
                if left > 0:
                    report.changes[i] = dataclasses.replace(change, count=left)
                else:
                    del report.changes[i]
                break
        report.changes.append(
            MigrationChange(
                "filled",
                f"V0701 requires element {tag!r} in {cls}: filled ({how})",
                path,
                None,
                count,
            )
        )


def read_older_streaming(
    stream: Any, config: ReadConfig, file: str | None, root_class: Any
) -> B2MMLModel | None:
    """``read_xml`` of a large document of an older release: migrated and decoded item by
    item (``_stream.read_streaming_migrated``); None if the release cannot be told from the
    namespace declarations read in blocks."""
    from ..versions._migrate import attach_report
    from ..versions._migrate_stream import scan_release

    found = scan_release(stream)
    if found is None:
        return None
    release, private = found
    migration = UpMigration(release, strict=config.unknown == "error", file=file)
    decoder = MigratedDecoder(config, file, migration)
    obj, root = read_streaming_migrated(stream, decoder, root_class, migration, private)
    side = ensure_side(obj)
    side.tag = root.tag
    side.nsmap = dict(root.nsmap)
    migration.report.changes.extend(decoder.missing)
    fill_report(obj, migration.report, config)
    attach_report(obj, migration.report)
    return obj


def iter_migrated(source: Source, element: str, config: ReadConfig) -> Iterator[B2MMLModel]:
    """``iter_xml`` of a small document of an older release: the whole tree is migrated to
    V0701 first, then each element is decoded (the reference of the streaming path)."""
    from ..versions._migrate import attach_report, migrate_up_tree
    from ._api import decode_occurrence

    data, file = read_bytes(source, config.limits)
    root, migration = migrate_up_tree(data, file, strict=config.unknown == "error")
    if migration is None:  # pragma: no cover - _older_root said otherwise
        raise MappingError("not an older B2MML release", location=Location(file=file))
    report = migration.report
    decoder = MigratedDecoder(config, file, migration)
    tag = f"{{{NAMESPACE}}}{element}"
    classes: dict[tuple[str, ...], type[B2MMLModel]] = {}
    for el in root.iter(tag):
        obj = decode_occurrence(el, tag, element, classes, decoder)
        if obj is None:
            continue
        attach_report(obj, report)
        yield obj
    report.changes.extend(decoder.missing)


def iter_migrated_streaming(
    source: Source, element: str, config: ReadConfig
) -> Iterator[B2MMLModel]:
    """``iter_xml`` of a large document of an older release, in bounded memory: each
    completed element (and each list item of the plan, for the report) is migrated alone;
    the wanted ones are decoded and yielded. The report every item carries is complete
    once the iteration is."""
    try:
        yield from iter_older_streaming(source, element, config)
    except Isa95Error:
        # the error the whole tree's migration meets first may lie further on (migration
        # before decoding, in document order): the tree path raises it, after the items
        # yielded already
        for _ in iter_migrated(source, element, config):
            pass
        raise


def iter_older_streaming(source: Source, element: str, config: ReadConfig) -> Iterator[B2MMLModel]:
    """The streamed iteration proper (:func:`iter_migrated_streaming` falls back on error)."""
    from ..versions._migrate import attach_report
    from ..versions._migrate_stream import scan_release
    from ._api import _class_by_path, _class_of_root
    from ._stream import _AMBIGUOUS, MigratingStream, _outside, _plan

    file = describe(source)
    stream: Any = io.BytesIO(source) if isinstance(source, bytes) else os.fspath(source)  # type: ignore[arg-type]
    found = scan_release(stream)
    if found is None:  # declarations the block scan cannot migrate: the tree path explains
        yield from iter_migrated(source, element, config)
        return
    release, private = found
    migration = UpMigration(release, strict=config.unknown == "error", file=file)
    report = migration.report
    decoder = MigratedDecoder(config, file, migration)
    parse = MigratingStream(stream, decoder, migration, private, collapse=True)
    head = parse.head()
    cls = _class_of_root(head, file)
    plan = _plan(cls)
    tag = f"{{{NAMESPACE}}}{element}"
    assert parse.resolver is not None
    wanted = {tag} | _outside(cls, tag)  # the items inside a wanted one come with it
    tags = parse.resolver.source_tags(wanted)
    classes: dict[tuple[str, ...], type[B2MMLModel]] = {}
    for el, parent, hit in parse.items(tags):
        if tag in hit[4]:
            continue  # part of a wanted element: migrated and decoded with it
        source_name = el.tag[el.tag.index("}") + 1 :]
        if hit[2] == tag:
            parse.take(el, hit)
            cls_el = classes.get(hit[4])
            if cls_el is None:
                cls_el = classes[hit[4]] = _class_by_path(hit[4], element, el, decoder)
            decoder.reset_shared()
            with gc_paused():
                obj = decoder.decode(el, spec_of(cls_el))
            parse.replace(el, parent, source_name, None)
            attach_report(obj, report)
            yield obj
            continue
        spec = plan.get((hit[1], hit[2]))
        if spec is None or spec is _AMBIGUOUS:
            continue  # migrated with its parent
        parse.take(el, hit)  # migrated (for the report) and left as a placeholder
        parse.replace(el, parent, source_name, None)
    parse.finish()
    report.changes.extend(decoder.missing)


class DownEncoder(Encoder):
    """Writes the root with the declarations of the release being written (the migration
    then renames elements in place instead of moving the tree under a new root)."""

    def __init__(self, nsmap: dict[str | None, str]) -> None:
        super().__init__()
        self.nsmap = nsmap

    def root(self, obj: B2MMLModel, tag: str, nsmap: dict[str | None, str]) -> Any:
        el = self._element(tag, nsmap=self.nsmap)  # type: ignore[arg-type]
        self.path.append(tag.split("}", 1)[-1])
        self.fill(el, obj, spec_of(type(obj)), side_of(obj))
        return el

    def fill(
        self,
        el: Any,
        obj: Any,
        spec: Any,
        side: Any,
        inner: dict[Any, str] | None = None,
    ) -> None:
        super().fill(el, without_filled(obj), spec, side, inner)

    #: the instance holds values ``ReadConfig.fill_missing`` filled: no fast encoders (they
    #: write nested instances without :meth:`child`), each instance goes without its fills
    skip_filled = False

    def child(self, parent: Any, tag: str, obj: Any, nsmap: dict[Any, str] | None = None) -> None:
        if not self.skip_filled or isinstance(obj, AnyElement):
            super().child(parent, tag, obj, nsmap)
            return
        obj = without_filled(obj)
        side = side_of(obj)
        if side is not None and side.nsmap:
            nsmap = side.nsmap
        el = self._sub(parent, tag, nsmap=nsmap)
        inner = None
        if tag[0] != "{" and el.nsmap.get(None) == "" and NAMESPACE not in el.nsmap.values():
            inner = {None: NAMESPACE}  # as Encoder.child
        self.fill(el, obj, spec_of(type(obj)), side, inner)


def without_filled(obj: Any) -> Any:
    """``obj`` without what ``ReadConfig.fill_missing`` filled (the source release had
    none): a shallow copy, or ``obj`` itself."""
    from ._fill import FILLED, filled_fields

    filled = filled_fields(obj)
    if not filled:
        return obj
    private = {k: v for k, v in obj.__pydantic_private__.items() if k != FILLED}
    return decoded_instance(
        type(obj),
        {**obj.__dict__, **dict.fromkeys(filled)},
        obj.__pydantic_fields_set__ - filled,
        private or None,
    )
