"""SoapClient against a SOAP partner that is not ours, over real loopback HTTP."""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from pathlib import Path

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.delivery import CircuitBreaker, Outbox, OutboxState, RetryPolicy
from isa95kit.soap import SoapClient, UsernameToken

from .conftest import SOAP11, Answer, Partner, fault11

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


def client(partner: Partner, outbox: Path | None, **kw: object) -> SoapClient:
    kw.setdefault("retry", FAST)
    kw.setdefault("breaker", None)
    return SoapClient(partner.url, outbox=outbox, **kw)  # type: ignore[arg-type]


def test_round_trip_codec_payload(partner: Partner, schedule: ik.B2MMLModel) -> None:
    with client(partner, None, action="urn:ProcessWorkSchedule") as c:
        reply = c.call(schedule)
    (req,) = partner.requests
    assert req.headers["SOAPAction"] == '"urn:ProcessWorkSchedule"'
    assert req.headers["Content-Type"].startswith("text/xml")
    # the Body holds exactly what our codec writes, not a zeep-built object
    body = req.root.find(f"{{{SOAP11}}}Body")[0]  # type: ignore[index]
    assert etree.tostring(body, method="c14n2") == etree.tostring(
        etree.fromstring(ik.write_xml(schedule)), method="c14n2"
    )
    assert type(reply.message).__name__ == "AcknowledgeWorkSchedule"
    assert reply.attempts == 1 and reply.status == 200
    assert reply.message.application_area.bodid.value == f"ack-{reply.bodid}"  # type: ignore[attr-defined]


def test_bodid_assigned_when_missing(partner: Partner, schedule: ik.B2MMLModel) -> None:
    schedule.application_area.bodid = None  # type: ignore[attr-defined]
    with client(partner, None) as c:
        reply = c.call(schedule)
    assert reply.bodid and partner.requests[0].bodid == reply.bodid
    assert schedule.application_area.bodid.value == reply.bodid  # type: ignore[attr-defined]
    # bytes without a BODID get one too
    raw = ik.write_xml(schedule).replace(f"<BODID>{reply.bodid}</BODID>".encode(), b"")
    with client(partner, None) as c:
        second = c.call(raw)
    assert second.bodid != reply.bodid and partner.requests[1].bodid == second.bodid


