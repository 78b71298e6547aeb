"""What a migration did: the :class:`MigrationReport` and its :class:`MigrationChange` entries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ._model import B2MMLVersion

__all__ = ["MigrationChange", "MigrationReport", "MigrationWarning"]

ChangeKind = Literal["namespace", "rename", "value", "carried", "dropped", "missing", "filled"]


class MigrationWarning(UserWarning):
    """Migrating down dropped content the older release cannot express (``strict=False``)."""


@dataclass(frozen=True)
class MigrationChange:
    """One rule applied (``count`` times; ``path`` and ``line`` of the first occurrence), or one
    piece carried (V0701 cannot hold it: kept verbatim, written back to its release) or dropped
    (the target release cannot express it)."""

    kind: ChangeKind
    rule: str
    path: str
    line: int | None = None
    count: int = 1

    def __str__(self) -> str:
        where = f"line {self.line} " if self.line else ""
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{self.kind}: {self.rule}{times} at {where}{self.path}"


@dataclass
class MigrationReport:
    """Every change a migration from ``source`` to ``target`` applied, in document order."""

    source: B2MMLVersion
    target: B2MMLVersion
    changes: list[MigrationChange] = field(default_factory=list)
    #: the root element the source document had (so migrating back picks the same one)
    source_root: str = ""
    #: the namespace of a release older than V0401 the document was in (B2MML V0400's
    #: ``http://www.wbf.org/xml/b2mml-v0400``), read as ``source`` (V0401); "" otherwise
    read_from: str = ""

    @property
    def carried(self) -> list[MigrationChange]:
        """Pieces the target cannot hold, kept verbatim (written back to the source release)."""
        return [c for c in self.changes if c.kind == "carried"]

    @property
    def dropped(self) -> list[MigrationChange]:
        """Pieces the target release cannot express, left out of the result."""
        return [c for c in self.changes if c.kind == "dropped"]

    @property
    def missing(self) -> list[MigrationChange]:
        """Elements the target requires that the source did not have (left unset)."""
        return [c for c in self.changes if c.kind == "missing"]

    @property
    def filled(self) -> list[MigrationChange]:
        """Required identifiers the source lacked, filled on request (``fill_missing``)."""
        return [c for c in self.changes if c.kind == "filled"]

    @property
    def lossless(self) -> bool:
        """Nothing was dropped (carried pieces are kept)."""
        return not self.dropped

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.value,
            "target": self.target.value,
            "source_root": self.source_root,
            "read_from": self.read_from,
            "lossless": self.lossless,
            "changes": [
                {"kind": c.kind, "rule": c.rule, "path": c.path, "line": c.line, "count": c.count}
                for c in self.changes
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2)

    def to_text(self) -> str:
        source = f"{self.source} (read from {self.read_from})" if self.read_from else self.source
        head = f"{source} -> {self.target}: {len(self.changes)} change(s)"
        if self.carried:
            head += f", {len(self.carried)} carried"
        if self.dropped:
            head += f", {len(self.dropped)} dropped"
        if self.missing:
            head += f", {len(self.missing)} required element(s) missing"
        if self.filled:
            head += f", {len(self.filled)} filled"
        return "\n".join([head, *(f"  {c}" for c in self.changes)])
