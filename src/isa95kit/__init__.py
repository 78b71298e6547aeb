"""isa95kit — typed, lossless ISA-95 (IEC 62264) / B2MML data exchange.

The public API is flat and small; everything is imported lazily so that
``import isa95kit`` stays cheap (no lxml, no model, no CLI until used)::

    import isa95kit as ik
    doc = ik.read_xml("partner.xml")
    data = ik.write_xml(doc)

"The Business To Manufacturing Markup Language (B2MML) is used courtesy of MESA International."
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    BomTransformError,
    CircuitOpenError,
    DecodeError,
    DeliveryFailedError,
    DocumentInvalidError,
    EncodeError,
    IncompatibleUnitsError,
    InvalidSourceError,
    Isa95Error,
    Location,
    MalformedDocumentError,
    MappingError,
    MissingDependencyError,
    ModelError,
    OutboxError,
    ProfileError,
    SignatureError,
    SoapFaultError,
    SourceError,
    SourceNotFoundError,
    TransportError,
    UnitError,
    UnitLimitError,
    UnknownUnitError,
)

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "NIL": "isa95kit.model._base",
    "B2MMLModel": "isa95kit.model._base",
    "Nil": "isa95kit.model._base",
    "ParseLimits": "isa95kit._source",
    "ReadConfig": "isa95kit._xml._config",
    "WriteConfig": "isa95kit._xml._config",
    "XmlReader": "isa95kit._xml",
    "XmlWriter": "isa95kit._xml",
    "iter_xml": "isa95kit._xml",
    "read_xml": "isa95kit._xml",
    "write_xml": "isa95kit._xml",
    "Issue": "isa95kit.validation",
    "Severity": "isa95kit.validation",
    "ValidationProfile": "isa95kit.validation",
    "ValidationReport": "isa95kit.validation",
    "is_valid": "isa95kit.validation",
    "iter_issues": "isa95kit.validation",
    "validate": "isa95kit.validation",
    "dump_json": "isa95kit._json",
    "from_dict": "isa95kit._json",
    "model_json_schema": "isa95kit._json",
    "read_json": "isa95kit._json",
    "to_dict": "isa95kit._json",
    "write_json": "isa95kit._json",
    "summarize": "isa95kit._inspect",
    "DocumentSummary": "isa95kit._inspect",
    "Change": "isa95kit._diff",
    "ChangeKind": "isa95kit._diff",
    "DocumentDiff": "isa95kit._diff",
    "diff": "isa95kit._diff",
}
_SUBMODULES = {
    "batch",
    "bom",
    "delivery",
    "errors",
    "model",
    "soap",
    "units",
    "validation",
    "versions",
}

__all__ = [
    "B2MMLModel",
    "BomTransformError",
    "Change",
    "ChangeKind",
    "CircuitOpenError",
    "DecodeError",
    "DeliveryFailedError",
    "DocumentDiff",
    "DocumentInvalidError",
    "DocumentSummary",
    "EncodeError",
    "IncompatibleUnitsError",
    "InvalidSourceError",
    "Isa95Error",
    "Issue",
    "Location",
    "MalformedDocumentError",
    "MappingError",
    "MissingDependencyError",
    "ModelError",
    "NIL",
    "Nil",
    "OutboxError",
    "ParseLimits",
    "ProfileError",
    "ReadConfig",
    "Severity",
    "SignatureError",
    "SoapFaultError",
    "SourceError",
    "SourceNotFoundError",
    "TransportError",
    "UnitError",
    "UnitLimitError",
    "UnknownUnitError",
    "ValidationProfile",
    "ValidationReport",
    "WriteConfig",
    "XmlReader",
    "XmlWriter",
    "__version__",
    "diff",
    "dump_json",
    "from_dict",
    "is_valid",
    "iter_issues",
    "iter_xml",
    "model_json_schema",
    "read_json",
    "read_xml",
    "summarize",
    "to_dict",
    "validate",
    "write_json",
    "write_xml",
]

if TYPE_CHECKING:
    from ._diff import Change, ChangeKind, DocumentDiff, diff
    from ._inspect import DocumentSummary, summarize
    from ._json import dump_json, from_dict, model_json_schema, read_json, to_dict, write_json
    from ._source import ParseLimits
    from ._xml import XmlReader, XmlWriter, iter_xml, read_xml, write_xml
    from ._xml._config import ReadConfig, WriteConfig
    from .model._base import NIL, B2MMLModel, Nil
    from .validation import (
        Issue,
        Severity,
        ValidationProfile,
        ValidationReport,
        is_valid,
        iter_issues,
        validate,
    )


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'isa95kit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
