"""Entity-by-entity comparison of two B2MML documents (``isa95kit.diff``).

List items whose class has an ``id`` field (job orders, material definitions and lots,
equipment, segments, requirements, properties, ...) are matched by ID within their parent
list (the k-th item with an ID in one document with the k-th item with that ID in the
other); items without an ID are matched by position. Matched items are compared field by
field, recursively. Leaf values are compared in the lexical form ``write_xml`` gives them,
so two documents differ exactly when their canonical XML differs (``1.5`` and ``1.50`` are
different values, ``+01.50`` read from a file and ``1.50`` are not; what only the side record
keeps — prefixes, original spellings — is not compared).
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from difflib import SequenceMatcher
from enum import Enum
from typing import Any

from ._source import Source
from ._xml._leaf import _fmt_date, _fmt_datetime, _fmt_time
from ._xml._tables import FieldSpec, root_element, spec_of
from .errors import EncodeError
from .model._base import NIL, AnyElement, B2MMLModel, B2MMLSimple, Nil

__all__ = ["Change", "ChangeKind", "DocumentDiff", "diff"]


class ChangeKind(str, Enum):
    """What happened to an entity or a value between the old and the new document."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"


@dataclass(frozen=True)
class Change:
    """One difference.

    ``path`` is the Python path (field names and list indices, from the document object:
    ``data_area.work_schedule[0].work_request[0].job_order[1].priority``), ``xpath`` the
    B2MML path with ID predicates where items were matched by ID
    (``/ProcessWorkSchedule/DataArea/WorkSchedule[ID="WS-1"]/.../JobOrder[ID="JO-2"]/Priority``).
    List indices are those of the new document, of the old one for removed items. ``old`` and
    ``new`` are the values (``None``: absent): the leaf value for a value change (the value of
    simple content such as an ID or a quantity; attributes get their own ``/@attr`` path), the
    whole item for an added or removed one, and the old and new list index for a move.
    ``entity`` and ``entity_id`` name the nearest entity matched by ID that holds the change
    (the item itself when it was added, removed or moved).
    """

    kind: ChangeKind
    path: str
    xpath: str
    old: Any = None
    new: Any = None
    entity: str | None = None
    entity_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A dict of the change: values and items in B2MML-JSON form (numbers ``Decimal``)."""
        return {
            "kind": self.kind.value,
            "path": self.path,
            "xpath": self.xpath,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "old": _jsonable(self.old),
            "new": _jsonable(self.new),
        }

    def __str__(self) -> str:
        where = f"{self.entity} {self.entity_id}: " if self.entity_id is not None else ""
        if self.kind is ChangeKind.MOVED:
            what = f"moved from position {self.old + 1} to {self.new + 1}"
        elif self.kind is ChangeKind.ADDED:
            what = "added"
        elif self.kind is ChangeKind.REMOVED:
            what = "removed"
        else:
            what = f"{_short(self.old)} -> {_short(self.new)}"
        return f"{_SIGN[self.kind]} {where}{self.path or '(document)'}: {what}  [{self.xpath}]"


_SIGN = {
    ChangeKind.ADDED: "+",
    ChangeKind.REMOVED: "-",
    ChangeKind.CHANGED: "~",
    ChangeKind.MOVED: ">",
}


@dataclass(frozen=True)
class DocumentDiff:
    """The differences between two documents, in document order (empty: equal)."""

    changes: tuple[Change, ...]
    old_root: str
    new_root: str
    old_file: str | None = None
    new_file: str | None = None

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Any:
        return iter(self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def equal(self) -> bool:
        """True when the documents hold the same data (their canonical XML is equal)."""
        return not self.changes

    @property
    def order_only(self) -> bool:
        """True when the documents differ only in the order of entities matched by ID."""
        return bool(self.changes) and all(c.kind is ChangeKind.MOVED for c in self.changes)

    def of_kind(self, kind: ChangeKind | str) -> list[Change]:
        kind = ChangeKind(kind)
        return [c for c in self.changes if c.kind is kind]

    def counts(self) -> dict[str, int]:
        """Changes per kind: ``{"added": 1, "removed": 0, "changed": 2, "moved": 0}``."""
        counts = {k.value: 0 for k in ChangeKind}
        for c in self.changes:
            counts[c.kind.value] += 1
        return counts

    def summary(self) -> str:
        if not self.changes:
            return "documents are equal"
        n = len(self.changes)
        parts = ", ".join(f"{v} {k}" for k, v in self.counts().items() if v)
        tail = " (order only)" if self.order_only else ""
        return f"{n} change{'s' if n != 1 else ''}: {parts}{tail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "equal": self.equal,
            "order_only": self.order_only,
            "old": {"file": self.old_file, "root": self.old_root},
            "new": {"file": self.new_file, "root": self.new_root},
            "summary": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The JSON of :meth:`to_dict` (decimal numbers exact)."""
        return _dumps(self.to_dict(), indent)

    def to_text(self, *, old_name: str | None = None, new_name: str | None = None) -> str:
        """One line per change between ``---``/``+++`` headers, then a summary line."""
        old = old_name or self.old_file or self.old_root
        new = new_name or self.new_file or self.new_root
        head = f"--- {old}\n+++ {new}\n"
        return head + "".join(f"{c}\n" for c in self.changes) + self.summary()


