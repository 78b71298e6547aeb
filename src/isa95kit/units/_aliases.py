"""From what partners send to a Rec 20 code: aliases, UCUM, QUDT and SI Digital Framework URIs.

Resolution order without a list (``list_id=None``), first hit wins:

1. a QUDT (``http://qudt.org/vocab/unit/…``) or SI Digital Framework
   (``http://si-digital-framework.org/SI/units/…``) URI;
2. a common exchange alias, exact case (``KG``, ``G``, ``L``, ``ML``, ``M``, ``PC``, ``PCS``);
3. an exact Rec 20 code (``KGM``, ``EA``, ``H87``);
4. a UCUM symbol, exact case (``kg``, ``g``, ``L``, ``mL``, ``Cel``, ``h``, ``min``,
   ``[lb_av]``) or UCUM expression (``kg/h``, ``m3/h``, ``kW.h``);
5. a Rec 20 symbol (``°C``, ``t/h``, ``kg/m³``, also written ``kg/m3``, ``kg/m^3``);
6. any of the above in another case (``kgm``, ``Kg``, ``pcs``);
7. a Rec 20 name (``kilogram``, ``litre``, ``degree Celsius``; also US spellings and plurals:
   ``Kiloliters``, ``Grams``).

With ``list_id`` (B2MML's ``UnitOfMeasure/@listID``) a partner's list is read strictly:
``UNECERec20`` (or ``listAgencyID="6"``) only Rec 20 codes, ``UCUM`` only UCUM, ``QUDT`` only
QUDT, ``SI`` only SI Digital Framework names, ``SAP`` SAP's internal units (``ST``, ``TO``,
``PAA``) and then Rec 20 codes. An unknown ``list_id`` falls back to the order above.
"""

from __future__ import annotations

import difflib
import re
from fractions import Fraction
from typing import Final

from ..errors import UnitError, UnknownUnitError
from ._registry import UnitInfo, all_units, lookup, warn_deprecated

__all__ = ["normalize_unit", "resolve", "scheme_for", "unit_info"]

#: spellings seen in real exchanges (ERP exports, EDI, spreadsheets); exact case.
#: None of them shadows an *active* Rec 20 code (a test keeps it so); ``KG`` shadows the
#: deleted Rec 20 ``KG`` (keg), which nobody sends meaning keg.
COMMON: Final[dict[str, str]] = {
    "KG": "KGM", "KGR": "KGM", "G": "GRM", "GR": "GRM", "MG": "MGM", "T": "TNE", "TON": "TNE",
    "LB": "LBR", "LBS": "LBR",
    "L": "LTR", "LT": "LTR", "LTRS": "LTR", "ML": "MLT", "M3": "MTQ", "CM3": "CMQ", "CCM": "CMQ",
    "GAL": "GLL",
    "M": "MTR", "CM": "CMT", "MM": "MMT", "KM": "KMT", "M2": "MTK", "IN": "INH", "FT": "FOT",
    "PC": "H87", "PCS": "H87", "PIECE": "H87", "PIECES": "H87", "EACH": "EA",
    "DZ": "DZN", "DOZ": "DZN",
    "H": "HUR", "HR": "HUR", "HRS": "HUR", "S": "SEC", "D": "DAY",
    "PCT": "P1", "%": "P1", "PPM": "59",
    "PSI": "PS", "DEGC": "CEL", "DEGF": "FAH",
}  # fmt: skip

#: SAP's internal (commercial) units of table T006 that differ from Rec 20 codes
SAP: Final[dict[str, str]] = {
    "ST": "H87", "KG": "KGM", "G": "GRM", "MG": "MGM", "TO": "TNE", "L": "LTR", "ML": "MLT",
    "HL": "HLT", "M": "MTR", "CM": "CMT", "MM": "MMT", "KM": "KMT", "M2": "MTK", "M3": "MTQ",
    "CM3": "CMQ", "H": "HUR", "MIN": "MIN", "S": "SEC", "TAG": "DAY", "WCH": "WEE",
    "PAA": "PR", "PAK": "PK", "KAR": "CT", "PAL": "PF", "BT": "BO", "EA": "EA", "PC": "H87",
    "GAL": "GLL", "LB": "LBR", "OZ": "ONZ", "FT": "FOT", "IN": "INH", "YD": "YRD",
    "KW": "KWT", "KWH": "KWH", "W": "WTT", "J": "JOU", "KJ": "KJO", "BAR": "BAR", "PA": "PAL",
    "%": "P1", "PRZ": "P1", "GM2": "GM", "KMH": "KMH", "STD": "HUR",
}  # fmt: skip

