"""Benchmark of migration: reading a ~10 MB V0600 schedule against reading V0701.

One command (``python benchmarks/bench_migrate.py``) writes a V0600
``ProcessProductionSchedule`` of about 10 MB (MB = 2**20 bytes; production requests with
hierarchy scopes, segment requirements, nested segments, equipment and material requirements
with quantities and code-list values, and a ``Location`` V0701 cannot hold, which is carried),
the same document migrated to V0701 (``isa95kit.versions.migrate``), and measures in one run,
best of N CPU times (``time.process_time``):

* ``read_xml`` of the V0600 file (parse, migrate the tree, decode);
* ``read_xml`` of the V0701 file of the same content (parse, decode): the peer (the
  migrated document plus the IDs V0701 requires and V0600 lacks);
* the raw lxml parse of the V0600 file, ``write_xml(obj, version="V0600")`` (encode V0701,
  migrate down) and the peer's ``write_xml``.

Target (issue 11): migrating costs at most 1.5x a plain read.

The same run also measures the streaming path (``ReadConfig(stream_threshold=0)``: list items
migrated and decoded as they complete) against the streaming V0701 read, and, unless
``--no-memory``, the peak RSS of ``read_xml`` and ``iter_xml("OperationsRequest")`` of a V0600
schedule of each ``--memory-mb`` size (default 10 and 20) against the V0701 file of the same
content, each in a fresh interpreter (started through a small launcher, as
``bench_core.py`` does, since Linux carries ``ru_maxrss`` over ``exec``). ``iter_xml`` holds
one item at a time, so its peak must not grow with the document: the growth between the
smallest and the largest size is compared with V0701's.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

TARGET = 1.5
MEMORY_SLACK = 2  # MB: allocator noise between two subprocesses
MB = 1 << 20
NS = "http://www.mesa.org/xml/B2MML-V0600"
LEVELS = ("Site", "Area", "ProcessCell", "Unit", "WorkCell")
USES = ("Consumed", "Produced", "Consumable", "Carrier", "Sample")


def request(i: int) -> str:
    segs = []
    for s in range(3):
        mats = "".join(
            f"<MaterialRequirement><MaterialDefinitionID>M-{i}-{s}-{m}</MaterialDefinitionID>"
            f"<MaterialLotID>L{i}{s}{m}</MaterialLotID>"
            f"<MaterialUse>{USES[(i + m) % 5]}</MaterialUse>"
            f"<Quantity><QuantityString>{i % 97}.{m}5</QuantityString><DataType>double</DataType>"
            f"<UnitOfMeasure>kg</UnitOfMeasure><Key>Q{m}</Key></Quantity></MaterialRequirement>"
            for m in range(3)
        )
        segs.append(
            f"<SegmentRequirement><ID>SR-{i}-{s}</ID><ProcessSegmentID>PS-{s}</ProcessSegmentID>"
            f"<EarliestStartTime>2026-01-0{1 + s}T06:00:00Z</EarliestStartTime>"
            f"<LatestEndTime>2026-01-0{1 + s}T14:00:00+01:00</LatestEndTime>"
            f"<EquipmentRequirement><EquipmentID>EQ-{s}</EquipmentID><Quantity>"
            f"<QuantityString>1</QuantityString><DataType>integer</DataType></Quantity>"
            f"</EquipmentRequirement>{mats}"
            f"<SegmentRequirement><ID>SR-{i}-{s}-1</ID></SegmentRequirement></SegmentRequirement>"
        )
    return (
        f"  <ProductionRequest><ID>PR-{i}</ID><Description>request {i}</Description>"
        + (f"<Location><EquipmentID>LOC-{i}</EquipmentID></Location>" if i % 50 == 0 else "")
        + f"<HierarchyScope><EquipmentID>CELL-{i % 7}</EquipmentID>"
        f"<EquipmentElementLevel>{LEVELS[i % 5]}</EquipmentElementLevel></HierarchyScope>"
        f"<StartTime>2026-01-01T06:00:00Z</StartTime><Priority>{i % 9}</Priority>"
        + "".join(segs)
        + "</ProductionRequest>\n"
    )


def make_v0600(path: Path, target: int) -> int:
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ProcessProductionSchedule xmlns="{NS}" '
        'releaseID="1"><ApplicationArea><CreationDateTime>2026-01-01T00:00:00Z'
        "</CreationDateTime></ApplicationArea><DataArea><Process/><ProductionSchedule>"
        "<ID>SCHED-1</ID>\n"
    )
    tail = "</ProductionSchedule></DataArea></ProcessProductionSchedule>\n"
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        size += fh.write(head)
        i = 0
        while size < target:
            size += fh.write(request(i))
            i += 1
        size += fh.write(tail)
    return size


def complete_v0701(data: bytes) -> bytes:
    """The migrated document with the IDs V0701 requires and V0600 does not have, so the peer
    is a plain, valid V0701 read of the same content."""
    from lxml import etree

    ns = "{http://www.mesa.org/xml/B2MML}"
    root = etree.fromstring(data)
    for tag in ("EquipmentRequirement", "MaterialRequirement"):
        for n, el in enumerate(root.iter(ns + tag)):
            el.insert(0, etree.Element(ns + "ID"))
            el[0].text = f"{tag[0]}{n}"
    for tag in ("SegmentRequirement", "SegmentRequirementChild"):
        for el in root.iter(ns + tag):
            at = el.find(ns + "ProcessSegmentID")
            if at is None:
                at = etree.Element(ns + "ProcessSegmentID")
                at.text = "PS"
                el.insert(1, at)
            for name in ("OperationsSegmentID", "OperationsDefinitionID"):
                extra = etree.Element(ns + name)
                extra.text = "OD"
                at.addnext(extra)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def memory_child(mode: str, path: str, small: str) -> None:
    """In a fresh interpreter: peak RSS (MB) of one read or iteration, as JSON."""
    import warnings

    import isa95kit as ik
    from isa95kit.versions import MigrationWarning

    warnings.simplefilter("ignore", MigrationWarning)
    config = ik.ReadConfig(unknown="preserve", stream_threshold=0)
    ik.read_xml(small, config=config)  # imports, tables and decoders warm
    sum(1 for _ in ik.iter_xml(small, "OperationsRequest", config=config))
    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.process_time()
    if mode == "read":
        obj = ik.read_xml(path, config=config)
        count = 1
    else:
        count = sum(1 for _ in ik.iter_xml(path, "OperationsRequest", config=config))
    cpu = time.process_time() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"baseline": base, "peak": peak, "cpu": cpu, "count": count}))
    if mode == "read":
        del obj


def measure_memory(mode: str, path: Path, small: Path) -> dict[str, float]:
    child = [sys.executable, __file__, "--memory-child", mode, str(path), str(small)]
    launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", launcher, *child], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"memory child failed:\n{proc.stderr}")
    out: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def memory_rows(work: Path, sizes: list[float]) -> None:
    from isa95kit.versions import migrate

    small_old, small_new = work / "small-v0600.xml", work / "small-v0701.xml"
    make_v0600(small_old, 200_000)
    small_new.write_bytes(complete_v0701(migrate(small_old, "V0701").data))
    print(
        "\n| peak RSS over baseline | file MB | read_xml MB | iter_xml MB "
        "| read x file | iter x file |"
    )
    print("|---|---|---|---|---|---|")
    iters: dict[str, list[tuple[float, float]]] = {}
    for mb in sizes:
        old, new = work / f"mem-{mb:g}-v0600.xml", work / f"mem-{mb:g}-v0701.xml"
        make_v0600(old, int(mb * MB))
        new.write_bytes(complete_v0701(migrate(old, "V0701").data))
        for label, path, small in (
            ("V0600 (migrating)", old, small_old),
            ("V0701", new, small_new),
        ):
            size = path.stat().st_size / MB
            print(f"measuring {label} {size:.0f} MB ...", file=sys.stderr)
            read = measure_memory("read", path, small)
            it = measure_memory("iter", path, small)
            r, i = read["peak"] - read["baseline"], it["peak"] - it["baseline"]
            iters.setdefault(label, []).append((mb, i))
            print(f"| {label} | {size:.1f} | {r:.0f} | {i:.0f} | {r / size:.2f} | {i / size:.2f} |")
        old.unlink()
        new.unlink()
    small_old.unlink()
    small_new.unlink()
    older, plain = iters["V0600 (migrating)"], iters["V0701"]
    if len(older) > 1:  # iter_xml holds one item at a time: its peak must not grow
        (lo, old_lo), (hi, old_hi) = older[0], older[-1]
        grow, plain_grow = old_hi - old_lo, plain[-1][1] - plain[0][1]
        verdict = "PASS" if grow <= plain_grow + MEMORY_SLACK else "FAIL"
        print(
            f"\nstreamed iter_xml peak RSS growth from {lo:g} to {hi:g} MB: V0600 {grow:+.1f} MB,"
            f" V0701 {plain_grow:+.1f} MB (target: flat, <= V0701's + {MEMORY_SLACK} MB): {verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mb", type=float, default=10.0, help="document size in MB (default 10)")
    ap.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    ap.add_argument(
        "--memory-mb",
        default="10,20",
        help="sizes (MB) of the peak-RSS rows, comma-separated (default 10,20)",
    )
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-RSS subprocesses")
    ap.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0

    import warnings

    from lxml import etree

    import isa95kit as ik
    from isa95kit.versions import MigrationWarning, migrate

    warnings.simplefilter("ignore", MigrationWarning)
    work = Path(tempfile.mkdtemp(prefix="isa95kit-bench-migrate-"))
    old = work / "schedule-v0600.xml"
    size = make_v0600(old, int(args.mb * MB))
    new = work / "schedule-v0701.xml"
    new.write_bytes(complete_v0701(migrate(old, "V0701").data))
    print(f"V0600 {size / MB:.1f} MB, V0701 {os.path.getsize(new) / MB:.1f} MB", file=sys.stderr)

    obj = ik.read_xml(old)
    keep = ik.ReadConfig(unknown="preserve")  # the V0701 file holds the carried pieces
    obj7 = ik.read_xml(new, config=keep)  # both readers warm (decoders compiled)
    streamed = ik.ReadConfig(unknown="preserve", stream_threshold=0)
    rows = [
        ("lxml parse (V0600)", best(lambda: etree.parse(str(old)), args.repeat)),
        ("read_xml V0701 (peer)", best(lambda: ik.read_xml(new, config=keep), args.repeat)),
        ("read_xml V0600 (migrating)", best(lambda: ik.read_xml(old), args.repeat)),
        (
            "write_xml(version='V0600')",
            best(lambda: ik.write_xml(obj, version="V0600"), args.repeat),
        ),
        ("write_xml V0701 (peer)", best(lambda: ik.write_xml(obj7), args.repeat)),
        (
            "read_xml V0701 streamed (peer)",
            best(lambda: ik.read_xml(new, config=streamed), args.repeat),
        ),
        (
            "read_xml V0600 streamed (migrating)",
            best(lambda: ik.read_xml(old, config=streamed), args.repeat),
        ),
        (
            "iter_xml V0701 OperationsRequest (peer)",
            best(
                lambda: sum(1 for _ in ik.iter_xml(new, "OperationsRequest", config=streamed)),
                args.repeat,
            ),
        ),
        (
            "iter_xml V0600 OperationsRequest (migrating)",
            best(
                lambda: sum(1 for _ in ik.iter_xml(old, "OperationsRequest", config=streamed)),
                args.repeat,
            ),
        ),
    ]
    peer = rows[1][1]
    print(f"| step ({size / MB:.1f} MB) | CPU s | MB/s | x read_xml V0701 |")
    print("|---|---|---|---|")
    for name, t in rows:
        print(f"| {name} | {t:.3f} | {size / MB / t:.1f} | {t / peer:.2f} |")
    for label, num, den in (
        ("migrating read / plain read", rows[2][1], peer),
        ("streamed: migrating read / plain read", rows[6][1], rows[5][1]),
        ("streamed: migrating iter_xml / plain iter_xml", rows[8][1], rows[7][1]),
    ):
        ratio = num / den
        verdict = "PASS" if ratio <= TARGET else "FAIL"
        print(f"\n{label} = {ratio:.2f} (target <= {TARGET}): {verdict}")
    if not args.no_memory:
        memory_rows(work, [float(x) for x in args.memory_mb.split(",") if x])
    for p in (old, new):
        p.unlink()
    work.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
