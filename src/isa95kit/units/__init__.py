"""Exact unit handling for ISA-95 / B2MML: every UN/ECE Rec 20 code, no float anywhere.

::

    from decimal import Decimal
    from isa95kit import units

    units.convert(Decimal("2.5"), "LBR", "KGM")             # Decimal('1.133980925')
    units.convert("3", "BX", "EA", material="BX=12EA")      # Decimal('36')
    units.convert("1", "KGM", "LBR", rounding=units.Rounding(6))  # Decimal('2.204623')
    units.normalize_unit("kg")                               # 'KGM'
    units.Quantity("1.5", "kg") + units.Quantity("500", "g") # Quantity('2.0', 'KGM')

See ``docs/units.md`` for the catalogue, aliases, material factors and errors.
"""

from __future__ import annotations

from ._aliases import normalize_unit, scheme_for, unit_info
from ._convert import (
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_PLACES,
    InexactResultError,
    Rounding,
    conversion_factor,
    convert,
    convert_many,
    set_limits,
    to_decimal,
)
from ._document import DocumentConversion, convert_document
from ._material import MaterialFactors
from ._quantity import Quantity
from ._registry import DeprecatedUnitWarning, UnitInfo, all_units, dimension_name

__all__ = [
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_PLACES",
    "DeprecatedUnitWarning",
    "DocumentConversion",
    "InexactResultError",
    "MaterialFactors",
    "Quantity",
    "Rounding",
    "UnitInfo",
    "all_units",
    "conversion_factor",
    "convert",
    "convert_document",
    "convert_many",
    "dimension_name",
    "normalize_unit",
    "scheme_for",
    "set_limits",
    "to_decimal",
    "unit_info",
]
