"""Hypothesis strategies for documents of one B2MML release, derived from that release's IR.

``documents(release, root_element)`` draws UTF-8 XML documents whose root is the global element
``root_element`` of ``release`` (``"V0600"``, ``"V0401"``, ...), built from the IR the model
generator reads (``tools/b2mmlgen``): each class's fields in their schema order, required ones
always, optional ones sometimes, repeated ones one to three times; values from the IR's code
lists and, for the other leaves, lexical forms of the leaf kind (with the variants real systems
write: ``1`` for true, ``+1.50``, offsets and fractions in date-times). Two things the IR does
not keep come from the same reader's xmlschema components: the facets of each simple type (a
drawn value the type rejects falls back to a candidate it accepts) and which children are
alternatives of one non-repeating choice (only one alternative is drawn). Documents are thus
valid by construction, nearly always; :func:`valid_documents` adds the release's official
schema as a guard (a filter, whose rejections hypothesis' health check keeps in bounds).

What a release's own system emits is covered: its own element names (``ProductionSchedule``,
``EquipmentElementLevel``), code-list values V0701 lacks, V0401's ``Any`` content, default or
prefixed namespaces, pretty-printed or not.
"""

from __future__ import annotations

import base64
import string
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from lxml import etree

from isa95kit.versions import load_schema

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ROOT / "src" / "isa95kit" / "xsd"
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))

from b2mml_instances import CannotBuild, simple_value  # noqa: E402
from b2mmlgen.ir import ANY, ATTRIBUTE, ELEMENT, TEXT, ClassIR, ModelIR  # noqa: E402
from b2mmlgen.reader import Reader  # noqa: E402

__all__ = ["ReleaseModel", "documents", "release_model", "valid_documents"]

#: elements drawn beyond the required ones, per document (keeps documents small)
BUDGET = 40
#: below this depth only required content is drawn (B2MML's objects nest recursively)
MAX_DEPTH = 7
FOREIGN = "urn:example:vendor"


@dataclass(frozen=True)
class Choice:
    """A non-repeating choice of a class: the element tags of each alternative, and the tags
    an alternative requires; ``required``: one alternative must be present."""

    alternatives: tuple[frozenset[str], ...]
    needs: tuple[frozenset[str], ...]
    required: bool


@dataclass
class ReleaseModel:
    """A release's IR, with what the IR leaves out that generating valid documents needs."""

    ir: ModelIR
    #: (class, tag) -> xmlschema simple type; tag ``"@name"`` for attributes, ``""`` for text
    leaves: dict[tuple[str, str], Any] = field(default_factory=dict)
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    #: classes with a wildcard that accepts any foreign element (processContents lax/skip)
    open_wildcards: set[str] = field(default_factory=set)

    @property
    def namespace(self) -> str:
        return self.ir.namespace


class _Reader(Reader):
    """The generator's reader, remembering the xmlschema type of each class it names."""

    def __init__(self, release_dir: Path) -> None:
        super().__init__(release_dir)
        self.types: dict[str, Any] = {}

    def class_of(self, xsd_type: Any, context: str | None = None) -> str:
        name = super().class_of(xsd_type, context)
        self.types.setdefault(name, xsd_type)
        return name


@cache
def release_model(release: str) -> ReleaseModel:
    """The IR of ``release``'s shipped bundle (the schema ``load_schema`` validates with)."""
    reader = _Reader(BUNDLES / release)
    model = ReleaseModel(reader.run())
    for name, xsd_type in reader.types.items():
        for attr_name, attr in xsd_type.attributes.items():
            if attr_name and attr.type is not None:
                model.leaves[(name, "@" + attr.local_name)] = attr.type
        if xsd_type.has_simple_content():
            model.leaves[(name, "")] = xsd_type.content
            continue
        content = xsd_type.content
        if not hasattr(content, "iter_elements"):
            continue
        for el in content.iter_elements():
            if hasattr(el, "process_contents"):  # a wildcard
                if el.process_contents in ("lax", "skip"):
                    model.open_wildcards.add(name)
            elif el.type.is_simple():
                model.leaves[(name, el.local_name)] = el.type
        choices: list[Choice] = []
        _collect_choices(content, False, True, choices)
        if choices:
            model.choices[name] = choices
    return model


