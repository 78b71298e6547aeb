"""``isa95kit.diff`` of two decoded work schedules against the peers in the same run.

    python benchmarks/bench_diff.py [--mb 10] [--repeat 3]

Generates a schema-valid V0701 work schedule (``benchmarks/_docs.py``), reads it twice and
changes one job order's priority and the order of two job orders in the second copy, then
measures CPU seconds (median of R runs) of:

- ``isa95kit.diff(a, b)`` (entity matching, every leaf compared in its written form), and of
  two equal copies;
- the model's ``==`` on two equal copies (a yes/no answer, no report; it stops at the first
  difference, so only equal documents are a fair comparison);
- ``write_xml`` of both + lxml C14N 2.0 + text comparison (a yes/no answer from the XML);
- ``write_xml`` of both + ``difflib.unified_diff`` of the pretty-printed XML (a line diff,
  what a reviewer without isa95kit would read).
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from _docs import make_work_schedule
from lxml import etree

import isa95kit as ik


def _cpu(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ws.xml"
        size = make_work_schedule(path, int(args.mb * 1e6))
        a, b, c = ik.read_xml(path), ik.read_xml(path), ik.read_xml(path)
    jobs = [j for wr in b.work_request for j in wr.job_order]
    jobs[0].priority = Decimal(99)
    request = b.work_request[0]
    request.job_order = list(reversed(request.job_order[:2])) + request.job_order[2:]
    result = ik.diff(a, b)

    def c14n() -> bool:
        return etree.canonicalize(ik.write_xml(a).decode()) == etree.canonicalize(
            ik.write_xml(b).decode()
        )

    def line_diff() -> int:
        pretty = ik.WriteConfig(pretty_print=True)
        la = ik.write_xml(a, config=pretty).decode().splitlines()
        lb = ik.write_xml(b, config=pretty).decode().splitlines()
        return sum(1 for _ in difflib.unified_diff(la, lb, lineterm=""))

    rows = [
        ("isa95kit.diff (report)", _cpu(lambda: ik.diff(a, b), args.repeat)),
        ("isa95kit.diff, equal documents", _cpu(lambda: ik.diff(a, c), args.repeat)),
        ("model == on equal documents (yes/no)", _cpu(lambda: a == c, args.repeat)),
        ("write_xml + C14N compare (yes/no)", _cpu(c14n, args.repeat)),
        ("write_xml + difflib line diff", _cpu(line_diff, args.repeat)),
    ]
    print(f"work schedule {size / 1e6:.1f} MB, {len(jobs)} job orders; "
          f"diff found: {result.summary()}")  # fmt: skip
    base = rows[0][1]
    print(f"{'method':<36} {'CPU s':>8} {'MB/s':>8} {'vs diff':>8}")
    for name, seconds in rows:
        print(f"{name:<36} {seconds:8.3f} {size / 1e6 / seconds:8.1f} {seconds / base:8.2f}")


if __name__ == "__main__":
    main()
