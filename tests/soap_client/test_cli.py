"""``isa95kit soap send|describe`` and ``isa95kit outbox list|show|replay|purge``."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from isa95kit.cli import main
from isa95kit.delivery import Outbox, OutboxState

from .conftest import ROOT, SAMPLE, Answer, Partner, fault11

WCF = Path(__file__).parent / "data" / "vendor-wcf.wsdl"


def soap_cli(argv: Sequence[str]) -> int:
    """``isa95kit soap ...`` through the real entry point once ``cli/_soap.py`` (the server
    side's module, which calls ``register_soap``) is there; through ``register_soap`` alone
    before."""
    if importlib.util.find_spec("isa95kit.cli._soap") is not None:
        return main(["soap", *argv])
    from isa95kit.cli._soap_client import register_soap

    parser = argparse.ArgumentParser(prog="isa95kit soap")
    register_soap(parser.add_subparsers(dest="verb"))
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def fast(outbox: Path) -> list[str]:
    return ["--outbox", str(outbox), "--retries", "2", "--timeout", "0.3"]


def test_send_prints_reply(
    partner: Partner, outbox_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = soap_cli(["send", partner.url, str(SAMPLE), *fast(outbox_path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("<?xml") and "<AcknowledgeWorkSchedule" in out
    assert "delivered BODID 8d3c1f2e-71a4-4c55-9a3e-2c0b7d9e4f10 in 1 attempt" in err


def test_send_with_username_digest_to_file(
    partner: Partner, outbox_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reply.xml"
    code = soap_cli(
        [
            *("send", partner.url, str(SAMPLE), *fast(outbox_path), "--soap", "1.1"),
            *("--username", "mes", "--password", "pw", "--digest", "-o", str(out)),
        ]
    )
    assert code == 0 and b"AcknowledgeWorkSchedule" in out.read_bytes()
    assert b"#PasswordDigest" in partner.requests[0].body


def test_send_fault_exit_1(
    partner: Partner, outbox_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partner.answers = [Answer(500, fault11("Client", "unknown work schedule"))]
    assert soap_cli(["send", partner.url, str(SAMPLE), *fast(outbox_path)]) == 1
    err = capsys.readouterr().err
    assert "SOAP Fault Client: unknown work schedule" in err and "Traceback" not in err


def test_send_transport_failure_exit_3_then_replay(
    partner: Partner, outbox_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partner.answers = [Answer(503, b"down")]
    assert soap_cli(["send", partner.url, str(SAMPLE), *fast(outbox_path)]) == 3
    err = capsys.readouterr().err
    assert "transport failure" in err and len(partner.requests) == 3
    assert "isa95kit: BODID 8d3c1f2e-71a4-4c55-9a3e-2c0b7d9e4f10: attempt 1 failed" in err
    assert "Traceback" not in err and "gave up" not in err  # the outcome is printed once
    with Outbox(outbox_path) as box:
        (entry,) = box.entries()
    assert entry.state is OutboxState.DEAD and "HTTP 503" in (entry.last_error or "")
    # the outbox command sees it, shows it, and replays it with the same BODID
    assert main(["outbox", "list", "--outbox", str(outbox_path)]) == 0
    listed = capsys.readouterr()
    assert "dead" in listed.out and entry.bodid in listed.out and "HTTP 503" in listed.out
    assert main(["outbox", "show", str(entry.id), "--outbox", str(outbox_path)]) == 0
    shown = capsys.readouterr().out
    assert "state:      dead" in shown and "<ProcessWorkSchedule" in shown
    partner.answers = [Answer()]
    partner.requests.clear()
    assert main(["outbox", "replay", "--outbox", str(outbox_path)]) == 0
    assert "delivered" in capsys.readouterr().out
    assert [r.bodid for r in partner.requests] == [entry.bodid]
    assert main(["outbox", "replay", "--outbox", str(outbox_path)]) == 0  # nothing left
    assert len(partner.requests) == 1
    assert main(["outbox", "purge", "--outbox", str(outbox_path)]) == 0
    with Outbox(outbox_path) as box:
        assert len(box) == 0


def test_usage_and_io_errors_exit_2(
    partner: Partner, outbox_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nope.xml")
    assert soap_cli(["send", partner.url, missing, *fast(outbox_path)]) == 2
    assert "nope.xml" in capsys.readouterr().err
    assert soap_cli(["send", partner.url, str(SAMPLE), "--operation", "X", *fast(outbox_path)]) == 2
    assert soap_cli(["send", partner.url, str(SAMPLE), "--username", "u", *fast(outbox_path)]) == 2
    assert "needs --password" in capsys.readouterr().err
    assert main(["outbox", "show", "42", "--outbox", str(outbox_path)]) == 1
    assert "no outbox entry 42" in capsys.readouterr().err


def test_describe(capsys: pytest.CaptureFixture[str]) -> None:
    assert soap_cli(["describe", str(WCF)]) == 0
    out = capsys.readouterr().out
    assert "SubmitSchedule" in out and "shape B element" in out and "no B2MML slot" in out


def test_send_through_wsdl(partner: Partner, outbox_path: Path) -> None:
    from .test_thirdparty import wcf_reply

    partner.respond = wcf_reply
    code = soap_cli(
        [
            *("send", partner.url, str(SAMPLE), "--wsdl", str(WCF)),
            *("--operation", "SubmitSchedule", *fast(outbox_path)),
        ]
    )
    assert code == 0
    assert partner.requests[0].headers["SOAPAction"].endswith('/SubmitSchedule"')


def test_outbox_command_in_a_subprocess(outbox_path: Path) -> None:
    with Outbox(outbox_path) as box:
        box.add(b"<m/>", bodid="B-SUB", endpoint="http://127.0.0.1:9/x")
    proc = subprocess.run(
        [sys.executable, "-m", "isa95kit", "outbox", "list", "--outbox", str(outbox_path)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "B-SUB" in proc.stdout and "pending" in proc.stdout
