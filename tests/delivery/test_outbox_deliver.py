"""The outbox (SQLite, WAL) and ``deliver`` with a plain function as transport."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit.delivery import (
    CircuitBreaker,
    Outbox,
    OutboxState,
    RetryPolicy,
    deliver,
    replay,
)

ROOT = Path(__file__).resolve().parents[2]
FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.002)


class Flaky:
    """Fails ``n`` times with ``error``, then answers; records every payload."""

    def __init__(self, n: int, error: BaseException) -> None:
        self.n, self.error, self.seen = n, error, []  # type: ignore[var-annotated]

    def __call__(self, payload: bytes) -> str:
        self.seen.append(payload)
        if len(self.seen) <= self.n:
            raise self.error
        return "ok"


def test_no_transport_imports() -> None:
    code = (
        "import sys, isa95kit.delivery; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('zeep', 'requests', 'lxml')"
        " or m.startswith('isa95kit.soap')]; print(bad); assert not bad"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_states_and_wal(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite") as box:
        e = box.add(b"<m/>", bodid="B-1", endpoint="http://erp", meta={"soap": "1.1"})
        assert (e.state, e.attempts, e.meta) == (OutboxState.PENDING, 0, {"soap": "1.1"})
        assert box.claim(e.id).state is OutboxState.SENDING
        box.record_attempt(e.id, "boom")
        box.mark_dead(e.id, "boom")
        dead = box.get(e.id)
        assert (dead.state, dead.attempts, dead.last_error) == (OutboxState.DEAD, 1, "boom")
        assert box.counts()[OutboxState.DEAD] == 1
        assert [x.id for x in box.replayable()] == [e.id]
        assert box.replayable(include_dead=False) == []
        box.claim(e.id)
        box.mark_sent(e.id)
        with pytest.raises(ik.OutboxError, match="delivered already"):
            box.claim(e.id)
        assert box.purge() == 1 and len(box) == 0
        with pytest.raises(ik.OutboxError, match="no outbox entry 99"):
            box.get(99)
    mode = sqlite3.connect(tmp_path / "o.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_claim_by_a_live_process_is_refused(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    e = box.add(b"x", bodid="B", endpoint="e")
    box.claim(e.id)
    # pretend the parent of this test (alive) claimed it
    box._run(
        "UPDATE outbox SET owner = ? WHERE id = ?", (f"{os.uname().nodename}:{os.getppid()}", e.id)
    )
    assert box.replayable() == []
    with pytest.raises(ik.OutboxError, match="being sent"):
        box.claim(e.id)


def test_unreadable_outbox_is_source_error(tmp_path: Path) -> None:
    bad = tmp_path / "o.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ik.SourceError):
        Outbox(bad)


def test_deliver_retries_same_payload(tmp_path: Path) -> None:
    send = Flaky(2, ik.TransportError("503", transient=True, retry_after=0.0))
    box = Outbox(tmp_path / "o.sqlite")
    waits: list[float] = []
    done = deliver(
        send, b"<m>B-7</m>", bodid="B-7", endpoint="e", policy=FAST, outbox=box, sleep=waits.append
    )
    assert done.value == "ok" and done.attempts == 3 and len(waits) == 2
    assert send.seen == [b"<m>B-7</m>"] * 3
    assert box.get(done.outbox_id).state is OutboxState.SENT  # type: ignore[arg-type]


def test_deliver_gives_up_into_dead_letter(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    send = Flaky(99, TimeoutError("read timed out"))
    with pytest.raises(ik.DeliveryFailedError) as info:
        deliver(
            send, b"m", bodid="B-8", endpoint="e", policy=FAST, outbox=box, sleep=lambda s: None
        )
    err = info.value
    assert err.attempts == 4 and err.bodid == "B-8" and "read timed out" in err.last_error
    entry = box.get(err.outbox_id)  # type: ignore[arg-type]
    assert entry.state is OutboxState.DEAD and entry.attempts == 4
    # replay counts on from the earlier attempts
    results = replay(box, lambda e: lambda p: "late", policy=FAST, sleep=lambda s: None)
    ((_, done),) = results
    assert not isinstance(done, BaseException) and done.attempts == 5


def test_permanent_error_is_raised_as_is(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    send = Flaky(99, ik.EncodeError("bad message"))
    with pytest.raises(ik.EncodeError):
        deliver(send, b"m", bodid="B", endpoint="e", policy=FAST, outbox=box)
    assert len(send.seen) == 1 and box.entries()[0].state is OutboxState.DEAD


def test_open_breaker_keeps_message_pending(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite")
    breaker = CircuitBreaker(failure_threshold=1, reset_timeout=60)
    breaker.record_failure()
    with pytest.raises(ik.CircuitOpenError):
        deliver(lambda p: "x", b"m", bodid="B", endpoint="e", outbox=box, breaker=breaker)
    (entry,) = box.entries()
    assert entry.state is OutboxState.PENDING and entry.attempts == 0


KILLED = """
import os, signal, sys
from isa95kit.delivery import Outbox, deliver

def send(payload):  # the test hook: the process dies between the write and the send
    os.kill(os.getpid(), signal.SIGKILL)

deliver(send, b"<ProcessWorkSchedule>B-KILL</ProcessWorkSchedule>", bodid="B-KILL",
        endpoint="http://erp", outbox=Outbox(sys.argv[1]))
"""


def test_outbox_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(KILLED), str(path)], env=env)
    assert proc.returncode == -9
    box = Outbox(path)
    (entry,) = box.entries()
    assert entry.state is OutboxState.SENDING and entry.attempts == 0  # owner is dead
    delivered: list[bytes] = []
    results = replay(box, lambda e: delivered.append, policy=FAST)
    assert delivered == [b"<ProcessWorkSchedule>B-KILL</ProcessWorkSchedule>"]
    assert results[0][0].bodid == "B-KILL"
    assert box.get(entry.id).state is OutboxState.SENT
    assert replay(box, lambda e: delivered.append) == [] and len(delivered) == 1  # exactly once