def _collect_choices(group: Any, repeated: bool, required: bool, out: list[Choice]) -> None:
    repeated = repeated or group.max_occurs != 1
    required = required and group.min_occurs > 0
    if group.model == "choice" and len(group) > 1 and not repeated:
        alternatives, needs = [], []
        for part in group:
            elements = list(part.iter_elements()) if hasattr(part, "model") else [part]
            tags = frozenset(e.local_name for e in elements if hasattr(e, "type"))
            alternatives.append(tags)
            needs.append(
                frozenset(e.local_name for e in elements if hasattr(e, "type") and e.min_occurs)
            )
        out.append(Choice(tuple(alternatives), tuple(needs), required))
        return
    for part in group:
        if hasattr(part, "model"):
            _collect_choices(part, repeated, required, out)


# ------------------------------------------------------------------------------ lexical forms

_TEXT = (
    st.text(
        alphabet=st.one_of(
            st.sampled_from(string.ascii_letters + string.digits + " -_./:#&<>\"'"),
            st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp")),
        ),
        min_size=1,
        max_size=10,
    )
    .map(str.strip)
    .filter(bool)
)

_DIGITS = st.integers(0, 10**6)


@st.composite
def _decimal(draw: st.DrawFn) -> str:
    whole = draw(_DIGITS)
    sign = draw(st.sampled_from(["", "", "-", "+"]))
    frac = draw(st.sampled_from(["", "", ".5", ".25", ".50", ".125", ".0"]))
    return f"{sign}{whole}{frac}"


_TZ = st.sampled_from(["", "Z", "Z", "+02:00", "-05:30", "+00:00"])
_FRACTION = st.sampled_from(["", "", ".5", ".123", ".000001"])


@st.composite
def _datetime(draw: st.DrawFn) -> str:
    d = draw(st.dates(min_value=__import__("datetime").date(1970, 1, 1)))
    h, m, s = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    return f"{d.isoformat()}T{h:02}:{m:02}:{s:02}{draw(_FRACTION)}{draw(_TZ)}"


@st.composite
def _time(draw: st.DrawFn) -> str:
    h, m, s = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    return f"{h:02}:{m:02}:{s:02}{draw(_FRACTION)}{draw(_TZ)}"


_KINDS: dict[str, st.SearchStrategy[str]] = {
    "str": _TEXT,
    "decimal": _decimal(),
    "int": st.integers(-(10**6), 10**6).map(str),
    "bool": st.sampled_from(["true", "false", "1", "0"]),
    "datetime": _datetime(),
    "date": st.dates().map(lambda d: d.isoformat()) | st.just("2024-01-02Z"),
    "time": _time(),
    "bytes": st.binary(min_size=1, max_size=12).map(lambda b: base64.b64encode(b).decode()),
    "hexbytes": st.binary(min_size=1, max_size=8).map(lambda b: b.hex().upper()),
}
#: lexical forms of the string-kind primitives the IR does not tell apart
_PRIMITIVE_FORMS: dict[str, st.SearchStrategy[str]] = {
    "duration": st.sampled_from(["P1D", "PT1H30M", "P1Y2M3DT4H5M6.5S", "-P2D", "PT0S"]),
    "anyURI": st.sampled_from(["http://example.com/a", "urn:example:plant:1", "a/b.xml"]),
    "language": st.sampled_from(["en", "de-CH", "fr"]),
    "QName": st.just("x1"),
}


@cache
def _fallback(simple: Any) -> str:
    try:
        return simple_value(simple)
    except CannotBuild:
        return "x1"


def _leaf_strategy(model: ReleaseModel, cls: str, tag: str, kind: str) -> st.SearchStrategy[str]:
    simple = model.leaves.get((cls, tag))
    if kind.startswith("enum:"):
        values = model.ir.enums[kind[5:]].values
        base: st.SearchStrategy[str] = st.sampled_from(values)
        if simple is not None and simple.is_valid("not in the code list"):  # an open list
            base = st.one_of(base, _TEXT)
    else:
        base = _KINDS.get(kind.removeprefix("leaf:"), _TEXT)
        prim = getattr(getattr(simple, "primitive_type", None), "local_name", None)
        if prim in _PRIMITIVE_FORMS:
            base = _PRIMITIVE_FORMS[prim]
    if simple is None:
        return base
    return base.map(lambda v: v if simple.is_valid(v) else _fallback(simple))


