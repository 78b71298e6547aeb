"""More documents whose issue lists and reports are pinned, in ``data/speed_issues.json``
(see ``test_validation_speed_identity.py``), recorded before the tree engine's speed work:
large documents (over ``PROBE_BYTES``, so version detection looks at their first bytes only)
with the release-telling element names before and after the cut, the cut inside a start tag,
and mutations that trip every branch of the heavy rules (Version after Descriptions,
attributes on units, every DataType family, nil values, Unicode whitespace)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from isa95kit.validation._layers import PROBE_BYTES

ROOT = Path(__file__).resolve().parents[2]
PINNED = Path(__file__).parent / "data" / "speed_issues.json"
_BASE = ROOT / "tests" / "data" / "golden" / "erp_mes_work_schedule.xml"

#: name -> (text replaced, replacement, count), applied to the golden work schedule
MUTATIONS: dict[str, list[tuple[str, str, int]]] = {
    "versions": [
        (
            "<ID>1000456-0020</ID>",
            "<ID>1000456-0010</ID><Description>d</Description><Version>2</Version>",
            1,
        ),
        ("<ID>1000456-0010</ID>", "<ID>1000456-0010</ID><Version>2</Version>", 1),
    ],
    "unit attributes": [
        (
            "<UnitOfMeasure>C62</UnitOfMeasure>",
            '<UnitOfMeasure listID="UNECE Rec20">C62</UnitOfMeasure>',
            2,
        ),
        (
            "<UnitOfMeasure>KGM</UnitOfMeasure>",
            '<UnitOfMeasure listAgencyID="6">KGM</UnitOfMeasure>',
            1,
        ),
        (
            "<UnitOfMeasure>MIN</UnitOfMeasure>",
            '<UnitOfMeasure listID="x" listAgencyID="y">MIN</UnitOfMeasure>',
            1,
        ),
        ("<UnitOfMeasure>RPM</UnitOfMeasure>", "<UnitOfMeasure> \n</UnitOfMeasure>", 1),
    ],
    "datatypes": [
        ("<DataType>integer</DataType>", "<DataType>int</DataType>", 1),
        ("<DataType>integer</DataType>", "<DataType> positiveInteger </DataType>", 1),
        ("<DataType>decimal</DataType>", "<DataType>double</DataType>", 2),
        ("<DataType>decimal</DataType>", "<DataType>boolean</DataType>", 1),
        ("<DataType>decimal</DataType>", "<DataType>dateTime</DataType>", 1),
        ("<DataType>decimal</DataType>", "<DataType>unsignedByte</DataType>", 1),
        ("<DataType>string</DataType>", "<DataType>duration</DataType>", 1),
        ("<QuantityString>", "<QuantityString>-", 2),
        ("<QuantityString>", "<QuantityString>\u00a0", 1),
        (
            "<QuantityString>",
            '<QuantityString xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
            1,
        ),
    ],
    "whitespace ids": [
        ("<ID>1000456-0020</ID>", "<ID>\u00a01000456-0010 </ID>", 1),
        ("<ID>WR-1000456</ID>", "<ID>\u2003</ID>", 1),
    ],
}


def _base() -> str:
    return _BASE.read_text("utf-8")


def _big(base: str, copies: int, *, late: str = "", early: str = "") -> str:
    """The golden schedule with its first WorkRequest repeated ``copies`` times (IDs made
    unique, except every 25th copy), ``early`` inserted in the first and ``late`` in the last."""
    start = base.index("<WorkRequest>")
    end = base.index("</WorkRequest>") + len("</WorkRequest>")
    unit = base[start:end]
    parts = []
    for n in range(copies):
        copy = unit if n % 25 == 0 else re.sub(r"<ID>([^<]*)</ID>", rf"<ID>\1-{n}</ID>", unit)
        parts.append(copy)
    if early:
        parts[0] = parts[0].replace("</WorkRequest>", early + "</WorkRequest>", 1)
    if late:
        parts[-1] = parts[-1].replace("</WorkRequest>", late + "</WorkRequest>", 1)
    return base[:start] + "\n      ".join(parts) + base[end:]


def _cut_at(text: str, marker: str, offset: int) -> str:
    """``text`` padded (a comment after the XML declaration) so that byte PROBE_BYTES falls
    ``offset`` bytes into the first ``marker`` after the pad."""
    head = text.index("?>") + 2
    data = text.encode("utf-8")
    found = data.index(marker.encode("utf-8"), PROBE_BYTES - 40_000)
    pad = PROBE_BYTES - (found + offset) - len("\n<!---->")
    assert pad > 0
    return text[:head] + "\n<!--" + "p" * pad + "-->" + text[head:]


def documents() -> dict[str, bytes]:
    """name -> document bytes."""
    base = _base()
    docs: dict[str, bytes] = {}
    for name, edits in MUTATIONS.items():
        text = base
        for old, new, count in edits:
            assert old in text, (name, old)
            text = text.replace(old, new, count)
        docs[f"mutated:{name}"] = text.encode("utf-8")
    telling = "<LocationChild/>"  # V0701 only (V0700 has none): tells the releases apart
    big = _big(base, 60)
    assert len(big.encode()) > 2 * PROBE_BYTES
    docs["big:plain"] = big.encode("utf-8")
    docs["big:telling name early"] = _big(base, 60, early=telling).encode("utf-8")
    docs["big:telling name late"] = _big(base, 60, late=telling).encode("utf-8")
    docs["big:V0700 name late"] = _big(base, 60, late="<WorkPerformaance/>").encode("utf-8")
    docs["big:V0700 name early"] = _big(base, 60, early="<WorkPerformaance/>").encode()
    old = "<AssemblyClassID>a</AssemblyClassID><ProductionSchedule/>"  # V0600 names
    docs["big:old names early"] = _big(base, 60, early=old).encode("utf-8")
    docs["big:old names late"] = _big(base, 60, late=old).encode("utf-8")
    docs["big:old name late"] = _big(base, 60, late="<JobListID>x</JobListID>").encode("utf-8")
    for marker, offset in (("<QuantityString>", 5), ("<QuantityString>", 15),
                           ("<Description>Machine", 11), ("</JobOrder>", 4),
                           ("<EquipmentID>", 12), ("<DataType>", 1)):  # fmt: skip
        cut = _cut_at(big, marker, offset)
        docs[f"big:cut in {marker[:20]!r}+{offset}"] = cut.encode("utf-8")
    prefixed = big.replace('xmlns="http://www.mesa.org/xml/B2MML"',
                           'xmlns:b="http://www.mesa.org/xml/B2MML"')  # fmt: skip
    prefixed = re.sub(r"<(/?)([A-Z])", r"<\1b:\2", prefixed)
    docs["big:prefixed, cut in a name"] = _cut_at(prefixed, "<b:QuantityString", 4).encode()
    other = big.replace('xmlns="http://www.mesa.org/xml/B2MML"',
                        'xmlns="http://www.mesa.org/xml/B2MML-V0600"')  # fmt: skip
    docs["big:V0600 namespace"] = other.encode("utf-8")
    # more Version elements than duplicate-id lists the parents of (after three IDs in four)
    count = iter(range(10**6))
    versioned = re.sub(
        r"(<ID>[^<]*</ID>)",
        lambda m: m[1] + (f"<Version>{len(m[1]) % 3}</Version>" if next(count) % 4 else ""),
        _big(base, 90),
    )
    assert versioned.count("<Version>") > 1100
    docs["big:many versions"] = versioned.encode("utf-8")
    return docs


def reports() -> dict[str, Any]:
    """name -> engine -> the issues as ``iter_issues`` yields them and the report's facts."""
    from isa95kit.validation import check, iter_issues

    out: dict[str, Any] = {}
    for name, data in documents().items():
        out[name] = {}
        for engine, stream in (("tree", False), ("stream", True)):
            report = check(data, stream=stream).files[0].to_dict()
            del report["seconds"], report["mode"]
            out[name][engine] = {
                "issues": [i.to_dict() for i in iter_issues(data, stream=stream)],
                "report": report,
            }
    return out


if __name__ == "__main__":  # regenerate (review the diff: it is the specification)
    PINNED.write_text(json.dumps(reports(), indent=1, ensure_ascii=False) + "\n", "utf-8")
