"""Document/literal WSDL 1.1 of the B2MML V0701 transactions, SOAP 1.1 or 1.2 binding.

One operation per request/reply pair of the verb/noun table (:func:`message_kinds`):
``ProcessWorkSchedule`` → ``AcknowledgeWorkSchedule``, ``GetX`` → ``ShowX``, ``ChangeX`` →
``RespondX``, ``SyncX``/``NotifyX``/``CancelX`` → ``ConfirmBOD``; every operation may answer the
``ValidationFault`` (detail: ``ik:ValidationIssues``, see :mod:`._envelope`). The types import
the V0701 schema (``schemaLocation`` ``../V0701/AllSchemas.xsd`` by default: the shipped files
live in ``xsd/wsdl/`` next to ``xsd/V0701/``, in the repository and in the wheel).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import SourceNotFoundError
from ._envelope import FAULT_NS, SoapVersion, _version
from ._messages import PAIRS, message_kinds

__all__ = [
    "DEFAULT_ADDRESS",
    "SCHEMA_LOCATION",
    "TARGET_NAMESPACE",
    "build_wsdl",
    "operations",
    "soap_action",
    "wsdl_file_name",
    "wsdl_path",
]

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
B2MML_NS = "http://www.mesa.org/xml/B2MML"
_BINDING_NS = {
    "1.1": "http://schemas.xmlsoap.org/wsdl/soap/",
    "1.2": "http://schemas.xmlsoap.org/wsdl/soap12/",
}
#: target namespace of the generated WSDLs
TARGET_NAMESPACE = "urn:isa95kit:wsdl:B2MML:V0701"
#: where the generated WSDL says the service is (``soap wsdl --address`` / the server change it)
DEFAULT_ADDRESS = "http://127.0.0.1:8095/b2mml"
#: the schema import of the shipped WSDLs, relative to ``xsd/wsdl/``
SCHEMA_LOCATION = "../V0701/AllSchemas.xsd"
SERVICE = "B2MMLService"

#: the XSD of the Fault detail the server writes (``ValidationIssues``)
_FAULT_SCHEMA = f"""<xsd:schema xmlns:xsd="{XSD_NS}" targetNamespace="{FAULT_NS}"
    elementFormDefault="qualified">
  <xsd:element name="ValidationIssues">
    <xsd:complexType><xsd:sequence>
      <xsd:element name="Issue" minOccurs="0" maxOccurs="unbounded">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Message" type="xsd:string"/>
            <xsd:element name="Path" type="xsd:string" minOccurs="0"/>
            <xsd:element name="Hint" type="xsd:string" minOccurs="0"/>
            <xsd:element name="File" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
          <xsd:attribute name="code" type="xsd:string" use="required"/>
          <xsd:attribute name="severity" type="xsd:string" use="required"/>
          <xsd:attribute name="line" type="xsd:positiveInteger"/>
          <xsd:attribute name="column" type="xsd:positiveInteger"/>
        </xsd:complexType>
      </xsd:element>
    </xsd:sequence></xsd:complexType>
  </xsd:element>
