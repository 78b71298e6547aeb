"""ERP -> MES: receive a ProcessWorkSchedule, dispatch its job orders, acknowledge it.

    python examples/erp_to_mes_work_orders.py [examples/data/process-work-schedule.xml]

Reads the ERP's message into the typed model, prints the dispatch list an MES would load
(job order, window, work master, materials with quantities and units), and writes the
AcknowledgeWorkSchedule the MES sends back.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import isa95kit as ik
from isa95kit.model import (
    AcknowledgeWorkSchedule,
    AcknowledgeWorkScheduleDataArea,
    ProcessWorkSchedule,
    TransAcknowledge,
    TransApplicationArea,
    TransSender,
)

SAMPLE = Path(__file__).parent / "data" / "process-work-schedule.xml"


def dispatch_list(message: ProcessWorkSchedule) -> list[str]:
    lines = []
    for schedule in message.data_area.work_schedule:
        for request in schedule.work_request:
            for job in request.job_order:
                start = job.start_time.value if job.start_time else None
                end = job.end_time.value if job.end_time else None
                lines.append(
                    f"{job.id.value}  {start:%a %H:%M}-{end:%H:%M}  "
                    f"{job.work_master_id.value if job.work_master_id else '-'}"
                )
                for req in job.material_requirement:
                    qty = req.quantity[0] if req.quantity else None
                    amount = qty.quantity_string.value if qty and qty.quantity_string else "?"
                    unit = qty.unit_of_measure.value if qty and qty.unit_of_measure else ""
                    use = str(req.material_use) if req.material_use else ""
                    lines.append(
                        f"    {use:<9} {req.material_definition_id[0].value:<16} "
                        f"{amount:>10} {unit}"
                    )
    return lines


def acknowledge(message: ProcessWorkSchedule, now: datetime) -> AcknowledgeWorkSchedule:
    return AcknowledgeWorkSchedule(
        release_id="V0701",
        application_area=TransApplicationArea(
            sender=TransSender(logical_id="MES-PLANT-1010"),
            creation_date_time=now,
        ),
        data_area=AcknowledgeWorkScheduleDataArea(
            acknowledge=TransAcknowledge(original_application_area=message.application_area),
            work_schedule=[ws.model_copy() for ws in message.data_area.work_schedule],
        ),
    )


def main(path: str | Path = SAMPLE) -> bytes:
    message = ik.read_xml(path, ProcessWorkSchedule)
    print("\n".join(dispatch_list(message)))
    ack = acknowledge(message, datetime(2026, 11, 23, 5, 43, tzinfo=timezone.utc))
    return ik.write_xml(ack, config=ik.WriteConfig(pretty_print=True))


if __name__ == "__main__":
    out = main(*sys.argv[1:2])
    print(f"\nAcknowledgeWorkSchedule: {len(out)} bytes")
