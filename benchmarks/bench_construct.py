"""Keyword construction of job orders against ``from_dict`` of the same data (issue 9).

    python benchmarks/bench_construct.py [--count N] [--repeat R]

Prints CPU seconds (``time.process_time``, median of R runs) for building N job orders with
keyword arguments and shorthands, and for ``isa95kit.from_dict`` of their B2MML-JSON values,
and the ratio (target: keywords at most 2x from_dict). A second row repeats both with the
cyclic garbage collector paused, as ``from_dict`` does itself while it builds: the
difference between the rows is the collector's time (keyword construction cannot pause it
across the caller's loop). A third row repeats both after ``gc.freeze()``, as pre-fork
servers do. A last row repeats both after importing every area of the model: a keyword-built
job order loads only the three areas it needs, and each full collection walks the whole
long-lived heap (the model's classes included), so an application that has the whole model
loaded pays more for the collector (the row says how many GC-tracked objects the heap held).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import isa95kit as ik
import isa95kit.model
from isa95kit.model import JobOrder


def job(i: int) -> JobOrder:
    return JobOrder(
        id=f"JO-{i}",
        description=["fill line 1"],
        priority=Decimal(1),
        material_requirement=[
            {
                "id": f"M{i}",
                "material_definition_id": ["MAT-OJ"],
                "material_use": "Consumed",
                "quantity": [{"quantity_string": "3", "unit_of_measure": "KGM"}],
            }
        ],
    )


def _cpu(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    job(0)  # build the schemas once
    data = [ik.to_dict(job(i)) for i in range(args.count)]
    print(f"| {args.count} job orders | keywords | from_dict | keywords / from_dict (<= 2) |")
    print("|---|---:|---:|---:|")

    def row(label: str, verdict: bool = False) -> None:
        keywords = _cpu(lambda: [job(i) for i in range(args.count)], args.repeat)
        from_dict = _cpu(lambda: [ik.from_dict(d) for d in data], args.repeat)
        ratio = keywords / from_dict
        mark = (" PASS" if ratio <= 2 else " FAIL") if verdict else ""
        print(f"| {label} | {keywords:.3f} | {from_dict:.3f} | {ratio:.2f}x{mark} |")

    row(f"CPU s, median of {args.repeat}", verdict=True)
    gc.collect()
    gc.disable()
    try:
        row("same, cyclic GC paused")
    finally:
        gc.enable()
    # the whole model loaded (an application reading any document): a larger heap to walk
    gc.collect()
    before = len(gc.get_objects())
    model_dir = Path(isa95kit.model.__file__).parent
    for area in sorted(p.stem for p in model_dir.glob("[!_]*.py")):
        importlib.import_module(f"isa95kit.model.{area}")
    gc.collect()
    after = len(gc.get_objects())
    row(f"same, every model area loaded (heap {before:,} -> {after:,} GC-tracked objects)")
    # a pre-fork server freezes its heap before forking (gc.freeze): the codecs must neither
    # undo that nor walk the frozen heap on every call (they did: 27 s instead of 0.06 s)
    gc.collect()
    gc.freeze()
    try:
        row("same, after the application froze its heap")
    finally:
        gc.unfreeze()


if __name__ == "__main__":
    main()
