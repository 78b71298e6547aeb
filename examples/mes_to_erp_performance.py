"""MES -> ERP: report a job's performance with backflushed consumption.

    python examples/mes_to_erp_performance.py [examples/data/process-work-schedule.xml]

The MES counted good and scrapped output of each job order; components were not scanned,
so their consumption is backflushed from the job order's material requirements in
proportion to the output, in exact Decimal arithmetic, and reported in the units the ERP
books in (litres of concentrate as cubic metres). The result is a ProcessWorkPerformance.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import isa95kit as ik
from isa95kit import units
from isa95kit.model import (
    JobOrder,
    JobResponse,
    MaterialUse,
    MaterialUseCode,
    OpEquipmentActual,
    OpMaterialActual,
    ProcessWorkPerformance,
    ProcessWorkPerformanceDataArea,
    ProcessWorkSchedule,
    QuantityValue,
    TransApplicationArea,
    TransProcess,
    TransSender,
    WorkPerformance,
    WorkResponse,
)

SAMPLE = Path(__file__).parent / "data" / "process-work-schedule.xml"
#: what the shop floor counted per job order: (good, scrap), in the produced material's unit
COUNTED = {
    "PO-100045871-0010": (Decimal("11880"), Decimal("120")),
    "PO-100045871-0020": (Decimal("990"), Decimal("0")),
}
#: units the ERP books each material in (everything else as sent)
ERP_UNITS = {"LTR": "MTQ"}


def quantity(amount: Decimal, unit: str) -> QuantityValue:
    return QuantityValue(quantity_string=str(amount), data_type="Quantity", unit_of_measure=unit)


def planned(job: JobOrder, use: MaterialUseCode) -> list[tuple[str, Decimal, str]]:
    out = []
    for req in job.material_requirement:
        if req.material_use is None or req.material_use.value is not use or not req.quantity:
            continue
        q = req.quantity[0]
        assert q.quantity_string and q.unit_of_measure
        out.append(
            (
                req.material_definition_id[0].value,
                units.to_decimal(q.quantity_string.value),
                units.normalize_unit(str(q.unit_of_measure)),
            )
        )
    return out


def job_response(job: JobOrder) -> JobResponse:
    good, scrap = COUNTED[str(job.id)]
    ((product, planned_output, unit),) = planned(job, MaterialUseCode.PRODUCED)
    ratio = (good + scrap) / planned_output  # exact: Decimal division of small integers
    actuals = [
        OpMaterialActual(
            id="MA-GOOD",
            material_definition_id=[product],
            material_use=MaterialUse(value="Produced"),
            quantity=[quantity(good, unit)],
        ),
        OpMaterialActual(
            id="MA-SCRAP",
            material_definition_id=[product],
            material_use=MaterialUse(value="Other", other_value="Scrap"),
            quantity=[quantity(scrap, unit)],
        ),
    ]
    for i, (material, amount, unit) in enumerate(planned(job, MaterialUseCode.CONSUMED), 1):
        consumed = amount * ratio
        target = ERP_UNITS.get(unit, unit)
        if target != unit:
            consumed = units.convert(consumed, unit, target)
        actuals.append(
            OpMaterialActual(
                id=f"MA-BF-{i}",
                material_definition_id=[material],
                material_use=MaterialUse(value="Consumed"),
                quantity=[quantity(consumed, target)],
            )
        )
    start = job.start_time.value if job.start_time else None
    return JobResponse(
        id=f"JR-{job.id.value}",
        job_order_id=job.id.value,
        start_time=start,
        end_time=start + timedelta(hours=5, minutes=12) if start else None,
        job_state="Completed",
        equipment_actual=[
            OpEquipmentActual(id=f"EA-{r.id.value}", equipment_id=r.equipment_id)
            for r in job.equipment_requirement
        ],
        material_actual=actuals,
    )


def performance(message: ProcessWorkSchedule, now: datetime) -> ProcessWorkPerformance:
    schedule = message.data_area.work_schedule[0]
    return ProcessWorkPerformance(
        release_id="V0701",
        application_area=TransApplicationArea(
            sender=TransSender(logical_id="MES-PLANT-1010"), creation_date_time=now
        ),
        data_area=ProcessWorkPerformanceDataArea(
            process=TransProcess(),
            work_performance=[
                WorkPerformance(
                    id=f"WP-{schedule.id.value}",
                    work_schedule_id=schedule.id,
                    work_response=[
                        WorkResponse(
                            id=f"WR-{req.id.value}",
                            work_request_id=req.id.value,
                            job_response=[job_response(j) for j in req.job_order],
                        )
                        for req in schedule.work_request
                    ],
                )
            ],
        ),
    )


def main(path: str | Path = SAMPLE) -> bytes:
    message = ik.read_xml(path, ProcessWorkSchedule)
    report = performance(message, datetime(2026, 11, 24, 14, 5, tzinfo=timezone.utc))
    for wr in report.data_area.work_performance[0].work_response:
        for jr in wr.job_response:
            for ma in jr.material_actual:
                q = ma.quantity[0]
                mu = ma.material_use
                use = (mu.other_value or str(mu)) if mu else ""
                print(
                    f"{jr.job_order_id}  {use:<9} {ma.material_definition_id[0]!s:<16}"
                    f" {q.quantity_string!s:>12} {q.unit_of_measure}"
                )
    return ik.write_xml(report, config=ik.WriteConfig(pretty_print=True))


if __name__ == "__main__":
    out = main(*sys.argv[1:2])
    print(f"\nProcessWorkPerformance: {len(out)} bytes")
