"""SOAP 1.1 / 1.2 envelopes: wrap, hardened unwrap, Faults whose detail carries Issues."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit import soap
from isa95kit.errors import MalformedDocumentError, MappingError, SoapFaultError
from isa95kit.validation import Issue, Severity

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "erp_mes_work_schedule.xml"
WSSE = b'<wsse:Security xmlns:wsse="urn:example:sec"><wsse:T>1</wsse:T></wsse:Security>'


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_wrap_unwrap_keeps_the_message(version: soap.SoapVersion) -> None:
    data = GOLDEN.read_bytes()
    wrapped = soap.envelope(data, soap=version, headers=[WSSE])
    root = etree.fromstring(wrapped)
    ns = soap.SOAP11 if version == "1.1" else soap.SOAP12
    assert root.tag == f"{{{ns}}}Envelope"
    assert [c.tag for c in root] == [f"{{{ns}}}Header", f"{{{ns}}}Body"]
    message, headers = soap.open_envelope(wrapped)
    assert ik.write_xml(message) == ik.write_xml(ik.read_xml(data))
    # header entries come back standalone, without the envelope's namespace
    assert headers == [WSSE]
    # read_xml reads the same envelope (the codec's own wrapper support)
    assert ik.write_xml(ik.read_xml(wrapped)) == ik.write_xml(message)


def test_a_model_is_written_then_wrapped() -> None:
    doc = ik.read_xml(GOLDEN)
    message, headers = soap.open_envelope(soap.envelope(doc, soap="1.2"))
    assert headers == []
    assert ik.write_xml(message) == ik.write_xml(doc)


def test_content_types() -> None:
    assert soap.content_type("1.1").startswith("text/xml")
    assert soap.content_type("1.2").startswith("application/soap+xml")


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"<a/>", MappingError, "not a SOAP 1.1 or 1.2 Envelope"),
        (
            f'<s:Envelope xmlns:s="{soap.SOAP11}"><s:Header/></s:Envelope>'.encode(),
            MappingError,
            "no Body",
        ),
        (
            f'<s:Envelope xmlns:s="{soap.SOAP11}"><s:Body><a/><b/></s:Body></s:Envelope>'.encode(),
            MappingError,
            "holds 2 elements",
        ),
        (
            f'<s:Envelope xmlns:s="{soap.SOAP12}"><s:Body/><s:Body/></s:Envelope>'.encode(),
            MappingError,
            "unexpected <Body>",
        ),
        (b"<s:Envelope", MalformedDocumentError, ""),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            b"<s:Body><x>&b;</x></s:Body></s:Envelope>",
            MalformedDocumentError,
            "",
        ),
    ],
)
def test_bad_envelopes_are_refused_with_a_location(
    data: bytes, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as info:
        soap.open_envelope(data)
    assert words in str(info.value)
    assert isinstance(info.value, ik.Isa95Error)


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>'
        f'<s:Envelope xmlns:s="{soap.SOAP11}"><s:Body><x>&e;</x></s:Body></s:Envelope>'
    ).encode()
    with pytest.raises(MalformedDocumentError) as info:
        soap.open_envelope(data)
    assert "TOP-SECRET" not in str(info.value)


ISSUES = st.builds(
    Issue,
    code=st.from_regex(r"[A-Z][A-Z0-9-]{0,12}", fullmatch=True),
    severity=st.sampled_from(list(Severity)),
    message=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40),
    line=st.none() | st.integers(1, 10**6),
    column=st.none() | st.integers(1, 10**4),
    path=st.none() | st.from_regex(r"(/[A-Za-z]{1,8}\[[1-9]\]){1,4}", fullmatch=True),
    hint=st.none()
    | st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
    ),
)


@given(
    version=st.sampled_from(["1.1", "1.2"]),
    code=st.sampled_from(["Client", "Sender", "Server", "Receiver"]),
    issues=st.lists(ISSUES, max_size=4),
)
def test_fault_detail_issues_round_trip(
    version: soap.SoapVersion, code: str, issues: list[Issue]
) -> None:
    data = soap.fault(code, "the body is not valid", soap=version, detail_issues=issues)
    with pytest.raises(SoapFaultError) as info:
        soap.open_envelope(data)
    err = info.value
    expected = {
        "1.1": {"Sender": "Client", "Receiver": "Server"},
        "1.2": {"Client": "Sender", "Server": "Receiver"},
    }
    assert err.code == expected[version].get(code, code)
    assert err.reason == "the body is not valid"
    assert err.issues == issues
    assert (err.detail is not None) == bool(issues)
    if issues:
        assert "ValidationIssues" in err.detail  # type: ignore[operator]
        assert str(issues[0]) in str(err)


def test_fault_envelopes_follow_each_version() -> None:
    one = etree.fromstring(soap.fault("Sender", "no", soap="1.1"))
    assert one.findtext(f".//{{{soap.SOAP11}}}Fault/faultcode") == "soap:Client"
    two = etree.fromstring(soap.fault("Client", "no", soap="1.2", subcode="NotFound"))
    ns = soap.SOAP12
    assert two.findtext(f".//{{{ns}}}Code/{{{ns}}}Value") == "soap:Sender"
    assert two.findtext(f".//{{{ns}}}Subcode/{{{ns}}}Value") == "ik:NotFound"
    assert two.find(f".//{{{ns}}}Text").get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_a_foreign_fault_detail_is_kept_as_text() -> None:
    data = (
        f'<s:Envelope xmlns:s="{soap.SOAP11}"><s:Body><s:Fault><faultcode>s:Server</faultcode>'
        "<faultstring>SAP down</faultstring><detail><e:Info xmlns:e='urn:e'>42</e:Info></detail>"
        "</s:Fault></s:Body></s:Envelope>"
    ).encode()
    with pytest.raises(SoapFaultError) as info:
        soap.open_envelope(data)
    assert (info.value.code, info.value.reason, info.value.issues) == ("Server", "SAP down", [])
    assert info.value.detail == '<e:Info xmlns:e="urn:e">42</e:Info>'
