"""Exact arithmetic for the hot loops: whole numbers stay ``int`` (fast), the rest are
``Fraction``s, and sums are collected per denominator so a million additions cost integer
additions, not a million ``Fraction`` normalisations."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from fractions import Fraction
from typing import Generic, TypeVar, Union

__all__ = ["Num", "Sums", "div", "exact_sum", "exact_text", "frac", "mul_div", "num"]

#: an exact rational: a plain ``int`` while it is whole
Num = Union[int, Fraction]  # noqa: UP007 - a runtime alias, also on Python 3.10

K = TypeVar("K", bound=Hashable)

_WHOLE = [Fraction(i) for i in range(1024)]
ZERO = _WHOLE[0]
ONE = _WHOLE[1]


def num(value: Fraction) -> Num:
    """``value`` as an ``int`` when whole."""
    return value.numerator if value.denominator == 1 else value


def frac(value: Num) -> Fraction:
    """``value`` as a ``Fraction`` (small whole numbers shared)."""
    if type(value) is int:
        return _WHOLE[value] if 0 <= value < 1024 else Fraction(value)
    return value  # type: ignore[return-value]


def div(a: Num, b: Num) -> Num:
    """``a / b`` exactly, an ``int`` when whole."""
    r = Fraction(a, b) if type(a) is int and type(b) is int else Fraction(a) / b
    return r.numerator if r.denominator == 1 else r


def mul_div(a: Num, b: Num, c: Num) -> Num:
    """``a * b / c`` exactly, an ``int`` when whole."""
    v = a * b
    if c == 1:
        return v if type(v) is int else num(v)  # type: ignore[arg-type]
    if type(v) is int and type(c) is int:
        return v // c if v % c == 0 else Fraction(v, c)
    return div(v, c)


class Sums(Generic[K]):
    """Exact sums per key: numerators added per (key, denominator), combined on demand."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: dict[K, dict[int, int]] = {}

    def add(self, key: K, value: Num) -> None:
        parts = self._parts.get(key)
        if parts is None:
            parts = self._parts[key] = {}
        if type(value) is int:
            parts[1] = parts.get(1, 0) + value
        else:
            d = value.denominator
            parts[d] = parts.get(d, 0) + value.numerator

    def result(self) -> dict[K, Fraction]:
        return {key: _combine(parts) for key, parts in self._parts.items()}


def _combine(parts: dict[int, int]) -> Fraction:
    if len(parts) == 1:
        ((d, n),) = parts.items()
    elif len(parts) <= 4:  # a few denominators: cross-multiplied, one normalisation
        n, d = 0, 1
        for k, v in parts.items():
            n, d = n * k + v * d, d * k
    else:  # one common denominator: integer additions, one normalisation
        d = math.lcm(*parts)
        n = sum(v * (d // k) for k, v in parts.items())
    if d == 1:
        return frac(n)
    return Fraction(n, d)


def exact_sum(values: Iterable[Num]) -> Fraction:
    """The exact sum of ``values``."""
    parts: dict[int, int] = {}
    for value in values:
        if type(value) is int:
            parts[1] = parts.get(1, 0) + value
        else:
            d = value.denominator
            parts[d] = parts.get(d, 0) + value.numerator
    return _combine(parts) if parts else ZERO


def exact_text(value: Fraction) -> str:
    """A fraction as a decimal when it has a finite one (``0.25``), else ``n/d`` (``20/19``)."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    if not places:
        return f"{sign}{digits}"
    return f"{sign}{digits[:-places]}.{digits[-places:]}"
