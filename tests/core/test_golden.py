"""Hand-written golden documents: valid against the official schema, canonical round trips,
and typed values where the flows need them (ERP -> MES schedule, MES -> ERP performance,
material master with a three-level assembly, plus small lexical/prefix documents)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.model import (
    NIL,
    JobOrder,
    MaterialLot,
    ProcessWorkSchedule,
    SyncMaterialInformation,
    SyncWorkPerformance,
)

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
DOCS = sorted(p.name for p in GOLDEN.glob("*.xml"))


def canonical(data: bytes | str) -> str:
    """C14N 2.0, comments dropped, whitespace-only text between elements ignored."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return canonicalize(text, with_comments=False, strip_text=True)


def test_the_golden_set_is_complete() -> None:
    assert {
        "erp_mes_work_schedule.xml",
        "mes_erp_work_performance.xml",
        "material_master_assembly.xml",
        "prefixed_job_order.xml",
        "lexical_material_lot.xml",
    } <= set(DOCS)


@pytest.mark.parametrize("name", DOCS)
def test_golden_is_valid_against_the_official_schema(
    name: str, official_schema: etree.XMLSchema
) -> None:
    assert official_schema.validate(etree.parse(str(GOLDEN / name))), official_schema.error_log


@pytest.mark.parametrize("name", DOCS)
def test_golden_round_trips_canonically(name: str) -> None:
    raw = (GOLDEN / name).read_bytes()
    for source in (GOLDEN / name, raw, str(GOLDEN / name)):
        obj = ik.read_xml(source)
        assert canonical(ik.write_xml(obj)) == canonical(raw)
    again = ik.read_xml(ik.write_xml(obj))
    assert again == obj
    assert ik.write_xml(again) == ik.write_xml(obj)


@pytest.mark.parametrize("name", DOCS)
def test_golden_round_trips_through_pretty_printing(name: str) -> None:
    raw = (GOLDEN / name).read_bytes()
    obj = ik.read_xml(raw)
    pretty = ik.write_xml(obj, config=ik.WriteConfig(pretty_print=True))
    assert canonical(pretty) == canonical(raw)
    assert ik.read_xml(pretty) == obj


def _read(name: str) -> object:
    return ik.read_xml(GOLDEN / name)


def test_work_schedule_values() -> None:
    doc = _read("erp_mes_work_schedule.xml")
    assert isinstance(doc, ProcessWorkSchedule)
    assert doc.release_id == "7.1"
    created = doc.application_area.creation_date_time.value
    assert created == datetime(2024, 3, 11, 4, 42, 17, 250000, tzinfo=timezone.utc)
    assert created.utcoffset() == timedelta(hours=1)
    (schedule,) = doc.data_area.work_schedule
    assert [d.language_id for d in schedule.description] == ["en", "de"]
    assert schedule.description[1].value == "Frühschicht, Montagehalle 2"
    assert schedule.hierarchy_scope.hierarchy_scope_child.equipment_level.value == "Area"
    assert [r.id.value for r in schedule.work_request] == ["WR-1000456", "WR-1000471"]
    jobs = [j for r in schedule.work_request for j in r.job_order]
    assert [j.id.value for j in jobs] == ["1000456-0010", "1000456-0020", "1000471-0010"]
    machining, assembly, rework = jobs
    assert machining.priority.value == Decimal(2)
    assert machining.command.value.value == "Start"
    assert machining.command.other_value is None
    assert rework.command.value.value == "Other"
    assert rework.command.other_value == "StartAfterQualityRelease"
    assert machining.dispatch_status.value.value == "Dispatched"
    speed = machining.job_order_parameter[0]
    assert (speed.id.value, speed.value_[0].value_string.value) == ("SPINDLE_SPEED", "1200")
    assert speed.value_[0].unit_of_measure.value == "RPM"
    torque = assembly.job_order_parameter[0]
    assert torque.parameter_child[0].id.value == "TOLERANCE"
    uses = [(m.material_definition_id[0].value, m.material_use.value.value)
            for m in assembly.material_requirement]
    assert uses == [
        ("SF-HSG-200-MACH", "Consumed"),
        ("SA-MOTOR-200", "Consumed"),
        ("CS-GREASE-LGHP2", "Consumable"),
        ("FG-PUMP-CP200", "Produced"),
    ]
    motor = assembly.material_requirement[1]
    assert [lot.value for lot in motor.material_lot_id] == ["L24-0308-112", "L24-0309-007"]
    assert assembly.material_requirement[3].assembly_type.value.value == "Physical"
    assert [p.personnel_class_id[0].value if p.personnel_class_id else p.person_id[0].value
            for p in assembly.personnel_requirement] == ["ASSEMBLER", "E-20817"]
    assert assembly.equipment_requirement[1].equipment_id[0].value == "DE01-H2-L3-LT01"


