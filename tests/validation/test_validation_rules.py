"""Business rules on small schema-valid documents: each rule fires where it should, only there,
at the right line and positional XPath, in both engines."""

from __future__ import annotations

import pytest

from isa95kit.validation import RULES, FileReport, Severity, check
from tests.validation._support import (
    V0701,
    job_order,
    line_of_text,
    parameter,
    request,
    resolve,
    work_schedule,
)

ENGINES = pytest.mark.parametrize("stream", [False, True], ids=["tree", "stream"])


def run(data: bytes, stream: bool = False, **options: object) -> FileReport:
    report = check(data, stream=stream, **options).files[0]
    schema = [str(i) for i in report.issues if i.code in ("schema", "unknown-version")]
    assert schema == [], "test documents must be schema-valid"
    return report


def only(report: FileReport, code: str) -> list[tuple[int | None, str]]:
    return [(i.line, i.message) for i in report.issues if i.code == code]


def assert_located(data: bytes, report: FileReport) -> None:
    for issue in report.issues:
        element = resolve(data, issue, report.namespaces)
        assert element.sourceline == issue.line, issue


def test_every_rule_has_a_stable_code_and_defaults() -> None:
    assert set(RULES) == {
        "end-before-start",
        "quantity-not-numeric",
        "value-not-of-datatype",
        "unknown-unit",
        "empty-required-value",
        "duplicate-id",
        "dangling-reference",
        "datetime-without-timezone",
    }
    errors = {c for c, r in RULES.items() if r.info.severity is Severity.ERROR}
    assert errors == {
        "end-before-start",
        "duplicate-id",
        "dangling-reference",
        "empty-required-value",
    }


# --------------------------------------------------------------------------- end before start
@ENGINES
def test_end_before_start(stream: bool) -> None:
    times = (
        "        <StartTime>2024-05-01T06:00:00Z</StartTime>\n"
        "        <EndTime>2024-05-01T05:59:59Z</EndTime>"
    )
    inner = (
        "          <StartTime>2024-05-01T08:00:00+02:00</StartTime>\n"  # 06:00Z
        "          <EndTime>2024-05-01T06:30:00Z</EndTime>"  # later: fine
    )
    equal = (
        "          <StartTime>2024-05-01T06:00:00Z</StartTime>\n"
        "          <EndTime>2024-05-01T06:00:00Z</EndTime>"
    )
    offsets = (
        "          <StartTime>2024-05-01T08:00:00.5+02:00</StartTime>\n"
        "          <EndTime>2024-05-01T06:00:00Z</EndTime>"  # 0.5 s before the start
    )
    data = work_schedule(
        request("WR-1", job_order("JO-1", inner), job_order("JO-2", equal),
                job_order("JO-3", offsets), times=times)
    )  # fmt: skip
    report = run(data, stream)
    found = only(report, "end-before-start")
    assert [line for line, _ in found] == [
        line_of_text(data, "<EndTime>2024-05-01T05:59:59Z"),
        line_of_text(data, "<EndTime>2024-05-01T06:00:00Z", 2),
    ]
    start = line_of_text(data, "<StartTime>2024-05-01T06:00:00Z")
    assert f"StartTime 2024-05-01T06:00:00Z (line {start})" in found[0][1]
    assert not report.valid
    assert_located(data, report)


def test_end_and_start_with_and_without_timezone_are_not_compared() -> None:
    mixed = (
        "          <StartTime>2024-05-01T08:00:00</StartTime>\n"
        "          <EndTime>2024-05-01T06:00:00Z</EndTime>"
    )
    report = run(work_schedule(request("WR-1", job_order("JO-1", mixed))))
    assert only(report, "end-before-start") == []
    assert [i.code for i in report.issues] == ["datetime-without-timezone"]


# --------------------------------------------------------------------------- values
@ENGINES
@pytest.mark.parametrize(
    ("value", "datatype", "problem"),
    [
        ("&gt;=27.0", "double", "not a floating-point number"),
        ("12,5", "decimal", "not a decimal number"),
        ("1e3", "decimal", "not a decimal number"),
        ("12 kg", "Quantity", "not a decimal number"),
        ("1.5", "integer", "not an integer"),
        ("300", "byte", "above the byte maximum 127"),
        ("0", "positiveInteger", "below the positiveInteger minimum 1"),
        ("-1", "unsignedInt", "below the unsignedInt minimum 0"),
    ],
)
def test_quantity_not_numeric(stream: bool, value: str, datatype: str, problem: str) -> None:
    data = work_schedule(request("WR-1", job_order("JO-1", parameter(value, datatype))))
    report = run(data, stream)
    ((line, message),) = only(report, "quantity-not-numeric")
    assert line == line_of_text(data, "<ValueString>")
    assert problem in message and f"DataType is {datatype}" in message
    assert report.valid  # a warning
    assert_located(data, report)


