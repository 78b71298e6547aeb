"""Benchmark: exact unit conversion in isa95kit against pint, in the same run.

    python benchmarks/bench_units.py            # one million quantities per case
    python benchmarks/bench_units.py --n 100000

A column of N decimal quantities (three decimal places, seeded) is converted for each case:

- ``isa95kit convert()``: one call per value (resolves nothing again: cached unit pair);
- ``isa95kit convert_many()``: the batch API, one call for the column;
- ``pint per value``: ``ureg.convert(value, src, dst)`` with ``non_int_type=Decimal``, pint's
  direct conversion without building Quantity objects (its fastest single-value path);
- ``pint batch``: one ``Quantity(numpy object array of Decimal).to(dst)`` (needs numpy).

Ratios are isa95kit / pint (above 1: isa95kit is faster). The results are compared value by
value: pint computes in the 28-digit decimal context, isa95kit exactly (rounding once on
request), so they can differ in the last digits; the table says how many differ.

pint and numpy are benchmark-only dependencies (``pip install pint numpy``); nothing in
isa95kit imports them.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from isa95kit.units import Rounding, convert, convert_many

#: (label, isa95kit from, isa95kit to, pint from, pint to, rounding places or None)
CASES = [
    ("kg -> g", "KGM", "GRM", "kilogram", "gram", None),
    ("lb -> kg", "LBR", "KGM", "pound", "kilogram", None),
    ("degC -> degF", "CEL", "FAH", "degree_Celsius", "degree_Fahrenheit", None),
    ("kg -> lb, 6 places", "KGM", "LBR", "kilogram", "pound", 6),
]


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _column(n: int, seed: int) -> list[Decimal]:
    rng = random.Random(seed)
    return [Decimal(rng.randrange(1, 10**9)).scaleb(-3) for _ in range(n)]


def _run_case(
    case: tuple[str, str, str, str, str, int | None], values: list[Decimal], ureg: Any, np: Any
) -> str:
    """One table row: time isa95kit and pint on the same column, count differing results."""
    label, src, dst, psrc, pdst, places = case
    n = len(values)
    rounding = Rounding(places) if places is not None else None
    quantum = Decimal(1).scaleb(-places) if places is not None else None

    t_single, ours = _timed(lambda: [convert(v, src, dst, rounding=rounding) for v in values])
    t_many, ours_many = _timed(lambda: convert_many(values, src, dst, rounding=rounding))
    assert ours == ours_many

    src_unit, dst_unit = ureg.Unit(psrc), ureg.Unit(pdst)

    def pint_single() -> list[Decimal]:
        out = [ureg.convert(v, src_unit, dst_unit) for v in values]
        return [Decimal(x).quantize(quantum) for x in out] if quantum else out

    def pint_batch() -> Any:
        out = ureg.Quantity(np.array(values, dtype=object), src_unit).to(dst_unit).magnitude
        return [x.quantize(quantum) for x in out] if quantum else out

    t_pint, theirs = _timed(pint_single)
    if np is not None:
        t_pint_batch, _ = _timed(pint_batch)
        batch = f"{n / t_pint_batch:>12,.0f}"
        batch_ratio = f"{t_pint_batch / t_many:>12.2f}"
    else:
        batch, batch_ratio = f"{'n/a':>12}", f"{'n/a':>12}"
    differ = sum(1 for a, b in zip(ours, theirs, strict=True) if a != b)
    return (
        f"{label:<20} {n / t_single:>14,.0f} {n / t_many:>16,.0f} "
        f"{n / t_pint:>15,.0f} {batch} {t_pint / t_single:>13.2f} {batch_ratio} {differ:>8,}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="isa95kit.units vs pint, same run")
    parser.add_argument("--n", type=int, default=1_000_000, help="quantities per case")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)

    try:
        import pint
    except ImportError:
        print("pint is needed for the comparison: pip install pint", file=sys.stderr)
        return 2
    try:
        import numpy as np
    except ImportError:
        np = None

    ureg = pint.UnitRegistry(non_int_type=Decimal)
    values = _column(args.n, args.seed)
    print(
        f"isa95kit.units vs pint {pint.__version__} (non_int_type=Decimal); "
        f"{args.n:,} quantities per case; Python {platform.python_version()} "
        f"on {platform.machine()}"
    )
    header = (
        f"{'case':<20} {'ik convert()':>14} {'ik convert_many':>16} {'pint per value':>15} "
        f"{'pint batch':>12} {'single ratio':>13} {'batch ratio':>12} {'differ':>8}"
    )
    print(header)
    print("-" * len(header))
    for case in CASES:
        print(_run_case(case, values, ureg, np))
    print("rates are conversions per second; ratio = isa95kit rate / pint rate")
    if np is None:
        print("pint batch: n/a (pip install numpy to measure pint on an object array)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
