"""A WSGI SOAP server for B2MML transactions (SOAP 1.1 and 1.2 on one endpoint).

``GET ?wsdl`` (``?wsdl=1.2``) serves the WSDL, its schema import rewritten to ``?xsd=...`` URLs
it also serves (the V0701 bundle). ``POST`` takes an envelope: size limit (HTTP 413), hardened
parse, authentication (WS-Security UsernameToken or HTTP Basic, when users are configured),
validation of the B2MML body with :func:`isa95kit.validate`, then the first reply stored for
the BODID (idempotency across restarts) or the user handler of the verb-noun (the mock ERP/MES
otherwise), answered with the paired verb or with a Fault whose detail lists the issues.
"""

from __future__ import annotations

import logging
import os
import threading
import wsgiref.util
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from ..errors import (
    DecodeError,
    DocumentInvalidError,
    Isa95Error,
    MalformedDocumentError,
    ProfileError,
)
from ..model._base import B2MMLModel
from ._auth import Authenticator, AuthError, is_security_header
from ._envelope import (
    SOAP11,
    SOAP12,
    Envelope,
    SoapVersion,
    content_type,
    decode_body,
    envelope,
    fault,
    parse_envelope,
)
from ._messages import MessageKind, kind_of, message_kinds
from ._mock import MockBackend
from ._store import Store

__all__ = ["Handler", "RequestContext", "SoapServer", "create_server", "make_app", "stop_server"]

log = logging.getLogger("isa95kit.soap")

#: default request size limit (bytes); larger bodies are answered HTTP 413
MAX_REQUEST_BYTES = 16 << 20
_MUST = {"1", "true"}


@dataclass
class RequestContext:
    """What a handler knows about the request besides the message."""

    soap: SoapVersion
    kind: MessageKind
    user: str | None
    headers: list[bytes]
    environ: Mapping[str, Any]
    store: Store


#: a handler answers a request message with its reply (None: the default ``reply_to``)
Handler = Callable[[B2MMLModel, RequestContext], "B2MMLModel | None"]


@dataclass
class _Answer:
    status: str
    body: bytes
    ctype: str
    extra: list[tuple[str, str]] = field(default_factory=list)


class _Fault(Exception):
    """A Fault to answer (internal control flow)."""

    def __init__(
        self, code: str, reason: str, issues: Iterable[Any] = (), subcode: str | None = None
    ) -> None:
        super().__init__(reason)
        self.code, self.reason, self.issues, self.subcode = code, reason, list(issues), subcode


