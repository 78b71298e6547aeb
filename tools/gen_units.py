"""Generate ``src/isa95kit/units/_catalogue.py`` from UN/ECE Recommendation 20 (Rev 17).

Usage::

    python tools/gen_units.py                 # rewrite the shipped catalogue
    python tools/gen_units.py --output FILE   # write elsewhere (the drift test does this)
    python tools/gen_units.py --check         # exit 1 if the shipped catalogue is stale (CI)
    python tools/gen_units.py --report        # print how each code's factor was obtained

Input: ``tools/data/unece-rec20/units-of-measure.csv`` (public domain, ODC PDDL), columns
``Status, CommonCode, Name, Description, LevelAndCategory, Symbol, ConversionFactor``.

Every code becomes one row. The conversion factor *text* (``10⁻³ kg``, ``3 600 s``,
``1,852 × 10³ m``, ``kg·m⁻²``, ``5/9 x K``) is parsed into an exact rational times a product
of SI base units. Nothing here uses float.

Where Rec 20 prints a *rounded* decimal of a unit whose definition is exact (``t/h`` is
``2,777 78 x 10⁻¹ kg/s``, ``r/min`` is ``1,67 x 10⁻²/s``, the ounce is ``2,834 952 x 10⁻² kg``),
the factor is *refined*: the Rec 20 symbol is parsed against a small table of exactly defined
units (SI prefixes, the international inch/foot/pound of 1959, the US and imperial gallons,
the IT and thermochemical calorie and Btu, ...). The refined value is used only when it has the
same dimension as the text and agrees with the printed digits (within one unit of the last
printed digit and 1 %), so a refinement can never move a factor, only complete it.
A few data errors in the CSV are corrected explicitly (``CORRECTIONS``), each with a reason.

Counts are not dimensionless: units that count items (``C62`` one/unit, ``EA``, ``H87``,
``DZN``, ``PR``, ``GRO``, ...) get the dimension ``item`` so that 1 piece never converts to
100 percent. Codes with no usable factor (packaging, most units of count, logarithmic or
non-linear scales) are kept, without a factor, with a note saying why.
"""

# ruff: noqa: RUF001, RUF002, RUF003  (unit texts are full of ×, µ, Ω on purpose)
from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT / "tools" / "data" / "unece-rec20" / "units-of-measure.csv"
DEFAULT_OUTPUT = ROOT / "src" / "isa95kit" / "units" / "_catalogue.py"
REVISION = "Rev 17"

#: order of base dimensions in a canonical dimension string
BASE_DIMENSIONS = (
    "kg", "m", "s", "A", "K", "mol", "cd", "rad", "sr",
    "bit", "Bd", "B", "Np", "nat", "Sh", "Hart", "E", "dec", "item",
)  # fmt: skip

Dims = dict[str, int]


class FactorError(ValueError):
    """A factor text or symbol that cannot be read as an exact linear factor."""


@dataclass(frozen=True)
class Value:
    """An exact rational times a product of powers of base dimensions."""

    factor: Fraction
    dims: tuple[tuple[str, int], ...] = ()

    @staticmethod
    def of(factor: Fraction | int | str, dims: Dims | None = None) -> Value:
        items = tuple(sorted((k, v) for k, v in (dims or {}).items() if v))
        return Value(Fraction(factor), items)

    def __mul__(self, other: Value) -> Value:
        dims = dict(self.dims)
        for k, v in other.dims:
            dims[k] = dims.get(k, 0) + v
        return Value.of(self.factor * other.factor, dims)

    def __truediv__(self, other: Value) -> Value:
        return self * other.power(-1)

    def power(self, exponent: int) -> Value:
        return Value.of(self.factor**exponent, {k: v * exponent for k, v in self.dims})

    def dimension(self) -> str:
        """Canonical dimension string: ``kg m-3``; ``1`` for a pure number."""
        order = {name: i for i, name in enumerate(BASE_DIMENSIONS)}
        parts = sorted(self.dims, key=lambda kv: order[kv[0]])
        return " ".join(k if v == 1 else f"{k}{v}" for k, v in parts) or "1"


