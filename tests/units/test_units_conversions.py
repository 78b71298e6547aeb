"""Real conversions with factors derived by hand from the unit definitions (not from Rec 20).

Definitions used: 1 lb = 0.453 592 37 kg and 1 in = 0.0254 m (international yard and
pound, 1959); 1 gal (US) = 231 in³; 1 gal (UK) = 4.546 09 L (1985); 1 oz = 1/16 lb;
1 short ton = 2000 lb; 1 long ton = 2240 lb; 1 stone = 14 lb; 1 troy oz = 31.103 476 8 g;
1 grain = 64.798 91 mg; K = °C + 273.15; °F = °C x 9/5 + 32; °R = K x 9/5;
1 atm = 101 325 Pa; 1 bar = 10⁵ Pa; g_n = 9.806 65 m/s²; 1 cal(IT) = 4.1868 J;
1 Btu(IT) = 1 cal(IT)/(g·°F) x 1 lb x 1 °F = 1055.055 852 62 J; 1 mm Hg = 133.322 387 415 Pa.
"""

from __future__ import annotations

import warnings
from decimal import Decimal
from fractions import Fraction

import pytest

from isa95kit.units import MaterialFactors, Rounding, conversion_factor, convert, convert_many

LB = Decimal("0.45359237")
IN = Decimal("0.0254")

TABLE = [
    # mass
    ("1", "KGM", "GRM", "1000"),
    ("2.5", "LBR", "KGM", str(Decimal("2.5") * LB)),  # 1.133980925
    ("16", "ONZ", "LBR", "1"),
    ("1", "TNE", "KGM", "1000"),
    ("1", "STN", "LBR", "2000"),
    ("1", "LTN", "KGM", str(2240 * LB)),  # 1016.0469088
    ("1", "STI", "LBR", "14"),
    ("1", "APZ", "GRM", "31.1034768"),
    ("1", "GRN", "MGM", "64.79891"),
    ("500", "MGM", "GRM", "0.5"),
    ("1", "CWA", "LBR", "100"),
    ("1", "CWI", "LBR", "112"),
    # length and area
    ("1", "INH", "MMT", "25.4"),
    ("1", "FOT", "INH", "12"),
    ("1", "YRD", "FOT", "3"),
    ("1", "SMI", "KMT", "1.609344"),
    ("1", "NMI", "MTR", "1852"),
    ("1", "MTK", "CMK", "10000"),
    ("1", "FTK", "INK", "144"),
    ("1", "YDK", "FTK", "9"),
    # volume
    ("1", "LTR", "MLT", "1000"),
    ("1", "MTQ", "LTR", "1000"),
    ("1", "GLL", "LTR", str(231 * IN**3 * 1000)),  # 3.785411784
    ("1", "GLL", "INQ", "231"),
    ("1", "GLI", "LTR", "4.54609"),
    ("1", "QTL", "PTL", "2"),
    ("128", "OZA", "GLL", "1"),
    ("1", "BLL", "GLL", "42"),
    ("1", "CMQ", "MLT", "1"),
    ("1", "GLI", "PTI", "8"),
    ("1", "FTQ", "INQ", "1728"),
    # time
    ("1", "HUR", "SEC", "3600"),
    ("1", "DAY", "MIN", "1440"),
    ("1", "WEE", "HUR", "168"),
    ("90", "MIN", "HUR", "1.5"),
    ("1", "ANN", "DAY", "365.25"),
    # temperature (points)
    ("100", "CEL", "FAH", "212"),
    ("32", "FAH", "CEL", "0"),
    ("0", "CEL", "KEL", "273.15"),
    ("-40", "CEL", "FAH", "-40"),
    ("491.67", "A48", "KEL", "273.15"),
    ("-459.67", "FAH", "KEL", "0"),
    # pressure
    ("1", "BAR", "KPA", "100"),
    ("1", "ATM", "PAL", "101325"),
    ("1", "MBR", "PAL", "100"),
    ("1", "KPA", "MBR", "10"),
    ("1", "HN", "PAL", "133.322387415"),
    # energy and power
    ("1", "KWH", "KJO", "3600"),
    ("1", "E14", "JOU", "4186.8"),
    ("1", "BTU", "JOU", "1055.05585262"),
    ("1", "KWT", "WTT", "1000"),
    # flow and frequency
    ("36", "E18", "KGS", "10"),  # t/h -> kg/s
    ("60", "RPM", "HTZ", "1"),
    ("1", "MQH", "E32", "1000"),  # m³/h -> l/h
    # counts and ratios
    ("1", "DZN", "H87", "12"),
    ("1", "GRO", "DZN", "12"),
    ("3", "PR", "EA", "6"),
    ("1", "T3", "H87", "1000"),
    ("1", "C62", "EA", "1"),
    ("1", "P1", "59", "10000"),  # percent -> ppm
]


