"""``isa95kit bom transform``: exit 0 ok, 1 invariant failures, 2 usage / I/O / input errors;
nothing written on failure; other modules can add ``bom`` actions."""

from __future__ import annotations

import importlib.machinery
import json
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from isa95kit.cli import _bom, main

from .conftest import ROUTING

ROWS = """
,PUMP,1,EA,,make,,,,,C
PUMP,SCREW,8,EA,10,buy,OP30,,,,
PUMP,OLD,1,EA,20,buy,OP30,,,2025-01-01,
PUMP,KIT,1,EA,30,phantom,OP20,,,,
KIT,SEAL,2,EA,10,buy,,,,,
"""


@pytest.fixture
def files(ebom_csv: Callable[[str], Path], write: Callable[[str, str], Path]) -> tuple[Path, Path]:
    return ebom_csv(ROWS), write("routing.csv", ROUTING)


def test_transform_xml_ok(
    files: tuple[Path, Path], tmp_path: Path, v0701: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ebom, routing = files
    out = tmp_path / "mbom.xml"
    prov = tmp_path / "prov.json"
    code = main(
        ["bom", "transform", str(ebom), "--routing", str(routing), "--at", "2026-06-01",
         "-o", str(out), "--provenance", str(prov)]
    )  # fmt: skip
    assert code == 0
    schema = etree.XMLSchema(etree.parse(str(v0701 / "AllSchemas.xsd")))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    assert doc.getroot().tag.endswith("ProcessOperationsDefinitionInformation")
    err = capsys.readouterr().err
    assert "left out (effectivity): PUMP > OLD" in err and "2 lines in 3 operations" in err
    assert json.loads(prov.read_text())["phantoms"] == [["PUMP", "KIT"]]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_transform_to_stdout(
    files: tuple[Path, Path], fmt: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    ebom, routing = files
    code = main(["bom", "transform", str(ebom), "--routing", str(routing), "--format", fmt])
    assert code == 0
    out = capsysbinary.readouterr().out.decode()
    if fmt == "csv":
        assert "OP20,20,OP20-SEAL,SEAL,,2.000000,EA,2,consumed" in out
    else:
        assert [line["material"] for line in json.loads(out)["lines"]] == ["SEAL", "SCREW"]


def test_bad_input_exits_2_and_writes_nothing(
    ebom_csv: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ebom = ebom_csv("PUMP,SCREW,8,BOGUS")
    out = tmp_path / "mbom.xml"
    assert main(["bom", "transform", str(ebom), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{ebom}:2:4: column unit: unknown unit 'BOGUS'" in err
    assert "Traceback" not in err and not out.exists()


def test_missing_file_and_bad_date_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bom", "transform", str(tmp_path / "nope.csv")]) == 2
    assert main(["bom", "transform", "x.csv", "--at", "June"]) == 2
    assert "not a date" in capsys.readouterr().err


def test_invariant_failure_exits_1_and_writes_nothing_unless_forced(
    ebom_csv: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ebom = ebom_csv("PUMP,SCREW,8,EA,10,buy,OP10\nPUMP,NUT,8,EA")  # NUT has no operation
    out = tmp_path / "mbom.csv"
    args = ["bom", "transform", str(ebom), "--format", "csv", "-o", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "invariant unassigned: NUT has no operation" in err and not out.exists()
    assert main([*args, "--force"]) == 1
    assert "UNASSIGNED-NUT" in out.read_text()


def test_rules_file_from_the_cli(
    files: tuple[Path, Path],
    write: Callable[[str, str], Path],
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    ebom, routing = files
    rules = write(
        "rules.toml",
        '[[regroup]]\nmaterial = "SEAL"\noperation = "OP10"\n\n[rounding]\nplaces = 1\n',
    )
    args = ["bom", "transform", str(ebom), "--routing", str(routing), "--rules", str(rules)]
    assert main([*args, "--format", "csv"]) == 0
    assert "OP10,10,OP10-SEAL,SEAL,,2.0,EA" in capsysbinary.readouterr().out.decode()


def test_bad_rules_exit_2(
    files: tuple[Path, Path], write: Callable[[str, str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ebom, _ = files
    rules = write("rules.toml", '[[split]]\nmaterial = "SEAL"\nshares = { OP10 = "1/2" }\n')
    assert main(["bom", "transform", str(ebom), "--rules", str(rules)]) == 2
    assert "split[0].shares" in capsys.readouterr().err


def test_other_modules_add_bom_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    name = "isa95kit.cli._bom_eco"
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    seen: list[Any] = []

    def register_bom(actions: Any) -> None:
        seen.append(actions)
        actions.add_parser("eco", help="apply an ECO").set_defaults(func=lambda args: 0)

    module.register_bom = register_bom  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    assert main(["bom", "eco"]) == 0 and seen
    assert _bom._EXTENSIONS == ("_bom_reconcile", "_bom_eco")
