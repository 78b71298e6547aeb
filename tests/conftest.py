"""Shared test configuration: the reference data beside the checkout and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ISA95KIT_SHARED", ROOT.parent / "shared")).resolve()
B2MML = SHARED / "b2mml"
EXAMPLES = B2MML / "examples"

settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared``: official schemas, examples, UN/ECE Rec 20 (read-only reference data)."""
    if not SHARED.is_dir():
        pytest.fail(f"reference data not found at {SHARED} (set ISA95KIT_SHARED)")
    return SHARED
