"""Read an official MESA B2MML release with xmlschema into the IR (:mod:`ir`)."""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

import xmlschema
from pydantic import BaseModel
from xmlschema.validators import (
    XsdAnyElement,
    XsdAtomicRestriction,
    XsdComplexType,
    XsdElement,
    XsdGroup,
)

from .ir import ANY, ATTRIBUTE, ELEMENT, EXTENDED, TEXT, ClassIR, EnumIR, FieldIR, ModelIR

XSD = "{http://www.w3.org/2001/XMLSchema}"

#: schema file stem (without the B2MML-/BatchML- prefix) -> model module
MODULE_OF_FILE = {
    "CoreComponents": "common",
    "Common": "common",
    "ConfirmBOD": "transaction",
    "TransactionProfile": "transaction",
    "ErrorMessage": "transaction",
    "OperationsPerformanceTypes": "operations_performance",
}

_RESERVED = set(dir(BaseModel)) | {"value", "extended", "any_content"}

_PRIMITIVE_LEAF = {
    "decimal": "decimal",
    "float": "decimal",
    "double": "decimal",
    "boolean": "bool",
    "dateTime": "datetime",
    "date": "date",
    "time": "time",
    "base64Binary": "bytes",
    "hexBinary": "hexbytes",
}


def snake(name: str) -> str:
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^0-9a-zA-Z_]", "_", s).lower()
    return s


def py_field_name(tag: str, taken: set[str]) -> str:
    name = snake(tag)
    if keyword.iskeyword(name) or name in _RESERVED or name.startswith("model_"):
        name += "_"
    while name in taken:
        name += "_"
    taken.add(name)
    return name


def enum_member(value: str, taken: set[str]) -> str:
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper() or "EMPTY"
    if name[0].isdigit():
        name = "V_" + name
    base, i = name, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def module_for(component: Any) -> str:
    url = getattr(component.schema, "url", None) or ""
    stem = Path(url).stem
    stem = re.sub(r"^(B2MML|BatchML)(-V\d+)?-", "", stem)
    return MODULE_OF_FILE.get(stem, snake(stem))


#: typographic characters in MESA's documentation -> ASCII (ruff flags them as ambiguous)
_ASCII = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2022": "-",
    }
)


def normalise_doc(text: str) -> str:
    """MESA's documentation text, whitespace normalised.

    Paragraphs (blank lines) are separated by ``"\\n\\n"``, list items (lines starting with
    ``-``) by ``"\\n"``; every other line break, tab or run of spaces is one space.
    """
    blocks: list[list[str]] = []
    new_block = True
    for raw in text.translate(_ASCII).splitlines():
        line = " ".join(raw.split())
        if not line:
            if blocks and blocks[-1] and blocks[-1][-1] != "":
                blocks[-1].append("")
            new_block = True
            continue
        if line.startswith("-"):
            line = "- " + line[1:].lstrip()
            new_block = True
        if new_block or not blocks:
            blocks.append([line])
            new_block = False
        else:
            blocks[-1][-1] += " " + line
    out = ""
    for block in blocks:
        for item in block:
            if item == "":
                out += "\n"
            elif item:
                out += ("\n" if out and not out.endswith("\n\n") else "") + item
    return out.strip()


def first_doc(component: Any) -> str:
    ann = getattr(component, "annotation", None)
    if ann is None or not ann.documentation:
        return ""
    return normalise_doc(ann.documentation[0].text or "")