def _v(factor: str | int | Fraction, **dims: int) -> Value:
    return Value.of(Fraction(factor), dims)


# -- exactly defined units ----------------------------------------------------------------------

_ONE = _v(1)
_KG, _M, _S, _A, _K = _v(1, kg=1), _v(1, m=1), _v(1, s=1), _v(1, A=1), _v(1, K=1)
_N = _v(1, kg=1, m=1, s=-2)
_PA = _N / _M.power(2)
_J = _N * _M
_W = _J / _S
_C = _A * _S
_V = _W / _A
_OHM = _V / _A
_WB = _V * _S
_LM = _v(1, cd=1, sr=1)
_INCH = _v("0.0254", m=1)
_FOOT = _v("0.3048", m=1)
_POUND = _v("0.45359237", kg=1)
_GAL_US = _INCH.power(3) * _v(231)
_GAL_UK = _v("0.00454609", m=3)
_G_N = _v("9.80665", m=1, s=-2)
_CAL_IT = _v("4.1868") * _J
_CAL_TH = _v("4.184") * _J
_DEG_F = _v(Fraction(5, 9), K=1)  # a temperature *difference*
_BTU_IT = _CAL_IT * _v(1000) * _POUND / _KG / _v(Fraction(9, 5))
_BTU_TH = _CAL_TH * _v(1000) * _POUND / _KG / _v(Fraction(9, 5))

#: SI units that take SI prefixes (shared by factor texts and symbols)
SI_UNITS: dict[str, Value] = {
    "g": _v("0.001", kg=1),
    "m": _M,
    "s": _S,
    "A": _A,
    "K": _K,
    "mol": _v(1, mol=1),
    "cd": _v(1, cd=1),
    "rad": _v(1, rad=1),
    "sr": _v(1, sr=1),
    "N": _N,
    "Pa": _PA,
    "J": _J,
    "W": _W,
    "C": _C,
    "V": _V,
    "F": _C / _V,
    "Ω": _OHM,
    "S": _OHM.power(-1),
    "Wb": _WB,
    "T": _WB / _M.power(2),
    "H": _WB / _A,
    "Hz": _S.power(-1),
    "Bq": _S.power(-1),
    "Gy": _J / _KG,
    "Sv": _J / _KG,
    "lm": _LM,
    "lx": _LM / _M.power(2),
    "kat": _v(1, mol=1, s=-1),
    "l": _v("0.001", m=3),
    "L": _v("0.001", m=3),
    "bar": _v(100000) * _PA,
    "eV": _v("1.602176634e-19") * _J,
    "bit": _v(1, bit=1),
    "byte": _v(8, bit=1),
    "Bd": _v(1, Bd=1),
}
PREFIXES: dict[str, Fraction] = {
    "Y": Fraction(10) ** 24, "Z": Fraction(10) ** 21, "E": Fraction(10) ** 18,
    "P": Fraction(10) ** 15, "T": Fraction(10) ** 12, "G": Fraction(10) ** 9,
    "M": Fraction(10) ** 6, "k": Fraction(10) ** 3, "h": Fraction(10) ** 2,
    "da": Fraction(10), "d": Fraction(1, 10), "c": Fraction(1, 100),
    "m": Fraction(1, 1000), "µ": Fraction(1, 10**6), "μ": Fraction(1, 10**6),
    "n": Fraction(1, 10**9), "p": Fraction(1, 10**12), "f": Fraction(1, 10**15),
    "a": Fraction(1, 10**18), "z": Fraction(1, 10**21), "y": Fraction(1, 10**24),
}  # fmt: skip

#: extra atoms allowed in Rec 20 *factor texts*
TEXT_UNITS: dict[str, Value] = {
    **SI_UNITS,
    "kg": _KG,
    "km": _v(1000, m=1),
    "mg": _v("1e-6", kg=1),
    "in": _INCH,
    "cal": _CAL_IT,  # only E11 gigacalorie uses a bare ``cal``; IT calorie by convention
    "Ci": _v("3.7e10", s=-1),
    "°C": _K,  # inside a compound factor a Celsius degree is a temperature difference
    "B": _v(1, B=1),
    "Np": _v(1, Np=1),
    "nat": _v(1, nat=1),
    "Sh": _v(1, Sh=1),
    "Hart": _v(1, Hart=1),
    "E": _v(1, E=1),
    "dec": _v(1, dec=1),
    "pascal": _PA,
}

