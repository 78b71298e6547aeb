"""Validation throughput: isa95kit against lxml's XMLSchema alone and xmlschema, one run.

One command::

    PYTHONPATH=src python benchmarks/bench_validate.py            # 10 and 100 MB
    PYTHONPATH=src python benchmarks/bench_validate.py --sizes 10,100,1024   # and 1 GB

It writes schema-valid B2MML V0701 work schedules of the given sizes (MB = 2**20 bytes,
``benchmarks/_docs.py``: work requests of 25 job orders with parameters, requirements,
quantities with units and dateTimes with offsets) into a temporary folder, checks that lxml
finds them valid, and measures in the same process, best of N wall-clock runs:

* ``lxml XMLSchema``: ``etree.parse`` (hardened parser) + ``XMLSchema.validate`` with the
  shipped V0701 bundle, compiled before timing: lxml's schema-only speed, the reference;
* ``isa95kit schema-only``: ``check(path, schema_only=True)`` (well-formedness, version
  detection, schema, located issues), in the default engine for the size;
* ``isa95kit full``: ``check(path)``: schema plus every business rule, default engine;
* ``isa95kit full (other engine)``: the same forced into the other engine (tree vs stream);
* ``xmlschema``: ``XMLSchema.is_valid(path)`` (compiled before timing; above 32 MB on a
  lazy ``XMLResource``, as xmlschema refuses more than 10**6 elements otherwise), skipped at
  a size where the time measured at the previous size projects beyond ``--xmlschema-limit``.

Times are process CPU seconds by default (``--clock wall`` for wall-clock): single-threaded
work, so on an idle machine the two agree, and CPU time stays meaningful on a shared one.

Then the peak memory (VmHWM, in a fresh process each) of lxml and of isa95kit full at the
largest size. Prints markdown tables with MB/s, the ratios, and the targets
(full >= 1/3 of lxml schema-only; full >= 25x xmlschema, issue 10) with PASS/FAIL.

``--kinds`` adds the other generated document kinds (``material-info``, ``work-performance``;
default: the work schedule only), and ``--phases`` prints, instead of the comparison, where the
tree engine's time goes on each document: read, parse, the attribute sieve, version detection,
libxml2's schema validation alone (the floor) and with the issues built, each business rule
alone and all together, the report, and the whole ``check``::

    PYTHONPATH=src python benchmarks/bench_validate.py --sizes 1,10 --kinds all
    PYTHONPATH=src python benchmarks/bench_validate.py --sizes 10 --kinds all --phases
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
try:
    import isa95kit  # noqa: F401
except ImportError:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p
)

import _docs  # noqa: E402

from isa95kit._source import xml_parser  # noqa: E402
from isa95kit.validation import check  # noqa: E402
from isa95kit.versions import load_schema  # noqa: E402

MB = 1 << 20
T_LXML = 1 / 3  # isa95kit full >= 1/3 of lxml schema-only throughput
T_XMLSCHEMA = 25.0  # isa95kit full >= 25x xmlschema (issue 10)
#: documents above this size are streamed by the default profile (ValidationProfile)
STREAM_THRESHOLD = 32 * MB

MEMORY_PROBE = """
import sys
mode = sys.argv[2]
if mode == "lxml":
    from lxml import etree
    from isa95kit._source import xml_parser
    from isa95kit.versions import load_schema
    schema = load_schema("V0701")
    assert schema.validate(etree.parse(sys.argv[1], xml_parser()))
else:
    from isa95kit.validation import check
    report = check(sys.argv[1], stream={"stream": True, "tree": False}.get(mode))
    assert report.valid, report.to_text()
with open("/proc/self/status") as status:
    print(next(l for l in status if l.startswith("VmHWM:")).split()[1])
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


#: the clock: process CPU time by default (the machine may be shared), or wall-clock time
CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = clock()
        run()
        best = min(best, clock() - started)
    return best


