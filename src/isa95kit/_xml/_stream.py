"""Reading large documents without holding the whole lxml tree next to the model.

The document is parsed incrementally (``iterparse``, filtered in C to the tags of list
items: ``JobOrder``, ``MaterialLot``, …). Each such element is decoded as soon as it is
complete and replaced in the tree by a tiny placeholder, so the tree never holds more than
the current path and its unfinished siblings; parents pick the decoded items up in document
order. Peak memory is the model plus a small tree, instead of both in full.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import IO, Any

from .._gc import gc_paused
from .._source import _syntax_error, check_no_doctype
from ..model._base import B2MMLModel
from ._compile import decoder_for
from ._decode import Decoder, declared_on_root_only
from ._tables import ClassSpec, spec_of

__all__ = ["read_streaming"]

_AMBIGUOUS = object()
_PLANS: dict[type[B2MMLModel], dict[tuple[str, str], Any]] = {}


def _plan(root: type[B2MMLModel]) -> dict[tuple[str, str], Any]:
    """(parent tag, child tag) -> ClassSpec of every complex list item reachable from root."""
    plan = _PLANS.get(root)
    if plan is not None:
        return plan
    plan = {}
    seen: set[int] = set()
    todo: list[tuple[str, ClassSpec]] = [("", spec_of(root))]
    tags_of: dict[int, set[str]] = {}
    while todo:
        tag, spec = todo.pop()
        tags_of.setdefault(id(spec), set()).add(tag)
        first = id(spec) not in seen
        seen.add(id(spec))
        for f in spec.elements.values():
            if f.cls is None:
                continue
            if f.spec is None:
                f.spec = spec_of(f.cls)
            child = f.spec
            if f.many and _container(child):
                key = (tag, f.clark)
                old = plan.get(key)
                plan[key] = child if old is None or old is child else _AMBIGUOUS
            if first or f.clark not in tags_of.get(id(child), ()):
                todo.append((f.clark, child))
    _PLANS[root] = plan
    return plan


def _container(spec: ClassSpec) -> bool:
    """Worth decoding ahead: it holds lists of complex items (a JobOrder, not a Quantity)."""
    return not spec.simple and any(
        f.many and f.cls is not None and not spec_of(f.cls).simple for f in spec.elements.values()
    )


def _xmlns_count(stream: str | IO[bytes]) -> int:
    """How often ``xmlns`` occurs in the document's bytes (read in 1 MiB chunks, a few
    milliseconds per 100 MB): see :func:`~._decode.uniform_prefixes`."""
    count = 0
    carry = b""  # the last 4 bytes: a match across a chunk border is counted once
    fh = open(stream, "rb") if isinstance(stream, str) else stream  # noqa: SIM115
    try:
        fh.seek(0)
        while chunk := fh.read(1 << 20):
            buf = carry + chunk
            count += buf.count(b"xmlns")
            carry = buf[-4:]
    finally:
        if fh is not stream:
            fh.close()
    return count


def read_streaming(
    stream: str | IO[bytes],
    decoder: Decoder,
    root_class: Callable[[Any], type[B2MMLModel]],
) -> tuple[B2MMLModel, Any]:
    """Decode a whole document incrementally; return (instance, root element)."""
    from lxml import etree

    hardened = {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
    }
    # the root element first (one start event), to know which tags to stream
    first = etree.iterparse(stream, events=("start",), **hardened)
    try:
        _, head = next(iter(first))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, decoder.file) from None
    check_no_doctype(head.getroottree(), decoder.file)
    cls = root_class(head)
    decoder.uniform_prefixes = declared_on_root_only(head, _xmlns_count(stream))
    del first, head
    if not isinstance(stream, str):
        stream.seek(0)
    plan = _plan(cls)
    tags = sorted({child for _, child in plan})
    refs = decoder.refs
    target = decoder.ref_target = f"isa95kit-ref-{secrets.token_hex(6)}"
    make_pi = etree.ProcessingInstruction
    context = etree.iterparse(stream, events=("end",), tag=tags or None, **hardened)
    try:
        with gc_paused():
            for _, el in context:
                parent_el = el.getparent()
                if parent_el is None:
                    continue
                spec = plan.get(
                    (parent_el.tag if parent_el.getparent() is not None else "", el.tag)
                )
                if spec is None or spec is _AMBIGUOUS:
                    continue  # decoded with its parent (ambiguous pairs are rare)
                value = decoder_for(spec)(el, decoder)
                if el.prefix != parent_el.prefix:
                    decoder.keep_prefix(el, value)
                parent_el.replace(el, make_pi(target, str(len(refs))))
                refs.append((el.tag, value))
            root = context.root
            result = decoder_for(spec_of(cls))(root, decoder)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, decoder.file) from None
    refs.clear()
    return result, root
