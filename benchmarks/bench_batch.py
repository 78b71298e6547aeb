"""Batch validation throughput: serial, a local process pool and a dask LocalCluster, one run.

One command::

    PYTHONPATH=src python benchmarks/bench_batch.py                 # 2,000 files, 2 workers
    PYTHONPATH=src python benchmarks/bench_batch.py --files 20000 --workers 4

It writes ``--files`` B2MML V0701 documents of mixed sizes into a temporary folder (work
schedules from ``benchmarks/_docs.py`` of about 2 KB to 128 KB, log-uniform, and one in fifty
made invalid by a duplicate ID), then validates the folder with ``isa95kit.batch``, in the same
process and run:

* ``serial``: ``validate_many(folder)`` in this process (the reference);
* ``--jobs N``: ``validate_many(folder, jobs=N)``, pool start-up included (as the CLI runs);
* ``dask N``: ``validate_many(folder, dask=client)`` on a ``LocalCluster`` of N single-threaded
  worker processes on 127.0.0.1, started (and warmed: schemas compiled) before timing, as a
  long-lived cluster is; its start-up time is printed separately.

Every mode must give the serial report (checked). Printed: files/s, the wall-clock speed-up
over serial, the same scaled by how much slower each file ran than serially (on a shared
machine a worker waiting for a core stretches its files: "contention-adjusted" estimates the
speed-up on idle cores), and the dask overhead per file in CPU time: the CPU seconds of the
workers (``getrusage`` via ``client.run``) plus this process (client and in-process scheduler)
beyond the serial run's CPU seconds, less the background CPU of the idle cluster (measured
for 2 s before, times the run's wall time), per file, as a share of serial CPU per file (scheduling,
serialisation, transfer, heartbeats). Targets: >= 1.7x serial with 2 workers on 2 cores (wall
clock); dask overhead < 5 % of the serial time per file.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import _docs  # noqa: E402

import isa95kit as ik  # noqa: E402


def generate(folder: Path, count: int, *, distinct: int = 40, seed: int = 7) -> int:
    """``count`` files from ``distinct`` generated documents of mixed sizes; total bytes."""
    r = random.Random(seed)
    models = []
    for i in range(distinct):
        size = int(math.exp(r.uniform(math.log(2_000), math.log(128_000))))
        path = folder / f"model-{i:03}.xml"
        _docs.make_work_schedule(path, size, seed=i)
        data = path.read_bytes()
        path.unlink()
        if i % 10 == 9:  # a duplicate job order ID: schema-valid, a business-rule error
            data = data.replace(b">JO-00000002<", b">JO-00000001<", 1)
        models.append(data)
    total = 0
    for n in range(count):
        data = models[r.randrange(distinct)] if n % 50 else models[9]
        sub = folder / f"part-{n % 20:02}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc-{n:06}.xml").write_bytes(data)
        total += len(data)
    return total


def comparable(report: Any) -> Any:
    data = report.to_dict()
    for file in data["files"]:
        file.pop("seconds")
    return data


def timed(label: str, **kwargs: Any) -> tuple[float, float, Any, Any]:
    """Wall-clock seconds, this process's CPU seconds, the summary and the report."""
    started, cpu = time.perf_counter(), time.process_time()
    run = ik.batch.validate_many(kwargs.pop("folder"), **kwargs)
    report = run.report()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"  {label}: {seconds:.2f} s", file=sys.stderr)
    return seconds, cpu, run.summary, report


