"""The runnable examples run on the bundled data and emit documents the official schema accepts."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest
from lxml import etree

import isa95kit as ik

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def official(v0701: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(v0701 / "AllSchemas.xsd")))


def test_sample_data_is_valid(official: etree.XMLSchema) -> None:
    for path in sorted((EXAMPLES / "data").glob("*.xml")):
        assert official.validate(etree.parse(str(path))), (path, official.error_log)


def test_erp_to_mes(official: etree.XMLSchema, capsys: pytest.CaptureFixture[str]) -> None:
    out = load("erp_to_mes_work_orders").main()
    assert official.validate(etree.fromstring(out)), official.error_log
    printed = capsys.readouterr().out
    assert "PO-100045871-0010  Tue 06:00-11:30  WM-FILL-OJ1L" in printed
    ack = ik.read_xml(out)
    assert type(ack).__name__ == "AcknowledgeWorkSchedule"
    assert ack.data_area.work_schedule[0].id.value == "WS-1010-2026-W48"  # type: ignore[attr-defined]


def test_mes_to_erp_backflush(official: etree.XMLSchema) -> None:
    with warnings.catch_warnings():
        # the sample uses CS (case), a packaging code Rec 20 moved to Rec 21: no warning
        warnings.simplefilter("error")
        out = load("mes_to_erp_performance").main()
    assert official.validate(etree.fromstring(out)), official.error_log
    report = ik.read_xml(out)
    jobs = report.data_area.work_performance[0].work_response[0].job_response  # type: ignore[attr-defined]
    by_material = {
        (j.job_order_id.value, a.id.value): a.quantity[0] for j in jobs for a in j.material_actual
    }
    # 1 860 L planned for 12 000 cartons, 12 000 made (good + scrap): 1.86 m3 exactly
    conc = by_material[("PO-100045871-0010", "MA-BF-1")]
    assert (conc.quantity_string.value, conc.unit_of_measure.value) == ("1.860000", "MTQ")
    # second job: 12 000 cartons planned for 1 000 cases, 990 made -> 11 880 cartons
    cartons = by_material[("PO-100045871-0020", "MA-BF-1")]
    assert cartons.quantity_string.value == "11880.00"


def test_cli_info_on_sample() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "isa95kit",
            "info",
            str(EXAMPLES / "data" / "process-work-schedule.xml"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ProcessWorkSchedule" in out and "V0701" in out
    assert "JobOrder" in out and "PO-100045871-0020" in out


def test_plm_change_to_mbom(
    official: etree.XMLSchema, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = load("plm_change_to_mbom").main(tmp_path)
    assert official.validate(etree.fromstring(out)), official.error_log
    printed = capsys.readouterr().out
    # the running M-BOM (rev C on 1 October): ECO-2026-117's old seal has expired
    assert "M-BOM of PUMP-P100 rev C at 2026-10-01:" in printed
    assert "left out (effectivity): SEAL-OLD not effective at 2026-10-01" in printed
    assert "left out (reference): DWG-P100" in printed
    # the PLM change list C -> D
    assert "PLM change list, rev C -> D (7 changes):" in printed
    assert "replaced          IMPELLER-KIT #10: IMPELLER 1 EA replaced by IMPELLER-B" in printed
    # applied through the provenance; the screws for the seal cover would join the OP30
    # screw line of another occurrence: flagged, not guessed
    assert "PUMP-P100: 5 applied, 1 flagged, 1 outside the M-BOM" in printed
    assert (
        "FLAGGED  PUMP-P100 #60: added SCREW-M8 0.04 BX: merged: "
        "SCREW-M8 would join line OP30-SCREW-M8 in OP30"
    ) in printed
    # the applied changes are exact: revision D differs only by the flagged screws
    assert "PUMP-P100: 1 finding(s), 0 ignored, 7 material(s) compared" in printed
    assert "quantity-mismatch    SCREW-M8         10 EA in the M-BOM, 14 EA in the E-BOM" in printed
    eco = json.loads((tmp_path / "pump-eco.json").read_text())
    assert [f["reason"] for f in eco["flagged"]] == ["merged"]
    assert len(eco["applied"]) == 5 and not eco["ok"]
    # the released revision D goes to the MES
    assert "M-BOM of PUMP-P100 rev D at 2026-11-02:" in printed
    message = ik.read_xml(out)
    assert type(message).__name__ == "ProcessOperationsDefinitionInformation"
    info = message.data_area.operations_definition_information[0]  # type: ignore[attr-defined]
    definition = info.operations_definition[0]
    assert definition.id.value == "OD-PUMP-P100-D"
    rows = (tmp_path / "pump-mbom.csv").read_text().splitlines()
    # boxes of 100 issued in pieces: 0.02 BX in the phantom kit (OP20); 0.08 + 0.04 BX in OP30
    assert "OP20,20,OP20-SCREW-M8,SCREW-M8,Hex screw M8x20 (box of 100),2.0000,EA,2," in rows[4]
    assert any(r.startswith("OP30,30,OP30-SCREW-M8,") and ",12.0000,EA,12," in r for r in rows)
    # 3 % scrap on the machined housing in rev D: 1 / 0.97 housings, and castings for them
    assert any(",HOUSING-M,Machined pump housing,1.0309,EA,100/97," in r for r in rows)
    assert any(",CASTING-H,Housing casting GG-25,1.0309,EA,100/97," in r for r in rows)
    assert any(",KEY-5,Feather key 5x5,2.0000,EA,2," in r for r in rows)
    provenance = json.loads((tmp_path / "pump-mbom-provenance.json").read_text())
    assert provenance["revision"] == "D" and not provenance["issues"]
