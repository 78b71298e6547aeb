"""MES -> ERP over SOAP with retry and dead letter.

    python examples/mes_to_erp_soap_retry.py

The MES reports a job's performance — good and scrap output, backflushed material
consumption (see ``mes_to_erp_performance.py``) — as a ``ProcessWorkPerformance`` to the
ERP's SOAP endpoint. The ERP here is isa95kit's mock ERP on 127.0.0.1, behind a flaky
gateway that answers ``503 Service Unavailable`` (``Retry-After: 0.2``) to the first two
posts. The client retries with backoff, the same BODID every time, and the message sits in
a durable SQLite outbox until the ERP acknowledges it. A second report, sent while the ERP
is down for good, ends in the dead-letter state; once the ERP is back it is replayed.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import isa95kit as ik
from isa95kit.delivery import Outbox, RetryPolicy
from isa95kit.model import ProcessWorkSchedule
from isa95kit.soap import SoapClient, create_server, make_app, stop_server

HERE = Path(__file__).parent
SAMPLE = HERE / "data" / "process-work-schedule.xml"


def _performance_module() -> Any:
    spec = importlib.util.spec_from_file_location("perf", HERE / "mes_to_erp_performance.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FlakyGateway:
    """WSGI middleware: ``503`` for the first ``failures`` posts (or all, while ``down``)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], failures: int) -> None:
        self.app, self.failures, self.down, self.posts = app, failures, False, 0
        self.bodids: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "POST":
            self.posts += 1
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)  # the ERP behind reads it again
            found = re.search(rb"<(?:\w+:)?BODID>([^<]+)<", body)
            self.bodids.append(found.group(1).decode() if found else "?")
            if self.down or self.posts <= self.failures:
                start_response(
                    "503 Service Unavailable",
                    [("Content-Type", "text/plain"), ("Retry-After", "0.2")],
                )
                return [b"ERP busy: posting period being closed"]
        return self.app(environ, start_response)


@contextmanager
def erp(app: Any) -> Iterator[str]:
    server = create_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/erp/b2mml"
    finally:
        stop_server(server)
        thread.join(timeout=10)


def main(workdir: str | Path | None = None) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING, format="  log: %(message)s")
    perf = _performance_module()
    schedule = ik.read_xml(SAMPLE, ProcessWorkSchedule)
    report = perf.performance(schedule, datetime(2026, 11, 24, 14, 5, tzinfo=timezone.utc))
    report.application_area.bodid = "MES-1010-WP-0001"
    for wr in report.data_area.work_performance[0].work_response:
        for jr in wr.job_response:
            for ma in jr.material_actual:
                if ma.id.value.startswith("MA-BF"):
                    q = ma.quantity[0]
                    print(
                        f"backflushed {jr.job_order_id.value} {ma.material_definition_id[0].value}:"
                        f" {q.quantity_string.value} {q.unit_of_measure.value}"
                    )

    tmp = tempfile.TemporaryDirectory() if workdir is None else None
    folder = Path(tmp.name) if tmp is not None else Path(workdir or ".")
    outbox_path = folder / "mes-outbox.sqlite"
    gateway = FlakyGateway(make_app(), failures=2)
    policy = RetryPolicy(max_attempts=5, base_delay=0.05, max_delay=1.0)
    result: dict[str, Any] = {}
    try:
        with erp(gateway) as url, Outbox(outbox_path) as outbox:
            with SoapClient(url, outbox=outbox, retry=policy, breaker=None) as client:
                reply = client.call(report)
            print(f"ProcessWorkPerformance {reply.bodid}: delivered on attempt {reply.attempts}")
            print(f"  ERP answered {type(reply.message).__name__}; BODIDs seen: {gateway.bodids}")
            result.update(reply=reply, posts=gateway.posts)

            # the ERP goes down for good: the second report becomes a dead letter
            gateway.down = True
            second = perf.performance(schedule, datetime(2026, 11, 24, 20, 5, tzinfo=timezone.utc))
            second.application_area.bodid = "MES-1010-WP-0002"
            quick = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2)
            with SoapClient(url, outbox=outbox, retry=quick, breaker=None) as client:
                try:
                    client.call(second)
                except ik.DeliveryFailedError as exc:
                    print(f"gave up: {exc.bodid} after {exc.attempts} attempts -> dead letter")
                    if exc.outbox_id is not None:
                        result["dead"] = outbox.get(exc.outbox_id)

            # the ERP is back: replay what the outbox holds
            gateway.down = False
            with SoapClient(url, outbox=outbox, retry=policy, breaker=None) as client:
                replayed = client.replay()
            for entry, outcome in replayed:
                attempts = getattr(outcome, "attempts", "-")
                print(f"replayed {entry.bodid}: {type(outcome).__name__}, {attempts} attempts")
            result["replayed"] = replayed
            result["counts"] = {s.value: n for s, n in outbox.counts().items()}
            print(f"outbox: {result['counts']}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return result


if __name__ == "__main__":
    main()