def _cpu() -> float:
    """CPU seconds of the calling (worker) process so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _warm() -> int:
    """Import the validation layer and compile the V0701 bundle in a worker (once per
    process, as a long-lived worker has done long before)."""
    golden = ROOT / "tests" / "data" / "golden" / "erp_mes_work_schedule.xml"
    ik.validation.check(golden)
    return os.getpid()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    folder = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        total = generate(folder, args.files)
        print(f"{args.files} files, {total / 1e6:.1f} MB in {folder}", file=sys.stderr)
        _warm()
        serial_s, serial_cpu, serial_sum, serial_report = timed("serial", folder=folder)
        jobs_s, _, jobs_sum, jobs_report = timed(
            f"--jobs {args.workers}", folder=folder, jobs=args.workers
        )
        started = time.perf_counter()
        with (
            LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):  # fmt: skip
            client.run(_warm)
            startup = time.perf_counter() - started
            # the background CPU of an idle cluster (heartbeats, monitors) per second of wall
            idle_from, idle_main, idle_wall = client.run(_cpu), time.process_time(), time.time()
            time.sleep(2)
            idle_to = client.run(_cpu)
            idle_rate = (
                sum(idle_to[k] - idle_from[k] for k in idle_to if k in idle_from)
                + time.process_time()
                - idle_main
            ) / (time.time() - idle_wall)
            before = client.run(_cpu)
            dask_s, main_cpu, dask_sum, dask_report = timed(
                f"dask {args.workers}", folder=folder, dask=client
            )
            after = client.run(_cpu)
            workers_cpu = sum(after[w] - before[w] for w in after if w in before)
        same = comparable(serial_report)
        assert comparable(jobs_report) == same, "--jobs report differs from serial"
        assert comparable(dask_report) == same, "dask report differs from serial"
        invalid = sum(1 for f in serial_report.files if not f.valid)
        n, w = args.files, args.workers
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        # CPU seconds are what a run costs whatever else the machine does: the dask overhead
        # is the CPU of the workers plus this process (client and scheduler) beyond serial's
        background = idle_rate * dask_s
        raw = (workers_cpu + main_cpu - serial_cpu) / n
        overhead = (workers_cpu + main_cpu - background - serial_cpu) / n
        per_file = serial_cpu / n
        head = f"{n} documents ({total / 1e6:.1f} MB, {invalid} invalid)"
        print(f"\n{head}, {w} workers, {cores} cores; same reports in all modes\n")
        print("| mode | seconds | files/s | MB/s | vs serial | busy s | contention-adjusted |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, seconds, summary in (
            ("serial", serial_s, serial_sum),
            (f"--jobs {w} (pool start included)", jobs_s, jobs_sum),
            (f"dask LocalCluster {w} (started, warm)", dask_s, dask_sum),
        ):
            # per-file tasks that take longer than serially did waited for a core: scale back
            stretch = summary.busy_seconds / serial_sum.busy_seconds
            print(f"| {label} | {seconds:.2f} | {n / seconds:.0f} | {total / seconds / 1e6:.1f} "
                  f"| {serial_s / seconds:.2f}x | {summary.busy_seconds:.2f} "
                  f"| {serial_s / seconds * stretch:.2f}x |")  # fmt: skip
        print(f"\nLocalCluster start-up (not in the dask row): {startup:.2f} s")
        print(f"CPU: serial {serial_cpu:.2f} s; dask workers {workers_cpu:.2f} s + client and "
              f"scheduler {main_cpu:.2f} s")  # fmt: skip
        print(f"idle cluster background: {idle_rate:.3f} CPU s per s ({background:.2f} s over "
              "the dask run; time-proportional, not per file)")  # fmt: skip
        print(f"serial CPU per file {per_file * 1e3:.3f} ms; dask overhead per file "
              f"{overhead * 1e3:.3f} ms = {overhead / per_file:.1%} of serial "
              f"(with the background: {raw * 1e3:.3f} ms = {raw / per_file:.1%})")  # fmt: skip
        best = max(serial_s / jobs_s, serial_s / dask_s)
        print(f"target >= 1.7x serial with {w} workers (wall clock): "
              f"{'PASS' if best >= 1.7 else 'FAIL'} ({best:.2f}x)")  # fmt: skip
        print(
            f"target dask overhead < 5 % of serial per file (CPU): "
            f"{'PASS' if overhead / per_file < 0.05 else 'FAIL'} ({overhead / per_file:.1%})"
        )
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"load average during the run: {load:.1f} on {cores} cores "
            "(above the core count, parallel wall-clock numbers are lowered by other work; "
            "'contention-adjusted' scales them by how much slower each file ran)"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