class Reader:
    def __init__(self, release_dir: Path) -> None:
        self.release = release_dir.name
        self.schema = xmlschema.XMLSchema10(str(release_dir / "AllSchemas.xsd"))
        self.ns = self.schema.target_namespace
        ext = [n for n in self.schema.maps.namespaces if n.endswith("-AllExtensions")]
        self.ext_ns = ext[0] if ext else ""
        self.ir = ModelIR(self.release, self.ns, self.ext_ns)
        self._by_type: dict[int, str] = {}  # id(xsd type) -> class name
        self._enum_by_type: dict[int, str] = {}

    # -- naming -------------------------------------------------------------------------------
    def _class_name(self, xsd_type: Any, context: str | None) -> str:
        if xsd_type.name:
            local = xsd_type.local_name
            name = local[:-4] if local.endswith("Type") and len(local) > 4 else local
        else:
            name = context or "Anonymous"
        base, i = name, 2
        while name in self.ir.classes or name in self.ir.enums:
            name, i = f"{base}{i}", i + 1
        return name

    # -- types --------------------------------------------------------------------------------
    def run(self) -> ModelIR:
        for qname, xsd_type in sorted(self.schema.maps.types.items()):
            if qname.startswith("{" + self.ns + "}") and xsd_type.is_complex():
                self.class_of(xsd_type)
        for qname, elem in sorted(self.schema.maps.elements.items()):
            if qname.startswith("{" + self.ns + "}"):
                t = elem.type
                if t.is_complex():
                    name = self.class_of(t, elem.local_name)
                    self.ir.elements[elem.local_name] = name
                    cls = self.ir.classes[name]
                    if not cls.doc:  # MESA documents some objects on their global element
                        cls.doc = first_doc(elem)
        self.ir.modules = sorted({c.module for c in self.ir.classes.values()})
        return self.ir

    def enum_of(self, simple: Any) -> str | None:
        """Enum name for a simple type (or simple content) with enumeration facets."""
        enumeration = getattr(simple, "enumeration", None)
        if not enumeration:
            return None
        owner = simple
        # the enumeration is declared by the restriction itself; name it after its owner type
        key = id(owner)
        if key in self._enum_by_type:
            return self._enum_by_type[key]
        local = (getattr(owner, "local_name", None) or "") or ""
        parent = getattr(owner, "parent", None)
        if not local and parent is not None:
            local = getattr(parent, "local_name", None) or ""
        stem = re.sub(r"1?Type$", "", local) or "Anonymous"
        name = stem + "Code"
        base, i = name, 2
        while name in self.ir.enums or name in self.ir.classes:
            name, i = f"{base}{i}", i + 1
        taken: set[str] = set()
        values = list(dict.fromkeys(str(v) for v in enumeration))
        for v in values:
            enum_member(v, taken)
        module = module_for(parent if parent is not None and not owner.name else owner)
        self.ir.enums[name] = EnumIR(name, local, values, module, first_doc(owner))
        self._enum_by_type[key] = name
        return name

    def leaf_of(self, simple: Any) -> str:
        """The field type for a simple type: ``enum:<Name>`` or ``leaf:<kind>``."""
        if isinstance(simple, XsdAtomicRestriction) or getattr(simple, "enumeration", None):
            name = self.enum_of(simple)
            if name:
                return f"enum:{name}"
        prim = getattr(simple, "primitive_type", None)
        prim_name = getattr(prim, "local_name", None) or ""
        if prim_name == "decimal" and simple.is_derived(self.schema.maps.types[XSD + "integer"]):
            return "leaf:int"
        return "leaf:" + _PRIMITIVE_LEAF.get(prim_name, "str")

    def class_of(self, xsd_type: XsdComplexType, context: str | None = None) -> str:
        key = id(xsd_type)
        if key in self._by_type:
            return self._by_type[key]
        name = self._class_name(xsd_type, context)
        self._by_type[key] = name
        module = module_for(xsd_type)
        cls = ClassIR(name, xsd_type.local_name or f"{context} (anonymous)", module)
        cls.doc = first_doc(xsd_type)
        cls.schema_file = Path(getattr(xsd_type.schema, "url", None) or "").name
        self.ir.classes[name] = cls
        taken: set[str] = set()
        if xsd_type.has_simple_content():
            cls.simple = True
            taken.add("value")
            cls.fields.append(FieldIR("value", "", TEXT, self.leaf_of(xsd_type.content)))
        else:
            cls.mixed = bool(xsd_type.mixed)
            if isinstance(xsd_type.content, XsdGroup):
                counter = [0]
                self._walk(cls, xsd_type.content, False, False, taken, counter)
        for attr_name, attr in xsd_type.attributes.items():
            if attr_name is None:
                continue
            local = attr.local_name
            fname = py_field_name(local, taken)
            cls.fields.append(
                FieldIR(
                    fname,
                    local,
                    ATTRIBUTE,
                    self.leaf_of(attr.type),
                    required=attr.use == "required",
                    doc=first_doc(attr),
                )
            )
        return name

    def _walk(
        self,
        cls: ClassIR,
        group: XsdGroup,
        many: bool,
        optional: bool,
        taken: set[str],
        counter: list[int],
    ) -> None:
        g_many = many or group.max_occurs != 1
        g_opt = optional or group.min_occurs == 0
        if group.model == "choice" and len(group) > 1:
            g_opt = True
            if g_many:
                cls.ordered = True
        if g_many and len(group) > 1:
            cls.ordered = True
        for part in group:
            if isinstance(part, XsdElement):
                self._element_field(cls, part, g_many, g_opt, taken, counter)
            elif isinstance(part, XsdAnyElement):
                counter[0] += 1
                if not any(f.kind == ANY for f in cls.fields):
                    cls.fields.append(
                        FieldIR("any_content", "", ANY, "AnyElement", True, order=counter[0])
                    )
            elif isinstance(part, XsdGroup):
                ref_name = part.name or ""
                if self.ext_ns and ref_name.startswith("{" + self.ext_ns + "}"):
                    counter[0] += 1
                    if not any(f.kind == EXTENDED for f in cls.fields):
                        cls.fields.append(
                            FieldIR("extended", "", EXTENDED, "AnyElement", True, order=counter[0])
                        )
                else:
                    self._walk(cls, part, g_many, g_opt, taken, counter)

    def _element_field(
        self,
        cls: ClassIR,
        el: XsdElement,
        many: bool,
        optional: bool,
        taken: set[str],
        counter: list[int],
    ) -> None:
        local = el.local_name
        xsd_type = el.type
        if xsd_type.is_complex():
            ftype = self.class_of(xsd_type, cls.name + local)
        else:
            ftype = self.leaf_of(xsd_type)
        is_many = many or el.max_occurs != 1
        for existing in cls.fields:
            if existing.kind == ELEMENT and existing.tag == local:
                if existing.type != ftype:
                    raise ValueError(f"{cls.name}: element {local} with two types")
                existing.many = True
                existing.required = False
                cls.ordered = True
                return
        counter[0] += 1
        cls.fields.append(
            FieldIR(
                py_field_name(local, taken),
                local,
                ELEMENT,
                ftype,
                many=is_many,
                required=not optional and el.min_occurs > 0,
                nillable=bool(el.nillable),
                order=counter[0],
                unqualified=not el.qualified,
                doc=first_doc(el),
            )
        )


def read_release(release_dir: Path) -> ModelIR:
    ir = Reader(release_dir).run()
    _mark_aliases(ir)
    return ir


#: the core component types: aliases always point at these when identical
CORE_CLASSES = (
    "Identifier",
    "Code",
    "Text",
    "Name",
    "Amount",
    "Measure",
    "Quantity",
    "Numeric",
    "DateTime",
    "BinaryObject",
    "Indicator",
)


def _mark_aliases(ir: ModelIR) -> None:
    """Simple-content classes identical to another class become aliases of it."""
    seen: dict[tuple[Any, ...], str] = {}
    core = {n: i for i, n in enumerate(CORE_CLASSES)}
    for name in sorted(ir.classes, key=lambda n: (core.get(n, len(core)), len(n), n)):
        cls = ir.classes[name]
        if not cls.simple:
            continue
        sig = tuple((f.name, f.tag, f.kind, f.type, f.required) for f in cls.fields)
        if sig in seen:
            cls.alias_of = seen[sig]
        else:
            seen[sig] = name
