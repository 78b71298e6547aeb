"""Small frozen configuration objects of the XML reader and writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .._source import DEFAULT_LIMITS, ParseLimits

__all__ = ["ReadConfig", "WriteConfig"]


@dataclass(frozen=True)
class ReadConfig:
    """How :func:`isa95kit.read_xml` treats its input.

    ``unknown="error"`` (strict, the default) rejects elements and attributes the model
    does not know; ``unknown="preserve"`` keeps them in the instance's side record and
    writes them back in place. ``xsi:*`` attributes (``schemaLocation``, ``type``) are
    always kept. Nothing is ever dropped silently.
    """

    unknown: Literal["error", "preserve"] = "error"
    limits: ParseLimits = field(default=DEFAULT_LIMITS)
    #: files and byte strings larger than this are decoded incrementally, so the lxml tree
    #: and the model are never both held in full (see ``_xml/_stream.py``)
    stream_threshold: int = 16 << 20
    #: a document of an older release lacking identifiers V0701 requires: ``True`` fills
    #: each missing own ``ID`` as ``<parent ID>.<initials><n>``, a callable
    #: ``(parent XPath, element name) -> str | None`` any missing identifier; each fill is a
    #: ``filled`` change of the migration report, left out again when writing back to the
    #: source release (docs/migration.md)
    fill_missing: bool | Callable[[str, str], str | None] | None = None


@dataclass(frozen=True)
class WriteConfig:
    """How :func:`isa95kit.write_xml` renders a model instance."""

    pretty_print: bool = False
    xml_declaration: bool = True
    encoding: str = "UTF-8"
    #: prefix for the B2MML namespace on instances that were not read from XML
    #: (``None``: default namespace); documents read from XML keep their own prefixes
    prefix: str | None = None


DEFAULT_READ = ReadConfig()
DEFAULT_WRITE = WriteConfig()