def lxml_validate(schema: Any) -> Callable[[Path], None]:
    from lxml import etree

    def run(path: Path) -> None:
        tree = etree.parse(str(path), xml_parser())
        if not schema.validate(tree):
            raise SystemExit(f"lxml finds {path} invalid: {schema.error_log.last_error}")

    return run


def isa95kit_check(**options: Any) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        report = check(path, **options)
        if not report.valid:
            raise SystemExit(f"isa95kit finds {path} invalid:\n{report.to_text()}")

    return run


def peak_mb(path: Path, mode: str) -> float | None:
    if not Path("/proc/self/status").exists():
        return None
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path), mode],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip()) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100", help="document sizes in MB (default 10,100)")
    parser.add_argument("--repeat", type=int, default=0, help="best of N (default 3; 1 >=100MB)")
    parser.add_argument(
        "--xmlschema-limit", type=float, default=150.0, help="skip xmlschema beyond S seconds"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument(
        "--clock", choices=tuple(CLOCKS), default="cpu", help="cpu (default) or wall time"
    )
    parser.add_argument("--keep", metavar="DIR", help="write (and reuse) the documents here")
    parser.add_argument("--json", metavar="FILE", help="also write the raw results")
    parser.add_argument(
        "--kinds", default="work-schedule", help="document kinds, comma-separated, or 'all'"
    )
    parser.add_argument(
        "--phases", action="store_true", help="per-phase breakdown of the tree engine instead"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = list(_docs.KINDS) if args.kinds == "all" else args.kinds.split(",")
    unknown = [kind for kind in kinds if kind not in _docs.KINDS]
    if unknown:
        parser.error(f"unknown kinds {unknown}: choose from {', '.join(_docs.KINDS)}")
    global clock
    clock = CLOCKS[args.clock]
    if args.phases:
        folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-validate-"))
        folder.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            for size in sizes:
                print(render_phases(_document(folder, kind, size), args.repeat or 5))
        return 0

    import xmlschema

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-validate-"))
    folder.mkdir(parents=True, exist_ok=True)
    schema = load_schema("V0701")
    log(f"compiling xmlschema's V0701 schema from {_docs.SCHEMA} ...")
    peer = xmlschema.XMLSchema(str(_docs.SCHEMA))
    rows: list[dict[str, Any]] = []
    projected: float | None = None  # xmlschema seconds per MB, from the previous size
    largest: Path | None = None
    for kind, size in [(kind, size) for size in sizes for kind in kinds]:
        path = _document(folder, kind, size)
        largest = path
        actual = path.stat().st_size / MB
        repeat = args.repeat or (3 if size < 100 else 1)
        streamed = path.stat().st_size > STREAM_THRESHOLD
        log(
            f"{kind} {size} MB ({actual:.1f} MB, default engine: "
            f"{'stream' if streamed else 'tree'})"
        )
        cases: list[tuple[str, Callable[[Path], None]]] = [
            ("lxml XMLSchema (parse + validate)", lxml_validate(schema)),
            ("isa95kit schema-only", isa95kit_check(schema_only=True)),
            ("isa95kit full (schema + rules)", isa95kit_check()),
            (
                f"isa95kit full, {'tree' if streamed else 'stream'} engine forced",
                isa95kit_check(stream=not streamed),
            ),
        ]
        log("  warm-up (one untimed lxml run: the first run pays for fresh memory) ...")
        cases[0][1](path)
        best = {name: float("inf") for name, _ in cases}
        for attempt in range(repeat):  # round robin: every case sees the same machine state
            for name, run in cases:
                log(f"  {name} ({attempt + 1}/{repeat}) ...")
                best[name] = min(best[name], best_of(1, lambda run=run, path=path: run(path)))
        for name, _ in cases:
            rows.append(
                {"kind": kind, "size": size, "mb": actual, "tool": name, "seconds": best[name]}
            )
        if projected is not None and projected * actual > args.xmlschema_limit:
            rows.append(
                {"kind": kind, "size": size, "mb": actual, "tool": "xmlschema is_valid",
                 "seconds": None,
                 "note": f"skipped: projected {projected * actual:.0f} s from the previous size"}
            )  # fmt: skip
        else:
            # xmlschema refuses more than 10**6 elements unless the resource is lazy (its
            # streaming mode), which the larger documents need
            lazy = path.stat().st_size > 32 * MB
            name = "xmlschema is_valid" + (" (lazy resource)" if lazy else "")
            log(f"  {name} ...")
            started = clock()
            source = xmlschema.XMLResource(str(path), lazy=True) if lazy else str(path)
            if not peer.is_valid(source):
                raise SystemExit(f"xmlschema finds {path} invalid")
            seconds = clock() - started
            projected = seconds / actual
            rows.append(
                {"kind": kind, "size": size, "mb": actual, "tool": name, "seconds": seconds}
            )
    print(f"Best of N {args.clock} seconds (N = {args.repeat or '3 below 100 MB, else 1'}).\n")
    print(render(rows, [(kind, size) for size in sizes for kind in kinds]))
    memory: dict[str, float | None] = {}
    if not args.no_memory and largest is not None:
        log(f"peak memory on {largest.name} ...")
        for mode in ("lxml", "stream", "tree"):
            memory[mode] = peak_mb(largest, mode)
        print(render_memory(memory, largest))
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "memory": memory}, indent=2))
    return 0


