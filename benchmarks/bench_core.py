"""Benchmark of the isa95kit core: XML codec speed and memory against lxml and peers.

One command (``python benchmarks/bench_core.py``) generates schema-valid documents of
about 1, 10 and 100 MB (MB = 2**20 bytes) of three kinds (see ``_docs.py``), measures
in the same run

* ``lxml parse`` -- ``etree.parse`` of the file (the floor),
* ``read_xml`` / ``write_xml`` of isa95kit, and ``write_xml tree``: the same document
  through the lxml tree encoder that the string writer is tested against (the reference),
* xsdata: bindings generated from ``xsd/V0701/AllSchemas.xsd`` in the setup,
  ``XmlParser`` (both event handlers, lxml and stdlib; the faster is reported) and
  ``XmlSerializer.render``,
* xmlschema: ``XMLSchema.to_dict`` (strict validation, its default) and ``encode`` +
  ``ElementTree.tostring``,

and the peak memory of ``read_xml`` and ``iter_xml`` on the largest document, each in a
fresh subprocess. It prints markdown tables: timings, ratios with PASS/FAIL against the
targets, memory. Everything it makes lives in ``benchmarks/.work/`` (git-ignored) and is
reused between runs. ``--profile`` profiles read_xml/write_xml instead (cProfile).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import importlib.metadata
import json
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
#: the isa95kit sources measured: this checkout's src/, or (in the memory subprocesses)
#: the snapshot of it that the parent took at the start of the run
SRC = Path(os.environ.get("ISA95KIT_BENCH_SRC") or ROOT / "src")


def _use_src(src: Path) -> None:
    sys.path.insert(0, str(src))
    os.environ["ISA95KIT_BENCH_SRC"] = str(src)


if (SRC / "isa95kit").is_dir():  # measure this checkout, installed or not
    _use_src(SRC)

import _docs  # noqa: E402  (after the path set-up above)

MB = 1 << 20
NS = _docs.NS
XSDATA_PACKAGE = "xsdata_b2mml_v0701"
#: bump when the post-processing of the generated xsdata bindings changes
XSDATA_PATCH_VERSION = 1

# targets of the core issue, as ratios measured in the same run
T_XSDATA_PARSE = 10.0  # xsdata parse / read_xml >= 10 from 10 MB on (issue 10) ...
T_XSDATA_PARSE_1MB = 8.0  # ... and >= 8 below
T_LXML = 10.0  # read_xml / lxml parse <= 10
T_XSDATA_SER = 10.0  # xsdata serialize / write_xml >= 10 (codec v2, issue 10)
T_READ_MEM = 7.0  # read_xml peak <= 7 x file size (issue 10: the 100 MB documents)
T_ITER_MEM = 200.0  # iter_xml peak < 200 MB

TOOLS = [
    "lxml parse",
    "read_xml",
    "write_xml",
    "write_xml tree",
    "xsdata parse",
    "xsdata serialize",
    "xmlschema to_dict",
    "xmlschema encode",
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------- documents


def doc_path(work: Path, kind: str, size_mb: int) -> Path:
    return work / "docs" / f"{kind}-{size_mb}MB-g{_docs.GENERATOR_VERSION}.xml"


def ensure_docs(work: Path, sizes: list[int]) -> dict[tuple[str, int], Path]:
    """Generate (or reuse) every document; validate the 1 MB ones, abort if invalid."""
    (work / "docs").mkdir(parents=True, exist_ok=True)
    paths: dict[tuple[str, int], Path] = {}
    for size in sorted({1, *sizes}):
        for kind in _docs.KINDS:
            path = doc_path(work, kind, size)
            if not path.exists():
                t = time.perf_counter()
                tmp = path.with_suffix(".tmp")
                _docs.make_document(kind, tmp, size * MB)
                tmp.replace(path)
                log(
                    f"generated {path.name} ({path.stat().st_size / MB:.1f} MB) "
                    f"in {time.perf_counter() - t:.1f}s"
                )
            if size == 1:
                try:
                    _docs.validate(path)
                except _docs.DocumentInvalid as exc:
                    sys.exit(f"ABORT: generated document is invalid: {exc}")
                log(f"validated {path.name} against {_docs.SCHEMA.name}")
            paths[kind, size] = path
    return paths


# ---------------------------------------------------------------------------- xsdata


def _fix_self_references(src: str) -> tuple[str, int]:
    """Repair xsdata's mix-up of same-named complex types and elements.

    When a global element and a complex type share a name (``ParameterType`` is both in
    B2MML V0701), xsdata names the type's class ``ParameterType1`` but types the type's
    own recursive fields (``ParameterChild``) with the element's class, so parsing
    valid documents fails ("Unknown property ...ParameterType:...ID"). Point those
    fields back at the type's class.
    """
    blocks = re.split(r"\n(?=@dataclass)", src)
    fixed = 0
    for i, block in enumerate(blocks):
        m = re.search(
            r'^class (\w+?)(\d+)\b.*\n    class Meta:\n        name = "(\w+)"', block, re.M
        )
        if not m or m.group(3) != m.group(1):
            continue
        base, cls = m.group(1), m.group(1) + m.group(2)

        def repl(f: re.Match[str], base: str = base, cls: str = cls) -> str:
            nonlocal fixed
            new = re.sub(rf"\b{base}\b", cls, f.group(2))
            fixed += new != f.group(2)
            return f"    {f.group(1)}: {new} = field"

        blocks[i] = re.sub(r"^    (\w+): (.*?) = field", repl, block, flags=re.M)
    return "\n".join(blocks), fixed


def ensure_xsdata(work: Path) -> Any:
    """Generate (once, cached) and import xsdata bindings of AllSchemas.xsd."""
    import xsdata

    version = getattr(xsdata, "__version__", None) or importlib.metadata.version("xsdata")
    key = hashlib.sha256()
    for xsd in sorted(_docs.SCHEMA.parent.glob("*.xsd")):
        key.update(xsd.read_bytes())
    key.update(f"{version}/{XSDATA_PATCH_VERSION}".encode())
    stamp = key.hexdigest()[:16]
    out = work / "xsdata"
    pkg = out / XSDATA_PACKAGE
    stamp_file = out / "STAMP"
    if not (stamp_file.exists() and stamp_file.read_text() == stamp):
        out.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        # xsdata runs `ruff format` on its output: find it beside this interpreter
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        t = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "xsdata",
            "generate",
            str(_docs.SCHEMA),
            "--package",
            f"{XSDATA_PACKAGE}.bindings",
            "--structure-style",
            "single-package",
        ]
        proc = subprocess.run(cmd, cwd=out, env=env, capture_output=True, text=True)
        if proc.returncode != 0 or not (pkg / "bindings.py").exists():
            sys.exit(f"xsdata generate failed ({' '.join(cmd)}):\n{proc.stdout}\n{proc.stderr}")
        src, fixed = _fix_self_references((pkg / "bindings.py").read_text())
        (pkg / "bindings.py").write_text(src)
        stamp_file.write_text(stamp)
        log(
            f"generated xsdata {version} bindings in {time.perf_counter() - t:.1f}s "
            f"(repaired {fixed} self-referencing fields)"
        )
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    return importlib.import_module(f"{XSDATA_PACKAGE}.bindings")


# ------------------------------------------------------------------------- measuring


#: the clock of every timing: process CPU time (the machine may be shared: other processes
#: stretch wall times unevenly), or wall clock with ``--wall``
CLOCK: Callable[[], float] = time.process_time


def best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best time of ``n`` calls (``CLOCK``), and the last result."""
    best = math.inf
    result: Any = None
    for _ in range(n):
        result = None
        gc.collect()
        t = CLOCK()
        result = fn()
        best = min(best, CLOCK() - t)
    return best, result


