"""The rules file: every section of docs/bom.md's example parses; errors name the key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, ROUND_UP
from fractions import Fraction as F
from pathlib import Path

import pytest

from isa95kit import bom
from isa95kit.bom import ItemType
from isa95kit.errors import BomTransformError

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "bom.md").read_text(encoding="utf-8")


def _block(lang: str, containing: str) -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", DOC, flags=re.S)
    return next(b for b in blocks if containing in b)


def test_the_documented_rules_file(write: Callable[[str, str], Path]) -> None:
    rules = bom.load_rules(write("rules.toml", _block("toml", "[[split]]")))
    assert rules.product == "PUMP-P100" and rules.default_operation == "OP30"
    assert rules.column("quantity") == "Qty" and rules.column("unit") == "unit"
    assert rules.routing_column("operation") == "Op"
    assert rules.at == dt.date(2026, 10, 1) and rules.serial == "SN-1000"
    assert rules.ecos == frozenset({"ECO-2026-117"})
    assert rules.materials["SCREW-M8"].unit == "EA"
    assert rules.materials["SCREW-M8"].factors == ("1 BX = 100 EA",)
    assert rules.rounding.default.places == 4 and rules.rounding.default.mode == ROUND_HALF_UP
    assert (
        rules.rounding.for_unit("EA").places == 0 and rules.rounding.for_unit("EA").mode == ROUND_UP
    )
    assert rules.classify[0].type is ItemType.REFERENCE
    assert rules.scrap[0].scrap == F(1, 25)
    assert rules.regroup[0].match.under == "IMPELLER-KIT"
    assert rules.split[0].shares == (("OP20", F(1, 3)), ("OP30", F(2, 3)))
    assert rules.assign[0].match.type is ItemType.BUY
    assert rules.add[0].quantity == 1 and rules.add[0].use == "Consumable"


def test_json_rules_are_the_same(write: Callable[[str, str], Path]) -> None:
    path = write(
        "rules.json", '{"rounding": {"places": 2}, "scrap": [{"material": "X", "scrap": 0.05}]}'
    )
    rules = bom.load_rules(path)
    assert rules.rounding.default.places == 2 and rules.scrap[0].scrap == F(1, 20)


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({"colums": {}}, "colums", "unknown rules section"),
        ({"columns": {"qty": "Q"}}, "columns.qty", "unknown column"),
        (
            {"split": [{"material": "X", "shares": {"OP10": "1/2", "OP20": "1/3"}}]},
            "split[0].shares",
            "sum to exactly 1",
        ),
        ({"scrap": [{"material": "X", "yield": "1.2"}]}, "scrap[0]", "scrap must be in"),
        ({"scrap": [{"material": "X", "scrap": "0.1", "yield": "0.9"}]}, "scrap[0]", "exactly one"),
        ({"add": [{"material": "X", "quantity": "1", "unit": "BOGUS"}]}, "add[0].unit", "BOGUS"),
        ({"add": [{"material": "X", "quantity": 0.5, "unit": "EA"}]}, "add[0].quantity", "float"),
        ({"rounding": {"mode": "sideways"}}, "rounding.mode", "unknown rounding mode"),
        ({"classify": [{"material": "X"}]}, "classify[0].set_type", "needs set_type"),
        ({"assign": [{"material": "X"}]}, "assign[0].operation", "needs an operation"),
        ({"effectivity": {"at": "tomorrow"}}, "effectivity.at", "not a date"),
        ({"explode": "some"}, "explode", "must be one of"),
    ],
)
def test_rule_errors_name_the_key(data: dict[str, object], key: str, message: str) -> None:
    with pytest.raises(BomTransformError, match=message) as info:
        bom.load_rules(data)
    assert info.value.path == key


def test_bad_toml_names_the_file(write: Callable[[str, str], Path]) -> None:
    path = write("rules.toml", "[rounding\nplaces = 2\n")
    with pytest.raises(BomTransformError, match="not valid TOML") as info:
        bom.load_rules(path)
    assert info.value.file == str(path)


def test_the_documented_python_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(_block("python", "bom.transform"), "docs/bom.md", "exec"), {})
    assert "OP30 SEAL-NEW 1.0000 EA" in capsys.readouterr().out
