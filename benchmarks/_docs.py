"""Generators of large, schema-valid B2MML V0701 documents for benchmarks.

Three document kinds, each written with lxml and streamed to disk chunk by chunk (memory
stays small whatever the target size), pretty-printed with two-space indentation like
most real exchange files, deterministic for a given ``seed``:

* :func:`make_work_schedule` -- ``<WorkSchedule>`` with work requests of 25 job orders
  each; every job order carries parameters (one with child parameters), personnel,
  equipment (with properties) and material requirements (consumed and produced, with
  lots, quantities and units), dateTimes with assorted timezone offsets.
* :func:`make_material_information` -- ``<MaterialInformation>`` with a few material
  classes and many material definitions, each with properties (one nested) and a
  3-level assembly (definition -> 2 assembly definitions -> 2 assembly definitions each).
* :func:`make_work_performance` -- ``<WorkPerformance>`` with work responses of 25 job
  responses each; every job response carries job data, personnel and equipment actuals
  (with properties) and material actuals with lots, sub-lots, storage locations and
  quantities.

Each ``make_*`` function writes ``path`` and returns the number of bytes written; the
file ends up at ``target_bytes`` plus at most one repeated unit (a few KB). Every
document is valid against ``xsd/V0701/AllSchemas.xsd``; :func:`validate`
checks a file with lxml's XMLSchema. :data:`KINDS` describes the kinds for callers
that loop over them (root element, repeated element for ``iter_xml``, generator)::

    from benchmarks._docs import KINDS, make_work_schedule, validate
    size = make_work_schedule("ws.xml", 10 * 1024 * 1024)
    validate("ws.xml")   # raises DocumentInvalid with the first errors if invalid
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

__all__ = [
    "GENERATOR_VERSION",
    "KINDS",
    "NS",
    "SCHEMA",
    "DocKind",
    "DocumentInvalid",
    "make_document",
    "make_material_information",
    "make_work_performance",
    "make_work_schedule",
    "validate",
]

#: bump when the generated content changes, so cached files get regenerated
GENERATOR_VERSION = 1
NS = "http://www.mesa.org/xml/B2MML"
#: the official schema, as MESA published it, in the repository's ``xsd/``
SCHEMA = Path(
    os.environ.get(
        "ISA95KIT_B2MML_SCHEMA",
        Path(__file__).resolve().parents[1] / "xsd" / "V0701" / "AllSchemas.xsd",
    )
)

_IND = "  "
_XMLNS = f' xmlns="{NS}"'.encode()
_Q: dict[str, str] = {}


def _q(name: str) -> str:
    tag = _Q.get(name)
    if tag is None:
        tag = _Q[name] = f"{{{NS}}}{name}"
    return tag


def _el(name: str) -> Any:
    return etree.Element(_q(name), nsmap={None: NS})


def _sub(parent: Any, name: str, text: str | None = None, **attrib: str) -> Any:
    el = etree.SubElement(parent, _q(name), attrib or None)
    if text is not None:
        el.text = text
    return el


class _Out:
    """Writes the wrapper tags by hand and whole subtrees serialised by lxml."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.size = 0

    def raw(self, data: str | bytes) -> None:
        b = data.encode("utf-8") if isinstance(data, str) else data
        self.fh.write(b)
        self.size += len(b)

    def open(self, name: str, level: int, root: bool = False) -> None:
        pad = "\n" + _IND * level if level else ""
        self.raw(f'{pad}<{name} xmlns="{NS}">' if root else f"{pad}<{name}>")

    def close(self, name: str, level: int) -> None:
        self.raw(f"\n{_IND * level}</{name}>" + ("\n" if level == 0 else ""))

    def chunk(self, el: Any, level: int) -> None:
        """Write ``el`` (built with the default namespace) as a child at ``level``."""
        etree.indent(el, space=_IND, level=level)
        el.tail = None
        data = etree.tostring(el, encoding="UTF-8")
        # the namespace is declared on the document element already
        self.raw(b"\n" + _IND.encode() * level + data.replace(_XMLNS, b"", 1))


# --------------------------------------------------------------------------- values

