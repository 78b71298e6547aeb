"""Validation profiles: which business rules run, at which severity, and the run's limits.

A profile encodes a partner agreement. It is a :class:`ValidationProfile`, built in Python
(``ValidationProfile(rules={"unknown-unit": "error"})``), from a mapping
(:meth:`ValidationProfile.from_mapping`) or from a file (:meth:`ValidationProfile.load`):

.. code-block:: toml

    name = "ACME supplier agreement"
    strict = false          # true: every warning counts as an error
    max_issues = 1000       # stop a file after this many issues
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

from ..errors import MissingDependencyError
from ._model import CODES, RULES, Rule, Severity

__all__ = ["DEFAULT_PROFILE", "ValidationProfile"]

_OFF = "off"
_KEYS = ("name", "strict", "max_issues", "stream_threshold", "rules")


def _severity(code: str, value: object) -> Severity | None:
    if value is None or value == _OFF or value is False:
        return None
    if isinstance(value, Severity):
        return value
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ValueError(
            f"profile: severity {value!r} for {code!r} is not one of error, warning, info, off"
        ) from None


@dataclass(frozen=True)
class ValidationProfile:
    """Rule switches and severities, plus run limits.

    ``rules`` maps an issue code to a severity (``"error"``, ``"warning"``, ``"info"``) or to
    ``"off"``/``None``; codes not named keep their default. ``strict`` turns warnings into
    errors. ``max_issues`` stops a file after that many issues (memory stays bounded on
    broken giant files). Files larger than ``stream_threshold`` bytes are validated by
    streaming.
    """

    name: str = "default"
    rules: Mapping[str, Severity | str | None] = field(default_factory=dict)
    strict: bool = False
    max_issues: int = 1000
    stream_threshold: int = 32 * 1024 * 1024
    _resolved: Mapping[str, Severity | None] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        resolved: dict[str, Severity | None] = {}
        for code, value in self.rules.items():
            info = CODES.get(code)
            if info is None:
                known = ", ".join(sorted(c for c, i in CODES.items() if i.configurable))
                raise ValueError(f"profile: unknown issue code {code!r} (configurable: {known})")
            if not info.configurable:
                raise ValueError(
                    f"profile: {code!r} is a {info.layer.value}-layer code and always an error; "
                    "a profile can only change business rules and version-mismatch"
                )
            resolved[code] = _severity(code, value)
        if not isinstance(self.max_issues, int) or self.max_issues < 1:
            raise ValueError("profile: max_issues must be a positive integer")
        if not isinstance(self.stream_threshold, int) or self.stream_threshold < 0:
            raise ValueError("profile: stream_threshold must be a non-negative integer (bytes)")
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
            raise ValueError(
                f"profile: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(_KEYS)}"
            )
        rules = data.get("rules", {})
        if not isinstance(rules, Mapping):
            raise ValueError("profile: 'rules' must be a table of code = severity")
        kwargs: dict[str, Any] = {"rules": dict(rules)}
        for key in ("name", "strict", "max_issues", "stream_threshold"):
            if key in data:
                kwargs[key] = data[key]
        if not isinstance(kwargs.get("strict", False), bool):
            raise ValueError("profile: strict must be true or false")
        return cls(**kwargs)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> ValidationProfile:
        """Read a ``.toml`` or ``.json`` profile file."""
        name = os.fspath(path)
        with open(name, "rb") as handle:
            raw = handle.read()
        if name.lower().endswith(".json"):
            try:
                data = json.loads(raw.decode("utf-8"))
            except ValueError as exc:
                raise ValueError(f"profile {name}: not valid JSON: {exc}") from None
        else:
            data = _load_toml(raw, name)
        if not isinstance(data, Mapping):
            raise ValueError(f"profile {name}: the top level must be a table")
        profile = cls.from_mapping(data)
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
        raise ValueError(f"profile {name}: not valid TOML: {exc}") from None


DEFAULT_PROFILE = ValidationProfile()
