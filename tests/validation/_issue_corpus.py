"""Documents whose issue lists are pinned in ``data/reference_issues.json`` (see
``test_validation_issue_lists.py``): the reference documents, the golden documents and
mutations of one that trip the heavy rules (duplicate IDs, non-numeric quantities, ...)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PINNED = Path(__file__).parent / "data" / "reference_issues.json"

_BASE = ROOT / "tests" / "data" / "golden" / "erp_mes_work_schedule.xml"
#: name -> (text replaced, replacement, count)
MUTATIONS: dict[str, list[tuple[str, str, int]]] = {
    "duplicates": [("<ID>1000456-0020</ID>", "<ID>1000456-0010</ID>", 1)],
    "quantities": [
        ("<DataType>decimal</DataType>", "<DataType>integer</DataType>", 4),
        ("<QuantityString>", "<QuantityString>1e3", 1),
    ],
    "values": [
        ("<QuantityString>", "<QuantityString> x", 3),
        ("<QuantityString>", "<QuantityString>\n", 2),
        ("+01:00</StartTime>", "</StartTime>", 2),
        ("<EndTime>2024-03-11T13:30:00+01:00", "<EndTime>2024-03-11T05:30:00+01:00", 1),
    ],
    "units": [("C62", "Stueckzahl", 2), ("KGM", "XQZ", 1)],
}


def documents() -> dict[str, bytes]:
    """name -> document bytes, every document of the corpus."""
    docs: dict[str, bytes] = {}
    for folder in ("tests/data/reference", "tests/data/golden", "tests/json/data"):
        for path in sorted((ROOT / folder).rglob("*.xml")):
            docs[str(path.relative_to(ROOT))] = path.read_bytes()
    base = _BASE.read_text("utf-8")
    for name, edits in MUTATIONS.items():
        text = base
        for old, new, count in edits:
            assert old in text, (name, old)
            text = text.replace(old, new, count)
        docs[f"mutated:{name}"] = text.encode("utf-8")
    # every JobOrder twice: many duplicate IDs, deeper ones too
    start, end = base.index("<JobOrder>"), base.rindex("</JobOrder>") + len("</JobOrder>")
    docs["mutated:doubled"] = (base[:end] + base[start:end] + base[end:]).encode("utf-8")
    first = base[start : base.index("</JobOrder>") + len("</JobOrder>")]
    docs["mutated:repeated job order"] = base.replace(first, first * 3, 1).encode("utf-8")
    return docs


def issue_lists() -> dict[str, Any]:
    """name -> engine -> the issues in the order ``iter_issues`` yields them."""
    from isa95kit.validation import iter_issues

    out: dict[str, Any] = {}
    for name, data in documents().items():
        out[name] = {
            engine: [i.to_dict() for i in iter_issues(data, stream=stream)]
            for engine, stream in (("tree", False), ("stream", True))
        }
    return out


if __name__ == "__main__":  # regenerate (review the diff: it is the specification)
    PINNED.write_text(json.dumps(issue_lists(), indent=1, ensure_ascii=False) + "\n", "utf-8")