#: UCUM atoms (case-sensitive, as in c/s UCUM) -> Rec 20 code
UCUM: Final[dict[str, str]] = {
    "kg": "KGM", "g": "GRM", "mg": "MGM", "ug": "MC", "t": "TNE",
    "[lb_av]": "LBR", "[oz_av]": "ONZ", "[ston_av]": "STN", "[lton_av]": "LTN",
    "m": "MTR", "km": "KMT", "cm": "CMT", "mm": "MMT", "um": "4H", "nm": "C45",
    "[in_i]": "INH", "[ft_i]": "FOT", "[yd_i]": "YRD", "[mi_i]": "SMI", "[nmi_i]": "NMI",
    "m2": "MTK", "cm2": "CMK", "mm2": "MMK", "km2": "KMK", "har": "HAR", "[acr_us]": "ACR",
    "m3": "MTQ", "dm3": "DMQ", "cm3": "CMQ", "mm3": "MMQ",
    "L": "LTR", "l": "LTR", "mL": "MLT", "ml": "MLT", "uL": "4G", "cL": "CLT", "dL": "DLT",
    "hL": "HLT", "kL": "K6",
    "[gal_us]": "GLL", "[gal_br]": "GLI", "[qt_us]": "QTL", "[pt_us]": "PTL", "[foz_us]": "OZA",
    "[foz_br]": "OZI", "[bbl_us]": "BLL",
    "s": "SEC", "ms": "C26", "min": "MIN", "h": "HUR", "d": "DAY", "wk": "WEE", "mo": "MON",
    "a": "ANN", "a_j": "ANN",
    "K": "KEL", "Cel": "CEL", "[degF]": "FAH", "[degR]": "A48",
    "Pa": "PAL", "kPa": "KPA", "MPa": "MPA", "hPa": "A97", "bar": "BAR", "mbar": "MBR",
    "[psi]": "PS", "atm": "ATM", "mm[Hg]": "HN",
    "J": "JOU", "kJ": "KJO", "MJ": "3B", "W": "WTT", "kW": "KWT", "MW": "MAW", "Wh": "WHR",
    "kWh": "KWH", "N": "NEW", "kN": "B47", "Hz": "HTZ", "A": "AMP", "mA": "4K", "V": "VLT",
    "mol": "C34", "mmol": "C18", "kmol": "B45", "cal_IT": "D70", "kcal": "E14",
    "%": "P1", "[ppm]": "59", "[ppb]": "61", "1": "C62", "{piece}": "H87", "{each}": "EA",
    "{pcs}": "H87", "{count}": "C62", "10*3": "MIL", "10*6": "MIO", "rad": "C81", "deg": "DD",
}  # fmt: skip

#: UCUM atoms -> Rec 20 symbol atoms (for compound UCUM expressions such as ``L/h``)
_UCUM_SYMBOL: Final[dict[str, str]] = {
    "L": "l", "mL": "ml", "uL": "µl", "ug": "µg", "um": "µm", "Cel": "°C", "[degF]": "°F",
    "[lb_av]": "lb", "[oz_av]": "oz", "[in_i]": "in", "[ft_i]": "ft", "[yd_i]": "yd",
    "[mi_i]": "mi", "[psi]": "psi", "[gal_us]": "gal (US)", "[gal_br]": "gal (UK)",
    "har": "ha", "a": "y",
}  # fmt: skip

#: QUDT unit names without prefix -> Rec 20 code of that base
_QUDT_BASE: Final[dict[str, str]] = {
    "GM": "GRM", "TONNE": "TNE", "TON_Metric": "TNE", "LB": "LBR", "OZ": "ONZ",
    "TON_SHORT": "STN", "TON_LONG": "LTN",
    "M": "MTR", "IN": "INH", "FT": "FOT", "YD": "YRD", "MI": "SMI", "MI_N": "NMI",
    "L": "LTR", "GAL_US": "GLL", "GAL_UK": "GLI", "GAL_IMP": "GLI", "BBL_US": "BLL",
    "OZ_VOL_US": "OZA", "QT_US": "QTL", "PINT_US": "PTL", "HA": "HAR", "AC": "ACR",
    "SEC": "SEC", "MIN": "MIN", "HR": "HUR", "DAY": "DAY", "WK": "WEE", "MO": "MON", "YR": "ANN",
    "K": "KEL", "DEG_C": "CEL", "DEG_F": "FAH", "DEG_R": "A48",
    "PA": "PAL", "BAR": "BAR", "PSI": "PS", "ATM": "ATM", "MilliM_HG": "HN",
    "J": "JOU", "CAL_IT": "D70", "BTU_IT": "BTU", "W": "WTT", "HP": "K43",
    "N": "NEW", "A": "AMP", "V": "VLT", "OHM": "OHM", "C": "COU", "HZ": "HTZ", "MOL": "C34",
    "PERCENT": "P1", "PPM": "59", "PPB": "61", "NUM": "C62", "UNITLESS": "C62", "EA": "EA",
    "REV": "M44", "RAD": "C81", "DEG": "DD",
}  # fmt: skip

