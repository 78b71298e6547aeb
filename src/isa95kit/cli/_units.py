"""``isa95kit units``: convert quantities exactly and show UN/ECE Rec 20 codes.

::

    isa95kit units convert 3 BX EA --factor BX=12EA      # 36 EA
    isa95kit units convert 1 KGM LBR --places 6           # 2.204623 LBR
    isa95kit units show KGM                               # code, name, symbol, factor, ...
"""

from __future__ import annotations

import argparse
import contextlib
import decimal
import json
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from ..errors import IncompatibleUnitsError
from . import EXIT_OK

_MODES = {
    name.removeprefix("ROUND_").lower().replace("_", "-"): getattr(decimal, name)
    for name in dir(decimal)
    if name.startswith("ROUND_")
}


def register(sub: Any) -> None:
    p = sub.add_parser("units", help="convert quantities exactly; show UN/ECE Rec 20 unit codes")
    units = p.add_subparsers(dest="units_command", metavar="ACTION")
    units.required = True

    c = units.add_parser("convert", help="convert VALUE from one unit to another, exactly")
    c.add_argument("value", metavar="VALUE", help="a decimal number (no float rounding)")
    c.add_argument("from_unit", metavar="FROM", help="Rec 20 code or alias (KGM, kg, PCE, ...)")
    c.add_argument("to_unit", metavar="TO", help="Rec 20 code or alias")
    c.add_argument(
        "--factor",
        action="append",
        default=[],
        metavar="STATEMENT",
        help="material factor such as BX=12EA or '1 LTR = 0.8 KGM' (repeatable, chains)",
    )
    c.add_argument("--places", type=int, help="round the result to this many decimal places")
    c.add_argument(
        "--mode",
        choices=sorted(_MODES),
        default="half-even",
        help="rounding mode with --places (default: half-even)",
    )
    c.add_argument("--delta", action="store_true", help="a temperature difference (no offset)")
    c.add_argument("--list-id", help="code list of the units (UNECERec20, UCUM, QUDT, SI, SAP)")
    c.set_defaults(func=run_convert)

    s = units.add_parser("show", help="show a unit code: name, symbol, status, exact factor")
    s.add_argument("codes", nargs="+", metavar="CODE", help="Rec 20 code or alias")
    s.add_argument("--list-id", help="code list of the codes (UNECERec20, UCUM, QUDT, SI, SAP)")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s.set_defaults(func=run_show)


@contextlib.contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Report warnings (deleted codes) as ``isa95kit: warning: ...`` lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for message in dict.fromkeys(str(w.message) for w in caught):  # once each
                print(f"isa95kit: warning: {message}", file=sys.stderr)


def _in_cli_terms(exc: IncompatibleUnitsError) -> IncompatibleUnitsError:
    """The error with its hint in this command's syntax (``--factor``, not ``material=``)."""
    if not exc.factor_example:
        return exc
    return IncompatibleUnitsError(
        f"{exc.reason}; give a material factor, e.g. --factor {exc.factor_example}",
        from_unit=exc.from_unit,
        to_unit=exc.to_unit,
        from_dimension=exc.from_dimension,
        to_dimension=exc.to_dimension,
        reason=exc.reason,
        factor_example=exc.factor_example,
        location=exc.location,
    )


def run_convert(args: argparse.Namespace) -> int:
    from ..units import MaterialFactors, Rounding, convert, normalize_unit

    rounding = Rounding(args.places, _MODES[args.mode]) if args.places is not None else None
    with _warnings_to_stderr():
        material = MaterialFactors(args.factor) if args.factor else None
        try:
            result = convert(
                args.value,
                args.from_unit,
                args.to_unit,
                material=material,
                rounding=rounding,
                delta=args.delta,
                list_id=args.list_id,
            )
        except IncompatibleUnitsError as exc:
            raise _in_cli_terms(exc) from None
        target = normalize_unit(args.to_unit, list_id=args.list_id)
    print(f"{result:f} {target}")
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from ..units import dimension_name, unit_info

    with _warnings_to_stderr():
        infos = [unit_info(code, list_id=args.list_id) for code in args.codes]
    if args.json:
        data = [_as_dict(info, dimension_name) for info in infos]
        print(json.dumps(data if len(data) > 1 else data[0], indent=2, ensure_ascii=False))
        return EXIT_OK
    blocks = []
    for info in infos:
        d = _as_dict(info, dimension_name)
        width = max(len(k) for k in d)
        blocks.append("\n".join(f"{k:<{width}}  {v}" for k, v in d.items() if v not in ("", None)))
    print("\n\n".join(blocks))
    return EXIT_OK


def _as_dict(info: Any, dimension_name: Any) -> dict[str, Any]:
    from ..units._convert import _decimal_of

    factor = info.factor
    exact = _decimal_of(factor) if factor is not None else None
    status = {"": "active", "X": "deleted", "D": "deprecated"}.get(info.status, info.status)
    return {
        "code": info.code,
        "name": info.name,
        "symbol": info.symbol,
        "level": info.level,
        "status": status,
        "replacement": info.replacement,
        "dimension": dimension_name(info.dimension_key),
        "base": info.dimension if factor is not None else "",
        "factor": (
            None
            if factor is None
            else f"{exact:f}"
            if exact is not None
            else f"{factor.numerator}/{factor.denominator}"
        ),
        "offset": f"{info.offset} K" if info.offset else None,
        "rec20_factor_text": info.factor_text,
        "factor_source": info.source,
        "note": info.note or ("no conversion factor (not convertible)" if factor is None else ""),
    }