class SoapServer:
    """The WSGI application: ``SoapServer()(environ, start_response)``.

    ``handlers`` map request element names (``"ProcessWorkSchedule"``) or verbs
    (``"Process"``) to callables ``handler(message, context) -> reply | None``; requests no
    handler claims go to the mock ERP/MES (``mock=False`` refuses them with a Fault).
    ``store`` is the SQLite file (``":memory:"`` by default) of first replies, nonces and the
    mock's entities. ``users`` (name → password) or ``check`` turn authentication on.
    """

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        store: str | os.PathLike[str] | Store = ":memory:",
        mock: bool = True,
        users: Mapping[str, str] | None = None,
        check: Callable[[str, str], bool] | None = None,
        auth: Authenticator | None = None,
        max_bytes: int = MAX_REQUEST_BYTES,
        validate: bool = True,
        soap: SoapVersion = "1.1",
    ) -> None:
        self.store = store if isinstance(store, Store) else Store(store)
        self.handlers: dict[str, Handler] = dict(handlers or {})
        for name in self.handlers:
            if name not in message_kinds() and name not in {
                k.verb for k in message_kinds().values()
            }:
                raise ProfileError(f"handler key {name!r} is neither a V0701 message nor a verb")
        self.mock = MockBackend(self.store) if mock else None
        if auth is None and (users is not None or check is not None):
            auth = Authenticator(users=users, check=check)
        self.auth = auth
        self.max_bytes = max_bytes
        self.validate = validate
        self.soap = soap
        self._xsd_cache: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def handler(self, name: str) -> Callable[[Handler], Handler]:
        """Decorator registering a handler for a message (``"GetWorkSchedule"``) or verb."""

        def register(fn: Handler) -> Handler:
            self.handlers[name] = fn
            return fn

        return register

    # -- WSGI ----------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if method in ("GET", "HEAD"):
                answer = self._get(environ)
            elif method == "POST":
                answer = self._post(environ)
            else:
                answer = _Answer(
                    "405 Method Not Allowed", b"", "text/plain", [("Allow", "GET, POST")]
                )
        except Exception:  # a bug must not take the server down or leak a traceback
            log.exception("internal error")
            answer = self._fault_answer(self.soap, _Fault("Receiver", "internal server error"))
        headers = [("Content-Type", answer.ctype), ("Content-Length", str(len(answer.body)))]
        start_response(answer.status, headers + answer.extra)
        return [b"" if method == "HEAD" else answer.body]

    # -- GET: WSDL and schemas -----------------------------------------------------------------
    def _get(self, environ: Mapping[str, Any]) -> _Answer:
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        base = wsgiref.util.request_uri(dict(environ), include_query=False)
        if "wsdl" in query:
            version = (query["wsdl"][0] or self.soap).strip()
            if version not in ("1.1", "1.2"):
                return _Answer("400 Bad Request", b"?wsdl=1.1 or ?wsdl=1.2\n", "text/plain")
            return _Answer("200 OK", self._wsdl(version, base), "text/xml; charset=utf-8")  # type: ignore[arg-type]
        if "xsd" in query:
            data = self._xsd(query["xsd"][0], base)
            if data is None:
                return _Answer("404 Not Found", b"no such schema\n", "text/plain")
            return _Answer("200 OK", data, "text/xml; charset=utf-8")
        text = f"B2MML SOAP endpoint; WSDL at {base}?wsdl (SOAP 1.1) and {base}?wsdl=1.2\n"
        return _Answer("200 OK", text.encode(), "text/plain; charset=utf-8")

    def _wsdl(self, version: SoapVersion, base: str) -> bytes:
        key = (f"wsdl{version}", base)
        with self._lock:
            if key not in self._xsd_cache:
                from ._wsdl import build_wsdl

                self._xsd_cache[key] = build_wsdl(
                    version, address=base, schema_location=f"{base}?xsd=AllSchemas.xsd"
                )
            return self._xsd_cache[key]

    def _xsd(self, name: str, base: str) -> bytes | None:
        from lxml import etree

        from ..versions import B2MMLVersion, bundle_files
        from ..versions._bundles import _read_bundle_file

        version = B2MMLVersion.coerce("V0701")
        if name not in bundle_files(version):
            return None
        key = (name, base)
        with self._lock:
            if key not in self._xsd_cache:
                root = etree.fromstring(_read_bundle_file(version, name))
                xs = "{http://www.w3.org/2001/XMLSchema}"
                for el in root.iter(xs + "include", xs + "import", xs + "redefine"):
                    location = el.get("schemaLocation")
                    if location and "/" not in location:
                        el.set("schemaLocation", f"{base}?xsd={location}")
                self._xsd_cache[key] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
            return self._xsd_cache[key]

    # -- POST: one SOAP request ----------------------------------------------------------------
    def _post(self, environ: dict[str, Any]) -> _Answer:
        soap = _version_of(environ.get("CONTENT_TYPE", ""), self.soap)
        data = self._read(environ)
        if data is None:
            text = f"request body over the limit of {self.max_bytes} bytes\n"
            return _Answer("413 Payload Too Large", text.encode(), "text/plain")
        try:
            env = parse_envelope(data, file="request")
        except MalformedDocumentError as exc:
            return self._fault_answer(soap, _Fault("Sender", f"malformed request: {exc}"))
        except DecodeError as exc:
            code = "VersionMismatch" if _foreign_envelope(data) else "Sender"
            return self._fault_answer(soap, _Fault(code, f"not a SOAP request: {exc}"))
        try:
            return self._dispatch(environ, env, data)
        except _Fault as f:
            challenge = f.subcode == "InvalidSecurityToken" and self.auth is not None
            return self._fault_answer(env.soap, f, basic=challenge and self.auth.basic)  # type: ignore[union-attr]

    def _read(self, environ: Mapping[str, Any]) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            length = -1
        if length > self.max_bytes:
            return None
        stream = environ["wsgi.input"]
        data: bytes = stream.read(length) if length >= 0 else stream.read(self.max_bytes + 1)
        return None if len(data) > self.max_bytes else data

    def _dispatch(self, environ: Mapping[str, Any], env: Envelope, data: bytes) -> _Answer:
        for header in env.headers:
            must = header.get(f"{{{SOAP11 if env.soap == '1.1' else SOAP12}}}mustUnderstand", "")
            if must.strip().lower() in _MUST and not is_security_header(header):
                raise _Fault("MustUnderstand", f"header <{header.tag}> is not understood")
        user = None
        if self.auth is not None:
            try:
                user = self.auth.authenticate(environ, env.headers, self.store)
            except AuthError as exc:
                raise _Fault("Sender", exc.reason, subcode=exc.subcode) from None
        if env.is_fault():
            raise _Fault("Sender", "a Fault is not a request")
        if self.validate:
            self._validate(data)
        try:
            message = decode_body(env, data, "request")
            kind = kind_of(message)
        except Isa95Error as exc:
            raise _Fault("Sender", f"not a B2MML V0701 request: {exc}") from None
        if kind.reply is None or kind.verb not in (
            "Get",
            "Process",
            "Change",
            "Cancel",
            "Sync",
            "Notify",
        ):
            raise _Fault("Sender", f"{kind.element} is a reply, not a request")
        area = message.application_area  # type: ignore[attr-defined]
        bodid = area.bodid.value if area.bodid is not None and area.bodid.value else None
        context = RequestContext(env.soap, kind, user, env.header_bytes(), environ, self.store)
        if bodid is None:
            return self._reply(env.soap, self._answer(message, context))
        with self.store.holding(bodid):
            stored = self.store.reply(bodid)
            if stored is not None:
                if stored[0] != kind.element:
                    raise _Fault("Sender", f"BODID {bodid} was already used by a {stored[0]}")
                log.info("duplicate BODID %s: first reply sent again", bodid)
                return self._reply(env.soap, stored[1])
            reply = self._answer(message, context)
            self.store.keep_reply(bodid, kind.element, reply)
        return self._reply(env.soap, reply)

    def _validate(self, data: bytes) -> None:
        from ..validation import check

        report = check(data, version="V0701", schema_only=True)
        errors = [i for i in report.issues if i.severity.value == "error"]
        if errors:
            first = errors[0]
            raise _Fault("Sender", f"the B2MML message is not valid: {first.message}", errors)

    def _answer(self, message: B2MMLModel, context: RequestContext) -> bytes:
        """The reply message XML of a request: the handler's, or the mock's."""
        from .._xml import write_xml
        from ..errors import SoapFaultError

        kind = context.kind
        handler = self.handlers.get(kind.element) or self.handlers.get(kind.verb)
        try:
            if handler is not None:
                reply = handler(message, context)
                if reply is None:
                    from ._messages import reply_to

                    reply = reply_to(message, force=True)
            elif self.mock is not None:
                reply = self.mock.handle(message, kind)
            else:
                raise _Fault("Sender", f"{kind.element} is not served here")
        except SoapFaultError as exc:
            raise _Fault(exc.code or "Receiver", exc.reason or exc.message, exc.issues) from None
        except DocumentInvalidError as exc:
            raise _Fault("Sender", exc.message, exc.issues) from None
        except _Fault:
            raise
        except Isa95Error as exc:
            raise _Fault("Receiver", f"the handler failed: {exc}") from None
        except Exception:
            log.exception("handler of %s failed", kind.element)
            raise _Fault("Receiver", f"the handler of {kind.element} failed") from None
        if not isinstance(reply, B2MMLModel):
            raise _Fault("Receiver", f"the handler of {kind.element} returned no B2MML message")
        return write_xml(reply, config=None)

    # -- answers -------------------------------------------------------------------------------
    @staticmethod
    def _reply(soap: SoapVersion, message: bytes) -> _Answer:
        return _Answer("200 OK", envelope(message, soap=soap), content_type(soap))

    @staticmethod
    def _fault_answer(soap: SoapVersion, f: _Fault, *, basic: bool = False) -> _Answer:
        body = fault(f.code, f.reason, soap=soap, detail_issues=f.issues, subcode=f.subcode)
        # SOAP 1.1: every Fault is HTTP 500; SOAP 1.2: 400 for Sender faults
        status = "500 Internal Server Error"
        if soap == "1.2" and f.code in ("Sender", "Client"):
            status = "400 Bad Request"
        extra: list[tuple[str, str]] = []
        if basic:  # no credentials at all: challenge for HTTP Basic
            status = "401 Unauthorized"
            extra.append(("WWW-Authenticate", 'Basic realm="isa95kit"'))
        return _Answer(status, body, content_type(soap), extra)


