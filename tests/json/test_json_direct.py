"""The direct XML -> JSON converter (``_json/_direct.py``) against the model path.

``xml_to_json(x)`` must give the bytes of ``write_json(read_xml(x))`` and raise the same
error (class, message, location) on bad input; documents it does not handle go to the model
path with a reason. Checked on the golden and reference documents, the JSON golden files,
mutations of a valid document, and generated instances.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import isa95kit as ik
from isa95kit._json import write_json
from isa95kit._json._direct import convert_source, xml_to_json
from isa95kit._xml._config import ReadConfig
from isa95kit._xml._tables import resolve_class
from isa95kit.model import ELEMENTS
from isa95kit.model._base import B2MMLModel
from tests.conftest import EXAMPLES
from tests.strategies import instances

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
GOLDEN_XML = sorted((ROOT / "tests" / "data" / "golden").glob("*.xml"))
JSON_XML = sorted(DATA.glob("*.xml")) + sorted((ROOT / "examples" / "data").glob("*.xml"))
REFERENCE = sorted(EXAMPLES.rglob("*.xml"))
ALL = GOLDEN_XML + JSON_XML + REFERENCE


def _outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args, **kwargs)
    except Exception as exc:  # compared, not hidden: both sides must fail alike
        location = getattr(exc, "location", None)
        return "error", (type(exc), str(exc), location)


def _model(source: Any, config: ReadConfig | None = None, indent: int | None = None) -> bytes:
    return write_json(ik.read_xml(source, config=config), indent=indent)


def _same(source: Any, config: ReadConfig | None = None, indent: int | None = None) -> None:
    expected = _outcome(_model, source, config, indent)
    got = _outcome(xml_to_json, source, config=config, indent=indent)
    assert got == expected


def test_there_are_documents() -> None:
    assert len(GOLDEN_XML) >= 5 and len(REFERENCE) >= 10 and len(JSON_XML) >= 3


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
@pytest.mark.parametrize("indent", [None, 2])
def test_documents_give_the_model_paths_bytes_or_error(path: Path, indent: int | None) -> None:
    _same(path, indent=indent)
    _same(path.read_bytes(), indent=indent)
    _same(path, ReadConfig(unknown="preserve"), indent)


def test_most_valid_documents_take_the_direct_path() -> None:
    direct = []
    for path in ALL:
        outcome = _outcome(convert_source, path, None, None)
        if outcome[0] == "ok" and outcome[1][1] is None:
            assert outcome[1][0] == _model(path)
            direct.append(path.name)
    # the V0701 documents without nil, extensions or repeating choices
    assert {"erp_mes_work_schedule.xml", "material_master_assembly.xml",
            "mes_erp_work_performance.xml", "work_record_information_object.xml",
            "process-work-schedule.xml"} <= set(direct)  # fmt: skip


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (DATA / "batch-information.xml", "repeating-choice or mixed content"),
        (DATA / "sync-operations-test.xml", "xsi:nil"),
        (DATA / "sync-work-schedule.xml", "extension, xsd:any or unknown content"),
    ],
    ids=lambda v: getattr(v, "name", v),
)
def test_what_the_walk_does_not_handle_goes_to_the_model_path(path: Path, reason: str) -> None:
    text, why = convert_source(path, None, None)
    assert why is not None and reason in why
    assert text == _model(path)


def test_an_older_release_is_migrated_by_the_model_path() -> None:
    older = next(p for p in REFERENCE if "V0401" in p.parts and _outcome(_model, p)[0] == "ok")
    text, why = convert_source(older, None, None)
    assert why == "an older release (migrated)" and text == _model(older)


@pytest.mark.parametrize("path", sorted((DATA / "golden").glob("*.json")), ids=lambda p: p.name)
def test_the_json_golden_files(path: Path) -> None:
    xml = next((p for p in JSON_XML if p.stem == path.stem), None)
    if xml is None:
        pytest.skip(f"{path.name} is written by hand (no XML source)")
    assert xml_to_json(xml, indent=2) + b"\n" == path.read_bytes()


# -- bad input: the same located errors --------------------------------------------------------
_BASE = (ROOT / "tests" / "data" / "golden" / "erp_mes_work_schedule.xml").read_text("utf-8")
_ID = "<ID>WR-1000456</ID>"
_PRIORITY = "<Priority>2</Priority>"
_START = "<StartTime>2024-03-11T06:00:00+01:00</StartTime>"

#: name -> (text replaced, replacement); each a problem the model path reports or handles
MUTATIONS: dict[str, tuple[str, str]] = {
    "valid": ("", ""),
    "decimal with a fraction": (_PRIORITY, "<Priority>2.50</Priority>"),
    "bad decimal": (_PRIORITY, "<Priority>2,5</Priority>"),
    "decimal with plus and blanks": (_PRIORITY, "<Priority> +2 </Priority>"),
    "decimal with leading zeros": (_PRIORITY, "<Priority>002.0</Priority>"),
    "decimal with an exponent": (_PRIORITY, "<Priority>2E1</Priority>"),
    "bad dateTime": (_START, "<StartTime>2024-03-11 06:00</StartTime>"),
    "bad enumeration": ("<WorkType>Production</WorkType>", "<WorkType>Bogus</WorkType>"),
    "unknown element": (_ID, _ID + "<Bogus>x</Bogus>"),
    "extension element": (_ID, _ID + '<x:A xmlns:x="http://www.mesa.org/xml/B2MML-AllExtensions"/>'),
    "repeated ID": (_ID, _ID + _ID),
    "out of order": (_ID + "\n        <Description>", "<Description>"),
    "text in element-only content": (_ID, _ID + "stray"),
    "unknown attribute": (_ID, '<ID bogus="1">WR-1000456</ID>'),
    "namespaced attribute": (_ID, '<ID xmlns:o="urn:o" o:a="1">WR-1000456</ID>'),
    "schema location on a child": (
        _ID, '<ID xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="urn:a b.xsd">WR-1000456</ID>'),
    "nil on a value that is not nillable": (
        _ID, '<ID xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'),
    "comment in a value": (_ID, "<ID>WR-<!-- c -->1000456</ID>"),
    "comment between children": (_ID, _ID + "<!-- c --><?pi x?>"),
    "missing required ID": (_ID, ""),
    "not well-formed": ("</ProcessWorkSchedule>", ""),
    "other namespace": ('xmlns="http://www.mesa.org/xml/B2MML"', 'xmlns="urn:other"'),
}  # fmt: skip


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_mutated_documents_fail_or_convert_alike(name: str, tmp_path: Path) -> None:
    old, new = MUTATIONS[name]
    assert old in _BASE
    text = _BASE.replace(old, new, 1) if old else _BASE
    path = tmp_path / "doc.xml"
    path.write_text(text, encoding="utf-8")
    _same(path)
    _same(text.encode("utf-8"))


def test_a_missing_file_is_the_same_error(tmp_path: Path) -> None:
    _same(tmp_path / "absent.xml")


def test_file_objects_and_low_limits_take_the_model_path(tmp_path: Path) -> None:
    from isa95kit._source import ParseLimits

    path = ROOT / "examples" / "data" / "process-work-schedule.xml"
    with path.open("rb") as fh:
        text, why = convert_source(fh, None, None)
    assert why is not None and text == _model(path)
    low = ReadConfig(limits=ParseLimits(max_attributes=1))
    assert convert_source(path, low, None)[1] == "a low attribute limit"
    _same(path, low)


# -- generated documents ---------------------------------------------------------------------------
_NAMES = ["WorkSchedule", "MaterialInformation", "WorkPerformance", "ProcessWorkSchedule",
          "EquipmentInformation", "OperationsDefinitionInformation"]  # fmt: skip


@pytest.mark.parametrize("name", _NAMES)
def test_generated_documents_convert_as_the_model_path(name: str) -> None:
    cls = resolve_class(ELEMENTS[name])

    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(instances(cls, max_depth=3, extensions=True))
    def check(obj: B2MMLModel) -> None:
        xml = ik.write_xml(obj, element=name)
        _same(xml)
        _same(xml, indent=2)

    check()


# -- the command line ------------------------------------------------------------------------------
@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("path", GOLDEN_XML + JSON_XML, ids=lambda p: p.name)
def test_convert_writes_the_model_paths_json(path: Path, pretty: bool, tmp_path: Path) -> None:
    from isa95kit.cli import main

    out = tmp_path / "out.json"
    assert main(["convert", str(path), "-o", str(out), *(["--pretty"] if pretty else [])]) == 0
    assert out.read_bytes() == _model(path, indent=2 if pretty else None) + b"\n"


def test_convert_reports_the_model_paths_error(tmp_path: Path, capsys: Any) -> None:
    from isa95kit.cli import main

    path = tmp_path / "bad.xml"
    path.write_text(
        _BASE.replace("<WorkType>Production</WorkType>", "<WorkType>X</WorkType>"), "utf-8"
    )
    kind, (_, message, _) = _outcome(_model, path)  # (class, message, location)
    assert kind == "error"
    assert main(["convert", str(path), "-o", str(tmp_path / "out.json")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()
