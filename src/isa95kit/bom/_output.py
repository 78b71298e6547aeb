"""M-BOM output: a B2MML V0701 ``OperationsDefinition`` with its ``OperationsMaterialBill``
(typed model, written with :func:`isa95kit.write_xml`), a flat CSV and the provenance JSON.
Files are written atomically (a temporary file renamed into place)."""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import json
import os
import tempfile
from typing import TYPE_CHECKING, Any

from ._exact import exact_text
from ._invariants import bill_items
from ._mbom import MBom, MBomLine

if TYPE_CHECKING:
    from ..model import (
        OperationsDefinition,
        OperationsDefinitionInformation,
        OperationsMaterialBill,
        OpMaterialSpecification,
        ProcessOperationsDefinition,
        ProcessOperationsDefinitionInformation,
        QuantityValue,
    )

__all__ = [
    "exact_text",
    "provenance_dict",
    "provenance_json",
    "to_csv",
    "to_operations_definition",
    "to_operations_definition_information",
    "to_operations_material_bill",
    "to_process_message",
    "write_atomic",
]

#: property of a MaterialSpecification whose quantity does not scale with the order
FIXED_PROPERTY = "isa95kit:fixed-quantity"


def _ids(mbom: MBom) -> tuple[str, str]:
    rev = f"-{mbom.revision}" if mbom.revision else ""
    return f"OD-{mbom.product}{rev}", f"OMB-{mbom.product}{rev}"


def _quantity(value: object, unit: str) -> QuantityValue:
    from ..model import QuantityValue

    return QuantityValue(quantity_string=str(value), data_type="decimal", unit_of_measure=unit)


def _spec(line: MBomLine) -> OpMaterialSpecification:
    from ..model import OpMaterialSpecification, OpMaterialSpecificationProperty, Value

    props = []
    if line.fixed:
        props.append(
            OpMaterialSpecificationProperty(
                id=FIXED_PROPERTY,
                description=["the quantity is per order, it does not scale with the quantity made"],
                value_=[Value(value_string="true", data_type="boolean")],
            )
        )
    return OpMaterialSpecification(
        id=line.id,
        material_definition_id=[line.material],
        description=[line.description] if line.description else [],
        material_use=line.material_use,
        quantity=[_quantity(line.rounded, line.unit)],
        material_specification_property=props,
    )


def to_operations_definition(mbom: MBom) -> OperationsDefinition:
    """One ``OperationsSegment`` per routing operation, each with a ``MaterialSpecification``
    per M-BOM line (quantities as rounded, in Rec 20 units); the last segment also names
    the product as ``Produced``. The definition references the material bill by ID."""
    from ..model import (
        OpEquipmentSpecification,
        OperationsDefinition,
        OperationsSegment,
        OpMaterialSpecification,
    )

    od_id, bill_id = _ids(mbom)
    by_op: dict[str, list[MBomLine]] = {}
    for line in mbom.lines:
        by_op.setdefault(line.operation or "", []).append(line)
    segments = []
    for i, op in enumerate(mbom.routing):
        specs = [_spec(line) for line in by_op.get(op.id, ())]
        if i == len(mbom.routing) - 1:
            specs.append(
                OpMaterialSpecification(
                    id=f"{op.id}-{mbom.product}-PRODUCED",
                    material_definition_id=[mbom.product],
                    material_use="Produced",
                    quantity=[_quantity(exact_text(mbom.base_quantity), mbom.unit)],
                )
            )
        segments.append(
            OperationsSegment(
                id=op.id,
                description=[op.description] if op.description else [],
                duration=op.duration,
                equipment_specification=(
                    [
                        OpEquipmentSpecification(
                            id=f"{op.id}-{op.work_center}", equipment_class_id=[op.work_center]
                        )
                    ]
                    if op.work_center
                    else []
                ),
                material_specification=specs,
            )
        )
    return OperationsDefinition(
        id=od_id,
        version=mbom.revision,
        description=[mbom.description or f"M-BOM of {mbom.product}"],
        operations_type="Production",
        operations_segment=segments,
        bill_of_materials_id=[mbom.product],
        operations_material_bill_id=[bill_id],
    )


def to_operations_material_bill(mbom: MBom) -> OperationsMaterialBill:
    """One item per material: its specifications (``MaterialSpecificationID``) and their
    total, the exact sum of the written quantities (a bill item names no material itself)."""
    from ..model import OperationsMaterialBill, OperationsMaterialBillItem

    _, bill_id = _ids(mbom)
    items = []
    used: set[str] = set()
    for item in bill_items(mbom.lines):
        item_id = item.material if item.material not in used else f"{item.material}-{item.unit}"
        used.add(item_id)
        items.append(
            OperationsMaterialBillItem(
                id=item_id,
                description=[item.lines[0].description] if item.lines[0].description else [],
                use_type=item.kind.value,
                material_specification_id=[line.id for line in item.lines],
                quantity=[_quantity(item.rounded, item.unit)],
            )
        )
    return OperationsMaterialBill(
        id=bill_id,
        version=mbom.revision,
        description=[
            f"material bill of {mbom.product} per {exact_text(mbom.base_quantity)} {mbom.unit}"
        ],
        operations_material_bill_item=items,
        bill_of_materials_id=[mbom.product],
    )