def diff(old: B2MMLModel | Source, new: B2MMLModel | Source) -> DocumentDiff:
    """Compare two documents entity by entity; see :class:`DocumentDiff` and :class:`Change`.

    Each side is a model instance or a source: a path, bytes, text or a binary file, read with
    :func:`isa95kit.read_xml` (B2MML-JSON with :func:`isa95kit.read_json`: a ``.json`` path or
    text starting with ``{``). Reading errors are the readers' (``SourceError``,
    ``DecodeError``, ...).
    """
    a, a_file = _document(old)
    b, b_file = _document(new)
    a_root, b_root = _root_name(a), _root_name(b)
    changes: list[Change] = []
    if type(a) is not type(b) or a_root != b_root:
        changes.append(Change(ChangeKind.CHANGED, "", "/", a_root, b_root))
    else:
        _Walker(changes).compare(a, b, "", f"/{a_root}", (None, None))
    return DocumentDiff(tuple(changes), a_root, b_root, a_file, b_file)


def _document(source: B2MMLModel | Source) -> tuple[B2MMLModel, str | None]:
    if isinstance(source, B2MMLModel):
        return source, None
    from ._json import read_json
    from ._xml import read_xml

    if isinstance(source, (str, os.PathLike)) and not str(source).lstrip().startswith(("<", "{")):
        name = os.fspath(source)
        reader = read_json if name.lower().endswith(".json") else read_xml
        return reader(source), name
    if isinstance(source, (str, bytes)) and source.lstrip()[:1] in ("{", b"{"):
        return read_json(source), None
    return read_xml(source), None


def _root_name(obj: B2MMLModel) -> str:
    try:
        return root_element(obj, None)
    except EncodeError:  # a type serving several global elements, built in Python
        return obj.__wire__.xsd_name.removesuffix("Type") or type(obj).__name__


#: the nearest entity matched by ID: (element name, ID)
_Who = tuple[str | None, str | None]


