"""The Rec 20 catalogue as objects: one :class:`UnitInfo` per code, built on first use."""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

__all__ = [
    "DeprecatedUnitWarning",
    "warn_deprecated",
    "UnitInfo",
    "all_units",
    "dimension_name",
    "lookup",
]


class DeprecatedUnitWarning(UserWarning):
    """A unit code that Rec 20 has deleted (status X) or deprecated (status D).

    A deleted code with a named replacement resolves to the replacement (``PCE`` → ``H87``);
    any other deleted or deprecated code is kept as it is. Packaging codes that Rec 20 moved
    to UN/ECE Rec 21 (``BX``, ``CS``, ``PF`` …) are everyday codes and do not warn. The
    warning points at the caller's line, so Python's default filter shows it once per line.
    """


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def warn_deprecated(message: str) -> None:
    """Warn with :class:`DeprecatedUnitWarning` at the first frame outside isa95kit."""
    frame = sys._getframe(1)
    level = 2  # 1 would be this function; 2 its caller
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, DeprecatedUnitWarning, stacklevel=level)


#: readable names of common dimensions (canonical dimension string -> name)
_DIMENSION_NAMES: Final = {
    "1": "dimensionless",
    "item": "count",
    "kg": "mass",
    "m": "length",
    "m2": "area",
    "m3": "volume",
    "s": "time",
    "K": "temperature",
    "A": "electric current",
    "mol": "amount of substance",
    "cd": "luminous intensity",
    "rad": "plane angle",
    "s-1": "frequency",
    "m s-1": "velocity",
    "m s-2": "acceleration",
    "kg m-3": "density",
    "kg m-1 s-2": "pressure",
    "kg m s-2": "force",
    "kg m2 s-2": "energy",
    "kg m2 s-3": "power",
    "kg s-1": "mass flow",
    "m3 s-1": "volume flow",
    "kg m-1": "linear density",
    "kg m-2": "areal density",
    "m3 kg-1": "specific volume",
    "mol m-3": "concentration",
    "kg m2 s-3 A-1": "voltage",
    "s A": "electric charge",
}


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """One UN/ECE Rec 20 unit code.

    ``factor`` converts one of this unit to the SI base of its ``dimension`` (``KGM``: 1,
    ``LBR``: 45359237/100000000); for counts (dimension ``item``) it is the number of single
    items (``DZN``: 12). ``offset`` is in kelvin for the temperature scales (``CEL``:
    273.15): ``base = value * factor + offset``. ``factor`` is ``None`` for codes that are
    known but not convertible (packaging such as ``BX``, most units of count, logarithmic
    scales); ``note`` says why.
    """

    code: str
    name: str
    symbol: str
    level: str
    status: str
    factor_text: str
    factor: Fraction | None
    offset: Fraction
    dimension: str
    source: str
    replacement: str | None
    note: str

    @property
    def deleted(self) -> bool:
        """Rec 20 status X (deleted)."""
        return self.status == "X"

    @property
    def deprecated(self) -> bool:
        """Rec 20 status D (deprecated)."""
        return self.status == "D"

    @property
    def convertible(self) -> bool:
        """Whether the unit has a factor (physical, ratio or count)."""
        return self.factor is not None

    @property
    def kind(self) -> str:
        """``physical``, ``ratio`` (pure number such as percent), ``count`` or ``none``."""
        if self.factor is None:
            return "none"
        if self.dimension == "item":
            return "count"
        return "ratio" if self.dimension == "1" else "physical"

    @property
    def dimension_key(self) -> str:
        """The dimension used for compatibility: ``dimension``, or ``[CODE]`` without one."""
        return self.dimension if self.factor is not None else f"[{self.code}]"

    def describe(self) -> str:
        """``KGM (kilogram)``."""
        return f"{self.code} ({self.name})"


_UNITS: dict[str, UnitInfo] | None = None


def _load() -> dict[str, UnitInfo]:
    global _UNITS
    if _UNITS is None:
        from ._catalogue import UNITS

        units: dict[str, UnitInfo] = {}
        for row in UNITS:
            code, name, symbol, level, status, text, num, den, onum, oden, dim, src, rep, note = row
            units[code] = UnitInfo(
                code=code,
                name=name,
                symbol=symbol,
                level=level,
                status=status,
                factor_text=text,
                factor=Fraction(num, den) if den else None,
                offset=Fraction(onum, oden),
                dimension=dim,
                source=src,
                replacement=rep or None,
                note=note,
            )
        _UNITS = units
    return _UNITS


def lookup(code: str) -> UnitInfo | None:
    """The catalogue entry of an exact Rec 20 code, or ``None``."""
    return _load().get(code)


def all_units() -> dict[str, UnitInfo]:
    """Every catalogue entry by code (read-only by convention)."""
    return _load()


def dimension_name(dimension: str) -> str:
    """``mass`` for ``kg``; the base-unit formula where there is no common name;
    ``BX (no conversion factor)`` for the ``[BX]`` key of a unit without a factor."""
    if dimension.startswith("["):
        return f"{dimension[1:-1]} (no conversion factor)"
    return _DIMENSION_NAMES.get(dimension, dimension)