def test_soap12_content_type_carries_action(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.respond = lambda r: Answer(body=_ack12(r.body))
    with client(partner, None, soap="1.2", action="urn:pws") as c:
        reply = c.call(schedule)
    ctype = partner.requests[0].headers["Content-Type"]
    assert ctype.startswith("application/soap+xml") and 'action="urn:pws"' in ctype
    assert "SOAPAction" not in partner.requests[0].headers
    assert type(reply.message).__name__ == "AcknowledgeWorkSchedule"


def _ack12(body: bytes) -> bytes:
    from .conftest import ack_for

    return ack_for(body, "http://www.w3.org/2003/05/soap-envelope")


def test_retry_503_same_bodid_retry_after(
    partner: Partner,
    schedule: ik.B2MMLModel,
    outbox_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    partner.answers = [
        Answer(503, b"busy", {"Retry-After": "0.3"}),
        Answer(503, b"busy", {"Retry-After": "0.3"}),
        Answer(),
    ]
    caplog.set_level(logging.INFO, "isa95kit")
    with client(partner, outbox_path) as c:
        reply = c.call(schedule)
    assert reply.attempts == 3 and len(partner.requests) == 3
    bodids = {r.bodid for r in partner.requests}
    assert bodids == {reply.bodid}
    gaps = [b.at - a.at for a, b in zip(partner.requests, partner.requests[1:], strict=False)]
    assert all(g >= 0.3 for g in gaps), gaps  # Retry-After 0.3 s beats the 0.02 s backoff
    attempts = [r for r in caplog.records if "attempt" in r.getMessage() and "/3" in r.getMessage()]
    assert [r.request_id for r in attempts] == [reply.bodid] * 3  # type: ignore[attr-defined]
    with Outbox(outbox_path) as box:
        (entry,) = box.entries()
    assert (entry.state, entry.attempts, entry.bodid) == (OutboxState.SENT, 3, reply.bodid)


def test_hanging_server_dead_letter_then_replay(
    partner: Partner, schedule: ik.B2MMLModel, outbox_path: Path
) -> None:
    partner.answers = [Answer(delay=1.0)]
    one_try = RetryPolicy(max_attempts=2, base_delay=0.01)
    with client(partner, outbox_path, timeout=(1.0, 0.2), retry=one_try) as c:
        started = time.monotonic()
        with pytest.raises(ik.DeliveryFailedError) as info:
            c.call(schedule)
        assert time.monotonic() - started < 1.5  # the read timeout, not the server, decides
    err = info.value
    assert err.attempts == 2 and "timed out" in err.last_error and err.outbox_id is not None
    with Outbox(outbox_path) as box:
        dead = box.get(err.outbox_id)
    assert dead.state is OutboxState.DEAD and "timed out" in (dead.last_error or "")
    partner.answers = [Answer()]
    partner.requests.clear()
    with client(partner, outbox_path) as c:
        ((entry, result),) = c.replay()
    assert not isinstance(result, BaseException)
    assert entry.bodid == err.bodid == result.bodid == partner.requests[0].bodid
    assert len(partner.requests) == 1
    with Outbox(outbox_path) as box:
        assert box.get(err.outbox_id).state is OutboxState.SENT
        assert box.replayable() == []


def test_non_transient_fault_not_retried(
    partner: Partner, schedule: ik.B2MMLModel, outbox_path: Path
) -> None:
    partner.answers = [Answer(500, fault11("Client", "WorkSchedule WS-1 is unknown"))]
    with client(partner, outbox_path) as c, pytest.raises(ik.SoapFaultError) as info:
        c.call(schedule)
    assert info.value.code == "Client" and "unknown" in info.value.reason
    assert len(partner.requests) == 1
    with Outbox(outbox_path) as box:
        (entry,) = box.entries()
    assert entry.state is OutboxState.DEAD and "unknown" in (entry.last_error or "")


def test_transient_fault_retried(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.answers = [Answer(500, fault11("Server.Busy", "try later")), Answer()]
    with client(partner, None) as c:
        assert c.call(schedule).attempts == 2


def test_http_4xx_is_not_retried(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.answers = [Answer(404, b"not here")]
    with client(partner, None) as c, pytest.raises(ik.DeliveryFailedError) as info:
        c.call(schedule)
    assert info.value.status == 404 and info.value.attempts == 1 and len(partner.requests) == 1


def test_connection_refused_is_retried(schedule: ik.B2MMLModel, outbox_path: Path) -> None:
    with Partner() as gone:
        url = gone.url
    c = SoapClient(url, outbox=outbox_path, retry=FAST, breaker=None)
    with c, pytest.raises(ik.DeliveryFailedError) as info:
        c.call(schedule)
    assert info.value.attempts == 3 and "cannot connect" in info.value.last_error
    assert "Connection refused" in info.value.last_error
    assert "HTTPConnectionPool" not in info.value.last_error  # urllib3's nesting cut away


def test_circuit_breaker_fails_fast(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.answers = [Answer(503, b"down")]
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=60)
    with client(partner, None, breaker=breaker, retry=RetryPolicy(1)) as c:
        for _ in range(2):
            with pytest.raises(ik.DeliveryFailedError):
                c.call(schedule)
        with pytest.raises(ik.CircuitOpenError) as info:
            c.call(schedule)
    assert len(partner.requests) == 2 and info.value.retry_after > 50


def test_basic_auth_api_key(partner: Partner, schedule: ik.B2MMLModel) -> None:
    with client(partner, None, auth=("mes", "s3cret"), api_key="k-123") as c:
        c.call(schedule)
    headers = partner.requests[0].headers
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"mes:s3cret").decode()
    assert headers["X-API-Key"] == "k-123"


@pytest.mark.parametrize("digest", [False, True])
def test_username_token(partner: Partner, schedule: ik.B2MMLModel, digest: bool) -> None:
    token = UsernameToken("mes-plant-1010", "pa55word", digest=digest)
    with client(partner, None, username_token=token) as c:
        c.call(schedule)
    sec = partner.requests[0].root.find(f"{{{SOAP11}}}Header/{{{WSSE}}}Security")
    assert sec is not None
    ut = sec.find(f"{{{WSSE}}}UsernameToken")
    assert ut.findtext(f"{{{WSSE}}}Username") == "mes-plant-1010"  # type: ignore[union-attr]
    pw = ut.find(f"{{{WSSE}}}Password")  # type: ignore[union-attr]
    stamp = sec.find(f"{{{WSU}}}Timestamp")
    assert stamp is not None and stamp.findtext(f"{{{WSU}}}Expires")
    if not digest:
        assert pw.text == "pa55word" and pw.get("Type").endswith("#PasswordText")  # type: ignore[union-attr]
        return
    assert pw.get("Type").endswith("#PasswordDigest")  # type: ignore[union-attr]
    nonce = base64.b64decode(ut.findtext(f"{{{WSSE}}}Nonce"))  # type: ignore[union-attr, arg-type]
    created = ut.findtext(f"{{{WSU}}}Created")  # type: ignore[union-attr]
    assert created and created.endswith("Z") and len(nonce) == 16
    expected = hashlib.sha1(nonce + created.encode() + b"pa55word").digest()
    assert pw.text == base64.b64encode(expected).decode()  # type: ignore[union-attr]


def test_fresh_nonce_per_attempt(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.answers = [Answer(503, b""), Answer()]
    token = UsernameToken("u", "p", digest=True)
    with client(partner, None, username_token=token) as c:
        c.call(schedule)
    nonces = {r.root.findtext(f".//{{{WSSE}}}Nonce") for r in partner.requests}
    assert len(nonces) == 2 and len({r.bodid for r in partner.requests}) == 1


def test_reply_not_soap_is_decode_error(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.answers = [Answer(200, b"<html>proxy login</html>")]
    with client(partner, None) as c, pytest.raises(ik.DecodeError):
        c.call(schedule)


def test_soap12_transient_subcode_retried(partner: Partner, schedule: ik.B2MMLModel) -> None:
    from isa95kit.soap import fault

    busy = fault("Receiver", "ERP busy", soap="1.2", subcode="Busy")
    partner.answers = [Answer(500, busy), Answer(body=_ack12(b"<x/>"))]
    with client(partner, None, soap="1.2") as c:
        assert c.call(schedule).attempts == 2
    final = fault("Receiver", "posting period closed", soap="1.2", subcode="PeriodClosed")
    partner.answers = [Answer(500, final)]
    partner.requests.clear()
    with client(partner, None, soap="1.2") as c, pytest.raises(ik.SoapFaultError) as info:
        c.call(schedule)
    assert info.value.code == "Receiver" and len(partner.requests) == 1


def test_fault_with_503_is_transient(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.answers = [Answer(503, fault11("Server", "maintenance")), Answer()]
    with client(partner, None) as c:
        assert c.call(schedule).attempts == 2


def test_retry_after_forms() -> None:
    import email.utils

    from isa95kit.soap._client import _retry_after

    assert _retry_after("3") == 3.0 and _retry_after(" 0.5 ") == 0.5
    assert _retry_after(None) is None and _retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= (_retry_after(later) or 0) <= 61
    assert _retry_after(email.utils.formatdate(0, usegmt=True)) == 0.0
