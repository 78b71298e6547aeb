"""``SoapClient``: send a B2MML message to an ERP/MES over SOAP, reliably.

The payload is written by isa95kit's codec; zeep carries it (``zeep.Transport`` over a
``requests.Session``: timeouts, TLS, client certificates, auth) and adds WS-Security. The
resilience — retries, circuit breaker, durable outbox — is :mod:`isa95kit.delivery`.
"""

from __future__ import annotations

import email.utils
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..delivery import (
    CircuitBreaker,
    CircuitBreakers,
    Delivered,
    Outbox,
    OutboxEntry,
    Retry,
    RetryPolicy,
    classify_failure,
    deliver,
)
from ..errors import (
    DecodeError,
    Location,
    MissingDependencyError,
    SoapFaultError,
    TransportError,
)
from ..model._base import B2MMLModel
from ._envelope import SoapVersion, content_type, envelope, fault_error, parse_envelope
from ._thirdparty import unwrap_reply
from ._wsse import UsernameToken, X509Signing, apply_security, verify_reply

if TYPE_CHECKING:
    from ._thirdparty import Operation

__all__ = ["SoapClient", "SoapReply", "TRANSIENT_FAULT_CODES", "bodid_of"]

logger = logging.getLogger("isa95kit.soap.client")
B2MML_NS = "http://www.mesa.org/xml/B2MML"
#: Fault codes (local part, ``Server.Busy`` style) worth another attempt by default
TRANSIENT_FAULT_CODES = frozenset(
    {"Server.Busy", "Server.Unavailable", "Receiver.Busy", "Receiver.Unavailable"}
)
#: HTTP statuses that mean "not now" rather than "no"
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
#: process-wide breakers, one per endpoint, shared by every client that does not bring its own
SHARED_BREAKERS = CircuitBreakers()
#: sentinel: the default outbox file (see :func:`isa95kit.delivery.default_outbox_path`)
DEFAULT_OUTBOX: Literal["default"] = "default"


@dataclass
class SoapReply:
    """A reply: the B2MML message, the SOAP header entries and how the delivery went."""

    message: B2MMLModel
    headers: list[bytes]
    bodid: str
    attempts: int
    outbox_id: int | None
    status: int
    raw: bytes = field(repr=False, default=b"")


def bodid_of(message: B2MMLModel | bytes) -> tuple[B2MMLModel | bytes, str]:
    """The message's BODID, giving it a fresh UUID one if it has none (written into the
    model instance, or into the XML bytes, so every retry carries the same)."""
    if isinstance(message, B2MMLModel):
        area = getattr(message, "application_area", None)
        if area is None or not hasattr(area, "bodid"):
            return message, str(uuid.uuid4())  # not a transaction message: id of the send
        if area.bodid is None or not area.bodid.value:
            from ..model import Identifier

            area.bodid = Identifier(value=str(uuid.uuid4()))
        return message, str(area.bodid.value)
    from lxml import etree

    from .._source import parse_bytes

    root = parse_bytes(message, None)
    area = root.find(f"{{{B2MML_NS}}}ApplicationArea")
    if area is None:
        return message, str(uuid.uuid4())
    node = area.find(f"{{{B2MML_NS}}}BODID")
    if node is not None and (node.text or "").strip():
        return message, node.text.strip()  # type: ignore[union-attr]
    bodid = str(uuid.uuid4())
    if node is None:
        node = etree.Element(f"{{{B2MML_NS}}}BODID")
        user = area.find(f"{{{B2MML_NS}}}UserArea")
        if user is not None:
            user.addprevious(node)
        else:
            area.append(node)
    node.text = bodid
    return etree.tostring(root, xml_declaration=True, encoding="utf-8"), bodid


_TRANSPORT: Any = None
#: the useful part of urllib3's wrapped messages ("Max retries exceeded ... (Caused by ...")
_REASON = re.compile(r"\[Errno -?\d+\] [^'\")]+|certificate verify failed: [^'\")(]+|timed out")


