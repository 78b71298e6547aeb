"""Warm-up of the processes that run batch tasks: the first file of a cold process pays for
imports, a compiled schema bundle and rule or migration tables, every later file does not.

A task says what warms a process for it with a ``warm(thorough)`` method
(:class:`ValidateTask`: the V0701 bundle and the validation layers; :class:`MigrateTask`:
the imports, the writer and the V0701 side, and, ``thorough``, the tables of every release;
:class:`ConvertTask`: the converters); a task without one gets the validation warm-up.
:func:`warm_up` runs it once per process and kind:

* a local pool forks its workers from the calling process after warming it (not
  ``thorough``: the workers load what only some files need, in parallel, as they meet it),
  or, where ``fork`` is unsafe, from a forkserver that ran the validation warm-up (``_local``);
* a dask cluster gets a ``WorkerPlugin`` that warms every worker, present and future,
  ``thorough``ly: its workers are meant to live for many runs (``_dask``).

Measured in a cold process: the V0701 bundle and validation layers 0.13 s; migration 0.06 s
of imports plus 0.03-0.10 s of tables per release, 0.28 s for all of them (0.12 s for V0600
alone: forking workers after loading every release would put 0.28 s on the critical path of
a run whose workers need one); a worker's first file then costs what every other file costs.
A warm-up never raises: a failure only means cold workers, and the files report real problems.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["warm_conversion", "warm_key", "warm_migration", "warm_up", "warm_validation"]

_MINIMAL = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<MaterialLot xmlns="http://www.mesa.org/xml/B2MML">'
    b"<ID>L-1</ID><Description>warm-up</Description>"
    b"<EffectiveStartDate>2024-02-29T23:59:59-03:00</EffectiveStartDate>"
    b"<MaterialDefinitionID>M-1</MaterialDefinitionID><Status>Released</Status>"
    b"<Quantity><QuantityString>47</QuantityString><DataType>decimal</DataType>"
    b"<UnitOfMeasure>C62</UnitOfMeasure></Quantity></MaterialLot>\n"
)

#: the warm-up kinds this process has run (a second warm-up of a kind is free)
_DONE: set[str] = set()  # warm_key(task), + ':thorough'


def warm_validation() -> bool:
    """Compile the V0701 bundle and validate a minimal document; True if done."""
    try:
        from ..validation import check

        check(_MINIMAL)
    except Exception:  # a warm-up is an optimisation; the workers report real problems
        return False
    return True


def warm_migration(to: str = "V0701", *, thorough: bool = False) -> bool:
    """Migrate a minimal document to ``to`` (imports, the writer, the V0701 side and ``to``'s
    tables); ``thorough``: also down to every older release and back up to ``to``, which
    loads the migration tables of every release. True if done."""
    try:
        from ..versions import B2MMLVersion, MigrationWarning, migrate

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MigrationWarning)
            migrate(_MINIMAL, to)
            for release in B2MMLVersion if thorough else ():
                if release is not B2MMLVersion.V0701:
                    migrate(migrate(_MINIMAL, release).data, to)
    except Exception:  # a warm-up is an optimisation; the workers report real problems
        return False
    return True


def warm_conversion() -> bool:
    """Convert a minimal document to B2MML-JSON and back (the direct converters); True if
    done."""
    try:
        from .._xml._config import ReadConfig
        from ..cli._convert import convert_document

        data = convert_document(_MINIMAL, "xml", "json", False, ReadConfig())
        convert_document(data, "json", "xml", False, ReadConfig())
    except Exception:  # a warm-up is an optimisation; the workers report real problems
        return False
    return True


def warm_key(task: Any) -> str:
    """The name of ``task``'s warm-up (a dask plugin's name): one per task class with a
    ``warm()`` method, the validation warm-up's for every other task."""
    if callable(getattr(task, "warm", None)):
        kind = type(task)
        return f"isa95kit-warm-{kind.__module__}.{kind.__qualname__}"
    return "isa95kit-warm-validation"


def warm_up(task: Any, *, thorough: bool = False) -> bool:
    """Warm this process for ``task`` (``task.warm(thorough)``, or the validation warm-up),
    once per process and kind (a thorough warm-up includes the other); True if it is warm."""
    key = warm_key(task)
    if f"{key}:thorough" in _DONE or (not thorough and key in _DONE):
        return True
    method = getattr(task, "warm", None)
    done = bool(method(thorough)) if callable(method) else warm_validation()
    if done:
        _DONE.add(f"{key}:thorough" if thorough else key)
    return done
