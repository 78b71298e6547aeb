"""Per-class decoding functions, compiled once from the wire tables.

Each class gets a closure ``fn(el, ctx)`` holding everything it needs in local
variables (its template, child table, leaf codec), so the per-element cost is a few
dictionary operations and one instance construction. Rare situations (attributes,
unknown content, nil, errors) are delegated to the :class:`~._decode.Decoder` context.

Measured choices (``benchmarks/bench_core.py``): a complex class's loop builds its plain
simple-content children (text or enumeration value, no attributes: three in four elements)
itself instead of calling their function; set elements are tracked as a bitmask, whose
interned fields-set is looked up once per instance; children are iterated as a slice.
Every instance is made by ``model._base.decoded_instance``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model._base import VALUE_ONLY, SharedFieldsSet, decoded_instance, shared_fields_set
from ._side import Side
from ._tables import EXT_NS, ClassSpec, FieldSpec, spec_of

if TYPE_CHECKING:
    from lxml import etree

    from ._decode import Decoder

__all__ = ["DecodeFn", "bind", "decoder_for"]

DecodeFn = Callable[["etree._Element", "Decoder"], Any]
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"

_FNS: dict[int, DecodeFn] = {}


def decoder_for(spec: ClassSpec) -> DecodeFn:
    fn = _FNS.get(id(spec))
    if fn is None:
        fn = _FNS[id(spec)] = _simple(spec) if spec.simple else _complex(spec)
    return fn


def _child_fn(f: FieldSpec) -> DecodeFn:
    """The decoding function of a child field's class (resolved on first use)."""
    assert f.cls is not None
    if f.spec is None:
        f.spec = spec_of(f.cls)
    return decoder_for(f.spec)


def _simple(spec: ClassSpec) -> DecodeFn:
    template = spec.template
    cls = spec.cls
    text_field = spec.text
    assert text_field is not None and text_field.leaf is not None
    codec = text_field.leaf
    is_str = codec.kind == "str"
    parse, fmt, exact = codec.parse, codec.fmt, codec.exact
    has_required = bool(spec.required)

    def decode_simple(el: etree._Element, ctx: Decoder) -> Any:
        share = ctx.share
        d = template.copy()
        text = el.text
        if len(el):  # comments or processing instructions split the text: keep all of it
            text = ctx.no_children(el)
        if text is None:
            text = ""
        side = None
        if is_str:
            # one object per distinct short text (units, data types, IDs repeat a lot)
            d["value"] = share(text, text) if len(text) < 40 else text
        else:
            try:
                value = d["value"] = parse(text)
            except ValueError as exc:
                raise ctx.error(el, f"bad value in {_local(el.tag)}: {exc}") from None
            if not exact and fmt(value) != text:
                side = Side()
                side.add_lex("value", value, text)
        fs: set[str] = VALUE_ONLY
        if el.keys():  # cheaper than the ``attrib`` proxy's truth value
            fs = {"value"}
            side = ctx.attributes(el, spec, d, fs, side)
            fs = shared_fields_set(fs)
        if has_required:
            ctx.check_required(el, spec, fs)
        return decoded_instance(cls, d, fs, None if side is None else {"_wire": side})

    return decode_simple


#: how a complex class's loop decodes a child (``mode`` of its table entry)
_CLASS = 1  # a class-typed child: its compiled function
_LEAF = 2  # a simple-content class, inlined: text value, no attributes expected
_STR = 3  # a plain string leaf element (``xs:string``-typed, no class)
_OTHER = 4  # everything else: through the context (leaf values, nillable, not yet bound)


def _leaf_entry(f: FieldSpec) -> tuple[Any, ...] | None:
    """What the parent's loop needs to build a simple-content child itself, or None when
    that child's class must go through its own function (required attributes, lexical
    records). A nillable child without attributes is not nil."""
    if f.cls is None:
        return None
    if f.spec is None:
        f.spec = spec_of(f.cls)
    child = f.spec
    text = child.text
    if not child.simple or child.required or text is None or text.leaf is None:
        return None
    codec = text.leaf
    if codec.kind == "str":
        return (child.cls, child.template, None)
    if text.enum is not None and codec.exact:
        return (child.cls, child.template, {m.value: m for m in text.enum}.get)
    return None