@pytest.mark.parametrize(("value", "source", "target", "expected"), TABLE)
def test_hand_derived_conversion(value: str, source: str, target: str, expected: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # HN is deprecated in Rec 20; the factor still holds
        result = convert(value, source, target)
    assert type(result) is Decimal
    assert result == Decimal(expected), f"{value} {source} -> {target}"


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("10", "CEL", "FAH", "18"),  # a difference of 10 °C is 18 °F
        ("9", "FAH", "KEL", "5"),
        ("1", "CEL", "KEL", "1"),
        ("1", "A48", "FAH", "1"),
    ],
)
def test_temperature_differences(value: str, source: str, target: str, expected: str) -> None:
    assert convert(value, source, target, delta=True) == Decimal(expected)


def test_psi_factor_is_pound_force_per_square_inch() -> None:
    lbf = Fraction("0.45359237") * Fraction("9.80665")
    assert conversion_factor("PS", "PAL") == lbf / Fraction("0.0254") ** 2
    assert convert("1", "PS", "PAL", rounding=Rounding(6)) == Decimal("6894.757293")


@pytest.mark.filterwarnings("ignore::isa95kit.units.DeprecatedUnitWarning")
def test_packaging_with_material_factors() -> None:
    assert convert("3", "BX", "EA", material="BX=12EA") == 36
    chain = MaterialFactors(["1 PF = 40 BX", "1 BX = 12 EA"])
    assert convert("2", "PF", "EA", material=chain) == 960
    assert convert("1", "PF", "DZN", material=chain) == 40  # one factor serves a dimension
    density = MaterialFactors(["1 LTR = 0.8 KGM"])
    assert convert("1", "MTQ", "KGM", material=density) == 800
    assert convert("400", "GRM", "MLT", material=density) == 500
    each = MaterialFactors(["1 EA = 0.25 KGM"])
    assert convert("10", "KGM", "EA", material=each) == 40


def test_rounding_is_applied_once_and_only_on_request() -> None:
    # 1 kg = 2.204 622 621 848 775 807 ... lb
    assert convert("1", "KGM", "LBR", rounding=Rounding(3)) == Decimal("2.205")
    assert convert("1", "KGM", "LBR", rounding=Rounding(3, "ROUND_DOWN")) == Decimal("2.204")
    assert convert("1", "KGM", "LBR", rounding=Rounding(0, "ROUND_CEILING")) == 3
    # exact results keep all their digits without rounding
    assert convert("0.001", "GRM", "KGM") == Decimal("0.000001")
    # half-way cases: 2.5 g -> 0.0025 kg at 3 places
    assert convert("2.5", "GRM", "KGM", rounding=Rounding(3)) == Decimal("0.002")
    assert convert("2.5", "GRM", "KGM", rounding=Rounding(3, "ROUND_HALF_UP")) == Decimal("0.003")
    assert convert("-2.5", "GRM", "KGM", rounding=Rounding(3, "ROUND_HALF_UP")) == Decimal("-0.003")
    assert convert("1234", "GRM", "GRM", rounding=Rounding(-2)) == Decimal("1.2E+3")


def test_no_early_rounding_in_small_ratios() -> None:
    # a planning ratio of 0.004 kg per piece survives scaling up exactly
    per_piece = convert("4", "GRM", "KGM")
    assert per_piece == Decimal("0.004")
    assert convert("0.004", "KGM", "GRM") * 250 == 1000


def test_precision_beyond_the_decimal_context() -> None:
    long = "1." + "3" * 60
    assert convert(long, "KGM", "GRM") == Decimal("1" + "3" * 3 + "." + "3" * 57)


def test_rounding_of_huge_values_takes_the_exact_path() -> None:
    # beyond the round-to-odd precision the integer path rounds; both must agree with Fraction
    big = "7" * 45 + ".5"
    exact = Fraction(big) / Fraction("0.45359237")
    expected = Rounding(2).fraction(exact)
    assert convert(big, "KGM", "LBR", rounding=Rounding(2)) == expected
    assert convert_many([big, "1"], "KGM", "LBR", rounding=Rounding(2))[0] == expected
