"""Issues, severities and the registry of issue codes (no lxml here).

Every issue carries a stable kebab-case ``code``. Codes are registered once, with their
layer, default severity, a one-line meaning and a default hint; ``docs/validation.md`` lists
them all (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import Location

if TYPE_CHECKING:
    from ._context import RuleContext

__all__ = [
    "CODES",
    "RULES",
    "Check",
    "IssueCode",
    "Issue",
    "Layer",
    "Rule",
    "RuleFactory",
    "Severity",
    "register",
    "rule",
]


class Severity(str, Enum):
    """How bad an issue is. Only errors make a document invalid (``--strict``: warnings too)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


class Layer(str, Enum):
    """The layer that finds an issue, in the order the layers run."""

    INPUT = "input"  # well-formedness and hostile input
    VERSION = "version"  # which release, and does the structure fit it
    SCHEMA = "schema"  # the official XSD (plus vendor extensions)
    RULES = "rules"  # business rules on the parsed tree

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class IssueCode:
    """What a code means. ``configurable`` codes may be switched off or re-graded by a profile."""

    code: str
    layer: Layer
    severity: Severity
    title: str
    hint: str
    configurable: bool = False


@dataclass(frozen=True)
class Issue:
    """One finding: code, severity, message and where (file, line, column, positional XPath)."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    hint: str | None = None

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line, column=self.column, path=self.path)

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON keys; absent values are ``null``."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        """``file:line:col: severity code: message [xpath] (hint)``."""
        where = ":".join(
            str(part)
            for part in (self.file or "<input>", self.line, self.column)
            if part is not None
        )
        text = f"{where}: {self.severity.value} {self.code}: {self.message}"
        if self.path:
            text += f" [{self.path}]"
        if self.hint:
            text += f" ({self.hint})"
        return text


#: every issue code, in registration order
CODES: dict[str, IssueCode] = {}


def register(
    code: str,
    *,
    layer: Layer,
    severity: Severity,
    title: str,
    hint: str,
    configurable: bool = False,
) -> IssueCode:
    if code in CODES:
        raise ValueError(f"issue code {code!r} registered twice")
    info = IssueCode(code, layer, severity, title, hint, configurable)
    CODES[code] = info
    return info


#: a bound check: ``check(element, tag)`` for an anchor element and its tag
Check = Callable[[Any, str], None]
#: a rule: given the document's context, the check to run on each anchor (None when a check
#: shared with another rule, bound earlier, already serves the anchors)
RuleFactory = Callable[["RuleContext"], Check | None]


@dataclass(frozen=True)
class Rule:
    """A business rule: ``factory(ctx)`` binds it to one document (tags resolved once); the
    check it returns runs on every element whose local name is in ``anchors``."""

    info: IssueCode
    anchors: tuple[str, ...]
    factory: RuleFactory

    @property
    def code(self) -> str:
        return self.info.code


#: business rules by code
RULES: dict[str, Rule] = {}


def rule(
    code: str, *, severity: Severity, anchors: tuple[str, ...], title: str, hint: str
) -> Callable[[RuleFactory], RuleFactory]:
    """Register a business rule under ``code`` (see :class:`Rule`)."""

    def decorate(factory: RuleFactory) -> RuleFactory:
        info = register(
            code, layer=Layer.RULES, severity=severity, title=title, hint=hint, configurable=True
        )
        RULES[code] = Rule(info, anchors, factory)
        return factory

    return decorate


# Codes of the layers that are not business rules. Their severities are fixed: input that
# is not well-formed, hostile, of no known release or against the schema is never usable.
register(
    "not-well-formed",
    layer=Layer.INPUT,
    severity=Severity.ERROR,
    title="The input is not well-formed XML, so no other check can run.",
    hint="fix the XML syntax at the given line and column (tags, quoting, encoding)",
)
register(
    "hostile-input",
    layer=Layer.INPUT,
    severity=Severity.ERROR,
    title=(
        "The input carries a DTD or entity declarations, nests deeper than 256 levels, "
        "or exceeds another parser limit; it is rejected without being expanded or fetched."
    ),
    hint="B2MML needs no DTD or entities; remove the DOCTYPE and flatten the nesting",
)
register(
    "unknown-version",
    layer=Layer.VERSION,
    severity=Severity.ERROR,
    title=(
        "The root is not a B2MML element of a release with an official schema (V0401-V0701), "
        "so the document cannot be checked against one; business rules still run."
    ),
    hint="send the document in a supported B2MML release, or pass --version explicitly",
)
register(
    "version-mismatch",
    layer=Layer.VERSION,
    severity=Severity.WARNING,
    title=(
        "The namespace names one release but the element names belong to another; the "
        "schema of the namespace is used, and its errors follow."
    ),
    hint="declare the namespace of the release the partner actually writes",
    configurable=True,
)
register(
    "v0400-read-as-v0401",
    layer=Layer.VERSION,
    severity=Severity.WARNING,
    title=(
        "The namespace is B2MML V0400's, older than any release with a published schema: the "
        "element is checked against V0401's schema and read through V0401's rules."
    ),
    hint="expect V0401's verdict; declare a supported release's namespace to be checked exactly",
)
register(
    "schema",
    layer=Layer.SCHEMA,
    severity=Severity.ERROR,
    title=(
        "The official schema of the release (plus supplied vendor extensions) rejects the element."
    ),
    hint="make the element match the schema",
)
register(
    "issue-limit",
    layer=Layer.INPUT,
    severity=Severity.INFO,
    title=(
        "The profile's max_issues was reached: later issues were counted (the verdict and the "
        "error counts stay exact) but not listed; in streaming mode they are not located."
    ),
    hint="fix the issues shown, or raise max_issues in the profile",
)