def _complex(spec: ClassSpec) -> DecodeFn:
    template = spec.template
    cls = spec.cls
    lists = spec.lists
    #: the interned fields-set of each combination of set elements (bit ``1 << order``)
    by_mask: dict[int, SharedFieldsSet] = {}
    names = [f.name for f in spec.fields]
    required_mask = sum(1 << f.order for f in spec.required if f.kind == "E")
    has_required = bool(spec.required)
    required_attrs = any(f.kind != "E" for f in spec.required)
    #: tag -> (name, bit, order, many, mode, field, leaf class, leaf template, enum lookup)
    table: dict[Any, tuple[Any, ...]] = {}
    for tag, f in spec.elements.items():
        leaf = _leaf_entry(f)
        mode = (
            _LEAF
            if leaf is not None
            else _OTHER
            if f.nillable
            else _CLASS
            if f.cls is not None
            else _STR
            if f.leaf is not None and f.leaf.kind == "str"
            else _OTHER
        )
        table[tag] = (f.name, 1 << f.order, f.order, f.many, mode, f, *(leaf or (None,) * 3))
    table_get = table.get
    general = spec.ordered or spec.mixed
    #: extension elements come last: a known element after one is out of order
    ext = spec.ext_field
    ext_prefix = "{" + EXT_NS + "}" if ext is not None else None
    ext_order = ext.order if ext is not None else -1

    def fields_set(mask: int, fs: set[str] | None) -> SharedFieldsSet:
        """The interned fields-set of the elements in ``mask`` plus the names in ``fs``."""
        found = by_mask.get(mask) if fs is None else None
        if found is None:
            named = {names[i] for i in range(mask.bit_length()) if mask >> i & 1}
            if fs is not None:
                named |= fs
            found = shared_fields_set(named)
            if fs is None:
                by_mask[mask] = found
        return found

    def decode_complex(el: etree._Element, ctx: Decoder) -> Any:
        d = template.copy()
        for name in lists:
            d[name] = []
        #: names the rare paths set (attributes, extension and open content), else None
        fs: set[str] | None = None
        side: Side | None = None
        mask = 0
        if general:
            fs = set()
            side = ctx.general_children(el, spec, d, fs)
        else:
            text = el.text
            if text is not None and not text.isspace():
                raise ctx.error(el, f"unexpected text {text.strip()[:40]!r} in {_local(el.tag)}")
            last = -1
            prefix = el.prefix
            # one prefix per namespace in the whole document: a qualified child has its parent's
            check_prefix = not ctx.uniform_prefixes or prefix is None
            share = ctx.share
            # a list of the children is faster than lxml's iterator (the stubs lack slices)
            for child in el[:]:  # type: ignore[index]
                tail = child.tail  # text between children: element-only content has none
                if tail is not None and not tail.isspace():
                    raise ctx.text_error(el, tail)
                entry = table_get(child.tag)
                if entry is None:
                    if fs is None:
                        fs = set()
                    if isinstance(child.tag, str):
                        side = ctx.other_child(el, child, spec, d, fs, side)
                        if ext_prefix is not None and child.tag.startswith(ext_prefix):
                            last = ext_order
                    elif ctx.refs:  # an element decoded ahead by the streaming reader
                        ctx.ref_child(child, spec, d, fs)
                    continue  # comments and processing instructions are not data
                name, bit, order, many, mode, f, leaf_cls, leaf_template, members = entry
                if order < last:
                    raise ctx.order_error(el, child, spec, f, last)
                last = order
                if mode == _LEAF:
                    value = None
                    if not len(child) and not child.keys():
                        text = child.text
                        if members is not None:
                            text = members(text)
                        elif text is None:
                            text = ""
                        elif len(text) < 40:  # one object per distinct short text (memory)
                            text = share(text, text)
                        if text is not None:
                            ld = leaf_template.copy()
                            ld["value"] = text
                            value = decoded_instance(leaf_cls, ld, VALUE_ONLY, None)
                            if check_prefix and child.prefix != prefix:
                                ctx.keep_prefix(child, value)
                    if value is None:  # attributes (xsi:nil), comments, a bad value
                        side, value = ctx.child(child, f, d, side, prefix)
                elif mode == _CLASS:
                    value = (f.fn or bind(f))(child, ctx)
                    if check_prefix and child.prefix != prefix:
                        ctx.keep_prefix(child, value)
                elif mode == _STR and not len(child):
                    value = child.text or ""
                else:
                    side, value = ctx.child(child, f, d, side, prefix)
                if many:
                    d[name].append(value)
                elif mask & bit:
                    raise ctx.error(
                        child, f"{_local(child.tag)} may occur only once in {_local(el.tag)}"
                    )
                else:
                    d[name] = value
                mask |= bit
        if el.keys():
            if fs is None:
                fs = set()
            side = ctx.attributes(el, spec, d, fs, side)
        if fs is not None or mask & required_mask != required_mask or required_attrs:
            found = fields_set(mask, fs)
            if has_required:
                ctx.check_required(el, spec, found)
        else:
            found = by_mask.get(mask) or fields_set(mask, None)
        return decoded_instance(cls, d, found, None if side is None else {"_wire": side})

    return decode_complex


def bind(f: FieldSpec) -> DecodeFn:
    """Bind (once) and return the decoding function of a class-typed field."""
    fn: DecodeFn | None = f.fn
    if fn is None:
        fn = f.fn = _child_fn(f)
    return fn


def _local(tag: Any) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else str(tag)
