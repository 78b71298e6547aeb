"""Hostile sizes are refused at once with UnitLimitError (issue 8 item 8, "Units").

Before the limits, ``convert("1e99999999", ..., rounding=Rounding(3))`` and
``Rounding(10**8)`` ran for more than 30 s and ``Quantity("1e999999999999", ...) + ...``
raised a bare ``MemoryError``. Each test measures CPU time: the fixed code refuses in well
under the budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isa95kit import errors
from isa95kit.errors import Isa95Error, UnitError, UnitLimitError
from isa95kit.units import (
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_PLACES,
    InexactResultError,
    Quantity,
    Rounding,
    convert,
    convert_many,
    set_limits,
)

BUDGET = 2.0  # CPU seconds


def _refused(call: Callable[[], Any], error: type[Exception] = UnitLimitError) -> Exception:
    start = time.process_time()
    with pytest.raises(error) as info:
        call()
    assert time.process_time() - start < BUDGET
    assert isinstance(info.value, Isa95Error) and isinstance(info.value, ValueError)
    return info.value


def test_error_is_exported() -> None:
    import isa95kit

    assert "UnitLimitError" in errors.__all__ and isa95kit.UnitLimitError is UnitLimitError
    assert issubclass(UnitLimitError, UnitError)
    assert MAX_EXPONENT == MAX_DIGITS == MAX_PLACES == 5000


def test_huge_exponent_with_rounding_is_refused_quickly() -> None:
    err = _refused(lambda: convert("1e99999999", "KGM", "LBR", rounding=Rounding(3)))
    message = str(err)
    assert "1e99999999" in message and "5000" in message and "set_limits" in message


def test_huge_rounding_places_are_refused_quickly() -> None:
    err = _refused(lambda: Rounding(10**8))
    assert "100000000" in str(err) and "max_places" in str(err)
    _refused(lambda: Rounding(-(10**8)))


def test_quantity_huge_exponent_no_memory_error() -> None:
    _refused(lambda: Quantity("1e999999999999", "KGM") + Quantity("1", "GRM"))
    _refused(lambda: Quantity("1", "GRM") + Quantity("1e999999999999", "KGM"))
    _refused(lambda: Quantity("1", "GRM") < Quantity("1e-999999999999", "KGM"))


@pytest.mark.parametrize(
    "text",
    ["1e-99999999", "0e-99999999", "0e+99999999", "1" * (MAX_DIGITS + 1), "9" * 10**6],
)
def test_tiny_huge_and_long_values_refused(text: str) -> None:
    _refused(lambda: convert(text, "KGM", "LBR", rounding=Rounding(3)))
    _refused(lambda: convert_many([Decimal(text)], "KGM", "GRM"))
    _refused(lambda: Quantity(text, "KGM"))


def test_huge_int_and_scaling_refused() -> None:
    _refused(lambda: convert(10**100_000, "KGM", "LBR"))
    _refused(lambda: Quantity("1", "KGM") * "1e99999999")
    _refused(lambda: Quantity("1", "KGM") / Decimal("1e-99999999"))


@pytest.mark.parametrize(
    "text", ["NaN", "sNaN", "-sNaN", "Infinity", "-Inf", "1e999999999999999999999"]
)
def test_special_values_are_unit_errors(text: str) -> None:
    _refused(lambda: convert(text, "KGM", "LBR"), UnitError)
    _refused(lambda: Quantity(text, "KGM"), UnitError)


def test_limits_are_inclusive_and_changeable() -> None:
    assert convert(f"1e{MAX_EXPONENT}", "KGM", "GRM") == Decimal(f"1e{MAX_EXPONENT + 3}")
    assert convert("1", "KGM", "LBR", rounding=Rounding(MAX_PLACES)).adjusted() == 0
    previous = set_limits(max_exponent=10)
    try:
        _refused(lambda: convert("1e11", "KGM", "GRM"))
    finally:
        set_limits(max_exponent=previous[0])
    assert convert("1e11", "KGM", "GRM") == Decimal("1e14")
    with pytest.raises(UnitError):
        set_limits(max_digits=0)


def test_thread_context_does_not_matter() -> None:
    import decimal

    with decimal.localcontext(decimal.Context(prec=3, Emin=-5, Emax=5, traps=[])):
        assert convert("123456.789", "KGM", "GRM") == Decimal("123456789")
        assert convert("1", "KGM", "LBR", rounding=Rounding(20)) == Decimal(
            "2.20462262184877580723"
        )
        _refused(lambda: convert("abc", "KGM", "GRM"), UnitError)


_extreme = st.builds(
    lambda sign, digits, exponent: f"{sign}{digits}e{exponent}",
    st.sampled_from(["", "-", "+"]),
    st.one_of(
        st.integers(0, 10**40).map(str), st.integers(1, 3 * MAX_DIGITS).map(lambda n: "7" * n)
    ),
    st.one_of(st.integers(-3 * MAX_EXPONENT, 3 * MAX_EXPONENT), st.integers(-(10**15), 10**15)),
)


@given(text=_extreme, places=st.one_of(st.none(), st.integers(-2 * MAX_PLACES, 2 * MAX_PLACES)))
def test_convert_is_exact_or_refused_quickly(text: str, places: int | None) -> None:
    start = time.process_time()
    try:
        rounding = None if places is None else Rounding(places)
        result = convert(text, "KGM", "LBR", rounding=rounding)
    except InexactResultError:
        assert places is None
    except Isa95Error:
        pass
    else:
        assert result.is_finite()
        if places is None:  # exact: converting back gives the value
            assert convert(result, "LBR", "KGM") == Decimal(text)
    assert time.process_time() - start < BUDGET
