"""Exact conversion: Decimal in, Decimal out, rational factors, rounding only on request.

A conversion is ``to = value * factor + offset`` with ``factor`` and ``offset`` exact
:class:`~fractions.Fraction` values. The hot path never builds a Fraction: the factor is
split once into an integer multiplier, a power of ten and an integer divisor coprime to 10,
so converting one value is one exact Decimal multiplication (plus one exact division when
the divisor is not 1). No float is used anywhere.

A result that is not a finite decimal (1 lb in kg is, 1 kg in lb is not) raises
:class:`InexactResultError` unless the caller gives a :class:`Rounding`; then it is rounded
once, correctly, from the exact value.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import partial
from itertools import repeat
from typing import TYPE_CHECKING, Final

from ..errors import IncompatibleUnitsError, UnitError, UnitLimitError
from ._aliases import resolve
from ._registry import UnitInfo, dimension_name, lookup, warn_deprecated

if TYPE_CHECKING:
    from ._material import MaterialLike

__all__ = [
    "InexactResultError",
    "Rounding",
    "conversion_factor",
    "convert",
    "convert_many",
    "set_limits",
    "to_decimal",
]

# -- limits -------------------------------------------------------------------------------
# Exact arithmetic costs time and memory in the number of digits, and a short text such as
# "1e999999999" stands for a billion of them. Every accepted value therefore has all its
# digit places between 10**-MAX_EXPONENT and 10**MAX_EXPONENT and at most MAX_DIGITS
# significant digits; a Rounding has at most MAX_PLACES places either side of the point.
# Real quantities are far inside: the Rec 20 prefixes span 10**-30 (quecto) to 10**30
# (quetta), the mass of the observable universe is about 10**53 kg, and decimal128 holds 34
# digits; 5000 leaves a wide margin while keeping every intermediate (exact Decimal or
# Fraction) at a few thousand digits, so any input is accepted or refused in time and memory
# linear in its size. Change them with set_limits(); refusals raise UnitLimitError.

#: largest |decimal exponent| of any digit place of an accepted value
MAX_EXPONENT = 5000
#: most significant digits of an accepted value
MAX_DIGITS = 5000
#: largest |places| of a Rounding
MAX_PLACES = 5000

_HOW = "raise it with isa95kit.units.set_limits({}=...)"


def set_limits(
    *,
    max_exponent: int | None = None,
    max_digits: int | None = None,
    max_places: int | None = None,
) -> tuple[int, int, int]:
    """Change the limits (``None`` keeps one); returns the previous
    ``(max_exponent, max_digits, max_places)``. Limits are process-wide."""
    global MAX_EXPONENT, MAX_DIGITS, MAX_PLACES
    previous = (MAX_EXPONENT, MAX_DIGITS, MAX_PLACES)
    for name, limit in (
        ("max_exponent", max_exponent),
        ("max_digits", max_digits),
        ("max_places", max_places),
    ):
        if limit is not None and (type(limit) is not int or limit < 1):
            raise UnitError(f"{name} must be a positive int, not {limit!r}")
    if max_exponent is not None:
        MAX_EXPONENT = max_exponent
    if max_digits is not None:
        MAX_DIGITS = max_digits
    if max_places is not None:
        MAX_PLACES = max_places
    return previous


def _show(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else f"{text[:30]}…{text[-20:]} ({len(text)} characters)"


def _check_limits(value: Decimal, original: object) -> Decimal:
    """``value`` (finite) if it is within MAX_EXPONENT and MAX_DIGITS, else UnitLimitError."""
    top = value.adjusted()
    if top > MAX_EXPONENT or top < -MAX_EXPONENT:
        raise UnitLimitError(
            f"quantity {_show(original)} has decimal exponent {top}, beyond the limit "
            f"±{MAX_EXPONENT} (MAX_EXPONENT); {_HOW.format('max_exponent')}"
        )
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -MAX_EXPONENT:
        raise UnitLimitError(
            f"quantity {_show(original)} has a digit at 10**{exponent}, beyond the limit "
            f"10**-{MAX_EXPONENT} (MAX_EXPONENT); {_HOW.format('max_exponent')}"
        )
    digits = top - exponent + 1
    if digits > MAX_DIGITS:
        raise UnitLimitError(
            f"quantity {_show(original)} has {digits} significant digits, more than the limit "
            f"{MAX_DIGITS} (MAX_DIGITS); {_HOW.format('max_digits')}"
        )
    return value


def _check_places(places: int) -> None:
    if places > MAX_PLACES or places < -MAX_PLACES:
        raise UnitLimitError(
            f"rounding places {places} beyond the limit ±{MAX_PLACES} (MAX_PLACES); "
            f"{_HOW.format('max_places')}"
        )


_MODES: Final = frozenset(
    {
        decimal.ROUND_05UP,
        decimal.ROUND_CEILING,
        decimal.ROUND_DOWN,
        decimal.ROUND_FLOOR,
        decimal.ROUND_HALF_DOWN,
        decimal.ROUND_HALF_EVEN,
        decimal.ROUND_HALF_UP,
        decimal.ROUND_UP,
    }
)
#: exact arithmetic: unlimited precision, any inexact step is an error
_EXACT: Final = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero],
)
#: rounding on request: unlimited precision, rounding allowed
_ROUND: Final = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation],
)
#: round-to-odd before the final rounding (see Linear.rounded)
_ODD: Final = decimal.Context(
    prec=36,
    rounding=decimal.ROUND_05UP,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero],
)
#: division by an integer coprime to 10: exact results have at most the dividend's digits
_DIVIDE: Final = decimal.Context(
    prec=200,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero],
)


class InexactResultError(UnitError, ArithmeticError):
    """The exact result is not a finite decimal and no :class:`Rounding` was given."""


@dataclass(frozen=True, slots=True)
class Rounding:
    """An explicit rounding policy: ``places`` after the decimal point and a ``decimal`` mode.

    ``Rounding(3)`` rounds half to even at 3 places; ``Rounding(0, decimal.ROUND_UP)`` rounds
    up to whole units; negative places round to tens, hundreds, ... The exact value is
    rounded once (never a rounded intermediate).
    """

    places: int
    mode: str = decimal.ROUND_HALF_EVEN

    def __post_init__(self) -> None:
        if not isinstance(self.places, int) or isinstance(self.places, bool):
            raise UnitError(f"rounding places must be an int, not {self.places!r}")
        if self.mode not in _MODES:
            raise UnitError(f"unknown rounding mode {self.mode!r}")
        _check_places(self.places)

    def apply(self, value: Decimal) -> Decimal:
        """``value`` rounded by this policy."""
        _check_places(self.places)
        return value.quantize(
            Decimal(1).scaleb(-self.places, _EXACT), rounding=self.mode, context=_ROUND
        )

    def fraction(self, value: Fraction) -> Decimal:
        """An exact rational rounded by this policy."""
        num, den = value.numerator, value.denominator
        if self.places >= 0:
            num *= 10**self.places
        else:
            den *= 10**-self.places
        return Decimal(_round_div(num, den, self.mode)).scaleb(-self.places, _EXACT)


def _round_div(num: int, den: int, mode: str) -> int:
    """``num / den`` (``den > 0``) rounded to an integer by a ``decimal`` rounding mode."""
    q, r = divmod(num, den)  # q = floor
    if not r:
        return q
    negative = num < 0
    toward_zero, away = (q + 1, q) if negative else (q, q + 1)
    if mode == decimal.ROUND_FLOOR:
        return q
    if mode == decimal.ROUND_CEILING:
        return q + 1
    if mode == decimal.ROUND_DOWN:
        return toward_zero
    if mode == decimal.ROUND_UP:
        return away
    if mode == decimal.ROUND_05UP:
        return away if abs(toward_zero) % 5 == 0 else toward_zero
    twice = 2 * r
    if twice != den:
        return q if twice < den else q + 1
    if mode == decimal.ROUND_HALF_UP:
        return away
    if mode == decimal.ROUND_HALF_DOWN:
        return toward_zero
    return q if q % 2 == 0 else q + 1  # ROUND_HALF_EVEN


def to_decimal(value: object) -> Decimal:
    """A finite :class:`~decimal.Decimal` from a Decimal, an int or an exact decimal string.

    Floats are rejected (their binary value is not the decimal the caller wrote), as are
    NaN, infinities, booleans and empty strings: each raises :class:`UnitError`.
    """
    if type(value) is Decimal:
        result = value
    elif isinstance(value, Decimal):
        result = Decimal(value)
    elif isinstance(value, bool):
        raise UnitError(f"a quantity must be a number, not {value!r}")
    elif isinstance(value, int):
        if value.bit_length() > MAX_DIGITS * 10 // 3 + 4:  # > MAX_DIGITS digits: no Decimal
            raise UnitLimitError(
                f"integer quantity of {value.bit_length()} bits has more than the limit "
                f"{MAX_DIGITS} digits (MAX_DIGITS); {_HOW.format('max_digits')}"
            )
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise UnitError("empty quantity")
        if len(text) > MAX_DIGITS + MAX_EXPONENT + 64:
            raise UnitLimitError(
                f"quantity text {_show(text)} is longer than the limit "
                f"{MAX_DIGITS + MAX_EXPONENT + 64} characters (MAX_DIGITS + MAX_EXPONENT + 64); "
                f"{_HOW.format('max_digits')}"
            )
        try:
            with decimal.localcontext(_EXACT):
                result = Decimal(text)
        except decimal.InvalidOperation:
            raise UnitError(f"not a decimal number: {_show(value)}") from None
    elif isinstance(value, float):
        raise UnitError(
            f"float {value!r} rejected: a float is binary and inexact; "
            f"pass Decimal({str(value)!r}) or the string {str(value)!r}"
        )
    else:
        raise UnitError(f"a quantity must be Decimal, int or str, not {type(value).__name__}")
    if not result.is_finite():
        raise UnitError(f"a quantity must be finite, not {_show(value)}")
    return _check_limits(result, value)


def _decimal_of(value: Fraction) -> Decimal | None:
    """``value`` as an exact Decimal, or ``None`` if it is not a finite decimal."""
    shift, rest = _split_ten(value.denominator)
    if rest != 1:
        return None
    return Decimal(value.numerator * 10**shift // value.denominator).scaleb(-shift, _EXACT)


def _split_ten(n: int) -> tuple[int, int]:
    """``n = c25 * rest`` with ``c25`` a product of 2s and 5s: ``(shift, rest)`` such that
    ``10**shift`` is the smallest power of ten divisible by ``c25``."""
    twos = fives = 0
    while n % 2 == 0:
        n //= 2
        twos += 1
    while n % 5 == 0:
        n //= 5
        fives += 1
    return max(twos, fives), n


class Linear:
    """One exact affine map ``to = value * factor + offset`` with a precomputed fast path.

    Both are brought to one denominator ``10**shift * div`` (``div`` coprime to 10), so
    ``to = (value * A + B) / 10**shift / div`` with integers ``A`` and ``B``. When ``div``
    is 1 this is a single exact Decimal multiply (or fused multiply-add).
    """

    __slots__ = (
        "_a",
        "_a_int",
        "_b",
        "_b_int",
        "_den",
        "_div",
        "_shift",
        "description",
        "factor",
        "offset",
        "warnings",
    )

    def __init__(
        self,
        factor: Fraction,
        offset: Fraction = Fraction(0),
        *,
        description: str = "",
        warnings: tuple[str, ...] = (),
    ) -> None:
        self.factor = factor
        self.offset = offset
        self.description = description
        self.warnings = warnings
        common = math.lcm(factor.denominator, offset.denominator)
        shift, div = _split_ten(common)
        scale = 10**shift // (common // div)
        self._a_int = factor.numerator * (common // factor.denominator) * scale
        self._b_int = offset.numerator * (common // offset.denominator) * scale
        self._shift, self._div, self._den = shift, div, Decimal(div * 10**shift)
        if div == 1:  # the exact factor and offset as Decimals
            self._a = Decimal(self._a_int).scaleb(-shift, _EXACT)
            self._b = Decimal(self._b_int).scaleb(-shift, _EXACT)
        else:
            self._a, self._b = Decimal(self._a_int), Decimal(self._b_int)

    def exact(self, value: Decimal) -> Decimal:
        """The exact result; :class:`InexactResultError` if it is not a finite decimal."""
        result = self._numerator(value)
        if self._div == 1:
            return result
        try:
            result = _DIVIDE.divide(result, self._div)
        except decimal.Inexact:  # not a finite decimal, or more digits than _DIVIDE holds
            exact = _decimal_of(Fraction(value) * self.factor + self.offset)
            if exact is None:
                raise self._inexact(value) from None
            return exact
        return result.scaleb(-self._shift, _EXACT) if self._shift else result

    def _numerator(self, value: Decimal) -> Decimal:
        """``value * A + B``, exactly."""
        if self._b:
            return _EXACT.fma(value, self._a, self._b)
        return _EXACT.multiply(value, self._a)

    def rounded(self, value: Decimal, rounding: Rounding) -> Decimal:
        """The exact result rounded once by ``rounding``."""
        if self._div == 1:
            return rounding.apply(self.exact(value))
        # round to _ODD.prec digits with ROUND_05UP (decimal's round-to-odd), then to the
        # requested places: correct single rounding while the odd rounding happens at
        # least two digits further right than the requested one
        quotient = _ODD.divide(self._numerator(value), self._den)
        if quotient.adjusted() + rounding.places + 2 < _ODD.prec:
            return rounding.apply(quotient)
        num, den = value.as_integer_ratio()
        num = num * self._a_int + self._b_int * den
        den *= self._div * 10**self._shift
        places = rounding.places
        if places >= 0:
            num *= 10**places
        else:
            den *= 10**-places
        return Decimal(_round_div(num, den, rounding.mode)).scaleb(-places, _EXACT)

    def __call__(self, value: Decimal, rounding: Rounding | None = None) -> Decimal:
        return self.exact(value) if rounding is None else self.rounded(value, rounding)

    def many(self, values: list[Decimal], rounding: Rounding | None) -> list[Decimal]:
        """Convert a column of finite Decimals (the batch path)."""
        if self._b:
            numerators = list(map(_EXACT.fma, values, repeat(self._a), repeat(self._b)))
        else:
            numerators = list(map(_EXACT.multiply, values, repeat(self._a)))
        if self._div != 1:
            if rounding is None:
                return list(map(self.exact, values))
            numerators = list(map(_ODD.divide, numerators, repeat(self._den)))
            top = max(map(Decimal.adjusted, numerators), default=0)
            if top + rounding.places + 2 >= _ODD.prec:
                return [self.rounded(v, rounding) for v in values]
        if rounding is None:
            return numerators
        quantize = partial(Decimal.quantize, rounding=rounding.mode, context=_ROUND)
        _check_places(rounding.places)
        step = Decimal(1).scaleb(-rounding.places, _EXACT)
        return list(map(quantize, numerators, repeat(step)))

    def _inexact(self, value: Decimal) -> InexactResultError:
        exact = Fraction(value) * self.factor + self.offset
        approx = Rounding(30, decimal.ROUND_DOWN).fraction(exact).normalize(_EXACT)
        return InexactResultError(
            f"{_show(str(value))} {self.description} is {approx}… , not a finite decimal "
            f"(exactly {_int_text(exact.numerator)}/{_int_text(exact.denominator)}); "
            f"give a rounding "
            f"(rounding=Rounding(places); --places on the command line)"
        )


def _int_text(n: int) -> str:
    """``n`` in decimal, or its size when printing it would be long (or refused by Python)."""
    if n.bit_length() <= 3000:
        return str(n)
    return f"<{n.bit_length()}-bit integer>"


def _warn(messages: tuple[str, ...]) -> None:
    for message in messages:
        warn_deprecated(message)


def _incompatible(a: UnitInfo, b: UnitInfo, material: bool) -> IncompatibleUnitsError:
    da, db = dimension_name(a.dimension_key), dimension_name(b.dimension_key)
    reason = f"cannot convert {a.describe()} [{da}] to {b.describe()} [{db}]"
    example = ""
    missing = [u.code for u in (a, b) if u.factor is None]
    if missing or a.dimension_key != b.dimension_key:
        example = f"{a.code}=<n>{b.code}"
        if missing:
            verb = "has" if len(missing) == 1 else "have"
            reason += f"; {' and '.join(missing)} {verb} no conversion factor in UN/ECE Rec 20"
        if material:
            reason += "; no material factor links them"
    hint = (
        ""
        if not example
        else f" (give one, e.g. {example!r})"
        if material
        else f"; give a material-specific factor, e.g. material='{example}'"
    )
    return IncompatibleUnitsError(
        reason + hint,
        from_unit=a.code,
        to_unit=b.code,
        from_dimension=da,
        to_dimension=db,
        reason=reason,
        factor_example=example,
    )


def build(
    a: UnitInfo,
    b: UnitInfo,
    *,
    ratio: Fraction | None = None,
    delta: bool = False,
    material: bool = False,
) -> Linear:
    """The map from unit ``a`` to unit ``b``; ``ratio`` links their dimensions' bases."""
    description = f"{a.code} in {b.code}"
    if a.code == b.code:
        return Linear(Fraction(1), description=description)
    fa = a.factor if a.factor is not None else Fraction(1)
    fb = b.factor if b.factor is not None else Fraction(1)
    if a.factor is not None and b.factor is not None and a.dimension_key == b.dimension_key:
        offset = Fraction(0) if delta else (a.offset - b.offset) / fb
        return Linear(fa / fb, offset, description=description)
    if ratio is None:
        raise _incompatible(a, b, material=material)
    if (a.offset or b.offset) and not delta:
        raise UnitError(
            f"a material factor cannot convert the temperature scale of "
            f"{a.describe()} or {b.describe()}"
        )
    return Linear(fa * ratio / fb, description=description)