_PREFIXES: Final[dict[str, Fraction]] = {
    "Yotta": Fraction(10**24), "Zetta": Fraction(10**21), "Exa": Fraction(10**18),
    "Peta": Fraction(10**15), "Tera": Fraction(10**12), "Giga": Fraction(10**9),
    "Mega": Fraction(10**6), "Kilo": Fraction(10**3), "Hecto": Fraction(100),
    "Deca": Fraction(10), "Deka": Fraction(10), "Deci": Fraction(1, 10),
    "Centi": Fraction(1, 100), "Milli": Fraction(1, 1000), "Micro": Fraction(1, 10**6),
    "Nano": Fraction(1, 10**9), "Pico": Fraction(1, 10**12), "Femto": Fraction(1, 10**15),
    "Atto": Fraction(1, 10**18),
}  # fmt: skip

_QUDT_PREFIX: Final = "http://qudt.org/vocab/unit/"
_SI_PREFIX: Final = re.compile(r"^https?://si-digital-framework\.org/SI/units/", re.IGNORECASE)
_LEVEL_RANK: Final = ("1", "1S", "1M", "2", "2S", "1.0", "2.0")

_cache: dict[tuple[str, str], tuple[str, str | None]] = {}


def scheme_for(list_id: str | None, list_agency_id: str | None = None) -> str:
    """The code list a B2MML ``UnitOfMeasure`` names through ``listID`` / ``listAgencyID``."""
    key = re.sub(r"[^a-z0-9]", "", (list_id or "").lower())
    if key:
        if "rec20" in key or "unece" in key or key in ("20", "uncefact"):
            return "rec20"
        if "ucum" in key:
            return "ucum"
        if "qudt" in key:
            return "qudt"
        if "sidigital" in key or key in ("si", "sidf", "bipm"):
            return "si"
        if "sap" in key or "t006" in key:
            return "sap"
    if (list_agency_id or "").strip() == "6":  # UN/ECE in UN/EDIFACT code list 3055
        return "rec20"
    return "auto"


def normalize_unit(
    code: str, *, list_id: str | None = None, list_agency_id: str | None = None
) -> str:
    """The UN/ECE Rec 20 code for what a partner sent (``"kg"`` → ``"KGM"``).

    Deleted codes with a named replacement resolve to it (``PCE`` → ``H87``); deleted or
    deprecated codes warn with :class:`DeprecatedUnitWarning`. Raises
    :class:`~isa95kit.errors.UnknownUnitError` (with ``.suggestions``) for an unknown code
    and :class:`~isa95kit.errors.UnitError` for an empty one.
    """
    result, warning = resolve(code, list_id=list_id, list_agency_id=list_agency_id)
    if warning:
        warn_deprecated(warning)
    return result


def unit_info(
    code: str, *, list_id: str | None = None, list_agency_id: str | None = None
) -> UnitInfo:
    """The catalogue entry of a unit, after :func:`normalize_unit`."""
    result, warning = resolve(code, list_id=list_id, list_agency_id=list_agency_id)
    if warning:
        warn_deprecated(warning)
    info = lookup(result)
    assert info is not None
    return info


def resolve(
    code: str, *, list_id: str | None = None, list_agency_id: str | None = None
) -> tuple[str, str | None]:
    """``(rec20_code, warning_or_None)`` without emitting the warning (cached)."""
    if not isinstance(code, str):
        raise UnitError(f"a unit code must be a string, not {type(code).__name__}")
    scheme = scheme_for(list_id, list_agency_id)
    key = (code, scheme)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    text = code.strip()
    if not text:
        raise UnitError("empty unit code")
    found = _find(text, scheme)
    if found is None:
        where = f" in list {list_id!r}" if scheme != "auto" else ""
        suggestions = _suggest(text)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise UnknownUnitError(
            f"unknown unit {code!r}{where}{hint}", code=code, suggestions=suggestions
        )
    result = _replace(found)
    if len(_cache) < 10_000:
        _cache[key] = result
    return result


