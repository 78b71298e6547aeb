"""``Quantity``: a Decimal value with a Rec 20 unit code, and arithmetic that checks units."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import IncompatibleUnitsError, UnitError
from ._aliases import normalize_unit
from ._convert import _EXACT, Rounding, _decimal_of, build, convert, to_decimal
from ._registry import UnitInfo, dimension_name, lookup

__all__ = ["Quantity"]

_PARSE = re.compile(
    r"^\s*(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>\S.*?)\s*$"
)


class Quantity:
    """An exact quantity: a finite :class:`~decimal.Decimal` and a UN/ECE Rec 20 unit code.

    ``Quantity("1.5", "kg")`` normalises the unit (``KGM``). Adding or subtracting converts
    the right operand exactly into the left operand's unit; units of different dimensions
    raise :class:`~isa95kit.errors.IncompatibleUnitsError`. Comparisons are exact across
    units (``Quantity(1, "KGM") == Quantity(1000, "GRM")``).

    Temperatures on an offset scale (``CEL``, ``FAH``) are either points (the default) or
    differences (``delta=True``): a point minus a point is a difference, a point plus a
    difference is a point, two points cannot be added, and a point cannot be scaled.
    """

    __slots__ = ("_info", "delta", "unit", "value")

    value: Decimal
    unit: str
    delta: bool
    _info: UnitInfo

    def __init__(
        self,
        value: Decimal | int | str,
        unit: str,
        *,
        delta: bool = False,
        list_id: str | None = None,
    ) -> None:
        code = normalize_unit(unit, list_id=list_id)
        info = lookup(code)
        assert info is not None
        object.__setattr__(self, "value", to_decimal(value))
        object.__setattr__(self, "unit", code)
        object.__setattr__(self, "delta", bool(delta) and bool(info.offset))
        object.__setattr__(self, "_info", info)

    @classmethod
    def parse(cls, text: str, *, list_id: str | None = None) -> Quantity:
        """``Quantity.parse("12.5 KGM")``; the unit may be any alias (``"3 pcs"``)."""
        match = _PARSE.match(text)
        if not match:
            raise UnitError(f"not a quantity: {text!r} (expected e.g. '12.5 KGM')")
        return cls(match["value"], match["unit"], list_id=list_id)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Quantity is immutable")

    # -- conversion -------------------------------------------------------------------------

    @property
    def dimension(self) -> str:
        """``mass``, ``volume``, ``count``, ... (see :func:`unit_info`)."""
        return dimension_name(self._info.dimension_key)

    def to(self, unit: str, *, material: Any = None, rounding: Rounding | None = None) -> Quantity:
        """This quantity in ``unit`` (exact unless ``rounding`` is given)."""
        code = normalize_unit(unit)
        value = convert(
            self.value, self.unit, code, material=material, rounding=rounding, delta=self.delta
        )
        return _make(value, code, self.delta)

    def round(self, rounding: Rounding) -> Quantity:
        """The value rounded by ``rounding``, same unit."""
        return _make(rounding.apply(self.value), self.unit, self.delta)

    def _into(self, other: Quantity, *, delta: bool) -> Decimal:
        """``other``'s value expressed in this unit (exactly)."""
        return build(other._info, self._info, delta=delta).exact(other.value)

    # -- arithmetic -------------------------------------------------------------------------

    def __add__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        if self._info.offset or other._info.offset:
            if not (self.delta or other.delta):
                raise UnitError(
                    f"cannot add two temperatures on a scale with an offset ({self} + {other}); "
                    f"add a difference (delta=True)"
                )
            if self.delta and not other.delta:
                return other + self
            value = _EXACT.add(self.value, self._into(other, delta=True))
            return _make(value, self.unit, self.delta and other.delta)
        return _make(_EXACT.add(self.value, self._into(other, delta=False)), self.unit, False)

    def __sub__(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        if self._info.offset or other._info.offset:
            if self.delta and not other.delta:
                raise UnitError(
                    f"cannot subtract a temperature from a difference ({self} - {other})"
                )
            if not self.delta and not other.delta:
                # a point minus a point: a difference
                return _make(
                    _EXACT.subtract(self.value, self._into(other, delta=False)), self.unit, True
                )
            return _make(
                _EXACT.subtract(self.value, self._into(other, delta=True)), self.unit, self.delta
            )
        return _make(_EXACT.subtract(self.value, self._into(other, delta=False)), self.unit, False)

    def _scale(self, factor: object, op: str) -> Quantity:
        if isinstance(factor, Quantity):
            raise UnitError(f"{op} of two quantities is not supported; convert and use .value")
        number = to_decimal(factor)
        if self._info.offset and not self.delta:
            raise UnitError(f"cannot scale the temperature {self} (a point on an offset scale)")
        if op == "multiplication":
            return _make(_EXACT.multiply(self.value, number), self.unit, self.delta)
        if not number:
            raise UnitError(f"division of {self} by zero")
        result = _decimal_of(Fraction(self.value) / Fraction(number))
        if result is None:
            from ._convert import InexactResultError

            raise InexactResultError(f"{self} / {number} is not a finite decimal")
        return _make(result, self.unit, self.delta)

    def __mul__(self, factor: object) -> Quantity:
        if isinstance(factor, float):
            to_decimal(factor)  # raises the float error
        if not isinstance(factor, (Decimal, int, str, Quantity)):
            return NotImplemented
        return self._scale(factor, "multiplication")

    __rmul__ = __mul__

    def __truediv__(self, factor: object) -> Quantity:
        if isinstance(factor, float):
            to_decimal(factor)
        if not isinstance(factor, (Decimal, int, str, Quantity)):
            return NotImplemented
        return self._scale(factor, "division")

    def __neg__(self) -> Quantity:
        if self._info.offset and not self.delta:
            raise UnitError(f"cannot negate the temperature {self} (a point on an offset scale)")
        return _make(self.value.copy_negate(), self.unit, self.delta)

    def __abs__(self) -> Quantity:
        return self if self.value >= 0 else -self

    # -- comparison -------------------------------------------------------------------------

    def _base(self) -> Fraction:
        info = self._info
        factor = info.factor if info.factor is not None else Fraction(1)
        offset = Fraction(0) if self.delta else info.offset
        return Fraction(self.value) * factor + offset

    def _key(self, other: Quantity) -> tuple[Fraction, Fraction]:
        if self._info.dimension_key != other._info.dimension_key or self.delta != other.delta:
            a, b = self._info, other._info
            da, db = dimension_name(a.dimension_key), dimension_name(b.dimension_key)
            raise IncompatibleUnitsError(
                f"cannot compare {self} [{da}] with {other} [{db}]",
                from_unit=a.code,
                to_unit=b.code,
                from_dimension=da,
                to_dimension=db,
            )
        return self._base(), other._base()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        try:
            a, b = self._key(other)
        except IncompatibleUnitsError:
            return False
        return a == b

    def __hash__(self) -> int:
        return hash((self._info.dimension_key, self.delta, self._base()))

    def __lt__(self, other: Quantity) -> bool:
        a, b = self._key(other)
        return a < b

    def __le__(self, other: Quantity) -> bool:
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other: Quantity) -> bool:
        a, b = self._key(other)
        return a > b

    def __ge__(self, other: Quantity) -> bool:
        a, b = self._key(other)
        return a >= b

    # -- text -------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.value} {self.unit}" + (" (difference)" if self.delta else "")

    def __repr__(self) -> str:
        delta = ", delta=True" if self.delta else ""
        return f"Quantity({str(self.value)!r}, {self.unit!r}{delta})"


def _make(value: Decimal, code: str, delta: bool) -> Quantity:
    """A Quantity from parts already checked (no alias lookup, no warning)."""
    info = lookup(code)
    assert info is not None
    quantity = object.__new__(Quantity)
    object.__setattr__(quantity, "value", value)
    object.__setattr__(quantity, "unit", code)
    object.__setattr__(quantity, "delta", delta and bool(info.offset))
    object.__setattr__(quantity, "_info", info)
    return quantity
