"""Bad input: every problem is a typed, located error under ``Isa95Error``; hostile input is
refused without expanding entities or reading files; unknown content is an error or kept."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit import (
    DecodeError,
    Isa95Error,
    MalformedDocumentError,
    MappingError,
    ParseLimits,
    ReadConfig,
)

NS = "http://www.mesa.org/xml/B2MML"
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
PRESERVE = ReadConfig(unknown="preserve")
STREAMED = ReadConfig(stream_threshold=0)  # the incremental reader of large documents


def job(body: str, attrs: str = "") -> bytes:
    """A JobOrder document, one child per line from line 2 (column 3)."""
    return f'<JobOrder xmlns="{NS}"{attrs}>\n{body}</JobOrder>'.encode()


def read_error(data: bytes | str | Path, config: ReadConfig | None = None) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        ik.read_xml(data, config=config)
    err = info.value
    # one root for everything, and the builtin that fits
    assert isinstance(err, Isa95Error) and isinstance(err, ValueError)
    assert err.message and err.message in str(err)
    return err


def at(err: DecodeError, line: int | None, column: int | None, path: str | None) -> None:
    assert (err.line, err.column, err.path) == (line, column, path), str(err)


# -- not B2MML V0701 at all ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "line", "column", "words"),
    [
        (job("  <ID>J1</ID>\n  <Description>x</Descr>\n"), 3, 25, "tag mismatch"),
        (b"", 1, 1, "empty"),
        (b"JobOrder", 1, 1, "Start tag expected"),
        (job("  <ID>J1</ID>\n") + b"<JobOrder/>", 3, 12, "Extra content"),
        (f'<JobOrder xmlns="{NS}"><ID>A &amp B</ID></JobOrder>'.encode(), 1, 59, "EntityRef"),
    ],
    ids=["mismatched-tag", "empty", "no-markup", "two-roots", "bare-ampersand"],
)
def test_not_well_formed(data: bytes, line: int, column: int, words: str) -> None:
    err = read_error(data)
    assert type(err) is MalformedDocumentError
    assert err.message.startswith("not well-formed XML: ")
    assert words in err.message
    at(err, line, column, None)


def test_unknown_root() -> None:
    err = read_error(f'<Frobnicate xmlns="{NS}"><ID>1</ID></Frobnicate>'.encode())
    assert type(err) is MappingError
    at(err, 1, None, "/Frobnicate[1]")
    assert err.message == "<Frobnicate> is not a global B2MML V0701 element"


@pytest.mark.parametrize(
    ("xmlns", "words"),
    [
        ("", "has no namespace; B2MML V0701 uses http://www.mesa.org/xml/B2MML"),
        (' xmlns="urn:acme:orders"', "is in namespace urn:acme:orders, not B2MML"),
        (' xmlns="http://www.mesa.org/xml/B2MML/"', "not B2MML"),
    ],
    ids=["none", "foreign", "trailing-slash"],
)
def test_wrong_namespace(xmlns: str, words: str) -> None:
    err = read_error(f"<JobOrder{xmlns}>\n  <ID>J</ID>\n</JobOrder>".encode())
    assert type(err) is MappingError
    at(err, 1, None, "/JobOrder[1]")
    assert words in err.message


@pytest.mark.parametrize(
    ("namespace", "version"),
    [
        ("http://www.mesa.org/xml/B2MML-V0600", "V0600"),
        ("http://www.mesa.org/xml/B2MML-V0601", "V0601"),
        ("http://www.wbf.org/xml/B2MML-V0401", "V0401"),
    ],
)
def test_older_release_is_migrated(namespace: str, version: str) -> None:
    doc = ik.read_xml(f'<ProcessProductionSchedule xmlns="{namespace}" releaseID="6.0"/>'.encode())
    report = ik.versions.migration_report(doc)
    assert type(doc).__name__ == "ProcessOperationsSchedule"
    assert report is not None and report.source.value == version
    assert report.missing  # V0701 requires ApplicationArea and DataArea: reported, not invented


def test_expected_type_is_checked() -> None:
    with pytest.raises(MappingError, match="expected a WorkSchedule document, got <JobOrder>"):
        ik.read_xml(job("  <ID>J</ID>\n"), "WorkSchedule")


# -- well-formed, but not the model --------------------------------------------------------------
CASES = {
    "out-of-order": (
        job("  <ID>J</ID>\n  <Priority>1</Priority>\n  <StartTime>2024-01-01T00:00:00Z</StartTime>\n"),
        (4, 3, "/b2mml:JobOrder[1]/b2mml:StartTime[1]"),
        ["'StartTime' is out of order in JobOrder", "must come before 'Priority'"],
    ),
    "bad-enum": (
        job("  <ID>J</ID>\n  <Command>Go</Command>\n"),
        (3, 3, "/b2mml:JobOrder[1]/b2mml:Command[1]"),
        ["'Go' is not a value of JobOrderCommandCode", "'Start'", "'Resume'",
         "use 'Other' with the OtherValue attribute"],
    ),
    "bad-enum-attribute": (
        (f'<ProcessWorkSchedule xmlns="{NS}" releaseID="1"><ApplicationArea><CreationDateTime>'
         "2024-01-01T00:00:00Z</CreationDateTime></ApplicationArea><DataArea>"
         '<Process acknowledgeCode="Sometimes"/></DataArea></ProcessWorkSchedule>').encode(),
        (1, 176, "/b2mml:ProcessWorkSchedule[1]/b2mml:DataArea[1]/b2mml:Process[1]"),
        ["attribute 'acknowledgeCode' of Process", "'Sometimes'", "'Always', 'OnError')"],
    ),
    "bad-decimal": (
        job("  <ID>J</ID>\n  <Priority>1,5</Priority>\n"),
        (3, 3, "/b2mml:JobOrder[1]/b2mml:Priority[1]"),
        ["bad value in Priority", "'1,5' is not a decimal number"],
    ),
    "decimal-exponent": (
        job("  <ID>J</ID>\n  <Priority>1E3</Priority>\n"),
        (3, 3, "/b2mml:JobOrder[1]/b2mml:Priority[1]"),
        ["'1E3' is not a decimal number"],
    ),
    "bad-datetime": (
        job("  <ID>J</ID>\n  <StartTime>2024-13-01T00:00:00Z</StartTime>\n"),
        (3, 3, "/b2mml:JobOrder[1]/b2mml:StartTime[1]"),
        ["bad value in StartTime", "'2024-13-01T00:00:00Z' is not a valid dateTime", "month"],
    ),
    "date-only": (
        job("  <ID>J</ID>\n  <StartTime>2024-03-11</StartTime>\n"),
        (3, 3, "/b2mml:JobOrder[1]/b2mml:StartTime[1]"),
        ["'2024-03-11' is not an xsd:dateTime", "YYYY-MM-DDThh:mm:ss"],
    ),
    "bad-timezone": (
        job("  <ID>J</ID>\n  <StartTime>2024-03-11T06:00:00+15:00</StartTime>\n"),
        (3, 3, "/b2mml:JobOrder[1]/b2mml:StartTime[1]"),
        ["timezone offset +15:00 is out of range"],
    ),
    "missing-required": (
        job("  <Description>no id</Description>\n"),
        (1, 1, "/b2mml:JobOrder[1]"),
        ["JobOrder lacks required element 'ID'"],
    ),
    "missing-required-attribute": (
        (f'<SyncMaterialLot xmlns="{NS}">\n  <ApplicationArea><CreationDateTime>2024-01-01T00:00:00Z'
         "</CreationDateTime></ApplicationArea>\n  <DataArea><Sync/><MaterialLot><ID>L</ID>"
         "</MaterialLot></DataArea>\n</SyncMaterialLot>").encode(),
        (1, 1, "/b2mml:SyncMaterialLot[1]"),
        ["SyncMaterialLot lacks required attribute 'releaseID'"],
    ),
    "duplicate-single": (
        job("  <ID>J</ID>\n  <Version>1</Version>\n  <Version>2</Version>\n"),
        (4, 3, "/b2mml:JobOrder[1]/b2mml:Version[2]"),
        ["Version may occur only once in JobOrder"],
    ),
    "duplicate-one-line": (
        f'<JobOrder xmlns="{NS}"><ID>J</ID><Version>1</Version><Version>2</Version></JobOrder>'.encode(),
        (1, 79, "/b2mml:JobOrder[1]/b2mml:Version[2]"),
        ["Version may occur only once"],
    ),
    "unknown-element": (
        job("  <ID>J</ID>\n  <Colour>red</Colour>\n"),
        (3, 3, "/b2mml:JobOrder[1]/b2mml:Colour[1]"),
        ["unknown element 'Colour' in JobOrder", "expected one of: ID, Description",
         "ReadConfig(unknown='preserve')"],
    ),
    "unknown-namespace": (
        job('  <ID>J</ID>\n  <v:Routing xmlns:v="urn:vendor"/>\n'),
        (3, 3, "/b2mml:JobOrder[1]/v:Routing[1]"),
        ["unknown element 'Routing' (namespace urn:vendor) in JobOrder"],
    ),
    "unknown-attribute": (
        job("  <ID>J</ID>\n", ' colour="red"'),
        (1, 1, "/b2mml:JobOrder[1]"),
        ["unknown attribute 'colour' on JobOrder"],
    ),
    "stray-text": (
        job("  <ID>J</ID>\n  urgent!\n"),
        (1, 1, "/b2mml:JobOrder[1]"),
        ["unexpected text", "urgent!"],
    ),
    "element-in-simple-content": (
        job("  <ID>J<Sub/></ID>\n"),
        (2, 8, "/b2mml:JobOrder[1]/b2mml:ID[1]/b2mml:Sub[1]"),
        ["ID has simple content; unexpected element Sub"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_mapping_errors_are_located(case: str) -> None:
    data, (line, column, path), words = CASES[case]
    err = read_error(data)
    assert type(err) is MappingError
    at(err, line, column, path)
    for w in words:
        assert w in err.message
    # the XPath selects exactly the offending element, on the reported line
    tree = etree.fromstring(data)
    (hit,) = tree.getroottree().xpath(path, namespaces={"b2mml": NS, "v": "urn:vendor"})
    assert hit.sourceline == line
    # str() is "line:column path: message"
    assert str(err).startswith(f"{line}:{column} {path}: ")


@pytest.mark.parametrize("case", ["out-of-order", "bad-enum", "duplicate-single", "bad-datetime"])
def test_streamed_reader_reports_the_same_place(case: str) -> None:
    data, (line, _column, path), words = CASES[case]
    err = read_error(data, STREAMED)
    assert type(err) is MappingError
    assert (err.line, err.path) == (line, path)
    assert words[0] in err.message


def test_deep_error_in_a_real_document_names_file_line_and_path(tmp_path: Path) -> None:
    text = (GOLDEN / "erp_mes_work_schedule.xml").read_text("utf-8")
    marker = "<ID>1000471-0010</ID>"
    assert text.count(marker) == 1
    head, tail = text.split(marker)
    tail = tail.replace("<Priority>1</Priority>", "<Priority>high</Priority>", 1)
    bad = tmp_path / "schedule.xml"
    bad.write_text(head + marker + tail, "utf-8")
    line = (head + marker + tail.split("<Priority>high")[0]).count("\n") + 1
    path = ("/b2mml:ProcessWorkSchedule[1]/b2mml:DataArea[1]/b2mml:WorkSchedule[1]"
            "/b2mml:WorkRequest[2]/b2mml:JobOrder[1]/b2mml:Priority[1]")
    for source in (bad, str(bad)):
        err = read_error(source)
        assert type(err) is MappingError
        at(err, line, 11, path)
        assert err.file == str(bad)
        assert str(err).startswith(f"{bad}:{line}:11 {path}: bad value in Priority")
    err = read_error(bad, STREAMED)
    assert (err.file, err.line, err.path) == (str(bad), line, path)


# -- hostile input -------------------------------------------------------------------------------
def test_dtd_is_refused() -> None:
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE JobOrder [<!ELEMENT JobOrder ANY>]>\n'
            f'<JobOrder xmlns="{NS}"><ID>J</ID></JobOrder>').encode()
    err = read_error(data)
    assert type(err) is MalformedDocumentError
    assert "DTDs) are not allowed" in err.message


def test_billion_laughs_is_refused_quickly() -> None:
    lol = "".join(
        f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10)
    )
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol0 "lol">\n{lol}]>\n'
            f'<JobOrder xmlns="{NS}"><ID>&lol9;</ID></JobOrder>').encode()
    for config in (None, PRESERVE, STREAMED):
        err = read_error(data, config)
        assert type(err) is MalformedDocumentError
        # refused as a DTD, or by libxml2's amplification guard in the incremental parser
        assert "entities are never expanded" in err.message or "amplification" in err.message
    with pytest.raises(MalformedDocumentError):
        list(ik.iter_xml(data, "JobOrder"))


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    for system in ("file:///etc/passwd", secret.as_uri()):
        data = (f'<?xml version="1.0"?>\n<!DOCTYPE JobOrder [<!ENTITY xxe SYSTEM "{system}">]>\n'
                f'<JobOrder xmlns="{NS}"><ID>&xxe;</ID></JobOrder>').encode()
        for config in (None, PRESERVE, STREAMED):
            err = read_error(data, config)
            assert type(err) is MalformedDocumentError
            assert "TOP-SECRET" not in str(err) and "root:" not in str(err)
        with pytest.raises(MalformedDocumentError):
            list(ik.iter_xml(data, "JobOrder"))
    # an external DTD is neither fetched nor loaded (no network, no file)
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE JobOrder SYSTEM "{secret.as_uri()}">\n'
            f'<JobOrder xmlns="{NS}"><ID>J</ID></JobOrder>').encode()
    assert type(read_error(data)) is MalformedDocumentError


def test_xinclude_is_not_processed() -> None:
    data = (f'<JobOrder xmlns="{NS}" xmlns:xi="http://www.w3.org/2001/XInclude">'
            '<ID><xi:include href="file:///etc/passwd" parse="text"/></ID></JobOrder>').encode()
    err = read_error(data)
    assert type(err) is MappingError
    assert err.path == "/b2mml:JobOrder[1]/b2mml:ID[1]/xi:include[1]"
    assert "root:" not in str(err)


def _nested(levels: int) -> bytes:
    """A JobOrder whose parameter tree nests ``levels`` ParameterChild elements."""
    return (f'<JobOrder xmlns="{NS}"><ID>J</ID><JobOrderParameter><ID>P</ID>'
            + "<ParameterChild><ID>P</ID>" * levels
            + "</ParameterChild>" * levels
            + "</JobOrderParameter></JobOrder>").encode()


def test_depth_limit() -> None:
    ok = ik.read_xml(_nested(250))  # 253 levels: accepted and decoded
    node = ok.job_order_parameter[0]  # type: ignore[attr-defined]
    depth = 0
    while node.parameter_child:
        node, depth = node.parameter_child[0], depth + 1
    assert depth == 250
    out = ik.write_xml(ok)  # (== on a 250-level tree would exceed Python's recursion limit)
    assert ik.write_xml(ik.read_xml(out)) == out
    for config in (None, STREAMED):
        err = read_error(_nested(260), config)
        assert type(err) is MalformedDocumentError
        assert "depth" in err.message and err.line == 1


def test_size_limit(tmp_path: Path) -> None:
    data = job("  <ID>J</ID>\n")
    limits = ParseLimits(max_bytes=len(data) - 1)
    path = tmp_path / "job.xml"
    path.write_bytes(data)
    for source in (data, path, str(path)):
        for config in (ReadConfig(limits=limits), ReadConfig(limits=limits, stream_threshold=0)):
            err = read_error(source, config)
            assert type(err) is MalformedDocumentError
            assert f"document of {len(data)} bytes exceeds the limit of {len(data) - 1} bytes" in (
                err.message
            )
            assert err.file == (None if source is data else str(path))
    assert ik.read_xml(data, config=ReadConfig(limits=ParseLimits(max_bytes=len(data))))


# -- unknown content: an error, or kept in place -------------------------------------------------
UNKNOWN = f"""<JobOrder xmlns="{NS}" xmlns:v="urn:vendor" v:origin="MES-7" colour="red">
  <ID>J-1</ID>
  <v:Routing step="10">cut <v:Tool id="T4"/> then deburr</v:Routing>
  <Colour>red</Colour>
  <Priority>1</Priority>
  <MaterialRequirement>
    <ID>M1</ID>
    <Grade>A</Grade>
    <MaterialUse>Consumed</MaterialUse>
  </MaterialRequirement>
  <Shade/>