def to_operations_definition_information(
    mbom: MBom,
    *,
    definition: OperationsDefinition | None = None,
    bill: OperationsMaterialBill | None = None,
) -> OperationsDefinitionInformation:
    """The definition and its material bill in one ``OperationsDefinitionInformation``
    (``definition`` and ``bill`` when built already)."""
    from ..model import OperationsDefinitionInformation

    od_id, _ = _ids(mbom)
    return OperationsDefinitionInformation(
        id=f"{od_id}-INFO",
        operations_definition=[definition or to_operations_definition(mbom)],
        operations_material_bill=[bill or to_operations_material_bill(mbom)],
    )


def to_process_message(
    mbom: MBom,
    *,
    information: bool = True,
    sender: str = "isa95kit",
    now: _dt.datetime | None = None,
    definition: OperationsDefinition | None = None,
    bill: OperationsMaterialBill | None = None,
) -> ProcessOperationsDefinitionInformation | ProcessOperationsDefinition:
    """The message for the MES: ``ProcessOperationsDefinitionInformation`` (definition and
    material bill), or ``ProcessOperationsDefinition`` (the definition only)."""
    from ..model import (
        ProcessOperationsDefinition,
        ProcessOperationsDefinitionDataArea,
        ProcessOperationsDefinitionInformation,
        ProcessOperationsDefinitionInformationDataArea,
        TransApplicationArea,
        TransProcess,
        TransSender,
    )

    area = TransApplicationArea(
        sender=TransSender(logical_id=sender),
        creation_date_time=now or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0),
    )
    if information:
        return ProcessOperationsDefinitionInformation(
            release_id="V0701",
            application_area=area,
            data_area=ProcessOperationsDefinitionInformationDataArea(
                process=TransProcess(),
                operations_definition_information=[
                    to_operations_definition_information(mbom, definition=definition, bill=bill)
                ],
            ),
        )
    return ProcessOperationsDefinition(
        release_id="V0701",
        application_area=area,
        data_area=ProcessOperationsDefinitionDataArea(
            process=TransProcess(),
            operations_definition=[definition or to_operations_definition(mbom)],
        ),
    )


CSV_HEADER = (
    "operation",
    "sequence",
    "line",
    "material",
    "description",
    "quantity",
    "unit",
    "exact",
    "kind",
    "use",
    "fixed",
    "occurrences",
)


def to_csv(mbom: MBom) -> str:
    """The M-BOM as a flat CSV, one row per line (unassigned lines last, no operation)."""
    sequence = {op.id: op.sequence for op in mbom.routing}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in [*mbom.lines, *mbom.unassigned]:
        writer.writerow(
            (
                line.operation or "",
                sequence.get(line.operation or "", ""),
                line.id,
                line.material,
                line.description or "",
                str(line.rounded),
                line.unit,
                exact_text(line.quantity),
                line.kind.value,
                line.material_use,
                "yes" if line.fixed else "",
                len(line.provenance),
            )
        )
    return out.getvalue()


def _line_json(line: MBomLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "material": line.material,
        "operation": line.operation,
        "quantity": str(line.rounded),
        "exact": exact_text(line.quantity),
        "net": exact_text(line.net) if line.net is not None else None,
        "unit": line.unit,
        "kind": line.kind.value,
        "use": line.material_use,
        "fixed": line.fixed,
        "provenance": [
            {
                "path": list(p.path),
                "sources": list(p.sources),
                "find_numbers": list(p.find_numbers),
                "quantity": exact_text(p.quantity),
                "net": exact_text(p.net),
                "scrap": exact_text(p.scrap),
                "assignment": p.assignment,
                "share": exact_text(p.share),
            }
            for p in line.provenance
        ],
    }


def provenance_dict(mbom: MBom) -> dict[str, Any]:
    """The M-BOM with its provenance as plain JSON data (exact quantities as text)."""
    report = mbom.report
    return {
        "product": mbom.product,
        "revision": mbom.revision,
        "base_quantity": exact_text(mbom.base_quantity),
        "unit": mbom.unit,
        "at": mbom.at.isoformat() if mbom.at else None,
        "serial": mbom.serial,
        "lot": mbom.lot,
        "routing": [
            {"id": op.id, "sequence": op.sequence, "description": op.description}
            for op in mbom.routing
        ],
        "lines": [_line_json(line) for line in mbom.lines],
        "unassigned": [_line_json(line) for line in mbom.unassigned],
        "excluded": [
            {"reason": e.reason, "path": list(e.path), "source": e.source, "detail": e.detail}
            for e in report.excluded
        ],
        "phantoms": [list(p) for p in report.phantoms],
        "issues": [
            {"code": i.code, "message": i.message, "material": i.material} for i in report.issues
        ],
        "steps": list(report.steps),
    }


def provenance_json(mbom: MBom, *, indent: int | None = 2) -> str:
    """:func:`provenance_dict` as JSON text."""
    return json.dumps(provenance_dict(mbom), indent=indent, ensure_ascii=False) + "\n"


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory, renamed
    into place: readers see the old file or the whole new one, never a part."""
    target = os.fspath(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
