"""Walking model instances and summarising documents (``isa95kit info``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._source import Source, describe, parse_xml
from .model._base import AnyElement, B2MMLModel, B2MMLSimple
from .versions._model import release_for_namespace

__all__ = ["DocumentSummary", "summarize", "walk"]


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
    """What a B2MML document holds: root, version, entity counts and IDs."""

    file: str | None
    root: str
    namespace: str
    version: str
    counts: dict[str, int] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)
    typed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "root": self.root,
            "namespace": self.namespace,
            "version": self.version,
            "typed": self.typed,
            "counts": self.counts,
            "ids": self.ids,
        }

    def render(self, max_ids: int = 10) -> str:
        lines = [
            f"file:      {self.file or '-'}",
            f"root:      {self.root}",
            f"version:   {self.version} ({self.namespace})",
        ]
        if self.counts:
            lines.append("entities:")
            width = max(len(k) for k in self.counts)
            for name, n in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0])):
                ids = self.ids.get(name, [])
                shown = ", ".join(ids[:max_ids]) + (
                    f", ... (+{len(ids) - max_ids})" if len(ids) > max_ids else ""
                )
                lines.append(f"  {name:<{width}}  {n:>6}" + (f"  {shown}" if shown else ""))
        return "\n".join(lines)


def summarize(source: Source) -> DocumentSummary:
    """Summarise any B2MML document: typed (V0701) when possible, else from the tree."""
    from ._xml import read_xml

    if not isinstance(source, (str, bytes)) and hasattr(source, "read"):
        source = source.read()  # file objects are read once, parsed twice
    tree = parse_xml(source)
    root = tree.getroot()
    tag = root.tag if isinstance(root.tag, str) else ""
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    release = release_for_namespace(ns)
    version = release.value if release is not None else "not B2MML"
    file = describe(source)
    summary = DocumentSummary(file, local, ns, version)
    if version == "V0701":
        doc = read_xml(source)
        summary.typed = True
        counts: Counter[str] = Counter()
        for _, node in walk(doc):
            if isinstance(node, (B2MMLSimple, AnyElement)):
                continue
            name = type(node).__name__
            ident = node.__dict__.get("id")
            if ident is None or isinstance(ident, list):
                continue
            counts[name] += 1
            summary.ids.setdefault(name, []).append(str(ident))
        summary.counts = dict(counts)
        return summary
    # older releases: count elements that carry an ID child, by local name
    counts = Counter()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for child in el:
            if isinstance(child.tag, str) and child.tag.endswith("}ID"):
                name = el.tag.rsplit("}", 1)[-1]
                counts[name] += 1
                summary.ids.setdefault(name, []).append((child.text or "").strip())
                break
    summary.counts = dict(counts)
    return summary
