"""The hot-loop arithmetic of ``isa95kit.bom._exact`` against plain ``Fraction`` sums."""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given
from hypothesis import strategies as st

from isa95kit.bom._exact import Sums, div, exact_sum, frac, mul_div, num

# wholes, fractions with few and with many distinct denominators, negative values too
values = st.one_of(
    st.integers(-(10**6), 10**6),
    st.builds(F, st.integers(-(10**9), 10**9), st.integers(1, 40)),
    st.builds(F, st.integers(-50, 50), st.sampled_from([3, 7, 1000, 97, 10**12 + 39])),
)


@given(st.lists(values, max_size=40))
def test_exact_sum_equals_fraction_sum(xs: list[int | F]) -> None:
    total = exact_sum(xs)
    assert total == sum((F(x) for x in xs), F(0))
    assert type(total) is F


@given(st.lists(st.tuples(st.sampled_from("abc"), values), max_size=40))
def test_sums_per_key(pairs: list[tuple[str, int | F]]) -> None:
    sums: Sums[str] = Sums()
    want: dict[str, F] = {}
    for key, value in pairs:
        sums.add(key, value)
        want[key] = want.get(key, F(0)) + value
    assert sums.result() == want


@given(values, values, values.filter(lambda v: v != 0))
def test_products_and_quotients(a: int | F, b: int | F, c: int | F) -> None:
    assert mul_div(a, b, c) == F(a) * b / c
    assert div(a, c) == F(a) / c
    assert frac(num(F(a))) == a
    whole = mul_div(a, b, c)
    assert type(whole) is int or F(whole).denominator != 1
