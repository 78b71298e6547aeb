"""Benchmark of B2MML-JSON: XML -> JSON and JSON -> XML against xmlschema and xsdata.

One command (``python benchmarks/bench_json.py``) reuses the core benchmark's generated,
schema-valid documents (``_docs.py``: work schedule, material information, work
performance; about 1 and 10 MB, MB = 2**20 bytes) and measures in the same run

* isa95kit: ``xml_to_json(path)`` and ``json_to_xml(json)`` (what ``isa95kit convert``
  runs: direct walks giving the bytes of ``write_json(read_xml(path))`` and
  ``write_xml(read_json(json))``, checked before timing; ``--model-path`` times those model
  paths instead);
* xmlschema: ``json.dumps(XMLSchema.to_dict(path))`` and
  ``ElementTree.tostring(XMLSchema.encode(json.loads(its json)))``;
* xsdata (bindings generated from ``AllSchemas.xsd``, see ``bench_core.py``):
  ``JsonSerializer.render(XmlParser.parse(path))`` and
  ``XmlSerializer.render(JsonParser.from_string(its json))``;

then, in fresh processes, the time and peak memory of ``isa95kit convert`` on the ~100 MB
documents in both directions. Throughput is the XML document's size over the CPU time
(``time.process_time``; the conversions are single-threaded, and a shared machine's load
then affects every tool alike), for both directions, so the tools are compared on the same
payload (their JSON differs); each is the best of N runs taken in turns across the tools.
It prints markdown tables with the ratios against the targets (isa95kit at least 10x faster
than xmlschema and 5x faster than xsdata, both directions).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_core  # noqa: E402  (sets up the import path of isa95kit and _docs)
from bench_core import MB, _docs, ensure_docs, ensure_xsdata, git_state, log  # noqa: E402

#: isa95kit at least this many times faster than the peer, both directions (issue 10)
TARGET = {"xmlschema": 10.0, "xsdata": 5.0}
#: a run longer than this (s) is measured once
SLOW = 5.0
DIRECTIONS = ("xml->json", "json->xml")
TOOLS = ("isa95kit", "xmlschema", "xsdata")


class Tools:
    """The three converters, set up once; each direction is one callable per document."""

    def __init__(self, work: Path, peers: bool, model_path: bool = False) -> None:
        import isa95kit
        from isa95kit._json import read_json, write_json
        from isa95kit._json._direct import xml_to_json
        from isa95kit._json._direct_xml import json_to_xml

        self.ik = isa95kit
        self.read_json, self.write_json = read_json, write_json
        self.xml_to_json = (
            (lambda p: write_json(isa95kit.read_xml(p))) if model_path else xml_to_json
        )
        self.json_to_xml = (
            (lambda j: isa95kit.write_xml(read_json(j))) if model_path else json_to_xml
        )
        self.peers = peers
        if not peers:
            return
        import xmlschema
        from xsdata.formats.dataclass.context import XmlContext
        from xsdata.formats.dataclass.parsers import JsonParser, XmlParser
        from xsdata.formats.dataclass.parsers.handlers import LxmlEventHandler
        from xsdata.formats.dataclass.serializers import JsonSerializer, XmlSerializer

        t = time.perf_counter()
        self.bindings = ensure_xsdata(work)
        context = XmlContext()
        self.x_parser = XmlParser(context=context, handler=LxmlEventHandler)
        self.j_parser = JsonParser(context=context)
        self.j_serializer = JsonSerializer(context=context)
        self.x_serializer = XmlSerializer(context=context)
        self.schema = xmlschema.XMLSchema(str(_docs.SCHEMA))
        log(f"peers ready in {time.perf_counter() - t:.1f}s")

    def directions(
        self, tool: str, kind: str, path: Path
    ) -> tuple[Callable[[], Any], Callable[[], Any]]:
        """(xml->json, json->xml) for ``tool``; the JSON input is the tool's own JSON."""
        p = str(path)
        root = _docs.KINDS[kind].root
        if tool == "isa95kit":
            data = self.write_json(self.ik.read_xml(p))
            return (
                lambda: self.xml_to_json(p),
                lambda: self.json_to_xml(data),
            )
        if tool == "xmlschema":
            import xml.etree.ElementTree as ET

            text = json.dumps(self.schema.to_dict(p), default=str)
            tag = f"{{{_docs.NS}}}{root}"
            return (
                lambda: json.dumps(self.schema.to_dict(p), default=str),
                lambda: ET.tostring(
                    self.schema.encode(json.loads(text), path=tag), encoding="utf-8"
                ),
            )
        cls = getattr(self.bindings, root)
        text = self.j_serializer.render(self.x_parser.parse(p, cls))
        return (
            lambda: self.j_serializer.render(self.x_parser.parse(p, cls)),
            lambda: self.x_serializer.render(
                self.j_parser.from_string(text, cls), ns_map={None: _docs.NS}
            ),
        )