_TZ = [
    dt.timezone(dt.timedelta(hours=1)),
    dt.timezone.utc,
    dt.timezone(dt.timedelta(hours=-5)),
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
    dt.timezone(dt.timedelta(hours=2)),
]
_T0 = dt.datetime(2024, 3, 4, 6, 0, 0)

_SITES = ["SITE-ANTWERP", "SITE-LYON", "SITE-PUNE", "SITE-OHIO"]
_AREAS = ["BLENDING", "FILLING", "PACKAGING", "CURING"]
_LEVELS_LINE = ["ProductionLine", "ProcessCell", "WorkCenter"]
_UNITS = ["MX", "RX", "FL", "DR", "PK", "CV"]
_EQ_CLASSES = {
    "MX": "Mixer",
    "RX": "Reactor",
    "FL": "Filler",
    "DR": "Dryer",
    "PK": "Packer",
    "CV": "Conveyor",
}
_PERSONNEL = ["Operator", "ShiftLead", "QualityInspector", "Maintenance Technician"]
_MAT_UNITS = [
    ("kg", "decimal"),
    ("L", "decimal"),
    ("t", "double"),
    ("EA", "integer"),
    ("m", "double"),
    ("g", "decimal"),
]
_DESCR = [
    ("en", "Blend base resin with additives, degas and transfer to holding tank"),
    ("de", "Grundharz mit Additiven mischen, entgasen und in Puffertank umfüllen"),
    ("fr", "Mélanger la résine de base, dégazer et transférer vers la cuve tampon"),
    ("en", "Fill 20 L pails, weigh check ±0.5 % and palletise"),
]
_PARAMS = [
    ("MixSpeed", "rpm", "double", lambda r: f"{r.uniform(120, 900):.1f}"),
    ("TargetTemperature", "Cel", "double", lambda r: f"{r.uniform(20, 180):.2f}"),
    ("HoldTime", "min", "integer", lambda r: str(r.randint(5, 240))),
    ("Pressure", "bar", "decimal", lambda r: f"{r.uniform(0.8, 12):.3f}"),
    ("RecipeCode", "", "string", lambda r: f"RCP-{r.randint(100, 999)}-{r.choice('ABC')}"),
]


def _stamp(t: dt.datetime, tz: dt.tzinfo, ms: bool = False) -> str:
    s = t.replace(tzinfo=tz).isoformat(timespec="milliseconds" if ms else "seconds")
    return s[:-6] + "Z" if s.endswith("+00:00") else s


def _value(parent: Any, name: str, text: str, unit: str, dtype: str) -> Any:
    v = _sub(parent, name)
    _sub(v, "QuantityString" if name == "Quantity" else "ValueString", text)
    _sub(v, "DataType", dtype)
    if unit:
        _sub(v, "UnitOfMeasure", unit)
    return v


def _scope(parent: Any, equipment: str, level: str) -> None:
    hs = _sub(parent, "HierarchyScope")
    _sub(hs, "EquipmentID", equipment)
    _sub(hs, "EquipmentLevel", level)


def _times(
    parent: Any, r: random.Random, i: int, names: tuple[str, str] = ("StartTime", "EndTime")
) -> None:
    tz = _TZ[i % len(_TZ)]
    start = _T0 + dt.timedelta(minutes=17 * i + r.randint(0, 10))
    end = start + dt.timedelta(
        minutes=r.randint(30, 480), seconds=r.randint(0, 59), milliseconds=r.randint(0, 999)
    )
    _sub(parent, names[0], _stamp(start, tz))
    _sub(parent, names[1], _stamp(end, tz, ms=i % 3 == 0))


def _descr(parent: Any, r: random.Random, suffix: str) -> None:
    lang, text = r.choice(_DESCR)
    _sub(parent, "Description", f"{text} ({suffix})", languageID=lang)


def _line(r: random.Random) -> tuple[str, str]:
    site = r.choice(_SITES)
    return f"{site}.{r.choice(_AREAS)}.LINE{r.randint(1, 6)}", site


# ------------------------------------------------------------------- work schedule


