"""B2MML versions, their namespaces, and the value types of this package (no lxml here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from ..errors import Isa95Error, Location, MappingError

__all__ = [
    "B2MMLVersion",
    "DecidedBy",
    "SchemaIssue",
    "SchemaLoadError",
    "SchemaResult",
    "StructureMismatch",
    "UnsupportedVersionError",
    "VersionInfo",
    "is_b2mml_namespace",
    "versions_for_namespace",
]


class B2MMLVersion(str, Enum):
    """An official B2MML/BatchML release for which isa95kit ships a schema bundle."""

    V0401 = "V0401"
    V0500 = "V0500"
    V0600 = "V0600"
    V0601 = "V0601"
    V0700 = "V0700"
    V0701 = "V0701"

    def __str__(self) -> str:
        return self.value

    @property
    def namespace(self) -> str:
        """The target namespace of the release (V0700 and V0701 share one)."""
        return _NAMESPACES[self]

    @property
    def extension_namespace(self) -> str:
        """The namespace of the release's (empty) extension schemas, ``...-AllExtensions``."""
        return _NAMESPACES[self] + "-AllExtensions"

    @classmethod
    def coerce(cls, value: B2MMLVersion | str) -> B2MMLVersion:
        """``"V0600"``, ``"v0600"``, ``"0600"`` or a member -> the member (``ValueError`` else)."""
        if isinstance(value, B2MMLVersion):
            return value
        text = str(value).strip().upper()
        if not text.startswith("V"):
            text = "V" + text
        try:
            return cls(text)
        except ValueError:
            known = ", ".join(v.value for v in cls)
            raise ValueError(f"unknown B2MML version {value!r}; known: {known}") from None


_NAMESPACES: dict[B2MMLVersion, str] = {
    B2MMLVersion.V0401: "http://www.wbf.org/xml/B2MML-V0401",
    B2MMLVersion.V0500: "http://www.wbf.org/xml/B2MML-V05",
    B2MMLVersion.V0600: "http://www.mesa.org/xml/B2MML-V0600",
    B2MMLVersion.V0601: "http://www.mesa.org/xml/B2MML-V0601",
    B2MMLVersion.V0700: "http://www.mesa.org/xml/B2MML",
    B2MMLVersion.V0701: "http://www.mesa.org/xml/B2MML",
}

_BY_NAMESPACE: dict[str, tuple[B2MMLVersion, ...]] = {}
for _version, _ns in _NAMESPACES.items():
    _BY_NAMESPACE[_ns] = (*_BY_NAMESPACE.get(_ns, ()), _version)

#: B2MML / BatchML namespaces of WBF and MESA, including releases without a bundle
#: (BatchML-V02, B2MML-V0300, ...); extension namespaces are not document namespaces.
_FAMILY = re.compile(
    r"^https?://www\.(?:wbf|mesa)\.org/xml/(?:b2mml|batchml)(?:-v[0-9a-z]+)?/?$", re.IGNORECASE
)


def is_b2mml_namespace(namespace: str | None) -> bool:
    """True for any WBF/MESA B2MML or BatchML document namespace, supported or not."""
    return bool(namespace) and _FAMILY.match(namespace or "") is not None


def release_for_namespace(namespace: str | None) -> B2MMLVersion | None:
    """The newest release using ``namespace`` (V0701 for the shared V07 one), or None."""
    found = _BY_NAMESPACE.get(namespace or "")
    return found[-1] if found else None


def versions_for_namespace(namespace: str | None) -> tuple[B2MMLVersion, ...]:
    """The releases using ``namespace`` (two for the shared V07 namespace, else one).

    Raises :class:`UnsupportedVersionError` for a B2MML/BatchML namespace without a bundle
    (e.g. the pre-standard ``http://www.wbf.org/xml/BatchML-V02``) and ``ValueError`` for a
    namespace outside the B2MML family.
    """
    found = _BY_NAMESPACE.get(namespace or "")
    if found:
        return found
    if not is_b2mml_namespace(namespace):
        raise ValueError(f"{namespace!r} is not a B2MML namespace")
    raise UnsupportedVersionError(_unsupported_message(namespace or ""), namespace=namespace or "")


