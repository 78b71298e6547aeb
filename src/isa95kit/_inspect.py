"""Walking model instances and summarising documents (``isa95kit info``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._source import Source, parse_bytes, read_bytes
from .errors import MappingError, ProfileError
from .model._base import AnyElement, B2MMLModel, B2MMLSimple

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["DocumentSummary", "summarize", "summarize_all", "walk"]


def walk(obj: B2MMLModel, path: str = "$") -> Iterator[tuple[str, B2MMLModel]]:
    """Yield ``(path, instance)`` for ``obj`` and every model instance below it, depth first.

    Paths use field names: ``$.work_request[0].job_order[1]``.
    """
    stack: list[tuple[str, B2MMLModel]] = [(path, obj)]
    while stack:
        p, node = stack.pop()
        yield p, node
        children: list[tuple[str, B2MMLModel]] = []
        for name, value in node.__dict__.items():
            if isinstance(value, B2MMLModel):
                children.append((f"{p}.{name}", value))
            elif isinstance(value, list) and value and isinstance(value[0], B2MMLModel):
                children.extend(
                    (f"{p}.{name}[{i}]", v)
                    for i, v in enumerate(value)
                    if isinstance(v, B2MMLModel)
                )
        stack.extend(reversed(children))


@dataclass
class DocumentSummary:
    """What a B2MML element holds: root, version, entity counts and IDs.

    Entities are named by their element names (``MaterialRequirement``), whether the
    summary comes from the typed model (``typed``) or from the tree. ``wrapper`` is the
    root element of the document when the B2MML element sits inside one (a SOAP envelope,
    an MTConnect assets document), ``path`` the B2MML element's XPath. ``typed_error`` says
    why the typed (V0701) read failed when the summary fell back to the tree.
    """

    file: str | None
    root: str
    namespace: str
    version: str
    counts: dict[str, int] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)
    typed: bool = False
    wrapper: str | None = None
    path: str = "/"
    typed_error: str | None = None
    #: how the release was read when it is not the namespace's own (B2MML V0400 as V0401)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "root": self.root,
            "namespace": self.namespace,
            "version": self.version,
            "wrapper": self.wrapper,
            "path": self.path,
            "typed": self.typed,
            "typed_error": self.typed_error,
            "note": self.note,
            "counts": self.counts,
            "ids": self.ids,
        }

    def render(self, max_ids: int = 10) -> str:
        """Text for people; ``max_ids`` IDs are listed per entity (0: counts only)."""
        if max_ids < 0:
            raise ProfileError(f"max_ids must be 0 or more, got {max_ids}")
        lines = [f"file:      {self.file or '-'}"]
        if self.wrapper is not None:
            lines.append(f"wrapper:   {self.wrapper} (B2MML at {self.path})")
        lines += [
            f"root:      {self.root}",
            f"version:   {self.version} ({self.namespace})",
        ]
        if self.note is not None:
            lines.append(f"note:      {self.note}")
        if self.typed_error is not None:
            lines.append(f"typed:     failed, summarised from the tree: {self.typed_error}")
        if self.counts:
            lines.append("entities:")
            width = max(len(k) for k in self.counts)
            for name, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])):
                ids = self.ids.get(name, []) if max_ids else []
                shown = ", ".join(ids[:max_ids]) + (
                    f", ... (+{len(ids) - max_ids})" if len(ids) > max_ids else ""
                )
                lines.append(f"  {name:<{width}}  {n:>6}" + (f"  {shown}" if shown else ""))
        return "\n".join(lines)


def summarize(source: Source) -> DocumentSummary:
    """Summarise a B2MML document: typed (V0701) when possible, else from the tree.

    B2MML inside a wrapper (SOAP envelope, MTConnect assets...) is found as
    :func:`~isa95kit.versions.detect_version` finds it; with several B2MML elements the
    first is summarised (:func:`summarize_all` gives one summary each). Raises
    :class:`~isa95kit.errors.MalformedDocumentError` for input that is not well-formed and
    :class:`~isa95kit.errors.MappingError` when it holds no (supported) B2MML.
    """
    return summarize_all(source)[0]


def summarize_all(source: Source) -> list[DocumentSummary]:
    """One :class:`DocumentSummary` per B2MML element of the document, in document order."""
    from .versions._detect import find_b2mml_elements, info_for_element, no_b2mml_error

    data, file = read_bytes(source)  # file objects are read once
    root = parse_bytes(data, file)
    found = find_b2mml_elements(root)
    if not found:
        raise no_b2mml_error(root, file)
    wrapper = None if found[0] is root else _local(root)
    summaries = []
    for element in found:
        info = info_for_element(element, file=file)
        summary = DocumentSummary(
            file, info.root_name, info.namespace, info.version.value, wrapper=wrapper,
            path=info.path, note=info.note,
        )  # fmt: skip
        if info.version.value == "V0701":
            try:
                entities = _typed_entities(element, file, data)
            except MappingError as exc:
                summary.typed_error = " ".join(str(exc).split())
            else:
                summary.typed = True
                _count(summary, entities)
                summaries.append(summary)
                continue
        _count(summary, _tree_entities(element))
        summaries.append(summary)
    return summaries


def _local(element: etree._Element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def _count(summary: DocumentSummary, entities: Iterator[tuple[str, str]]) -> None:
    counts: Counter[str] = Counter()
    for name, ident in entities:
        counts[name] += 1
        summary.ids.setdefault(name, []).append(ident)
    summary.counts = dict(counts)


def _typed_entities(
    element: etree._Element, file: str | None, data: bytes
) -> Iterator[tuple[str, str]]:
    """(element name, ID) of every model instance with an ID, read through the V0701 model."""
    from ._xml._api import _class_of_root
    from ._xml._config import DEFAULT_READ
    from ._xml._decode import Decoder

    obj = Decoder(DEFAULT_READ, file, data).decode_root(element, _class_of_root(element, file))
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, B2MMLModel]] = [(_local(element), obj)]
    while stack:
        name, node = stack.pop()
        if isinstance(node, (B2MMLSimple, AnyElement)):
            continue
        ident = node.__dict__.get("id")
        if ident is not None and not isinstance(ident, list):
            found.append((name, str(ident)))
        fields = type(node).model_fields
        children: list[tuple[str, B2MMLModel]] = []
        for key, value in node.__dict__.items():
            info = fields.get(key)
            alias = info.alias if info is not None and info.alias else key
            if isinstance(value, B2MMLModel):
                children.append((alias, value))
            elif isinstance(value, list):
                children.extend((alias, v) for v in value if isinstance(v, B2MMLModel))
        stack.extend(reversed(children))
    return iter(found)


def _tree_entities(element: etree._Element) -> Iterator[tuple[str, str]]:
    """(element name, ID) of every element with an ``ID`` child, from the tree."""
    for el in element.iter():
        if not isinstance(el.tag, str):
            continue
        for child in el:
            if isinstance(child.tag, str) and child.tag.endswith("}ID"):
                yield _local(el), (child.text or "").strip()
                break
