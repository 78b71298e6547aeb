"""Compiled wire tables: each generated class's ``__wire__`` resolved once to specs.

Shared by the XML and JSON codecs and the test strategies, so no codec reflects over
the models per element.
"""

from __future__ import annotations

import importlib
import sys
from enum import Enum
from typing import Any

from ..model._base import AnyElement, B2MMLModel, B2MMLSimple, WireField
from ..model._registry import ELEMENTS, EXT_NAMESPACE, MODULES, NAMESPACE
from ._leaf import LeafCodec, enum_codec, leaf_codec

__all__ = ["ClassSpec", "FieldSpec", "resolve_class", "spec_of"]


def resolve_class(name: str) -> Any:
    """The generated class or enum called ``name`` (imports its area on first use)."""
    return getattr(importlib.import_module(f"isa95kit.model.{MODULES[name]}"), name)


_KIND_CODE = {"element": "E", "attribute": "A", "text": "T", "extended": "X", "any": "Y"}


class FieldSpec:
    __slots__ = (
        "clark",
        "cls",
        "enc",
        "enum",
        "fn",
        "kind",
        "leaf",
        "many",
        "name",
        "nillable",
        "order",
        "qualified",
        "required",
        "spec",
        "tag",
        "type_ref",
    )

    def __init__(self, entry: WireField, order: int) -> None:
        name, tag, type_ref = entry.name, entry.tag, entry.type
        self.name = name
        self.tag = tag
        #: ``E`` element, ``A`` attribute, ``T`` text, ``X`` extension, ``Y`` ``xsd:any``
        self.kind = kind = _KIND_CODE[entry.kind]
        self.type_ref = type_ref
        self.many = entry.many
        self.required = entry.required
        self.nillable = entry.nillable
        self.order = order
        #: False for the few local elements in no namespace (B2MML-InformationObject.xsd)
        self.qualified = not entry.unqualified
        self.clark = f"{{{NAMESPACE}}}{tag}" if kind == "E" and self.qualified else tag
        self.cls: type[B2MMLModel] | None = None
        #: the ClassSpec of ``cls``, filled in by the first codec that needs it
        self.spec: ClassSpec | None = None
        #: the decoding function of ``cls`` (see ``_compile``), bound on first use
        self.fn: Any = None
        #: the fast encoding function of ``cls`` (see ``_encode_fast``), bound on first use
        self.enc: Any = None
        self.enum: type[Enum] | None = None
        self.leaf: LeafCodec | None = None
        if type_ref.startswith("leaf:"):
            self.leaf = leaf_codec(type_ref[5:])
        elif type_ref.startswith("enum:"):
            self.enum = resolve_class(type_ref[5:])
            assert self.enum is not None
            self.leaf = enum_codec(self.enum)
        elif type_ref == "AnyElement":
            self.cls = AnyElement
        else:
            self.cls = resolve_class(type_ref)


class ClassSpec:
    """Everything a codec needs about one class, computed once."""

    __slots__ = (
        "any_field",
        "attrs",
        "cls",
        "elements",
        "ext_field",
        "fields",
        "lists",
        "mixed",
        "ordered",
        "required",
        "simple",
        "template",
        "text",
    )

    def __init__(self, cls: type[B2MMLModel]) -> None:
        wire = cls.__wire__
        self.cls = cls
        self.fields = tuple(FieldSpec(e, i) for i, e in enumerate(wire.fields))
        self.elements = {f.clark: f for f in self.fields if f.kind == "E"}
        self.attrs = {f.tag: f for f in self.fields if f.kind == "A"}
        self.text = next((f for f in self.fields if f.kind == "T"), None)
        self.ext_field = next((f for f in self.fields if f.kind == "X"), None)
        self.any_field = next((f for f in self.fields if f.kind == "Y"), None)
        self.lists = tuple(f.name for f in self.fields if f.many)
        self.required = tuple(f for f in self.fields if f.required)
        #: every field None, in declaration order (copied for each instance decoded)
        self.template = _template([f.name for f in self.fields])
        self.ordered = wire.ordered
        self.mixed = wire.mixed
        self.simple = issubclass(cls, B2MMLSimple)


def _template(names: list[str]) -> dict[str, Any]:
    """The field dict a decoded instance starts from: the smaller of a plain dict and a
    key-sharing one.

    CPython stores an instance ``__dict__`` as a *split* table (keys shared by the class,
    one value array per dict; ``dict.copy`` keeps it split): for classes with many fields
    that is much smaller than a plain dict (464 -> 296 bytes with 11 to 30 fields on 3.11),
    for small ones larger. Both are ordinary dicts with the same keys in the same order.
    """
    plain = dict.fromkeys(names)

    class _Fields:  # one class per template: its instances' keys are exactly ``names``
        pass

    holder = _Fields()
    for name in names:
        setattr(holder, name, None)
    shared = holder.__dict__
    if list(shared) == names and sys.getsizeof(shared.copy()) < sys.getsizeof(plain.copy()):
        return shared
    return plain


_SPECS: dict[type[B2MMLModel], ClassSpec] = {}


def spec_of(cls: type[B2MMLModel]) -> ClassSpec:
    spec = _SPECS.get(cls)
    if spec is None:
        spec = _SPECS[cls] = ClassSpec(cls)
    return spec


#: class -> global element local names whose type it is
_ELEMENTS_OF: dict[str, list[str]] = {}
for _el, _cls in sorted(ELEMENTS.items()):
    _ELEMENTS_OF.setdefault(_cls, []).append(_el)


def elements_of(cls: type[B2MMLModel]) -> list[str]:
    return _ELEMENTS_OF.get(cls.__name__, [])


def root_element(obj: object, element: str | None) -> str:
    """The global element (local name) a model instance is written as, for every codec.

    ``element`` if given, else the element the instance was read as, else the only global
    element whose type its class is. The element must exist and hold the instance's class.
    """
    from ..errors import EncodeError
    from ._side import side_of

    if not isinstance(obj, B2MMLModel):
        raise EncodeError(f"expected a B2MML model instance, got {type(obj).__name__}")
    if element is None:
        side = side_of(obj)
        tag = side.tag if side is not None else None
        if tag and tag.startswith("{" + NAMESPACE + "}"):
            element = tag[len(NAMESPACE) + 2 :]
        else:
            names = elements_of(type(obj))
            if len(names) != 1:
                raise EncodeError(
                    f"{type(obj).__name__} is not the type of exactly one global element "
                    f"({', '.join(names) or 'none'}); pass element=..."
                )
            element = names[0]
    name = ELEMENTS.get(element) if isinstance(element, str) else None
    if name is None:
        raise EncodeError(f"{element!r} is not a global B2MML V0701 element")
    if name != type(obj).__name__:
        raise EncodeError(f"<{element}> holds a {name}, not a {type(obj).__name__}")
    return element


EXT_NS = EXT_NAMESPACE
B2MML_NS = NAMESPACE