</JobOrder>""".encode()


def test_unknown_content_is_an_error_by_default() -> None:
    err = read_error(UNKNOWN)
    assert type(err) is MappingError
    assert (err.line, err.column, err.path) == (3, 3, "/b2mml:JobOrder[1]/v:Routing[1]")
    assert "unknown element 'Routing' (namespace urn:vendor)" in err.message
    # each unknown element alone is found where it is
    junk = {
        b"<v:Routing": ("Routing", "/b2mml:JobOrder[1]/v:Routing[1]"),
        b"<Colour>": ("Colour", "/b2mml:JobOrder[1]/b2mml:Colour[1]"),
        b"<Grade>": ("Grade", "/b2mml:JobOrder[1]/b2mml:MaterialRequirement[1]/b2mml:Grade[1]"),
        b"<Shade/>": ("Shade", "/b2mml:JobOrder[1]/b2mml:Shade[1]"),
    }
    lines = UNKNOWN.split(b"\n")
    for keep, (name, path) in junk.items():
        doc = b"\n".join(
            line for line in lines if not any(j in line for j in junk if j != keep)
        ).replace(b' v:origin="MES-7" colour="red"', b"")
        err = read_error(doc)
        assert err.message.startswith(f"unknown element {name!r}")
        assert err.path == path
        assert doc.split(b"\n")[err.line - 1].lstrip().startswith(keep)  # type: ignore[operator]
    err = read_error(lines[0] + b"<ID>J</ID></JobOrder>")
    assert "unknown attribute 'colour' on JobOrder" in err.message


def test_unknown_content_is_preserved_in_place() -> None:
    obj = ik.read_xml(UNKNOWN, config=PRESERVE)
    assert obj.priority.value == 1  # type: ignore[attr-defined]
    assert obj.material_requirement[0].material_use.value.value == "Consumed"  # type: ignore[attr-defined]
    out = ik.write_xml(obj)
    assert canonicalize(out.decode(), strip_text=True) == canonicalize(
        UNKNOWN.decode(), strip_text=True
    )
    # and it survives a second round, also through the streamed reader
    again = ik.read_xml(out, config=ReadConfig(unknown="preserve", stream_threshold=0))
    assert again == obj
    assert ik.write_xml(again) == out
    # the known content equals a strict read of the same document without the unknowns
    clean = UNKNOWN
    for junk in (b' v:origin="MES-7" colour="red"', b"<Colour>red</Colour>", b"<Grade>A</Grade>",
                 b"<Shade/>"):
        clean = clean.replace(junk, b"")
    clean = clean.replace(
        b'<v:Routing step="10">cut <v:Tool id="T4"/> then deburr</v:Routing>', b"")
    assert ik.read_xml(clean) == obj


def test_extension_elements_are_always_kept() -> None:
    """``Extended:*`` content is the schema's own extension point: no config needed."""
    data = (f'<JobOrder xmlns="{NS}" xmlns:x="http://www.mesa.org/xml/B2MML-AllExtensions">'
            "<ID>J</ID><x:Plant>DE01</x:Plant></JobOrder>").encode()
    obj = ik.read_xml(data)
    assert [e.text for e in obj.extended] == ["DE01"]  # type: ignore[attr-defined]
    assert b"<x:Plant>DE01</x:Plant>" in ik.write_xml(obj)
    out_of_place = data.replace(b"<ID>J</ID><x:Plant>DE01</x:Plant>",
                                b"<x:Plant>DE01</x:Plant><ID>J</ID>")
    err = read_error(out_of_place)
    assert err.message == (
        "element 'ID' is out of order in JobOrder: it must come before the extension content"
    )
    assert err.path == "/b2mml:JobOrder[1]/b2mml:ID[1]"


