"""``isa95kit convert``: format detection, both directions, files and pipes, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import isa95kit as ik
from isa95kit._json import read_json
from isa95kit.cli import main
from isa95kit.cli._convert import detect
from tests.json._canon import canonical

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "json" / "data" / "sync-work-schedule.xml"


def test_detect() -> None:
    assert detect(b'\xef\xbb\xbf  <?xml version="1.0"?>') == "xml"
    assert detect(b"\n {") == "json"
    assert detect('{"a": 1}'.encode("utf-16")) == "json"
    assert detect(b"hello") is None


def test_xml_to_json_to_xml_files(tmp_path: Path) -> None:
    js, xml = tmp_path / "out.json", tmp_path / "back.xml"
    assert main(["convert", str(SAMPLE), "-o", str(js)]) == 0
    assert read_json(js) == ik.read_xml(SAMPLE)
    assert main(["convert", str(js), "-o", str(xml)]) == 0
    assert canonical(xml.read_bytes()) == canonical(SAMPLE.read_bytes())
    assert not list(tmp_path.glob("*.partial"))


def test_same_format_and_pretty(tmp_path: Path, capsys: Any) -> None:
    assert main(["convert", str(SAMPLE), "--to", "xml", "--pretty"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<?xml") and "\n  <b2mml:ApplicationArea>" in out
    js = tmp_path / "a.json"
    assert main(["convert", str(SAMPLE), "-o", str(js)]) == 0
    assert main(["convert", str(js), "--to", "json", "--pretty"]) == 0
    pretty = capsys.readouterr().out
    assert pretty.startswith('{\n  "@xmlns:b2mml"')
    assert json.loads(pretty) == json.loads(js.read_text(encoding="utf-8"))


def test_stdin_and_stdout() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "isa95kit", "convert", "-"],
        input=SAMPLE.read_bytes(), capture_output=True, check=True, cwd=ROOT,
    )
    assert read_json(run.stdout) == ik.read_xml(SAMPLE)


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"hello", 1, "neither XML nor JSON"),
        (b"", 1, "neither XML nor JSON"),
        (b'{"JobOrder": {"Id": "J"}}', 1, "$.JobOrder.Id: unknown key 'Id'"),
        (b"<JobOrder xmlns='http://www.mesa.org/xml/B2MML'><Bogus/></JobOrder>", 1,
         "unknown element 'Bogus'"),
        (b'{"JobOrder": ', 1, "not well-formed JSON"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, capsys: Any, content: bytes, code: int,
                             words: str) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(content)
    out = tmp_path / "out"
    assert main(["convert", str(src), "-o", str(out)]) == code
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and err.startswith("isa95kit: error:")
    assert not out.exists() and not list(tmp_path.glob("*.partial"))


def test_keep_unknown(tmp_path: Path) -> None:
    src = tmp_path / "in.xml"
    src.write_bytes(b"<JobOrder xmlns='http://www.mesa.org/xml/B2MML' a='1'><ID>J</ID>"
                    b"<Bogus>x</Bogus></JobOrder>")
    js, back = tmp_path / "o.json", tmp_path / "b.xml"
    assert main(["convert", str(src), "--keep-unknown", "-o", str(js)]) == 0
    assert main(["convert", str(js), "--keep-unknown", "-o", str(back)]) == 0
    assert canonical(back.read_bytes()) == canonical(src.read_bytes())
