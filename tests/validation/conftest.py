"""Fixtures of the validation tests (helpers live in ``_support``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.validation._support import Example, read_manifest


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def manifest(examples_dir: Path) -> list[Example]:
    return read_manifest(examples_dir)