def repeats_for(size_mb: int) -> int:
    return 5 if size_mb <= 2 else 3 if size_mb <= 20 else 1


@dataclass
class Cell:
    seconds: float | None = None
    note: str = ""  # "skipped (...)" or the variant measured


@dataclass
class Row:
    kind: str
    size_mb: int
    file_bytes: int
    cells: dict[str, Cell] = field(default_factory=dict)

    def t(self, tool: str) -> float | None:
        c = self.cells.get(tool)
        return c.seconds if c else None


class Peers:
    """The heavy peers, set up once."""

    def __init__(self, work: Path) -> None:
        import xmlschema
        from xsdata.formats.dataclass.context import XmlContext
        from xsdata.formats.dataclass.parsers import XmlParser
        from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler, XmlEventHandler
        from xsdata.formats.dataclass.serializers import XmlSerializer

        t = time.perf_counter()
        self.bindings = ensure_xsdata(work)
        context = XmlContext()
        self.parsers = {
            "lxml": XmlParser(context=context, handler=LxmlEventHandler),
            "stdlib": XmlParser(context=context, handler=XmlEventHandler),
        }
        self.serializer = XmlSerializer(context=context)
        # xmlschema refuses documents of more than 10**6 elements by default (a safety
        # limit, like isa95kit's ParseLimits); the 100 MB documents have ~4 million
        xmlschema.limits.MAX_XML_ELEMENTS = 10**9
        self.schema = xmlschema.XMLSchema(str(_docs.SCHEMA))
        log(f"peers ready in {time.perf_counter() - t:.1f}s")

    def xsdata_class(self, root: str) -> type:
        cls: type = getattr(self.bindings, root)
        return cls