def check_isa95kit(path: Path) -> None:
    """The measured isa95kit path is lossless on this document (canonical XML equality)."""
    import isa95kit
    from isa95kit._json import read_json, write_json

    sys.path.insert(0, str(HERE.parent))
    from isa95kit._json._direct import convert_source
    from isa95kit._json._direct_xml import convert_json_source
    from tests.json._canon import canonical

    source = path.read_bytes()
    text = write_json(isa95kit.read_xml(source))
    back = isa95kit.write_xml(read_json(text))
    if canonical(back) != canonical(source):
        sys.exit(f"ABORT: XML -> JSON -> XML changed {path.name}")
    direct, why = convert_source(path, None, None)
    if direct != text or why is not None:
        sys.exit(f"ABORT: xml_to_json differs from write_json(read_xml) on {path.name} ({why})")
    direct, why = convert_json_source(text, None)
    if direct != back or why is not None:
        sys.exit(f"ABORT: json_to_xml differs from write_xml(read_json) on {path.name} ({why})")


def _cpu(fn: Callable[[], Any]) -> float:
    """CPU time of one call (``process_time``: the conversions are single-threaded, so on
    an idle machine this is the wall time; on a shared one it leaves out the waiting)."""
    gc.collect()
    t = time.process_time()
    fn()
    return time.process_time() - t


def measure(tools: Tools, kind: str, size: int, path: Path, n: int,
            skip: dict[tuple[str, str], str]) -> dict[str, Any]:
    """Best of ``n`` runs of every tool and direction, taken in turns (round robin), so a
    change of load hits every tool alike."""
    row: dict[str, Any] = {"kind": kind, "size_mb": size, "bytes": path.stat().st_size}
    runs: dict[tuple[str, str], Callable[[], Any]] = {}
    for tool in TOOLS:
        if tool != "isa95kit" and not tools.peers:
            continue
        row[tool] = {}
        if all((tool, d) in skip for d in DIRECTIONS):
            row[tool] = {d: (None, skip[tool, d]) for d in DIRECTIONS}
            continue
        gc.collect()
        try:
            fns = tools.directions(tool, kind, path)
        except Exception as exc:  # a peer's bug must not end the benchmark
            row[tool] = {d: (None, f"failed ({type(exc).__name__})") for d in DIRECTIONS}
            log(f"  {kind:<17} {size:>4} MB  {tool:<10} FAILED: {exc!r}"[:300])
            continue
        for direction, fn in zip(DIRECTIONS, fns, strict=True):
            if (tool, direction) in skip:
                row[tool][direction] = (None, skip[tool, direction])
            else:
                runs[tool, direction] = fn
    best: dict[tuple[str, str], float] = {}
    for rep in range(n):
        for (tool, direction), fn in runs.items():
            if rep and best[tool, direction] > SLOW:  # slow runs are measured once
                continue
            secs = _cpu(fn)
            best[tool, direction] = min(secs, best.get((tool, direction), secs))
    for (tool, direction), secs in best.items():
        row[tool][direction] = (secs, "")
        log(f"  {kind:<17} {size:>4} MB  {tool:<10} {direction:<10} {secs:8.3f}s "
            f"{row['bytes'] / MB / secs:7.2f} MB/s")
    return row


# ------------------------------------------------------------------------------ memory


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory_child(src: str, dst: str) -> None:
    """In a fresh interpreter: ``isa95kit convert src -o dst``, peak RSS around it."""
    from isa95kit.cli import main

    with tempfile.TemporaryDirectory() as tmp:  # warm: imports, codec tables
        small = Path(tmp) / "small.xml"
        _docs.make_work_schedule(small, 20_000)
        main(["convert", str(small), "-o", str(Path(tmp) / "s.json")])
        main(["convert", str(Path(tmp) / "s.json"), "-o", str(Path(tmp) / "s.xml")])
    gc.collect()
    base = _rss_mb()
    t = time.perf_counter()
    code = main(["convert", src, "-o", dst])
    secs = time.perf_counter() - t
    print(json.dumps({"baseline": base, "peak": _rss_mb(), "seconds": secs, "code": code}))


def measure_memory(path: Path, work: Path) -> dict[str, Any]:
    out_json = work / f"{path.stem}.json"
    out_xml = work / f"{path.stem}.back.xml"
    result: dict[str, Any] = {}
    for direction, src, dst in (("xml->json", path, out_json), ("json->xml", out_json, out_xml)):
        log(f"  memory: convert {src.name} in a fresh process ...")
        # a small launcher, so the measured child does not inherit this process's peak
        child = [sys.executable, __file__, "--memory-child", str(src), str(dst)]
        launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
        proc = subprocess.run(
            [sys.executable, "-c", launcher, *child], capture_output=True, text=True
        )
        if proc.returncode != 0:
            sys.exit(f"memory child failed:\n{proc.stderr}")
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        info["in_mb"] = src.stat().st_size / MB
        info["out_mb"] = dst.stat().st_size / MB
        info["xml_mb"] = path.stat().st_size / MB
        result[direction] = info
    for f in (out_json, out_xml):
        f.unlink(missing_ok=True)
    return result


# ------------------------------------------------------------------------------ report


