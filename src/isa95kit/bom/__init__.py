"""E-BOM → M-BOM (work in progress): the BOM model of parts, occurrences and operations.

Quantities are exact ``Fraction``s; the transform pipeline, readers and B2MML output follow.
"""

from __future__ import annotations

from ._model import Bom, ItemType, Occurrence, Operation, Part

__all__ = ["Bom", "ItemType", "Occurrence", "Operation", "Part"]
