"""examples/mes_to_erp_soap_retry.py runs: retries through 503s with one BODID, a dead
letter while the ERP is down, replayed once it is back."""

from __future__ import annotations

from pathlib import Path

import pytest

from isa95kit.delivery import OutboxState

from .test_examples import load

pytest.importorskip("waitress")


def test_mes_to_erp_soap_retry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = load("mes_to_erp_soap_retry").main(tmp_path)
    reply = result["reply"]
    assert reply.attempts == 3 and result["posts"] == 3
    assert type(reply.message).__name__ == "AcknowledgeWorkPerformance"
    out = capsys.readouterr().out
    assert "backflushed PO-100045871-0010 OJ-CONC-65BRIX: 1.860000 MTQ" in out
    assert "BODIDs seen: ['MES-1010-WP-0001', 'MES-1010-WP-0001', 'MES-1010-WP-0001']" in out
    dead = result["dead"]
    assert dead.state is OutboxState.DEAD and "HTTP 503" in dead.last_error
    ((entry, replayed),) = result["replayed"]
    assert entry.bodid == "MES-1010-WP-0002" == replayed.bodid
    assert result["counts"] == {"pending": 0, "sending": 0, "sent": 2, "dead": 0}
