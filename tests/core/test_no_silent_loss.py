"""What ``read_xml`` accepts, ``write_xml`` reproduces; what it cannot keep, it refuses (issue 8).

Each case below was silently changed by a round trip before: the strict reader now refuses it
with a located :class:`MappingError`; the lenient reader (``unknown="preserve"``) keeps what the
model has no place for, and writes it back.
"""

from __future__ import annotations

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit import MappingError, ReadConfig

NS = "http://www.mesa.org/xml/B2MML"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PRESERVE = ReadConfig(unknown="preserve")


def _canon(data: bytes) -> str:
    return etree.canonicalize(etree.tostring(etree.fromstring(data)).decode())


def _round_trips(doc: bytes, config: ReadConfig | None = None) -> None:
    assert _canon(ik.write_xml(ik.read_xml(doc, config=config))) == _canon(doc)


def _lot(quantity_children: str) -> bytes:
    return (
        f'<MaterialLot xmlns="{NS}" xmlns:xsi="{XSI}"><ID>L</ID>'
        f"<Quantity><QuantityString>3</QuantityString>{quantity_children}</Quantity></MaterialLot>"
    ).encode()


def _parameter(value_content: str) -> bytes:
    return (
        f'<Parameter xmlns="{NS}"><ID>P</ID><ParameterType>ProcessParameter</ParameterType>'
        f"<Value>{value_content}</Value></Parameter>"
    ).encode()


@pytest.mark.parametrize("flag", ["true", "false", "1", "0"])
def test_xsi_nil_on_an_element_that_is_not_nillable_is_refused(flag: str) -> None:
    doc = f'<JobOrder xmlns="{NS}" xmlns:xsi="{XSI}"><ID xsi:nil="{flag}">J</ID></JobOrder>'
    with pytest.raises(MappingError, match="xsi:nil on ID, which is not nillable") as info:
        ik.read_xml(doc.encode())
    assert info.value.line == 1 and info.value.path == "/b2mml:JobOrder[1]/b2mml:ID[1]"


@pytest.mark.parametrize("flag", ["true", "false"])
def test_xsi_nil_on_an_element_that_is_not_nillable_is_kept_when_preserving(flag: str) -> None:
    doc = f'<JobOrder xmlns="{NS}" xmlns:xsi="{XSI}"><ID xsi:nil="{flag}">J</ID></JobOrder>'
    _round_trips(doc.encode(), PRESERVE)


@pytest.mark.parametrize(
    "content", ["Text", " ", "<!--c-->"], ids=["text", "whitespace", "comment"]
)
@pytest.mark.parametrize("config", [None, PRESERVE], ids=["strict", "preserve"])
def test_xsi_nil_true_with_content_is_refused(content: str, config: ReadConfig | None) -> None:
    doc = _lot(f'<DataType xsi:nil="true">{content}</DataType>')
    with pytest.raises(MappingError, match="DataType has xsi:nil='true' and content") as info:
        ik.read_xml(doc, config=config)
    assert info.value.path == "/b2mml:MaterialLot[1]/b2mml:Quantity[1]/b2mml:DataType[1]"


def test_an_empty_nil_element_still_round_trips() -> None:
    doc = _lot('<DataType xsi:nil="true"/>')
    assert ik.read_xml(doc).quantity[0].data_type is ik.NIL  # type: ignore[attr-defined]
    _round_trips(doc)


IN_ORDER = (
    "a<ValueString>1</ValueString>b<DataInterpretation>Constant</DataInterpretation>"
    "<DataType>Text</DataType>c<UnitOfMeasure>KGM</UnitOfMeasure>d"
)


def test_mixed_batch_value_in_schema_order_round_trips() -> None:
    _round_trips(_parameter(IN_ORDER))


@pytest.mark.parametrize("config", [None, PRESERVE], ids=["strict", "preserve"])
def test_mixed_batch_value_out_of_order_is_refused_not_reordered(config: ReadConfig | None) -> None:
    swapped = (
        "x<DataType>Text</DataType>y<ValueString>1</ValueString>"
        "<DataInterpretation>Constant</DataInterpretation><UnitOfMeasure>KGM</UnitOfMeasure>"
    )
    with pytest.raises(MappingError, match="'ValueString' is out of order in Value") as info:
        ik.read_xml(_parameter(swapped), config=config)
    assert info.value.path == "/b2mml:Parameter[1]/b2mml:Value[1]/b2mml:ValueString[1]"


def test_xsi_nil_false_on_a_nillable_element_with_attributes_inside_still_round_trips() -> None:
    doc = _lot(
        '<DataType xsi:nil="false">Text</DataType>'
        '<UnitOfMeasure xsi:nil="false" listID="x">KGM</UnitOfMeasure>'
    )
    _round_trips(doc)


@pytest.mark.parametrize(
    "attrs",
    [
        'xmlns:q="urn:q" q:a="1"',
        'xmlns:q="urn:q" q:a="1" xml:lang="en"',
        'xmlns:p="http://www.mesa.org/xml/B2MML" p:x="1"',
    ],
)
def test_namespaced_attributes_on_leaf_elements_keep_their_prefix(attrs: str) -> None:
    """Fuzz case: a kept namespaced attribute was written under a made-up ``ns0`` prefix."""
    doc = (
        '<ProcessMaterialDefinition xmlns="http://www.mesa.org/xml/B2MML" releaseID="1">'
        "<ApplicationArea><CreationDateTime>2026-01-01T00:00:00Z</CreationDateTime>"
        f"</ApplicationArea><DataArea><Process/><MaterialDefinition><ID {attrs}>M1</ID>"
        f"<Description {attrs}>x</Description></MaterialDefinition></DataArea>"
        "</ProcessMaterialDefinition>"
    ).encode()
    _round_trips(doc)
