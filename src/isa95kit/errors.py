"""The exception tree of isa95kit.

Every error the library raises derives from :class:`Isa95Error`; subclasses also
inherit the builtin that fits, so ``except ValueError`` keeps working::

    Isa95Error
    ├─ SourceError(OSError)               a path or file object that cannot be read
    │  └─ SourceNotFoundError(FileNotFoundError)
    ├─ InvalidSourceError(TypeError)      not a path, bytes, text or binary file object
    ├─ DecodeError(ValueError)            file, line, column, XPath or JSON path
    │  ├─ MalformedDocumentError          not well-formed XML / JSON, DTDs, limits exceeded
    │  └─ MappingError                    well-formed but not the model
    │     └─ UnsupportedVersionError      a B2MML namespace no shipped release has
    ├─ EncodeError(ValueError)            a model instance that cannot be written
    ├─ ModelError(ValueError)             field path: building or changing a model instance
    ├─ DocumentInvalidError(ValueError)   .issues: every issue found
    ├─ ProfileError(ValueError)           a validation profile or option that is not usable
    ├─ SchemaLoadError(ValueError)        a schema bundle with vendor extensions that does not load
    ├─ UnitError(ValueError)
    │  ├─ UnknownUnitError(KeyError)      .code, .suggestions
    │  ├─ IncompatibleUnitsError          .from_unit, .to_unit, dimensions
    │  ├─ InexactResultError(ArithmeticError)  no finite decimal and no Rounding given
    │  └─ UnitLimitError                  a value or rounding beyond the units limits
    ├─ BomTransformError(ValueError)      which step, which file and line
    ├─ SoapFaultError                     .code, .reason, .detail, .issues
    │  └─ AuthError                       isa95kit.soap: credentials missing or wrong (.subcode)
    ├─ MissingDependencyError(ImportError)  names the extra to install
    ├─ TransportError(ConnectionError)    .endpoint, .status, .transient, .retry_after
    │  ├─ DeliveryFailedError             .bodid, .attempts, .outbox_id: delivery gave up
    │  └─ CircuitOpenError                the endpoint's circuit breaker is open
    ├─ SignatureError(ValueError)         a WS-Security signature missing or not matching
    └─ OutboxError(KeyError)              no such outbox entry
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BomTransformError",
    "CircuitOpenError",
    "DecodeError",
    "DeliveryFailedError",
    "DocumentInvalidError",
    "EncodeError",
    "IncompatibleUnitsError",
    "InvalidSourceError",
    "Isa95Error",
    "Location",
    "MalformedDocumentError",
    "MappingError",
    "MissingDependencyError",
    "ModelError",
    "OutboxError",
    "ProfileError",
    "SignatureError",
    "SoapFaultError",
    "SourceError",
    "SourceNotFoundError",
    "TransportError",
    "UnitError",
    "UnitLimitError",
    "UnknownUnitError",
]


@dataclass(frozen=True)
class Location:
    """Where something happened: a file position plus an XPath or JSON path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file)
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        if self.path:
            text = f"{text} {self.path}" if text else self.path
        return text


class Isa95Error(Exception):
    """Root of every isa95kit error. ``location`` says where it happened."""

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location if location is not None else Location()

    @property
    def file(self) -> str | None:
        return self.location.file

    @property
    def line(self) -> int | None:
        return self.location.line

    @property
    def column(self) -> int | None:
        return self.location.column

    @property
    def path(self) -> str | None:
        """Positional XPath (XML) or JSON path (JSON) of the problem."""
        return self.location.path

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class SourceError(Isa95Error, OSError):
    """A source that cannot be read: a missing or unreadable path, a failing file object."""


class SourceNotFoundError(SourceError, FileNotFoundError):
    """A path that names no file."""


class InvalidSourceError(Isa95Error, TypeError):
    """Something that is not a source: a path, bytes, XML/JSON text or a binary file object."""


class DecodeError(Isa95Error, ValueError):
    """Input could not be turned into the model."""


class MalformedDocumentError(DecodeError):
    """Input is not well-formed XML/JSON, or was rejected as hostile (DTD, entities, limits)."""


class MappingError(DecodeError):
    """Input is well-formed but does not fit the model (unknown element, bad value, order)."""


class EncodeError(Isa95Error, ValueError):
    """A model instance could not be written."""


class ModelError(Isa95Error, ValueError):
    """A model instance could not be built or changed as asked: a missing field, a value of
    the wrong type or form. ``path`` names the field (``material_requirement[0].id``);
    ``errors`` keeps pydantic's structured list."""

    def __init__(
        self, message: str, *, errors: Sequence[Any] = (), location: Location | None = None
    ) -> None:
        super().__init__(message, location=location)
        self.errors = list(errors)

    def __str__(self) -> str:  # the message names every field path already
        return self.message


