"""Shared test configuration: the reference data in the repository and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
#: MESA's official B2MML releases, as published (``xsd/V0401`` ... ``xsd/V0701``)
RELEASES = ROOT / "xsd"
#: real third-party B2MML documents with their MANIFEST.tsv and licence notes
EXAMPLES = ROOT / "tests" / "data" / "reference"
#: UN/ECE Recommendation 20, the input of tools/gen_units.py
REC20 = ROOT / "tools" / "data" / "unece-rec20"

settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
# tools/fuzz.py: long fuzzing runs
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("ISA95KIT_FUZZ_EXAMPLES", "20000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def releases() -> Path:
    """``xsd/``: MESA's official releases, one folder each (``releases / "V0701"``)."""
    return RELEASES


@pytest.fixture(scope="session")
def v0701() -> Path:
    """The official B2MML V0701 release directory (``xsd/V0701``)."""
    return RELEASES / "V0701"