#: exactly defined non-SI atoms allowed in Rec 20 *symbols* (used to refine rounded factors)
SYMBOL_UNITS: dict[str, Value] = {
    **{p + u: _v(f) * v for p, f in PREFIXES.items() for u, v in SI_UNITS.items()},
    **SI_UNITS,
    "t": _v(1000, kg=1),
    "kt": _v(10**6, kg=1),
    "Mt": _v(10**9, kg=1),
    "min": _v(60, s=1),
    "h": _v(3600, s=1),
    "d": _v(86400, s=1),
    "wk": _v(604800, s=1),
    "y": _v(31557600, s=1),  # Julian year of 365,25 days, as Rec 20 ANN defines it
    "mo": _v(2629800, s=1),  # 1/12 of that year, as Rec 20 MON defines it
    "°C": _K,
    "ºC": _K,
    "°F": _DEG_F,
    "ºF": _DEG_F,
    "°R": _DEG_F,
    "ºR": _DEG_F,
    "in": _INCH,
    "ft": _FOOT,
    "yd": _v("0.9144", m=1),
    "mi": _v("1609.344", m=1),
    "mil": _INCH / _v(1000),
    "Å": _v("1e-10", m=1),
    "ha": _v(10000, m=2),
    "lb": _POUND,
    "oz": _POUND / _v(16),
    "lbf": _POUND * _G_N,
    "kgf": _KG * _G_N,
    "kp": _KG * _G_N,
    "ozf": _POUND * _G_N / _v(16),
    "pdl": _POUND * _FOOT / _S.power(2),
    "slug": _POUND * _G_N * _S.power(2) / _FOOT,
    "psi": _POUND * _G_N / _INCH.power(2),
    "ksi": _v(1000) * _POUND * _G_N / _INCH.power(2),
    "atm": _v(101325) * _PA,
    "Torr": _v(Fraction(101325, 760)) * _PA,
    "cal": _CAL_IT,
    "calIT": _CAL_IT,
    "calth": _CAL_TH,
    "kcalIT": _v(1000) * _CAL_IT,
    "kcalth": _v(1000) * _CAL_TH,
    "BtuIT": _BTU_IT,
    "Btuth": _BTU_TH,
    "erg": _v("1e-7") * _J,
    "dyn": _v("1e-5") * _N,
    "P": _v("0.1") * _PA * _S,
    "cP": _v("0.001") * _PA * _S,
    "St": _v("1e-4", m=2, s=-1),
    "cSt": _v("1e-6", m=2, s=-1),
    "Gal": _v("0.01", m=1, s=-2),
    "%": _v("0.01"),
    "‰": _v("0.001"),
    "ppm": _v("1e-6"),
    "ppb": _v("1e-9"),
    "galUS": _GAL_US,
    "galUK": _GAL_UK,
    "qtUS": _GAL_US / _v(4),
    "qtUK": _GAL_UK / _v(4),
    "ptUS": _GAL_US / _v(8),
    "ptUK": _GAL_UK / _v(8),
    "giUS": _GAL_US / _v(32),
    "giUK": _GAL_UK / _v(32),
    "flozUS": _GAL_US / _v(128),
    "flozUK": _GAL_UK / _v(160),
    "buUS": _INCH.power(3) * _v("2150.42"),
    "buUK": _GAL_UK * _v(8),
    "galUSdry": _INCH.power(3) * _v("268.8025"),
    "qtUSdry": _INCH.power(3) * _v("268.8025") / _v(4),
    "ptUSdry": _INCH.power(3) * _v("268.8025") / _v(8),
    "pkUS": _INCH.power(3) * _v("537.605"),
    "bblUS": _GAL_US * _v(42),  # the petroleum barrel of Rec 20 BLL
    "cwtUS": _POUND * _v(100),
    "cwtUK": _POUND * _v(112),
    "tonUS": _POUND * _v(2000),
    "tonUK": _POUND * _v(2240),
    "troz": _v("0.0311034768", kg=1),
    "st": _POUND * _v(14),
    "gr": _v("0.00006479891", kg=1),
    "hpmetric": _v("735.49875") * _W,
    "mmHg": _v("133.322387415") * _PA,  # conventional: 13,5951 g/cm³ x 1 mm x g_n
    "inHg": _v("3386.388640341") * _PA,  # conventional: 25,4 mm Hg
    "inH₂O": _v("249.08891") * _PA,  # conventional: 25,4 mm x 1 000 kg/m³ x g_n
    "r": _ONE,  # revolution, as Rec 20 writes r/min = 1,67 x 10⁻²/s
    "rev": _ONE,
}
#: multi-word symbols, rewritten to one atom before tokenising
SYMBOL_PHRASES = (
    ("tr oz", "troz"), ("metric hp", "hpmetric"), ("mm Hg", "mmHg"),
    ("liq pt (US)", "ptUS"), ("liq qt (US)", "qtUS"), ("dry gal (US)", "galUSdry"),
    ("dry qt (US)", "qtUSdry"), ("dry pt (US)", "ptUSdry"), ("bushel (UK)", "buUK"),
    ("gal (US liq.)", "galUS"), ("qt (US liq.)", "qtUS"), ("pt (US liq.)", "ptUS"),
    ("qt (UK liq.)", "qtUK"), ("pt (UK liq.)", "ptUK"), ("bu (US dry)", "buUS"),
    ("pk (US dry)", "pkUS"), ("barrel (US)", "bblUS"),
    ("fl oz (US)", "flozUS"), ("fl oz (UK)", "flozUK"),
    ("gal (US)", "galUS"), ("gal (UK)", "galUK"),
    ("qt (US)", "qtUS"), ("qt (UK)", "qtUK"), ("pt (US)", "ptUS"), ("pt (UK)", "ptUK"),
    ("gi (US)", "giUS"), ("gi (UK)", "giUK"), ("bu (US)", "buUS"), ("bu (UK)", "buUK"),
    ("cwt (US)", "cwtUS"), ("cwt (UK)", "cwtUK"), ("ton (US)", "tonUS"), ("ton (UK)", "tonUK"),
)  # fmt: skip

