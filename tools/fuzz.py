#!/usr/bin/env python3
"""Run the fuzzing suite for a long time (CI runs it with a bounded budget).

    python tools/fuzz.py                   # hypothesis, 20,000 examples per property
    python tools/fuzz.py --examples 200000 # longer
    python tools/fuzz.py --atheris -- -max_total_time=3600   # coverage-guided, if installed

The hypothesis run replays and extends the example database in ``.hypothesis/``; a failure
prints the minimal input: add it to ``tests/fuzz/corpus/`` (and fix it). The atheris run
feeds libFuzzer's byte mutations, seeded with the reference documents, through the same
oracles (``tests/fuzz/test_fuzz_xml.py``); crashes land in the working directory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _hypothesis(examples: int, extra: list[str]) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), HYPOTHESIS_PROFILE="fuzz")
    env["ISA95KIT_FUZZ_EXAMPLES"] = str(examples)
    command = [sys.executable, "-m", "pytest", str(ROOT / "tests" / "fuzz"), "-x", *extra]
    return subprocess.call(command, cwd=ROOT, env=env)


def _atheris(extra: list[str]) -> int:
    try:
        import atheris  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        print("atheris is not installed (pip install atheris)", file=sys.stderr)
        return 2
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    with atheris.instrument_imports():
        import isa95kit  # noqa: F401
        from tests.fuzz import test_fuzz_xml as oracles
    from tests.fuzz._mutators import SEEDS

    corpus = ROOT / ".fuzz-corpus"
    corpus.mkdir(exist_ok=True)
    for i, seed in enumerate(SEEDS):
        (corpus / f"seed-{i}.xml").write_bytes(seed)

    def one(data: bytes) -> None:
        oracles.read_oracle(data)
        oracles.iter_oracle(data)
        oracles.stream_tree_oracle(data)

    atheris.Setup([sys.argv[0], str(corpus), *extra], one)
    atheris.Fuzz()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20_000, help="per property")
    parser.add_argument("--atheris", action="store_true", help="coverage-guided fuzzing")
    parser.add_argument("extra", nargs="*", help="passed on to pytest or libFuzzer")
    args = parser.parse_args()
    return _atheris(args.extra) if args.atheris else _hypothesis(args.examples, args.extra)


if __name__ == "__main__":
    sys.exit(main())