def _reason(exc: BaseException) -> str:
    """``[Errno 111] Connection refused`` rather than urllib3's four nested reprs."""
    text = str(exc)
    found = _REASON.search(text)
    return found.group(0).strip() if found else text


def _transport_class() -> Any:
    """``zeep.Transport`` posting with the client's explicit TLS verification setting."""
    global _TRANSPORT
    if _TRANSPORT is None:
        import zeep

        class Transport(zeep.Transport):
            verify: bool | str | None = None

            def post(self, address: str, message: bytes, headers: dict[str, str]) -> Any:
                if self.verify is None:
                    return super().post(address, message, headers)  # type: ignore[no-untyped-call]
                return self.session.post(
                    address,
                    data=message,
                    headers=headers,
                    timeout=self.operation_timeout,
                    verify=self.verify,
                )

        _TRANSPORT = Transport
    return _TRANSPORT


def _retry_after(value: str | None) -> float | None:
    """``Retry-After``: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class SoapClient:
    """A SOAP 1.1/1.2 client for B2MML transaction messages, built for flaky links.

    ``timeout`` is ``(connect, read)`` seconds (or one number for both); a send never hangs.
    TLS is verified (``verify=False`` or a CA bundle path to change that); ``cert`` is the
    client certificate for mutual TLS (a PEM path, or ``(cert, key)``); ``auth`` is HTTP
    Basic ``(user, password)``; ``api_key`` goes in the ``api_key_header``. ``username_token``
    and ``signing`` are WS-Security. Transient failures (connection errors, timeouts, HTTP
    408/429/5xx honouring ``Retry-After``, Faults whose code is in ``transient_faults``) are
    retried under ``retry`` with the same BODID; other Faults are not. ``breaker`` is a
    :class:`~isa95kit.delivery.CircuitBreaker` or a registry (default: one breaker per
    endpoint for the whole process). ``outbox`` is an :class:`~isa95kit.delivery.Outbox`,
    a path, ``"default"`` (the default file) or ``None`` for none.
    """

    def __init__(
        self,
        address: str,
        *,
        soap: SoapVersion = "1.1",
        action: str | None = None,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        api_key: str | None = None,
        api_key_header: str = "X-API-Key",
        http_headers: Mapping[str, str] | None = None,
        username_token: UsernameToken | None = None,
        signing: X509Signing | None = None,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | CircuitBreakers | None = SHARED_BREAKERS,
        outbox: Outbox | str | os.PathLike[str] | None = DEFAULT_OUTBOX,
        transient_faults: Collection[str] = TRANSIENT_FAULT_CODES,
        session: Any = None,
        operation: Operation | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        try:
            import requests
            import zeep  # noqa: F401
        except ImportError as exc:
            raise MissingDependencyError(
                "the SOAP client needs zeep: pip install 'isa95kit[soap]'"
            ) from exc
        self.address = address
        self.soap: SoapVersion = soap
        content_type(soap)  # refuses a version that is not 1.1 or 1.2
        self.action = action
        self.timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.username_token = username_token
        self.signing = signing
        self.retry = retry or RetryPolicy()
        self.breaker = breaker
        self.transient_faults = frozenset(transient_faults)
        self.operation = operation
        #: every operation of the WSDL the client came from (:meth:`from_wsdl`)
        self.operations: dict[str, Operation] = {}
        self._sleep = sleep
        self._own_outbox = not isinstance(outbox, Outbox) and outbox is not None
        if outbox is None or isinstance(outbox, Outbox):
            self.outbox = outbox
        else:
            self.outbox = Outbox(None if outbox == DEFAULT_OUTBOX else outbox)
        self.session = session if session is not None else requests.Session()
        self._own_session = session is None
        self.session.verify = verify
        if cert is not None:
            self.session.cert = cert
        if auth is not None:
            self.session.auth = auth
        if api_key is not None:
            self.session.headers[api_key_header] = api_key
        self.session.headers.update(http_headers or {})
        self.transport = _transport_class()(session=self.session, operation_timeout=self.timeout)
        # requests lets $REQUESTS_CA_BUNDLE override a session's verify (psf/requests#3829):
        # an explicit CA bundle or verify=False goes with every request instead
        self.transport.verify = None if verify is True else verify

    # -- third-party WSDLs -----------------------------------------------------------

    @classmethod
    def from_wsdl(
        cls, wsdl: str | os.PathLike[str], *, operation: str | None = None, **options: Any
    ) -> SoapClient:
        """A client for a third-party WSDL (see :mod:`isa95kit.soap._thirdparty`)."""
        from ._thirdparty import from_wsdl

        return from_wsdl(cls, wsdl, operation=operation, **options)

    # -- sending ---------------------------------------------------------------------

    def send(
        self,
        message: B2MMLModel | bytes,
        *,
        action: str | None = None,
        operation: str | None = None,
    ) -> B2MMLModel:
        """Send a B2MML message; returns the reply's B2MML message."""
        return self.call(message, action=action, operation=operation).message

    def call(
        self,
        message: B2MMLModel | bytes,
        *,
        action: str | None = None,
        operation: str | None = None,
    ) -> SoapReply:
        """Send a B2MML message; returns the whole :class:`SoapReply`. ``operation`` picks
        another operation of the WSDL the client came from (``client.operations``)."""
        message, bodid = bodid_of(message)
        op = self.operation
        if operation is not None:
            op = self.operations.get(operation)
            if op is None or op.slot is None:
                from ..errors import EncodeError

                names = ", ".join(sorted(n for n, o in self.operations.items() if o.slot))
                raise EncodeError(
                    f"no operation {operation!r} with a B2MML slot (operations: {names or 'none'})"
                )
        if op is not None:
            from .._xml import write_xml

            xml = write_xml(message) if isinstance(message, B2MMLModel) else message
            body: B2MMLModel | bytes = op.wrap(xml)
            action = action or op.soap_action
        else:
            body = message
        payload = envelope(body, soap=self.soap)
        action = action if action is not None else self.action
        meta = {"soap": self.soap, "action": action}
        if op is not None:
            meta["operation"] = op.name
        done = deliver(
            self._sender(action),
            payload,
            bodid=bodid,
            endpoint=self.address,
            policy=self.retry,
            breaker=self.breaker,
            outbox=self.outbox,
            meta=meta,
            classify=self._classify,
            sleep=self._sleep,
            log=logger,
        )
        return self._reply(done)

    def replay(
        self, *, include_dead: bool = True, entry_ids: Collection[int] | None = None
    ) -> list[tuple[OutboxEntry, SoapReply | BaseException]]:
        """Deliver again this client's endpoint's undelivered outbox entries (pending, left
        ``sending`` by a dead process, and dead letters), with their original BODIDs."""
        if self.outbox is None:
            return []
        results: list[tuple[OutboxEntry, SoapReply | BaseException]] = []
        for entry in self.outbox.replayable(include_dead=include_dead):
            if entry.endpoint != self.address or (
                entry_ids is not None and entry.id not in entry_ids
            ):
                continue
            try:
                done = deliver(
                    self._sender(entry.meta.get("action")),
                    entry.payload,
                    bodid=entry.bodid,
                    endpoint=entry.endpoint,
                    policy=self.retry,
                    breaker=self.breaker,
                    outbox=self.outbox,
                    entry=entry,
                    classify=self._classify,
                    sleep=self._sleep,
                    log=logger,
                )
                results.append((entry, self._reply(done)))
            except Exception as exc:  # per entry; the replay goes on
                results.append((entry, exc))
        return results

    def close(self) -> None:
        if self._own_session:
            self.session.close()
        if self._own_outbox and self.outbox is not None:
            self.outbox.close()

    def __enter__(self) -> SoapClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SoapClient {self.address} SOAP {self.soap}>"

    # -- one attempt -----------------------------------------------------------------

    def _classify(self, exc: BaseException) -> Retry | None:
        if isinstance(exc, SoapFaultError):  # transient ones arrive as TransportError
            return None
        return classify_failure(exc)

    def _transient_fault(self, error: SoapFaultError, env: Any) -> bool:
        """Is the Fault's code (SOAP 1.1 ``Server.Busy``) or a SOAP 1.2 subcode
        (``Receiver`` / ``Busy`` → ``Receiver.Busy`` or ``Busy``) a transient one?"""
        names = {error.code}
        if env.soap == "1.2":
            ns = env.root.tag[1:].partition("}")[0]
            for value in env.body.iterfind(f".//{{{ns}}}Subcode/{{{ns}}}Value"):
                sub = (value.text or "").strip().rpartition(":")[2]
                names |= {sub, f"{error.code}.{sub}"}
        return not names.isdisjoint(self.transient_faults)

    def _sender(self, action: str | None) -> Callable[[bytes], tuple[int, bytes, Any]]:
        headers = {"Content-Type": content_type(self.soap)}
        if self.soap == "1.1":
            headers["SOAPAction"] = f'"{action or ""}"'
        elif action:
            headers["Content-Type"] += f'; action="{action}"'

        def send(payload: bytes) -> tuple[int, bytes, Any]:
            return self._attempt(payload, headers)

        return send

    def _attempt(self, payload: bytes, headers: dict[str, str]) -> tuple[int, bytes, Any]:
        import requests

        if self.username_token is not None or self.signing is not None:
            from lxml import etree

            from .._source import parse_bytes

            root = parse_bytes(payload, None)
            apply_security(root, token=self.username_token, signing=self.signing)
            payload = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        where = self.address
        try:
            response = self.transport.post(self.address, payload, headers)
        except requests.exceptions.SSLError as exc:  # a certificate problem stays one
            raise TransportError(
                f"TLS failure talking to {where}: {_reason(exc)}", endpoint=where
            ) from exc
        except requests.exceptions.Timeout as exc:
            raise TransportError(
                f"timed out talking to {where} (connect/read timeout {self.timeout[0]}s/"
                f"{self.timeout[1]}s)",
                endpoint=where,
                transient=True,
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            raise TransportError(
                f"cannot connect to {where}: {_reason(exc)}", endpoint=where, transient=True
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise TransportError(f"HTTP request to {where} failed: {exc}", endpoint=where) from exc
        status, content = response.status_code, response.content
        env = None
        if content.lstrip()[:1] == b"<":
            try:
                env = parse_envelope(content, file=where)
            except DecodeError:
                env = None
        if status >= 400 and (env is None or not env.is_fault() or status in (429, 503)):
            transient = status in TRANSIENT_STATUS
            what = "a SOAP Fault" if env is not None and env.is_fault() else "no SOAP reply"
            raise TransportError(
                f"HTTP {status} {response.reason or ''} from {where} ({what})".replace("  ", " "),
                endpoint=where,
                status=status,
                transient=transient,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        if env is None:
            raise DecodeError(
                f"HTTP {status} from {where} is not a SOAP envelope "
                f"(Content-Type {response.headers.get('Content-Type', 'none')})",
                location=Location(file=where),
            )
        if env.is_fault():
            error = fault_error(env, where)
            if self._transient_fault(error, env):
                raise TransportError(
                    f"transient SOAP Fault from {where}: {error.message}",
                    endpoint=where,
                    status=status,
                    transient=True,
                    retry_after=_retry_after(response.headers.get("Retry-After")),
                ) from error
            raise error
        if self.signing is not None:
            verify_reply(env.root, self.signing, endpoint=where)
        return status, content, env

    def _reply(self, done: Delivered[tuple[int, bytes, Any]]) -> SoapReply:
        status, content, env = done.value
        # the Body itself, or the B2MML inside a vendor's wrapper (also for a replay of a
        # message first sent through a WSDL operation)
        message = unwrap_reply(env, content, self.address, self.address)
        return SoapReply(
            message=message,
            headers=env.header_bytes(),
            bodid=done.bodid,
            attempts=done.attempts,
            outbox_id=done.outbox_id,
            status=status,
            raw=content,
        )
