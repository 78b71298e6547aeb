"""Pausing the cyclic garbage collector while a large acyclic object graph is built.

The codecs and the BOM pipeline allocate hundreds of thousands of instances in one go; each
allocation burst would trigger collections that rescan everything built so far (2x the
decode time). A large build outlives the pause moved to the oldest generation
(``gc.freeze()`` + ``gc.unfreeze()``, two list splices, no scan) rather than scanned by the
first young collections after it; full collections still see it. A small build (under
:data:`PROMOTE_MIN` tracked objects, e.g. one ``from_dict`` per request) is left where the
collector would have it: promoting it would reset the youngest generation's count, and a
program calling the codecs more often than every 700 allocations would never collect its
cyclic garbage again.

Promoting also moves the application's young objects, garbage cycles among them, past the
young collections; the collector finds them at its next full collection. So that a program
whose heap never grows (no full collection of its own) does not keep them forever, the
young objects promoted are counted, and past :data:`ESCAPED_MAX` since the last full
collection one is run here: what the collector itself would have done with them.

``unfreeze`` would also release objects the *application* froze (pre-fork servers freeze
their heap so that workers share its pages), so nothing is promoted once the program has
frozen objects itself. Asking is O(size of the frozen heap) (``gc.get_freeze_count`` walks
it), so it is asked only until a freeze is seen, while asking is O(1); a lock keeps one
thread's promotion from being taken for the application's freeze by another.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["ESCAPED_MAX", "PROMOTE_MIN", "gc_paused"]

#: tracked objects built under one pause from which the build is promoted
PROMOTE_MIN = 10_000
#: young objects promoted since the last full collection past which one is run
ESCAPED_MAX = 100_000

_lock = threading.Lock()
_application_froze = False
_escaped = 0  # young objects promoted with builds since the full collection counted below
_full_collections = -1


def _may_promote() -> bool:
    global _application_froze
    if not _application_froze and gc.get_freeze_count():
        _application_froze = True  # from now on never ask again (the walk is not free)
    return not _application_froze


def _promote(young: int) -> None:
    """Move everything tracked to the oldest generation; ``young``: how many of those objects
    were the application's (younger than the build), counted towards a full collection."""
    global _escaped, _full_collections
    gc.freeze()
    gc.unfreeze()
    full = gc.get_stats()[2]["collections"]
    if full != _full_collections:  # the collector ran one itself: what escaped was seen
        _full_collections, _escaped = full, 0
    _escaped += young
    if _escaped > ESCAPED_MAX:
        gc.collect()
        _full_collections, _escaped = gc.get_stats()[2]["collections"], 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building; afterwards promote a large build (see above).

    Nested pauses, and a collector the application disabled, are left alone.
    """
    if not gc.isenabled():
        yield
        return
    gen0, gen1, _gen2 = gc.get_count()
    gc.disable()
    try:
        yield
    finally:
        built = gc.get_count()[0] - gen0
        if built >= PROMOTE_MIN:
            with _lock:
                if _may_promote():
                    # gen1 holds at most one young collection's survivors per count
                    _promote(gen0 + gen1 * gc.get_threshold()[0])
        gc.enable()
