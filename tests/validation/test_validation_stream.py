"""The streaming engine: same findings as the tree engine, bounded memory, issue limits."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from isa95kit.validation import Severity, ValidationProfile, check
from tests.validation._support import job_order, line_of_text, request, work_schedule

SRC = Path(__file__).resolve().parents[2] / "src"

JOB = """        <JobOrder>
          <ID>JO-{n}</ID>
          <Description>Blend base resin with additives, degas and transfer</Description>
          <StartTime>2024-05-01T06:00:00+02:00</StartTime>
          <EndTime>2024-05-01T07:30:00+02:00</EndTime>
          <Priority>{priority}</Priority>{extra}
          <MaterialRequirement>
            <ID>MR-1</ID>
            <MaterialDefinitionID>RESIN</MaterialDefinitionID>
            <MaterialUse>{use}</MaterialUse>
            <Quantity><QuantityString>12.5</QuantityString><DataType>decimal</DataType><UnitOfMeasure>KGM</UnitOfMeasure></Quantity>
          </MaterialRequirement>
        </JobOrder>"""


def big_schedule(requests: int, jobs: int, bad: dict[int, dict[str, str]] | None = None) -> bytes:
    """A schedule of ``requests`` x ``jobs`` job orders; ``bad`` overrides fields of job n."""
    bad = bad or {}
    parts = []
    n = 0
    for r in range(requests):
        orders = []
        for _ in range(jobs):
            fields = {"priority": "1", "use": "Consumed", "extra": ""} | bad.get(n, {})
            orders.append(JOB.format(n=n, **fields))
            n += 1
        parts.append(request(f"WR-{r}", *orders))
    return work_schedule("\n".join(parts))


def keys(data: bytes, stream: bool) -> list[tuple[str, int | None, str | None, str]]:
    report = check(data, stream=stream).files[0]
    return sorted((i.code, i.line, i.path, i.message) for i in report.issues)


def test_streamed_schema_errors_are_located_like_the_tree_engine() -> None:
    bad = {
        3: {"priority": "high"},  # a bad value
        7: {"priority": "urgent"},  # the same element, another value, same block
        150: {"use": "Consumedx"},  # an enumeration, in a later block
        151: {"extra": "\n          <Color>red</Color>"},  # an unexpected element
        400: {"priority": "high"},  # the same value again, far away
    }
    data = big_schedule(requests=25, jobs=20, bad=bad)
    assert len(data) > 4 * 64 * 1024  # several blocks
    tree, streamed = keys(data, False), keys(data, True)
    assert tree == streamed
    schema = [(line, path) for code, line, path, _ in tree if code == "schema"]
    assert [line for line, _ in schema] == sorted(
        [
            line_of_text(data, "<Priority>high<"),
            line_of_text(data, "<Priority>urgent<"),
            line_of_text(data, "Consumedx"),
            line_of_text(data, "<Color>"),
            line_of_text(data, "<Priority>high<", 2),
        ]
    )
    assert all(path and path.startswith("/b2mml:ProcessWorkSchedule[1]/") for _, path in schema)


def test_missing_children_and_unexpected_elements_at_block_ends() -> None:
    # a WorkRequest without JobOrder (missing child, reported at its end tag)
    data = work_schedule(request("WR-1", job_order("JO-1")) + "\n" + request("WR-2"))
    assert keys(data, False) == keys(data, True)
    (issue,) = check(data, stream=True).files[0].issues
    assert "Missing child" in issue.message and issue.line == line_of_text(data, "<WorkRequest>", 2)


def test_issue_limit_keeps_counts_exact() -> None:
    orders = [job_order("SAME") for _ in range(30)]
    data = work_schedule(request("WR-1", *orders))
    profile = ValidationProfile(max_issues=5)
    for stream in (False, True):
        report = check(data, stream=stream, profile=profile).files[0]
        assert report.errors == 29 and not report.valid
        assert len(report.issues) == 6
        assert report.issues[-1].code == "issue-limit"
        assert report.issues[-1].severity is Severity.INFO
        assert "24 more issues not listed" in report.issues[-1].message


def test_records_split_across_blocks_keep_duplicate_state() -> None:
    # one huge request: its job orders are processed in many batches while it stays open
    orders = [job_order(f"JO-{i}", "          <Description>" + "x" * 200 + "</Description>")
              for i in range(600)]  # fmt: skip
    orders.append(job_order("JO-7"))
    data = work_schedule(request("WR-1", *orders))
    assert keys(data, False) == keys(data, True)
    (issue,) = check(data, stream=True).files[0].issues
    assert issue.code == "duplicate-id" and "JO-7" in issue.message


PROBE = textwrap.dedent(
    """
    import json, sys
    from isa95kit.validation import check

    def peak_mb():  # VmHWM: this process's peak RSS (ru_maxrss would include the parent's)
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) // 1024

    peaks = []
    for path, mode in zip(sys.argv[1::2], sys.argv[2::2]):
        report = check(path, stream=mode == "stream").files[0]
        assert report.valid and report.mode == mode
        peaks.append(peak_mb())
    print(json.dumps(peaks))
    """
)


def peaks_mb(*runs: tuple[Path, str]) -> list[int]:
    """Peak RSS (MB) after each run, in one fresh process (imports, unit catalogue and schema
    are paid by the first run, so later growth is the document's)."""
    args = [str(part) for run in runs for part in run]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )
    return [int(mb) for mb in json.loads(done.stdout)]


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")
def test_streaming_memory_is_bounded(tmp_path: Path) -> None:
    """Peak RSS: a 6x larger document costs (almost) no more memory when streamed."""
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small.write_bytes(big_schedule(requests=120, jobs=20))  # ~1.5 MB: a full detection probe
    large.write_bytes(big_schedule(requests=720, jobs=20))  # ~9 MB
    assert large.stat().st_size > 5 * small.stat().st_size
    base, streamed = peaks_mb((small, "stream"), (large, "stream"))
    assert streamed - base < 10, (base, streamed)
    base, in_memory = peaks_mb((small, "stream"), (large, "tree"))
    assert in_memory - base > 40, (base, in_memory)
