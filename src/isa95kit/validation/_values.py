"""Lexical checks of B2MML values against their declared ``DataType`` (pure Python, no lxml).

``QuantityString`` and ``ValueString`` are free text in the schema (``AnyGenericValueType``);
their ``DataType`` sibling says what they should hold. These helpers answer "is this text a
value of that type?" with the XML Schema 1.0 lexical rules (whitespace collapsed first).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = [
    "NUMERIC_DATATYPES",
    "compare_datetimes",
    "has_timezone",
    "OTHER_CHECKED_DATATYPES",
    "lexical_problem",
    "number_problem",
    "parse_datetime",
]

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(r"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF|NaN)\Z")

#: bounded integer types of XML Schema: (minimum, maximum), None = unbounded
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "positiveInteger": (1, None),
    "negativeInteger": (None, -1),
    "nonNegativeInteger": (0, None),
    "nonPositiveInteger": (None, 0),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}
#: UN/CEFACT core component types of the DataType list that hold decimal numbers
_DECIMAL_TYPES = frozenset({"decimal", "Numeric", "Amount", "Quantity", "Measure"})
_FLOAT_TYPES = frozenset({"float", "double"})

#: DataType values whose text must be a number
NUMERIC_DATATYPES = frozenset(_INTEGER_RANGES) | _DECIMAL_TYPES | _FLOAT_TYPES

_BOOLEAN = frozenset({"true", "false", "1", "0"})
_DATETIME = re.compile(
    r"(?P<date>-?[0-9]{4,}-[0-9]{2}-[0-9]{2})T(?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})"
    r"(?P<frac>\.[0-9]+)?(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)
#: the common case, compared as text: 2024-05-01T06:00:00Z, 2024-05-01T06:00:00.123Z
_SIMPLE_UTC = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z\Z"
)
_DATE = re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})?\Z")
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?\Z")
_DURATION = re.compile(
    r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?\Z"
)

#: non-numeric DataType values whose lexical form is checked, with a description
OTHER_CHECKED_DATATYPES: dict[str, str] = {
    "boolean": "true, false, 1 or 0",
    "Indicator": "true, false, 1 or 0",
    "dateTime": "an xs:dateTime such as 2024-05-01T06:00:00Z",
    "DateTime": "an xs:dateTime such as 2024-05-01T06:00:00Z",
    "date": "an xs:date such as 2024-05-01",
    "time": "an xs:time such as 06:00:00Z",
    "duration": "an xs:duration such as PT1H30M",
}


def _collapse(text: str) -> str:
    return " ".join(text.split())


def number_problem(datatype: str, text: str) -> str | None:
    """Why ``text`` is not a number of ``datatype`` (None when it is, or not a numeric type)."""
    value = text.strip()  # a number has no inner whitespace to collapse
    if datatype in _FLOAT_TYPES:
        return None if _FLOAT.match(value) else "not a floating-point number"
    if datatype in _DECIMAL_TYPES:
        return None if _DECIMAL.match(value) else "not a decimal number"
    bounds = _INTEGER_RANGES.get(datatype)
    if bounds is None:
        return None
    if not _INTEGER.match(value):
        return "not an integer"
    number = int(value)
    low, high = bounds
    if low is not None and number < low:
        return f"below the {datatype} minimum {low}"
    if high is not None and number > high:
        return f"above the {datatype} maximum {high}"
    return None


def lexical_problem(datatype: str, text: str) -> str | None:
    """Why ``text`` is not a value of a non-numeric checked ``datatype`` (None when fine)."""
    value = _collapse(text)
    if datatype in ("boolean", "Indicator"):
        ok = value in _BOOLEAN
    elif datatype in ("dateTime", "DateTime"):
        ok = parse_datetime(value) is not None
    elif datatype == "date":
        ok = _DATE.match(value) is not None
    elif datatype == "time":
        ok = _TIME.match(value) is not None
    elif datatype == "duration":
        ok = _DURATION.match(value) is not None
    else:
        return None
    return None if ok else f"not {OTHER_CHECKED_DATATYPES[datatype]}"


#: timezone text -> tzinfo (``Z`` and the offsets met so far)
_ZONES: dict[str, timezone] = {"Z": timezone.utc}


def parse_datetime(text: str) -> datetime | None:
    """An ``xs:dateTime`` as a datetime (aware when the text has a timezone), else None.

    Works on Python 3.10 (no ``fromisoformat`` with ``Z``), keeps microseconds, accepts the
    end-of-day form ``24:00:00``; years outside 1-9999 give None.
    """
    match = _DATETIME.match(text.strip())
    if match is None:
        return None
    try:
        year, month, day = (int(part) for part in match["date"].rsplit("-", 2))
        hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"])
        micro = int((match["frac"] or ".0")[1:7].ljust(6, "0"))
        extra = timedelta()
        if hour == 24 and minute == 0 and second == 0 and micro == 0:
            hour, extra = 0, timedelta(days=1)
        tz = match["tz"]
        tzinfo = _ZONES.get(tz) if tz else None
        if tz and tzinfo is None:
            sign = -1 if tz[0] == "-" else 1
            offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
            tzinfo = timezone(sign * offset)
            if len(_ZONES) < 2048:  # offsets are few; bounded all the same
                _ZONES[tz] = tzinfo
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tzinfo) + extra
    except (ValueError, OverflowError):
        return None


def has_timezone(text: str) -> bool | None:
    """True/False for an ``xs:dateTime`` with/without timezone; None for other text."""
    match = _DATETIME.match(text)
    return None if match is None else match["tz"] is not None


#: date text -> whether it is a real day (years 1-9999); bounded
_DAYS: dict[str, bool] = {}


def _exists(match: re.Match[str]) -> bool:
    """Whether :func:`parse_datetime` gives a datetime for a matched four-digit-year text
    before 24:00 (a real day, time and offset), without building it."""
    if match["m"] > "59" or match["s"] > "59" or match["h"] > "23":
        return False
    day = match["date"]
    real = _DAYS.get(day)
    if real is None:
        try:
            datetime(int(day[:4]), int(day[5:7]), int(day[8:10]))
            real = True
        except ValueError:
            real = False
        if len(_DAYS) < 4096:
            _DAYS[day] = real
    tz = match["tz"]
    if not real or not tz or tz in _ZONES:
        return real
    return parse_datetime("2000-01-01T00:00:00" + tz) is not None  # caches a good offset


def compare_datetimes(first: str, second: str) -> int | None:
    """-1, 0 or 1 as ``first`` is before, at or after ``second``; None when not comparable.

    Two date-times are not comparable when one is not an ``xs:dateTime`` or exactly one has
    a timezone. Values written alike (same timezone text, four-digit year, same precision)
    compare as strings, without building datetimes.
    """
    if (
        len(first) == len(second) >= 20
        and first[10] == second[10] == "T"
        and first[-1] == second[-1] == "Z"
        and _SIMPLE_UTC.match(first)
        and _SIMPLE_UTC.match(second)
    ):
        return (first > second) - (first < second)
    a, b = _DATETIME.match(first), _DATETIME.match(second)
    if a is None or b is None or (a["tz"] is None) != (b["tz"] is None):
        return None
    if (
        a["tz"] == b["tz"]
        and len(a["date"]) == len(b["date"]) == 10
        and a["h"] != "24"
        and b["h"] != "24"
    ):  # one offset: the local times compare as text
        frac_a, frac_b = a["frac"] or ".", b["frac"] or "."
        if len(frac_a) == len(frac_b):
            return (first > second) - (first < second)
        if len(frac_a) <= 7 and len(frac_b) <= 7 and _exists(a) and _exists(b):
            # microseconds at most, real instants (as parse_datetime would find): pad
            x_key = (first[:19], frac_a.ljust(7, "0"))
            y_key = (second[:19], frac_b.ljust(7, "0"))
            return (x_key > y_key) - (x_key < y_key)
    x, y = parse_datetime(first), parse_datetime(second)
    if x is None or y is None:
        return None
    return (x > y) - (x < y)