def _run_write_tree(run: Callable[..., Any], obj: Any) -> None:
    """``write_xml`` through the lxml tree (the string writer's reference), when the code
    measured has both."""
    try:
        from isa95kit._xml._api import write_tree
        from isa95kit._xml._config import DEFAULT_WRITE
        from isa95kit._xml._tables import root_element
    except ImportError:
        return
    tag = f"{{{NS}}}{root_element(obj, None)}"
    run("write_xml tree", lambda: write_tree(obj, tag, DEFAULT_WRITE, None, False))


def measure(
    kind: str,
    size_mb: int,
    path: Path,
    peers: Peers | None,
    skip: dict[str, str],
    n: int,
    quiet: bool = False,
) -> Row:
    import xml.etree.ElementTree as ET

    from lxml import etree

    import isa95kit

    dk = _docs.KINDS[kind]
    row = Row(kind, size_mb, path.stat().st_size)
    p = str(path)

    def run(tool: str, fn: Callable[[], Any], note: str = "") -> Any:
        secs, result = best_of(n, fn)
        row.cells[tool] = Cell(secs, note)
        if not quiet:
            log(f"  {kind:<17} {size_mb:>4} MB  {tool:<18} {secs:8.3f}s  {note}")
        return result

    def parser() -> Any:
        return etree.XMLParser(resolve_entities=False, no_network=True, collect_ids=False)

    run("lxml parse", lambda: etree.parse(p, parser()))
    gc.collect()
    held = [run("read_xml", lambda: isa95kit.read_xml(p))]
    run("write_xml", lambda: isa95kit.write_xml(held[0]))
    _run_write_tree(run, held[0])
    held.clear()
    if peers is None:
        return row

    def peer(tool: str, fn: Callable[[], Any], note: str = "") -> Any:
        """A peer's run; a failure is reported in its cell, not fatal."""
        try:
            return run(tool, fn, note)
        except Exception as exc:  # a peer's bug or limit must not end the benchmark
            row.cells[tool] = Cell(None, f"failed ({type(exc).__name__})")
            log(f"  {kind:<17} {size_mb:>4} MB  {tool:<18} FAILED: {exc!r}"[:300])
            return None

    gc.collect()
    if "xsdata parse" in skip:
        row.cells["xsdata parse"] = Cell(None, skip["xsdata parse"])
        row.cells["xsdata serialize"] = Cell(None, skip["xsdata parse"])
    else:
        cls = peers.xsdata_class(dk.root)
        handlers = list(peers.parsers)
        if "xsdata handler" in skip:  # at the largest sizes only the faster handler runs
            handlers = [skip["xsdata handler"]]
        best: Cell | None = None
        xheld: list[Any] = []
        for h in handlers:
            obj = peer("xsdata parse", lambda h=h: peers.parsers[h].parse(p, cls), h)
            cell = row.cells["xsdata parse"]
            if obj is not None:
                xheld[:] = [obj]
            if best is None or (cell.seconds or math.inf) < (best.seconds or math.inf):
                best = cell
            del obj
        assert best is not None
        row.cells["xsdata parse"] = best
        if xheld:
            peer("xsdata serialize", lambda: peers.serializer.render(xheld[0], ns_map={None: NS}))
        else:
            row.cells["xsdata serialize"] = Cell(None, "n/a (parse failed)")
        xheld.clear()
    gc.collect()
    if "xmlschema to_dict" in skip:
        row.cells["xmlschema to_dict"] = Cell(None, skip["xmlschema to_dict"])
        row.cells["xmlschema encode"] = Cell(None, skip["xmlschema to_dict"])
    else:
        data = peer("xmlschema to_dict", lambda: peers.schema.to_dict(p))
        if data is not None:
            dheld = [data]
            del data
            root = f"{{{NS}}}{dk.root}"
            peer(
                "xmlschema encode",
                lambda: ET.tostring(peers.schema.encode(dheld[0], path=root), encoding="utf-8"),
            )
            dheld.clear()
        else:
            row.cells["xmlschema encode"] = Cell(None, "n/a (to_dict failed)")
    gc.collect()
    return row


