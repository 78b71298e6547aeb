"""The transform pauses the cyclic collector and hands a large long-lived result straight to
the oldest generation (a small one is left to the young collections); the caller's collector
state, and objects it froze, are left alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from fractions import Fraction as F

import pytest

from isa95kit import bom
from isa95kit.bom import Bom, ItemType, Occurrence, Operation, Part


def small() -> Bom:
    parts = {
        "P": Part("P", "EA", ItemType.MAKE),
        "K": Part("K", "EA", ItemType.PHANTOM),
        "B": Part("B", "EA"),
        "C": Part("C", "KGM"),
    }
    occurrences = [
        Occurrence("P", "K", F(2), "EA", operation="OP10"),
        Occurrence("K", "B", F(3), "EA", scrap=F(1, 20)),
        Occurrence("P", "C", F(250), "GRM", operation="OP20"),
    ]
    return Bom(parts, occurrences, [Operation("OP10", 10), Operation("OP20", 20)], root="P")


def large(n: int = 3000) -> Bom:
    parts = {"P": Part("P", "EA", ItemType.MAKE)}
    parts.update({f"C{i}": Part(f"C{i}", "EA") for i in range(n)})
    occurrences = [Occurrence("P", f"C{i}", F(i + 1), "EA", operation="OP10") for i in range(n)]
    return Bom(parts, occurrences, [Operation("OP10", 10)], root="P")


@pytest.fixture
def collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def test_a_large_result_in_the_oldest_generation(collector: None) -> None:
    gc.enable()
    mbom = bom.transform(large())
    assert gc.isenabled()
    young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
    tracked = [mbom, *mbom.lines, *(p for line in mbom.lines for p in line.provenance)]
    assert not any(obj is t for obj in young for t in tracked)
    assert any(obj is mbom for obj in gc.get_objects(generation=2))
    assert mbom.totals()["C2999"] == 3000


def test_a_small_result_is_left_to_the_young_collections(collector: None) -> None:
    gc.enable()
    gc.collect()
    mbom = bom.transform(small())
    young = gc.get_objects(generation=0)
    assert any(obj is mbom for obj in young)
    assert mbom.totals() == {"B": F(6) / F(19, 20), "C": F(1, 4)}


def test_disabled_collector_stays_disabled(collector: None) -> None:
    gc.disable()
    bom.transform(small())
    assert not gc.isenabled()


def test_objects_the_caller_froze_stay_frozen(collector: None) -> None:
    gc.enable()
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    bom.transform(small())
    assert gc.get_freeze_count() == frozen
    assert gc.isenabled()