def _foreign_envelope(data: bytes) -> bool:
    """Whether a request that is no SOAP 1.1/1.2 envelope is an Envelope of another version."""
    from .._source import parse_bytes

    try:
        tag = parse_bytes(data, None).tag
    except Isa95Error:
        return False
    known = (f"{{{SOAP11}}}Envelope", f"{{{SOAP12}}}Envelope")
    return isinstance(tag, str) and tag.endswith("}Envelope") and tag not in known


def _version_of(ctype: str, default: SoapVersion) -> SoapVersion:
    ctype = ctype.lower()
    if "application/soap+xml" in ctype:
        return "1.2"
    if "text/xml" in ctype:
        return "1.1"
    return default


def make_app(handlers: Mapping[str, Handler] | None = None, **options: Any) -> SoapServer:
    """The WSGI application (see :class:`SoapServer` for the options)."""
    return SoapServer(handlers, **options)


def create_server(
    app: Callable[..., Any], *, host: str = "127.0.0.1", port: int = 8095, threads: int = 4
) -> Any:
    """A waitress server for ``app`` (not yet running: call ``.run()``; ``.close()`` stops
    it). ``port=0`` picks a free port (``server.effective_port``). Needs the ``soap`` extra."""
    try:
        from waitress.server import create_server as waitress_server  # type: ignore[import-untyped]
    except ImportError:
        from ..errors import MissingDependencyError

        raise MissingDependencyError(
            "serving SOAP needs waitress: pip install 'isa95kit[soap]'"
        ) from None
    return waitress_server(app, host=host, port=port, threads=threads, ident="isa95kit")


def stop_server(server: Any) -> None:
    """Stop a server of :func:`create_server` running in another thread: finish the requests
    in progress, then close every connection and the listening socket (``run()`` returns).

    The sockets are closed by the server's own loop (through its trigger), never from this
    thread: closing them under a running ``select`` made the loop die with ``EBADF``."""
    from waitress import wasyncore  # type: ignore[import-untyped]

    server.task_dispatcher.shutdown()
    trigger = getattr(server, "trigger", None)
    if trigger is None or trigger not in server._map.values():  # not running: close here
        wasyncore.close_all(server._map)
        return
    trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
