"""The rules' issue lists are pinned: same codes, messages, lines, XPaths and order, in both
engines, as recorded in ``data/reference_issues.json`` before the rules were made
single-pass (regenerate with ``python -m tests.validation._issue_corpus`` only for an
intended change, and review the diff)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.validation._issue_corpus import PINNED, documents, issue_lists

_PINNED: dict[str, Any] = json.loads(PINNED.read_text("utf-8"))


def test_the_corpus_trips_the_heavy_rules() -> None:
    codes = {i["code"] for doc in _PINNED.values() for i in doc["tree"]}
    assert {"duplicate-id", "quantity-not-numeric", "value-not-of-datatype",
            "end-before-start", "unknown-unit", "datetime-without-timezone"} <= codes  # fmt: skip
    assert set(documents()) == set(_PINNED)


@pytest.fixture(scope="module")
def current() -> dict[str, Any]:
    return issue_lists()


@pytest.mark.parametrize("name", sorted(_PINNED))
def test_issue_lists_are_unchanged(name: str, current: dict[str, Any]) -> None:
    assert current[name] == _PINNED[name]