# --------------------------------------------------------------------------- memory


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory_child(mode: str, kind: str, path: str) -> None:
    """Run in a fresh interpreter: print JSON with peak RSS around one read or iteration."""
    import tempfile

    import isa95kit

    dk = _docs.KINDS[kind]
    # imports and the codec's tables are warmed on a tiny document of the same kind, so
    # the baseline holds everything that does not grow with the document
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.xml"
        dk.make(small, 20_000)
        isa95kit.read_xml(small)
        sum(1 for _ in isa95kit.iter_xml(small, dk.repeated))
    gc.collect()
    base = _rss_mb()
    t = time.perf_counter()
    if mode == "read":
        obj = isa95kit.read_xml(path)
        count = 1
    else:
        count = sum(1 for _ in isa95kit.iter_xml(path, dk.repeated))
    secs = time.perf_counter() - t
    peak = _rss_mb()
    with open("/proc/self/status") as fh:  # cross-check: the kernel's VmHWM, same thing
        hwm = next((int(ln.split()[1]) / 1024 for ln in fh if ln.startswith("VmHWM")), None)
    print(
        json.dumps(
            {
                "baseline": base,
                "peak": peak,
                "vmhwm": hwm,
                "seconds": secs,
                "count": count,
                "isa95kit": isa95kit.__file__,
            }
        )
    )
    if mode == "read":
        del obj


