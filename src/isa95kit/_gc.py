"""Pausing the cyclic garbage collector while a large acyclic object graph is built.

The codecs and the BOM pipeline allocate hundreds of thousands of instances in one go; each
allocation burst would trigger collections that rescan everything built so far (2x the
decode time). What was built outlives the pause: it is moved to the oldest generation
(``gc.freeze()`` + ``gc.unfreeze()``, two list splices, no scan) rather than scanned by the
first young collections after it; full collections still see it.

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

__all__ = ["gc_paused"]

_lock = threading.Lock()
_application_froze = False


def _may_promote() -> bool:
    global _application_froze
    if not _application_froze and gc.get_freeze_count():
        _application_froze = True  # from now on never ask again (the walk is not free)
    return not _application_froze


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building; afterwards promote what was built (see above).

    Nested pauses, and a collector the application disabled, are left alone.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        with _lock:
            if _may_promote():
                gc.freeze()
                gc.unfreeze()
        gc.enable()