def _job_order(r: random.Random, i: int) -> Any:
    jo = _el("JobOrder")
    line, _ = _line(r)
    product = f"P-{r.randint(1, 400):04d}"
    _sub(jo, "ID", f"JO-{i:08d}", schemeAgencyID="ERP")
    _descr(jo, r, f"job {i}, product {product}")
    _sub(jo, "PublishedDate", _stamp(_T0, _TZ[0]))
    _times(jo, r, i)
    _scope(jo, line, r.choice(_LEVELS_LINE))
    _sub(jo, "WorkType", "Production")
    _sub(jo, "WorkMasterID", f"WM-{product}-MIX")
    _sub(jo, "WorkMasterVersion", str(r.randint(1, 9)))
    _sub(jo, "Priority", str(r.randint(1, 5)))
    if i % 4 == 0:
        _sub(jo, "Command", "Start")
    _sub(jo, "DispatchStatus", r.choice(["Waiting", "Ready", "Dispatched", "Pending"]))
    for pid, unit, dtype, gen in r.sample(_PARAMS, 3):
        p = _sub(jo, "JobOrderParameter")
        _sub(p, "ID", pid)
        _value(p, "Value", gen(r), unit, dtype)
    p = _sub(jo, "JobOrderParameter")
    _sub(p, "ID", "TemperatureProfile")
    _sub(p, "Description", "Ramp profile, one child per stage", languageID="en")
    for stage in range(1, 4):
        c = _sub(p, "ParameterChild")
        _sub(c, "ID", f"Stage{stage}")
        _value(c, "Value", f"{r.uniform(40, 160):.1f}", "Cel", "double")
    pr = _sub(jo, "PersonnelRequirement")
    _sub(pr, "ID", f"JO-{i:08d}-PR1")
    _sub(pr, "PersonnelClassID", r.choice(_PERSONNEL))
    _sub(pr, "PersonnelUse", "Required")
    _value(pr, "Quantity", str(r.randint(1, 3)), "EA", "integer")
    for k in range(1, 3):
        unit = r.choice(_UNITS)
        er = _sub(jo, "EquipmentRequirement")
        _sub(er, "ID", f"JO-{i:08d}-ER{k}")
        _sub(er, "EquipmentClassID", _EQ_CLASSES[unit])
        _sub(er, "EquipmentID", f"{line}.{unit}-{r.randint(1, 12):02d}")
        _sub(er, "EquipmentLevel", "Unit")
        _sub(er, "EquipmentUse", "Primary" if k == 1 else "Auxiliary")
        _value(er, "Quantity", "1", "EA", "integer")
        ep = _sub(er, "EquipmentRequirementProperty")
        _sub(ep, "ID", "MinCapacity")
        _value(ep, "Value", f"{r.randint(5, 200) * 10}", "L", "integer")
    for k in range(1, r.randint(3, 5) + 1):
        unit, dtype = r.choice(_MAT_UNITS)
        produced = k == 1
        mr = _sub(jo, "MaterialRequirement")
        _sub(mr, "ID", f"JO-{i:08d}-MR{k}")
        _sub(mr, "MaterialDefinitionID", product if produced else f"RM-{r.randint(1, 900):04d}")
        if not produced:
            _sub(mr, "MaterialLotID", f"L{r.randint(2400000, 2499999)}")
        _sub(mr, "MaterialUse", "Produced" if produced else "Consumed")
        qty = str(r.randint(1, 5000)) if dtype == "integer" else f"{r.uniform(0.5, 2500):.3f}"
        _value(mr, "Quantity", qty, unit, dtype)
        if not produced and k % 2 == 0:
            mp = _sub(mr, "MaterialRequirementProperty")
            _sub(mp, "ID", "MaxMoisture")
            _value(mp, "Value", f"{r.uniform(0.1, 2):.2f}", "%", "decimal")
    _sub(jo, "SegmentRequirementID", f"SR-{product}-{r.randint(1, 4)}")
    return jo


