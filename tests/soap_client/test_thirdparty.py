"""Third-party WSDLs: the B2MML slot of a WCF-style operation (B) and of a SAP MII-style
string parameter (C), found with zeep's WSDL model and filled by our codec."""

from __future__ import annotations

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.soap import SoapClient, describe_wsdl
from isa95kit.soap._thirdparty import operations

from .conftest import B2MML, DATA, Answer, Partner, Request, ack_for

WCF = DATA / "vendor-wcf.wsdl"
MII = DATA / "sap-mii.wsdl"
VENDOR = "http://vendor.example/mes/2024"
XMII = "http://www.sap.com/xMII"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def test_operations_and_slots() -> None:
    ops = {o.name: o for o in operations(WCF)}
    submit, ping = ops["SubmitSchedule"], ops["Ping"]
    assert submit.slot is not None and submit.slot.kind == "element"
    assert submit.slot.path == (f"{{{B2MML}}}ProcessWorkSchedule",)
    assert (
        submit.soap == "1.1"
        and submit.soap_action
        and submit.soap_action.endswith("/SubmitSchedule")
    )
    assert ping.slot is None  # a string named "text" is not a document slot
    (xacute,) = operations(MII)
    assert xacute.soap == "1.2" and xacute.slot is not None and xacute.slot.kind == "string"
    assert xacute.slot.path == (f"{{{XMII}}}InputParams", f"{{{XMII}}}B2MMLDocument")


def test_describe_lists_slots() -> None:
    text = describe_wsdl(WCF)
    assert "SubmitSchedule" in text and "shape B element: ProcessWorkSchedule" in text
    assert "Ping" in text and "no B2MML slot" in text
    assert "shape C string: InputParams/B2MMLDocument" in describe_wsdl(MII)


def wcf_reply(req: Request) -> Answer:
    ack = etree.fromstring(ack_for(req.body))[0][0]
    env = etree.fromstring(
        f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        f'<SubmitScheduleResponse xmlns="{VENDOR}"/></s:Body></s:Envelope>'.encode()
    )
    env[0][0].append(ack)
    return Answer(body=etree.tostring(env))


def test_shape_b_wraps_the_b2mml_element(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.respond = wcf_reply
    with SoapClient.from_wsdl(WCF, address=partner.url, outbox=None, breaker=None) as c:
        assert set(c.operations) == {"SubmitSchedule", "Ping"}
        reply = c.call(schedule)
    req = partner.requests[0]
    assert req.headers["SOAPAction"] == f'"{VENDOR}/IScheduleService/SubmitSchedule"'
    wrapper = req.root[-1][0]
    assert wrapper.tag == f"{{{VENDOR}}}SubmitSchedule"
    assert [c.tag for c in wrapper] == [f"{{{B2MML}}}ProcessWorkSchedule"]
    assert etree.tostring(wrapper[0], method="c14n2") == etree.tostring(
        etree.fromstring(ik.write_xml(schedule)), method="c14n2"
    )
    assert type(reply.message).__name__ == "AcknowledgeWorkSchedule"


def test_shape_b_refuses_another_message(partner: Partner) -> None:
    other = ik.read_xml(
        b'<SyncMaterialDefinition xmlns="http://www.mesa.org/xml/B2MML" releaseID="V0701">'
        b"<ApplicationArea><CreationDateTime>2026-01-01T00:00:00Z</CreationDateTime>"
        b"</ApplicationArea><DataArea><Sync/><MaterialDefinition><ID>M</ID>"
        b"</MaterialDefinition></DataArea></SyncMaterialDefinition>"
    )
    c = SoapClient.from_wsdl(WCF, address=partner.url, outbox=None, breaker=None)
    with c, pytest.raises(ik.EncodeError, match="takes a ProcessWorkSchedule"):
        c.call(other)
    assert partner.requests == []


def mii_reply(req: Request) -> Answer:
    doc = etree.fromstring(ack_for(req.body))[0][0]
    env = etree.Element(f"{{{SOAP12}}}Envelope")
    body = etree.SubElement(env, f"{{{SOAP12}}}Body")
    row = etree.SubElement(
        etree.SubElement(etree.SubElement(body, f"{{{XMII}}}XacuteResponse"), f"{{{XMII}}}Rowset"),
        f"{{{XMII}}}Row",
    )
    etree.SubElement(row, f"{{{XMII}}}OutputXML").text = etree.tostring(doc).decode()
    return Answer(body=etree.tostring(env))


def test_shape_c_string_parameter(partner: Partner, schedule: ik.B2MMLModel) -> None:
    partner.respond = mii_reply
    with SoapClient.from_wsdl(MII, address=partner.url, outbox=None, breaker=None) as c:
        reply = c.call(schedule)
    req = partner.requests[0]
    assert req.headers["Content-Type"].startswith("application/soap+xml")
    assert 'action="http://www.sap.com/xMII/Xacute"' in req.headers["Content-Type"]
    slot = req.root.find(f".//{{{XMII}}}InputParams/{{{XMII}}}B2MMLDocument")
    assert slot is not None and len(slot) == 0  # text, not child elements
    assert ik.read_xml(slot.text.encode()).application_area.bodid.value == reply.bodid  # type: ignore[union-attr, attr-defined]
    assert type(reply.message).__name__ == "AcknowledgeWorkSchedule"


def test_unknown_operation_and_bad_wsdl(tmp_path: object) -> None:
    with pytest.raises(ik.SourceError, match="no operation 'Nope'"):
        SoapClient.from_wsdl(WCF, operation="Nope", outbox=None)
    with pytest.raises(ik.SourceError, match="no B2MML slot"):
        SoapClient.from_wsdl(WCF, operation="Ping", outbox=None)
    with pytest.raises(ik.SourceError):
        SoapClient.from_wsdl(DATA / "missing.wsdl", outbox=None)


def test_operation_per_call_and_reply_without_b2mml(
    partner: Partner, schedule: ik.B2MMLModel
) -> None:
    partner.respond = wcf_reply
    with SoapClient.from_wsdl(WCF, address=partner.url, outbox=None, breaker=None) as c:
        assert type(c.send(schedule, operation="SubmitSchedule")).__name__ == (
            "AcknowledgeWorkSchedule"
        )
        with pytest.raises(ik.EncodeError, match="no operation 'Ping' with a B2MML slot"):
            c.send(schedule, operation="Ping")
        partner.respond = lambda r: Answer(
            body=b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            b'<SubmitScheduleResponse xmlns="http://vendor.example/mes/2024"/></s:Body>'
            b"</s:Envelope>"
        )
        with pytest.raises(ik.MappingError, match="holds no B2MML document"):
            c.send(schedule)
