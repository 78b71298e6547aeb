"""Construction the typed constructors must reject (checked, never run).

Each line carries the error the checkers must report: mypy (``warn_unused_ignores``, part of
``--strict``) and pyright (``reportUnnecessaryTypeIgnoreComment``; plain ``type: ignore``
is switched off for pyright) fail if a signature ever becomes loose enough to accept it.
"""

from __future__ import annotations

from isa95kit.model import JobOrder, OpMaterialRequirement, QuantityValue


def rejected() -> None:
    JobOrder()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    JobOrder(idx="J")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    JobOrder(ID="J")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    JobOrder(id=1.5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    JobOrder(id="J", description="x")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    OpMaterialRequirement(id="M", material_use=3)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    QuantityValue(quantity_string=1.5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