def make_work_schedule(path: str | os.PathLike[str], target_bytes: int, *, seed: int = 1) -> int:
    """Write a ``<WorkSchedule>`` of about ``target_bytes`` to ``path``; return its size.

    Work requests of 25 job orders each, job orders as described in the module docstring.
    """
    r = random.Random(seed)
    with open(path, "wb") as fh:
        out = _Out(fh)
        out.raw("<?xml version='1.0' encoding='UTF-8'?>\n")
        out.open("WorkSchedule", 0, root=True)
        head = _el("H")
        _sub(head, "ID", "WS-2024-W10")
        _sub(head, "Description", "Weekly production schedule, week 10", languageID="en")
        _sub(head, "PublishedDate", _stamp(_T0 - dt.timedelta(days=2), _TZ[0]))
        _times(head, r, 0)
        _scope(head, "SITE-ANTWERP", "Site")
        _sub(head, "WorkType", "Mixed")
        _sub(head, "ScheduleState", "Released")
        for child in head:
            out.chunk(child, 1)
        i = 0
        req = 0
        while out.size < target_bytes:
            req += 1
            out.open("WorkRequest", 1)
            wr = _el("H")
            _sub(wr, "ID", f"WR-{req:06d}")
            _descr(wr, r, f"request {req}")
            _scope(wr, _line(r)[0], "ProductionLine")
            _sub(wr, "WorkType", "Production")
            _times(wr, r, i)
            _sub(wr, "Priority", str(r.randint(1, 5)))
            _sub(wr, "RequestState", "Released")
            for child in wr:
                out.chunk(child, 2)
            for _ in range(25):
                i += 1
                out.chunk(_job_order(r, i), 2)
                if out.size >= target_bytes:
                    break
            out.close("WorkRequest", 1)
        out.close("WorkSchedule", 0)
        return out.size


# ------------------------------------------------------------ material information


def _material_definition(r: random.Random, did: str, depth: int, i: int) -> Any:
    md = _el("MaterialDefinition" if depth == 1 else "AssemblyDefinition")
    _sub(md, "ID", did)
    _sub(md, "Version", f"{r.randint(1, 4)}.{r.randint(0, 9)}")
    _descr(md, r, did)
    if depth == 1:
        _sub(md, "Description", f"Item {did}, level {depth}", languageID="en")
        _sub(md, "PublishedDate", _stamp(_T0 - dt.timedelta(days=30 + i % 300), _TZ[i % 5]))
        _times(md, r, i, ("EffectiveStartDate", "EffectiveEndDate"))
        _scope(md, r.choice(_SITES), "Site")
    props = [
        ("Density", f"{r.uniform(0.6, 2.4):.4f}", "kg/L", "decimal"),
        ("ShelfLife", str(r.randint(30, 720)), "d", "integer"),
        ("Colour", r.choice(["RAL 9010", "RAL 5015", "natural", "RAL 3020"]), "", "string"),
        ("Hazardous", r.choice(["true", "false"]), "", "boolean"),
    ]
    for k, (pid, text, unit, dtype) in enumerate(props if depth == 1 else props[:2]):
        p = _sub(md, "MaterialDefinitionProperty")
        _sub(p, "ID", pid)
        if k == 0:
            _sub(p, "Description", "Measured at 20 °C", languageID="en")
        _sub(p, "PropertyType", "ClassType" if k % 2 else "InstanceType")
        _value(p, "Value", text, unit, dtype)
        if depth == 1 and k == 0:
            for lim, f in (("Min", 0.98), ("Max", 1.02)):
                c = _sub(p, "MaterialDefinitionPropertyChild")
                _sub(c, "ID", f"Density{lim}")
                _value(c, "Value", f"{float(text) * f:.4f}", unit, "decimal")
    _sub(md, "MaterialClassID", f"MC-{r.randint(1, 12):02d}")
    if depth < 3:
        for k in range(1, 3):
            md.append(_material_definition(r, f"{did}-{k}", depth + 1, i))
        _sub(md, "AssemblyType", "Physical" if depth == 1 else "Logical")
        _sub(md, "AssemblyRelationship", "Permanent" if depth == 1 else "Transient")
    return md


