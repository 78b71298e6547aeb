"""User code written the way the README shows, checked by pyright and mypy (``.ci/run``).

No ``type: ignore`` here (pyright runs with ignore comments disabled): what a user writes
must type-check as it is. ``test_user_code.py`` runs these functions, so they also work.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import isa95kit as ik
from isa95kit import units
from isa95kit.model import (
    NIL,
    DateTime,
    Identifier,
    JobOrder,
    MaterialUseCode,
    OpMaterialRequirement,
    ProcessWorkSchedule,
    ProcessWorkScheduleDataArea,
    QuantityValue,
    Text,
    TransProcess,
    WorkRequest,
    WorkSchedule,
)

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "process-work-schedule.xml"


def build_job_order(number: int) -> JobOrder:
    """Keywords in snake_case, bare values for simple content, strings for code lists."""
    return JobOrder(
        id=f"JO-{number}",
        description=["fill line 1"],
        priority=Decimal(1),
        start_time="2026-01-01T06:00:00Z",
        end_time=datetime(2026, 1, 1, 11, 30, tzinfo=timezone.utc),
        work_master_id=Identifier("WM-FILL", scheme_id="erp"),
        material_requirement=[
            OpMaterialRequirement(
                id=f"M{number}",
                material_definition_id=["MAT-OJ"],
                material_use="Consumed",
                quantity=[QuantityValue(quantity_string="3", unit_of_measure="KGM")],
            ),
            OpMaterialRequirement(
                id=f"P{number}",
                material_definition_id=[Identifier("OJ-1L")],
                material_use=MaterialUseCode.PRODUCED,
                quantity=[QuantityValue(quantity_string=Decimal("1.5"), unit_of_measure=NIL)],
            ),
        ],
    )


def build_message(jobs: list[JobOrder]) -> ProcessWorkSchedule:
    """A message: ``releaseID`` and the ``ApplicationArea`` (BODID, creation time) default."""
    return ProcessWorkSchedule(
        data_area=ProcessWorkScheduleDataArea(
            process=TransProcess(),
            work_schedule=[
                WorkSchedule(id="WS-1", work_request=[WorkRequest(id="WR-1", job_order=jobs)])
            ],
        )
    )


def dispatch_list(path: Path = SAMPLE) -> list[str]:
    """Read a document and navigate it, narrowing optional and nillable fields."""
    doc = ik.read_xml(path, ProcessWorkSchedule)
    lines: list[str] = []
    for job in doc.data_area.work_schedule[0].work_request[0].job_order:
        start: DateTime | None = job.start_time
        when = start.value.isoformat() if start and start.value else "-"
        materials = [str(m.material_definition_id[0]) for m in job.material_requirement]
        lines.append(f"{job.id} {when} {' '.join(materials)}")
        for req in job.material_requirement:
            for q in req.quantity:
                if q.quantity_string and q.quantity_string.value is not None:
                    amount: Decimal = units.to_decimal(q.quantity_string.value)
                    unit = str(q.unit_of_measure) if q.unit_of_measure else "-"
                    lines.append(f"  {req.id} {amount} {unit}")
    return lines


def write_both(message: ProcessWorkSchedule) -> tuple[bytes, bytes]:
    """Write XML and B2MML-JSON, and read them back."""
    xml: bytes = ik.write_xml(message, config=ik.WriteConfig(pretty_print=True))
    text = ik.write_json(message)
    again = ik.read_json(text)
    assert again == ik.read_xml(xml)
    return xml, text


def kilograms(amount: str, unit: str) -> Decimal:
    """Exact unit conversion of what a partner sent."""
    return units.convert(amount, units.normalize_unit(unit), "KGM")


def change_priority(job: JobOrder) -> JobOrder:
    """Assignment takes the model type (validated at run time too)."""
    job.priority = None
    job.description.append(Text("changed"))
    return job.model_copy(update={"priority": None})
