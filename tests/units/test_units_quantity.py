"""Quantity: Decimal value + Rec 20 unit, arithmetic that checks units, temperature rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from isa95kit.errors import UnitError
from isa95kit.units import InexactResultError, Quantity, Rounding


def test_construction_normalises() -> None:
    q = Quantity("1.50", "kg")
    assert q.unit == "KGM" and q.value == Decimal("1.50") and type(q.value) is Decimal
    assert str(q) == "1.50 KGM" and repr(q) == "Quantity('1.50', 'KGM')"
    assert q.dimension == "mass"
    assert Quantity.parse("3 pcs") == Quantity(3, "H87")


def test_immutable() -> None:
    q = Quantity(1, "KGM")
    with pytest.raises(AttributeError):
        q.value = Decimal(2)  # type: ignore[misc]


def test_add_converts_into_the_left_unit() -> None:
    total = Quantity("1.5", "KGM") + Quantity("500", "GRM")
    assert total.unit == "KGM" and total.value == Decimal("2")
    assert (Quantity("1", "LBR") + Quantity("1", "ONZ")).value == Decimal("1.0625")
    assert (Quantity("1", "MTR") - Quantity("1", "CMT")).value == Decimal("0.99")


def test_add_that_would_be_inexact_raises() -> None:
    with pytest.raises(InexactResultError):
        Quantity("1", "LBR") + Quantity("1", "KGM")


def test_scaling() -> None:
    assert Quantity("0.004", "KGM") * 250 == Quantity("1", "KGM")
    assert 3 * Quantity("2", "EA") == Quantity("6", "EA")
    assert Quantity("1", "KGM") / 4 == Quantity("250", "GRM")
    with pytest.raises(InexactResultError):
        Quantity("1", "KGM") / 3
    with pytest.raises(UnitError):
        Quantity("1", "KGM") / 0


def test_exact_comparisons_across_units() -> None:
    assert Quantity("1", "KGM") == Quantity("1000", "GRM")
    assert hash(Quantity("1", "KGM")) == hash(Quantity("1000", "GRM"))
    assert Quantity("1", "LBR") < Quantity("454", "GRM")
    assert Quantity("1", "LBR") > Quantity("453", "GRM")
    assert Quantity("1", "KGM") != Quantity("1", "LTR")
    assert Quantity("1", "DZN") == Quantity("12", "H87")
    assert Quantity("20", "CEL") == Quantity("293.15", "KEL")


def test_to_and_round() -> None:
    assert Quantity("2", "LBR").to("KGM") == Quantity("0.90718474", "KGM")
    assert Quantity("1", "KGM").to("LBR", rounding=Rounding(2)).value == Decimal("2.20")
    assert Quantity("1.23456", "KGM").round(Rounding(2)).value == Decimal("1.23")


@pytest.mark.filterwarnings("ignore::isa95kit.units.DeprecatedUnitWarning")
def test_to_with_material() -> None:
    assert Quantity("3", "BX").to("EA", material="BX=12EA") == Quantity("36", "EA")


def test_temperature_points_and_differences() -> None:
    warm, cold = Quantity("25", "CEL"), Quantity("15", "CEL")
    diff = warm - cold
    assert diff.delta and diff.value == 10
    assert diff.to("FAH").value == 18 and diff.to("FAH").delta
    assert (cold + diff) == warm
    assert (Quantity("77", "FAH") - Quantity("15", "CEL")).to("KEL").value == 10
    with pytest.raises(UnitError, match="two temperatures"):
        warm + cold
    with pytest.raises(UnitError):
        warm * 2
    assert (diff * 2).value == 20
    assert (Quantity("300", "KEL") + Quantity("300", "KEL")).value == 600  # no offset: fine


def test_negation_and_abs() -> None:
    assert -Quantity("1.5", "KGM") == Quantity("-1.5", "KGM")
    assert abs(Quantity("-2", "EA")) == Quantity("2", "EA")
