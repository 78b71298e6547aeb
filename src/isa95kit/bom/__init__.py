"""E-BOM → M-BOM: engineering structures into ISA-95 operations definitions.

::

    from isa95kit import bom

    ebom = bom.read_csv("ebom.csv", routing="routing.csv")
    rules = bom.load_rules("rules.toml")
    mbom = bom.transform(ebom, rules, at=datetime.date(2026, 12, 1))
    assert mbom.report.ok, mbom.report.issues
    message = bom.to_process_message(mbom)        # ProcessOperationsDefinitionInformation
    isa95kit.write_xml(message)

Quantities are exact ``Fraction``s until one rounding at the end; every line keeps the
E-BOM occurrences it came from (``line.provenance``). See ``docs/bom.md``.
"""

from __future__ import annotations

import os

from .._source import Source
from ._change import Change, ChangeKind, EngineeringChange, diff_boms
from ._eco import EcoResult, FlaggedChange, apply_changes
from ._invariants import BillItem, bill_items, check_bill, check_invariants, exploded_totals
from ._mbom import Exclusion, InvariantIssue, LineKind, MBom, MBomLine, Provenance, TransformReport
from ._mbom_json import read_mbom_json
from ._model import Bom, ItemType, Occurrence, Operation, Part, serial_key
from ._output import (
    exact_text,
    provenance_dict,
    provenance_json,
    to_csv,
    to_operations_definition,
    to_operations_definition_information,
    to_operations_material_bill,
    to_process_message,
    write_atomic,
)
from ._read import read_csv, read_json, read_routing_csv
from ._read_b2mml import read_b2mml
from ._reconcile import (
    Finding,
    FindingCode,
    IgnoreRule,
    MBomEntry,
    MBomSide,
    Reconciliation,
    load_ignore_rules,
    read_mbom,
    read_operations_definition,
    reconcile,
)
from ._rules import Match, RoundingPolicy, Rules, load_rules
from ._transform import transform

__all__ = [
    "BillItem",
    "Bom",
    "Change",
    "ChangeKind",
    "EcoResult",
    "EngineeringChange",
    "Exclusion",
    "Finding",
    "FindingCode",
    "FlaggedChange",
    "IgnoreRule",
    "InvariantIssue",
    "ItemType",
    "LineKind",
    "MBom",
    "MBomEntry",
    "MBomLine",
    "MBomSide",
    "Match",
    "Occurrence",
    "Operation",
    "Part",
    "Provenance",
    "Reconciliation",
    "RoundingPolicy",
    "Rules",
    "TransformReport",
    "apply_changes",
    "bill_items",
    "check_bill",
    "check_invariants",
    "diff_boms",
    "ebom_to_mbom",
    "exact_text",
    "exploded_totals",
    "load_ignore_rules",
    "load_rules",
    "provenance_dict",
    "provenance_json",
    "read_b2mml",
    "read_csv",
    "read_ebom",
    "read_json",
    "read_mbom",
    "read_mbom_json",
    "read_operations_definition",
    "read_routing_csv",
    "reconcile",
    "serial_key",
    "to_csv",
    "to_operations_definition",
    "to_operations_definition_information",
    "to_operations_material_bill",
    "to_process_message",
    "transform",
    "write_atomic",
]

#: the same function under the issue's name
ebom_to_mbom = transform


def read_ebom(
    source: str | os.PathLike[str],
    *,
    routing: str | os.PathLike[str] | None = None,
    rules: Rules | None = None,
    product: str | None = None,
) -> Bom:
    """Read an E-BOM by file extension: ``.csv`` (PLM export), ``.json``, else B2MML XML.
    ``routing`` is a routing CSV (or JSON holding a ``routing`` array)."""
    name = os.fspath(source).lower()
    if name.endswith(".csv"):
        bom = read_csv(source, rules=rules, product=product)
    elif name.endswith(".json"):
        bom = read_json(source, rules=rules, product=product)
    else:
        xml: Source = source
        bom = read_b2mml(xml, rules=rules, product=product)
    if routing is not None:
        if os.fspath(routing).lower().endswith(".json"):
            bom.routing = read_json(routing, rules=rules).routing
        else:
            bom.routing = read_routing_csv(routing, rules=rules)
    return bom