def _replace(code: str) -> tuple[str, str | None]:
    info = lookup(code)
    assert info is not None
    if not (info.deleted or info.deprecated):
        return code, None
    state = "deleted from" if info.deleted else "deprecated in"
    if info.replacement:
        return info.replacement, (
            f"unit {info.describe()} is {state} UN/ECE Rec 20; "
            f"using its replacement {lookup(info.replacement).describe()}"  # type: ignore[union-attr]
        )
    if info.level == "3.3":  # packaging: moved to UN/ECE Rec 21, in everyday use
        return code, None
    return code, f"unit {info.describe()} is {state} UN/ECE Rec 20 (no replacement)"


def _find(text: str, scheme: str) -> str | None:
    units = all_units()
    if scheme == "rec20":
        upper = text.upper()
        return upper if upper in units else None
    if scheme == "ucum":
        return _ucum(text)
    if scheme == "qudt":
        return _qudt(text)
    if scheme == "si":
        return _si(text)
    if scheme == "sap":
        return SAP.get(text) or SAP.get(text.upper()) or _code(text.upper())
    # auto
    if text.lower().startswith(_QUDT_PREFIX):
        return _qudt(text)
    if _SI_PREFIX.match(text):
        return _si(text)
    found = COMMON.get(text) or _code(text) or _ucum(text) or _symbol(text)
    if found:
        return found
    upper = text.upper()
    return COMMON.get(upper) or _code(upper) or _name(text)


def _code(text: str) -> str | None:
    return text if text in all_units() else None


# -- symbols and names --------------------------------------------------------------------------

_symbols: dict[str, str] | None = None
_names: dict[str, str] | None = None
_SUPER: Final = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _rank(info: UnitInfo) -> tuple[int, int, str]:
    status = {"": 0, "D": 1}.get(info.status, 2)
    level = info.level.split(",")[0]
    rank = _LEVEL_RANK.index(level) if level in _LEVEL_RANK else len(_LEVEL_RANK)
    return status, rank, info.code


def _best(index: dict[str, list[UnitInfo]]) -> dict[str, str]:
    return {key: min(infos, key=_rank).code for key, infos in index.items()}


def _symbol_index() -> dict[str, str]:
    global _symbols
    if _symbols is None:
        index: dict[str, list[UnitInfo]] = {}
        for info in all_units().values():
            for symbol in info.symbol.split(" or "):
                if symbol.strip():
                    index.setdefault(_symbol_key(symbol), []).append(info)
        _symbols = _best(index)
    return _symbols


def _symbol_key(symbol: str) -> str:
    """One spelling per symbol: ``kg/m3``, ``kg/m^3``, ``kg/m³`` and ``kg / m³`` agree."""
    text = symbol.strip().replace("º", "°").replace("μ", "µ").replace("*", "·").replace(".", "·")
    text = re.sub(r"\s*([/·])\s*", r"\1", text)
    text = re.sub(r"\^?(-?\d+)(?=$|[/·)\s])", lambda m: m.group(1).translate(_SUPER), text)
    return text


def _symbol(text: str) -> str | None:
    index = _symbol_index()
    return index.get(_symbol_key(text)) or index.get(_symbol_key(text.replace("L", "l")))


#: names Rec 20 qualifies (``second [unit of time]``) or spells otherwise
_NAMES: Final = {
    "second": "SEC", "sec": "SEC", "minute": "MIN", "hour": "HUR", "hr": "HUR",
    "kilo": "KGM", "ton": "TNE", "metric ton": "TNE", "tonne": "TNE", "gramme": "GRM",
    "kilogramme": "KGM", "pound": "LBR", "ounce": "ONZ", "gallon": "GLL", "degree": "DD",
    "unit": "C62", "item": "EA", "each": "EA", "piece": "H87", "pcs": "H87",
}  # fmt: skip

_SPELLING: Final = (
    (re.compile(r"liter"), "litre"),
    (re.compile(r"meter"), "metre"),
    (re.compile(r"\bdegrees?\s+(celsius|fahrenheit|kelvin)\b"), r"degree \1"),
)


def _name_key(name: str) -> str:
    text = " ".join(name.lower().replace("_", " ").split())
    for pattern, repl in _SPELLING:
        text = pattern.sub(repl, text)
    return text


def _name_index() -> dict[str, str]:
    global _names
    if _names is None:
        index: dict[str, list[UnitInfo]] = {}
        bare: dict[str, list[UnitInfo]] = {}
        for info in all_units().values():
            index.setdefault(_name_key(info.name), []).append(info)
            stripped = re.sub(r"\s*\[[^\]]*\]", "", info.name)
            if stripped != info.name:
                bare.setdefault(_name_key(stripped), []).append(info)
        names = _best(index)
        for key, code in _best(bare).items():
            names.setdefault(key, code)
        names.update(_NAMES)
        _names = names
    return _names


