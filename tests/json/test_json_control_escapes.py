"""JSON's short escapes \\b and \\f decode to characters XML cannot carry: refused with their
position like \\u0008 (fuzz case: read_json accepted "ID": "\\f", then write_xml raised)."""

from __future__ import annotations

import pytest

import isa95kit as ik
from isa95kit import MappingError


@pytest.mark.parametrize("escape", ["\\f", "\\b", "\\u000c", "\\\\\\f"])
def test_control_escapes_are_refused(escape: str) -> None:
    text = '{"MaterialLot": {"ID": "a' + escape + 'b"}}'
    with pytest.raises(MappingError) as info:
        ik.read_json(text)
    assert info.value.location.line == 1 and info.value.location.column == 26


@pytest.mark.parametrize(
    ("escape", "value"), [("\\\\f", "a\\fb"), ("\\n", "a\nb"), ("\\t", "a\tb")]
)
def test_escaped_backslashes_and_xml_controls_are_kept(escape: str, value: str) -> None:
    doc = ik.read_json('{"MaterialLot": {"ID": "a' + escape + 'b"}}')
    assert doc.id.value == value  # type: ignore[attr-defined]
    assert ik.read_xml(ik.write_xml(doc)) == doc