#: data errors in the CSV, corrected here with a reason (code -> corrected factor text, reason)
CORRECTIONS: dict[str, tuple[str, str]] = {
    "KNM": ("10³ Pa", "CSV has '103pascal': the superscript of 10³ was lost"),
    "Q35": ("1.667 × 10⁴ W/s", "CSV has '1.667 × 104': the superscript of 10⁴ was lost"),
    "ATM": ("101 325 Pa", "CSV has '1 013 25 Pa' (misplaced digit group)"),
    "STN": ("0,907 184 7 x 10³ kg", "CSV has '0,907184 7' (misplaced digit group)"),
    "C46": ("10⁻⁹ Ω x m", "CSV has a doubled operator 'Ω·x m'"),
    "M96": ("3,511 677 x 10⁻³ N x m", "CSV lacks the 'x' before 10⁻³"),
    "C94": ("1,666 667 x 10⁻² s⁻¹", "CSV has 's' for a reciprocal minute; it is s⁻¹"),
    "K70": ("2,323 282 x 10⁻³ (kg/m³)/Pa", "CSV gives the number without its unit"),
    "L91": ("0,131 576 kg/Pa", "CSV gives the number without its unit"),
    "TPI": ("1/(2,54 x 10⁻² m)", "CSV has '0.0254 /m'; teeth per inch is 1/in = 1/(0,0254 m)"),
    "N3": ("0,013 8 in", "CSV has '0,013 8 in (approx)'; the printer's point is 0,0138 in"),
    "2N": ("10⁻¹ B", "CSV has the irrational '0,115 129 3 Np'; a decibel is exactly 1/10 bel"),
    "GLI": ("4,546 09 x 10⁻³ m³", "CSV has 4,546 092; the imperial gallon is 4,546 09 l exactly"),
    "H49": ("10⁻² m/(3 600 s)", "CSV is 10 times too small for cm/h"),
    "H67": ("10⁻³ m/(3 600 s)", "CSV is 10 times too small for mm/h"),
    "H66": ("10⁻³ m/(3,155 76 x 10⁷ s)", "CSV has 3,15576 × 10⁴ m/s for mm/y"),
    "H76": ("kg/m", "CSV has 10¹ kg/m; 1 g/mm is 1 kg/m"),
    "H85": ("1/(604 800 s)", "CSV has 1,647 989 452 868 × 10⁻⁶ s⁻¹; a week is 604 800 s"),
    "K32": ("1,420 653 x 10⁻⁴ m³/(86 400 s)", "CSV is 10⁴ times too large for gi (UK)/d"),
    "K34": ("1,420 653 x 10⁻⁴ m³/(60 s)", "CSV is 10⁴ times too large for gi (UK)/min"),
    "L21": ("10⁻⁹", "CSV has 10⁹ for mm³/m³"),
    "M22": ("10⁻⁶ m³/(60 s x 10⁻⁴ m²)", "CSV has 2,777 778 x 10⁻⁶ for (ml/min)/cm²"),
    "P71": ("10⁻³ Sv/(3 600 s)", "CSV is 10 times too small for mSv/h"),
    "P72": ("10⁻⁶ Sv/(3 600 s)", "CSV is 10 times too small for µSv/h"),
    "P73": ("10⁻⁹ Sv/(3 600 s)", "CSV is 10 times too small for nSv/h"),
    "APZ": ("3,110 348 x 10⁻² kg", "CSV is 10 times too small: a troy ounce is 31,103 476 8 g"),
    "N69": ("4,181 90 J", "CSV gives the number without its unit"),
}
#: factors that cannot be exact (a reason instead of a factor)
NOT_LINEAR = {
    "Q30": "pH is a logarithm of a concentration, not a linear factor",
    "DBW": "decibel watt is a logarithmic scale",
    "DBM": "decibel milliwatt is a logarithmic scale",
    "H41": "the factor has a half-integer exponent (W⁻⁰‧⁵)",
    "H57": "the factor contains π (not rational)",
    "TAN": "milligrams of KOH per gram of sample is a substance-specific ratio",
}
#: units of count (dimension ``item``) -> number of single items; overrides a dimensionless
#: Rec 20 factor (``DZN`` = 12) or supplies one where the name defines it exactly (``T3``)
ITEM_COUNTS: dict[str, int] = {
    "C62": 1, "EA": 1, "H87": 1, "NAR": 1,
    "PR": 2, "QD": 3, "HD": 6, "TP": 10, "DZN": 12, "DPC": 12, "TPR": 20, "DPR": 24,
    "SCO": 20, "CEN": 100, "HC": 100, "GRO": 144, "MIL": 1000, "T3": 1000, "GGR": 1728,
    "MIO": 10**6, "MLD": 10**9, "BIL": 10**12, "TRL": 10**18,
}  # fmt: skip
#: temperature scales with an offset: code -> offset in kelvin (K = value x factor + offset)
OFFSETS: dict[str, Fraction] = {
    "CEL": Fraction("273.15"),
    "FAH": Fraction("459.67") * Fraction(5, 9),
}
#: replacements that Rec 20's descriptions do not name but common practice does;
#: each is also a legacy code no longer in Rev 17 (row added with status "X")
LEGACY: dict[str, tuple[str, str]] = {
    "PCE": ("piece", "H87"),
}


