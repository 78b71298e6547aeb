"""The summary of a batch run: counts by verdict and issue code, bytes, throughput."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from ._tasks import FileResult, Verdict

__all__ = ["BatchSummary", "junit"]


@dataclass
class BatchSummary:
    """Running totals of a batch, updated result by result (``add``).

    ``codes`` counts issue codes over every listed issue, and error classes (``error:Kind``)
    of files that failed or crashed; ``busy_seconds`` is the wall-clock time spent inside the
    per-file tasks, summed over every worker, and ``cpu_seconds`` the CPU time of those tasks
    (``busy_seconds`` well above ``cpu_seconds`` means files waited: for a core on a loaded
    machine, or for storage).
    """

    files: int = 0
    bytes: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    busy_seconds: float = 0.0
    cpu_seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    workers: int = 1
    mode: str = "serial"

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.bytes += result.size
        self.verdicts[result.verdict] += 1
        self.busy_seconds += result.seconds
        self.cpu_seconds += result.cpu_seconds
        if result.attempts > 1:
            self.retried += 1
        if result.report is not None:
            self.codes.update(issue.code for issue in result.report.issues)
        if result.error is not None:
            self.codes[f"error:{result.error.kind}"] += 1

    def finish(self) -> None:
        if self.finished is None:
            self.finished = time.perf_counter()

    @property
    def seconds(self) -> float:
        """Wall-clock time from the start of the run to its end (or to now)."""
        end = self.finished if self.finished is not None else time.perf_counter()
        return max(end - self.started, 1e-9)

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds

    @property
    def failed(self) -> int:
        return self.verdicts[Verdict.FAILED] + self.verdicts[Verdict.CRASHED]

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "workers": self.workers,
            "files": self.files,
            "bytes": self.bytes,
            "verdicts": dict(sorted(self.verdicts.items())),
            "codes": dict(sorted(self.codes.items())),
            "retried": self.retried,
            "seconds": round(self.seconds, 6),
            "busy_seconds": round(self.busy_seconds, 6),
            "cpu_seconds": round(self.cpu_seconds, 6),
            "files_per_second": round(self.files_per_second, 3),
            "megabytes_per_second": round(self.bytes / self.seconds / 1e6, 3),
        }

    def __str__(self) -> str:
        verdicts = ", ".join(f"{count} {name}" for name, count in sorted(self.verdicts.items()))
        return (
            f"{self.files} files ({verdicts or 'none'}) in {self.seconds:.2f} s: "
            f"{self.files_per_second:.1f} files/s, {self.bytes / self.seconds / 1e6:.1f} MB/s "
            f"on {self.workers} {'worker' if self.workers == 1 else 'workers'} ({self.mode})"
        )


def junit(results: Iterable[FileResult], name: str) -> str:
    """JUnit XML for a batch: one test case per file, validation reports rendered as the
    validation layer does; a file that failed or crashed is a JUnit ``error``."""
    from ..validation._report import _junit_suite

    suites: list[str] = []
    tests = failures = errors = 0
    seconds = 0.0
    for result in results:
        seconds += result.seconds
        if result.report is not None:
            text, count = _junit_suite(result.report)
            tests += count
            failures += count if result.report.errors else 0
            suites.append(text)
            continue
        tests += 1
        label = quoteattr(result.source)
        case = f"    <testcase classname={quoteattr(f'isa95kit.{result.source}')} "
        if result.error is None:
            suites.append(
                f'  <testsuite name={label} tests="1" failures="0" errors="0" skipped="0" '
                f'time="{result.seconds:.3f}">\n{case}name="{result.verdict}" '
                f'time="{result.seconds:.3f}"/>\n  </testsuite>\n'
            )
            continue
        errors += 1
        suites.append(
            f'  <testsuite name={label} tests="1" failures="0" errors="1" skipped="0" '
            f'time="{result.seconds:.3f}">\n{case}name="{result.verdict}" time="0">\n'
            f"      <error type={quoteattr(result.error.kind)} "
            f"message={quoteattr(str(result.error))}/>\n"
            "    </testcase>\n  </testsuite>\n"
        )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name={quoteattr(name)} tests="{tests}" failures="{failures}" '
        f'errors="{errors}" time="{seconds:.3f}">\n'
    )
    return head + "".join(suites) + "</testsuites>\n"
