"""Benchmark: E-BOM → M-BOM transform at scale (issue 13 item 9).

    python benchmarks/bench_bom.py                     # 10k, 100k and 1M occurrences
    python benchmarks/bench_bom.py --sizes 100000

A BOM of N occurrences is generated (seeded): a wide tree of make and phantom assemblies
four to nine levels deep, plus chains 60 levels deep, over a shared pool of bought parts;
base quantities other than 1, scrap, boxes issued in pieces (a material factor), grams of
kilogram parts, expired effectivity lines and reference items. Each size runs in its own
subprocess, which reports:

- ``transform``: ``bom.transform`` (every step, invariants included), the target is < 20 s
  at 1M;
- ``explode only``: the bare exact explosion (``bom.exploded_totals``) of the same E-BOM,
  the floor any exact M-BOM transform pays; ``ratio`` = transform / explode only. There is
  no Python peer that turns an E-BOM into ISA-95 operations definitions, so the floor is
  the comparison;
- peak RSS after generating the E-BOM and after the transform (``ru_maxrss``), and the
  transform's extra peak per occurrence: linear memory keeps that figure flat across sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from isa95kit import bom
from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part

OPS = [Operation(f"OP{10 * (i + 1)}", 10 * (i + 1), f"operation {i + 1}") for i in range(20)]
AT = dt.date(2026, 6, 1)


def generate(n: int, seed: int = 13) -> tuple[Bom, bom.Rules]:
    """A deterministic E-BOM with ``n`` occurrences (see the module docstring)."""
    rng = random.Random(seed)
    parts: dict[str, Part] = {"PRODUCT": Part("PRODUCT", "EA", ItemType.MAKE)}
    pool: list[str] = []
    materials: dict[str, bom._rules.MaterialRule] = {}
    for i in range(max(100, n // 40)):
        pid = f"B{i}"
        roll = i % 5
        if roll == 0:
            parts[pid] = Part(pid, "KGM", ItemType.BUY)
        elif roll == 1:
            parts[pid] = Part(pid, "BX", ItemType.BUY, factors=("1 BX = 100 EA",))
            materials[pid] = bom._rules.MaterialRule(unit="EA")
        else:
            parts[pid] = Part(pid, "EA", ItemType.BUY)
        pool.append(pid)
    parts["DOC"] = Part("DOC", "EA", ItemType.REFERENCE)
    occurrences: list[Occurrence] = []
    expired = dt.date(2026, 1, 1)
    queue: list[tuple[str, int]] = [("PRODUCT", 0)]
    counter = 0
    head = 0

    def leaf(parent: str) -> Occurrence:
        pid = rng.choice(pool)
        unit = parts[pid].unit
        q = Fraction(rng.randint(1, 12))
        if unit == "KGM" and rng.random() < 0.5:
            unit, q = "GRM", Fraction(rng.randint(1, 900))
        r = rng.random()
        return Occurrence(
            parent,
            pid,
            q,
            unit,
            find_number=str(10 * len(occurrences)),
            operation=rng.choice(OPS).id if r < 0.5 else None,
            scrap=Fraction(rng.choice((1, 2, 5)), 100) if r > 0.9 else Fraction(0),
            effective_to=expired if 0.88 < r < 0.9 else None,
        )

    while len(occurrences) < n:
        if head < len(queue):
            parent, depth = queue[head]
            head += 1
        else:  # start a deep chain below the product
            parent, depth = "PRODUCT", 0
            for _ in range(60):
                counter += 1
                pid = f"C{counter}"
                kind = ItemType.PHANTOM if counter % 2 else ItemType.MAKE
                parts[pid] = Part(pid, "EA", kind)
                occurrences.append(Occurrence(parent, pid, Fraction(1), "EA", operation="OP10"))
                parent = pid
            depth = 3
        fanout = rng.randint(3, 12)
        for _ in range(fanout):
            if len(occurrences) >= n:
                break
            if depth < rng.randint(4, 9) and rng.random() < 0.35:
                counter += 1
                pid = f"A{counter}"
                kind = ItemType.PHANTOM if rng.random() < 0.3 else ItemType.MAKE
                base = Fraction(rng.choice((1, 1, 1, 4, 10)))
                parts[pid] = Part(pid, "EA", kind, base_quantity=base)
                occurrences.append(
                    Occurrence(
                        parent,
                        pid,
                        Fraction(rng.randint(1, 3)),
                        "EA",
                        operation=rng.choice(OPS).id,
                        scrap=Fraction(3, 100) if rng.random() < 0.1 else Fraction(0),
                    )
                )
                queue.append((pid, depth + 1))
            elif rng.random() < 0.002:
                occurrences.append(Occurrence(parent, "DOC", Fraction(1), "EA"))
            else:
                occurrences.append(leaf(parent))
    rules = bom.Rules(materials=materials, default_operation="OP10")
    return Bom(parts, occurrences, list(OPS), root="PRODUCT"), rules


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def child(n: int) -> dict[str, float]:
    ebom, rules = generate(n)
    gc.collect()
    before = _peak_mb()
    start, cpu = time.perf_counter(), time.process_time()
    mbom = bom.transform(ebom, rules, at=AT)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = _peak_mb()
    assert mbom.report.ok, mbom.report.issues[:3]
    resolved, _ = bom._steps.resolve_effectivity(ebom, at=AT)
    resolved = bom._steps.normalise_units(resolved, rules)
    resolved, _ = bom._steps.classify(resolved, rules)
    gc.disable()  # as transform does
    start = time.process_time()
    bom.exploded_totals(resolved, "PRODUCT")
    floor = time.process_time() - start
    gc.enable()
    return {
        "n": n,
        "lines": len(mbom.lines),
        "transform_s": elapsed,
        "transform_cpu_s": cpu,
        "explode_s": floor,
        "rss_input_mb": before,
        "rss_peak_mb": after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"running {n:,} occurrences ...", file=sys.stderr)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(n)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rows.append(json.loads(out))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"`python benchmarks/bench_bom.py --sizes {args.sizes}`: python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}; "
        "transform target < 20 s (CPU) at 1,000,000 occurrences\n"
    )
    print(
        "| occurrences | M-BOM lines | transform s (wall) | transform s (CPU) "
        "| explode only s (CPU) | ratio (CPU) "
        "| peak RSS input MB | peak RSS transform MB | extra bytes / occurrence |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        extra = (r["rss_peak_mb"] - r["rss_input_mb"]) * (1 << 20) / r["n"]
        print(
            f"| {r['n']:,} | {r['lines']:,} | {r['transform_s']:.2f} "
            f"| {r['transform_cpu_s']:.2f} | {r['explode_s']:.2f} "
            f"| {r['transform_cpu_s'] / r['explode_s']:.1f}x | {r['rss_input_mb']:.0f} "
            f"| {r['rss_peak_mb']:.0f} | {extra:.0f} |"
        )


if __name__ == "__main__":
    main()