_cache: dict[tuple[str, str, bool, str | None], Linear] = {}


def _linear(
    from_unit: str,
    to_unit: str,
    material: MaterialLike | None,
    delta: bool,
    list_id: str | None,
) -> Linear:
    if material is None:
        key = (from_unit, to_unit, delta, list_id)
        hit = _cache.get(key)
        if hit is not None:
            return hit
    code_a, warn_a = resolve(from_unit, list_id=list_id)
    code_b, warn_b = resolve(to_unit, list_id=list_id)
    a, b = lookup(code_a), lookup(code_b)
    assert a is not None and b is not None
    notes = tuple(w for w in (warn_a, warn_b) if w)
    if material is None:
        linear = build(a, b, delta=delta)
        linear.warnings = notes
        if len(_cache) < 10_000:
            _cache[key] = linear
        return linear
    from ._material import as_material

    factors = as_material(material)
    linear = factors.linear(a, b, delta=delta)
    if notes:
        linear = Linear(linear.factor, linear.offset, description=linear.description)
        linear.warnings = notes
    return linear


def convert(
    value: Decimal | int | str,
    from_unit: str,
    to_unit: str,
    *,
    material: MaterialLike | None = None,
    rounding: Rounding | None = None,
    delta: bool = False,
    list_id: str | None = None,
) -> Decimal:
    """Convert ``value`` from one unit to another, exactly.

    ``from_unit`` / ``to_unit``: Rec 20 codes or any alias :func:`normalize_unit` accepts
    (``list_id`` selects a partner's code list). ``material``: factors linking units of
    different dimensions (a :class:`MaterialFactors`, ``"BX=12EA"``, a list of such strings,
    or a B2MML ``MaterialDefinition`` / ``MaterialClass``). ``rounding``: applied once to the
    exact result; without it a result that is not a finite decimal raises
    :class:`InexactResultError`. ``delta=True`` converts a temperature *difference* (no
    offset: 10 CEL of difference is 18 FAH).
    """
    number = to_decimal(value)
    if rounding is not None:
        _check_places(rounding.places)
    linear = _linear(from_unit, to_unit, material, delta, list_id)
    if linear.warnings:
        _warn(linear.warnings)
    return linear.exact(number) if rounding is None else linear.rounded(number, rounding)