# -- tokenising and parsing ---------------------------------------------------------------------

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_TEXT_NUMBER = re.compile(r"\d+(?: \d{3})*(?:[,.] ?(?:\d{3} (?=\d))*\d+)?")
_SYMBOL_NUMBER = re.compile(r"\d+(?:[,.]\d+)?")
_SUPERSCRIPT = re.compile(r"⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+|⁻[0-9]+")
_MUL = set("*x×·‧.")


@dataclass
class _Parse:
    """Recursive-descent parser of a factor text or a symbol into a :class:`Value`."""

    text: str
    atoms: dict[str, Value]
    symbol: bool
    pos: int = 0
    precision: Fraction = Fraction(0)  # largest relative rounding step of any decimal number
    _names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._names = sorted(self.atoms, key=len, reverse=True)

    def run(self) -> Value:
        value = self.expr()
        self.space()
        if self.pos != len(self.text):
            raise FactorError(f"unexpected {self.text[self.pos :]!r} in {self.text!r}")
        return value

    def space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expr(self) -> Value:
        value = self.product()
        while self.peek() == "/":
            # Rec 20 writes ``J/kg x K`` for J/(kg·K): a denominator of units runs to the next
            # ``/``; a number after ``/`` (``5/9 x K``) or after the units (``V/m x 10²``) does not
            self.pos += 1
            first = self.term()
            if not first.dims:
                value = value / first
                for term in self.terms():
                    value = value * term
                continue
            denominator, outside = first, _ONE
            for term in self.terms():
                if term.dims:
                    denominator = denominator * term
                else:
                    outside = outside * term
            value = value / denominator * outside
        return value

    def product(self) -> Value:
        value = _ONE
        for term in self.terms(first=True):
            value = value * term
        return value

    def terms(self, first: bool = False) -> Iterator[Value]:
        """The factors of a product, up to the next ``/`` or ``)``."""
        if first:
            yield self.term()
        while True:
            char = self.peek()
            if char in _MUL and char:
                self.pos += 1
                yield self.term()
            elif char and char not in ")/":
                yield self.term()  # juxtaposition: ``10³ m``, ``kg m``
            else:
                return

    def term(self) -> Value:
        char = self.peek()
        if char == "(":
            self.pos += 1
            value = self.expr()
            if self.peek() != ")":
                raise FactorError(f"unbalanced parenthesis in {self.text!r}")
            self.pos += 1
        elif char in "0123456789" and char:
            value = self.number()
        else:
            value = self.atom()
        return value.power(self.exponent())

    def number(self) -> Value:
        pattern = _SYMBOL_NUMBER if self.symbol else _TEXT_NUMBER
        match = pattern.match(self.text, self.pos)
        assert match is not None
        self.pos = match.end()
        digits = match.group().replace(" ", "").replace(",", ".")
        value = Fraction(digits)
        if "." in digits and value:
            step = Fraction(1, 10 ** len(digits.split(".")[1]))
            self.precision = max(self.precision, step / value)
        # ``10-3`` (a lost superscript) directly after a number is an exponent
        minus = re.compile(r"-(\d+)").match(self.text, self.pos)
        if minus and digits == "10" and not self.symbol:
            self.pos = minus.end()
            value = value ** -int(minus.group(1))
        return Value.of(value)

    def atom(self) -> Value:
        for name in self._names:
            if self.text.startswith(name, self.pos):
                end = self.pos + len(name)
                # an atom must not run into letters (``mol`` is not ``m`` + ``ol``)
                if end < len(self.text) and self.text[end].isalpha() and name[-1].isalpha():
                    continue
                self.pos = end
                return self.atoms[name]
        raise FactorError(f"unknown unit {self.text[self.pos :]!r} in {self.text!r}")

    def exponent(self) -> int:
        match = _SUPERSCRIPT.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            return int(match.group().translate(_SUPERSCRIPTS))
        match = re.compile(r"\^?(-?\d+)(?![\d,.])").match(self.text, self.pos)
        before = self.text[self.pos - 1] if self.pos else " "
        if match and not before.isdigit() and not before.isspace() and before != ")":
            # ``m3`` (a lost superscript) directly after a unit
            self.pos = match.end()
            return int(match.group(1))
        return 1


