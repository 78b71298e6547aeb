"""The dask ``WorkerPlugin`` that warms every worker of a cluster for a kind of task.

Imported only once ``dask.distributed`` is known to be installed (``_dask``). Registered
under the task's warm-up name (:func:`~isa95kit.batch._warm.warm_key`) and ``idempotent``:
the scheduler keeps it, runs it on every worker that joins later, and ignores it when a
later run registers the same name again, so only a cluster's first run of a kind waits for
it (in parallel on its workers), and a worker's first chunk costs what its later ones do.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from ._warm import warm_key, warm_up

__all__ = ["WarmUp"]


class WarmUp(WorkerPlugin):
    """Run :func:`~isa95kit.batch._warm.warm_up` for ``task``, ``thorough``, on each worker."""

    idempotent = True

    def __init__(self, task: Any) -> None:
        self.task = task
        self.name = warm_key(task)

    def setup(self, worker: Any) -> None:
        warm_up(self.task, thorough=True)