class DocumentInvalidError(Isa95Error, ValueError):
    """Validation found errors; ``issues`` holds every issue, not just the first."""

    def __init__(
        self, message: str, *, issues: Sequence[Any] = (), location: Location | None = None
    ) -> None:
        super().__init__(message, location=location)
        self.issues = list(issues)

    def __str__(self) -> str:
        # the message already names the file and the first issue with its line; the location
        # (the first issue's) stays available on ``location`` for programs
        return self.message


class ProfileError(Isa95Error, ValueError):
    """A validation profile (or a validation option) is not usable: an unknown issue code or
    key, a bad severity or limit, a profile file that is not TOML or JSON. ``location``
    names the profile file and the key (``rules.unknown-unit``)."""


class UnitError(Isa95Error, ValueError):
    """A unit code or a conversion is not usable."""


class UnknownUnitError(UnitError, KeyError):
    """A unit code that neither UN/ECE Rec 20 nor a known alias names."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        suggestions: Sequence[str] = (),
        location: Location | None = None,
    ) -> None:
        super().__init__(message, location=location)
        self.code = code
        self.suggestions = list(suggestions)

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return Isa95Error.__str__(self)


class IncompatibleUnitsError(UnitError):
    """Units of different dimensions with no material factor linking them."""

    def __init__(
        self,
        message: str,
        *,
        from_unit: str = "",
        to_unit: str = "",
        from_dimension: str = "",
        to_dimension: str = "",
        reason: str = "",
        factor_example: str = "",
        location: Location | None = None,
    ) -> None:
        super().__init__(message, location=location)
        self.from_unit = from_unit
        self.to_unit = to_unit
        self.from_dimension = from_dimension
        self.to_dimension = to_dimension
        #: the message without the hint of how to give a factor (each entry point has its own)
        self.reason = reason or message
        #: a material factor that would link the units, in the statement form every entry
        #: point takes (``"BX=<n>EA"``: ``material=`` in Python, ``--factor`` on the CLI)
        self.factor_example = factor_example


class UnitLimitError(UnitError):
    """A value or rounding beyond the documented limits of :mod:`isa95kit.units`
    (``MAX_EXPONENT``, ``MAX_DIGITS``, ``MAX_PLACES``; see ``units.set_limits``)."""


class BomTransformError(Isa95Error, ValueError):
    """An E-BOM → M-BOM step failed; ``location.path`` names the step and line."""


class SoapFaultError(Isa95Error):
    """A SOAP fault: code (``Client``/``Sender``, ``Server``/``Receiver``...), reason, detail
    (the detail's XML text) and ``issues`` (the validation issues the detail carries, as
    :class:`isa95kit.validation.Issue`), with no transport types leaking."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        reason: str = "",
        detail: str | None = None,
        issues: Sequence[Any] = (),
        location: Location | None = None,
    ) -> None:
        super().__init__(message, location=location)
        self.code = code
        self.reason = reason
        self.detail = detail
        self.issues = list(issues)

    def __str__(self) -> str:  # the message names code, reason and issues
        return self.message


class MissingDependencyError(Isa95Error, ImportError):  # type: ignore[override]
    """An optional dependency is missing; the message names the extra to install."""


# --- delivery and SOAP client (issue 12) -------------------------------------------------


class TransportError(Isa95Error, ConnectionError):
    """A message could not be carried to ``endpoint``: connection refused, timeout, TLS,
    an HTTP status that is not a reply. ``transient`` says whether trying again may help
    (``retry_after`` is the receiver's ``Retry-After`` in seconds, if it sent one)."""

    def __init__(
        self,
        message: str,
        *,
        endpoint: str = "",
        status: int | None = None,
        transient: bool = False,
        retry_after: float | None = None,
        location: Location | None = None,
    ) -> None:
        super().__init__(message, location=location)
        self.endpoint = endpoint
        self.status = status
        self.transient = transient
        self.retry_after = retry_after


class DeliveryFailedError(TransportError):
    """Delivery gave up after ``attempts`` attempts; the message (``bodid``) stays in the
    outbox (entry ``outbox_id``) in the dead-letter state with ``last_error``."""

    def __init__(
        self,
        message: str,
        *,
        bodid: str = "",
        attempts: int = 0,
        outbox_id: int | None = None,
        last_error: str = "",
        endpoint: str = "",
        status: int | None = None,
        location: Location | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, status=status, location=location)
        self.bodid = bodid
        self.attempts = attempts
        self.outbox_id = outbox_id
        self.last_error = last_error


class CircuitOpenError(TransportError):
    """The circuit breaker of ``endpoint`` is open: no attempt was made; ``retry_after``
    says when it half-opens."""


class SignatureError(Isa95Error, ValueError):
    """A WS-Security signature is missing where one is required, or does not verify."""


class OutboxError(Isa95Error, KeyError):
    """An outbox entry that does not exist (or is not in a state the operation needs)."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return Isa95Error.__str__(self)