@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        ("1.5E3", "double"),
        ("-INF", "float"),
        ("NaN", "double"),
        (" 42 ", "int"),
        ("+7", "decimal"),
        (".5", "Amount"),
        ("9223372036854775807", "long"),
        ("anything", "string"),
        ("anything", "Text"),
    ],
)
def test_numbers_of_their_datatype_pass(value: str, datatype: str) -> None:
    data = work_schedule(request("WR-1", job_order("JO-1", parameter(value, datatype))))
    assert run(data).issues == []


@pytest.mark.parametrize(
    ("value", "datatype", "ok"),
    [
        ("faflse", "boolean", False),
        ("true", "boolean", True),
        ("1", "Indicator", True),
        ("2024-05-01", "dateTime", False),
        ("2024-05-01T06:00:00Z", "dateTime", True),
        ("PT1H30M", "duration", True),
        ("90 min", "duration", False),
        ("06:00:00", "time", True),
        ("2024-5-1", "date", False),
    ],
)
def test_value_not_of_datatype(value: str, datatype: str, ok: bool) -> None:
    data = work_schedule(request("WR-1", job_order("JO-1", parameter(value, datatype))))
    report = run(data)
    assert (only(report, "value-not-of-datatype") == []) is ok


def test_nil_and_typeless_values_are_not_checked() -> None:
    nil = """          <JobOrderParameter>
            <ID>P1</ID>
            <Value xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <ValueString xsi:nil="true"/><DataType>double</DataType>
            </Value>
          </JobOrderParameter>
          <JobOrderParameter>
            <ID>P2</ID>
            <Value><ValueString>abc</ValueString></Value>
          </JobOrderParameter>"""
    assert run(work_schedule(request("WR-1", job_order("JO-1", nil)))).issues == []


# --------------------------------------------------------------------------- units
@ENGINES
def test_unknown_unit(stream: bool) -> None:
    params = "\n".join(
        [
            parameter("1", "double", "Kilogramm", "A"),
            parameter("1", "double", "http://qudt.org/vocab/unit/KiloGM", "B"),
            parameter("1", "double", "kg", "C"),
            parameter("1", "double", "KGM", "D"),
            parameter("1", "double", "Kilogramm", "E"),
        ]
    )
    data = work_schedule(request("WR-1", job_order("JO-1", params)))
    report = run(data, stream)
    found = [i for i in report.issues if i.code == "unknown-unit"]
    assert [i.line for i in found] == [
        line_of_text(data, "Kilogramm"),
        line_of_text(data, "Kilogramm", 2),
    ]
    assert found[0].hint is not None and "KGM" in found[0].hint  # a suggestion
    assert report.valid
    assert not check(data, profile={"rules": {"unknown-unit": "error"}}).valid


# --------------------------------------------------------------------------- empty values
@ENGINES
def test_empty_required_value(stream: bool) -> None:
    empty_quantity = """          <MaterialRequirement>
            <ID>MR-1</ID>
            <Quantity><QuantityString>  </QuantityString><UnitOfMeasure>KGM</UnitOfMeasure></Quantity>
            <Quantity xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><QuantityString xsi:nil="true"/></Quantity>
          </MaterialRequirement>"""
    data = work_schedule(request("WR-1", job_order(" ", empty_quantity)))
    report = run(data, stream)
    found = only(report, "empty-required-value")
    assert found == [
        (line_of_text(data, "<ID> </ID>"), "ID of JobOrder is empty"),
        (
            line_of_text(data, "<QuantityString>  </QuantityString>"),
            "QuantityString of Quantity is empty",
        ),
    ]
    assert not report.valid
    assert_located(data, report)


