"""read_xml finds the B2MML document inside a SOAP envelope or an MTConnect asset, as
validate and info do, and writes it back without the wrapper's namespaces."""

from __future__ import annotations

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.errors import MappingError

B2MML = "http://www.mesa.org/xml/B2MML"
BODY = (
    f'<b:ProcessMaterialDefinition xmlns:b="{B2MML}" releaseID="1">'
    "<b:ApplicationArea><b:CreationDateTime>2026-01-01T00:00:00Z</b:CreationDateTime>"
    "</b:ApplicationArea><b:DataArea><b:Process/><b:MaterialDefinition><b:ID>M1</b:ID>"
    "</b:MaterialDefinition></b:DataArea></b:ProcessMaterialDefinition>"
)


def _envelope(body: str, soap: str = "http://schemas.xmlsoap.org/soap/envelope/") -> bytes:
    return (
        f'<s:Envelope xmlns:s="{soap}" xmlns:unused="urn:unused"><s:Header>'
        f'<h:Id xmlns:h="urn:h">1</h:Id></s:Header><s:Body>{body}</s:Body></s:Envelope>'
    ).encode()


@pytest.mark.parametrize(
    "soap", ["http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"]
)
def test_soap_envelope_is_read_from_its_body(soap: str) -> None:
    doc = ik.read_xml(_envelope(BODY, soap))
    assert type(doc).__name__ == "ProcessMaterialDefinition"
    assert doc == ik.read_xml(BODY.encode())
    out = ik.write_xml(doc)
    assert etree.tostring(etree.fromstring(out), method="c14n2") == etree.tostring(
        etree.fromstring(BODY.encode()), method="c14n2"
    )
    assert b"urn:unused" not in out and soap.encode() not in out


def test_namespace_declared_on_the_wrapper_is_kept_when_used() -> None:
    body = BODY.replace(f' xmlns:b="{B2MML}"', "")
    envelope = (
        f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:b="{B2MML}">'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()
    doc = ik.read_xml(envelope)
    out = ik.write_xml(doc)
    assert etree.fromstring(out).nsmap == {"b": B2MML}


def test_wrapper_with_two_documents_is_refused_with_a_location() -> None:
    with pytest.raises(MappingError) as info:
        ik.read_xml(_envelope(BODY + BODY))
    assert "2 B2MML documents" in str(info.value)
    assert info.value.location.line == 1


def test_errors_inside_the_envelope_point_into_it() -> None:
    bad = BODY.replace("<b:ID>M1</b:ID>", "<b:Bogus/>")
    with pytest.raises(MappingError) as info:
        ik.read_xml(_envelope(bad))
    assert info.value.location.path is not None
    assert info.value.location.path.startswith(
        "/s:Envelope[1]/s:Body[1]/b:ProcessMaterialDefinition"
    )


def test_a_wrapper_without_b2mml_keeps_the_plain_message() -> None:
    with pytest.raises(MappingError, match="not B2MML"):
        ik.read_xml(_envelope("<x:Other xmlns:x='urn:x'/>"))
