"""Bad input gives the documented error: unknown code, float, NaN, infinity, empty, mismatch."""

from __future__ import annotations

from decimal import Decimal

import pytest

from isa95kit.errors import IncompatibleUnitsError, Isa95Error, UnitError, UnknownUnitError
from isa95kit.units import (
    InexactResultError,
    MaterialFactors,
    Quantity,
    Rounding,
    convert,
    convert_many,
    normalize_unit,
)


def test_unknown_code_names_it_and_suggests() -> None:
    with pytest.raises(UnknownUnitError) as info:
        normalize_unit("KGMM")
    err = info.value
    assert err.code == "KGMM"
    assert "KGMM" in str(err)
    assert "KGM" in err.suggestions
    assert isinstance(err, KeyError) and isinstance(err, UnitError) and isinstance(err, ValueError)


def test_unknown_name_suggests_by_name() -> None:
    with pytest.raises(UnknownUnitError) as info:
        normalize_unit("kilogramm")
    assert "KGM" in info.value.suggestions


def test_unknown_code_in_convert() -> None:
    with pytest.raises(UnknownUnitError, match="'NULL'"):
        convert("1", "NULL", "KGM")


@pytest.mark.parametrize("bad", [1.5, float("nan"), float("inf"), 0.1])
def test_float_is_rejected(bad: float) -> None:
    with pytest.raises(UnitError, match="float"):
        convert(bad, "KGM", "GRM")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        "NaN",
        "inf",
        "-Infinity",
    ],
)
def test_nan_and_infinity_are_rejected(bad: object) -> None:
    with pytest.raises(UnitError, match="finite"):
        convert(bad, "KGM", "GRM")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "   ", "1,5", "1.5 kg", "abc", True, None, [1], b"1"])
def test_other_bad_values(bad: object) -> None:
    with pytest.raises(UnitError):
        convert(bad, "KGM", "GRM")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "  "])
def test_empty_unit(bad: str) -> None:
    with pytest.raises(UnitError, match="empty unit"):
        normalize_unit(bad)
    with pytest.raises(UnitError, match="empty unit"):
        convert("1", bad, "KGM")


def test_non_string_unit() -> None:
    with pytest.raises(UnitError):
        normalize_unit(42)  # type: ignore[arg-type]


def test_dimension_mismatch_names_both_units_and_dimensions() -> None:
    with pytest.raises(IncompatibleUnitsError) as info:
        convert("1", "KGM", "LTR")
    err = info.value
    assert (err.from_unit, err.to_unit) == ("KGM", "LTR")
    assert (err.from_dimension, err.to_dimension) == ("mass", "volume")
    assert "KGM" in str(err) and "LTR" in str(err) and "mass" in str(err) and "volume" in str(err)


def test_count_is_not_a_percentage() -> None:
    # pint treats counts as dimensionless, so "1 count -> 100 percent" succeeds there
    with pytest.raises(IncompatibleUnitsError) as info:
        convert("1", "C62", "P1")
    assert info.value.from_dimension == "count"
    assert info.value.to_dimension == "dimensionless"


@pytest.mark.filterwarnings("ignore::isa95kit.units.DeprecatedUnitWarning")
def test_packaging_without_a_factor_is_incompatible() -> None:
    with pytest.raises(IncompatibleUnitsError, match="no conversion factor") as info:
        convert("3", "BX", "EA")
    assert info.value.from_dimension == "BX (no conversion factor)"
    assert info.value.to_dimension == "count"
    with pytest.raises(IncompatibleUnitsError):
        convert("3", "BX", "CT")  # two packaging units never convert without a factor


def test_material_that_does_not_link_the_units() -> None:
    with pytest.raises(IncompatibleUnitsError, match="no material factor"):
        convert("1", "KGM", "LTR", material="1 H87 = 2 KGM")


def test_inexact_result_needs_rounding() -> None:
    with pytest.raises(InexactResultError, match="not a finite decimal") as info:
        convert("1", "KGM", "LBR")
    assert isinstance(info.value, UnitError) and isinstance(info.value, ArithmeticError)
    with pytest.raises(InexactResultError):
        convert_many(["1"], "KGM", "LBR")
    with pytest.raises(InexactResultError):
        convert("0", "FAH", "CEL")  # -160/9


def test_bad_rounding_policy() -> None:
    with pytest.raises(UnitError):
        Rounding(2, "ROUND_SOMETIMES")
    with pytest.raises(UnitError):
        Rounding(2.0)  # type: ignore[arg-type]


def test_contradicting_material_factors() -> None:
    with pytest.raises(UnitError, match="contradicts"):
        MaterialFactors(["1 BX = 12 EA", "1 BX = 10 EA"])
    with pytest.raises(UnitError, match="contradicts"):
        MaterialFactors(["1 BX = 12 EA", "1 CT = 2 BX", "1 CT = 25 EA"])
    with pytest.raises(UnitError, match="UN/ECE Rec 20"):
        MaterialFactors(["1 KGM = 999 GRM"])


@pytest.mark.parametrize("bad", ["BX 12 EA", "BX=EA", "=12EA", "1 BX = -12 EA", "0 BX = 12 EA"])
def test_bad_material_statements(bad: str) -> None:
    with pytest.raises(UnitError):
        MaterialFactors([bad])


def test_material_factor_on_temperature_scale() -> None:
    with pytest.raises(UnitError, match="temperature"):
        MaterialFactors(["1 CEL = 2 KGM"])


def test_quantity_errors() -> None:
    with pytest.raises(UnitError, match="float"):
        Quantity(0.5, "KGM")  # type: ignore[arg-type]
    with pytest.raises(IncompatibleUnitsError):
        Quantity("1", "KGM") + Quantity("1", "LTR")
    with pytest.raises(IncompatibleUnitsError):
        _ = Quantity("1", "KGM") < Quantity("1", "LTR")
    with pytest.raises(UnitError, match="float"):
        Quantity("1", "KGM") * 1.5
    with pytest.raises(UnitError):
        Quantity.parse("kg 12")


def test_every_error_is_an_isa95_error() -> None:
    for call in (
        lambda: convert("x", "KGM", "GRM"),
        lambda: convert("1", "NOPE", "GRM"),
        lambda: convert("1", "KGM", "MTR"),
    ):
        with pytest.raises(Isa95Error):
            call()