# -- the same root-element rule for every writer (issue 9) ------------------------------------


def test_write_xml_refuses_an_element_write_json_refuses() -> None:
    from isa95kit import EncodeError, write_json, write_xml
    from isa95kit.model import JobOrder

    job = JobOrder(id="J1")
    for writer in (write_xml, write_json):
        with pytest.raises(EncodeError, match="'Bogus' is not a global B2MML V0701 element"):
            writer(job, element="Bogus")
        with pytest.raises(EncodeError, match="<MaterialLot> holds a MaterialLot, not a JobOrder"):
            writer(job, element="MaterialLot")
    assert write_xml(job, element="JobOrder").endswith(
        f'<JobOrder xmlns="{NS}"><ID>J1</ID></JobOrder>'.encode()
    )


def test_document_invalid_error_reads_as_one_clear_sentence() -> None:
    from isa95kit import DocumentInvalidError, validate

    bad = f"<JobOrder xmlns='{NS}'><ID>J</ID><Bogus/></JobOrder>".encode()
    with pytest.raises(DocumentInvalidError) as info:
        validate(bad)
    text = str(info.value)
    assert text.startswith("<input>: 1 error; first: line 1: schema: ")
    assert text == info.value.message
    assert info.value.location.line == 1 and info.value.location.path
