"""Benchmark of loading the generated migration rule tables (``versions/_migrate_v*.py``).

One command (``python benchmarks/bench_migrate_tables.py``) measures, each in a fresh
interpreter, best of N CPU times (``time.process_time`` inside the child, so interpreter
start-up is not counted), once with warm ``.pyc`` files (an installed wheel; kept under a
temporary ``PYTHONPYCACHEPREFIX``) and once compiling from source (``PYTHONDONTWRITEBYTECODE``,
as a test run in a checkout may be):

* ``import isa95kit.versions._migrate_tree`` (no table is loaded yet);
* the first ``tables(release)`` of each older release (import of its generated modules and the
  ``Tables`` set-up), and of all five releases one after the other.

``--baseline SRC`` measures another source tree (e.g. ``git archive main src | tar -x -C
/tmp/base``, then ``--baseline /tmp/base/src``) in the same run, interleaved, and prints the
ratios this tree / baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
RELEASES = ("V0401", "V0500", "V0600", "V0601", "V0700")

CHILD = """
import json, sys, time
t0 = time.process_time()
import isa95kit.versions._migrate_tree as mt
from isa95kit.versions import B2MMLVersion
t1 = time.process_time()
out = {"import": t1 - t0}
for rel in sys.argv[1].split(","):
    t = time.process_time()
    mt.tables(B2MMLVersion(rel))
    out[rel] = time.process_time() - t
print(json.dumps(out))
"""


def run(src: Path, releases: str, pycache: str | None) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = pycache
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, releases],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def measure(src: Path, pycache: str | None) -> dict[str, float]:
    """CPU seconds of one round: import, each release alone, all releases in turn."""
    out: dict[str, float] = {}
    for rel in RELEASES:
        r = run(src, rel, pycache)
        out["import"] = min(out.get("import", 1e9), r["import"])
        out[rel] = r[rel]
    r = run(src, ",".join(RELEASES), pycache)
    out["all five"] = sum(r[k] for k in RELEASES)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7, help="best of N (default 7)")
    ap.add_argument("--baseline", type=Path, help="another src/ tree to measure in the same run")
    args = ap.parse_args(argv)
    trees = {"this": SRC, **({"baseline": args.baseline} if args.baseline else {})}
    with tempfile.TemporaryDirectory() as tmp:
        for mode, pycache in (("warm .pyc", tmp), ("from source", None)):
            best: dict[str, dict[str, float]] = {name: {} for name in trees}
            for src in trees.values():
                run(src, ",".join(RELEASES), pycache)  # warm the .pyc files
            for _ in range(args.repeat):  # interleaved, so load on the machine hits all alike
                for name, src in trees.items():
                    for key, value in measure(src, pycache).items():
                        best[name][key] = min(best[name].get(key, 1e9), value)
            report(mode, best)
    return 0


def report(mode: str, best: dict[str, dict[str, float]]) -> None:
    base = best.get("baseline")
    print(f"\n{mode}, best of N, CPU ms\n")
    print("| step | this |" + (" baseline | ratio |" if base else ""))
    print("|---|---:|" + ("---:|---:|" if base else ""))
    for key, value in best["this"].items():
        row = f"| {'tables(' + key + ')' if key.startswith('V') else key} | {value * 1e3:.1f} |"
        if base:
            row += f" {base[key] * 1e3:.1f} | {value / base[key]:.2f} |"
        print(row)


if __name__ == "__main__":
    sys.exit(main())