def make_material_information(
    path: str | os.PathLike[str], target_bytes: int, *, seed: int = 2
) -> int:
    """Write a ``<MaterialInformation>`` of about ``target_bytes``; return its size.

    Twelve material classes, then material definitions with properties and 3-level
    assemblies (each definition: 2 assembly definitions of 2 assembly definitions).
    """
    r = random.Random(seed)
    with open(path, "wb") as fh:
        out = _Out(fh)
        out.raw("<?xml version='1.0' encoding='UTF-8'?>\n")
        out.open("MaterialInformation", 0, root=True)
        head = _el("H")
        _sub(head, "ID", "MI-MASTERDATA-2024")
        _sub(head, "Description", "Material master data export", languageID="en")
        _scope(head, "ENTERPRISE", "Enterprise")
        _sub(head, "PublishedDate", _stamp(_T0, dt.timezone.utc, ms=True))
        for child in head:
            out.chunk(child, 1)
        for c in range(1, 13):
            mc = _el("MaterialClass")
            _sub(mc, "ID", f"MC-{c:02d}")
            _sub(mc, "Description", f"Material class {c}", languageID="en")
            for pid, unit in (("Density", "kg/L"), ("ShelfLife", "d")):
                p = _sub(mc, "MaterialClassProperty")
                _sub(p, "ID", pid)
                _sub(p, "PropertyType", "ClassType")
                _value(p, "Value", str(r.randint(1, 100)), unit, "integer")
            out.chunk(mc, 1)
        i = 0
        while out.size < target_bytes:
            i += 1
            out.chunk(_material_definition(r, f"MD-{i:07d}", 1, i), 1)
        out.close("MaterialInformation", 0)
        return out.size


# ---------------------------------------------------------------- work performance


def _job_response(r: random.Random, i: int) -> Any:
    jr = _el("JobResponse")
    line, _ = _line(r)
    product = f"P-{r.randint(1, 400):04d}"
    _sub(jr, "ID", f"JR-{i:08d}")
    _descr(jr, r, f"response to JO-{i:08d}")
    _times(jr, r, i)
    _scope(jr, line, "ProductionLine")
    _sub(jr, "WorkType", "Production")
    _sub(jr, "JobOrderID", f"JO-{i:08d}")
    _sub(jr, "WorkMasterID", f"WM-{product}-MIX")
    _sub(jr, "WorkMasterVersion", str(r.randint(1, 9)))
    _sub(jr, "JobState", r.choice(["Completed", "Completed", "Completed", "Aborted", "Held"]))
    for did, unit, dtype, text in (
        ("Yield", "%", "decimal", f"{r.uniform(88, 100):.2f}"),
        ("ScrapCount", "EA", "integer", str(r.randint(0, 40))),
    ):
        d = _sub(jr, "JobResponseData")
        _sub(d, "ID", did)
        _value(d, "Value", text, unit, dtype)
    pa = _sub(jr, "PersonnelActual")
    _sub(pa, "ID", f"JR-{i:08d}-PA1")
    _sub(pa, "PersonnelClassID", r.choice(_PERSONNEL))
    _sub(pa, "PersonID", f"EMP{r.randint(10000, 99999)}")
    _value(pa, "Quantity", f"{r.uniform(0.5, 8):.2f}", "h", "decimal")
    for k in range(1, 3):
        unit = r.choice(_UNITS)
        ea = _sub(jr, "EquipmentActual")
        _sub(ea, "ID", f"JR-{i:08d}-EA{k}")
        _sub(ea, "EquipmentClassID", _EQ_CLASSES[unit])
        _sub(ea, "EquipmentID", f"{line}.{unit}-{r.randint(1, 12):02d}")
        _value(ea, "Quantity", f"{r.uniform(0.2, 8):.2f}", "h", "decimal")
        for pid, u, text in (
            ("PeakTemperature", "Cel", f"{r.uniform(20, 180):.1f}"),
            ("EnergyUsed", "kW.h", f"{r.uniform(1, 900):.1f}"),
        ):
            ep = _sub(ea, "EquipmentActualProperty")
            _sub(ep, "ID", pid)
            _value(ep, "Value", text, u, "double")
    for k in range(1, r.randint(3, 5) + 1):
        unit, dtype = r.choice(_MAT_UNITS)
        produced = k == 1
        ma = _sub(jr, "MaterialActual")
        _sub(ma, "ID", f"JR-{i:08d}-MA{k}")
        _sub(ma, "MaterialDefinitionID", product if produced else f"RM-{r.randint(1, 900):04d}")
        _sub(ma, "MaterialLotID", f"L{r.randint(2400000, 2499999)}")
        if k % 2 == 0:
            _sub(ma, "MaterialSubLotID", f"L{r.randint(2400000, 2499999)}-{k:03d}")
        _sub(ma, "MaterialUse", "Produced" if produced else "Consumed")
        sl = _sub(ma, "StorageLocation")
        _sub(sl, "Location", f"WH{r.randint(1, 3)}-{r.choice('ABCDEF')}-{r.randint(1, 40):02d}")
        _sub(sl, "LocationType", "Operational Location")
        qty = str(r.randint(1, 5000)) if dtype == "integer" else f"{r.uniform(0.5, 2500):.3f}"
        _value(ma, "Quantity", qty, unit, dtype)
        if k % 2 == 1:
            mp = _sub(ma, "MaterialActualProperty")
            _sub(mp, "ID", "Moisture")
            _value(mp, "Value", f"{r.uniform(0.1, 2):.2f}", "%", "decimal")
    return jr


