"""Partner-file validation for every B2MML release, V0401 to V0701.

Checks run in layers and every issue is collected, not just the first:

1. input: well-formed XML, no DTD/entities, nesting and size limits (``not-well-formed``,
   ``hostile-input``);
2. version: detection and structure check (``unknown-version``, ``version-mismatch``);
3. schema: the official XSD of the release, plus vendor extension schemas (``schema``);
4. business rules with stable codes (``end-before-start``, ``duplicate-id``, ...).

::

    import isa95kit as ik

    report = ik.validate("partner.xml")          # raises DocumentInvalidError on errors
    ik.is_valid("partner.xml", strict=True)      # warnings count too
    for issue in ik.iter_issues(data, schema_only=True):
        print(issue)                             # file:line:col: severity code: message ...
    print(ik.validation.check(path).to_junit())  # report without raising: text, JSON, JUnit

Documents larger than the profile's ``stream_threshold`` (32 MiB) are validated by
streaming in bounded memory. See ``docs/validation.md`` for every issue code.
"""

from __future__ import annotations

from ._api import check, is_valid, iter_issues, validate
from ._model import CODES, RULES, Issue, IssueCode, Layer, Severity
from ._profile import DEFAULT_PROFILE, ValidationProfile
from ._report import FileReport, ValidationReport

__all__ = [
    "CODES",
    "DEFAULT_PROFILE",
    "FileReport",
    "Issue",
    "IssueCode",
    "Layer",
    "RULES",
    "Severity",
    "ValidationProfile",
    "ValidationReport",
    "check",
    "is_valid",
    "iter_issues",
    "validate",
]
