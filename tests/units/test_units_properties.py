"""Property-based: round trips are exact, chains agree with direct factors, no float leaks."""

from __future__ import annotations

import ast
import decimal
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from isa95kit.units import (
    InexactResultError,
    MaterialFactors,
    Rounding,
    all_units,
    conversion_factor,
    convert,
    convert_many,
)

UNITS_DIR = Path(__file__).resolve().parents[2] / "src" / "isa95kit" / "units"


def _by_dimension() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for code, info in all_units().items():
        if info.factor is not None and not info.deleted and not info.deprecated:
            groups.setdefault(info.dimension, []).append(code)
    return {dim: codes for dim, codes in groups.items() if len(codes) >= 3}


GROUPS = _by_dimension()
DIMENSIONS = sorted(GROUPS)

decimals = st.decimals(
    min_value=Decimal("-1e12"),
    max_value=Decimal("1e12"),
    allow_nan=False,
    allow_infinity=False,
    places=6,
)


@st.composite
def same_dimension(draw: st.DrawFn, n: int = 2) -> list[str]:
    dim = draw(st.sampled_from(DIMENSIONS))
    return [draw(st.sampled_from(GROUPS[dim])) for _ in range(n)]


def test_catalogue_has_many_convertible_dimensions() -> None:
    assert len(DIMENSIONS) > 50
    assert "kg" in GROUPS and "K" in GROUPS and "item" in GROUPS


@given(same_dimension(), decimals)
def test_round_trip_is_exact(pair: list[str], value: Decimal) -> None:
    a, b = pair
    try:
        there = convert(value, a, b)
    except InexactResultError:
        # not a finite decimal: the exact factors still invert exactly
        assume(not all_units()[a].offset and not all_units()[b].offset)
        assert conversion_factor(a, b) * conversion_factor(b, a) == 1
        return
    assert type(there) is Decimal
    assert convert(there, b, a) == value


@given(same_dimension(3))
def test_chains_agree_with_direct_factors(units: list[str]) -> None:
    a, b, c = units
    assume(not any(all_units()[u].offset for u in units))
    assert conversion_factor(a, b) * conversion_factor(b, c) == conversion_factor(a, c)


@pytest.mark.filterwarnings("ignore::isa95kit.units.DeprecatedUnitWarning")
@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("10000"), places=3),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("10000"), places=3),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1e6"), places=2),
)
def test_material_chains_agree_with_direct_factors(a: Decimal, b: Decimal, value: Decimal) -> None:
    chain = MaterialFactors([f"1 PF = {a} BX", f"1 BX = {b} EA"])
    assert chain.ratio("PF", "EA") == Fraction(a) * Fraction(b)
    # the direct factor agrees with the chain, so adding it is accepted ...
    direct = MaterialFactors([f"1 PF = {a} BX", f"1 BX = {b} EA", f"1 PF = {a * b} EA"])
    assert convert(value, "PF", "EA", material=direct) == convert(value, "PF", "EA", material=chain)
    assert convert(value, "PF", "EA", material=chain) == value * a * b
    # ... and one that disagrees is refused
    try:
        MaterialFactors([f"1 PF = {a} BX", f"1 BX = {b} EA", f"1 PF = {a * b + 1} EA"])
    except ValueError:
        pass
    else:
        raise AssertionError("a contradicting factor was accepted")


@given(
    same_dimension(),
    decimals,
    st.integers(-3, 12),
    st.sampled_from(sorted(decimal.__dict__[m] for m in dir(decimal) if m.startswith("ROUND_"))),
)
def test_rounding_matches_an_independent_reference(
    pair: list[str], value: Decimal, places: int, mode: str
) -> None:
    a, b = pair
    info_a, info_b = all_units()[a], all_units()[b]
    assert info_a.factor is not None and info_b.factor is not None
    result = convert(value, a, b, rounding=Rounding(places, mode))
    # reference: 300 significant digits, then quantize (exact whenever the value terminates)
    ctx = decimal.Context(prec=300, Emax=10**6, Emin=-(10**6))
    exact = Fraction(value) * info_a.factor + info_a.offset - info_b.offset
    exact /= info_b.factor
    reference = ctx.divide(Decimal(exact.numerator), Decimal(exact.denominator))
    expected = reference.quantize(Decimal(1).scaleb(-places), rounding=mode, context=ctx)
    assert type(result) is Decimal
    assert result == expected


@given(same_dimension(), st.lists(decimals, max_size=20))
def test_batch_agrees_with_single(pair: list[str], values: list[Decimal]) -> None:
    a, b = pair
    rounding = Rounding(9)
    batch = convert_many(values, a, b, rounding=rounding)
    assert batch == [convert(v, a, b, rounding=rounding) for v in values]
    assert all(type(x) is Decimal for x in batch)


def test_no_float_anywhere_in_the_units_package() -> None:
    for path in sorted(UNITS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant):
                assert not isinstance(node.value, float), f"float literal in {path.name}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "float", f"float() call in {path.name}:{node.lineno}"
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                # '/' is allowed on Fraction and Decimal only; flag int/int literals
                assert not (
                    isinstance(node.left, ast.Constant) and isinstance(node.right, ast.Constant)
                )
