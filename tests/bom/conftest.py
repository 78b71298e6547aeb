"""Helpers for the BOM tests: write small CSV / rules files in a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = (
    "parent,child,quantity,unit,find_number,type,operation,scrap_percent,"
    "effective_from,effective_to,revision"
)
ROUTING = """operation,sequence,description,work_center,duration
OP10,10,Machine,WC-CNC,PT12M
OP20,20,Sub-assembly,WC-ASM,PT5M
OP30,30,Final assembly,WC-ASM,PT20M
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def ebom_csv(write: Callable[[str, str], Path]) -> Callable[[str], Path]:
    """An E-BOM CSV from rows (the default header is prepended)."""

    def _csv(rows: str) -> Path:
        return write("ebom.csv", HEADER + "\n" + rows.strip() + "\n")

    return _csv
