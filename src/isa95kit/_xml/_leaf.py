"""Lexical <-> value conversion of XSD simple types used by B2MML (no float anywhere).

Each codec has ``parse(text) -> value`` (raising ``ValueError`` with a readable message)
and ``fmt(value) -> str`` producing the canonical lexical form. The decoder keeps the
original text when it differs from ``fmt(parse(text))``, so round trips are exact.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

__all__ = ["LeafCodec", "enum_codec", "leaf_codec"]

_DECIMAL = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*\Z")
_INT = re.compile(r"\s*[+-]?\d+\s*\Z")
_TZ = r"(Z|[+-]\d\d:\d\d)?"
_DATETIME = re.compile(r"\s*(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?" + _TZ + r"\s*\Z")
_DATE = re.compile(r"\s*(-?\d{4,})-(\d\d)-(\d\d)" + _TZ + r"\s*\Z")
#: datetime.fromisoformat accepts "Z" and any fraction length from Python 3.11 on
_FAST_ISO = sys.version_info >= (3, 11)
_TIME = re.compile(r"\s*(\d\d):(\d\d):(\d\d)(\.\d+)?" + _TZ + r"\s*\Z")


class LeafCodec:
    __slots__ = ("exact", "fmt", "kind", "parse")

    def __init__(
        self, kind: str, parse: Callable[[str], Any], fmt: Callable[[Any], str], exact: bool
    ) -> None:
        self.kind = kind
        self.parse = parse
        self.fmt = fmt
        #: True when fmt(parse(text)) == text always holds (no lexical record needed)
        self.exact = exact


def _str(text: str) -> str:
    return text


def _decimal(text: str) -> Decimal:
    if _DECIMAL.match(text) is None:
        raise ValueError(f"{text!r} is not a decimal number (digits, one optional point)")
    try:
        return Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - excluded by the pattern
        raise ValueError(f"{text!r} is not a decimal number") from None


def _fmt_decimal(value: Any) -> str:
    if isinstance(value, float):
        raise TypeError("floats are not exact: use Decimal or a string")
    d = value if isinstance(value, Decimal) else Decimal(value)
    if not d.is_finite():
        raise ValueError(f"{d} is not a finite decimal number")
    return format(d, "f")


def _int(text: str) -> int:
    if _INT.match(text) is None:
        raise ValueError(f"{text!r} is not an integer")
    return int(text)


def _bool(text: str) -> bool:
    t = text.strip()
    if t in ("true", "1"):
        return True
    if t in ("false", "0"):
        return False
    raise ValueError(f"{text!r} is not a boolean (true or false)")


def _fmt_bool(value: Any) -> str:
    return "true" if value else "false"


def _tz(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59 or (hours == 14 and minutes):
        raise ValueError(f"timezone offset {text} is out of range (-14:00 to +14:00)")
    offset = timedelta(hours=hours, minutes=minutes) * sign
    return timezone.utc if not offset else timezone(offset)


def _micro(frac: str | None) -> int:
    return int((frac[1:] + "000000")[:6]) if frac else 0


def _datetime(text: str) -> datetime:
    m = _DATETIME.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not an xsd:dateTime (YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm])")
    tz = m.group(8)
    # fromisoformat takes offsets up to 23:59; xsd allows -14:00..+14:00 only
    if _FAST_ISO and (not tz or tz == "Z" or (tz[1:3] < "14" and tz[4] < "6")):
        try:  # C speed for the common forms; the pattern above already enforced xsd syntax
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # 24:00:00, > 6 fraction digits, surrounding blanks: the exact path below
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        if h == "24" and mi == "00" and s == "00" and not frac:
            base = datetime(int(y), int(mo), int(d), 0, 0, 0, 0, _tz(tz))
            return base + timedelta(days=1)
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), _micro(frac), _tz(tz))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid dateTime: {exc}") from None


def _fmt_tz(value: datetime | time) -> str:
    off = value.utcoffset()
    if off is None:
        return ""
    if not off:
        return "Z"
    total = int(off.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}"


def _fmt_datetime(value: Any) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    text = value.isoformat()
    if text[-6:] == "+00:00":
        return text[:-6] + "Z"
    if len(text) > 6 and text[-9] in "+-" and text[-6] == ":" and text[-3] == ":":
        return value.replace(tzinfo=None).isoformat() + _fmt_tz(value)  # offset with seconds
    return text


def _date(text: str) -> date:
    m = _DATE.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not an xsd:date (YYYY-MM-DD)")
    y, mo, d, tz = m.groups()
    if tz:
        _tz(tz)
    try:
        return date(int(y), int(mo), int(d))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date: {exc}") from None


def _fmt_date(value: Any) -> str:
    return str(value.isoformat())


def _time(text: str) -> time:
    m = _TIME.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not an xsd:time (hh:mm:ss[.fff][Z|±hh:mm])")
    h, mi, s, frac, tz = m.groups()
    try:
        return time(int(h), int(mi), int(s), _micro(frac), _tz(tz))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid time: {exc}") from None


def _fmt_time(value: Any) -> str:
    return str(value.replace(tzinfo=None).isoformat()) + _fmt_tz(value)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64 binary content") from None


def _fmt_b64(value: Any) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not hexBinary") from None


def _fmt_hex(value: Any) -> str:
    return bytes(value).hex().upper()


_CODECS = {
    "str": LeafCodec("str", _str, str, True),
    "decimal": LeafCodec("decimal", _decimal, _fmt_decimal, False),
    "int": LeafCodec("int", _int, str, False),
    "bool": LeafCodec("bool", _bool, _fmt_bool, False),
    "datetime": LeafCodec("datetime", _datetime, _fmt_datetime, False),
    "date": LeafCodec("date", _date, _fmt_date, False),
    "time": LeafCodec("time", _time, _fmt_time, False),
    "bytes": LeafCodec("bytes", _b64, _fmt_b64, False),
    "hexbytes": LeafCodec("hexbytes", _hex, _fmt_hex, False),
}


def leaf_codec(kind: str) -> LeafCodec:
    return _CODECS[kind]


_ENUMS: dict[type[Enum], LeafCodec] = {}


def enum_codec(enum_cls: type[Enum]) -> LeafCodec:
    codec = _ENUMS.get(enum_cls)
    if codec is None:
        allowed = ", ".join(repr(m.value) for m in enum_cls)
        if any(m.value == "Other" for m in enum_cls):
            allowed += "; use 'Other' with the OtherValue attribute for anything else"

        members = {m.value: m for m in enum_cls}
        lookup = members.get

        def parse(text: str) -> Enum:
            member = lookup(text)
            if member is None:
                raise ValueError(
                    f"{text!r} is not a value of {enum_cls.__name__} (allowed: {allowed})"
                )
            return member

        def fmt(value: Any) -> str:
            return str(value.value if isinstance(value, Enum) else enum_cls(value).value)

        codec = _ENUMS[enum_cls] = LeafCodec("enum", parse, fmt, True)
    return codec