class _Walker:
    def __init__(self, out: list[Change]) -> None:
        self.out = out

    def compare(self, a: B2MMLModel, b: B2MMLModel, path: str, xpath: str, who: _Who) -> None:
        spec = spec_of(type(a))
        da, db = a.__dict__, b.__dict__
        for f in spec.fields:
            va, vb = da.get(f.name), db.get(f.name)
            if f.many:
                if va or vb:
                    self.lists(f, va or [], vb or [], path, xpath, who)
            elif va is not None or vb is not None:
                self.single(f, va, vb, _join(path, f.name), xpath + _step(f), who)

    def single(self, f: FieldSpec, va: Any, vb: Any, path: str, xpath: str, who: _Who) -> None:
        if isinstance(va, Nil) and isinstance(vb, Nil):
            return
        if f.leaf is not None:
            if _lexical(f, va) != _lexical(f, vb):
                self.out.append(Change(ChangeKind.CHANGED, path, xpath, va, vb, *who))
            return
        if f.cls is AnyElement or isinstance(va, AnyElement) or isinstance(vb, AnyElement):
            if _any_key(va) != _any_key(vb):
                self.out.append(Change(ChangeKind.CHANGED, path, xpath, va, vb, *who))
            return
        if isinstance(va, B2MMLModel) and isinstance(vb, B2MMLModel) and type(va) is type(vb):
            if isinstance(va, B2MMLSimple) and isinstance(vb, B2MMLSimple):
                self.simple(va, vb, path, xpath, who)
            else:
                self.compare(va, vb, path, xpath, who)
            return
        if isinstance(va, B2MMLSimple) or isinstance(vb, B2MMLSimple) or va is NIL or vb is NIL:
            # simple content or nil on one side only: a value change
            self.out.append(Change(ChangeKind.CHANGED, path, xpath, _value(va), _value(vb), *who))
            return
        kind = ChangeKind.ADDED if va is None else ChangeKind.REMOVED
        self.out.append(Change(kind, path, xpath, va, vb, *who))

    def simple(self, a: B2MMLSimple, b: B2MMLSimple, path: str, xpath: str, who: _Who) -> None:
        """Simple content: the value at the element's path, attributes at ``/@attr``."""
        da, db = a.__dict__, b.__dict__
        if da == db and all(_exact(v) for v in da.values()):
            return  # equal values whose text cannot differ (no Decimal, dateTime, ...)
        for f in spec_of(type(a)).fields:
            va, vb = da.get(f.name), db.get(f.name)
            if f.kind == "T":
                if _lexical(f, va) != _lexical(f, vb):
                    self.out.append(Change(ChangeKind.CHANGED, path, xpath, va, vb, *who))
            elif f.many:
                self.lists(f, va or [], vb or [], path, xpath, who)
            elif va is not None or vb is not None:
                self.single(f, va, vb, _join(path, f.name), xpath + _step(f), who)

    def lists(
        self, f: FieldSpec, la: list[Any], lb: list[Any], path: str, xpath: str, who: _Who
    ) -> None:
        if not la and not lb:
            return
        cls = f.cls
        if cls is not None and cls is not AnyElement and "id" in cls.model_fields:
            self.by_id(f, la, lb, path, xpath, who)
            return
        base = _join(path, f.name)
        for i in range(max(len(la), len(lb))):
            va = la[i] if i < len(la) else None
            vb = lb[i] if i < len(lb) else None
            p, x = f"{base}[{i}]", f"{xpath}{_step(f)}[{i + 1}]"
            if va is None or vb is None:
                kind = ChangeKind.ADDED if va is None else ChangeKind.REMOVED
                self.out.append(Change(kind, p, x, _value(va), _value(vb), *who))
            else:
                self.single(f, va, vb, p, x, who)

    def by_id(
        self, f: FieldSpec, la: list[Any], lb: list[Any], path: str, xpath: str, who: _Who
    ) -> None:
        ka, kb = _keys(la), _keys(lb)
        index_a = {k: i for i, k in enumerate(ka)}
        index_b = {k: i for i, k in enumerate(kb)}
        base = _join(path, f.name)
        # moves: common keys outside the longest common order
        common_a = [k for k in ka if k in index_b]
        common_b = [k for k in kb if k in index_a]
        kept: set[tuple[str | None, int]] = set()
        matcher = SequenceMatcher(None, common_a, common_b, autojunk=False)
        for block in matcher.get_matching_blocks():
            kept.update(common_a[block.a : block.a + block.size])
        removed_at = {k: i for k, i in index_a.items() if k not in index_b}
        for k, j in index_b.items():
            item_id, x = _item(f, k, xpath)
            p = f"{base}[{j}]"
            here: _Who = (f.tag, item_id) if item_id is not None else who
            i = index_a.get(k)
            if i is None:
                self.out.append(Change(ChangeKind.ADDED, p, x, None, lb[j], f.tag, item_id))
                continue
            if k not in kept:
                self.out.append(Change(ChangeKind.MOVED, p, x, i, j, f.tag, item_id))
            self.single(f, la[i], lb[j], p, x, here)
        for k, i in removed_at.items():
            item_id, x = _item(f, k, xpath)
            p = f"{base}[{i}]"
            self.out.append(Change(ChangeKind.REMOVED, p, x, la[i], None, f.tag, item_id))


