"""Client-side WS-Security, carried by zeep: a UsernameToken (text or digest, nonce,
created, timestamp) and X.509 signatures of the request (``pip install 'isa95kit[signing]'``)
with verification of signed replies.

Each attempt gets a fresh token (new nonce, new timestamps): receivers that reject a nonce
seen before still accept a retry, which carries the same BODID all the same.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, MissingDependencyError, SignatureError, SourceError

__all__ = ["UsernameToken", "X509Signing", "apply_security", "verify_reply"]

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


def _zeep_wsse() -> Any:
    try:
        import zeep.wsse
        import zeep.wsse.utils
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MissingDependencyError(
            "WS-Security needs zeep: pip install 'isa95kit[soap]'"
        ) from exc
    return zeep.wsse


def _signature_module() -> Any:
    try:
        import xmlsec  # noqa: F401  (zeep.wsse.signature degrades silently without it)
        import zeep.wsse.signature
    except ImportError as exc:
        raise MissingDependencyError(
            "X.509 signatures need xmlsec: pip install 'isa95kit[signing]'"
        ) from exc
    return zeep.wsse.signature


@dataclass(frozen=True)
class UsernameToken:
    """WS-Security UsernameToken profile 1.0.

    ``digest=False`` sends the password as ``PasswordText`` (only over TLS!);
    ``digest=True`` sends ``Base64(SHA-1(nonce + created + password))`` with the nonce and
    the created time. ``timestamp`` adds a ``wsu:Timestamp`` valid for ``ttl`` seconds.
    """

    username: str
    password: str
    digest: bool = False
    timestamp: bool = True
    ttl: float = 300.0

    def __repr__(self) -> str:  # never print the password
        return f"UsernameToken({self.username!r}, digest={self.digest})"

    def zeep_token(self, now: _dt.datetime | None = None) -> Any:
        """A fresh ``zeep.wsse.UsernameToken`` (new nonce and times) for one attempt."""
        wsse = _zeep_wsse()
        now = now or _dt.datetime.now(_dt.timezone.utc)
        stamp = None
        if self.timestamp:
            utils = wsse.utils
            stamp = utils.WSU.Timestamp(
                utils.WSU.Created(utils.get_timestamp(now, zulu_timestamp=True)),
                utils.WSU.Expires(
                    utils.get_timestamp(now + _dt.timedelta(seconds=self.ttl), zulu_timestamp=True)
                ),
            )
        return wsse.UsernameToken(
            self.username,
            self.password,
            use_digest=self.digest,
            created=now,
            timestamp_token=stamp,
            zulu_timestamp=True,
        )


def _pem(value: bytes | str | os.PathLike[str], what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    text = os.fspath(value)
    if "-----BEGIN" in text:
        return text.encode()
    try:
        return Path(text).read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the {what}: {exc}", location=Location(file=text)) from exc


@dataclass(frozen=True)
class X509Signing:
    """Sign requests with an X.509 key and certificate (PEM bytes, text or file paths),
    and verify replies signed with ``reply_cert`` (the receiver's certificate).

    ``binary=True`` puts the certificate in a ``wsse:BinarySecurityToken``
    (``zeep.wsse.signature.BinarySignature``), else in ``ds:KeyInfo/X509Data``
    (``Signature``). Body and Timestamp are signed. With ``reply_cert`` set, a reply that
    is not signed, or whose signature does not verify, raises :class:`SignatureError`.
    """

    key: bytes | str | os.PathLike[str]
    cert: bytes | str | os.PathLike[str]
    password: str | None = None
    binary: bool = True
    reply_cert: bytes | str | os.PathLike[str] | None = None
    signature_method: str | None = None
    digest_method: str | None = None

    def __repr__(self) -> str:
        return f"X509Signing(binary={self.binary}, verify_replies={self.reply_cert is not None})"

    def zeep_signature(self) -> Any:
        """A ``zeep.wsse.signature`` signer; RSA-SHA256 / SHA-256 unless told otherwise
        (zeep's own default is SHA-1)."""
        sig = _signature_module()
        import xmlsec

        key = _pem(self.key, "signing key")
        cert = _pem(self.cert, "signing certificate")
        transform: Any = getattr(xmlsec, "Transform")  # noqa: B009 (stubs lack it)
        method = self.signature_method or transform.RSA_SHA256
        digest = self.digest_method or transform.SHA256
        if self.binary:  # BinarySignature reads files; give it our bytes instead
            obj = sig.BinarySignature.__new__(sig.BinarySignature)
            sig.MemorySignature.__init__(obj, key, cert, self.password, method, digest)
            return obj
        return sig.MemorySignature(key, cert, self.password, method, digest)


def apply_security(
    envelope: Any, *, token: UsernameToken | None, signing: X509Signing | None
) -> None:
    """Add the WS-Security header to an lxml envelope, in place: token first, then the
    signature over Body (and Timestamp)."""
    if token is not None:
        token.zeep_token().apply(envelope, {})
    if signing is not None:
        try:
            signing.zeep_signature().apply(envelope, {})
        except Exception as exc:  # xmlsec.Error and friends: a key that cannot sign
            if isinstance(exc, (MissingDependencyError, SourceError)):
                raise
            raise SignatureError(f"cannot sign the request: {exc}") from exc


def verify_reply(envelope: Any, signing: X509Signing, *, endpoint: str = "") -> None:
    """Verify the WS-Security signature of a reply envelope against ``signing.reply_cert``;
    raises :class:`SignatureError` if it is missing or does not match."""
    if signing.reply_cert is None:
        return
    sig = _signature_module()
    where = Location(file=endpoint or None)
    security = envelope.find(f".//{{{WSSE_NS}}}Security")
    if security is None or security.find(f"{{{DS_NS}}}Signature") is None:
        raise SignatureError(
            "the reply is not signed (no wsse:Security/ds:Signature)", location=where
        )
    _body_is_signed(envelope, security, where)
    import xmlsec

    try:
        key = sig._make_verify_key(_pem(signing.reply_cert, "reply certificate"))
        sig._verify_envelope_with_key(envelope, key)
    except (sig.SignatureVerificationFailed, xmlsec.Error):
        raise SignatureError(
            "the reply's signature does not verify: it was changed after signing, or signed"
            " with another key",
            location=where,
        ) from None
    except (IndexError, TypeError, AttributeError) as exc:  # a reference to no element
        raise SignatureError(f"the reply's signature is malformed: {exc}", location=where) from exc


def _body_is_signed(envelope: Any, security: Any, where: Location) -> None:
    """A valid signature over the Timestamp alone would leave the Body unprotected: the
    Body's ``wsu:Id`` must be one of the signed references."""
    body = next((c for c in envelope if isinstance(c.tag, str) and c.tag.endswith("}Body")), None)
    body_id = None if body is None else body.get(f"{{{WSU_NS}}}Id")
    refs = {
        (r.get("URI") or "")[1:]
        for r in security.iterfind(
            f"{{{DS_NS}}}Signature/{{{DS_NS}}}SignedInfo/{{{DS_NS}}}Reference"
        )
    }
    if body_id is None or body_id not in refs:
        raise SignatureError("the reply's signature does not cover its Body", location=where)
