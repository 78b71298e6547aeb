"""E-BOM → M-BOM: engineering structures into ISA-95 operations definitions.

Quantities are exact ``Fraction``s; see ``docs/bom.md``.
"""

from __future__ import annotations

from ._mbom import Exclusion, InvariantIssue, LineKind, MBom, MBomLine, Provenance, TransformReport
from ._model import Bom, ItemType, Occurrence, Operation, Part, serial_key

__all__ = [
    "Bom",
    "Exclusion",
    "InvariantIssue",
    "ItemType",
    "LineKind",
    "MBom",
    "MBomLine",
    "Occurrence",
    "Operation",
    "Part",
    "Provenance",
    "TransformReport",
    "serial_key",
]