def render(rows: list[dict[str, Any]], cases: list[tuple[str, int]]) -> str:
    lines = [
        "| document | size | tool | seconds | MB/s | vs lxml | isa95kit full vs this |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    verdicts = []
    for kind, size in cases:
        here = [r for r in rows if r["size"] == size and r["kind"] == kind]
        lxml = next(r for r in here if r["tool"].startswith("lxml"))
        full = next(r for r in here if r["tool"].startswith("isa95kit full (schema"))
        for row in here:
            seconds = row["seconds"]
            if seconds is None:
                lines.append(
                    f"| {kind} | {row['mb']:.0f} MB | {row['tool']} | {row['note']} | | | |"
                )
                continue
            rate = row["mb"] / seconds
            versus = lxml["seconds"] / seconds
            speedup = seconds / full["seconds"]
            lines.append(
                f"| {kind} | {row['mb']:.0f} MB | {row['tool']} | {seconds:.3f} | {rate:.1f} | "
                f"{versus:.2f} | {speedup:.1f}x |"
            )
        ratio = lxml["seconds"] / full["seconds"]
        verdicts.append(
            f"- {kind} {size} MB: isa95kit full at {ratio:.2f} of lxml's schema-only speed "
            f"(target >= {T_LXML:.2f}): {'PASS' if ratio >= T_LXML else 'FAIL'}"
        )
        peer = next(r for r in here if r["tool"].startswith("xmlschema"))
        if peer["seconds"] is not None:
            times = peer["seconds"] / full["seconds"]
            verdicts.append(
                f"- {kind} {size} MB: isa95kit full {times:.1f}x faster than xmlschema "
                f"(target >= {T_XMLSCHEMA:.0f}x): {'PASS' if times >= T_XMLSCHEMA else 'FAIL'}"
            )
    return "\n".join([*lines, "", *verdicts, ""])


def _document(folder: Path, kind: str, size: int) -> Path:
    """The generated document of ``kind`` and ``size`` MB in ``folder`` (written once)."""
    path = folder / f"{kind}-{size}MB-v{_docs.GENERATOR_VERSION}.xml"
    if not path.exists():
        log(f"writing {path} ...")
        _docs.make_document(kind, path, size * MB)
    return path


def phases(path: Path, repeat: int) -> list[tuple[str, float]]:
    """(phase, best CPU seconds) of the tree engine on ``path``: each phase is run on its
    own, on the results of the phases before it, as ``_tree.tree_issues`` runs them."""
    from lxml import etree

    from isa95kit.validation import _report, _rules  # noqa: F401  (registers the rules)
    from isa95kit.validation._api import make_options
    from isa95kit.validation._context import RuleContext
    from isa95kit.validation._layers import (
        PROBE_BYTES,
        Dispatcher,
        Outcome,
        decide,
        namespace_of,
        probe_root,
        subject_names,
        too_many_attributes,
    )
    from isa95kit.validation._paths import PathBuilder
    from isa95kit.validation._tree import _schema_layer
    from isa95kit.versions import find_b2mml_elements

    options = make_options()
    profile = options.profile
    data = path.read_bytes()
    tree = etree.ElementTree(etree.fromstring(data, xml_parser()))
    root = tree.getroot()
    namespace = namespace_of(root)

    def subject() -> tuple[Any, frozenset[str] | None]:
        """As the tree engine: the first PROBE_BYTES of a large document, parsed again only
        when the whole tree cannot tell its release-telling names."""
        if len(data) <= PROBE_BYTES:
            return root, None
        names = subject_names(root, data, options.version)
        probe = probe_root(data[:PROBE_BYTES]) if names is None else None
        return (root if probe is None else probe), names

    probe, names = subject()
    decision = decide(probe, options, names=names)
    assert decision.version is not None, decision.error
    schema = load_schema(decision.version)

    def version() -> None:
        find_b2mml_elements(root)
        element, known = subject()
        decide(element, options, names=known)

    def rules(chosen: list[Any]) -> list[Any]:
        ctx = RuleContext(
            namespace=namespace, file=None, profile=profile, paths=PathBuilder(namespace)
        )
        return list(Dispatcher(chosen, ctx).run(root))

    def schema_layer() -> list[Any]:
        outcome = Outcome(str(path))
        return list(_schema_layer(root, probe, options, outcome, PathBuilder(namespace)))

    enabled = list(profile.enabled_rules())
    issues = rules(enabled)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("read the file", path.read_bytes),
        ("parse (lxml, hardened parser)", lambda: etree.fromstring(data, xml_parser())),
        ("attribute sieve", lambda: too_many_attributes(root, profile.max_attributes, data)),
        ("version detection (telling names, probe if needed, decide)", version),
        ("libxml2 schema validation alone (floor)", lambda: schema.validate(tree)),
        ("schema layer (decide + validation + issues)", schema_layer),
        *[(f"rule {r.code} alone", lambda r=r: rules([r])) for r in enabled],
        ("all rules (one dispatch)", lambda: rules(enabled)),
        (
            "report (collect + sort)",
            lambda: _report.collect(issues, _report.FileReport(str(path)), profile.max_issues),
        ),
        ("check() total", lambda: check(path)),
        ("check(schema_only=True) total", lambda: check(path, schema_only=True)),
    ]
    return [(name, best_of(repeat, run)) for name, run in steps]


