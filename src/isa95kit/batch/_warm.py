"""Warm-up of the forkserver that local worker processes are forked from.

Imported by the forkserver (``set_forkserver_preload``), once per parent process: it
compiles the V0701 schema bundle and runs the validation layers over a minimal document,
so every worker forked from it starts with the compiled schema and the rule tables in
(copy-on-write) memory instead of building them again for its first file (measured: the
first file of a worker 0.12 s -> 0.01 s, every pool a process starts). Decoding into the
model is not warmed: its classes are built lazily per document type (0.13 s for a first
one) and a serial warm-up before the fork would cost more wall time than the workers save
by it in parallel. Other releases are compiled by the workers that meet them, once each.
Never raises: a failed warm-up only means cold workers.
"""

from __future__ import annotations

__all__ = ["warm"]

_MINIMAL = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<MaterialLot xmlns="http://www.mesa.org/xml/B2MML">'
    b"<ID>L-1</ID><Description>warm-up</Description>"
    b"<EffectiveStartDate>2024-02-29T23:59:59-03:00</EffectiveStartDate>"
    b"<MaterialDefinitionID>M-1</MaterialDefinitionID><Status>Released</Status>"
    b"<Quantity><QuantityString>47</QuantityString><DataType>decimal</DataType>"
    b"<UnitOfMeasure>C62</UnitOfMeasure></Quantity></MaterialLot>\n"
)


def warm() -> bool:
    """Compile the V0701 bundle and validate a minimal document; True if done."""
    try:
        from ..validation import check

        check(_MINIMAL)
    except Exception:  # a warm-up is an optimisation; the workers report real problems
        return False
    return True


WARM = warm()