# --------------------------------------------------------------------------- duplicate IDs
@ENGINES
def test_duplicate_id(stream: bool) -> None:
    data = work_schedule(
        "\n".join(
            [
                request("WR-1", job_order("JO-1"), job_order("JO-2"), job_order("JO-1")),
                request("WR-2", job_order("JO-1")),  # another parent: fine
                request("WR-1", job_order("JO-9")),  # a second WR-1 in the schedule
            ]
        )
    )
    report = run(data, stream)
    found = only(report, "duplicate-id")
    assert [line for line, _ in found] == [
        line_of_text(data, "<ID>JO-1</ID>", 2),
        line_of_text(data, "<ID>WR-1</ID>", 2),
    ]
    first_line = line_of_text(data, "<JobOrder>")
    assert f"JobOrder ID 'JO-1' is already used by the JobOrder at line {first_line}" in found[0][1]
    assert "in the same WorkSchedule" in found[1][1]
    assert not report.valid
    assert_located(data, report)


def test_objects_of_different_kinds_or_versions_may_share_an_id() -> None:
    inner = """          <PersonnelRequirement><ID>R-1</ID></PersonnelRequirement>
          <EquipmentRequirement><ID>R-1</ID></EquipmentRequirement>"""
    assert run(work_schedule(request("WR-1", job_order("JO-1", inner)))).issues == []
    versions = f"""<WorkflowSpecification xmlns="{V0701}">
  <ID>WF</ID>
  <WorkflowSpecificationNode><ID>N1</ID></WorkflowSpecificationNode>
  <WorkflowSpecificationNode><ID>N2</ID></WorkflowSpecificationNode>
  <WorkflowSpecificationNode>
    <ID>N3</ID>
    <WorkflowSpecification><ID>SUB</ID><Version>1</Version>
      <WorkflowSpecificationNode><ID>A</ID></WorkflowSpecificationNode>
    </WorkflowSpecification>
  </WorkflowSpecificationNode>
</WorkflowSpecification>""".encode()
    assert run(versions).issues == []


# --------------------------------------------------------------------------- references
WORKFLOW = f"""<WorkflowSpecification xmlns="{V0701}">
  <ID>WF-1</ID>
  <WorkflowSpecificationNode><ID>N1</ID><WorkMasterID>WM-NOT-HERE</WorkMasterID></WorkflowSpecificationNode>
  <WorkflowSpecificationNode><ID>N2</ID></WorkflowSpecificationNode>
  <WorkflowSpecificationConnection>
    <ID>C1</ID>
    <FromWSNodeID>N1</FromWSNodeID>
    <ToWSNodeID>N2</ToWSNodeID>
    <Dependency>AfterEnd</Dependency>
  </WorkflowSpecificationConnection>
  <WorkflowSpecificationConnection>
    <ID>C2</ID>
    <FromWSNodeID>N2</FromWSNodeID>
    <ToWSNodeID>N3</ToWSNodeID>
    <Dependency>AfterEnd</Dependency>
  </WorkflowSpecificationConnection>
</WorkflowSpecification>
""".encode()


@ENGINES
def test_dangling_workflow_connection(stream: bool) -> None:
    report = run(WORKFLOW, stream)
    ((line, message),) = only(report, "dangling-reference")
    assert line == line_of_text(WORKFLOW, "<ToWSNodeID>N3")
    assert "workflow connection to 'N3' does not resolve" in message
    assert "enclosing WorkflowSpecification (line 1)" in message
    assert not report.valid  # WorkMasterID is master data: not checked
    assert_located(WORKFLOW, report)


OPERATIONS = f"""<OperationsDefinitionInformation xmlns="{V0701}">
  <ID>ODI</ID>
  <OperationsDefinition>
  <ID>OD-1</ID>
  <OperationsSegment>
    <ID>SEG-MIX</ID>
    <MaterialSpecification><ID>MS-RESIN</ID><MaterialDefinitionID>RESIN</MaterialDefinitionID></MaterialSpecification>
  </OperationsSegment>
  <OperationsSegment>
    <ID>SEG-FILL</ID>
    <SegmentDependency><ID>D1</ID><Dependency>AfterEnd</Dependency><SegmentID>SEG-MIX</SegmentID></SegmentDependency>
    <SegmentDependency><ID>D2</ID><Dependency>AfterEnd</Dependency><SegmentID>SEG-CURE</SegmentID></SegmentDependency>
    <DependentOperationsSegmentID>SEG-MIX</DependentOperationsSegmentID>
    <DependentOperationsSegmentID>SEG-TOP</DependentOperationsSegmentID>
  </OperationsSegment>
  </OperationsDefinition>
  <OperationsSegment><ID>SEG-TOP</ID></OperationsSegment>
  <OperationsMaterialBill>
    <ID>BOM-1</ID>
    <OperationsMaterialBillItem>
      <ID>I1</ID>
      <AssemblyBillOfMaterialItem><ID>I1a</ID><MaterialSpecificationID>MS-PIGMENT</MaterialSpecificationID></AssemblyBillOfMaterialItem>
      <MaterialSpecificationID>MS-RESIN</MaterialSpecificationID>
    </OperationsMaterialBillItem>
  </OperationsMaterialBill>
</OperationsDefinitionInformation>
""".encode()