</xsd:schema>"""


@cache
def operations() -> tuple[tuple[str, str], ...]:
    """``(request element, reply element)`` of every operation, sorted by request."""
    pairs = []
    for element, kind in message_kinds().items():
        if kind.verb in PAIRS and kind.reply is not None:
            pairs.append((element, kind.reply))
    return tuple(sorted(pairs))


def soap_action(operation: str) -> str:
    """The ``soapAction`` of an operation (the server dispatches on the Body, not on it)."""
    return f"{TARGET_NAMESPACE}:{operation}"


def wsdl_file_name(soap: SoapVersion = "1.1") -> str:
    """File name of the shipped WSDL of a SOAP version."""
    return f"B2MML-V0701-soap{_version(soap).replace('.', '')}.wsdl"


def build_wsdl(
    soap: SoapVersion = "1.1",
    *,
    address: str = DEFAULT_ADDRESS,
    schema_location: str = SCHEMA_LOCATION,
) -> bytes:
    """The WSDL document (bytes, deterministic) for one SOAP version."""
    from lxml import etree

    version = _version(soap)
    bns = _BINDING_NS[version]
    w = f"{{{WSDL_NS}}}"
    s = f"{{{bns}}}"
    nsmap = {
        "wsdl": WSDL_NS,
        "soap" if version == "1.1" else "soap12": bns,
        "xsd": XSD_NS,
        "b2mml": B2MML_NS,
        "ik": FAULT_NS,
        "tns": TARGET_NAMESPACE,
    }
    root = etree.Element(w + "definitions", nsmap=nsmap)
    root.set("name", "B2MML-V0701")
    root.set("targetNamespace", TARGET_NAMESPACE)
    doc = etree.SubElement(root, w + "documentation")
    doc.text = (
        f"B2MML V0701 transactions over SOAP {version}, document/literal: one operation per "
        "request/reply pair. "
        '"The Business To Manufacturing Markup Language (B2MML) is used courtesy of MESA '
        'International."'
    )
    types = etree.SubElement(root, w + "types")
    holder = etree.SubElement(types, f"{{{XSD_NS}}}schema")
    holder.set("targetNamespace", f"{TARGET_NAMESPACE}:types")
    imp = etree.SubElement(holder, f"{{{XSD_NS}}}import")
    imp.set("namespace", B2MML_NS)
    imp.set("schemaLocation", schema_location)
    types.append(etree.fromstring(_FAULT_SCHEMA.encode(), etree.XMLParser(remove_blank_text=True)))

    ops = operations()
    names = sorted({m for pair in ops for m in pair})
    for name in names:
        msg = etree.SubElement(root, w + "message", name=name)
        etree.SubElement(msg, w + "part", name="body", element=f"b2mml:{name}")
    msg = etree.SubElement(root, w + "message", name="ValidationFault")
    etree.SubElement(msg, w + "part", name="detail", element="ik:ValidationIssues")

    port_type = etree.SubElement(root, w + "portType", name="B2MMLPortType")
    for request, reply in ops:
        op = etree.SubElement(port_type, w + "operation", name=request)
        etree.SubElement(op, w + "input", message=f"tns:{request}")
        etree.SubElement(op, w + "output", message=f"tns:{reply}")
        etree.SubElement(op, w + "fault", name="ValidationFault", message="tns:ValidationFault")

    binding_name = f"B2MMLBindingSoap{version.replace('.', '')}"
    binding = etree.SubElement(root, w + "binding", name=binding_name, type="tns:B2MMLPortType")
    etree.SubElement(
        binding, s + "binding", style="document", transport="http://schemas.xmlsoap.org/soap/http"
    )
    for request, _ in ops:
        op = etree.SubElement(binding, w + "operation", name=request)
        etree.SubElement(op, s + "operation", soapAction=soap_action(request), style="document")
        for part in ("input", "output"):
            etree.SubElement(etree.SubElement(op, w + part), s + "body", use="literal")
        fault = etree.SubElement(op, w + "fault", name="ValidationFault")
        etree.SubElement(fault, s + "fault", name="ValidationFault", use="literal")

    service = etree.SubElement(root, w + "service", name=SERVICE)
    port = etree.SubElement(service, w + "port", name=f"B2MMLPortSoap{version.replace('.', '')}")
    port.set("binding", f"tns:{binding_name}")
    etree.SubElement(port, s + "address", location=address)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return data


def _repository_wsdl_dir() -> Path:
    """``xsd/wsdl`` of a source checkout (``src/isa95kit/soap`` → the repository root)."""
    return Path(__file__).resolve().parents[3] / "xsd" / "wsdl"


def wsdl_path(soap: SoapVersion = "1.1") -> Path:
    """The shipped WSDL file: in the installed package (``isa95kit/xsd/wsdl``, next to the
    schema bundle) if present, else in the repository (``xsd/wsdl``, next to the official
    release). Raises :class:`SourceNotFoundError` if neither exists."""
    name = wsdl_file_name(soap)
    package = Path(__file__).resolve().parents[1] / "xsd" / "wsdl" / name
    for candidate in (package, _repository_wsdl_dir() / name):
        if candidate.is_file():
            return candidate
    raise SourceNotFoundError(
        f"the shipped WSDL {name} is missing (regenerate it: python tools/gen_wsdl.py)",
        location=_location(package),
    )


def _location(path: os.PathLike[str] | str) -> Any:
    from ..errors import Location

    return Location(file=os.fspath(path))


def binding_namespace(soap: SoapVersion) -> str:
    """Namespace of the WSDL SOAP binding extension of a SOAP version."""
    return _BINDING_NS[_version(soap)]