def render_phases(path: Path, repeat: int) -> str:
    log(f"phases on {path.name} ...")
    measured = phases(path, repeat)
    total = dict(measured)["check() total"]
    size = path.stat().st_size / MB
    lines = [
        f"Tree engine phases on {path.name} ({size:.1f} MB), best of {repeat} {clock.__name__}:",
        "",
        "| phase | ms | share of check() |",
        "|---|---:|---:|",
    ]
    for name, seconds in measured:
        lines.append(f"| {name} | {seconds * 1000:.1f} | {seconds / total:.0%} |")
    return "\n".join([*lines, ""])


def render_memory(memory: dict[str, float | None], path: Path) -> str:
    size = path.stat().st_size / MB
    names = {
        "lxml": "lxml parse + XMLSchema",
        "stream": "isa95kit full, streaming",
        "tree": "isa95kit full, in memory",
    }
    lines = [
        f"Peak RSS (VmHWM) validating the {size:.0f} MB document, each in a fresh process:",
        "",
    ]
    lines += ["| tool | peak MB |", "|---|---:|"]
    for mode, peak in memory.items():
        lines.append(f"| {names[mode]} | {'n/a' if peak is None else f'{peak:.0f}'} |")
    return "\n".join([*lines, ""])


if __name__ == "__main__":
    sys.exit(main())