def _unsupported_message(namespace: str) -> str:
    folded = namespace.rstrip("/").lower()
    for known, versions in _BY_NAMESPACE.items():
        if known.lower() == folded:
            names = "/".join(v.value for v in versions)
            return (
                f"namespace {namespace!r} differs from the official {names} namespace "
                f"{known!r} in letter case or a trailing slash; XML namespaces must match "
                "exactly, so no schema applies"
            )
    supported = ", ".join(
        f"{'/'.join(v.value for v in vs)} ({ns})" for ns, vs in _BY_NAMESPACE.items()
    )
    return (
        f"no schema for namespace {namespace!r}: MESA published no schema for this B2MML/BatchML "
        f"release, so the document cannot be schema-validated (supported: {supported})"
    )


DecidedBy = Literal["namespace", "structure", "preference", "caller"]


@dataclass(frozen=True)
class StructureMismatch:
    """The namespace names one release, but the element names belong to another.

    ``names`` are element names (local names, in the document's B2MML namespace) that the
    declared release does not declare but every release in ``likely`` does; ``unknown`` are names
    no release declares (misspellings, vendor elements in the wrong namespace).
    """

    declared: B2MMLVersion
    likely: tuple[B2MMLVersion, ...]
    names: tuple[str, ...]
    unknown: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        shown = ", ".join(self.names[:8]) + (", ..." if len(self.names) > 8 else "")
        likely = " or ".join(v.value for v in self.likely)
        return (
            f"the namespace says {self.declared.value} but the document uses element names of "
            f"{likely} that {self.declared.value} does not declare: {shown}"
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class VersionInfo:
    """What :func:`detect_version` found out about one B2MML element.

    ``decided_by`` is ``"namespace"`` when the namespace names one release, ``"structure"``
    when the element names told V0700 and V0701 apart, ``"preference"`` when they did not and
    the ``prefer`` option chose, ``"caller"`` when the caller forced the version. ``ambiguity``
    explains the choice for the shared V07 namespace and is ``None`` otherwise. ``path`` is the
    XPath of the element in its document (``embedded`` when that is not the document root).
    A B2MML V0400 element (its lower-case ``b2mml-v0400`` namespace) is read as V0401:
    ``legacy`` is ``"V0400"`` and ``note`` explains it.
    """

    version: B2MMLVersion
    namespace: str
    root_name: str
    decided_by: DecidedBy
    ambiguity: str | None = None
    mismatch: StructureMismatch | None = None
    path: str = "/"
    embedded: bool = False
    line: int | None = None
    #: the release older than V0401 the namespace names (``"V0400"``), read as ``version``
    #: (V0401); ``note`` says so
    legacy: str | None = None
    note: str | None = None

    @property
    def candidates(self) -> tuple[B2MMLVersion, ...]:
        """Every release using this namespace (V0401 for the V0400 namespace)."""
        return _BY_NAMESPACE.get(self.namespace, (self.version,))


@dataclass(frozen=True)
class SchemaIssue:
    """One schema validation error; ``location.path`` is an XPath in the whole document."""

    message: str
    location: Location
    code: str = ""
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class SchemaResult:
    """Schema-only verdict for one B2MML element of a document."""

    info: VersionInfo
    issues: tuple[SchemaIssue, ...]
    extensions: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not any(issue.level == "error" for issue in self.issues)

    @property
    def version(self) -> B2MMLVersion:
        """The release whose bundle was used."""
        return self.info.version


class UnsupportedVersionError(MappingError):
    """A B2MML/BatchML namespace for which no schema exists (e.g. pre-standard BatchML-V02)."""

    def __init__(
        self, message: str, *, namespace: str = "", location: Location | None = None
    ) -> None:
        super().__init__(message, location=location)
        self.namespace = namespace


class SchemaLoadError(Isa95Error, ValueError):
    """A schema bundle with vendor extensions could not be loaded or compiled."""

    def __init__(
        self, message: str, *, details: tuple[str, ...] = (), location: Location | None = None
    ) -> None:
        super().__init__(message, location=location)
        self.details = details