def convert_many(
    values: Iterable[Decimal | int | str],
    from_unit: str,
    to_unit: str,
    *,
    material: MaterialLike | None = None,
    rounding: Rounding | None = None,
    delta: bool = False,
    list_id: str | None = None,
) -> list[Decimal]:
    """:func:`convert` for a column of values sharing one unit pair (resolved once)."""
    linear = _linear(from_unit, to_unit, material, delta, list_id)
    if linear.warnings:
        _warn(linear.warnings)
    numbers = values if isinstance(values, list) else list(values)
    numbers = [to_decimal(v) for v in numbers]
    return linear.many(numbers, rounding)  # type: ignore[arg-type]


def conversion_factor(
    from_unit: str,
    to_unit: str,
    *,
    material: MaterialLike | None = None,
    list_id: str | None = None,
) -> Fraction:
    """The exact factor from one unit to another (``LBR`` → ``KGM``: 45359237/100000000).

    Raises :class:`UnitError` for temperature scales with an offset (use :func:`convert`).
    """
    linear = _linear(from_unit, to_unit, material, False, list_id)
    if linear.warnings:
        _warn(linear.warnings)
    if linear.offset:
        raise UnitError(
            f"{linear.description} has an offset, not a single factor; use convert() "
            f"(or delta=True for a difference)"
        )
    return linear.factor