@ENGINES
def test_dangling_segment_dependency_and_bill_item(stream: bool) -> None:
    report = run(OPERATIONS, stream)
    found = only(report, "dangling-reference")
    assert [line for line, _ in found] == [
        line_of_text(OPERATIONS, "SEG-CURE"),
        line_of_text(OPERATIONS, "MS-PIGMENT"),
    ]
    assert "operations segment dependency to 'SEG-CURE'" in found[0][1]
    assert "bill item material specification to 'MS-PIGMENT'" in found[1][1]
    assert_located(OPERATIONS, report)


@ENGINES
def test_batchml_links_resolve_only_internal_ids(stream: bool) -> None:
    ns = "http://www.mesa.org/xml/B2MML"
    data = f"""<BatchInformation xmlns="{ns}">
  <MasterRecipe>
    <ID>MR</ID>
    <ProcedureLogic>
      <Link>
        <ID>L1</ID>
        <FromID><FromIDValue>S1</FromIDValue><FromType>Step</FromType><IDScope>Internal</IDScope></FromID>
        <ToID><ToIDValue>S3</ToIDValue><ToType>Step</ToType><IDScope>Internal</IDScope></ToID>
        <LinkType>ControlLink</LinkType>
        <Depiction>LineAndArrow</Depiction>
      </Link>
      <Link>
        <ID>L2</ID>
        <FromID><FromIDValue>S2</FromIDValue><FromType>Step</FromType><IDScope>Internal</IDScope></FromID>
        <ToID><ToIDValue>OTHER-RECIPE</ToIDValue><ToType>Step</ToType><IDScope>External</IDScope></ToID>
        <LinkType>ControlLink</LinkType>
        <Depiction>LineAndArrow</Depiction>
      </Link>
      <Step><ID>S1</ID><RecipeElementID>RE1</RecipeElementID><RecipeElementVersion>1</RecipeElementVersion></Step>
      <Step><ID>S2</ID><RecipeElementID>RE2</RecipeElementID><RecipeElementVersion>1</RecipeElementVersion></Step>
    </ProcedureLogic>
  </MasterRecipe>
</BatchInformation>
""".encode()
    report = run(data, stream)
    found = only(report, "dangling-reference")
    assert found == [
        (
            line_of_text(data, "<ToIDValue>S3"),
            "procedure logic link to 'S3' does not resolve: no Step/Transition/Link with this "
            "ID in the enclosing ProcedureLogic (line 4)",
        )
    ]


# --------------------------------------------------------------------------- timezones
@ENGINES
def test_datetime_without_timezone(stream: bool) -> None:
    data = work_schedule(
        request(
            "WR-1",
            job_order("JO-1", "          <StartTime>2024-05-01T06:00:00</StartTime>"),
            job_order("JO-2", "          <StartTime>2024-05-01T06:00:00-05:00</StartTime>"),
            job_order("JO-3", "          <StartTime>2024-05-01T06:00:00.25</StartTime>"),
        ),
        creation="2024-05-01T06:00:00",
    )
    report = run(data, stream)
    assert [line for line, _ in only(report, "datetime-without-timezone")] == [
        line_of_text(data, "<CreationDateTime>"),
        line_of_text(data, "<StartTime>2024-05-01T06:00:00<"),
        line_of_text(data, "06:00:00.25"),
    ]
    assert report.valid
    assert_located(data, report)


def test_rules_follow_the_profile() -> None:
    data = work_schedule(request("WR-1", job_order("JO-1"), job_order("JO-1")))
    assert not check(data).valid
    relaxed = check(data, profile={"rules": {"duplicate-id": "warning"}})
    assert relaxed.valid and relaxed.warning_count == 1
    assert check(data, profile={"rules": {"duplicate-id": "off"}}).files[0].issues == []
    assert not check(data, profile={"rules": {"duplicate-id": "warning"}}, strict=True).valid
    assert check(data, schema_only=True).files[0].issues == []
