"""Streaming migration of older releases (read_xml and iter_xml above the stream threshold)
against the tree path: same model, report, write-back and errors, on every reference and
golden document, with a threshold of 0 so the small test documents stream."""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit._xml import _migrated, _stream
from isa95kit.versions import MigrationWarning, migration_report
from isa95kit.versions import _migrate_stream as ms
from isa95kit.versions._migrate_tree import declared_release, substitute_namespaces

DATA = Path(__file__).resolve().parents[1] / "data"
DOCUMENTS = sorted(
    [*(DATA / "reference").glob("V0*/*.xml"), *(DATA / "golden").glob("*.xml")],
    key=lambda p: (p.parent.name, p.name),
)
STREAM = ik.ReadConfig(stream_threshold=0)
ELEMENTS = (
    "OperationsSchedule",
    "OperationsRequest",
    "SegmentRequirement",
    "SegmentRequirementChild",
    "MaterialRequirement",
    "OperationsResponse",
    "MaterialLot",
    "MaterialDefinition",
    "Quantity",
)


def _ids(p: Path) -> str:
    return f"{p.parent.name}/{p.name[-45:]}"


def read(source: Any, config: ik.ReadConfig | None) -> tuple[Any, ...]:
    """(model, report, write-back to the source release) or the error's text and place."""
    try:
        obj = ik.read_xml(source, config=config)
    except ik.Isa95Error as exc:
        return ("error", type(exc).__name__, str(exc), exc.location)
    report = migration_report(obj)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MigrationWarning)
        try:
            back = ik.write_xml(obj, version=report.source.value if report else None)
        except ik.Isa95Error as exc:
            back = ("error", str(exc))
    return obj, report.as_dict() if report else None, back


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the streamed older-release reads and the items they migrated alone."""
    counts = [0, 0]
    reader = _migrated.read_streaming_migrated
    replace = _stream.MigratingStream.replace

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[0] += 1
        return reader(*args, **kwargs)

    def replaced(self: Any, *args: Any) -> None:
        counts[1] += 1
        replace(self, *args)

    monkeypatch.setattr(_migrated, "read_streaming_migrated", counted)
    monkeypatch.setattr(_stream.MigratingStream, "replace", replaced)
    return counts


@pytest.mark.parametrize("path", DOCUMENTS, ids=_ids)
def test_read_xml_streams_as_the_tree_path(path: Path, streamed: list[int]) -> None:
    tree = read(path, None)
    assert streamed == [0, 0]
    stream = read(path, STREAM)
    assert stream == tree
    older = declared_release(path.read_bytes()) is not None
    if older and tree[0] != "error":
        assert streamed[0] == 1 and streamed[1] > 0  # it did stream, item by item


@pytest.mark.parametrize("path", DOCUMENTS, ids=_ids)
def test_read_xml_streams_bytes_too(path: Path) -> None:
    assert read(path.read_bytes(), STREAM) == read(path.read_bytes(), None)


def _iterate(path: Path, element: str, config: ik.ReadConfig | None) -> tuple[Any, ...]:
    items: list[Any] = []
    error = None
    try:
        items.extend(ik.iter_xml(path, element, config=config))
    except ik.Isa95Error as exc:
        error = (type(exc).__name__, str(exc), exc.location)
    report = migration_report(items[0]) if items and error is None else None
    return (error, report.as_dict() if report else None) if error else (items, report)


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if "V0" in p.parent.name], ids=_ids)
def test_iter_xml_streams_as_the_tree_path(path: Path, streamed: list[int]) -> None:
    for element in ELEMENTS:
        tree = _iterate(path, element, None)
        stream = _iterate(path, element, STREAM)
        if tree[0] is not None and isinstance(tree[0], tuple):  # an error: the same one
            assert stream[0] == tree[0], element
        else:
            assert stream[0] == tree[0], element
            t_report, s_report = tree[1], stream[1]
            assert (s_report and s_report.as_dict()) == (t_report and t_report.as_dict())
    if not path.name.endswith("Example_v06.xml"):  # (refused: <Header> is not V0401)
        assert streamed[1] > 0  # items were migrated one by one


def test_a_streamed_error_names_the_source_elements() -> None:
    path = next(
        p for p in DOCUMENTS if p.name.endswith("Neg_ProcessProductionSchedule_InvalidDate.xml")
    )
    with pytest.raises(ik.MappingError) as info:
        ik.read_xml(path, config=STREAM)
    where = info.value.location
    assert where is not None and where.line == 47
    assert where.path == (
        "/b2mml:ProcessProductionSchedule[1]/b2mml:DataArea[1]/b2mml:ProductionSchedule[1]"
        "/b2mml:ProductionRequest[1]/b2mml:SegmentRequirement[1]/b2mml:EarliestStartTime[1]"
    )


def _schedule(requests: int) -> bytes:
    ns = "http://www.mesa.org/xml/B2MML-V0600"
    body = "".join(
        f"<ProductionRequest><ID>PR-{i}</ID>"
        + (f"<Location><EquipmentID>L{i}</EquipmentID></Location>" if i % 3 == 0 else "")
        + f"<SegmentRequirement><ID>S{i}</ID><MaterialRequirement><MaterialUse>Carrier"
        f"</MaterialUse></MaterialRequirement><SegmentRequirement><ID>S{i}.1</ID>"
        f"</SegmentRequirement></SegmentRequirement></ProductionRequest>\n"
        for i in range(requests)
    )
    doc = etree.fromstring(
        f'<ProcessProductionSchedule xmlns="{ns}"><ApplicationArea><CreationDateTime>'
        f"2026-01-01T00:00:00Z</CreationDateTime></ApplicationArea><DataArea><Process/>"
        f"<ProductionSchedule>{body}</ProductionSchedule></DataArea></ProcessProductionSchedule>",
        etree.XMLParser(remove_blank_text=True),
    )
    # one element a line, as documents usually are (see docs/migration.md on one-line ones)
    return bytes(etree.tostring(doc, pretty_print=True))


def test_a_schedule_of_many_requests_streams_with_its_carried_pieces() -> None:
    data = _schedule(40)
    tree, stream = read(data, None), read(data, STREAM)
    assert stream == tree
    report = migration_report(ik.read_xml(data, config=STREAM))
    assert report is not None and len(report.carried) == 14
    # the pieces' paths count the requests before them (placeholders by then)
    assert report.carried[-1].path.endswith("/ProductionRequest[40]/Location[1]")


@settings(max_examples=25, deadline=None)
@given(block=st.integers(min_value=1, max_value=300), path=st.sampled_from(DOCUMENTS))
def test_substituted_reader_equals_the_whole_substitution(block: int, path: Path) -> None:
    data = path.read_bytes()
    release = declared_release(data)
    found = ms.scan_release(io.BytesIO(data))
    if release is None:
        assert found is None
        return
    assert found is not None and found[0] is release
    old = ms._BLOCK
    ms._BLOCK = block  # declarations across block borders
    try:
        reader = ms.SubstitutedReader(io.BytesIO(data), release, found[1])
        out = b"".join(iter(lambda: reader.read(block * 3 + 1), b""))
    finally:
        ms._BLOCK = old
    assert out == substitute_namespaces(data, release)


def test_a_prefix_taken_by_the_document_is_avoided() -> None:
    data = _schedule(1).replace(
        b"<ProcessProductionSchedule ",
        b'<ProcessProductionSchedule xmlns:v0600="urn:x" xmlns:v0600__="urn:y" ',
        1,
    )
    found = ms.scan_release(io.BytesIO(data))
    assert found is not None and found[1] == b"v0600___"
    assert etree.fromstring(substitute_namespaces(data, found[0])).nsmap["v0600___"]
