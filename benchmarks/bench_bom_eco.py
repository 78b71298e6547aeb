"""Benchmark: engineering change and reconciliation against transforming the new revision.

    python benchmarks/bench_bom_eco.py                  # 3 000 and 30 000 M-BOM lines
    python benchmarks/bench_bom_eco.py --sizes 3000

An E-BOM of N bought parts under 100 phantom assemblies (seeded) and a next revision with
3 % of the quantities changed, 2 % of the occurrences removed and 50 parts added. Reported:

- ``transform new``: ``bom.transform`` of the new revision, what one would run without an
  ECO tool (and losing every hand edit of the M-BOM);
- ``diff + apply``: ``diff_boms`` + ``apply_changes`` on the old M-BOM; ``ratio`` = that /
  transform new. There is no Python peer that applies an ECO to an ISA-95 M-BOM, so the
  re-transform is the comparison;
- ``reconcile``: ``bom.reconcile`` of the new E-BOM with the result (must be clean), and its
  ratio to transform new.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from isa95kit import bom
from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part


def revisions(n: int, seed: int = 1) -> tuple[Bom, Bom]:
    rnd = random.Random(seed)
    parts = {"P": Part("P", "EA", ItemType.MAKE)}
    occ: list[Occurrence] = []
    per = max(1, n // 100)
    for h in range(100):
        parts[f"H{h}"] = Part(f"H{h}", "EA", ItemType.PHANTOM)
        occ.append(
            Occurrence(
                "P", f"H{h}", Fraction(rnd.randint(1, 5)), "EA", str(h), operation=f"OP{h % 10}"
            )
        )
        for j in range(per):
            m = f"M{h}-{j}"
            parts[m] = Part(m, "EA")
            occ.append(
                Occurrence(
                    f"H{h}",
                    m,
                    Fraction(rnd.randint(1, 9), 4),
                    "EA",
                    str(j),
                    scrap=Fraction(rnd.choice([0, 0, 1]), 20),
                )
            )
    routing = [Operation(f"OP{i}", 10 * (i + 1)) for i in range(10)]
    old = Bom(parts, occ, routing, root="P")
    changed: list[Occurrence] = []
    for o in occ:
        r = rnd.random()
        if r < 0.03:
            o = dataclasses.replace(o, quantity=o.quantity * 2)
        elif r < 0.05 and o.parent != "P":
            continue
        changed.append(o)
    new_parts = dict(parts)
    for k in range(50):
        new_parts[f"N{k}"] = Part(f"N{k}", "EA")
        changed.append(Occurrence(f"H{k}", f"N{k}", Fraction(1), "EA", f"new-{k}"))
    return old, Bom(new_parts, changed, routing, root="P")


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(n: int, repeat: int) -> None:
    old, new = revisions(n)
    mbom = bom.transform(old)
    change = bom.diff_boms(old, new)
    result = bom.apply_changes(change, mbom)
    assert result.ok and bom.reconcile(new, result.mbom).ok
    t_new = best(lambda: bom.transform(new), repeat)
    t_eco = best(lambda: bom.apply_changes(bom.diff_boms(old, new), mbom), repeat)
    t_rec = best(lambda: bom.reconcile(new, result.mbom), repeat)
    print(
        f"{len(mbom.lines):>7} {len(change):>8} {t_new:>13.3f}s {t_eco:>12.3f}s "
        f"{t_eco / t_new:>6.2f} {t_rec:>9.3f}s {t_rec / t_new:>6.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 30000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'lines':>7} {'changes':>8} {'transform new':>14} {'diff + apply':>13} {'ratio':>6} "
        f"{'reconcile':>10} {'ratio':>6}"
    )
    for n in args.sizes:
        run(n, args.repeat)


if __name__ == "__main__":
    main()
