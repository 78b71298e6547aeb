"""The codecs' GC pause (isa95kit._gc): a large build is promoted, a small one left to the
young collections (cyclic garbage of a program calling the codecs per request is still
collected), young objects promoted with builds lead to a full collection, an application's
own freeze is kept, and asking whether there is one does not walk the frozen heap per call."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

import isa95kit as ik
from isa95kit import _gc
from isa95kit.model import JobOrder

DOC = ik.write_xml(JobOrder(id="JO-1", description=["fill"]), element="JobOrder")
#: a document whose decoding builds more than PROMOTE_MIN tracked objects
BIG = ik.write_xml(
    JobOrder(
        id="JO-BIG",
        material_requirement=[{"id": f"M{i}", "material_use": "Consumed"} for i in range(1500)],
    ),
    element="JobOrder",
)


class Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def fresh_flag(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """A process that has not seen a freeze yet; counts the calls of get_freeze_count."""
    monkeypatch.setattr(_gc, "_application_froze", False)
    calls: list[int] = []
    real = gc.get_freeze_count

    def counting() -> int:
        n = real()
        calls.append(n)
        return n

    monkeypatch.setattr(_gc.gc, "get_freeze_count", counting)
    yield calls


def test_a_large_build_is_promoted_and_the_collector_restored(fresh_flag: list[int]) -> None:
    assert gc.get_freeze_count() == 0
    obj = ik.read_xml(BIG)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # freeze + unfreeze: nothing stays frozen
    assert gc.get_count()[0] < 50  # moved out of the youngest generation, not left there
    assert obj.id == "JO-BIG"
    assert fresh_flag and set(fresh_flag) == {0}  # asked once per pause, nothing frozen


def test_a_small_build_is_left_to_the_young_collections(fresh_flag: list[int]) -> None:
    gc.collect()
    before = gc.get_count()[0]
    obj = ik.read_xml(DOC)
    assert gc.get_count()[0] > before  # not reset: the young collections still come
    assert fresh_flag == []  # nothing promoted, nothing asked
    assert obj.id == "JO-1"


def test_cyclic_garbage_of_a_program_calling_the_codecs_per_request_is_collected() -> None:
    """Promoting every call reset the youngest generation's count: 20,000 calls, each
    after one garbage cycle, ran no collection at all and kept every cycle."""
    data = ik.to_dict(JobOrder(id="JO-2"))
    gc.collect()
    young = gc.get_stats()[0]["collections"]
    refs = []
    for i in range(3000):
        refs.append(weakref.ref(Cycle()))
        ik.from_dict(data)
        if i % 2:
            ik.read_xml(DOC)
    assert gc.get_stats()[0]["collections"] > young
    alive = sum(r() is not None for r in refs)
    assert alive < 1000, f"{alive} of 3000 garbage cycles never collected"


def test_young_garbage_promoted_with_builds_leads_to_a_full_collection(
    fresh_flag: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_gc, "ESCAPED_MAX", 0)
    gc.collect()
    ref = weakref.ref(Cycle())  # young garbage when the build starts
    full = gc.get_stats()[2]["collections"]
    ik.read_xml(BIG)
    assert ref() is None
    assert gc.get_stats()[2]["collections"] == full + 1


def test_a_disabled_collector_stays_disabled(fresh_flag: list[int]) -> None:
    gc.disable()
    try:
        ik.read_xml(DOC)
        assert not gc.isenabled()
        assert fresh_flag == []  # nothing paused, nothing asked
    finally:
        gc.enable()


def test_nested_pauses_promote_once(fresh_flag: list[int]) -> None:
    with _gc.gc_paused():
        with _gc.gc_paused():
            built = [[] for _ in range(2 * _gc.PROMOTE_MIN)]
        assert not gc.isenabled()
    assert gc.isenabled()
    assert len(fresh_flag) == 1
    assert len(built) == 2 * _gc.PROMOTE_MIN


def test_an_application_freeze_is_kept_and_asked_about_once(fresh_flag: list[int]) -> None:
    gc.collect()
    gc.freeze()  # what a pre-fork server does before forking its workers
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        fresh_flag.clear()
        for _ in range(5):
            ik.read_xml(BIG)
            ik.from_dict(ik.to_dict(ik.read_xml(BIG)))
        # the walk over the frozen heap (O(its size)) happened once, not per call
        assert fresh_flag == [frozen]
        assert gc.get_freeze_count() >= frozen  # never unfrozen by the codecs
    finally:
        gc.unfreeze()