def _keys(items: list[Any]) -> list[tuple[str | None, int]]:
    """(ID, occurrence) per item; items without an ID: (None, position among them)."""
    seen: dict[str | None, int] = {}
    keys = []
    for item in items:
        ident = _id_of(item)
        n = seen.get(ident, 0)
        seen[ident] = n + 1
        keys.append((ident, n))
    return keys


def _id_of(item: Any) -> str | None:
    ident = item.__dict__.get("id") if isinstance(item, B2MMLModel) else None
    if isinstance(ident, B2MMLSimple):
        ident = ident.__dict__.get("value")
    return None if ident is None or isinstance(ident, Nil) else str(ident)


def _item(f: FieldSpec, key: tuple[str | None, int], xpath: str) -> tuple[str | None, str]:
    ident, n = key
    if ident is None:
        return None, f"{xpath}{_step(f)}[not(ID)][{n + 1}]"
    quoted = json.dumps(ident, ensure_ascii=False)
    return ident, f"{xpath}{_step(f)}[ID={quoted}]" + (f"[{n + 1}]" if n else "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _step(f: FieldSpec) -> str:
    if f.kind == "A":
        return f"/@{f.tag}"
    if f.kind in ("X", "Y"):
        return "/*"
    return f"/{f.tag}" if f.tag else ""


def _lexical(f: FieldSpec, value: Any) -> Any:
    """The text ``write_xml`` writes for a leaf value (``None``/``NIL`` kept apart)."""
    if value is None or isinstance(value, Nil) or f.leaf is None:
        return value
    try:
        return f.leaf.fmt(value)
    except (TypeError, ValueError):  # a value built with model_construct: compare as is
        return ("?", repr(value))


def _exact(v: Any) -> bool:
    """Whether equal values of this kind always have the same text."""
    return v is None or type(v) in (str, bool, int) or isinstance(v, Enum)


def _value(v: Any) -> Any:
    return v.__dict__.get("value") if isinstance(v, B2MMLSimple) and _plain(v) else v


def _plain(v: B2MMLSimple) -> bool:
    return all(x is None for k, x in v.__dict__.items() if k != "value")


def _any_key(v: Any) -> Any:
    if not isinstance(v, AnyElement):
        return v
    return (v.tag, sorted(v.attributes.items()), v.text, v.tail, [_any_key(c) for c in v.children])


def _jsonable(v: Any) -> Any:
    """A value in B2MML-JSON form: leaves as their lexical text (decimals as ``Decimal``),
    items as their B2MML-JSON object, nil as ``{"nil": true}``."""
    if v is None or isinstance(v, (bool, int, Decimal)):
        return v
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, str):
        return str(v)
    if isinstance(v, Nil):
        return {"nil": True}
    if isinstance(v, datetime):
        return _fmt_datetime(v)
    if isinstance(v, date):
        return _fmt_date(v)
    if isinstance(v, time):
        return _fmt_time(v)
    if isinstance(v, bytes):
        return base64.b64encode(v).decode("ascii")
    if isinstance(v, AnyElement):
        return v.model_dump(mode="json", exclude_defaults=True)
    if isinstance(v, B2MMLModel):
        from ._json._encode import Encoder, encoder_for

        return encoder_for(type(v))(v, Encoder(text=False))
    return repr(v)


_MARK = "\x00"
_NUMBER = re.compile(r'"\\u0000([-+0-9.Ee]+)\\u0000"')


def _dumps(value: Any, indent: int | None) -> str:
    """``json.dumps`` writing ``Decimal`` values as JSON numbers with every digit."""

    def mark(x: Any) -> Any:
        if isinstance(x, Decimal):
            return f"{_MARK}{format(x, 'f')}{_MARK}"
        if isinstance(x, dict):
            return {k: mark(v) for k, v in x.items()}
        if isinstance(x, list):
            return [mark(v) for v in x]
        return x

    return _NUMBER.sub(r"\1", json.dumps(mark(value), indent=indent, ensure_ascii=False))


def _short(v: Any) -> str:
    if v is None:
        return "(absent)"
    if isinstance(v, B2MMLModel) and not isinstance(v, B2MMLSimple):
        return type(v).__name__
    text = _dumps(_jsonable(v), None)
    return text if len(text) <= 80 else text[:77] + "..."
