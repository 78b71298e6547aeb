"""PLM engineering change → M-BOM → MES, on the bundled P-100 pump.

    python examples/plm_change_to_mbom.py [OUT_DIR]

The PLM exports the pump's E-BOM as CSV (``examples/data/pump/ebom.csv``, revision C): a
phantom impeller kit, screws the PLM counts in boxes of 100 while the line issues pieces, 4 %
scrap on the machined housing, a drawing (a reference item), and ECO-2026-117, which replaced
the NBR shaft seal by an FKM seal on 1 September 2026 (the old line's effectivity ended that
day). The routing comes as a second CSV and a rules file says how engineering becomes
manufacturing.

1. The M-BOM the line runs on 1 October 2026 is the transform of revision C.
2. The PLM releases revision D (``ebom-rev-D.csv``, ECO-2026-131, effective 2 November): a
   longer feather key count, a new impeller, 3 % scrap on the housing instead of 4 %, a seal
   cover and four more screws to hold it. ``bom.diff_boms`` turns the two revisions into a
   change list.
3. ``bom.apply_changes`` carries the change list into the running M-BOM through each line's
   provenance. The screws for the cover would join the OP30 screw line, which already comes
   from another occurrence: that change is *flagged* (``merged``), not guessed.
4. ``bom.reconcile`` compares revision D with the changed M-BOM: the only difference left is
   the flagged one, so every applied change is exact.
5. The manufacturing engineer decides the flagged change (the screws join the OP30 line), so
   the M-BOM of revision D is made by the transform and reconciled clean, and its
   ``ProcessOperationsDefinitionInformation`` (the ``OperationsDefinition`` with its
   ``OperationsMaterialBill``) goes to the MES, written to OUT_DIR with the flat CSV, the
   provenance JSON and the engineering-change report.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import isa95kit as ik
from isa95kit import bom

DATA = Path(__file__).parent / "data" / "pump"
RUNNING, RELEASE = dt.date(2026, 10, 1), dt.date(2026, 11, 2)
SENT = dt.datetime(2026, 10, 28, 14, 0, tzinfo=dt.timezone.utc)


def load(name: str, rules: bom.Rules) -> bom.Bom:
    return bom.read_csv(DATA / name, routing=DATA / "routing.csv", rules=rules)


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


def check(mbom: bom.MBom) -> bom.MBom:
    if not mbom.report.ok:
        raise SystemExit(f"invariants failed: {mbom.report.issues}")
    return mbom


def main(out_dir: str | Path | None = None) -> bytes:
    rules = bom.load_rules(DATA / "rules.toml")
    rev_c, rev_d = load("ebom.csv", rules), load("ebom-rev-D.csv", rules)

    running = check(bom.transform(rev_c, rules, at=RUNNING))
    print("\n".join(describe(running)), end="\n\n")

    change = bom.diff_boms(rev_c, rev_d, date=RUNNING, new_date=RELEASE)
    print(f"PLM change list, rev {running.revision} -> D ({len(change)} changes):")
    print("\n".join(f"  {c.kind.value:<17} {c.describe()}" for c in change), end="\n\n")

    result = bom.apply_changes(change, running, rules=rules)
    print(result.to_text(), end="\n\n")

    # the running M-BOM with the changes applied differs from revision D only where a
    # change was flagged
    review = bom.reconcile(rev_d, result.mbom, rules=rules)
    print("revision D against the changed M-BOM:")
    print(review.to_text(), end="\n\n")
    flagged = {f.change.new.child for f in result.flagged if f.change.new is not None}
    if {finding.material for finding in review.findings} - flagged:
        raise SystemExit("an applied change does not match revision D")

    # the flagged change decided (the screws join the OP30 line): revision D is released
    released = check(bom.transform(rev_d, rules, at=RELEASE))
    final = bom.reconcile(rev_d, released, rules=rules)
    if not final.ok:
        raise SystemExit(final.to_text())
    print("\n".join(describe(released)), end="\n\n")

    message = bom.to_process_message(released, sender="PLM-BRIDGE", now=SENT)
    xml = ik.write_xml(message, config=ik.WriteConfig(pretty_print=True))
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        bom.write_atomic(out / "pump-mbom.xml", xml)
        bom.write_atomic(out / "pump-mbom.csv", bom.to_csv(released))
        bom.write_atomic(out / "pump-mbom-provenance.json", bom.provenance_json(released))
        report = json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
        bom.write_atomic(out / "pump-eco.json", report)
    return xml


if __name__ == "__main__":
    data = main(*sys.argv[1:2])
    print(f"ProcessOperationsDefinitionInformation for the MES: {len(data)} bytes")
