"""The streamed migration of an older release keeps no per-item state: while ``iter_xml``
(and ``read_xml``) go through a generated V0600 schedule of a few thousand requests, the
recorder's per-element dicts, the placeholders left in the tree and their side tables stay
bounded, and the report is still the whole tree's."""

from __future__ import annotations

from typing import Any

import pytest

import isa95kit as ik
from isa95kit._xml import _stream
from isa95kit.versions import migration_report

NS = "http://www.mesa.org/xml/B2MML-V0600"
REQUESTS = 3000


def _schedule(requests: int) -> bytes:
    """One request a line, with a nested segment requirement (renamed to
    SegmentRequirementChild: its source name is recorded); every 7th carries a ``Location``
    V0701 cannot hold (reported with its path: the positions count every request before it)."""
    lines = [
        f'<ProcessProductionSchedule xmlns="{NS}"><ApplicationArea><CreationDateTime>'
        "2026-01-01T00:00:00Z</CreationDateTime></ApplicationArea><DataArea><Process/>"
        "<ProductionSchedule><ID>S</ID>"
    ]
    for i in range(requests):
        lines.append(
            f"<ProductionRequest><ID>PR-{i}</ID>"
            + (f"<Location><EquipmentID>L{i}</EquipmentID></Location>" if i % 7 == 0 else "")
            + "<HierarchyScope><EquipmentID>C</EquipmentID><EquipmentElementLevel>Area"
            "</EquipmentElementLevel></HierarchyScope>"
            f"<SegmentRequirement><ID>S{i}</ID><MaterialRequirement><MaterialUse>Carrier"
            f"</MaterialUse></MaterialRequirement><SegmentRequirement><ID>S{i}.1</ID>"
            "</SegmentRequirement></SegmentRequirement></ProductionRequest>"
        )
    lines.append("</ProductionSchedule></DataArea></ProcessProductionSchedule>")
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def schedule() -> bytes:
    return _schedule(REQUESTS)


@pytest.fixture
def state(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """After every placeholder: (source names recorded, positions known, placeholder
    side-table entries, decoder refs, placeholders among the item's siblings)."""
    seen: list[tuple[int, ...]] = []
    replace = _stream.MigratingStream.replace

    def recorded(self: Any, el: Any, parent: Any, source: str, value: Any) -> None:
        replace(self, el, parent, source, value)
        rec = self.migration.rec
        seen.append(
            (
                len(rec.names),
                len(rec.positions),
                len(self.meta),
                len(self.decoder.refs),
                sum(1 for c in parent if not isinstance(c.tag, str)),
            )
        )

    monkeypatch.setattr(_stream.MigratingStream, "replace", recorded)
    return seen


def test_iter_xml_keeps_no_state_per_item(schedule: bytes, state: list[tuple[int, ...]]) -> None:
    streamed = list(
        ik.iter_xml(schedule, "OperationsRequest", config=ik.ReadConfig(stream_threshold=0))
    )
    assert len(streamed) == REQUESTS and len(state) >= REQUESTS
    names, positions, meta, refs, placeholders = (
        max(column) for column in zip(*state, strict=True)
    )
    assert names <= 2  # the root's source name (and the item's own, before it goes)
    assert positions <= 2
    assert meta <= 2 and refs == 0
    assert placeholders == 1  # one for the list of requests, not one per request


def test_the_bounded_iteration_reports_as_the_tree(schedule: bytes) -> None:
    streamed = list(
        ik.iter_xml(schedule, "OperationsRequest", config=ik.ReadConfig(stream_threshold=0))
    )
    tree = list(ik.iter_xml(schedule, "OperationsRequest"))
    assert streamed == tree
    s_report, t_report = migration_report(streamed[-1]), migration_report(tree[-1])
    assert s_report is not None and t_report is not None
    assert s_report.as_dict() == t_report.as_dict()
    last = (REQUESTS - 1) // 7 * 7 + 1  # the last request with a Location (1-based)
    assert s_report.carried[-1].path.endswith(f"/ProductionRequest[{last}]/Location[1]")
    assert len(s_report.carried) == len(range(0, REQUESTS, 7))


def test_read_xml_keeps_no_source_names_of_decoded_items(
    schedule: bytes, state: list[tuple[int, ...]]
) -> None:
    obj = ik.read_xml(schedule, config=ik.ReadConfig(stream_threshold=0))
    assert obj == ik.read_xml(schedule)
    names = max(s[0] for s in state)
    assert names <= 2  # the renamed elements inside a decoded item go with it
