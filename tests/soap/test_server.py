"""SoapServer over real HTTP on 127.0.0.1 (waitress in a thread), with zeep as an independent
client and raw requests for what a well-behaved client never sends."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

import isa95kit as ik
from isa95kit import model as m
from isa95kit import soap
from isa95kit.errors import SoapFaultError
from isa95kit.validation import Issue

from .conftest import OfflineTransport, serving

B2MML = "http://www.mesa.org/xml/B2MML"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"


def client(url: str, version: str = "1.1", **options: Any) -> zeep.Client:
    return zeep.Client(f"{url}?wsdl={version}", transport=OfflineTransport(), **options)


def area(bodid: str) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    return {
        "Sender": {"LogicalID": "ERP"},
        "Receiver": [{"LogicalID": "MES"}],
        "CreationDateTime": now,
        "BODID": bodid,
    }


def data_area(verb: str, *materials: dict[str, Any], **verb_fields: Any) -> dict[str, Any]:
    return {verb: verb_fields, "MaterialDefinition": list(materials)}


def post(url: str, body: bytes, version: str = "1.1", **kwargs: Any) -> requests.Response:
    headers = {"Content-Type": soap.content_type(version), **kwargs.pop("headers", {})}  # type: ignore[arg-type]
    return requests.post(url, data=body, headers=headers, timeout=30, **kwargs)


def material(ident: str, description: str | None = None) -> m.MaterialDefinition:
    texts = [m.Text(value=description)] if description else []
    return m.MaterialDefinition(id=m.Identifier(value=ident), description=texts)


def fault_of(response: requests.Response) -> SoapFaultError:
    with pytest.raises(SoapFaultError) as info:
        soap.open_envelope(response.content)
    return info.value


# -- zeep against our server -------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_zeep_runs_the_mock_erp_lifecycle(version: str) -> None:
    with serving(soap.SoapServer()) as url:
        c = client(url, version)
        ack = c.service.ProcessMaterialDefinition(
            ApplicationArea=area(f"p-{version}"),
            DataArea=data_area("Process", {"ID": "MD-1", "Description": ["steel sheet"]}),
            releaseID="7.1",
        )
        assert ack.DataArea.Acknowledge.OriginalApplicationArea.BODID._value_1 == f"p-{version}"
        assert ack.DataArea.MaterialDefinition[0].ID._value_1 == "MD-1"
        # the reply goes back to the sender
        assert ack.ApplicationArea.Receiver[0].LogicalID._value_1 == "ERP"

        show = c.service.GetMaterialDefinition(
            ApplicationArea=area(f"g1-{version}"),
            DataArea=data_area("Get", {"ID": "MD-1"}),
            releaseID="7.1",
        )
        assert [d._value_1 for d in show.DataArea.MaterialDefinition[0].Description] == [
            "steel sheet"
        ]

        respond = c.service.ChangeMaterialDefinition(
            ApplicationArea=area(f"c-{version}"),
            DataArea=data_area("Change", {"ID": "MD-1", "Description": ["stainless"]}),
            releaseID="7.1",
        )
        assert respond.DataArea.Respond.OriginalApplicationArea.BODID._value_1 == f"c-{version}"
        show = c.service.GetMaterialDefinition(
            ApplicationArea=area(f"g2-{version}"),
            DataArea=data_area("Get", {"ID": "MD-1"}),
            releaseID="7.1",
        )
        assert [d._value_1 for d in show.DataArea.MaterialDefinition[0].Description] == [
            "stainless"
        ]

        confirm = c.service.CancelMaterialDefinition(
            ApplicationArea=area(f"x-{version}"),
            DataArea=data_area("Cancel", {"ID": "MD-1"}),
            releaseID="7.1",
        )
        assert confirm.DataArea.BOD[0].OriginalApplicationArea.BODID._value_1 == f"x-{version}"
        with pytest.raises(zeep.exceptions.Fault) as info:
            c.service.GetMaterialDefinition(
                ApplicationArea=area(f"g3-{version}"),
                DataArea=data_area("Get", {"ID": "MD-1"}),
                releaseID="7.1",
            )
        assert "no MaterialDefinition with ID 'MD-1'" in info.value.message


def test_the_mock_keeps_partial_changes_and_sync_actions() -> None:
    app = soap.SoapServer()
    with serving(app) as url:
        full = m.MaterialDefinition(
            id=m.Identifier(value="MD-7"), description=[m.Text(value="bolt")], hierarchy_scope=None
        )
        assert post(url, soap.envelope(soap.sync(full, action="Add", confirmation="Always"))).ok
        assert app.store.count("MaterialDefinition") == 1
        # a Change naming only the ID and a new description keeps nothing else it did not send
        change = soap.change(material("MD-7", "hex bolt"))
        reply, _ = soap.open_envelope(post(url, soap.envelope(change)).content)
        assert reply.data_area.material_definition[0].description[0].value == "hex bolt"  # type: ignore[attr-defined]
        gone = post(url, soap.envelope(soap.sync(material("MD-7"), action="Delete")))
        assert gone.ok and app.store.count("MaterialDefinition") == 0
        missing = post(url, soap.envelope(soap.change(material("MD-8"))))
        assert fault_of(missing).code == "Client" and "MD-8" in fault_of(missing).reason


def test_wsdl_and_schema_imports_are_served() -> None:
    with serving(soap.SoapServer()) as url:
        wsdl = etree.fromstring(requests.get(f"{url}?wsdl", timeout=30).content)
        (imp,) = wsdl.iter("{http://www.w3.org/2001/XMLSchema}import")
        assert imp.get("schemaLocation") == f"{url}?xsd=AllSchemas.xsd"
        (address,) = wsdl.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")
        assert address.get("location") == url
        entry = etree.fromstring(requests.get(imp.get("schemaLocation"), timeout=30).content)
        locations = [el.get("schemaLocation") for el in entry if el.get("schemaLocation")]
        from isa95kit.versions import B2MMLVersion, bundle_files

        names = set(bundle_files(B2MMLVersion.coerce("V0701")))
        assert locations and {loc.removeprefix(f"{url}?xsd=") for loc in locations} <= names
        assert requests.get(f"{url}?xsd=../../etc/passwd", timeout=30).status_code == 404
        assert requests.get(f"{url}?wsdl=2.0", timeout=30).status_code == 400
        assert requests.put(url, data=b"", timeout=30).status_code == 405


# -- Faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_an_invalid_body_is_a_fault_listing_the_issues(version: str) -> None:
    good = soap.envelope(soap.process(material("MD-1")), soap=version)  # type: ignore[arg-type]
    bad = good.replace(b"<ID>MD-1</ID>", b"<Colour>red</Colour>")
    with serving(soap.SoapServer()) as url:
        response = post(url, bad, version)
        assert response.status_code == (500 if version == "1.1" else 400)
        err = fault_of(response)
        assert err.code == ("Client" if version == "1.1" else "Sender")
        assert err.issues and all(isinstance(i, Issue) for i in err.issues)
        first = err.issues[0]
        assert first.code.startswith("SCHEMA") or first.code
        line = next(i + 1 for i, text in enumerate(bad.decode().splitlines()) if "<Colour>" in text)
        assert first.line == line and "Colour" in first.message
        assert first.path and first.path.startswith("/")
        # zeep sees the same Fault, its detail parses back into the same Issues
        c = client(url, version)
        with pytest.raises(zeep.exceptions.Fault) as info:
            c.service.ProcessMaterialDefinition(
                ApplicationArea=area("z"),
                DataArea=data_area("Process", {"ID": ""}, acknowledgeCode="Nope"),
                releaseID="7.1",
            )
        issues = soap.issues_from_detail(info.value.detail)
        assert issues and "acknowledgeCode" in " ".join(i.message for i in issues)


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (b"this is not XML", "Client", "malformed request"),
        (b"<Envelope/>", "Client", "not a SOAP request"),
        (
            b'<e:Envelope xmlns:e="urn:soap-0.9"><e:Body/></e:Envelope>',
            "VersionMismatch",
            "not a SOAP",
        ),
        (
            b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x>&c;</x></s:Body></s:Envelope>',
            "Client",
            "malformed request",
        ),
        (
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>'
            b'<t:Tx xmlns:t="urn:tx" s:mustUnderstand="1"/></s:Header><s:Body/></s:Envelope>',
            "Client",
            "holds 0 elements",
        ),
        (
            soap.fault("Server", "a fault sent as a request"),
            "Client",
            "not a request",
        ),
    ],
)
def test_bad_requests_are_client_faults(body: bytes, code: str, words: str) -> None:
    with serving(soap.SoapServer()) as url:
        response = post(url, body)
        assert response.status_code == 500
        err = fault_of(response)
        assert (err.code, words in err.reason) == (code, True), err.reason
        assert b"aaaaaaaaaa" not in response.content  # no entity was expanded
        assert b"Traceback" not in response.content


def test_an_unknown_mandatory_header_is_a_must_understand_fault() -> None:
    header = b'<t:Tx xmlns:t="urn:tx" xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:mustUnderstand="1"/>'
    with serving(soap.SoapServer()) as url:
        err = fault_of(post(url, soap.envelope(soap.process(material("A")), headers=[header])))
        assert err.code == "MustUnderstand"
        optional = header.replace(b'"1"', b'"0"')
        assert post(url, soap.envelope(soap.process(material("A")), headers=[optional])).ok


def test_a_body_over_the_limit_is_413() -> None:
    with serving(soap.SoapServer(max_bytes=2000)) as url:
        big = soap.envelope(soap.process(material("A", "x" * 3000)))
        assert post(url, big).status_code == 413
        assert post(url, soap.envelope(soap.process(material("A")))).ok


def test_handlers_answer_or_fault() -> None:
    seen: list[str] = []

    def process(message: ik.B2MMLModel, context: Any) -> ik.B2MMLModel | None:
        seen.append(f"{context.kind.element}:{context.soap}")
        if message.data_area.material_definition[0].id.value == "REJECT":  # type: ignore[attr-defined]
            raise SoapFaultError("no", code="Client", reason="material REJECT is blocked")
        if message.data_area.material_definition[0].id.value == "BUG":  # type: ignore[attr-defined]
            raise RuntimeError("secret internals")
        return soap.reply_to(message, action="Modified", force=True)

    app = soap.SoapServer({"Process": process}, mock=False)
    with serving(app) as url:
        reply, _ = soap.open_envelope(
            post(url, soap.envelope(soap.process(material("OK")), soap="1.2"), "1.2").content
        )
        code = reply.data_area.acknowledge.response_criteria[0].response_expression.action_code  # type: ignore[attr-defined]
        assert code == "Modified"
        rejected = fault_of(post(url, soap.envelope(soap.process(material("REJECT")))))
        assert (rejected.code, rejected.reason) == ("Client", "material REJECT is blocked")
        bug = post(url, soap.envelope(soap.process(material("BUG"))))
        assert fault_of(bug).code == "Server" and b"secret internals" not in bug.content
        # without the mock, a message no handler claims is refused
        assert (
            "not served here" in fault_of(post(url, soap.envelope(soap.get(material("OK"))))).reason
        )
    assert seen == [
        "ProcessMaterialDefinition:1.2",
        "ProcessMaterialDefinition:1.1",
        "ProcessMaterialDefinition:1.1",
    ]


# -- idempotency on BODID ----------------------------------------------------------------------


def test_a_duplicate_bodid_is_answered_once_also_after_a_restart(tmp_path: Path) -> None:
    calls: list[str] = []

    def process(message: ik.B2MMLModel, context: Any) -> ik.B2MMLModel | None:
        calls.append(message.application_area.bodid.value)  # type: ignore[attr-defined]
        return None  # the default reply (a fresh BODID each time it is built)

    store = tmp_path / "erp.sqlite"
    request = soap.envelope(soap.process(material("MD-1"), bodid="BOD-42"))
    with serving(soap.SoapServer({"Process": process}, store=store)) as url:
        first = post(url, request)
        again = post(url, request)
        assert first.ok and again.content == first.content
        # the same BODID over SOAP 1.2 gets the same reply message in a 1.2 envelope
        other = soap.open_envelope(
            post(
                url,
                soap.envelope(soap.process(material("MD-1"), bodid="BOD-42"), soap="1.2"),
                "1.2",
            ).content
        )
        assert ik.write_xml(other[0]) == ik.write_xml(soap.open_envelope(first.content)[0])
        # a BODID reused for another message is refused
        assert (
            "already used"
            in fault_of(post(url, soap.envelope(soap.get(material("MD-1"), bodid="BOD-42")))).reason
        )
    assert calls == ["BOD-42"]
    with serving(soap.SoapServer({"Process": process}, store=store)) as url:  # a restart
        assert post(url, request).content == first.content
    assert calls == ["BOD-42"]


def test_concurrent_duplicates_call_the_handler_once() -> None:
    calls: list[int] = []
    gate = threading.Event()

    def process(message: ik.B2MMLModel, context: Any) -> ik.B2MMLModel | None:
        calls.append(1)
        if message.application_area.bodid.value == "BOD-RACE":  # type: ignore[attr-defined]
            gate.wait(20)  # hold the first until every duplicate waits on its BODID
        return None

    request = soap.envelope(soap.process(material("MD-1"), bodid="BOD-RACE"))
    replies: list[bytes] = []
    app = soap.SoapServer({"Process": process})
    with serving(app, threads=8) as url:
        workers = [
            threading.Thread(target=lambda: replies.append(post(url, request).content))
            for _ in range(6)
        ]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 20
        # the six requests are inside the server, one in the handler and five queued on its BODID
        while app.store._bodid_locks.get("BOD-RACE", [None, 0])[1] < 6:
            assert time.monotonic() < deadline, "the duplicates never met in the server"
            time.sleep(0.005)
        assert len(calls) == 1
        # unrelated BODIDs are not held up by the one in flight
        started = time.monotonic()
        assert post(url, soap.envelope(soap.process(material("MD-2")))).ok
        assert time.monotonic() - started < 10 and not gate.is_set()
        gate.set()
        for w in workers:
            w.join(30)
    assert len(calls) == 2 and len(replies) == 6 and len(set(replies)) == 1


# -- authentication ----------------------------------------------------------------------------


def get_md(c: zeep.Client, bodid: str) -> Any:
    return c.service.ProcessMaterialDefinition(
        ApplicationArea=area(bodid), DataArea=data_area("Process", {"ID": "MD-1"}), releaseID="7.1"
    )


@pytest.mark.parametrize("digest", [False, True])
def test_username_token_text_and_digest(digest: bool) -> None:
    with serving(soap.SoapServer(users={"mes": "s3cret"})) as url:
        ok = client(url, "1.2", wsse=UsernameToken("mes", "s3cret", use_digest=digest))
        assert get_md(ok, "a1").DataArea.MaterialDefinition[0].ID._value_1 == "MD-1"
        wrong = client(url, "1.2", wsse=UsernameToken("mes", "guess", use_digest=digest))
        with pytest.raises(zeep.exceptions.Fault) as info:
            get_md(wrong, "a2")
        assert "wrong user name or password" in info.value.message
        nobody = client(url, "1.1", wsse=UsernameToken("erp", "s3cret", use_digest=digest))
        with pytest.raises(zeep.exceptions.Fault):
            get_md(nobody, "a3")


def digest_envelope(password: str, nonce: bytes, created: str) -> bytes:
    digest = base64.b64encode(
        hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    ).decode()
    token = (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
        f"<wsse:Username>mes</wsse:Username>"
        f'<wsse:Password Type="{PROFILE}#PasswordDigest">{digest}</wsse:Password>'
        f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"
    ).encode()
    return soap.envelope(soap.process(material("MD-1")), headers=[token])


def test_nonce_replay_and_stale_created_are_refused() -> None:
    now = datetime.now(timezone.utc)
    with serving(soap.SoapServer(users={"mes": "s3cret"})) as url:
        request = digest_envelope("s3cret", os.urandom(16), now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        assert post(url, request).ok
        replay = fault_of(post(url, request))
        assert "already used" in replay.reason
        old = (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
        stale = fault_of(post(url, digest_envelope("s3cret", os.urandom(16), old)))
        assert "window" in stale.reason
        future = (now + timedelta(minutes=10)).isoformat()
        assert (
            "window"
            in fault_of(post(url, digest_envelope("s3cret", os.urandom(16), future))).reason
        )


def test_http_basic_and_the_challenge() -> None:
    with serving(soap.SoapServer(users={"mes": "s3cret"})) as url:
        body = soap.envelope(soap.process(material("MD-1")))
        assert post(url, body, auth=("mes", "s3cret")).ok
        wrong = post(url, body, auth=("mes", "nope"))
        assert wrong.status_code == 500 and "wrong user name" in fault_of(wrong).reason
        anonymous = post(url, body)
        assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith(
            "Basic"
        )
        assert "credentials required" in fault_of(anonymous).reason
        # zeep with HTTP Basic on its session
        session = requests.Session()
        session.auth = ("mes", "s3cret")
        c = zeep.Client(f"{url}?wsdl", transport=OfflineTransport(session=session))
        assert get_md(c, "b1").DataArea.MaterialDefinition[0].ID._value_1 == "MD-1"


def test_stopping_a_busy_server_does_not_kill_its_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """stop_server once closed the sockets from the calling thread under the loop's select,
    which then died with EBADF in the server thread (found by the duplicate-BODID test)."""
    died: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: died.append(args.exc_value))
    for _ in range(5):
        sessions = [requests.Session() for _ in range(3)]  # keep-alive: channels stay open
        with serving(soap.SoapServer({"Process": lambda m, c: None}), threads=4) as url:
            clients = [
                threading.Thread(
                    target=s.post,
                    args=(url,),
                    kwargs={
                        "data": soap.envelope(soap.process(material(f"MD-{i}"))),
                        "headers": {"Content-Type": soap.content_type("1.1")},
                        "timeout": 30,
                    },
                )
                for i, s in enumerate(sessions)
            ]
            for c in clients:
                c.start()
            for c in clients:
                c.join(30)
        for s in sessions:
            s.close()
    assert died == []