# ---------------------------------------------------------------------------------- documents


class _Draw:
    """One document being drawn: the budget of optional elements left."""

    def __init__(self, draw: st.DrawFn, model: ReleaseModel, ns: str) -> None:
        self.draw, self.model, self.ns = draw, model, ns
        self.budget = BUDGET

    def maybe(self) -> bool:
        """Draw an optional piece (shrinks towards leaving it out)."""
        if self.budget <= 0:
            return False
        return bool(self.draw(st.integers(0, 3)) == 3)

    def value(self, cls: str, tag: str, kind: str) -> str:
        return str(self.draw(_leaf_strategy(self.model, cls, tag, kind)))

    def element(self, parent: etree._Element | None, tag: str, ftype: str, owner: str, depth: int):  # type: ignore[no-untyped-def]
        qname = f"{{{self.ns}}}{tag}"
        el = etree.Element(qname) if parent is None else etree.SubElement(parent, qname)
        cls = self.model.ir.classes.get(ftype)
        if cls is None:  # a leaf element: its value
            el.text = self.value(owner, tag, ftype)
            return el
        self.fill(el, cls, depth)
        return el

    def fill(self, el: etree._Element, cls: ClassIR, depth: int) -> None:
        if depth > 40:
            raise CannotBuild(f"{cls.name}: required content nests too deep")
        for f in cls.fields:
            if f.kind == ATTRIBUTE and (f.required or self.maybe()):
                el.set(f.tag, self.value(cls.name, "@" + f.tag, f.type))
            elif f.kind == TEXT:
                el.text = self.value(cls.name, "", f.type)
        banned, forced = self._choose(cls)
        for f in sorted((f for f in cls.fields if f.kind in (ELEMENT, ANY)), key=_order):
            if f.kind == ANY:
                if cls.name in self.model.open_wildcards and self.maybe():
                    self.budget -= 1
                    foreign = etree.SubElement(el, f"{{{FOREIGN}}}Note")
                    foreign.text = self.value("", "", "leaf:str")
                continue
            if f.tag in banned:
                continue
            need = f.required or f.tag in forced
            count = 1 if need else 0
            if depth < MAX_DEPTH and (count == 0 and self.maybe()):
                count = 1
            if f.many and count and depth < MAX_DEPTH and self.maybe():
                count += self.draw(st.integers(1, 2))
            for _ in range(count):
                if not need or _ > 0:
                    self.budget -= 1
                self.element(el, f.tag, f.type, cls.name, depth + 1)

    def _choose(self, cls: ClassIR) -> tuple[set[str], set[str]]:
        banned: set[str] = set()
        forced: set[str] = set()
        for choice in self.model.choices.get(cls.name, ()):
            n = len(choice.alternatives)
            pick = self.draw(st.integers(0 if choice.required else -1, n - 1))
            for i, tags in enumerate(choice.alternatives):
                if i != pick:
                    banned |= tags
            if pick >= 0:
                forced |= set(choice.needs[pick]) or {next(iter(sorted(choice.alternatives[pick])))}
        return banned, forced


def _order(f: Any) -> int:
    return int(f.order)


@st.composite
def _document(draw: st.DrawFn, release: str, root_element: str) -> bytes:
    model = release_model(release)
    ns = model.namespace
    cls_name = model.ir.elements[root_element]
    gen = _Draw(draw, model, ns)
    prefix = draw(st.sampled_from([None, None, "b2mml"]))
    root = etree.Element(f"{{{ns}}}{root_element}", nsmap={prefix: ns})
    gen.fill(root, model.ir.classes[cls_name], 0)
    etree.cleanup_namespaces(root)
    if draw(st.booleans()):
        etree.indent(root)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def documents(release: str, root_element: str) -> st.SearchStrategy[bytes]:
    """Documents of ``release`` with the global element ``root_element``, valid by
    construction nearly always (see the module docstring); not checked."""
    return _document(release, root_element)


def is_valid(data: bytes, release: str) -> bool:
    """Valid against ``release``'s official schema (the shipped bundle)."""
    return bool(load_schema(release).validate(etree.fromstring(data)))


def valid_documents(release: str, root_element: str) -> st.SearchStrategy[bytes]:
    """:func:`documents` with the official schema as a guard."""
    return documents(release, root_element).filter(lambda d: is_valid(d, release))
