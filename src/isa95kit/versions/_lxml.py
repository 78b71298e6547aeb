"""Typed access to the few lxml attributes the stubs describe loosely (``lxml-stubs``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

__all__ = ["LogEntry", "line_of", "log_entries"]


def line_of(node: object) -> int | None:
    """The source line of an lxml element (``None`` when unknown)."""
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else None


@dataclass(frozen=True)
class LogEntry:
    message: str
    filename: str
    line: int | None
    column: int | None
    path: str | None
    type_name: str
    level_name: str


def log_entries(error_log: object) -> list[LogEntry]:
    """The entries of an lxml error log as plain typed values."""
    entries: list[LogEntry] = []
    for entry in cast("Iterable[Any]", error_log):
        line = entry.line if isinstance(entry.line, int) and entry.line > 0 else None
        entries.append(
            LogEntry(
                message=str(entry.message),
                filename=str(entry.filename or ""),
                line=line,
                column=entry.column if line is not None and isinstance(entry.column, int) else None,
                path=entry.path if isinstance(entry.path, str) else None,
                type_name=str(entry.type_name),
                level_name=str(entry.level_name),
            )
        )
    return entries
