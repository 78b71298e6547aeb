"""Authentication of SOAP requests: WS-Security UsernameToken (text and digest) and HTTP Basic.

UsernameToken Profile 1.1: a ``PasswordDigest`` is ``Base64(SHA-1(nonce + created +
password))``; its nonce must not be seen twice (kept in the server's SQLite store) and its
``wsu:Created`` must lie within the time window (default ±300 s). A ``PasswordText`` token may
omit nonce and created; those it carries are checked the same way.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import Location, SoapFaultError
from ._store import Store

__all__ = ["WSSE_NS", "WSU_NS", "Authenticator", "AuthError"]

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
_TEXT = f"{_PROFILE}#PasswordText"
_DIGEST = f"{_PROFILE}#PasswordDigest"


class AuthError(SoapFaultError):
    """Authentication failed; ``subcode`` is the WS-Security fault code
    (``FailedAuthentication``, ``InvalidSecurityToken``, ``MessageExpired``)."""

    def __init__(self, reason: str, *, subcode: str = "FailedAuthentication") -> None:
        super().__init__(
            f"authentication failed: {reason}",
            code="Sender",
            reason=reason,
            location=Location(path="/Envelope/Header/Security"),
        )
        self.subcode = subcode


@dataclass
class Authenticator:
    """Checks the credentials of a request against ``users`` (name → password) or a
    ``check(username, password) -> bool`` callable (HTTP Basic and text tokens only: a
    digest needs the clear password)."""

    users: Mapping[str, str] | None = None
    check: Callable[[str, str], bool] | None = None
    window: float = 300.0
    wsse: bool = True
    basic: bool = True

    def _password(self, user: str) -> str | None:
        return None if self.users is None else self.users.get(user)

    def _accepts(self, user: str, password: str) -> bool:
        known = self._password(user)
        if known is not None:
            return hmac.compare_digest(known.encode(), password.encode())
        return bool(self.check is not None and self.check(user, password))

    def authenticate(self, environ: Mapping[str, Any], headers: list[Any], store: Store) -> str:
        """The authenticated user name; raises :class:`AuthError`."""
        token = _username_token(headers) if self.wsse else None
        if token is not None:
            return self._token(token, store)
        auth = str(environ.get("HTTP_AUTHORIZATION", ""))
        if self.basic and auth[:6].lower() == "basic ":
            try:
                user, sep, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise AuthError("malformed HTTP Basic credentials") from None
            if sep and self._accepts(user, password):
                return user
            raise AuthError("wrong user name or password (HTTP Basic)")
        accepted = " or ".join(
            name
            for name, on in (("a WS-Security UsernameToken", self.wsse), ("HTTP Basic", self.basic))
            if on
        )
        raise AuthError(f"credentials required: {accepted}", subcode="InvalidSecurityToken")

    def _token(self, token: Any, store: Store) -> str:
        def text(ns: str, tag: str) -> tuple[Any, str | None]:
            el = token.find(f"{{{ns}}}{tag}")
            return el, None if el is None else (el.text or "").strip()

        _, user = text(WSSE_NS, "Username")
        pw_el, password = text(WSSE_NS, "Password")
        _, nonce = text(WSSE_NS, "Nonce")
        _, created = text(WSU_NS, "Created")
        if not user or pw_el is None or password is None:
            raise AuthError(
                "the UsernameToken needs Username and Password", subcode="InvalidSecurityToken"
            )
        kind = pw_el.get("Type", _TEXT)
        if created is not None:
            self._check_created(created)
        if kind in (_DIGEST, "wsse:PasswordDigest"):
            known = self._password(user)
            if nonce is None or created is None:
                raise AuthError(
                    "a PasswordDigest needs Nonce and Created", subcode="InvalidSecurityToken"
                )
            try:
                raw = base64.b64decode(nonce, validate=True)
            except binascii.Error:
                raise AuthError("the Nonce is not Base64", subcode="InvalidSecurityToken") from None
            if known is None:
                raise AuthError("wrong user name or password (UsernameToken digest)")
            digest = base64.b64encode(
                hashlib.sha1(raw + created.encode() + known.encode()).digest()
            ).decode()
            if not hmac.compare_digest(digest, password):
                raise AuthError("wrong user name or password (UsernameToken digest)")
        elif kind in (_TEXT, "wsse:PasswordText"):
            if not self._accepts(user, password):
                raise AuthError("wrong user name or password (UsernameToken)")
        else:
            raise AuthError(f"unsupported password type {kind}", subcode="UnsupportedSecurityToken")
        if nonce is not None and not store.use_nonce(nonce, self.window):
            raise AuthError("the UsernameToken nonce was already used (replay)")
        return user

    def _check_created(self, created: str) -> None:
        try:
            when = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            raise AuthError(
                f"Created {created!r} is not a timestamp", subcode="InvalidSecurityToken"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        skew = abs((datetime.now(timezone.utc) - when).total_seconds())
        if skew > self.window:
            raise AuthError(
                f"the UsernameToken was created {skew:.0f} s from now (window {self.window:.0f} s)",
                subcode="MessageExpired",
            )


def _username_token(headers: list[Any]) -> Any:
    for header in headers:
        if header.tag == f"{{{WSSE_NS}}}Security":
            token = header.find(f"{{{WSSE_NS}}}UsernameToken")
            if token is not None:
                return token
    return None


def is_security_header(el: Any) -> bool:
    """Whether a header entry is the WS-Security header this module understands."""
    return bool(el.tag == f"{{{WSSE_NS}}}Security")