def _name(text: str) -> str | None:
    index = _name_index()
    key = _name_key(text)
    for candidate in (key, key[:-1] if key.endswith("s") else "", key[:-2]):
        if candidate and candidate in index:
            return index[candidate]
    return None


# -- UCUM, QUDT, SI Digital Framework -----------------------------------------------------------


def _ucum(text: str) -> str | None:
    if text in UCUM:
        return UCUM[text]
    # a compound: map UCUM atoms to Rec 20 symbols, then look the symbol up
    parts = re.split(r"([./()])", text)
    out = []
    for part in parts:
        match = re.fullmatch(r"(\[[^\]]+\]|[A-Za-z_]+)(-?\d*)", part)
        if match:
            atom, power = match.groups()
            out.append(_UCUM_SYMBOL.get(atom, atom) + power)
        else:
            out.append(part)
    return _symbol("".join(out))


def _qudt(text: str) -> str | None:
    local = text[len(_QUDT_PREFIX) :] if text.lower().startswith(_QUDT_PREFIX) else text
    local = local.strip("/")
    if local in _QUDT_BASE:
        return _QUDT_BASE[local]
    factor, words = Fraction(1), []
    dims: dict[str, int] = {}
    sign = 1
    for token in local.split("-"):
        if token == "PER":
            sign = -1
            words.append("per")
            continue
        term = _qudt_term(token)
        if term is None:
            return None
        f, d, word = term
        factor *= f**sign
        words.append(word)
        for k, v in d.items():
            dims[k] = dims.get(k, 0) + v * sign
    # the Rec 20 name built from the parts (``litre per hour``) first, then the exact factor
    return _name(" ".join(words)) or _by_factor(factor, dims)


def _qudt_term(token: str) -> tuple[Fraction, dict[str, int], str] | None:
    match = re.fullmatch(r"((?:[A-Z][a-z]+)?)([A-Z][A-Z_]*?)(\d*)", token)
    if not match:
        return None
    prefix, base, power = match.groups()
    code = _QUDT_BASE.get(base)
    info = lookup(code) if code else None
    if info is None or info.factor is None or info.offset or prefix not in ("", *_PREFIXES):
        return None
    exponent = int(power or 1)
    factor = (info.factor * _PREFIXES.get(prefix, Fraction(1))) ** exponent
    dims = {k: v * exponent for k, v in _parse_dimension(info.dimension).items()}
    word = prefix.lower() + re.sub(r"\s*\[[^\]]*\]", "", info.name)
    word = {2: "square ", 3: "cubic "}.get(exponent, "") + word
    return factor, dims, word


def _si(text: str) -> str | None:
    local = _SI_PREFIX.sub("", text).strip("/")
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local.replace("/", " ").replace("-", " "))
    return _name(words)


def _parse_dimension(dimension: str) -> dict[str, int]:
    dims: dict[str, int] = {}
    if dimension in ("", "1"):
        return dims
    for part in dimension.split():
        match = re.fullmatch(r"([A-Za-z]+)(-?\d*)", part)
        assert match is not None
        dims[match.group(1)] = int(match.group(2) or 1)
    return dims


_by_key: dict[tuple[Fraction, frozenset[tuple[str, int]]], str] | None = None


def _by_factor(factor: Fraction, dims: dict[str, int]) -> str | None:
    """The preferred active Rec 20 code with exactly this factor and dimension."""
    global _by_key
    if _by_key is None:
        index: dict[tuple[Fraction, frozenset[tuple[str, int]]], list[UnitInfo]] = {}
        for info in all_units().values():
            if info.factor is not None and not info.offset and not info.deleted:
                dim = frozenset(_parse_dimension(info.dimension).items())
                index.setdefault((info.factor, dim), []).append(info)
        _by_key = {key: min(infos, key=_rank).code for key, infos in index.items()}
    return _by_key.get((factor, frozenset((k, v) for k, v in dims.items() if v)))


def _suggest(text: str) -> list[str]:
    units = all_units()
    upper = text.upper()
    candidates: dict[str, str] = {code: code for code in units}
    candidates.update(COMMON)
    for name, code in _name_index().items():
        candidates.setdefault(name, code)
    keys = difflib.get_close_matches(upper, [k for k in candidates if k.isupper()], n=4)
    keys += difflib.get_close_matches(_name_key(text), [k for k in candidates if k.islower()], n=4)
    seen: list[str] = []
    for key in keys:
        code = candidates[key]
        if code not in seen and not units[code].deleted:
            seen.append(code)
    return seen[:5]