def parse_text(text: str) -> tuple[Value, Fraction]:
    """Parse a Rec 20 factor text; return the value and its relative printed precision."""
    cleaned = unicodedata.normalize("NFC", text).replace("\xa0", " ").strip()
    if not cleaned:
        raise FactorError("no factor")
    parser = _Parse(cleaned, TEXT_UNITS, symbol=False)
    return parser.run(), parser.precision


def parse_symbol(symbol: str) -> Value:
    """Parse a Rec 20 symbol against the exactly defined units."""
    cleaned = unicodedata.normalize("NFC", symbol).replace("\xa0", " ").strip()
    for phrase, atom in SYMBOL_PHRASES:
        cleaned = cleaned.replace(phrase, atom)
    if not cleaned:
        raise FactorError("no symbol")
    return _Parse(cleaned, SYMBOL_UNITS, symbol=True).run()


# -- rows ---------------------------------------------------------------------------------------


@dataclass
class Row:
    code: str
    name: str
    symbol: str
    level: str
    status: str
    text: str
    factor: Fraction | None = None
    offset: Fraction = Fraction(0)
    dimension: str = ""
    source: str = ""  # text | refined | corrected | count | legacy | "" (no factor)
    replacement: str = ""
    note: str = ""


_COMMON_CODE = re.compile(r"common code (\w+)")
_USE_NAME = re.compile(r"^[Uu]se (?!UN/ECE)(.+?)\s*$")


