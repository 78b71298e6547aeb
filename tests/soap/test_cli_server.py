"""``isa95kit soap wsdl`` and ``isa95kit soap serve`` through the real entry point: the WSDL the
command writes is the tool's, and ``serve`` in a child process answers a real client over
loopback, refuses a wrong password, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.cli import main
from isa95kit.soap import SoapClient, UsernameToken
from isa95kit.soap._wsdl import build_wsdl

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "process-work-schedule.xml"
WSDL = "http://schemas.xmlsoap.org/wsdl/"


def test_wsdl_to_stdout_is_the_built_wsdl(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["soap", "wsdl", "--address", "http://erp.example:8080/b2mml"]) == 0
    out = capsysbinary.readouterr().out
    root = etree.fromstring(out)
    assert root.tag == f"{{{WSDL}}}definitions"
    address = root.find(f".//{{{WSDL}}}port/*")
    assert address is not None and address.get("location") == "http://erp.example:8080/b2mml"
    bundle = (ROOT / "src/isa95kit/xsd/V0701/AllSchemas.xsd").resolve().as_uri()
    expected = build_wsdl("1.1", address="http://erp.example:8080/b2mml", schema_location=bundle)
    assert out == expected


def test_wsdl_soap12_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "erp.wsdl"
    assert main(["soap", "wsdl", "--soap", "1.2", "-o", str(target)]) == 0
    assert "SOAP 1.2 binding" in capsys.readouterr().err
    text = target.read_text(encoding="utf-8")
    assert "http://schemas.xmlsoap.org/wsdl/soap12/" in text
    # one operation per request/reply pair, as in the shipped file
    ops = etree.fromstring(target.read_bytes()).findall(f"{{{WSDL}}}portType/{{{WSDL}}}operation")
    assert len(ops) > 50


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc, self.url = proc, url


def _serve(tmp_path: Path, *extra: str) -> Iterator[Served]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONUNBUFFERED": "1"}
    store = tmp_path / "store.sqlite"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "isa95kit",
            "soap",
            "serve",
            "--port",
            "0",
            "--store",
            str(store),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("serving B2MML SOAP at http://127.0.0.1:"), first
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        yield Served(proc, url)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(tmp_path)


def test_serve_answers_a_client_and_stops_on_sigterm(served: Served) -> None:
    message = ik.read_xml(SAMPLE)
    with SoapClient(served.url, timeout=10, breaker=None, outbox=None) as client:
        reply = client.call(message)
    assert type(reply.message).__name__ == "AcknowledgeWorkSchedule"
    served.proc.send_signal(signal.SIGTERM)
    _, err = served.proc.communicate(timeout=20)
    assert served.proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err


def test_serve_with_a_user_refuses_a_wrong_password(tmp_path: Path) -> None:
    for served in _serve(tmp_path, "--username", "mes", "--password", "s3cret"):
        message = ik.read_xml(SAMPLE)
        wrong = UsernameToken("mes", "bad", digest=True)
        client = SoapClient(served.url, username_token=wrong, breaker=None, outbox=None)
        with client, pytest.raises(ik.SoapFaultError) as caught:
            client.call(message)
        assert "wrong user name or password" in str(caught.value)
        right = UsernameToken("mes", "s3cret", digest=True)
        with SoapClient(served.url, username_token=right, breaker=None, outbox=None) as client:
            assert type(client.call(message).message).__name__ == "AcknowledgeWorkSchedule"
        with SoapClient(served.url, auth=("mes", "s3cret"), breaker=None, outbox=None) as client:
            assert type(client.call(message).message).__name__ == "AcknowledgeWorkSchedule"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--username", "mes"], "--username and --password go together"),
        (["--port", "70000"], "bad --port"),
        (["--threads", "0"], "bad --port, --threads"),
    ],
)
def test_serve_usage_errors_exit_2(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["soap", "serve", *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