def _cell(row: dict[str, Any], tool: str, direction: str) -> str:
    secs, note = row.get(tool, {}).get(direction, (None, "—"))
    if secs is None:
        return note
    return f"{row['bytes'] / MB / secs:.2f} MB/s ({secs:.2f} s)"


def _ratio(row: dict[str, Any], peer: str, direction: str) -> str:
    mine = row.get("isa95kit", {}).get(direction, (None, ""))[0]
    theirs = row.get(peer, {}).get(direction, (None, ""))[0]
    if mine is None or theirs is None:
        return "n/a"
    r = theirs / mine
    return f"{r:.1f}x {'PASS' if r >= TARGET[peer] else 'FAIL'}"


def report(rows: list[dict[str, Any]], memory: dict[str, Any], args: argparse.Namespace) -> str:
    import platform

    lines = [
        f"# B2MML-JSON benchmark ({git_state()}, Python {platform.python_version()}, "
        f"load average {args.load_start:.2f} at start, {os.cpu_count()} CPUs)",
        "",
        "Throughput = XML document size / CPU time of the conversion, both directions; best of"
        " N runs taken in turns across tools. Ratios: peer time / isa95kit time.",
        "",
        "| document | size | direction | isa95kit | xmlschema | xsdata "
        "| vs xmlschema | vs xsdata |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for direction in DIRECTIONS:
            lines.append(
                f"| {row['kind']} | {row['bytes'] / MB:.1f} MB | {direction} | "
                f"{_cell(row, 'isa95kit', direction)} | {_cell(row, 'xmlschema', direction)} | "
                f"{_cell(row, 'xsdata', direction)} | {_ratio(row, 'xmlschema', direction)} | "
                f"{_ratio(row, 'xsdata', direction)} |"
            )
    if memory:
        lines += [
            "",
            "Memory of `isa95kit convert IN -o OUT` in a fresh process (peak RSS minus the "
            "baseline after imports and a warm-up conversion; wall time):",
            "",
            "| document | direction | input | output | time | peak - baseline | x XML size |",
            "|---|---|---|---|---|---|---|",
        ]
        for kind, info in memory.items():
            for direction, m in info.items():
                grown = m["peak"] - m["baseline"]
                lines.append(
                    f"| {kind} | {direction} | {m['in_mb']:.0f} MB | {m['out_mb']:.0f} MB | "
                    f"{m['seconds']:.1f} s | {grown:.0f} MB | {grown / m['xml_mb']:.1f} |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10", help="document sizes in MB (default 1,10)")
    ap.add_argument("--kinds", default=",".join(_docs.KINDS), help="document kinds")
    ap.add_argument("--quick", action="store_true", help="1 MB, work schedule, no memory")
    ap.add_argument("--skip-peers", action="store_true", help="isa95kit only")
    ap.add_argument("--repeat", type=int, default=0, help="best of N (default 3, 1 at 100 MB)")
    ap.add_argument(
        "--peer-limit",
        type=float,
        default=120.0,
        help="skip a peer at the next size when one direction took longer (s)",
    )
    ap.add_argument(
        "--memory-mb",
        type=int,
        default=100,
        help="size of the documents converted by the CLI for memory (0: skip)",
    )
    ap.add_argument("--work-dir", type=Path, default=HERE / ".work")
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument(
        "--model-path",
        action="store_true",
        help="time write_json(read_xml(path)) and write_xml(read_json(json)), not the direct walks",
    )
    ap.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0
    sizes = [1] if args.quick else sorted({int(s) for s in args.sizes.split(",")})
    kinds = ["work-schedule"] if args.quick else [k for k in args.kinds.split(",") if k]
    memory_mb = 0 if args.quick else args.memory_mb
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    args.load_start = os.getloadavg()[0]
    paths = ensure_docs(work, sizes + ([memory_mb] if memory_mb else []))
    tools = Tools(work, peers=not args.skip_peers, model_path=args.model_path)
    rows = []
    for kind in kinds:
        check_isa95kit(paths[kind, 1])
        log(f"warm-up on {paths[kind, 1].name} (not timed; imports and caches)")
        for fn in tools.directions("isa95kit", kind, paths[kind, 1]):
            fn()
        skip: dict[tuple[str, str], str] = {}
        for size in sizes:
            n = args.repeat or (3 if size <= 20 else 1)
            row = measure(tools, kind, size, paths[kind, size], n, skip)
            rows.append(row)
            for tool in ("xmlschema", "xsdata"):
                for direction, (secs, _) in row.get(tool, {}).items():
                    if secs is not None and secs * 10 > args.peer_limit:  # next size: 10x
                        skip[tool, direction] = (
                            f"skipped ({secs:.0f}s on {size} MB: ~{secs * 10:.0f}s expected)"
                        )
    memory: dict[str, Any] = {}
    if memory_mb:
        for kind in kinds:
            memory[kind] = measure_memory(paths[kind, memory_mb], work)
    print(report(rows, memory, args))
    log(f"total {time.perf_counter() - t0:.0f}s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "memory": memory}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

_ = bench_core
