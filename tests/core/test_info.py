"""``isa95kit info`` and ``isa95kit.summarize``: wrappers, fallback, names, paths."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from isa95kit.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "data" / "process-work-schedule.xml"
V0600 = """<ProductionSchedule xmlns="http://www.mesa.org/xml/B2MML-V0600">
  <ID>PS-1</ID><ProductionRequest><ID>PR-1</ID></ProductionRequest>
</ProductionSchedule>"""
SOAP = (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    + V0600
    + "</s:Body></s:Envelope>"
)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_b2mml_inside_soap_envelope(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "soap.xml"
    f.write_text(SOAP)
    code, out, _ = _run(capsys, "info", "--json", str(f))
    data = json.loads(out)
    assert code == 0
    assert data["version"] == "V0600" and data["wrapper"] == "Envelope"
    assert data["root"] == "ProductionSchedule"
    assert data["ids"] == {"ProductionSchedule": ["PS-1"], "ProductionRequest": ["PR-1"]}


def test_bad_enum_falls_back_to_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.xml"
    f.write_text(EXAMPLE.read_text().replace("<ScheduleState>Released", "<ScheduleState>Bogus"))
    code, out, err = _run(capsys, "info", "--json", str(f))
    data = json.loads(out)
    assert code == 1
    assert data["typed"] is False and "Bogus" in data["typed_error"]
    assert data["counts"]["JobOrder"] == 2
    assert len(err.strip().splitlines()) == 1 and "typed read failed" in err


@pytest.mark.parametrize("fmt", ["--json", "text"])
def test_entities_named_by_element(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["info", str(EXAMPLE)] + (["--json"] if fmt == "--json" else [])
    code, out, _ = _run(capsys, *args)
    assert code == 0
    assert "MaterialRequirement" in out and "OpMaterialRequirement" not in out


def test_max_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "info", "--max-ids", "0", str(EXAMPLE))
    assert code == 0 and "MR-10" not in out and "..." not in out and "JobOrder" in out
    code, out, err = _run(capsys, "info", "--max-ids", "-1", str(EXAMPLE))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str],
               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    (tmp_path / "b.xml").write_text(V0600)
    (tmp_path / "a.xml").write_bytes(EXAMPLE.read_bytes())
    code, out, _ = _run(capsys, "info", "--json", str(tmp_path))
    assert code == 0 and [d["file"] for d in json.loads(out)] == [
        str(tmp_path / "a.xml"),
        str(tmp_path / "b.xml"),
    ]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(V0600.encode())))
    code, out, _ = _run(capsys, "info", "-")
    assert code == 0 and "V0600" in out
    code, out, err = _run(capsys, "info", str(tmp_path / "missing.xml"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    (tmp_path / "empty.xml").write_bytes(b"")
    code, out, err = _run(capsys, "info", str(tmp_path / "empty.xml"))
    assert code == 1 and "empty" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_broken_pipe_no_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    big = tmp_path / "big.xml"
    rows = "".join(f"<JobOrder><ID>JO-{i:06d}</ID></JobOrder>" for i in range(20000))
    big.write_text(f'<WorkSchedule xmlns="http://www.mesa.org/xml/B2MML-V0600"><ID>W</ID>'
                   f"<WorkRequest><ID>R</ID>{rows}</WorkRequest></WorkSchedule>")  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "isa95kit", "info", "--max-ids", "100000", str(big), str(big)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like ``| head -1``
    err = proc.stderr.read().decode()
    assert proc.wait() == 0
    assert "Traceback" not in err and "Broken pipe" not in err and err == ""


def test_b2mml_inside_mtconnect_assets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "assets.xml"
    f.write_text(
        '<MTConnectAssets xmlns="urn:mtconnect.org:MTConnectAssets:2.0"><Assets>'
        f"<CuttingTool>{V0600}</CuttingTool></Assets></MTConnectAssets>"
    )
    code, out, _ = _run(capsys, "info", str(f))
    assert code == 0
    assert "wrapper:   MTConnectAssets" in out and "V0600" in out and "not B2MML" not in out


@pytest.mark.parametrize("command", ["info", "validate", "convert"])
def test_stdin_and_empty_files_mean_the_same_in_every_command(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """One table of exit codes: stdin is read by every command, an empty file is bad
    content (1) everywhere, an unreadable one an I/O error (2)."""
    sample = Path(__file__).parents[2] / "examples" / "data" / "process-work-schedule.xml"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(sample.read_bytes())))
    code, out, err = _run(capsys, command, "-")
    assert code == 0, err
    assert out
    (tmp_path / "empty.xml").write_bytes(b"")
    code, _, err = _run(capsys, command, str(tmp_path / "empty.xml"))
    assert code == 1 and "Traceback" not in err
    code, _, err = _run(capsys, command, str(tmp_path / "missing.xml"))
    assert code == 2 and "Traceback" not in err


def test_validate_stdin_is_one_document_and_keeps_its_format(
    capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    dtd = b'<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://evil.example/x.dtd">\n<x/>'
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(dtd)))
    code, out, _ = _run(capsys, "validate", "--format", "json", "-")
    assert code == 1
    assert json.loads(out)["files"][0]["issues"][0]["code"] == "hostile-input"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(dtd)))
    code, out, _ = _run(capsys, "validate", "--format", "jsonl", "-")
    first, last = (json.loads(line) for line in out.splitlines())
    # the line of a file is the one a batch run writes
    assert (first["file"], first["verdict"], first["index"]) == ("<stdin>", "invalid", 0)
    assert first["report"]["issues"][0]["code"] == "hostile-input"
    assert code == 1 and last == {"valid": False}
    code, _, err = _run(capsys, "validate", "-", "other.xml")
    assert code == 2 and "single document" in err