def _replacement(description: str, factor_text: str, names: dict[str, str]) -> str:
    match = _COMMON_CODE.search(description)
    if match:
        return match.group(1)
    for part in [*description.split(","), factor_text]:
        use = _USE_NAME.match(part.strip())
        if use and use.group(1).lower() in names:
            return names[use.group(1).lower()]
    return ""


def _factor(record: dict[str, str]) -> Row:
    code = record["CommonCode"].strip()
    row = Row(
        code=code,
        name=" ".join(record["Name"].split()),
        symbol=" ".join(record["Symbol"].replace("\xa0", " ").split()),
        level=record["LevelAndCategory"].strip(),
        status=record["Status"].strip(),
        text=" ".join(record["ConversionFactor"].replace("\xa0", " ").split()),
    )
    if code in NOT_LINEAR:
        row.note = NOT_LINEAR[code]
        return row
    text = row.text
    if code in CORRECTIONS:
        text, row.note = CORRECTIONS[code]
    try:
        value, precision = parse_text(text)
    except FactorError as exc:
        if code in ITEM_COUNTS:
            row.factor, row.dimension, row.source = Fraction(ITEM_COUNTS[code]), "item", "count"
            row.note = "a count of single items (not a physical quantity)"
        elif row.text.lower().startswith("use "):
            row.note = f"Rec 20 gives no factor ({row.text!r})"
        elif row.text:
            row.note = f"factor text not understood: {exc}"
        return row
    row.factor, row.dimension = value.factor, value.dimension()
    row.source = "corrected" if code in CORRECTIONS else "text"
    if code in ITEM_COUNTS:
        if row.dimension != "1" or row.factor != ITEM_COUNTS[code]:
            raise SystemExit(f"{code}: count {ITEM_COUNTS[code]} disagrees with {row.text!r}")
        row.dimension, row.source = "item", "count"
        row.note = "a count of single items (not a physical quantity)"
        return row
    refined = _refine(row, value, precision)
    if refined is not None:
        row.factor, row.source = refined, "refined"
    if code in OFFSETS:
        row.offset = OFFSETS[code]
    return row


def _refine(row: Row, value: Value, precision: Fraction) -> Fraction | None:
    """The exact factor behind a rounded Rec 20 text, or None where the text is already exact."""
    if not precision or not row.symbol:
        return None
    try:
        exact = parse_symbol(row.symbol)
    except FactorError:
        return None
    if exact.dims != value.dims or exact.factor == value.factor or not exact.factor:
        return None
    deviation = abs(value.factor / exact.factor - 1)
    if deviation <= min(3 * precision, Fraction(1, 100)):
        return exact.factor
    return None


