"""Third-party WSDLs: find where a B2MML document goes in a vendor's operation.

Three shapes are recognised, from zeep's model of the WSDL (``zeep.Client(wsdl).wsdl``):

- **(A) document** — the operation's input element *is* a B2MML element (isa95kit's own
  WSDLs, most B2MML-native services);
- **(B) element** — a vendor request element wraps a B2MML element, by reference or by a
  B2MML type (WCF ``DataContract``/``MessageContract`` services, AVEVA);
- **(C) string** — a generic operation carries the document as an ``xs:string`` parameter
  (SAP MII ``Xacute``): the slot is the string parameter whose name says XML/B2MML, or the
  one given as ``slot="InputParams/B2MMLDocument"``.

The document is always written by isa95kit's codec; only the wrapper is built here, from
the qualified names zeep resolved. Slots for older B2MML releases (V0401..V0600) need the
migration layer and are not offered yet.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import EncodeError, Location, MappingError, MissingDependencyError, SourceError
from ..model._base import B2MMLModel

if TYPE_CHECKING:
    from ._client import SoapClient
    from ._envelope import Envelope

__all__ = ["Operation", "Slot", "describe_wsdl", "from_wsdl"]

B2MML_NS = "http://www.mesa.org/xml/B2MML"
SlotKind = Literal["document", "element", "string"]
#: words in a string parameter's name that mark it as the document's slot (shape C)
_STRING_HINTS = ("b2mml", "xml", "document", "payload", "message", "bod")
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Slot:
    """Where the B2MML document goes: ``path`` is the chain of element names (Clark
    notation) below the operation's input element; ``accepts`` the B2MML element it takes
    (``None``: any, for string slots)."""

    kind: SlotKind
    path: tuple[str, ...] = ()
    accepts: str | None = None

    def __str__(self) -> str:
        where = "/".join(_local(p) for p in self.path) or "(the body element)"
        what = self.accepts or "any B2MML document"
        label = {"document": "A document", "element": "B element", "string": "C string"}
        return f"shape {label[self.kind]}: {where} <- {what}"


@dataclass(frozen=True)
class Operation:
    """One operation of a WSDL port, with its B2MML slot (``None`` if it has none)."""

    name: str
    service: str
    port: str
    address: str | None
    soap: Literal["1.1", "1.2"]
    soap_action: str | None
    input_element: str
    output_element: str | None
    slot: Slot | None

    def wrap(self, document: bytes) -> bytes:
        """The Body element of a request: ``document`` (B2MML XML) put into the slot."""
        from lxml import etree

        from .._source import parse_bytes

        if self.slot is None:
            raise EncodeError(f"operation {self.name} has no B2MML slot")
        doc = parse_bytes(document, None)
        root_name = etree.QName(doc).localname
        accepts = self.slot.accepts
        if accepts is not None and _local(accepts) != root_name:
            raise EncodeError(
                f"operation {self.name} takes a {_local(accepts)}, not a {root_name}",
                location=Location(path=f"/{root_name}"),
            )
        if self.slot.kind == "document":
            return document
        top = etree.Element(self.input_element)
        parent = top
        for step in self.slot.path[:-1]:
            parent = etree.SubElement(parent, step)
        if self.slot.kind == "string":
            etree.SubElement(parent, self.slot.path[-1]).text = document.decode("utf-8")
        else:
            if doc.tag != self.slot.path[-1]:  # a B2MML-typed vendor element: rename it
                doc.tag = self.slot.path[-1]
            parent.append(doc)
        return bytes(etree.tostring(top, encoding="utf-8"))

    def unwrap(self, env: Envelope, data: bytes) -> B2MMLModel:
        """The B2MML message of a reply (see :func:`unwrap_reply`)."""
        return unwrap_reply(env, data, self.name)


def unwrap_reply(
    env: Envelope, data: bytes, operation: str = "the operation", file: str | None = None
) -> B2MMLModel:
    """The B2MML message of a reply: the Body element itself, the first B2MML element inside
    a vendor's response element (B), or a string holding a B2MML document (C)."""
    from ._envelope import Envelope, decode_body

    body = env.body
    if _ns(body.tag) == B2MML_NS:
        return decode_body(env, data, file)
    for el in body.iter(f"{{{B2MML_NS}}}*"):
        return decode_body(Envelope(env.soap, env.headers, el, env.root), data, file)
    for el in body.iter():
        text = (el.text or "").strip()
        if len(el) == 0 and text.startswith("<"):
            from .._xml import read_xml

            return read_xml(text.encode("utf-8"))
    raise MappingError(
        f"the reply of {operation} ({_local(body.tag)}) holds no B2MML document",
        location=Location(file=file, path=f"/{_local(body.tag)}"),
    )


