"""Reconciliation of an E-BOM with an M-BOM: hand-derived findings, a partner's B2MML
document, our own B2MML output, ignore rules, reports, the CLI and a property."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given

import isa95kit as ik
from isa95kit import bom as B
from isa95kit.bom import Bom, ItemType, LineKind, MBom, Occurrence, Operation, Part
from isa95kit.cli import main
from isa95kit.errors import BomTransformError
from tests.bom._strategies import eboms

DATA = Path(__file__).parent / "data"
PARTNER = DATA / "partner-pump.xml"
RULES = DATA / "pump-rules.toml"


def pump() -> Bom:
    parts = {
        p.id: p
        for p in [
            Part("PUMP", "EA", ItemType.MAKE, revision="C"),
            Part("PH", "EA", ItemType.PHANTOM),
            Part("SCREW", "EA"),
            Part("HOUSING", "EA", revision="2"),
            Part("OIL", "LTR", factors=("1 LTR = 0.9 KGM",)),
            Part("GREASE", "KGM"),
        ]
    }
    return Bom(
        parts,
        [
            Occurrence("PUMP", "HOUSING", F(1), "EA", "10", operation="OP10"),
            Occurrence("PUMP", "PH", F(2), "EA", "20", operation="OP20"),
            Occurrence("PH", "SCREW", F(4), "EA", "1", scrap=F(1, 10)),
            Occurrence("PUMP", "OIL", F(500), "MLT", "30", operation="OP30"),
            Occurrence("PUMP", "GREASE", F(20), "GRM", "40", operation="OP30"),
        ],
        [Operation("OP10", 10), Operation("OP20", 20), Operation("OP30", 30)],
    )


def codes(result: B.Reconciliation) -> list[tuple[str, str]]:
    return sorted((f.code.value, f.material) for f in result.findings)


def line(mbom: MBom, material: str) -> B.MBomLine:
    return next(x for x in mbom.lines if x.material == material)


def with_line(mbom: MBom, material: str, **changes: object) -> MBom:
    lines = [dataclasses.replace(x, **changes) if x.material == material else x for x in mbom.lines]
    return dataclasses.replace(mbom, lines=lines)


# -- hand-derived findings against our own M-BOM --------------------------------------------


def test_transform_reconciles_clean() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    # hand-derived: 2 phantoms x 4 screws / 0.9 kept = 80/9; 500 ml = 1/2 l; 20 g = 1/50 kg
    assert line(mbom, "SCREW").quantity == F(80, 9)
    result = B.reconcile(ebom, mbom)
    assert result.ok and result.findings == [] and result.compared == 4


def test_missing() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    mbom = dataclasses.replace(mbom, lines=[x for x in mbom.lines if x.material != "OIL"])
    (finding,) = B.reconcile(ebom, mbom).findings
    assert (finding.code, finding.material) == (B.FindingCode.MISSING, "OIL")
    assert finding.expected == F(1, 2) and finding.unit == "LTR"


def test_extra() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    extra = dataclasses.replace(line(mbom, "HOUSING"), id="OP10-LABEL", material="LABEL")
    mbom = dataclasses.replace(mbom, lines=[*mbom.lines, extra])
    result = B.reconcile(ebom, mbom)
    assert codes(result) == [("extra", "LABEL")]
    assert result.findings[0].where == ("OP10-LABEL",)


def test_lines_added_by_the_rules_are_intended() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    glue = dataclasses.replace(
        line(mbom, "HOUSING"), id="OP10-GLUE-ADDED", material="GLUE", kind=LineKind.ADDED
    )
    assert B.reconcile(ebom, dataclasses.replace(mbom, lines=[*mbom.lines, glue])).ok


def test_quantity_mismatch_is_exact() -> None:
    ebom = pump()
    mbom = with_line(B.transform(ebom), "SCREW", quantity=F(8889, 1000))
    (finding,) = B.reconcile(ebom, mbom).findings
    assert finding.code is B.FindingCode.QUANTITY_MISMATCH
    assert (finding.expected, finding.actual) == (F(80, 9), F(8889, 1000))
    assert "80/9 EA in the E-BOM" in finding.message


def test_units_are_converted_exactly() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    # 1/50 KGM of grease written as 20 GRM; 1/2 LTR of oil as 450 GRM through its density
    mbom = with_line(mbom, "GREASE", quantity=F(20), unit="GRM")
    mbom = with_line(mbom, "OIL", quantity=F(450), unit="GRM")
    assert B.reconcile(ebom, mbom).ok
    mbom = with_line(mbom, "OIL", quantity=F(451), unit="GRM")
    (finding,) = B.reconcile(ebom, mbom).findings
    assert finding.actual == F(451, 900) and finding.unit == "LTR"


def test_unit_not_comparable_is_its_own_finding() -> None:
    ebom = pump()
    # screws counted in kilograms: no factor links EA and KGM, so no quantity is compared
    mbom = with_line(B.transform(ebom), "SCREW", unit="KGM")
    (finding,) = B.reconcile(ebom, mbom).findings
    assert finding.code is B.FindingCode.UNIT_NOT_COMPARABLE
    assert (finding.unit, finding.actual_unit, finding.actual) == ("EA", "KGM", None)
    # an unknown unit code is not comparable either
    mbom = with_line(B.transform(ebom), "SCREW", unit="NOSUCHUNIT")
    assert codes(B.reconcile(ebom, mbom)) == [("unit-not-comparable", "SCREW")]


def test_revision_mismatch_of_the_product() -> None:
    ebom = pump()
    mbom = dataclasses.replace(B.transform(ebom), revision="B")
    assert codes(B.reconcile(ebom, mbom)) == [("revision-mismatch", "PUMP")]


def test_unassigned() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    oil = line(mbom, "OIL")
    mbom = dataclasses.replace(
        mbom,
        lines=[x for x in mbom.lines if x is not oil],
        unassigned=[dataclasses.replace(oil, operation=None)],
    )
    result = B.reconcile(ebom, mbom)
    assert codes(result) == [("unassigned", "OIL")]  # the quantity still agrees


def test_base_quantity_of_the_m_bom_scales() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    doubled = dataclasses.replace(
        mbom,
        base_quantity=F(2),
        lines=[dataclasses.replace(x, quantity=2 * x.quantity) for x in mbom.lines],
    )
    assert B.reconcile(ebom, doubled).ok
    assert codes(B.reconcile(ebom, dataclasses.replace(doubled, base_quantity=F(1)))) == [
        ("quantity-mismatch", m) for m in ("GREASE", "HOUSING", "OIL", "SCREW")
    ]


def test_effectivity_follows_the_m_bom_date() -> None:
    import datetime as dt

    ebom = pump()
    ebom.occurrences.append(
        Occurrence(
            "PUMP", "SEAL", F(1), "EA", "50", operation="OP10", effective_from=dt.date(2027, 1, 1)
        )
    )
    ebom.parts["SEAL"] = Part("SEAL", "EA")
    now = B.transform(ebom, at=dt.date(2026, 12, 1))
    assert B.reconcile(ebom, now).ok
    assert codes(B.reconcile(ebom, now, at=dt.date(2027, 1, 1))) == [("missing", "SEAL")]


# -- a partner's B2MML document -------------------------------------------------------------


def partner_ebom() -> Bom:
    rules = B.load_rules(RULES)
    return B.read_ebom(DATA / "pump-C.csv", routing=DATA / "pump-routing.csv", rules=rules)


def test_partner_document_is_valid_b2mml() -> None:
    assert ik.is_valid(PARTNER)


def test_partner_document_every_finding() -> None:
    rules = B.load_rules(RULES)
    result = B.reconcile(partner_ebom(), PARTNER, rules=rules)
    # hand-derived from the comments in the document: per 1 EA of PUMP (it defines 2 EA)
    assert codes(result) == [
        ("extra", "LABEL"),
        ("missing", "WASHER"),
        ("quantity-mismatch", "SEAL"),
        ("revision-mismatch", "PUMP"),
        ("unassigned", "GASKET"),
        ("unit-not-comparable", "PAINT"),
    ]
    seal = next(f for f in result.findings if f.material == "SEAL")
    assert (seal.expected, seal.actual) == (F(2), F(5, 2))
    washer = next(f for f in result.findings if f.material == "WASHER")
    assert washer.expected == F(4)
    # SCREW 17.778 / 2 is 80/9 within its 3 places; OIL 900 GRM / 2 is 500 MLT by density
    assert result.compared == 8


def test_partner_document_without_the_density() -> None:
    result = B.reconcile(partner_ebom(), PARTNER)
    oil = next(f for f in result.findings if f.material == "OIL")
    assert oil.code is B.FindingCode.UNIT_NOT_COMPARABLE and oil.actual_unit == "GRM"


def test_partner_document_exactly() -> None:
    rules = B.load_rules(RULES)
    result = B.reconcile(partner_ebom(), PARTNER, rules=rules, exact=True)
    screw = next(f for f in result.findings if f.material == "SCREW")
    assert screw.actual == F(17778, 2000) and screw.expected == F(80, 9)


def test_partner_document_as_a_model_and_as_b2mml_json() -> None:
    rules = B.load_rules(RULES)
    doc = ik.read_xml(PARTNER)
    expected = codes(B.reconcile(partner_ebom(), PARTNER, rules=rules))
    assert codes(B.reconcile(partner_ebom(), doc, rules=rules)) == expected
    again = ik.read_json(ik.write_json(doc))
    assert codes(B.reconcile(partner_ebom(), again, rules=rules)) == expected


def test_ignore_rules_from_the_rules_file() -> None:
    rules = B.load_rules(RULES)
    ignore = B.load_ignore_rules(RULES)
    result = B.reconcile(partner_ebom(), PARTNER, rules=rules, ignore=ignore)
    assert [f.material for f, _ in result.ignored] == ["GASKET", "LABEL"]
    assert ("extra", "LABEL") not in codes(result)
    gasket_rule = result.ignored[0][1]
    assert gasket_rule.reason == "the MES issues gaskets from the line stock"
    report = result.as_dict()
    assert report["ignored"][0]["rule"] == "unassigned:GASK*"


def test_ignore_rule_forms() -> None:
    finding = B.Finding(B.FindingCode.EXTRA, "PUMP", "GLUE-7", "x")
    assert B.IgnoreRule.parse("extra:GLUE-*").matches(finding)
    assert B.IgnoreRule.parse("*:PUMP/GLUE-7").matches(finding)
    assert B.IgnoreRule.parse("GLUE-7").matches(finding)
    assert not B.IgnoreRule.parse("extra:OTHER/GLUE-7").matches(finding)
    assert not B.IgnoreRule.parse("missing:GLUE-7").matches(finding)
    with pytest.raises(BomTransformError, match="matches no finding code"):
        B.IgnoreRule.parse("surplus:GLUE-7")


def test_bad_ignore_table_names_the_key() -> None:
    with pytest.raises(BomTransformError) as info:
        B.load_ignore_rules({"reconcile": {"ignore": [{"code": "extra", "colour": "red"}]}})
    assert info.value.location.path == "reconcile.ignore[0]"


def test_a_document_without_a_definition() -> None:
    doc = ik.read_xml(
        b'<MaterialDefinition xmlns="http://www.mesa.org/xml/B2MML"><ID>X</ID></MaterialDefinition>'
    )
    with pytest.raises(BomTransformError, match="no OperationsDefinition"):
        B.reconcile(pump(), doc)


# -- our own B2MML output --------------------------------------------------------------------


def test_our_b2mml_output_reconciles_within_its_rounding() -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    xml = ik.write_xml(B.to_operations_definition_information(mbom))
    assert B.reconcile(ebom, xml).ok
    exact = B.reconcile(ebom, xml, exact=True)
    assert codes(exact) == [("quantity-mismatch", "SCREW")]  # 8.888889 is not 80/9
    # rounded up, the written value may be a whole unit in the last place off
    rules = B.load_rules({"rounding": {"places": 2, "mode": "up"}})
    xml = ik.write_xml(B.to_operations_definition(B.transform(ebom, rules)))
    assert B.reconcile(ebom, xml, rules=rules).ok


# -- reports ----------------------------------------------------------------------------------


def test_text_and_json_reports() -> None:
    ebom = pump()
    mbom = dataclasses.replace(B.transform(ebom), revision="B")
    result = B.reconcile(ebom, mbom, ignore=["revision-mismatch:PUMP"])
    assert result.ok and "1 ignored" in result.to_text()
    data = json.loads(result.to_json())
    assert data["ok"] is True and data["ignored"][0]["code"] == "revision-mismatch"
    result = B.reconcile(ebom, with_line(mbom, "SCREW", quantity=F(9)))
    data = json.loads(result.to_json())
    screw = next(f for f in data["findings"] if f["material"] == "SCREW")
    assert (screw["expected"], screw["actual"]) == ("80/9", "9")


# -- CLI ---------------------------------------------------------------------------------------


def cli(*args: str) -> int:
    return main(["bom", "reconcile", *args])


def test_cli_reconcile(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ebom = str(DATA / "pump-C.csv")
    common = ["--routing", str(DATA / "pump-routing.csv"), "--rules", str(RULES)]
    assert cli(ebom, str(PARTNER), *common, "--format", "json") == 1
    data = json.loads(capsys.readouterr().out)
    assert sorted(f["code"] for f in data["findings"]) == [
        "missing",
        "quantity-mismatch",
        "revision-mismatch",
        "unit-not-comparable",
    ]
    ignore = [
        "--ignore",
        "missing:WASHER",
        "--ignore",
        "quantity-mismatch:SEAL",
        "--ignore",
        "revision-mismatch:*",
        "--ignore",
        "unit-not-comparable:PAINT",
    ]
    assert cli(ebom, str(PARTNER), *common, *ignore) == 0
    assert "6 ignored" in capsys.readouterr().out
    # our own M-BOM as provenance JSON, from bom transform
    out = tmp_path / "mbom.json"
    assert main(["bom", "transform", ebom, *common, "--format", "json", "-o", str(out)]) == 0
    assert cli(ebom, str(out), *common) == 0
    assert "0 finding(s)" in capsys.readouterr().out


def test_cli_reconcile_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ebom = str(DATA / "pump-C.csv")
    assert cli(ebom, str(tmp_path / "absent.xml")) == 2
    assert "absent.xml" in capsys.readouterr().err
    assert cli(ebom, str(PARTNER), "--ignore", "surplus:X") == 2
    assert "matches no finding code" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert cli(ebom, str(bad)) == 2
    assert "Traceback" not in capsys.readouterr().err


# -- property ----------------------------------------------------------------------------------


@given(eboms())
def test_property_transform_and_its_b2mml_reconcile_clean(ebom: Bom) -> None:
    mbom = B.transform(ebom)
    assert B.reconcile(ebom, mbom).findings == []
    assert B.reconcile(ebom, ik.write_xml(B.to_operations_definition_information(mbom))).ok


def test_process_message_and_effective_start_date() -> None:
    import datetime as dt

    ebom = pump()
    ebom.parts["SEAL"] = Part("SEAL", "EA")
    ebom.occurrences.append(
        Occurrence(
            "PUMP", "SEAL", F(1), "EA", "50", operation="OP10", effective_from=dt.date(2027, 1, 1)
        )
    )
    mbom = B.transform(ebom, at=dt.date(2026, 12, 1))
    message = ik.write_xml(B.to_process_message(mbom))
    side = B.read_operations_definition(message)
    assert side.product == "PUMP" and side.at is None and side.source is None
    assert codes(B.reconcile(ebom, side, at=dt.date(2026, 12, 1))) == []
    # a definition effective from 2027 resolves the E-BOM on that day: SEAL is missing
    definition = B.to_operations_definition(mbom)
    definition.effective_start_date = "2027-01-01T00:00:00Z"  # type: ignore[assignment]
    assert B.read_operations_definition(definition).at == dt.date(2027, 1, 1)
    assert codes(B.reconcile(ebom, definition)) == [("missing", "SEAL")]


def test_definition_without_a_produced_material_names_the_product() -> None:
    ebom = pump()
    definition = B.to_operations_definition(B.transform(ebom))
    for segment in definition.operations_segment:
        segment.material_specification = [
            s
            for s in segment.material_specification
            if s.material_use is None or s.material_use.value.value != "Produced"
        ]
    side = B.read_operations_definition(definition)
    assert side.product is None and side.base_quantity is None
    assert B.reconcile(ebom, definition).ok  # the E-BOM's product, per its base quantity


def test_a_quantity_without_unit_is_not_assumed_comparable() -> None:
    ebom = pump()
    definition = B.to_operations_definition(B.transform(ebom))
    spec = definition.operations_segment[0].material_specification[0]
    spec.quantity[0].unit_of_measure = None
    (finding,) = B.reconcile(ebom, definition).findings
    assert finding.code is B.FindingCode.UNIT_NOT_COMPARABLE and finding.material == "HOUSING"
    assert "states no unit of measure" in finding.message


def test_read_mbom_by_file_kind(tmp_path: Path) -> None:
    ebom = pump()
    mbom = B.transform(ebom)
    ours = tmp_path / "mbom.json"
    ours.write_text(B.provenance_json(mbom))
    theirs = tmp_path / "mbom.b2mml.json"
    theirs.write_bytes(ik.write_json(B.to_operations_definition_information(mbom)))
    assert isinstance(B.read_mbom(ours), MBom)
    assert isinstance(B.read_mbom(theirs), B.MBomSide)
    assert isinstance(B.read_mbom(PARTNER), B.MBomSide)
    for source in (ours, theirs, str(ours)):
        assert B.reconcile(ebom, source).ok
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    with pytest.raises(ik.DecodeError) as info:
        B.read_mbom(broken)
    assert info.value.location.line == 1