def read_rows(csv_path: Path) -> list[Row]:
    with open(csv_path, encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    rows = [_factor(record) for record in records]
    names: dict[str, str] = {}
    for row in rows:
        if row.status != "X":
            names.setdefault(row.name.lower(), row.code)
    known = {row.code for row in rows}
    for row, record in zip(rows, records, strict=True):
        if row.status in ("X", "D"):
            row.replacement = _replacement(record["Description"], record["ConversionFactor"], names)
            if row.replacement and row.replacement not in known:
                raise SystemExit(f"{row.code}: replacement {row.replacement} is not a Rec 20 code")
    for code, (name, replacement) in LEGACY.items():
        if code in known:
            raise SystemExit(f"legacy code {code} is in the CSV now: drop it from LEGACY")
        rows.append(Row(code, name, "", "", "X", "", replacement=replacement, source="legacy",
                        note="legacy code, deleted from Rec 20 before Rev 17"))  # fmt: skip
    for row in rows:
        if row.source == "legacy":
            target = next(r for r in rows if r.code == row.replacement)
            row.factor, row.dimension, row.offset = target.factor, target.dimension, target.offset
    return rows


# -- output -------------------------------------------------------------------------------------

HEADER = '''\
"""UN/ECE Recommendation 20 ({revision}) unit catalogue.

GENERATED by tools/gen_units.py from tools/data/unece-rec20/units-of-measure.csv
(UN/ECE Rec 20 {revision}) — do not edit. Regenerate with ``python tools/gen_units.py``.

Source data: UN/ECE Recommendation 20, public domain (ODC PDDL).

Each row: code, name, symbol, level/category, status (blank active, X deleted, D deprecated),
factor text as printed by Rec 20, factor numerator, factor denominator (0: no factor), offset
numerator, offset denominator, dimension (``kg m-3``, ``1`` pure number, ``item`` count,
blank: none), source of the factor (text, refined, corrected, count, legacy, blank),
replacement code, note. The factor converts one unit to the SI base of its dimension:
``base = value * num / den + offset_num / offset_den``.
"""
# fmt: off
# ruff: noqa

from __future__ import annotations

from typing import Final

Row = tuple[str, str, str, str, str, str, int, int, int, int, str, str, str, str]

REVISION: Final = "{revision}"
BASE_DIMENSIONS: Final = ({base})

UNITS: Final[tuple[Row, ...]] = (
'''


def render(rows: Iterable[Row]) -> str:
    base = ", ".join(_literal(name) for name in BASE_DIMENSIONS)
    out = [HEADER.format(revision=REVISION, base=base)]
    for row in rows:
        num, den = (row.factor.numerator, row.factor.denominator) if row.factor else (0, 0)
        fields = (
            row.code, row.name, row.symbol, row.level, row.status, row.text, num, den,
            row.offset.numerator, row.offset.denominator, row.dimension, row.source,
            row.replacement, row.note,
        )  # fmt: skip
        out.append("    (" + ", ".join(_literal(f) for f in fields) + "),\n")
    out.append(")\n")
    return "".join(out)


def _literal(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def report(rows: list[Row]) -> Iterator[str]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.source or "none"] = counts.get(row.source or "none", 0) + 1
    physical = sum(1 for row in rows if row.factor is not None and row.dimension != "item")
    yield f"{len(rows)} codes; {physical} with an exact SI factor; by source: {counts}"
    for row in rows:
        if row.source == "refined":
            yield f"refined  {row.code:4} {row.symbol:24} {row.text}"
    for row in rows:
        if row.factor is None and row.text:
            yield f"no factor {row.code:4} {row.text!r}: {row.note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--report", action="store_true", help="print how each factor was found")
    parser.add_argument("--check", action="store_true", help="fail if --output is not current")
    args = parser.parse_args(argv)
    rows = read_rows(args.csv)
    if args.report:
        for line in report(rows):
            print(line)
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != render(rows):
            print(f"{args.output} is stale: run python tools/gen_units.py", file=sys.stderr)
            return 1
        print(f"{args.output.name} is up to date", file=sys.stderr)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(rows), encoding="utf-8")
    print(next(report(rows)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
