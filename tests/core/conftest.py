"""Fixtures of the core codec tests: the official V0701 schema, compiled once."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree


@pytest.fixture(scope="session")
def official_schema(v0701: Path) -> etree.XMLSchema:
    """lxml ``XMLSchema`` of the official ``AllSchemas.xsd`` (compiled once per session)."""
    return etree.XMLSchema(etree.parse(str(v0701 / "AllSchemas.xsd")))
