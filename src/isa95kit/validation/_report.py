"""Validation reports: per-file results and their text, JSON and JUnit XML renderings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import DocumentInvalidError
from ._model import Issue, Severity

__all__ = ["FileReport", "ValidationReport"]


@dataclass
class FileReport:
    """The result for one document.

    ``issues`` holds at most the profile's ``max_issues`` issues (sorted by line); ``counts``
    counts every issue found, listed or not, so ``valid`` is exact either way.
    """

    file: str | None
    issues: list[Issue] = field(default_factory=list)
    counts: dict[Severity, int] = field(default_factory=dict)
    version: str | None = None
    root: str | None = None
    mode: str = "tree"
    namespaces: dict[str, str] = field(default_factory=dict)
    size: int | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return self.counts.get(Severity.ERROR, 0)

    @property
    def warnings(self) -> int:
        return self.counts.get(Severity.WARNING, 0)

    @property
    def valid(self) -> bool:
        """No errors (with ``strict``, warnings were already turned into errors)."""
        return self.errors == 0

    @property
    def name(self) -> str:
        return self.file or "<input>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "valid": self.valid,
            "version": self.version,
            "root": self.root,
            "mode": self.mode,
            "bytes": self.size,
            "seconds": round(self.seconds, 6),
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.counts.get(Severity.INFO, 0),
            "namespaces": dict(self.namespaces),
            "issues": [issue.to_dict() for issue in self.issues],
        }


@dataclass
class ValidationReport:
    """The result of validating one or more documents, with renderers for people and CI."""

    files: list[FileReport] = field(default_factory=list)
    strict: bool = False
    schema_only: bool = False
    profile: str = "default"

    @property
    def valid(self) -> bool:
        return all(report.valid for report in self.files)

    @property
    def error_count(self) -> int:
        return sum(report.errors for report in self.files)

    @property
    def warning_count(self) -> int:
        return sum(report.warnings for report in self.files)

    @property
    def issues(self) -> list[Issue]:
        """Every listed issue of every file, in file order."""
        return [issue for report in self.files for issue in report.issues]

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def raise_for_errors(self) -> ValidationReport:
        """Raise :class:`DocumentInvalidError` (with every issue) if any file has an error."""
        if self.valid:
            return self
        errors = [i for i in self.issues if i.severity is Severity.ERROR]
        bad = [r for r in self.files if not r.valid]
        first = errors[0] if errors else None
        where = bad[0].name if len(bad) == 1 else f"{len(bad)} of {len(self.files)} files"
        message = f"{where}: {_plural(self.error_count, 'error')}"
        if self.warning_count:
            message += f", {_plural(self.warning_count, 'warning')}"
        if first is not None:
            message += f"; first: line {first.line}: {first.code}: {first.message}"
        raise DocumentInvalidError(
            message, issues=self.issues, location=first.location if first else None
        )

    # -- renderers -------------------------------------------------------------------------
    def summary(self) -> str:
        bad = sum(1 for report in self.files if not report.valid)
        return (
            f"{_plural(len(self.files), 'file')} checked: {len(self.files) - bad} valid, "
            f"{bad} invalid; {_plural(self.error_count, 'error')}, "
            f"{_plural(self.warning_count, 'warning')}"
            + (" (strict)" if self.strict else "")
            + (" (schema only)" if self.schema_only else "")
        )

    def to_text(self, *, summary: bool = True) -> str:
        """One line per issue: ``file:line:col: severity code: message [xpath] (hint)``."""
        lines = [str(issue) for issue in self.issues]
        if summary:
            lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        from .. import __version__

        return {
            "tool": "isa95kit",
            "tool_version": __version__,
            "profile": self.profile,
            "strict": self.strict,
            "schema_only": self.schema_only,
            "valid": self.valid,
            "summary": {
                "files": len(self.files),
                "invalid_files": sum(1 for r in self.files if not r.valid),
                "errors": self.error_count,
                "warnings": self.warning_count,
            },
            "files": [report.to_dict() for report in self.files],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    def to_junit(self) -> str:
        """JUnit XML: one ``testsuite`` per file, one failing ``testcase`` per error.

        A file without errors is one passing test case; warnings go to ``system-out``.
        """
        suites = [_junit_suite(report) for report in self.files]
        tests = sum(count for _, count in suites)
        failures = sum(count for (_, count), r in zip(suites, self.files, strict=True) if r.errors)
        seconds = sum(report.seconds for report in self.files)
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="isa95kit validate" tests="{tests}" failures="{failures}" '
            f'errors="0" time="{seconds:.3f}">\n'
        )
        return head + "".join(text for text, _ in suites) + "</testsuites>\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _junit_suite(report: FileReport) -> tuple[str, int]:
    errors = [i for i in report.issues if i.severity is Severity.ERROR]
    others = [i for i in report.issues if i.severity is not Severity.ERROR]
    unlisted = report.errors - len(errors)
    name = report.name
    classname = quoteattr(f"isa95kit.validate.{name}")
    cases: list[str] = []
    if report.errors == 0:
        cases.append(
            f'    <testcase classname={classname} name="valid" time="{report.seconds:.3f}"/>\n'
        )
    for issue in errors:
        label = f"{issue.code} at line {issue.line}" if issue.line else issue.code
        cases.append(
            f'    <testcase classname={classname} name={quoteattr(label)} time="0">\n'
            f"      <failure type={quoteattr(issue.code)} message={quoteattr(issue.message)}>"
            f"{escape(str(issue))}</failure>\n"
            "    </testcase>\n"
        )
    if unlisted > 0:
        cases.append(
            f'    <testcase classname={classname} name="further errors" time="0">\n'
            f'      <failure type="issue-limit" message="{unlisted} more errors not listed"/>\n'
            "    </testcase>\n"
        )
    out = "".join(escape(str(issue)) + "\n" for issue in others)
    system_out = f"    <system-out>{out}</system-out>\n" if out else ""
    failed = len(cases) if report.errors else 0
    text = (
        f'  <testsuite name={quoteattr(name)} tests="{len(cases)}" '
        f'failures="{failed}" errors="0" skipped="0" time="{report.seconds:.3f}">\n'
        + "".join(cases)
        + system_out
        + "  </testsuite>\n"
    )
    return text, len(cases)


_LAYER = {"not-well-formed": 0, "hostile-input": 0, "schema": 1}


def collect(issues: Iterable[Issue], report: FileReport, max_issues: int) -> FileReport:
    """Fill ``report`` from an issue stream: keep the first ``max_issues``, count them all.

    Hostile input is refused as a whole: when the stream has a ``hostile-input`` issue, the
    report holds only those (the streaming engine may have found schema or rule issues in
    the blocks before it, which the tree engine never looks at)."""
    counts = report.counts
    kept = report.issues
    hostile: list[Issue] = []
    for issue in issues:
        if issue.code == "hostile-input":
            hostile.append(issue)
        counts[issue.severity] = counts.get(issue.severity, 0) + 1
        if len(kept) < max_issues:
            kept.append(issue)
    if hostile:
        kept[:] = hostile[:max_issues]
        counts.clear()
        counts[Severity.ERROR] = len(hostile)
    # by place; at one place syntax, then schema, then rule issues — the order of the tree
    # engine's layers, which the streaming engine (rules as elements end) reaches too
    kept.sort(key=lambda i: (i.line or 0, i.column or 0, _LAYER.get(i.code, 2)))
    dropped = sum(counts.values()) - len(kept)
    if dropped:
        kept.append(
            Issue(
                "issue-limit",
                Severity.INFO,
                f"{dropped} more issues not listed (max_issues={max_issues}); "
                f"{_plural(report.errors, 'error')} and {_plural(report.warnings, 'warning')} "
                "in total",
                report.file,
                hint="fix the issues shown, or raise max_issues in the profile",
            )
        )
    return report
