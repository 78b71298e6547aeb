"""SOAP 1.1 / 1.2 envelopes around B2MML messages, and SOAP Faults.

Pure lxml: wrapping writes ``Envelope/Header?/Body/<message>``; unwrapping parses with the
hardened parser of :mod:`isa95kit._source`, reads the one B2MML element of the Body with the
XML codec and turns a ``Fault`` into :class:`~isa95kit.errors.SoapFaultError`.

Validation issues travel in the Fault detail as (namespace :data:`FAULT_NS`)::

    <ik:ValidationIssues xmlns:ik="urn:isa95kit:soap:fault">
      <ik:Issue code="SCHEMA-ELEMENT" severity="error" line="12" column="7">
        <ik:Message>...</ik:Message>
        <ik:Path>/ProcessWorkSchedule[1]/DataArea[1]</ik:Path>
        <ik:Hint>...</ik:Hint>
      </ik:Issue>
    </ik:ValidationIssues>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from .._source import parse_bytes
from ..errors import EncodeError, Location, MalformedDocumentError, MappingError, SoapFaultError
from ..model._base import B2MMLModel

if TYPE_CHECKING:
    from ..validation import Issue

__all__ = [
    "FAULT_NS",
    "SOAP11",
    "SOAP12",
    "Envelope",
    "SoapVersion",
    "content_type",
    "envelope",
    "fault",
    "issues_from_detail",
    "open_envelope",
    "parse_envelope",
]

SoapVersion = Literal["1.1", "1.2"]

#: namespace of the SOAP 1.1 envelope
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
#: namespace of the SOAP 1.2 envelope
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
#: namespace of the validation issues isa95kit puts in a Fault detail
FAULT_NS = "urn:isa95kit:soap:fault"

_NS = {"1.1": SOAP11, "1.2": SOAP12}
_VERSION = {SOAP11: "1.1", SOAP12: "1.2"}

#: fault code local names per version; the other version's name is accepted too
_CODES = {
    "1.1": {"Sender": "Client", "Receiver": "Server"},
    "1.2": {"Client": "Sender", "Server": "Receiver"},
}


def _version(soap: str) -> SoapVersion:
    if soap not in _NS:
        raise EncodeError(f"SOAP version must be '1.1' or '1.2', not {soap!r}")
    return cast(SoapVersion, soap)


def content_type(soap: SoapVersion = "1.1") -> str:
    """The HTTP ``Content-Type`` of an envelope of this SOAP version."""
    if _version(soap) == "1.1":
        return 'text/xml; charset="utf-8"'
    return 'application/soap+xml; charset="utf-8"'


def _element(data: bytes, what: str) -> Any:
    try:
        return parse_bytes(data, None)
    except MalformedDocumentError as exc:
        raise MalformedDocumentError(f"{what}: {exc.message}", location=exc.location) from None


def envelope(
    message: B2MMLModel | bytes,
    *,
    soap: SoapVersion = "1.1",
    headers: Sequence[bytes] = (),
) -> bytes:
    """Wrap a B2MML message (a model instance, or its XML bytes) in a SOAP envelope.

    ``headers`` are XML fragments placed in ``soap:Header`` (WS-Security, WS-Addressing...).
    """
    from lxml import etree

    ns = _NS[_version(soap)]
    if isinstance(message, B2MMLModel):
        from .._xml import write_xml

        message = write_xml(message)
    body_child = _element(message, "message")
    env = etree.Element(f"{{{ns}}}Envelope", nsmap={"soap": ns})
    if headers:
        header = etree.SubElement(env, f"{{{ns}}}Header")
        for fragment in headers:
            header.append(_element(fragment, "SOAP header"))
    etree.SubElement(env, f"{{{ns}}}Body").append(body_child)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def fault(
    code: str,
    reason: str,
    *,
    soap: SoapVersion = "1.1",
    detail_issues: Sequence[Issue] = (),
    subcode: str | None = None,
) -> bytes:
    """A SOAP Fault envelope. ``code`` is ``Client``/``Sender``, ``Server``/``Receiver``,
    ``VersionMismatch`` or ``MustUnderstand`` (either version's spelling); ``detail_issues``
    become the ``ValidationIssues`` detail (see the module docstring)."""
    from lxml import etree

    version = _version(soap)
    ns = _NS[version]
    local = _CODES[version].get(code, code)
    env = etree.Element(f"{{{ns}}}Envelope", nsmap={"soap": ns})
    body = etree.SubElement(env, f"{{{ns}}}Body")
    f = etree.SubElement(body, f"{{{ns}}}Fault")
    if version == "1.1":
        etree.SubElement(f, "faultcode").text = f"soap:{local}"
        etree.SubElement(f, "faultstring").text = reason
        detail_tag = "detail"
    else:
        code_el = etree.SubElement(f, f"{{{ns}}}Code")
        etree.SubElement(code_el, f"{{{ns}}}Value").text = f"soap:{local}"
        if subcode:
            sub = etree.SubElement(code_el, f"{{{ns}}}Subcode", nsmap={"ik": FAULT_NS})
            etree.SubElement(sub, f"{{{ns}}}Value").text = f"ik:{subcode}"
        text = etree.SubElement(etree.SubElement(f, f"{{{ns}}}Reason"), f"{{{ns}}}Text")
        text.text = reason
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        detail_tag = f"{{{ns}}}Detail"
    if detail_issues:
        etree.SubElement(f, detail_tag).append(_issues_element(detail_issues))
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def _issues_element(issues: Sequence[Issue]) -> Any:
    from lxml import etree

    root = etree.Element(f"{{{FAULT_NS}}}ValidationIssues", nsmap={"ik": FAULT_NS})
    for issue in issues:
        el = etree.SubElement(root, f"{{{FAULT_NS}}}Issue")
        el.set("code", issue.code)
        el.set("severity", issue.severity.value)
        for name in ("line", "column"):
            value = getattr(issue, name)
            if value is not None:
                el.set(name, str(value))
        etree.SubElement(el, f"{{{FAULT_NS}}}Message").text = issue.message
        for name, tag in (("path", "Path"), ("hint", "Hint"), ("file", "File")):
            value = getattr(issue, name)
            if value:
                etree.SubElement(el, f"{{{FAULT_NS}}}{tag}").text = value
    return root


def issues_from_detail(detail: Any) -> list[Issue]:
    """The validation issues of a Fault detail element (an lxml element or XML bytes)."""
    from ..validation import Issue, Severity

    if isinstance(detail, bytes):
        detail = _element(detail, "fault detail")
    found: list[Issue] = []
    for el in detail.iter(f"{{{FAULT_NS}}}Issue"):

        def text(tag: str, el: Any = el) -> str | None:
            child = el.find(f"{{{FAULT_NS}}}{tag}")
            return None if child is None else (child.text or "")

        def number(name: str, el: Any = el) -> int | None:
            value = el.get(name)
            return int(value) if value and value.isdigit() else None

        try:
            severity = Severity(el.get("severity", "error"))
        except ValueError:
            severity = Severity("error")
        found.append(
            Issue(
                code=el.get("code", ""),
                severity=severity,
                message=text("Message") or "",
                file=text("File"),
                line=number("line"),
                column=number("column"),
                path=text("Path"),
                hint=text("Hint"),
            )
        )
    return found


@dataclass
class Envelope:
    """A parsed SOAP envelope: its version, header entries and the one Body element."""

    soap: SoapVersion
    headers: list[Any] = field(default_factory=list)
    body: Any = None
    root: Any = None

    def header_bytes(self) -> list[bytes]:
        """The header entries as standalone XML (unused envelope namespaces dropped)."""
        return [_detached(h) for h in self.headers]

    def is_fault(self) -> bool:
        return bool(self.body.tag == f"{{{_NS[self.soap]}}}Fault")


def _detached(el: Any) -> bytes:
    import copy

    from lxml import etree

    dup = copy.deepcopy(el)
    etree.cleanup_namespaces(dup)
    return etree.tostring(dup)


def _where(el: Any, file: str | None) -> Location:
    from .._xml._decode import xpath_of

    return Location(file=file, line=el.sourceline, path=xpath_of(el))


def parse_envelope(data: bytes, *, file: str | None = None) -> Envelope:
    """Parse (hardened) and check the structure of a SOAP 1.1 or 1.2 envelope.

    Raises :class:`MalformedDocumentError` for input that is not well-formed or hostile and
    :class:`MappingError` for XML that is not an envelope with exactly one Body element.
    """
    root = parse_bytes(data, file)
    tag = root.tag if isinstance(root.tag, str) else ""
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if local != "Envelope" or ns not in _VERSION:
        raise MappingError(
            f"<{local}> (namespace {ns or 'none'}) is not a SOAP 1.1 or 1.2 Envelope",
            location=_where(root, file),
        )
    soap = cast(SoapVersion, _VERSION[ns])
    children = [c for c in root if isinstance(c.tag, str)]
    header = body = None
    for child in children:
        if child.tag == f"{{{ns}}}Header" and header is None and body is None:
            header = child
        elif child.tag == f"{{{ns}}}Body" and body is None:
            body = child
        else:
            raise MappingError(
                f"unexpected <{child.tag.split('}')[-1]}> in the SOAP Envelope",
                location=_where(child, file),
            )
    if body is None:
        raise MappingError("the SOAP Envelope has no Body", location=_where(root, file))
    entries = [c for c in body if isinstance(c.tag, str)]
    if len(entries) != 1:
        raise MappingError(
            f"the SOAP Body holds {len(entries)} elements; a B2MML message is exactly one",
            location=_where(body, file),
        )
    headers = [] if header is None else [c for c in header if isinstance(c.tag, str)]
    return Envelope(soap=soap, headers=headers, body=entries[0], root=root)


def fault_error(env: Envelope, file: str | None = None) -> SoapFaultError:
    """The :class:`SoapFaultError` of an envelope whose Body is a Fault."""
    ns = _NS[env.soap]
    f = env.body
    if env.soap == "1.1":
        code = (f.findtext("faultcode") or "").strip()
        reason = (f.findtext("faultstring") or "").strip()
        detail = f.find("detail")
    else:
        code = (f.findtext(f"{{{ns}}}Code/{{{ns}}}Value") or "").strip()
        reason = (f.findtext(f"{{{ns}}}Reason/{{{ns}}}Text") or "").strip()
        detail = f.find(f"{{{ns}}}Detail")
    code = code.rpartition(":")[2]
    issues = [] if detail is None else issues_from_detail(detail)
    detail_text = None
    if detail is not None:
        parts = [_detached(c).decode() for c in detail if isinstance(c.tag, str)]
        detail_text = "".join(parts) or (detail.text or "").strip()
    message = f"SOAP Fault {code}: {reason}" if code else f"SOAP Fault: {reason}"
    if issues:
        message += "".join(f"\n  {i}" for i in issues[:20])
        if len(issues) > 20:
            message += f"\n  ... {len(issues) - 20} more"
    return SoapFaultError(
        message,
        code=code,
        reason=reason,
        detail=detail_text,
        issues=issues,
        location=_where(f, file),
    )


def open_envelope(data: bytes) -> tuple[B2MMLModel, list[bytes]]:
    """Unwrap a SOAP 1.1/1.2 envelope: the B2MML message of its Body as a model instance,
    and its header entries as XML bytes. A Fault raises :class:`SoapFaultError` (with
    ``code``, ``reason``, ``detail`` and the validation ``issues`` of its detail)."""
    env = parse_envelope(data)
    if env.is_fault():
        raise fault_error(env)
    return decode_body(env, data), env.header_bytes()


def decode_body(env: Envelope, data: bytes | None = None, file: str | None = None) -> B2MMLModel:
    """The B2MML message of an envelope's Body as a model instance."""
    from .._xml._api import _class_of_root, _own_nsmap
    from .._xml._config import DEFAULT_READ
    from .._xml._decode import Decoder
    from .._xml._side import ensure_side

    el = env.body
    obj = Decoder(DEFAULT_READ, file, data).decode_root(el, _class_of_root(el, file))
    ensure_side(obj).nsmap = _own_nsmap(el)
    return obj
