"""The tree engine's speed work changes no result: the issue lists (code, severity, message,
line, column, XPath, hint, in ``iter_issues`` order) and the reports of the documents in
``_speed_corpus`` are those recorded in ``data/speed_issues.json`` before it, in both engines
(regenerate with ``python -m tests.validation._speed_corpus`` only for an intended change)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.validation._speed_corpus import PINNED, documents, reports

_PINNED: dict[str, Any] = json.loads(PINNED.read_text("utf-8"))


def test_the_corpus_is_the_pinned_one() -> None:
    assert set(documents()) == set(_PINNED)
    codes = {i["code"] for doc in _PINNED.values() for i in doc["tree"]["issues"]}
    assert {"duplicate-id", "quantity-not-numeric", "value-not-of-datatype",
            "empty-required-value", "version-mismatch"} <= codes  # fmt: skip
    assert {doc["tree"]["report"]["version"] for doc in _PINNED.values()} >= {"V0700", "V0701"}


@pytest.fixture(scope="module")
def current() -> dict[str, Any]:
    return reports()


@pytest.mark.parametrize("name", sorted(_PINNED))
def test_reports_are_unchanged(name: str, current: dict[str, Any]) -> None:
    assert current[name] == _PINNED[name]
