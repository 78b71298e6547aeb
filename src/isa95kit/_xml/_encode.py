"""Model instances -> lxml tree, using the compiled wire tables and the side records."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import EncodeError, Location
from ..model._base import AnyElement, B2MMLModel, Nil
from ._encode_fast import fast_encoder
from ._side import Side, side_of
from ._tables import B2MML_NS, ClassSpec, FieldSpec, spec_of

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["Encoder"]

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


class Encoder:
    def __init__(self) -> None:
        from lxml import etree

        self._sub = etree.SubElement
        self._element = etree.Element
        self.path: list[str] = []
        #: V0701's required elements are enforced (off when writing an older release, which
        #: may not require them: a document migrated from it lacks them)
        self.require = True

    def error(self, message: str) -> EncodeError:
        return EncodeError(message, location=Location(path="/" + "/".join(self.path)))

    def root(self, obj: B2MMLModel, tag: str, nsmap: dict[str | None, str]) -> etree._Element:
        side = side_of(obj)
        if side is not None and side.nsmap:
            nsmap = side.nsmap
        el = self._element(tag, nsmap=nsmap)  # type: ignore[arg-type]
        self.path.append(tag.split("}", 1)[-1])
        self.fill(el, obj, spec_of(type(obj)), side)
        return el

    def child(
        self, parent: etree._Element, tag: str, obj: Any, nsmap: dict[Any, str] | None = None
    ) -> None:
        if isinstance(obj, AnyElement):
            self.any(parent, obj)
            return
        side = side_of(obj)
        spec = spec_of(type(obj))
        if side is None and nsmap is None:
            fast = fast_encoder(spec)
            if fast is not None:
                fast(obj, parent, tag, self)
                return
        if side is not None and side.nsmap:
            nsmap = side.nsmap
        el = self._sub(parent, tag, nsmap=nsmap)
        inner = None
        if tag[0] != "{" and el.nsmap.get(None) == "" and B2MML_NS not in el.nsmap.values():
            # below an unqualified element that had to undeclare the default namespace,
            # B2MML children redeclare it (rather than getting an invented ns0: prefix)
            inner = {None: B2MML_NS}
        self.fill(el, obj, spec, side, inner)

    @staticmethod
    def _unqualified_nsmap(parent: etree._Element) -> dict[Any, str] | None:
        """``xmlns=""`` for a no-namespace element when a default namespace is in scope
        (lxml would otherwise write it unprefixed, i.e. in that namespace)."""
        return {None: ""} if parent.nsmap.get(None) else None

    def any(self, parent: etree._Element, obj: AnyElement) -> None:
        nsmap = None
        if obj.tag.startswith("{"):
            ns = obj.tag[1:].split("}", 1)[0]
            if parent.nsmap.get(obj.prefix) != ns:
                nsmap = {obj.prefix: ns}
            el = self._sub(parent, obj.tag, nsmap=nsmap)  # type: ignore[arg-type]
        elif parent.nsmap.get(None):
            # a no-namespace element under a default namespace needs xmlns="", which lxml
            # only keeps on parsed nodes
            from lxml import etree

            el = etree.fromstring(f'<{obj.tag} xmlns=""/>')
            parent.append(el)
        else:
            el = self._sub(parent, obj.tag)
        for k, v in obj.attributes.items():
            el.set(k, v)
        el.text = obj.text
        for c in obj.children:
            self.any(el, c)
        el.tail = obj.tail

    def fill(
        self,
        el: etree._Element,
        obj: Any,
        spec: ClassSpec,
        side: Side | None,
        inner: dict[Any, str] | None = None,
    ) -> None:
        """Attributes, text and children of ``el``; ``inner``: namespace declarations for
        B2MML children (only below an element that undeclared the default namespace)."""
        d = obj.__dict__
        for f in spec.attrs.values():
            value = d.get(f.name)
            if value is not None:
                el.set(f.tag, self.text_of(f, f.name, value, side))
        if side is not None and side.attrs:
            for k, v in side.attrs.items():
                el.set(k, v)
        if spec.simple:
            value = d.get("value")
            if value is None:
                raise self.error(f"{type(obj).__name__}.value is required")
            el.text = self.text_of(spec.text, "value", value, side)  # type: ignore[arg-type]
            return
        unknown = side.unknown if side is not None else None
        order = side.order if side is not None else None
        texts = side.texts if side is not None and spec.mixed else None
        if texts:
            el.text = texts[0]
        if order is not None and self._order_fits(order, spec, d):
            items = self._ordered_items(order, spec, d)
        else:
            items = self._items(spec, d, obj)
        for count, (f, index, value) in enumerate(items):
            if unknown:
                while unknown and unknown[0][0] == count:
                    self.any(el, unknown[0][1])
                    unknown = unknown[1:]
            self.path.append(f"{f.tag or f.name}[{index + 1}]")
            self.item(el, f, index, value, side, inner)
            self.path.pop()
            if texts and count + 1 < len(texts):
                el[-1].tail = texts[count + 1]
        for _, extra in unknown or ():
            self.any(el, extra)

    def _items(
        self, spec: ClassSpec, d: dict[str, Any], obj: Any
    ) -> list[tuple[FieldSpec, int, Any]]:
        items: list[tuple[FieldSpec, int, Any]] = []
        for f in spec.fields:
            if f.kind in ("A", "T"):
                continue
            value = d.get(f.name)
            if f.many:
                if not value:
                    if f.required and self.require:
                        raise self.error(f"{type(obj).__name__}.{f.name} needs at least one item")
                    continue
                items.extend((f, i, v) for i, v in enumerate(value))
            elif value is None:
                if f.required and self.require:
                    raise self.error(f"{type(obj).__name__}.{f.name} is required")
            else:
                items.append((f, 0, value))
        return items

    @staticmethod
    def _order_fits(order: list[str], spec: ClassSpec, d: dict[str, Any]) -> bool:
        counts: dict[str, int] = {}
        for name in order:
            counts[name] = counts.get(name, 0) + 1
        for f in spec.fields:
            if f.kind in ("E", "X", "Y"):
                value: Any = d.get(f.name)
                n = len(value) if f.many else (0 if value is None else 1)
                if counts.get(f.name, 0) != n:
                    return False
        return True

    @staticmethod
    def _ordered_items(
        order: list[str], spec: ClassSpec, d: dict[str, Any]
    ) -> list[tuple[FieldSpec, int, Any]]:
        by_name = {f.name: f for f in spec.fields}
        seen: dict[str, int] = {}
        items = []
        for name in order:
            f = by_name[name]
            i = seen.get(name, 0)
            seen[name] = i + 1
            items.append((f, i, d[name][i] if f.many else d[name]))
        return items

    def item(
        self,
        el: etree._Element,
        f: FieldSpec,
        index: int,
        value: Any,
        side: Side | None,
        nsmap: dict[Any, str] | None = None,
    ) -> None:
        if f.kind in ("X", "Y"):
            if not isinstance(value, AnyElement):
                raise self.error(f"{f.name} holds {type(value).__name__}, expected AnyElement")
            self.any(el, value)
            return
        if not f.qualified:
            nsmap = self._unqualified_nsmap(el)
        key = (f.name, index) if f.many else f.name
        if isinstance(value, Nil):
            child = self._sub(el, f.clark, nsmap=nsmap)
            attrs = side.lexical(("nil", key), value) if side is not None else None
            if attrs is not None:
                for k, v in attrs.items():  # type: ignore[attr-defined]
                    child.set(k, v)
            else:
                child.set(XSI_NIL, "true")
            return
        if f.cls is not None:
            if not isinstance(value, f.cls):
                raise self.error(
                    f"{f.name} holds {type(value).__name__}, expected {f.cls.__name__}"
                )
            self.child(el, f.clark, value, nsmap)
            if side is not None and side.lexical(("nil-false", key), value) is not None:
                el[-1].set(XSI_NIL, "false")  # an explicit xsi:nil="false" is kept
            return
        child = self._sub(el, f.clark, nsmap=nsmap)
        child.text = self.text_of(f, key, value, side)

    def text_of(self, f: FieldSpec, key: Any, value: Any, side: Side | None) -> str:
        if side is not None:
            lexical = side.lexical(key, value)
            if lexical is not None:
                return lexical
        if isinstance(value, Enum) or f.leaf is None:
            return str(value.value if isinstance(value, Enum) else value)
        try:
            return f.leaf.fmt(value)
        except (TypeError, ValueError) as exc:
            raise self.error(f"{f.name}: {exc}") from None


def default_nsmap(prefix: str | None) -> dict[str | None, str]:
    return {prefix: B2MML_NS}
