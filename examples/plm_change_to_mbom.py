"""PLM engineering change → M-BOM → MES, on the bundled P-100 pump.

    python examples/plm_change_to_mbom.py [OUT_DIR]

The PLM exports the pump's E-BOM as CSV (``examples/data/pump/ebom.csv``): a phantom impeller
kit, screws the PLM counts in boxes of 100 while the line issues pieces, 4 % scrap on the
machined housing, a drawing (a reference item), and engineering change ECO-2026-117, which
replaces the NBR shaft seal by an FKM seal from 1 September 2026 (the old line's effectivity
ends that day). The routing comes as a second CSV and a rules file says how engineering
becomes manufacturing.

The example transforms the E-BOM before and after the change, prints both M-BOMs and what the
change does on the shop floor, and builds the ``ProcessOperationsDefinitionInformation`` the
MES loads for the new state (written to OUT_DIR with the flat CSV and the provenance JSON).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import isa95kit as ik
from isa95kit import bom

DATA = Path(__file__).parent / "data" / "pump"
BEFORE, AFTER = dt.date(2026, 8, 1), dt.date(2026, 10, 1)
SENT = dt.datetime(2026, 9, 28, 14, 0, tzinfo=dt.timezone.utc)


def load() -> tuple[bom.Bom, bom.Rules]:
    rules = bom.load_rules(DATA / "rules.toml")
    ebom = bom.read_csv(DATA / "ebom.csv", routing=DATA / "routing.csv", rules=rules)
    return ebom, rules


def describe(mbom: bom.MBom) -> list[str]:
    lines = [f"M-BOM of {mbom.product} rev {mbom.revision} at {mbom.at}:"]
    for op in mbom.routing:
        lines.append(f"  {op.id} {op.description} ({op.work_center}, {op.duration})")
        for line in mbom.lines_for(op.id):
            origin = ", ".join(p.source.rsplit("/", 1)[-1] for p in line.provenance if p.source)
            lines.append(
                f"    {line.material:<13} {line.rounded:>9} {line.unit:<3} "
                f"{line.kind.value:<8} {origin or 'rules'}"
            )
    for excluded in mbom.report.excluded:
        lines.append(f"  left out ({excluded.reason}): {excluded.path[-1]} {excluded.detail}")
    return lines


def change(before: bom.MBom, after: bom.MBom) -> list[str]:
    """What the engineering change does per operation: materials added, removed, changed."""
    old = {(line.operation, line.material): line for line in before.lines}
    new = {(line.operation, line.material): line for line in after.lines}
    out = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0] or "", k[1])):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            out.append(f"  {key[0]} + {key[1]} {b.rounded} {b.unit}")
        elif b is None and a is not None:
            out.append(f"  {key[0]} - {key[1]} {a.rounded} {a.unit}")
        elif a is not None and b is not None and a.quantity != b.quantity:
            out.append(f"  {key[0]} ~ {key[1]} {a.rounded} -> {b.rounded} {b.unit}")
    return out


def main(out_dir: str | Path | None = None) -> bytes:
    ebom, rules = load()
    before = bom.transform(ebom, rules, at=BEFORE)
    after = bom.transform(ebom, rules, at=AFTER)
    for mbom in (before, after):
        if not mbom.report.ok:
            raise SystemExit(f"invariants failed: {mbom.report.issues}")
        print("\n".join(describe(mbom)), end="\n\n")
    print(f"ECO-2026-117 on the shop floor ({BEFORE} -> {AFTER}):")
    print("\n".join(change(before, after)))
    message = bom.to_process_message(after, sender="PLM-BRIDGE", now=SENT)
    xml = ik.write_xml(message, config=ik.WriteConfig(pretty_print=True))
    if out_dir is not None:
        out = Path(out_dir)
        bom.write_atomic(out / "pump-mbom.xml", xml)
        bom.write_atomic(out / "pump-mbom.csv", bom.to_csv(after))
        bom.write_atomic(out / "pump-mbom-provenance.json", bom.provenance_json(after))
    return xml


if __name__ == "__main__":
    data = main(*sys.argv[1:2])
    print(f"\nProcessOperationsDefinitionInformation for the MES: {len(data)} bytes")
