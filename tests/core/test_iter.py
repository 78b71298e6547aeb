"""``iter_xml``: the same instances as ``read_xml``, one at a time, in bounded memory."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.model import (
    MasterDataTransactionProfile,
    OpMaterialActual,
    ProcessWorkSchedule,
    QuantityValue,
    SyncWorkPerformance,
)

NS = "http://www.mesa.org/xml/B2MML"
ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "golden"
SCHEDULE = GOLDEN / "erp_mes_work_schedule.xml"
PERFORMANCE = GOLDEN / "mes_erp_work_performance.xml"


def test_job_orders_equal_those_of_read_xml() -> None:
    doc = ik.read_xml(SCHEDULE)
    assert isinstance(doc, ProcessWorkSchedule)
    expected = [j for ws in doc.data_area.work_schedule for r in ws.work_request
                for j in r.job_order]
    assert len(expected) == 3
    data = SCHEDULE.read_bytes()
    for source in (SCHEDULE, str(SCHEDULE), data, io.BytesIO(data), data.decode("utf-8")):
        got = list(ik.iter_xml(source, "JobOrder"))
        assert got == expected
        assert [type(j) for j in got] == [type(j) for j in expected]
    # each one is written exactly as its part of the document
    for job, el in zip(ik.iter_xml(SCHEDULE, "JobOrder"),
                       etree.parse(str(SCHEDULE)).iter(f"{{{NS}}}JobOrder"), strict=True):
        el.tail = None
        assert _canonical(ik.write_xml(job)) == _canonical(etree.tostring(el))


def _canonical(data: bytes) -> str:
    return canonicalize(data.decode("utf-8"), with_comments=False, strip_text=True)


def test_it_is_lazy() -> None:
    it = ik.iter_xml(SCHEDULE, "JobOrder")
    first = next(it)
    assert first.id.value == "1000456-0010"  # type: ignore[attr-defined]
    assert [j.id.value for j in it] == ["1000456-0020", "1000471-0010"]  # type: ignore[attr-defined]


def test_an_element_under_several_parents() -> None:
    """``Quantity`` sits in personnel, equipment and material actuals and their properties."""
    quantities = list(ik.iter_xml(PERFORMANCE, "Quantity"))
    in_doc = list(etree.parse(str(PERFORMANCE)).iter(f"{{{NS}}}Quantity"))
    assert len(quantities) == len(in_doc) > 10
    assert all(type(q) is QuantityValue for q in quantities)
    assert [q.quantity_string.value for q in quantities] == [  # type: ignore[attr-defined]
        el.findtext(f"{{{NS}}}QuantityString") for el in in_doc
    ]


def test_nested_occurrences_come_with_their_outermost_one() -> None:
    """AssemblyActual is a MaterialActual's part (another tag): it stays inside. Where a
    tag nests in itself (TransactionProfile), only the outer occurrence is yielded."""
    doc = ik.read_xml(PERFORMANCE)
    assert isinstance(doc, SyncWorkPerformance)
    actuals = list(ik.iter_xml(PERFORMANCE, "MaterialActual"))
    jobs = doc.data_area.work_performance[0].work_response[0].job_response
    assert actuals == [a for j in jobs for a in j.material_actual]
    assert all(type(a) is OpMaterialActual for a in actuals)
    assert sum(len(a.assembly_actual) for a in actuals) == 1

    profile = f"""<MasterDataProfile xmlns="{NS}">
      <Header><ID>MDP-DE01</ID><Version>3</Version><Name>Plant DE01 exchange profile</Name></Header>
      <TransactionProfile>
        <ApplicationID>MES-DE01</ApplicationID>
        <ApplicationRole>Receiver</ApplicationRole>
        <TransactionProfile releaseID="7.1"><ID>TP-WORK-SCHEDULE</ID></TransactionProfile>
      </TransactionProfile>
      <TransactionProfile>
        <ApplicationID>ERP-S4P-100</ApplicationID>
        <ApplicationRole>Sender</ApplicationRole>
        <TransactionProfile releaseID="7.1"><ID>TP-MATERIAL</ID></TransactionProfile>
      </TransactionProfile>
    </MasterDataProfile>""".encode()
    outer = list(ik.iter_xml(profile, "TransactionProfile"))
    assert [type(p) for p in outer] == [MasterDataTransactionProfile] * 2
    assert [p.transaction_profile.id.value for p in outer] == ["TP-WORK-SCHEDULE", "TP-MATERIAL"]
    assert outer == ik.read_xml(profile).transaction_profile  # type: ignore[attr-defined]


def test_no_match_yields_nothing() -> None:
    assert list(ik.iter_xml(SCHEDULE, "MaterialLot")) == []


def test_errors_are_located_and_come_in_order() -> None:
    text = SCHEDULE.read_text("utf-8").replace(
        "<Priority>1</Priority>\n          <Command", "<Priority>soon</Priority>\n          <Command")
    it = ik.iter_xml(text, "JobOrder")
    assert next(it).id.value == "1000456-0010"  # type: ignore[attr-defined]
    assert next(it).id.value == "1000456-0020"  # type: ignore[attr-defined]
    with pytest.raises(ik.MappingError) as info:
        next(it)
    err = info.value
    assert "bad value in Priority: 'soon' is not a decimal number" in err.message
    assert err.path == ("/b2mml:ProcessWorkSchedule[1]/b2mml:DataArea[1]/b2mml:WorkSchedule[1]"
                        "/b2mml:WorkRequest[2]/b2mml:JobOrder[1]/b2mml:Priority[1]")
    assert err.line == text[: text.index("<Priority>soon")].count("\n") + 1


def test_not_well_formed_input_fails_where_it_breaks() -> None:
    """The items completed before the break are yielded first, under every lxml (6.2's
    iterparse raised before yielding what its read-ahead had parsed)."""
    data = SCHEDULE.read_bytes()
    cut = data[: data.index(b"<ID>1000471-0010</ID>")] + b"<ID>broken</JobOrder>"
    it = ik.iter_xml(cut, "JobOrder")
    assert len([next(it), next(it)]) == 2
    with pytest.raises(ik.MalformedDocumentError) as info:
        next(it)
    assert info.value.line == cut.count(b"\n") + 1


# -- memory --------------------------------------------------------------------------------------
_MEMORY = textwrap.dedent(
    '''
    import os, resource, sys
    import isa95kit as ik

    NS = "http://www.mesa.org/xml/B2MML"
    JOB = """
        <JobOrder>
          <ID>JO-{i:06d}</ID>
          <Description>Machine pump housings, lot {i}</Description>
          <StartTime>2024-03-11T06:00:00+01:00</StartTime>
          <EndTime>2024-03-11T09:45:00+01:00</EndTime>
          <WorkType>Production</WorkType>
          <Priority>2</Priority>
          <JobOrderParameter><ID>SPINDLE_SPEED</ID><Value><ValueString>1200</ValueString>
            <DataType>integer</DataType><UnitOfMeasure>RPM</UnitOfMeasure></Value></JobOrderParameter>
          <EquipmentRequirement><ID>ER-{i}</ID><EquipmentID>DE01-H2-L3-CNC07</EquipmentID>
          </EquipmentRequirement>
          <MaterialRequirement><ID>MR-{i}</ID><MaterialDefinitionID>RM-CAST-HSG-200</MaterialDefinitionID>
            <MaterialUse>Consumed</MaterialUse><Quantity><QuantityString>50</QuantityString>
            <UnitOfMeasure>C62</UnitOfMeasure></Quantity></MaterialRequirement>
        </JobOrder>"""

    def write(path, jobs):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f'<WorkSchedule xmlns="{NS}"><ID>WS</ID><WorkRequest><ID>WR</ID>')
            for i in range(jobs):
                fh.write(JOB.format(i=i))
            fh.write("</WorkRequest></WorkSchedule>")
        return os.path.getsize(path)

    def peak():
        # VmHWM (this process image's own peak): ru_maxrss of a process started from a big
        # pytest process keeps the parent's high-water mark (fork + exec), hiding any growth
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


    folder, mode = sys.argv[1], sys.argv[2]
    write(os.path.join(folder, "warm.xml"), 200)
    for _ in ik.iter_xml(os.path.join(folder, "warm.xml"), "JobOrder"):
        pass
    size = write(os.path.join(folder, "big.xml"), 6000)
    before = peak()
    n = 0
    if mode == "iter":
        for job in ik.iter_xml(os.path.join(folder, "big.xml"), "JobOrder"):
            n += 1
    else:
        doc = ik.read_xml(os.path.join(folder, "big.xml"))
        n = len(doc.work_request[0].job_order)
    print(size, peak() - before, n)
    '''
)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss units are platform specific")
def test_memory_stays_bounded(tmp_path: Path) -> None:
    """Peak RSS growth while iterating a ~6 MB document stays a small fraction of its size,
    while reading it whole grows by more than its size (so the measurement can tell)."""

    def run(mode: str) -> tuple[int, int, int]:
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY, str(tmp_path), mode],
            capture_output=True, text=True, check=True, cwd=ROOT,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        ).stdout.split()
        return int(out[0]), int(out[1]), int(out[2])

    size, grown, count = run("iter")
    assert count == 6000
    assert 4 << 20 < size < 12 << 20
    # VmHWM counts in pages, not ru_maxrss steps: ~0.86 MiB for this 5 MiB file
    assert grown < size // 4, f"iter_xml grew RSS by {grown >> 10} KiB for {size >> 10} KiB"
    size_whole, grown_whole, count_whole = run("whole")
    assert (size_whole, count_whole) == (size, count)
    assert grown_whole > size
