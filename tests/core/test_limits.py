"""Documented limits are enforced before the expensive work (fuzz cases: 100,000 attributes
on one element took read_xml 74 s and iter_xml 161 s — lxml reads attribute values in time
quadratic in their number; validation took 6 s)."""

from __future__ import annotations

import pytest

import isa95kit as ik
from isa95kit import MalformedDocumentError, ParseLimits, ReadConfig
from isa95kit.validation import ValidationProfile, check

NS = "http://www.mesa.org/xml/B2MML"


def _lot(attributes: int) -> bytes:
    attrs = " ".join(f'b{i}="1"' for i in range(attributes))
    return (
        f'<MaterialLot xmlns="{NS}"><ID>L</ID><Description {attrs}>x</Description></MaterialLot>'
    ).encode()


CROWDED = _lot(20_000)


@pytest.mark.parametrize(
    "read",
    [
        lambda d: ik.read_xml(d),
        lambda d: ik.read_xml(d, config=ReadConfig(unknown="preserve")),
        lambda d: ik.read_xml(d, config=ReadConfig(stream_threshold=0)),
        lambda d: list(ik.iter_xml(d, "MaterialLot")),
    ],
    ids=["read_xml", "preserve", "streamed-read", "iter_xml"],
)
def test_an_element_with_too_many_attributes_is_refused_with_its_place(read: object) -> None:
    with pytest.raises(MalformedDocumentError) as info:
        read(CROWDED)  # type: ignore[operator]
    assert "20000 attributes" in str(info.value) and "max_attributes" in str(info.value)
    assert (info.value.location.path or "").endswith("b2mml:Description[1]")


def test_the_attribute_limit_is_configurable() -> None:
    doc = _lot(300)
    with pytest.raises(MalformedDocumentError):
        ik.read_xml(doc, config=ReadConfig(unknown="preserve"))
    loose = ReadConfig(unknown="preserve", limits=ParseLimits(max_attributes=1000))
    kept = ik.read_xml(doc, config=loose)
    assert ik.write_xml(kept).count(b'="1"') == 300


@pytest.mark.parametrize("stream", [False, True], ids=["tree", "stream"])
def test_validation_refuses_the_element_as_hostile_input(stream: bool) -> None:
    report = check(CROWDED, stream=stream)
    assert [i.code for i in report.issues] == ["hostile-input"]
    assert "20000 attributes" in report.issues[0].message
    loose = ValidationProfile(max_attributes=100_000)
    codes = {i.code for i in check(_lot(300), stream=stream, profile=loose).issues}
    assert "hostile-input" not in codes and "schema" in codes


def test_long_attribute_values_alone_do_not_trip_the_limit() -> None:
    long = "v" * 5000
    doc = f'<MaterialLot xmlns="{NS}"><ID>L</ID><Description a="{long}" b="{long}">x</Description></MaterialLot>'
    codes = [i.code for i in check(doc.encode()).issues]
    assert "hostile-input" not in codes
