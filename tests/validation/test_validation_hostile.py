"""Hostile and broken input: rejected with a clear issue, nothing expanded or fetched."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from isa95kit.validation import check, iter_issues
from tests.validation._support import V0701, job_order, request, work_schedule

ENGINES = pytest.mark.parametrize("stream", [False, True], ids=["tree", "stream"])


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP port that records every connection attempt (none must come)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    hits.append(conn.recv(1024) or b"<connected>")
                except OSError:
                    hits.append(b"<connected>")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], hits
    finally:
        stop.set()
        thread.join(2)
        server.close()


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n<lolz>&lol9;</lolz>'.encode()


@ENGINES
def test_billion_laughs_is_rejected_unexpanded(stream: bool) -> None:
    report = check(billion_laughs(), stream=stream).files[0]
    (issue,) = report.issues
    assert issue.code == "hostile-input" and issue.line in (1, 2)
    assert "DTD" in issue.message or "amplification" in issue.message
    assert not report.valid and issue.hint


@ENGINES
def test_billion_laughs_in_an_attribute_hits_the_parser_limit(stream: bool) -> None:
    data = billion_laughs().replace(b"<lolz>&lol9;</lolz>", b'<lolz a="&lol9;"/>')
    (issue,) = check(data, stream=stream).files[0].issues
    assert issue.code == "hostile-input"


@ENGINES
def test_external_entity_is_never_read(stream: bool) -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<r>&xxe;</r>"
    )
    report = check(data, stream=stream)
    assert [i.code for i in report.issues] == ["hostile-input"]
    assert "root:" not in report.to_json()


@ENGINES
def test_remote_dtd_is_not_fetched(stream: bool, listener: tuple[int, list[bytes]]) -> None:
    port, hits = listener
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE ProcessWorkSchedule SYSTEM "http://127.0.0.1:{port}/x.dtd">\n'
        f'<ProcessWorkSchedule xmlns="{V0701}" releaseID="1"/>'
    ).encode()
    (issue,) = check(data, stream=stream).files[0].issues
    assert issue.code == "hostile-input"
    data9 = data.replace(f"127.0.0.1:{port}".encode(), b"127.0.0.1:9")
    assert [i.code for i in iter_issues(data9, stream=stream)] == ["hostile-input"]
    assert hits == []


@ENGINES
def test_schema_location_hints_are_ignored(stream: bool, listener: tuple[int, list[bytes]]) -> None:
    port, hits = listener
    data = work_schedule(request("WR-1", job_order("JO-1"))).replace(
        b'releaseID="1">',
        b'releaseID="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        + f'xsi:schemaLocation="{V0701} http://127.0.0.1:{port}/evil.xsd">'.encode(),
    )
    report = check(data, stream=stream).files[0]
    assert report.valid and report.issues == []
    assert hits == []


@ENGINES
def test_deep_nesting_is_refused_unread(stream: bool) -> None:
    depth = 100_000
    data = f'<a xmlns="{V0701}">'.encode() + b"<a>" * depth + b"</a>" * (depth + 1)
    (issue,) = check(data, stream=stream).files[0].issues
    assert issue.code == "hostile-input"
    assert "depth" in issue.message.lower() and issue.line == 1


@ENGINES
@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b"<a>\n<b></c>\n</a>", 2, "mismatch"),
        (b"<a>\n  <b>&nbsp;</b>\n</a>", 2, "nbsp"),
        (b"", 1, "empty"),
        (b'<a b="1" b="2"/>', 1, "redefined"),
        ("<a>\u00e9</a>".encode("latin-1"), 1, ""),
    ],
    ids=["tag-mismatch", "undefined-entity", "empty", "duplicate-attribute", "bad-encoding"],
)
def test_not_well_formed(stream: bool, data: bytes, line: int, fragment: str) -> None:
    report = check(data, stream=stream).files[0]
    assert report.issues and {i.code for i in report.issues} == {"not-well-formed"}
    first = report.issues[0]
    assert first.line == line and first.column is not None
    assert fragment.lower() in first.message.lower()


def test_truncated_document_in_streaming_keeps_earlier_findings() -> None:
    data = work_schedule(
        request("WR-1", job_order("JO-1"), job_order("JO-1"))
        + "\n"
        + request("WR-2", job_order("J"))
    )
    cut = data[: data.rindex(b"</WorkRequest>")]  # inside WR-2: WR-1 was complete
    tree = check(cut, stream=False).files[0]
    assert [i.code for i in tree.issues] == ["not-well-formed"]
    streamed = check(cut, stream=True).files[0]
    assert [i.code for i in streamed.issues] == ["duplicate-id", "not-well-formed"]
    assert "premature end of data" in streamed.issues[-1].message.lower()


def test_wrapped_b2mml_is_validated_in_memory() -> None:
    priority = "          <Priority>high</Priority>"
    inner = work_schedule(request("WR-1", job_order("JO-1", priority), job_order("JO-1")))
    body = inner.split(b"?>", 1)[1]
    envelope = (
        b'<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
        b"<s:Body>" + body + b"</s:Body></s:Envelope>"
    )
    for stream in (False, True):
        report = check(envelope, stream=stream).files[0]
        assert report.mode == "tree" and report.version == "V0701"
        assert [i.code for i in report.issues] == ["schema", "duplicate-id"]
        tree = etree.ElementTree(etree.fromstring(envelope))
        for issue in report.issues:
            assert issue.path is not None and issue.path.startswith("/s:Envelope[1]/s:Body[1]/")
            (element,) = tree.xpath(issue.path, namespaces=report.namespaces)
            assert element.sourceline == issue.line


def test_not_b2mml_at_all() -> None:
    (issue,) = check(b"<html><body/></html>").files[0].issues
    assert issue.code == "unknown-version" and "not a B2MML document" in issue.message


DOCTYPES = {
    "remote-dtd": b'<!DOCTYPE MaterialLot SYSTEM "http://127.0.0.1:9/x.dtd">',
    "missing-local-dtd": b'<!DOCTYPE MaterialLot SYSTEM "missing.dtd">',
    "parameter-entity": b'<!DOCTYPE MaterialLot [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
}


@ENGINES
@pytest.mark.parametrize("kind", sorted(DOCTYPES))
@pytest.mark.parametrize("as_path", [False, True], ids=["bytes", "path"])
def test_a_doctype_is_hostile_input_from_a_path_as_from_bytes(
    stream: bool, kind: str, as_path: bool, tmp_path: Path
) -> None:
    """Fuzz case: read from a path, an external DTD made validate raise a bare OSError
    (the CLI said "cannot read" and exited 2) and a parameter entity gave not-well-formed."""
    data = (
        b'<?xml version="1.0"?>\n' + DOCTYPES[kind] + b"\n"
        b'<MaterialLot xmlns="http://www.mesa.org/xml/B2MML"><ID>L</ID></MaterialLot>'
    )
    source: bytes | str = data
    if as_path:
        (tmp_path / "doc.xml").write_bytes(data)
        source = str(tmp_path / "doc.xml")
    (issue,) = check(source, stream=stream).files[0].issues
    assert issue.code == "hostile-input" and issue.line == 2


def test_the_cli_reports_a_remote_dtd_as_invalid_not_as_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from isa95kit.cli import main

    path = tmp_path / "doc.xml"
    path.write_bytes(
        b'<?xml version="1.0"?>\n' + DOCTYPES["remote-dtd"] + b"\n"
        b'<MaterialLot xmlns="http://www.mesa.org/xml/B2MML"><ID>L</ID></MaterialLot>'
    )
    assert main(["validate", str(path)]) == 1
    assert "hostile-input" in capsys.readouterr().out