def measure_memory(kind: str, path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"file_mb": path.stat().st_size / MB}
    for mode in ("read", "iter"):
        log(f"  memory: {mode} {path.name} in a fresh process ...")
        # Linux carries ru_maxrss over exec(): a child exec'd from this (large) process
        # would start with our peak. A small launcher process spawns the measured one,
        # which so starts from the launcher's few MB.
        child = [sys.executable, __file__, "--memory-child", mode, kind, str(path)]
        launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
        proc = subprocess.run(
            [sys.executable, "-c", launcher, *child], capture_output=True, text=True
        )
        if proc.returncode != 0:
            sys.exit(f"memory child failed:\n{proc.stderr}")
        out[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# --------------------------------------------------------------------------- report


def _fmt_cell(row: Row, tool: str) -> str:
    c = row.cells.get(tool)
    if c is None:
        return "—"
    if c.seconds is None:
        return c.note
    mbps = row.file_bytes / MB / c.seconds
    extra = f", {c.note}" if c.note else ""
    return f"{c.seconds:.3f} s ({mbps:.1f} MB/s{extra})"


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or den is None or den == 0 else num / den


def _verdict(value: float | None, target: float, higher: bool) -> str:
    if value is None:
        return "n/a"
    ok = value >= target if higher else value <= target
    return f"{value:.2f}x {'PASS' if ok else 'FAIL'}"


def snapshot_src(work: Path) -> Path:
    """Copy src/isa95kit aside, so that one run measures one version of the code.

    The working tree may change while a long run goes on; every measurement of the run
    (including the memory subprocesses) imports the copy.
    """
    import shutil

    assert "isa95kit" not in sys.modules, "isa95kit imported before the snapshot"
    dest = work / f"src-snapshot-{os.getpid()}"  # runs may overlap: one copy each
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(
        ROOT / "src" / "isa95kit", dest / "isa95kit", ignore=shutil.ignore_patterns("__pycache__")
    )
    return dest


def git_state() -> str:
    """The commit measured, ``+dirty`` when src/ has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"{head}{'+dirty' if dirty else ''}"


def report(rows: list[Row], memory: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    import lxml.etree

    lines = []
    vers = [f"python {platform.python_version()}", f"lxml {lxml.etree.__version__}"]
    if not args.skip_peers:
        for name in ("xsdata", "xmlschema"):
            vers.append(f"{name} {importlib.metadata.version(name)}")
    reps = ", ".join(f"{s} MB: {args.repeat or repeats_for(s)}" for s in args.sizes)
    lines.append(f"isa95kit core benchmark at {args.git_state} — {', '.join(vers)}")
    lines.append(
        f"best of N {'CPU-time' if CLOCK is time.process_time else 'wall-clock'} runs "
        f"(N = {reps}); MB = 2^20 bytes; {os.cpu_count()} CPUs, "
        f"load average {args.load_start:.1f} at start, {os.getloadavg()[0]:.1f} at end; "
        "warm-up run on 1 MB first; xsdata parse: the faster event handler"
    )
    lines.append("")
    tools = TOOLS if not args.skip_peers else TOOLS[:4]
    lines.append("| doc | MB | " + " | ".join(tools) + " |")
    lines.append("|---|---:|" + "---:|" * len(tools))
    for r in rows:
        cells = [_fmt_cell(r, t) for t in tools]
        lines.append(f"| {r.kind} | {r.file_bytes / MB:.1f} | " + " | ".join(cells) + " |")
    lines.append("")
    hdr = [
        f"xsdata parse / read_xml (≥{T_XSDATA_PARSE_1MB:g} at 1 MB, ≥{T_XSDATA_PARSE:g} from 10)",
        f"read_xml / lxml parse (≤{T_LXML:g})",
        f"xsdata serialize / write_xml (≥{T_XSDATA_SER:g})",
    ]
    lines.append("| doc | MB | " + " | ".join(hdr) + " | write_xml / write_xml tree |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    verdicts: dict[str, list[bool]] = {h: [] for h in hdr}
    for r in rows:
        vals = [
            (
                _ratio(r.t("xsdata parse"), r.t("read_xml")),
                T_XSDATA_PARSE if r.size_mb >= 10 else T_XSDATA_PARSE_1MB,
                True,
            ),
            (_ratio(r.t("read_xml"), r.t("lxml parse")), T_LXML, False),
            (_ratio(r.t("xsdata serialize"), r.t("write_xml")), T_XSDATA_SER, True),
        ]
        cells = []
        for h, (v, target, higher) in zip(hdr, vals, strict=True):
            cells.append(_verdict(v, target, higher))
            if v is not None:
                verdicts[h].append(v >= target if higher else v <= target)
        own = _ratio(r.t("write_xml"), r.t("write_xml tree"))
        cells.append("n/a" if own is None else f"{own:.2f}x")
        lines.append(f"| {r.kind} | {r.file_bytes / MB:.1f} | " + " | ".join(cells) + " |")
    if memory:
        lines.append("")
        lines.append(
            f"| doc (fresh process) | file MB | read_xml peak Δ / abs MB | x file "
            f"(≤{T_READ_MEM:g}) | iter_xml peak Δ / abs MB (<{T_ITER_MEM:g}) "
            "| iter_xml s |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|")
        for kind, m in memory.items():
            rd, it = m["read"], m["iter"]
            d_read = rd["peak"] - rd["baseline"]
            d_iter = it["peak"] - it["baseline"]
            mult = d_read / m["file_mb"]
            ok_r = mult <= T_READ_MEM
            ok_i = d_iter < T_ITER_MEM
            verdicts.setdefault(f"read_xml peak ≤ {T_READ_MEM:g}x file", []).append(ok_r)
            verdicts.setdefault("iter_xml peak < 200 MB", []).append(ok_i)
            lines.append(
                f"| {kind} | {m['file_mb']:.1f} | {d_read:.0f} / {rd['peak']:.0f} | "
                f"{mult:.1f}x {'PASS' if ok_r else 'FAIL'} | {d_iter:.0f} / {it['peak']:.0f} "
                f"{'PASS' if ok_i else 'FAIL'} | {it['seconds']:.1f} ({it['count']} "
                f"{_docs.KINDS[kind].repeated}) |"
            )
    lines.append("")
    summary = []
    for h, oks in verdicts.items():
        if oks:
            summary.append(f"{h}: {'PASS' if all(oks) else 'FAIL'} ({sum(oks)}/{len(oks)})")
    lines.append("Targets — " + "; ".join(summary))
    return "\n".join(lines)


# -------------------------------------------------------------------------- profile


def profile(work: Path, size_mb: int) -> None:
    import cProfile
    import pstats

    import isa95kit

    path = ensure_docs(work, [size_mb])["work-schedule", size_mb]
    isa95kit.read_xml(path)  # warm imports
    for name, stmt in (
        ("read_xml", "obj = isa95kit.read_xml(path)"),
        ("write_xml", "isa95kit.write_xml(obj)"),
    ):
        env: dict[str, Any] = {"isa95kit": isa95kit, "path": str(path)}
        if name == "write_xml":
            env["obj"] = isa95kit.read_xml(path)
        prof = cProfile.Profile()
        prof.runctx(stmt, env, env)
        print(f"\n## {name} on {path.name}, top by own time")
        pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(18)


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,100", help="document sizes in MB (default 1,10,100)")
    ap.add_argument("--quick", action="store_true", help="1 and 10 MB only")
    ap.add_argument("--skip-peers", action="store_true", help="no xsdata / xmlschema")
    ap.add_argument("--kinds", default=",".join(_docs.KINDS), help="document kinds")
    ap.add_argument("--repeat", type=int, default=0, help="best of N for every size")
    ap.add_argument(
        "--peer-limit",
        type=float,
        default=60.0,
        help="skip a peer at the next size when it took longer (s) than this",
    )
    ap.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    ap.add_argument(
        "--wall",
        action="store_true",
        help="time wall clock, not process CPU (the default, for shared machines)",
    )
    ap.add_argument("--work-dir", type=Path, default=HERE / ".work")
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument(
        "--profile",
        action="store_true",
        help="only profile read_xml/write_xml on the 10 MB work schedule",
    )
    ap.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    if args.profile:
        profile(work, 10)
        return 0
    args.sizes = [1, 10] if args.quick else sorted({int(s) for s in args.sizes.split(",")})
    args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    args.load_start = os.getloadavg()[0]
    args.git_state = git_state()
    snapshot = None
    if (ROOT / "src" / "isa95kit").is_dir():
        snapshot = snapshot_src(work)
        _use_src(snapshot)
        log(f"measuring a snapshot of src/isa95kit at {args.git_state}")
    try:
        return run_all(args, work)
    finally:
        if snapshot is not None:
            import shutil

            shutil.rmtree(snapshot, ignore_errors=True)


def run_all(args: argparse.Namespace, work: Path) -> int:
    t0 = time.perf_counter()
    kinds: list[str] = args.kinds
    paths = ensure_docs(work, args.sizes)
    peers = None if args.skip_peers else Peers(work)
    rows: list[Row] = []
    for kind in kinds:
        log(f"warm-up on {paths[kind, 1].name} (not timed)")
        measure(kind, 1, paths[kind, 1], peers, {}, 1, quiet=True)
        skip: dict[str, str] = {}
        for size in args.sizes:
            n = args.repeat or repeats_for(size)
            row = measure(kind, size, paths[kind, size], peers, skip, n)
            rows.append(row)
            for tool in ("xsdata parse", "xmlschema to_dict"):
                secs = row.t(tool)
                if secs is not None and secs > args.peer_limit:
                    skip[tool] = f"skipped (>{args.peer_limit:g}s on {size} MB)"
            note = row.cells.get("xsdata parse", Cell()).note
            if size >= 10 and note in ("lxml", "stdlib"):  # larger sizes: the faster one only
                skip["xsdata handler"] = note
    memory: dict[str, dict[str, Any]] = {}
    if not args.no_memory:
        biggest = max(args.sizes)
        for kind in kinds:
            memory[kind] = measure_memory(kind, paths[kind, biggest])
    text = report(rows, memory, args)
    print(text)
    log(f"total {time.perf_counter() - t0:.0f}s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": [
                        {
                            "kind": r.kind,
                            "size_mb": r.size_mb,
                            "bytes": r.file_bytes,
                            "cells": {t: [c.seconds, c.note] for t, c in r.cells.items()},
                        }
                        for r in rows
                    ],
                    "memory": memory,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