def test_work_performance_values() -> None:
    doc = _read("mes_erp_work_performance.xml")
    assert isinstance(doc, SyncWorkPerformance)
    created = doc.application_area.creation_date_time.value
    assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
    (perf,) = doc.data_area.work_performance
    assert perf.work_schedule_id.value == "WS-DE01-20240311-E"
    assert perf.work_state.value.value == "Completed"
    machining, assembly = perf.work_response[0].job_response
    assert assembly.start_time.value.microsecond == 500000
    by_key: dict[str, list[tuple[str, str]]] = {}
    for job in (machining, assembly):
        for actual in job.material_actual:
            use = actual.material_use
            label = use.other_value if use.value.value == "Other" else use.value.value
            for q in actual.quantity:
                key = q.key.value if q.key is not None else label
                by_key.setdefault(key, []).append((actual.material_definition_id[0].value,
                                                   q.quantity_string.value))
    assert by_key["GOOD"] == [("SF-HSG-200-MACH", "48"), ("FG-PUMP-CP200", "47")]
    assert by_key["SCRAP"] == [("SF-HSG-200-MACH", "2"), ("FG-PUMP-CP200", "1")]
    scrap = machining.material_actual[2].material_use
    assert (scrap.value.value, scrap.other_value) == ("Other", "Scrapped")
    consumed = [lot.value for a in assembly.material_actual
                if a.material_use.value.value == "Consumed" for lot in a.material_lot_id]
    assert consumed == ["L24-0311-131", "L24-0308-112", "L24-0309-007"]
    cnc = machining.equipment_actual[0]
    assert [(q.key.value, q.quantity_string.value, q.unit_of_measure.value)
            for q in cnc.quantity] == [("RUN_TIME", "172.8", "MIN"), ("SETUP_TIME", "14.5", "MIN")]
    assert cnc.equipment_actual_property[0].quantity[0].unit_of_measure.value == "KWH"
    tester = assembly.equipment_actual[0]
    assert tester.equipment_actual_child[0].equipment_id[0].value == "DE01-H2-L3-LT01-CHAMBER-A"
    assert assembly.material_actual[4].assembly_actual[0].material_lot_id[1].value == "L24-0309-007"


def test_material_master_assembly_has_three_levels() -> None:
    doc = _read("material_master_assembly.xml")
    assert isinstance(doc, SyncMaterialInformation)
    (info,) = doc.data_area.material_information
    (pump,) = info.material_definition

    def tree(md: object, depth: int = 0) -> list[tuple[int, str]]:
        out = [(depth, md.id.value)]  # type: ignore[attr-defined]
        for child in md.assembly_definition:  # type: ignore[attr-defined]
            out.extend(tree(child, depth + 1))
        return out

    assert tree(pump) == [
        (0, "FG-PUMP-CP200"),
        (1, "SA-MOTOR-200"),
        (2, "CP-ROTOR-200"),
        (2, "CP-STATOR-200"),
        (2, "CP-BEARING-6308-2RS"),
        (1, "SF-HSG-200-MACH"),
        (2, "RM-CAST-HSG-200"),
        (1, "CS-GREASE-LGHP2"),
    ]
    motor = pump.assembly_definition[0]
    assert motor.assembly_relationship.value.value == "Permanent"
    assert motor.assembly_definition[2].assembly_relationship.value.value == "Transient"
    assert pump.material_definition_property[0].property_type.value.value == "InstanceType"
    (lot,) = info.material_lot
    assert lot.disposition.value.value == "Restricted"
    assert lot.assembly_lot[0].assembly_lot[0].material_definition_id.value == "CP-ROTOR-200"


