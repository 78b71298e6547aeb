"""``isa95kit units convert`` and ``isa95kit units show``."""

from __future__ import annotations

import json

import pytest

from isa95kit.cli import main


def test_convert_with_factor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "convert", "3", "BX", "EA", "--factor", "BX=12EA"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "36 EA"
    assert err == ""  # BX is a packaging code (UN/ECE Rec 21): everyday use, no warning


def test_a_deleted_code_is_reported_once_per_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "convert", "3", "PCE", "PCE"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "3 H87"
    assert err.count("isa95kit: warning: unit PCE (piece) is deleted") == 1


def test_hints_use_the_command_line_syntax(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "convert", "3", "BX", "EA"]) == 1
    err = capsys.readouterr().err
    assert "--factor BX=<n>EA" in err and "material=" not in err


def test_convert_chain_and_rounding(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["units", "convert", "2", "PF", "DZN", "--factor", "PF=40BX", "--factor", "BX=12EA"]
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == "80 DZN"
    assert main(["units", "convert", "1", "kg", "lb", "--places", "3", "--mode", "down"]) == 0
    assert capsys.readouterr().out.strip() == "2.204 LBR"
    assert main(["units", "convert", "10", "CEL", "FAH", "--delta"]) == 0
    assert capsys.readouterr().out.strip() == "18.0 FAH"


def test_convert_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "convert", "1", "KGM", "LTR"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("isa95kit: error: cannot convert KGM") and "Traceback" not in err
    assert main(["units", "convert", "1", "KGM", "LBR"]) == 1
    assert "not a finite decimal" in capsys.readouterr().err
    assert main(["units", "convert", "1", "NOPE", "KGM"]) == 1
    assert "unknown unit 'NOPE'" in capsys.readouterr().err
    assert main(["units", "convert", "nan", "KGM", "GRM"]) == 1


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["units", "show", "KGM"]) == 0
    out = capsys.readouterr().out
    assert "kilogram" in out and "mass" in out and "active" in out
    assert main(["units", "show", "LBR", "E18", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["factor"] == "0.45359237"
    assert data[1]["factor"] == "5/18" and data[1]["factor_source"] == "refined"
    assert main(["units", "show", "PCE"]) == 0
    captured = capsys.readouterr()
    assert "H87" in captured.out and "deleted" in captured.err
