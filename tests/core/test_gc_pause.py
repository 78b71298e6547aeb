"""The codecs' GC pause (isa95kit._gc): what was built is promoted, an application's own
freeze is kept, and asking whether there is one does not walk the frozen heap per call."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import isa95kit as ik
from isa95kit import _gc
from isa95kit.model import JobOrder

DOC = ik.write_xml(JobOrder(id="JO-1", description=["fill"]), element="JobOrder")


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


def test_built_objects_are_promoted_and_the_collector_restored(fresh_flag: list[int]) -> None:
    assert gc.get_freeze_count() == 0
    obj = ik.read_xml(DOC)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # freeze + unfreeze: nothing stays frozen
    assert gc.get_count()[0] < 50  # moved out of the youngest generation, not left there
    assert obj.id == "JO-1"


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
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    assert len(fresh_flag) == 1


def test_an_application_freeze_is_kept_and_asked_about_once(fresh_flag: list[int]) -> None:
    gc.collect()
    gc.freeze()  # what a pre-fork server does before forking its workers
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        fresh_flag.clear()
        for _ in range(20):
            ik.read_xml(DOC)
            ik.from_dict(ik.to_dict(JobOrder(id="JO-2")))
        # the walk over the frozen heap (O(its size)) happened once, not per call
        assert fresh_flag == [frozen]
        assert gc.get_freeze_count() >= frozen  # never unfrozen by the codecs
    finally:
        gc.unfreeze()
