"""Partner spellings resolve to Rec 20: aliases, case, UCUM, QUDT, SI Digital Framework, names."""

from __future__ import annotations

import pytest

from isa95kit.errors import UnknownUnitError
from isa95kit.units import all_units, normalize_unit, scheme_for
from isa95kit.units._aliases import _QUDT_BASE, _UCUM_SYMBOL, COMMON, SAP, UCUM


@pytest.mark.parametrize(
    ("sent", "code"),
    [
        # Rec 20 codes and case variants
        ("KGM", "KGM"), ("kgm", "KGM"), ("Kgm", "KGM"), ("EA", "EA"), ("ea", "EA"), ("H87", "H87"),
        # what ERPs and spreadsheets send
        ("KG", "KGM"), ("Kg", "KGM"), ("G", "GRM"), ("L", "LTR"), ("ML", "MLT"), ("M", "MTR"),
        ("PC", "H87"), ("PCS", "H87"), ("pcs", "H87"), ("LBS", "LBR"),
        # UCUM
        ("kg", "KGM"), ("g", "GRM"), ("L", "LTR"), ("mL", "MLT"), ("Cel", "CEL"), ("h", "HUR"),
        ("min", "MIN"), ("[lb_av]", "LBR"), ("[degF]", "FAH"), ("m3/h", "MQH"), ("kg/m3", "KMQ"),
        ("L/h", "E32"), ("kW.h", "KWH"), ("g/L", "GL"),
        # Rec 20 names and symbols
        ("kilogram", "KGM"), ("litre", "LTR"), ("liter", "LTR"), ("degree Celsius", "CEL"),
        ("degrees Fahrenheit", "FAH"), ("°C", "CEL"), ("ºC", "CEL"), ("t/h", "E18"),
        ("kg/m³", "KMQ"), ("kg / m^3", "KMQ"), ("t", "TNE"),
        # real BatchML documents (tests/data/reference)
        ("kilogram", "KGM"), ("metre", "MTR"), ("second", "SEC"), ("RPM", "RPM"),
        ("Kilolitres", "K6"), ("Kiloliters", "K6"), ("Grams", "GRM"),
        # QUDT and SI Digital Framework URIs (BatchML recipes)
        ("http://qudt.org/vocab/unit/L-PER-HR", "E32"),
        ("http://qudt.org/vocab/unit/KiloGM", "KGM"),
        ("http://qudt.org/vocab/unit/KiloGM-PER-M3", "KMQ"),
        ("http://qudt.org/vocab/unit/DEG_C", "CEL"),
        ("http://qudt.org/vocab/unit/M3-PER-HR", "MQH"),
        ("http://qudt.org/vocab/unit/KiloW-HR", "KWH"),
        ("http://si-digital-framework.org/SI/units/litre", "LTR"),
        ("http://si-digital-framework.org/SI/units/kilogram", "KGM"),
        ("https://si-digital-framework.org/SI/units/degreeCelsius", "CEL"),
    ],
)  # fmt: skip
def test_resolves(sent: str, code: str) -> None:
    assert normalize_unit(sent) == code


@pytest.mark.parametrize(
    ("sent", "list_id", "code"),
    [
        ("ST", "SAP", "H87"),  # SAP's Stück
        ("TO", "SAP", "TNE"),
        ("PAA", "SAP", "PR"),
        ("KGM", "SAP", "KGM"),  # SAP's ISO codes are Rec 20
        ("kgm", "UNECERec20", "KGM"),
        ("Cel", "UCUM", "CEL"),
        ("L-PER-HR", "QUDT", "E32"),
        ("litre", "SI", "LTR"),
        ("KG", "UN/ECE Recommendation 20", "KG"),  # strict Rec 20: the (deleted) keg
    ],
)
@pytest.mark.filterwarnings("ignore::isa95kit.units.DeprecatedUnitWarning")
def test_list_id_selects_a_partner_list(sent: str, list_id: str, code: str) -> None:
    assert normalize_unit(sent, list_id=list_id) == code


def test_strict_lists_refuse_other_spellings() -> None:
    with pytest.raises(UnknownUnitError):
        normalize_unit("kilogram", list_id="UNECERec20")
    with pytest.raises(UnknownUnitError):
        normalize_unit("KGM", list_id="UCUM")


def test_list_agency_6_is_rec20() -> None:
    assert scheme_for(None, "6") == "rec20"
    assert scheme_for("UNECERec20") == "rec20"
    assert scheme_for("ucum") == "ucum"
    assert scheme_for("partner-private") == "auto"


def test_aliases_point_at_catalogue_codes() -> None:
    units = all_units()
    for table in (COMMON, SAP, UCUM, _QUDT_BASE):
        for alias, code in table.items():
            assert code in units, (alias, code)
    assert set(_UCUM_SYMBOL) <= set(UCUM) | {"a"}


def test_common_aliases_never_shadow_an_active_code() -> None:
    units = all_units()
    for alias in COMMON:
        info = units.get(alias)
        assert info is None or info.deleted or info.deprecated, alias


def test_active_codes_resolve_to_themselves() -> None:
    for code, info in all_units().items():
        if not (info.deleted or info.deprecated):
            assert normalize_unit(code) == code
