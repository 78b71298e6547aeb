"""The streaming engine never says "valid" wrongly: same verdicts and locations as the tree."""

from __future__ import annotations

import re

import pytest

from isa95kit.validation import check
from tests.validation.test_validation_stream import big_schedule

BASE = big_schedule(4, 300)  # ~760 kB: many blocks, streamed only when forced
STARTS = [m.start() for m in re.finditer(b"<Description>", BASE)]


def _broken(kind: str, at: int) -> bytes:
    head, tail = BASE[:at], BASE[at:]
    if kind == "mismatch":
        return head + tail.replace(b"</Description>", b"</Descriptio>", 1)
    if kind == "charref":
        return head + tail.replace(b"<Description>", b"<Description>&#0;", 1)
    return head  # truncated


def _keys(data: bytes, stream: bool) -> list[tuple[str, int | None, int | None]]:
    report = check(data, stream=stream).files[0]
    assert report.mode == ("stream" if stream else "tree")
    return [(i.code, i.line, i.column) for i in report.issues if i.code == "not-well-formed"]


@pytest.mark.parametrize("kind", ["mismatch", "charref", "truncated"])
@pytest.mark.parametrize("where", [0.1, 0.5, 0.99])
def test_not_well_formed_after_the_first_blocks(kind: str, where: float) -> None:
    data = _broken(kind, STARTS[int(where * len(STARTS))])
    tree = _keys(data, False)
    assert tree and check(data, stream=True).files[0].valid is False
    assert _keys(data, True) == tree


def test_start_tag_over_libxml2_buffer_limit_is_refused_when_streamed() -> None:
    from tests.validation._support import job_order, request, work_schedule

    base = work_schedule(request("WR-1", job_order("JO-1")))
    data = base.replace(b"<JobOrder>", b'<JobOrder a="' + b"x" * (11 << 20) + b'">')
    report = check(data, stream=True).files[0]
    assert not report.valid
    # the code matches the tree engine; the location does not yet (push parser: end of tag)
    assert [i.code for i in report.issues] == ["hostile-input"]