def _ns(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _qname(obj: Any) -> str | None:
    q = getattr(obj, "qname", None)
    return None if q is None else str(q.text if hasattr(q, "text") else q)


def _children(element: Any) -> list[tuple[str, Any]]:
    typ = getattr(element, "type", None)
    try:
        return list(getattr(typ, "elements", []) or [])
    except (AttributeError, TypeError):  # simple or any types
        return []


def _is_string(element: Any) -> bool:
    typ = getattr(element, "type", None)
    q = _qname(typ) or ""
    return q == "{http://www.w3.org/2001/XMLSchema}string"


def _find_slot(element: Any, path: tuple[str, ...], depth: int) -> Iterator[Slot]:
    for _, child in _children(element):
        qn = _qname(child)
        if qn is None:
            continue
        here = (*path, qn)
        type_qn = _qname(getattr(child, "type", None)) or ""
        if _ns(qn) == B2MML_NS:
            yield Slot("element", here, qn)
        elif _ns(type_qn) == B2MML_NS and type_qn.endswith("Type"):
            yield Slot("element", here, type_qn[: -len("Type")])
        elif _is_string(child):
            if any(h in _local(qn).lower() for h in _STRING_HINTS):
                yield Slot("string", here)
        elif depth < _MAX_DEPTH:
            yield from _find_slot(child, here, depth + 1)


def slot_of(element: Any, slot: str | None = None) -> Slot | None:
    """The B2MML slot of an operation's input element (zeep ``Element``); ``slot`` forces
    a string parameter by its path of local names (``"InputParams/B2MMLDocument"``)."""
    qn = _qname(element) or ""
    if slot is not None:
        wanted = tuple(slot.strip("/").split("/"))
        for found in _all_leaves(element, ()):
            if tuple(_local(p) for p in found[0]) == wanted:
                return Slot("string" if _is_string(found[1]) else "element", found[0])
        return None
    if _ns(qn) == B2MML_NS:
        return Slot("document", (), qn)
    slots = list(_find_slot(element, (), 0))
    elements = [s for s in slots if s.kind == "element"]
    best = elements or slots
    return best[0] if best else None


def _all_leaves(element: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    for _, child in _children(element):
        qn = _qname(child)
        if qn is None:
            continue
        yield (*path, qn), child
        if len(path) < _MAX_DEPTH:
            yield from _all_leaves(child, (*path, qn))


def _load(wsdl: str | os.PathLike[str], transport: Any = None) -> Any:
    try:
        import zeep
        import zeep.exceptions
    except ImportError as exc:
        raise MissingDependencyError(
            "reading WSDLs needs zeep: pip install 'isa95kit[soap]'"
        ) from exc
    where = os.fspath(wsdl)
    try:
        return zeep.Client(where, transport=transport)  # type: ignore[no-untyped-call]
    except (OSError, zeep.exceptions.Error, ValueError) as exc:
        raise SourceError(f"cannot read the WSDL: {exc}", location=Location(file=where)) from exc
    except Exception as exc:  # lxml, requests: the WSDL is unusable, say so
        raise SourceError(
            f"cannot read the WSDL: {type(exc).__name__}: {exc}", location=Location(file=where)
        ) from exc


def operations(
    wsdl: str | os.PathLike[str], *, slot: str | None = None, transport: Any = None
) -> list[Operation]:
    """Every operation of every SOAP port of a WSDL, with its B2MML slot."""
    client = _load(wsdl, transport)
    found: list[Operation] = []
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            binding = port.binding
            kind = type(binding).__name__
            if kind not in ("Soap11Binding", "Soap12Binding"):
                continue  # HTTP GET/POST bindings carry no envelope
            for name, op in binding._operations.items():
                body = getattr(op.input, "body", None)
                if body is None:
                    continue
                out = getattr(getattr(op, "output", None), "body", None)
                found.append(
                    Operation(
                        name=name,
                        service=service.name,
                        port=port.name,
                        address=port.binding_options.get("address"),
                        soap="1.2" if kind == "Soap12Binding" else "1.1",
                        soap_action=op.soapaction or None,
                        input_element=_qname(body) or "",
                        output_element=_qname(out) if out is not None else None,
                        slot=slot_of(body, slot),
                    )
                )
    return found


def describe_wsdl(wsdl: str | os.PathLike[str], *, slot: str | None = None) -> str:
    """A readable listing of a WSDL's operations and their B2MML slots."""
    lines = []
    for op in operations(wsdl, slot=slot):
        lines.append(f"{op.service}/{op.port}  {op.name}  (SOAP {op.soap})")
        lines.append(f"  address: {op.address or '-'}")
        lines.append(f"  action:  {op.soap_action or '-'}")
        lines.append(f"  input:   {_local(op.input_element)}  [{op.input_element}]")
        lines.append(f"  slot:    {op.slot if op.slot is not None else 'no B2MML slot'}")
    return "\n".join(lines)


def _wsdl_transport(options: dict[str, Any]) -> Any:
    """A zeep Transport for loading the WSDL with the client's session, TLS and timeouts."""
    import zeep

    from ._client import _transport_class

    session = options.get("session")
    if session is None:
        import requests

        session = requests.Session()
        verify = options.get("verify", True)
        session.verify = verify
        for key, attr in (("cert", "cert"), ("auth", "auth")):
            if options.get(key) is not None:
                setattr(session, attr, options[key])
    timeout = options.get("timeout", (5.0, 30.0))
    load = max(timeout) if isinstance(timeout, tuple) else timeout
    transport = _transport_class()(session=session, timeout=load)
    assert isinstance(transport, zeep.Transport)
    return transport


def from_wsdl(
    cls: type[SoapClient],
    wsdl: str | os.PathLike[str],
    *,
    operation: str | None = None,
    address: str | None = None,
    slot: str | None = None,
    **options: Any,
) -> SoapClient:
    """A :class:`SoapClient` for ``operation`` of a third-party WSDL (the only operation
    with a B2MML slot if not named). ``address`` overrides the WSDL's endpoint; the SOAP
    version and SOAPAction come from the binding; ``client.operations`` lists them all."""
    ops = operations(wsdl, slot=slot, transport=_wsdl_transport(options))
    with_slot = [o for o in ops if o.slot is not None]
    where = Location(file=os.fspath(wsdl))
    if operation is not None:
        chosen = [o for o in ops if o.name == operation]
        if not chosen:
            names = ", ".join(sorted({o.name for o in ops})) or "none"
            raise SourceError(
                f"the WSDL has no operation {operation!r} (operations: {names})", location=where
            )
        if chosen[0].slot is None:
            raise SourceError(
                f"operation {operation!r} has no B2MML slot (give slot='Path/To/Parameter')",
                location=where,
            )
    else:
        chosen = with_slot
        if len({o.name for o in chosen}) != 1:
            names = ", ".join(sorted({o.name for o in with_slot})) or "none"
            raise SourceError(
                f"name the operation to call (operations with a B2MML slot: {names})",
                location=where,
            )
    # prefer a SOAP 1.2 port only when asked for; WSDLs often offer both
    want = options.get("soap")
    op = next((o for o in chosen if want is None or o.soap == want), chosen[0])
    target = address or op.address
    if not target:
        raise SourceError("the WSDL names no address; give address=...", location=where)
    options.setdefault("soap", op.soap)
    client = cls(target, operation=op, **options)
    client.operations = {o.name: o for o in ops}
    return client