def make_work_performance(path: str | os.PathLike[str], target_bytes: int, *, seed: int = 3) -> int:
    """Write a ``<WorkPerformance>`` of about ``target_bytes``; return its size.

    Work responses of 25 job responses each, job responses as in the module docstring.
    """
    r = random.Random(seed)
    with open(path, "wb") as fh:
        out = _Out(fh)
        out.raw("<?xml version='1.0' encoding='UTF-8'?>\n")
        out.open("WorkPerformance", 0, root=True)
        head = _el("H")
        _sub(head, "ID", "WP-2024-W10")
        _sub(head, "Description", "Performance of the week 10 schedule", languageID="en")
        _sub(head, "PublishedDate", _stamp(_T0 + dt.timedelta(days=7), _TZ[0]))
        _times(head, r, 0)
        _scope(head, "SITE-ANTWERP", "Site")
        _sub(head, "WorkType", "Mixed")
        _sub(head, "WorkScheduleID", "WS-2024-W10")
        _sub(head, "WorkState", "Completed")
        for child in head:
            out.chunk(child, 1)
        i = 0
        resp = 0
        while out.size < target_bytes:
            resp += 1
            out.open("WorkResponse", 1)
            wr = _el("H")
            _sub(wr, "ID", f"WRS-{resp:06d}")
            _times(wr, r, i)
            _sub(wr, "WorkType", "Production")
            _sub(wr, "WorkRequestID", f"WR-{resp:06d}")
            _sub(wr, "ResponseState", "Completed")
            for child in wr:
                out.chunk(child, 2)
            for _ in range(25):
                i += 1
                out.chunk(_job_response(r, i), 2)
                if out.size >= target_bytes:
                    break
            out.close("WorkResponse", 1)
        out.close("WorkPerformance", 0)
        return out.size


# ------------------------------------------------------------------------ catalogue


@dataclass(frozen=True)
class DocKind:
    """One generated document kind."""

    name: str  #: short name used in file names and tables
    root: str  #: global element at the root
    repeated: str  #: the element that repeats (what ``iter_xml`` streams)
    make: Callable[..., int]


KINDS: dict[str, DocKind] = {
    k.name: k
    for k in (
        DocKind("work-schedule", "WorkSchedule", "JobOrder", make_work_schedule),
        DocKind(
            "material-info", "MaterialInformation", "MaterialDefinition", make_material_information
        ),
        DocKind("work-performance", "WorkPerformance", "JobResponse", make_work_performance),
    )
}


def make_document(kind: str, path: str | os.PathLike[str], target_bytes: int) -> int:
    """Write a document of ``kind`` (a key of :data:`KINDS`); return its size."""
    return KINDS[kind].make(path, target_bytes)


class DocumentInvalid(Exception):
    """A generated document does not validate against the official schema."""


_SCHEMA_CACHE: list[Any] = []


def _schema() -> Any:
    if not _SCHEMA_CACHE:
        _SCHEMA_CACHE.append(etree.XMLSchema(etree.parse(str(SCHEMA))))
    return _SCHEMA_CACHE[0]


def validate(path: str | os.PathLike[str]) -> None:
    """Validate ``path`` against the V0701 schema with lxml; raise DocumentInvalid."""
    schema = _schema()
    doc = etree.parse(os.fspath(path), etree.XMLParser(huge_tree=True))
    if not schema.validate(doc):
        first = [f"line {e.line}: {e.message}" for e in islice(schema.error_log, 5)]
        raise DocumentInvalid(f"{path} is not valid B2MML V0701:\n  " + "\n  ".join(first))
