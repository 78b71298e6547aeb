"""Intermediate representation between the XSD reader and the emitters.

Plain dataclasses, nothing XSD-processor specific: the reader fills them from an
official release, emitters (model modules, registry) only read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# field kinds
ELEMENT, ATTRIBUTE, TEXT, EXTENDED, ANY = "element", "attribute", "text", "extended", "any"

#: leaf value kinds (Python type in the model, lexical rules in the codec)
LEAF_KINDS = ("str", "decimal", "int", "bool", "datetime", "date", "time", "bytes", "hexbytes")


@dataclass
class EnumIR:
    name: str
    xsd_name: str
    values: list[str]
    module: str
    doc: str = ""


@dataclass
class FieldIR:
    name: str  # python name
    tag: str  # local element / attribute name on the wire ("" for text/any)
    kind: str  # ELEMENT, ATTRIBUTE, TEXT, EXTENDED, ANY
    type: str  # class name, or "leaf:<kind>", or "enum:<EnumName>"
    many: bool = False
    required: bool = False
    nillable: bool = False
    order: int = 0  # position in the content model (elements only)
    #: local element in no namespace (its schema file lacks elementFormDefault="qualified")
    unqualified: bool = False
    doc: str = ""


@dataclass
class ClassIR:
    name: str
    xsd_name: str  # qualified-less XSD type name or "<Parent>/<Element>" for anonymous types
    module: str
    fields: list[FieldIR] = field(default_factory=list)
    simple: bool = False  # simple content: a ``value`` text field plus attributes
    mixed: bool = False
    ordered: bool = False  # content model repeats a choice/sequence: keep child order
    #: XSD documentation: paragraphs separated by "\n\n", list items by "\n"
    doc: str = ""
    schema_file: str = ""  # e.g. "B2MML-WorkSchedule.xsd"
    alias_of: str | None = None  # identical to another class: emitted as an alias


@dataclass
class ModelIR:
    release: str  # e.g. "V0701"
    namespace: str
    ext_namespace: str
    classes: dict[str, ClassIR] = field(default_factory=dict)
    enums: dict[str, EnumIR] = field(default_factory=dict)
    #: global element local name -> class name
    elements: dict[str, str] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)
