"""Batch work beyond one core and one machine: validate, convert and migrate millions of files.

::

    import isa95kit as ik

    run = ik.batch.validate_many(["partners/", "s3://bucket/inbox/*.xml"], jobs="auto")
    for result in run:                      # per-file results, as they complete
        print(result.source, result.verdict, f"{result.seconds:.3f}s")
    print(run.summary)                      # counts by verdict and issue code, throughput
    print(run.report().to_junit())          # the serial report, in input order

``jobs=N`` runs on N local processes; ``dask=`` takes a ``distributed.Client``, a scheduler
address (``tcp://host:8786``) or ``"local"`` (``pip install 'isa95kit[dask]'``). Files are
chunked into tasks; a worker that dies loses no file (see ``docs/batch.md``).

A new kind of per-file work is a picklable callable ``task(FileSource) -> Done`` given to
:func:`run_many`; ``validate_many``, ``convert_many`` and ``migrate_many`` are three such tasks
(tasks that write one output per file share :class:`Outputs`).
"""

from __future__ import annotations

from ._run import BatchRun, chunked, convert_many, migrate_many, run_many, validate_many
from ._sources import FileSource, expand
from ._summary import BatchSummary, junit
from ._tasks import (
    ConvertTask,
    Done,
    FileResult,
    MigrateTask,
    Outputs,
    TaskError,
    ValidateTask,
    Verdict,
    migration_summary,
    write_atomically,
)

__all__ = [
    "BatchRun",
    "BatchSummary",
    "ConvertTask",
    "Done",
    "FileResult",
    "FileSource",
    "MigrateTask",
    "Outputs",
    "TaskError",
    "ValidateTask",
    "Verdict",
    "chunked",
    "convert_many",
    "expand",
    "junit",
    "migrate_many",
    "migration_summary",
    "run_many",
    "validate_many",
    "write_atomically",
]