def test_prefixed_job_order_lexical_forms() -> None:
    raw = (GOLDEN / "prefixed_job_order.xml").read_bytes()
    job = ik.read_xml(raw)
    assert isinstance(job, JobOrder)
    assert job.priority.value == Decimal("1.5")
    assert job.published_date.value == datetime(2024, 3, 11, 5, 40)
    assert job.published_date.value.tzinfo is None
    assert job.start_time.value == datetime(2024, 3, 11, 14, 0, tzinfo=timezone.utc)
    end = job.end_time.value
    assert end.utcoffset() == timedelta(hours=5, minutes=30)
    assert end == datetime(2024, 3, 11, 14, 0, 0, 125000, tzinfo=timezone.utc)
    assert job.end_time.format == "ISO 8601"
    assert (job.command.value.value, job.command.other_value) == ("Other", "ReleaseToLine")
    value = job.job_order_parameter[0].value_[0]
    assert value.value_string.value == "Palette & foil, max. 4 < 5 layers"
    assert value.data_type is NIL and value.unit_of_measure is NIL
    out = ik.write_xml(job)
    # the lexical forms and the prefixes of the input are written back, not re-normalised
    assert b"<b2mml:Priority>+01.50</b2mml:Priority>" in out
    assert b">2024-03-11T19:30:00.125+05:30<" in out
    assert b"<b2mml:DataType xsi:nil=\"true\"/>" in out
    assert b'<JobOrderParameter xmlns="http://www.mesa.org/xml/B2MML"><ID>' in out
    assert b"xsi:schemaLocation=" in out


def test_changed_values_are_written_canonically() -> None:
    """A lexical form is kept only while its value is unchanged."""
    job = ik.read_xml((GOLDEN / "prefixed_job_order.xml").read_bytes())
    assert isinstance(job, JobOrder)
    job.priority.value = Decimal("2.25")
    job.start_time.value = datetime(2024, 3, 12, 6, 0, tzinfo=timezone(timedelta(hours=1)))
    out = ik.write_xml(job)
    assert b"<b2mml:Priority>2.25</b2mml:Priority>" in out
    assert b"<b2mml:StartTime>2024-03-12T06:00:00+01:00</b2mml:StartTime>" in out
    assert b">2024-03-11T19:30:00.125+05:30<" in out


def test_lexical_material_lot_values() -> None:
    lot = _read("lexical_material_lot.xml")
    assert isinstance(lot, MaterialLot)
    assert lot.published_date is NIL
    start = lot.effective_start_date.value
    assert start.microsecond == 999999 and start.utcoffset() == timedelta(hours=-3)
    assert lot.effective_end_date.value.tzinfo is None
    assert (lot.disposition.value.value, lot.disposition.other_value) == (
        "Other", "Blocked for export")
    assert lot.material_lot_property[0].value_[0].value_string is NIL
    assert lot.material_lot_property[1].value_[0].unit_of_measure is NIL
    assert lot.description[0].language_id == "en-GB"
    assert "—" in lot.description[0].value
    out = ik.write_xml(lot)
    assert out.count(b'xsi:nil="true"') == 3
    assert b"<ValueString" not in out.split(b"TEST_CERTIFICATE")[1].split(b"</Value>")[0].replace(
        b'<ValueString xsi:nil="true"/>', b"")


def test_no_invented_content() -> None:
    """Absent optional elements stay absent: no xsi:nil, no defaults, no empty lists."""
    job = ik.read_xml(
        b'<JobOrder xmlns="http://www.mesa.org/xml/B2MML"><ID>J</ID></JobOrder>'
    )
    out = ik.write_xml(job, config=ik.WriteConfig(xml_declaration=False))
    assert out == b'<JobOrder xmlns="http://www.mesa.org/xml/B2MML"><ID>J</ID></JobOrder>'


def test_information_object_children_are_in_no_namespace(
    official_schema: etree.XMLSchema,
) -> None:
    """InformationObject's children are unqualified (no namespace) in the official schema."""
    from isa95kit.model import WorkRecord

    rec = _read("work_record_information_object.xml")
    assert isinstance(rec, WorkRecord)
    entry = rec.work_record_entry[0]
    lot = entry.information_object.material_lot
    assert (lot.id.value, lot.quantity[0].quantity_string.value) == ("L24-0311-131", "48")
    assert rec.work_record_entry[1].external_reference_id.value == "LIMS-2024-0311-5531"
    # a fresh instance (no side records), written with a default namespace and a prefix
    fresh = type(rec).model_validate(rec.model_dump())
    for prefix, start in ((None, b'<MaterialLot xmlns="">'), ("b2mml", b"<MaterialLot>")):
        out = ik.write_xml(fresh, config=ik.WriteConfig(prefix=prefix))
        assert start in out
        assert b"ns0" not in out
        assert official_schema.validate(etree.fromstring(out)), official_schema.error_log
        assert ik.read_xml(out) == rec
