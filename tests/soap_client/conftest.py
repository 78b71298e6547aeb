"""A SOAP partner that is not ours: a small ``http.server`` on 127.0.0.1 whose answers the
test scripts (status, headers, body, delay), recording every request it receives."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

import isa95kit as ik

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "process-work-schedule.xml"
DATA = Path(__file__).parent / "data"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
B2MML = "http://www.mesa.org/xml/B2MML"


@dataclass
class Answer:
    status: int = 200
    body: bytes | None = None  # None: an AcknowledgeWorkSchedule echoing the BODID
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def root(self) -> etree._Element:
        return etree.fromstring(self.body)

    @property
    def bodid(self) -> str | None:
        found = self.root.find(f".//{{{B2MML}}}ApplicationArea/{{{B2MML}}}BODID")
        return None if found is None else found.text


def ack_for(request_body: bytes, soap_ns: str = SOAP11) -> bytes:
    """An AcknowledgeWorkSchedule envelope answering the ProcessWorkSchedule in the body."""
    root = etree.fromstring(request_body)
    bodid = root.findtext(f".//{{{B2MML}}}BODID") or "?"
    ws = root.findtext(f".//{{{B2MML}}}WorkSchedule/{{{B2MML}}}ID") or "WS"
    return (
        f'<s:Envelope xmlns:s="{soap_ns}"><s:Body>'
        f'<AcknowledgeWorkSchedule xmlns="{B2MML}" releaseID="V0701"><ApplicationArea>'
        f"<CreationDateTime>2026-11-23T06:00:00Z</CreationDateTime><BODID>ack-{bodid}</BODID>"
        f"</ApplicationArea><DataArea><Acknowledge/><WorkSchedule><ID>{ws}</ID><WorkRequest><ID>WR-ACK</ID><JobOrder><ID>JO-ACK</ID></JobOrder></WorkRequest></WorkSchedule>"
        f"</DataArea></AcknowledgeWorkSchedule></s:Body></s:Envelope>"
    ).encode()


def fault11(code: str, reason: str) -> bytes:
    return (
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><s:Fault><faultcode>s:{code}</faultcode>'
        f"<faultstring>{reason}</faultstring></s:Fault></s:Body></s:Envelope>"
    ).encode()


class Partner:
    """The scripted server: ``answers`` are used in order, the last one repeats;
    ``respond`` (if set) computes the answer from the request instead."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.answers: list[Answer] = [Answer()]
        self.respond: Callable[[Request], Answer] | None = None
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        partner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                req = Request(self.path, dict(self.headers), self.rfile.read(length), time.time())
                with partner._lock:
                    partner.requests.append(req)
                    if partner.respond is not None:
                        answer = partner.respond(req)
                    else:
                        n = len(partner.requests) - 1
                        answer = partner.answers[min(n, len(partner.answers) - 1)]
                if answer.delay:
                    time.sleep(answer.delay)
                body = answer.body if answer.body is not None else ack_for(req.body)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", 'text/xml; charset="utf-8"')
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/erp/soap"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Partner:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partner() -> Iterator[Partner]:
    with Partner() as p:
        yield p


@pytest.fixture
def schedule() -> ik.B2MMLModel:
    return ik.read_xml(SAMPLE)


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "outbox.sqlite"
