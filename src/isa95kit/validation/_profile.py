"""Validation profiles: which business rules run, at which severity, and the run's limits.

A profile encodes a partner agreement. It is a :class:`ValidationProfile`, built in Python
(``ValidationProfile(rules={"unknown-unit": "error"})``), from a mapping
(:meth:`ValidationProfile.from_mapping`) or from a file (:meth:`ValidationProfile.load`):

.. code-block:: toml

    name = "ACME supplier agreement"
    strict = false          # true: every warning counts as an error
    max_issues = 1000       # stop a file after this many issues
    max_attributes = 256    # refuse an element with more attributes (hostile input)
    [rules]
    unknown-unit = "error"              # error | warning | info | off
    datetime-without-timezone = "off"

TOML needs Python 3.11+ (stdlib ``tomllib``) or the ``tomli`` package on 3.10; the same
content as JSON (``.json``) works on every supported Python. Only business-rule codes and
``version-mismatch`` can be changed: malformed, hostile, unknown-version and schema issues
are always errors.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ..errors import Location, MissingDependencyError, ProfileError
from ._model import CODES, RULES, Rule, Severity

__all__ = ["DEFAULT_PROFILE", "ValidationProfile"]

_OFF = "off"
_KEYS = ("name", "strict", "max_issues", "max_attributes", "stream_threshold", "rules")


def _severity(code: str, value: object) -> Severity | None:
    if value is None or value == _OFF or value is False:
        return None
    if isinstance(value, Severity):
        return value
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ProfileError(
            f"profile: severity {value!r} for {code!r} is not one of error, warning, info, off",
            location=Location(path=f"rules.{code}"),
        ) from None


@dataclass(frozen=True)
class ValidationProfile:
    """Rule switches and severities, plus run limits.

    ``rules`` maps an issue code to a severity (``"error"``, ``"warning"``, ``"info"``) or to
    ``"off"``/``None``; codes not named keep their default. ``strict`` turns warnings into
    errors. ``max_issues`` stops a file after that many issues (memory stays bounded on
    broken giant files). An element with more than ``max_attributes`` attributes is refused
    as hostile input before its attributes are read. Files larger than ``stream_threshold``
    bytes are validated by streaming. Bad settings raise :class:`~isa95kit.ProfileError`.
    """

    name: str = "default"
    rules: Mapping[str, Severity | str | None] = field(default_factory=dict)
    strict: bool = False
    max_issues: int = 1000
    stream_threshold: int = 32 * 1024 * 1024
    max_attributes: int = 256
    _resolved: Mapping[str, Severity | None] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        resolved: dict[str, Severity | None] = {}
        for code, value in self.rules.items():
            info = CODES.get(code)
            if info is None:
                known = ", ".join(sorted(c for c, i in CODES.items() if i.configurable))
                raise ProfileError(
                    f"profile: unknown issue code {code!r} (configurable: {known})",
                    location=Location(path=f"rules.{code}"),
                )
            if not info.configurable:
                raise ProfileError(
                    f"profile: {code!r} is a {info.layer.value}-layer code and always an error; "
                    "a profile can only change business rules and version-mismatch",
                    location=Location(path=f"rules.{code}"),
                )
            resolved[code] = _severity(code, value)
        for key, low, what in (
            ("max_issues", 1, "a positive integer"),
            ("max_attributes", 1, "a positive integer"),
            ("stream_threshold", 0, "a non-negative integer (bytes)"),
        ):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ProfileError(
                    f"profile: {key} must be {what}, not {value!r}", location=Location(path=key)
                )
        object.__setattr__(self, "_resolved", MappingProxyType(resolved))
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))

    def severity(self, code: str) -> Severity | None:
        """The severity an issue with ``code`` gets under this profile (None: switched off)."""
        value = self._resolved[code] if code in self._resolved else CODES[code].severity
        if value is Severity.WARNING and self.strict:
            return Severity.ERROR
        return value

    def enabled_rules(self) -> list[Rule]:
        """The business rules this profile runs, in registration order."""
        return [rule for code, rule in RULES.items() if self.severity(code) is not None]

    def evolve(self, **changes: Any) -> ValidationProfile:
        """A copy with some fields changed (``profile.evolve(strict=True)``)."""
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ValidationProfile:
        """A profile from a dict with the keys of the TOML form."""
        unknown = sorted(set(data) - set(_KEYS))
        if unknown:
            raise ProfileError(
                f"profile: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(_KEYS)}",
                location=Location(path=unknown[0]),
            )
        rules = data.get("rules", {})
        if not isinstance(rules, Mapping):
            raise ProfileError(
                "profile: 'rules' must be a table of code = severity",
                location=Location(path="rules"),
            )
        kwargs: dict[str, Any] = {"rules": dict(rules)}
        for key in ("name", "strict", "max_issues", "max_attributes", "stream_threshold"):
            if key in data:
                kwargs[key] = data[key]
        if not isinstance(kwargs.get("strict", False), bool):
            raise ProfileError(
                "profile: strict must be true or false", location=Location(path="strict")
            )
        return cls(**kwargs)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ValidationProfile:
        """Read a ``.toml`` or ``.json`` profile file."""
        from .._source import source_error

        name = os.fspath(path)
        try:
            with open(name, "rb") as handle:
                raw = handle.read()
        except OSError as exc:
            raise source_error(name, exc) from None
        if name.lower().endswith(".json"):
            try:
                data = json.loads(raw.decode("utf-8"))
            except ValueError as exc:
                raise ProfileError(
                    f"profile {name}: not valid JSON: {exc}", location=Location(file=name)
                ) from None
        else:
            data = _load_toml(raw, name)
        if not isinstance(data, Mapping):
            raise ProfileError(
                f"profile {name}: the top level must be a table", location=Location(file=name)
            )
        try:
            profile = cls.from_mapping(data)
        except ProfileError as exc:  # the same error, located in the file
            raise ProfileError(
                f"{name}: {exc.message}", location=Location(file=name, path=exc.location.path)
            ) from None
        return profile if "name" in data else replace(profile, name=os.path.basename(name))


def _load_toml(raw: bytes, name: str) -> Any:
    try:
        import tomllib as toml  # type: ignore[import-not-found,unused-ignore]  # 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as toml  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ModuleNotFoundError:
            raise MissingDependencyError(
                "TOML profiles need Python 3.11+ or the tomli package (pip install tomli); "
                "a .json profile with the same content works everywhere"
            ) from None
    try:
        return toml.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProfileError(
            f"profile {name}: not valid TOML: {exc}", location=Location(file=name)
        ) from None


DEFAULT_PROFILE = ValidationProfile()
