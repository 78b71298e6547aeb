"""SOAP exchange of B2MML messages with ERP/MES systems (``pip install 'isa95kit[soap]'``).

- messages: builders for every verb of V0701 and ``reply_to`` for the paired answer;
- envelopes: :func:`envelope` / :func:`open_envelope` for SOAP 1.1 and 1.2, :func:`fault`;
- WSDL: document/literal WSDLs of every request/reply pair (``wsdl_path``);
- server: :class:`SoapServer` / :func:`make_app`, a WSGI application (a mock ERP/MES by
  default).

Envelopes, messages and the WSDL need lxml only; zeep and waitress are imported lazily
where used, and missing ones raise :class:`~isa95kit.errors.MissingDependencyError`.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._envelope import (
    FAULT_NS,
    SOAP11,
    SOAP12,
    Envelope,
    SoapVersion,
    content_type,
    envelope,
    fault,
    issues_from_detail,
    open_envelope,
    parse_envelope,
)
from ._messages import (
    PAIRS,
    VERBS,
    MessageKind,
    acknowledge,
    application_area,
    build,
    cancel,
    change,
    confirm_bod,
    get,
    kind_of,
    message_kinds,
    process,
    reply_to,
    respond,
    show,
    sync,
)

#: public name -> module defining it (imported on first access)
_LAZY: dict[str, str] = {}

# --- server side: WSDL, SoapServer, store
_LAZY.update(
    {
        "Authenticator": "isa95kit.soap._auth",
        "Handler": "isa95kit.soap._server",
        "RequestContext": "isa95kit.soap._server",
        "SoapServer": "isa95kit.soap._server",
        "Store": "isa95kit.soap._store",
        "build_wsdl": "isa95kit.soap._wsdl",
        "create_server": "isa95kit.soap._server",
        "make_app": "isa95kit.soap._server",
        "stop_server": "isa95kit.soap._server",
        "wsdl_path": "isa95kit.soap._wsdl",
    }
)

# --- client side: SoapClient, WS-Security, third-party WSDLs
_LAZY.update(
    {
        "SoapClient": "isa95kit.soap._client",
        "SoapReply": "isa95kit.soap._client",
        "TRANSIENT_FAULT_CODES": "isa95kit.soap._client",
        "UsernameToken": "isa95kit.soap._wsse",
        "X509Signing": "isa95kit.soap._wsse",
        "Operation": "isa95kit.soap._thirdparty",
        "Slot": "isa95kit.soap._thirdparty",
        "describe_wsdl": "isa95kit.soap._thirdparty",
    }
)

__all__ = [
    "Envelope",
    "FAULT_NS",
    "MessageKind",
    "PAIRS",
    "SOAP11",
    "SOAP12",
    "SoapVersion",
    "VERBS",
    "acknowledge",
    "application_area",
    "build",
    "cancel",
    "change",
    "confirm_bod",
    "content_type",
    "envelope",
    "fault",
    "get",
    "issues_from_detail",
    "kind_of",
    "message_kinds",
    "open_envelope",
    "parse_envelope",
    "process",
    "reply_to",
    "respond",
    "show",
    "sync",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'isa95kit.soap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
