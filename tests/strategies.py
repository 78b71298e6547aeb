"""Hypothesis strategies for B2MML model instances, derived from the compiled wire specs.

Public API (kept small on purpose; other test suites import it)::

    from tests.strategies import instances, any_elements, leaf_values

    @given(instances(JobOrder))                  # schema-valid JobOrder instances
    @given(instances(JobOrder, extensions=True)) # plus ``Extended:*`` content (not schema-valid)

:func:`instances` walks :func:`isa95kit._xml._tables.spec_of` of a class: required fields
always, optional ones sometimes, lists of ``0..max_list`` items (at least one when
required), ``NIL`` sometimes for nillable elements, and leaf values valid for their XSD
type. The root and ``max_depth`` complex levels below it may carry optional content
(simple-content children such as ``Identifier`` do not count as a level); deeper levels
get only what is required, taking the smallest alternative of a required choice. That
always terminates: :func:`min_size` computes every class's smallest instance and
:func:`instances` refuses a class without a finite one. Optional parts shrink towards
absence. Instances are built with pydantic (``cls.model_validate`` of a dict by field
name), the path user code takes; they carry no side records, so ``write_xml`` writes
them in canonical lexical form with the default namespace.

The wire tables do not say which optional fields form an ``xsd:choice``; :data:`CHOICES`
lists the single-occurrence choices of B2MML V0701 (checked against the XSD by
``tests/core/test_roundtrip_property.py``), and :data:`GROUPS` the repeating sequence
groups the wire flattens into parallel lists. Likewise a few XSD leaf types the wire maps to
``leaf:str`` but which have a lexical form of their own (``xsd:language``, ``xsd:anyURI``,
``xsd:duration``) are recognised by tag (:func:`leaf_values` ``hint``).
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st

from isa95kit._xml._tables import EXT_NS, ClassSpec, FieldSpec, spec_of
from isa95kit.model._base import NIL, AnyElement, B2MMLModel

__all__ = [
    "CHOICES",
    "GROUPS",
    "REPEATING_CHOICES",
    "any_elements",
    "choices_of",
    "instances",
    "leaf_values",
    "min_size",
]

M = TypeVar("M", bound=B2MMLModel)

#: class name -> single-occurrence ``xsd:choice`` groups: (member field names, required).
#: A required choice has exactly one member present; an optional one at most one.
#: ``("*",)`` stands for every element field of the class.
CHOICES: dict[str, tuple[tuple[tuple[str, ...], bool], ...]] = {
    "HierarchyScope": ((("equipment_element_level", "equipment_level"), True),),
    "OperationsRecordEntryTemplate": ((("information_object", "external_reference_id"), True),),
    "WorkRecordEntry": ((("information_object", "external_reference_id"), True),),
    "InformationObject": ((("*",), True),),  # one of its ~50 element fields
    "EquipmentProceduralElement": ((("equipment_procedural_element_class_id", "parameter"), False),),
    "DataSet": ((("delimited_data_block", "ordered_data"), True),),
}

#: class name -> repeating ``xsd:sequence`` groups the wire flattens into parallel lists:
#: (head, followers). Field order can express only one occurrence, so the strategy draws at
#: most one: the head at most once, each follower at most once and only with the head.
GROUPS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "GRecipeHeader": (("product_id", ("product_name", "batch_size")),),
}

#: classes whose wire is ``ordered`` because of a repeating choice (any order is valid)
REPEATING_CHOICES = frozenset({"BatchListEntry", "EquipmentElement", "SegmentDependency"})

#: B2MML tags whose ``leaf:str`` values have a constrained XSD lexical form
_LANGUAGE_TAGS = frozenset({"languageID"})
_DURATION_TAGS = frozenset({"Duration", "RecurrenceTimeInterval"})

# Probabilities (per cent) of drawing an optional field; kept low so trees stay small.
_P_ATTRIBUTES = 25
_P_ATTRIBUTE = 25
_P_ELEMENT = 30
_P_NIL = 15


# -- leaves --------------------------------------------------------------------------------------
#: text for ``xsd:string``/``normalizedString``: no control characters (so no CR/LF/TAB),
#: no surrogates or non-characters, with XML's special characters well represented
_TEXT = st.text(
    st.one_of(
        st.sampled_from("<>&\"' -_./:#äßé中€"),
        st.characters(
            codec="utf-8", exclude_categories=("Cc", "Cs", "Cn"), exclude_characters="\ufffe\uffff"
        ),
    ),
    max_size=12,
)
_LANGUAGE = st.from_regex(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8}){0,2}", fullmatch=True)
_URI = st.builds(
    lambda scheme, path: f"{scheme}{path}",
    st.sampled_from(["https://example.com/", "urn:isa95kit:", "file:///data/", ""]),
    st.text(string.ascii_letters + string.digits + "-._~/", max_size=10),
)


@st.composite
def _duration(draw: Callable[..., Any]) -> str:
    parts = [(d, draw(st.none() | st.integers(0, 99))) for d in "YMD"]
    tparts = [(d, draw(st.none() | st.integers(0, 99))) for d in "HM"]
    seconds = draw(st.none() | st.decimals(0, 59, places=draw(st.integers(0, 3))))
    text = "".join(f"{n}{d}" for d, n in parts if n is not None)
    ttext = "".join(f"{n}{d}" for d, n in tparts if n is not None)
    if seconds is not None:
        ttext += f"{seconds}S"
    if not text and not ttext:
        text = "0D"
    sign = draw(st.sampled_from(["", "-"]))
    return f"{sign}P{text}" + (f"T{ttext}" if ttext else "")


_DECIMAL = st.builds(
    lambda sign, digits, exp: Decimal((sign, tuple(int(c) for c in str(digits)), exp)),
    st.integers(0, 1),
    st.integers(0, 10**15),
    st.integers(-6, 0),
)
_TZ = st.one_of(
    st.none(),
    st.just(timezone.utc),
    st.builds(
        lambda minutes: timezone(timedelta(minutes=minutes)),
        st.integers(-14 * 60, 14 * 60).filter(bool),
    ),
)
_DATETIME = st.builds(
    lambda naive, micro, tz: naive.replace(microsecond=micro, tzinfo=tz),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
    st.sampled_from([0, 0, 500000, 123000, 1]),
    _TZ,
)
_LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "str": _TEXT,
    "decimal": _DECIMAL,
    "int": st.integers(-(10**12), 10**12),
    "bool": st.booleans(),
    "datetime": _DATETIME,
    "date": st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    "time": st.builds(
        lambda t, tz: t.replace(tzinfo=tz), st.times(), _TZ
    ).map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)),
    "bytes": st.binary(max_size=24),
    "hexbytes": st.binary(max_size=24),
}


def leaf_values(kind: str, hint: str = "") -> st.SearchStrategy[Any]:
    """Values of a leaf ``kind`` (``leaf:<kind>`` in the wire) valid for its XSD type.

    ``hint`` is the B2MML tag; it picks ``xsd:language``, ``xsd:anyURI`` and
    ``xsd:duration`` forms for the ``str`` leaves that carry them.
    """
    if kind == "str":
        if hint in _LANGUAGE_TAGS:
            return _LANGUAGE
        if hint in _DURATION_TAGS:
            return _duration()
        if hint.endswith("URI") or hint == "uri":
            return _URI
    return _LEAVES[kind]


def _leaf(f: FieldSpec) -> st.SearchStrategy[Any]:
    if f.enum is not None:
        return st.sampled_from(list(f.enum))
    return leaf_values(f.type_ref[5:], f.tag)


# -- extension content ---------------------------------------------------------------------------
_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)
_SOME_TEXT = _TEXT.filter(lambda s: bool(s.strip()))


def any_elements(*, namespace: str = EXT_NS, prefix: str = "ext", depth: int = 2) -> st.SearchStrategy[AnyElement]:
    """Free-form extension elements (``AnyElement``) in ``namespace`` with ``prefix``.

    Such elements round-trip losslessly but are not valid against the official schema
    (its ``Extended:*`` groups are empty). Nested children may carry a non-blank ``tail``.
    """

    def build(tail_ok: bool, level: int) -> st.SearchStrategy[AnyElement]:
        children = (
            st.lists(build(True, level - 1), max_size=2) if level > 0 else st.just([])
        )
        return st.builds(
            lambda name, attrs, text, kids, tail: AnyElement(
                tag=f"{{{namespace}}}{name}",
                attributes=attrs,
                text=text,
                children=kids,
                tail=tail,
                prefix=prefix,
            ),
            _NAME,
            st.dictionaries(_NAME, _TEXT, max_size=2),
            st.none() | _SOME_TEXT,
            children,
            (st.none() | _SOME_TEXT) if tail_ok else st.none(),
        )

    return build(False, depth)


# -- classes -------------------------------------------------------------------------------------
@cache
def choices_of(cls: type[B2MMLModel]) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """The single-occurrence choices of ``cls`` (:data:`CHOICES`, ``"*"`` expanded)."""
    groups = []
    for members, required in CHOICES.get(cls.__name__, ()):
        if members == ("*",):
            members = tuple(f.name for f in spec_of(cls).fields if f.kind == "E")
        groups.append((members, required))
    return tuple(groups)


def _choice_members(cls: type[B2MMLModel]) -> dict[str, tuple[tuple[str, ...], bool]]:
    return {m: group for group in choices_of(cls) for m in group[0]}


@cache
def min_size(cls: type[B2MMLModel]) -> float:
    """Number of complex elements in the smallest valid instance of ``cls`` (``inf``: none)."""
    sizes: dict[type[B2MMLModel], float] = {}
    todo = [cls]
    classes: list[type[B2MMLModel]] = []
    while todo:  # closure over required fields and choice members
        c = todo.pop()
        if c in sizes:
            continue
        sizes[c] = math.inf
        classes.append(c)
        choice = _choice_members(c)
        for f in spec_of(c).fields:
            if f.kind == "E" and f.cls is not None and (f.required or f.name in choice):
                todo.append(f.cls)
    changed = True
    while changed:
        changed = False
        for c in classes:
            size = _size_once(c, sizes)
            if size < sizes[c]:
                sizes[c] = size
                changed = True
    return sizes[cls]


def _size_once(c: type[B2MMLModel], sizes: dict[type[B2MMLModel], float]) -> float:
    spec = spec_of(c)
    total = 1.0
    by_name = {f.name: f for f in spec.fields}
    for f in spec.fields:
        if f.kind == "E" and f.cls is not None and f.required:
            # a nillable element can always be sent as xsi:nil (size 1), which breaks cycles
            total += min(1.0, sizes[f.cls]) if f.nillable else sizes[f.cls]
    for members, required in choices_of(c):
        if required:
            total += min(_member_size(by_name[m], sizes) for m in members)
    return total


def _member_size(f: FieldSpec, sizes: dict[type[B2MMLModel], float]) -> float:
    return sizes[f.cls] if f.cls is not None else 0.0


def _chance(draw: Callable[..., Any], percent: int) -> bool:
    # shrinks towards 0, i.e. towards leaving the optional part out
    return bool(draw(st.integers(0, 99)) >= 100 - percent)


class _Builder:
    def __init__(self, max_list: int, extensions: bool) -> None:
        self.max_list = max_list
        self.extensions = extensions
        self.ext = any_elements()

    def value(self, draw: Callable[..., Any], f: FieldSpec, depth: int, minimal: bool) -> Any:
        if f.nillable and (
            _chance(draw, _P_NIL) or (minimal and f.cls is not None and math.isinf(_SIZES[f.cls]))
        ):
            return NIL
        if f.cls is None:
            return draw(_leaf(f))
        return self.dict_of(draw, f.cls, depth - (0 if spec_of(f.cls).simple else 1), minimal)

    def items(
        self, draw: Callable[..., Any], f: FieldSpec, depth: int, at_least: int, minimal: bool
    ) -> list[Any]:
        upper = at_least if minimal else max(at_least, self.max_list)
        n = draw(st.integers(at_least, upper))
        return [self.value(draw, f, depth, minimal) for _ in range(n)]

    def dict_of(
        self, draw: Callable[..., Any], cls: type[B2MMLModel], depth: int, minimal: bool = False
    ) -> dict[str, Any]:
        spec: ClassSpec = spec_of(cls)
        minimal = minimal or depth < 0
        d: dict[str, Any] = {}
        chosen: dict[tuple[str, ...], str | None] = {}
        by_name = {f.name: f for f in spec.fields}
        for members, required in choices_of(cls):
            if minimal:
                pick = (
                    min(members, key=lambda m: _member_size(by_name[m], _SIZES))
                    if required
                    else None
                )
            else:
                options: list[str | None] = list(members) if required else [None, *members]
                pick = draw(st.sampled_from(options))
            chosen[members] = pick
        in_choice = {m: g for g in chosen for m in g}
        # one draw decides whether any optional attribute is drawn (B2MML's core component
        # types carry up to 30), which keeps examples cheap and shrinking fast
        attributes = not minimal and _chance(draw, _P_ATTRIBUTES)
        for f in spec.fields:
            if f.kind == "T":
                d[f.name] = draw(_leaf(f))
            elif f.kind == "A":
                if f.required or (attributes and _chance(draw, _P_ATTRIBUTE)):
                    d[f.name] = draw(_leaf(f))
            elif f.kind == "X":
                if self.extensions and not minimal and _chance(draw, _P_ELEMENT):
                    d[f.name] = draw(st.lists(self.ext, min_size=1, max_size=2))
            elif f.kind == "Y":
                continue  # strict xsd:any: only declared global elements would be valid
            elif f.name in in_choice:
                if chosen[in_choice[f.name]] == f.name:
                    d[f.name] = self.items(draw, f, depth, 1, minimal) if f.many else self.value(
                        draw, f, depth, minimal
                    )
            elif f.many:
                at_least = 1 if f.required else 0
                if at_least or (not minimal and _chance(draw, _P_ELEMENT + 20)):
                    items = self.items(draw, f, depth, at_least, minimal)
                    if items:
                        d[f.name] = items
            elif f.required or (not minimal and _chance(draw, _P_ELEMENT + 20 * (f.cls is None or spec_of(f.cls).simple))):
                d[f.name] = self.value(draw, f, depth, minimal)
        for head, followers in GROUPS.get(cls.__name__, ()):
            present = bool(d.get(head))
            for name in (head, *followers):
                if name in d:
                    if present:
                        d[name] = d[name][:1]
                    else:
                        del d[name]
        return d


#: memo of :func:`min_size` results for classes seen while drawing
class _Sizes(dict[type[B2MMLModel], float]):
    def __missing__(self, key: type[B2MMLModel]) -> float:
        return min_size(key)


_SIZES = _Sizes()


def instances(
    cls: type[M], *, max_depth: int = 3, max_list: int = 2, extensions: bool = False
) -> st.SearchStrategy[M]:
    """Instances of the generated class ``cls`` valid against the official schema.

    ``max_depth`` bounds how many complex levels below ``cls`` carry optional content;
    ``max_list`` bounds list lengths. With ``extensions=True`` the ``Extended:*`` fields
    get :func:`any_elements` sometimes (lossless, but no longer schema-valid).
    """
    if math.isinf(min_size(cls)):
        raise ValueError(f"{cls.__name__} has no finite valid instance (required cycle)")
    cls.model_rebuild()
    builder = _Builder(max_list, extensions)

    @st.composite
    def strategy(draw: Callable[..., Any]) -> M:
        return cls.model_validate(builder.dict_of(draw, cls, max_depth))

    return strategy()
