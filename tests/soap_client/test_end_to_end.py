"""Our client against our server (waitress on 127.0.0.1): the mock ERP, WS-Security,
idempotent replies for a retried BODID, and the generated WSDL read as a third-party one."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import isa95kit as ik
from isa95kit.delivery import Outbox, OutboxState, RetryPolicy
from isa95kit.soap import SoapClient, UsernameToken

pytest.importorskip("waitress")


@contextmanager
def serving(app: Any) -> Iterator[str]:
    from isa95kit.soap import create_server, stop_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/b2mml"
    finally:
        stop_server(server)
        thread.join(timeout=10)


def test_client_and_mock_erp(schedule: ik.B2MMLModel, outbox_path: Path) -> None:
    from isa95kit.soap import make_app

    with serving(make_app()) as url, SoapClient(url, outbox=outbox_path, breaker=None) as c:
        reply = c.call(schedule)
        again = c.call(schedule)  # same BODID: the server answers its stored first reply
    assert type(reply.message).__name__ == "AcknowledgeWorkSchedule"
    assert ik.write_xml(again.message) == ik.write_xml(reply.message)
    with Outbox(outbox_path) as box:
        assert [e.state for e in box.entries()] == [OutboxState.SENT, OutboxState.SENT]


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
@pytest.mark.parametrize("digest", [False, True])
def test_username_token_accepted_and_refused(
    schedule: ik.B2MMLModel, soap: str, digest: bool
) -> None:
    from isa95kit.soap import make_app

    app = make_app(users={"mes": "s3cret"})
    one = RetryPolicy(max_attempts=1)
    with serving(app) as url:
        good = UsernameToken("mes", "s3cret", digest=digest)
        with SoapClient(url, soap=soap, username_token=good, outbox=None, breaker=None) as c:  # type: ignore[arg-type]
            assert type(c.send(schedule)).__name__ == "AcknowledgeWorkSchedule"
        bad = UsernameToken("mes", "wrong", digest=digest)
        c = SoapClient(url, soap=soap, username_token=bad, outbox=None, breaker=None, retry=one)  # type: ignore[arg-type]
        with c, pytest.raises((ik.SoapFaultError, ik.DeliveryFailedError)):
            c.send(schedule)


def test_server_down_then_up_replays(schedule: ik.B2MMLModel, outbox_path: Path) -> None:
    """The ERP is down for the first attempts; the dead letter is replayed once it is up."""
    import socket

    from isa95kit.soap import make_app

    with socket.socket() as probe:  # a free port that nothing listens on (yet)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/b2mml"
    fast = RetryPolicy(max_attempts=2, base_delay=0.01)
    c = SoapClient(url, outbox=outbox_path, breaker=None, retry=fast)
    with c, pytest.raises(ik.DeliveryFailedError):
        c.call(schedule)
    from isa95kit.soap import create_server, stop_server

    server = create_server(make_app(), host="127.0.0.1", port=port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        time.sleep(0.05)
        with SoapClient(url, outbox=outbox_path, breaker=None) as c:
            ((entry, result),) = c.replay()
        assert not isinstance(result, BaseException), result
        assert result.bodid == entry.bodid == schedule.application_area.bodid.value  # type: ignore[attr-defined]
    finally:
        stop_server(server)
        thread.join(timeout=10)


def test_generated_wsdl_is_shape_a() -> None:
    from isa95kit.soap import wsdl_path
    from isa95kit.soap._thirdparty import operations

    ops = {o.name: o for o in operations(wsdl_path("1.1"))}
    op = next(o for o in ops.values() if o.input_element.endswith("}ProcessWorkSchedule"))
    assert op.slot is not None and op.slot.kind == "document"
