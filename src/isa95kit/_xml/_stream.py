"""Reading large documents without holding the whole lxml tree next to the model.

The document is parsed incrementally (``iterparse``, filtered in C to the tags of list
items: ``JobOrder``, ``MaterialLot``, …). Each such element is decoded as soon as it is
complete and replaced in the tree by a tiny placeholder, so the tree never holds more than
the current path and its unfinished siblings; parents pick the decoded items up in document
order. Peak memory is the model plus a small tree, instead of both in full.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from .._gc import gc_paused
from .._source import _syntax_error, check_no_doctype
from ..model._base import B2MMLModel
from ._compile import decoder_for
from ._decode import Decoder, declared_on_root_only
from ._tables import ClassSpec, spec_of

if TYPE_CHECKING:
    from ..versions._migrate_report import MigrationReport
    from ..versions._migrate_tree import UpMigration

from ..versions._migrate_stream import ItemResolver, Resolved, SubstitutedReader

__all__ = ["MigratingStream", "read_streaming", "read_streaming_migrated"]

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


def _outside(root: type[B2MMLModel], wanted: str) -> frozenset[str]:
    """The child tags of the plan's items (see :func:`_plan`) that can occur outside every
    ``wanted`` element below ``root``: what ``iter_xml`` has to take besides the wanted
    elements (the others are migrated and decoded with the wanted element they are in)."""
    key = (root, wanted)
    found = _OUTSIDE.get(key)
    if found is not None:
        return found
    plan = _plan(root)
    out: set[str] = set()
    seen: set[tuple[str, int]] = set()
    todo: list[tuple[str, ClassSpec]] = [("", spec_of(root))]
    while todo:
        tag, spec = todo.pop()
        for f in spec.elements.values():
            if f.cls is None or f.clark == wanted:
                continue
            if (tag, f.clark) in plan:
                out.add(f.clark)
            child = spec_of(f.cls)
            if (f.clark, id(child)) not in seen:
                seen.add((f.clark, id(child)))
                todo.append((f.clark, child))
    found = _OUTSIDE[key] = frozenset(out)
    return found


_OUTSIDE: dict[tuple[type[B2MMLModel], str], frozenset[str]] = {}


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


# ------------------------------------------------------------- older releases, migrated


class MigratingStream:
    """The incremental parse of an older release's document, migrated item by item.

    The bytes are read through the namespace substitution (``SubstitutedReader``); every
    completed element that is a list item of the V0701 plan (or a wanted ``iter_xml``
    element) is migrated alone under its context (``UpMigration.item``), handed to the
    caller, and replaced by a placeholder that keeps its source name and V0701 order, so
    the rest of the tree migrates as the whole tree would (``UpMigration.root``).
    """

    def __init__(
        self,
        stream: str | IO[bytes],
        decoder: Decoder,
        migration: UpMigration,
        private: bytes,
        *,
        collapse: bool = False,
    ) -> None:
        self.stream = stream
        self.decoder = decoder
        self.migration = migration
        self.private = private
        #: ``iter_xml``: the items are not decoded into their parents, so a placeholder
        #: stands for the run of same-named ones before it (:meth:`_collapse`)
        self.collapse = collapse
        self._count = 0
        #: placeholder index -> (source name, V0701 order), beside ``decoder.refs``
        self.meta: dict[int, tuple[str, int]] = {}
        self.root: Any = None  # the document's root, once parsing has met it
        self.resolver: ItemResolver | None = None
        decoder.ref_target = f"isa95kit-ref-{secrets.token_hex(6)}"
        migration.rec.placeholder = self._placeholder
        from lxml import etree

        self._make_pi = etree.ProcessingInstruction

    def _reader(self) -> SubstitutedReader:
        return SubstitutedReader(self.stream, self.migration.t.release, self.private)

    def _placeholder(self, node: Any) -> tuple[str, int] | None:
        index = self.decoder.ref_index(node)
        return None if index is None else self.meta[index]

    def head(self) -> Any:
        """The root element (its start tag only), renamed to its V0701 name."""
        from lxml import etree

        reader = self._reader()
        try:
            first = etree.iterparse(reader, events=("start",), **_HARDENED)
            _, head = next(iter(first))
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc, self.decoder.file) from None
        finally:
            reader.close()
        check_no_doctype(head.getroottree(), self.decoder.file)
        local = self.migration.begin(head)
        self.migration.rec.names.clear()  # the head's tree is not the one parsed next
        head.tag = head.tag[: head.tag.index("}") + 1] + local
        self.resolver = ItemResolver(self.migration.t.release, self.migration.root_ctx, head.tag)
        return head

    def items(self, tags: set[str]) -> Iterator[tuple[Any, Any, Resolved]]:
        """(element, parent, resolution) of every completed element of the source ``tags``
        the migration can place (see ``ItemResolver.resolve``); the caller migrates the
        ones it takes (:meth:`take`). The root is in :attr:`root` at the end."""
        from lxml import etree

        assert self.resolver is not None
        resolve = self.resolver.resolve
        reader = self._reader()
        context = etree.iterparse(reader, events=("end",), tag=sorted(tags) or None, **_HARDENED)
        try:
            for _, el in context:
                parent = el.getparent()
                if parent is None:
                    continue
                if self.root is None:
                    self._name_root(el.getroottree().getroot())
                hit = resolve(el, parent)
                if hit is not None:
                    yield el, parent, hit
            if self.root is None:
                self._name_root(context.root)
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc, self.decoder.file) from None
        finally:
            reader.close()

    def _name_root(self, root: Any) -> None:
        self.root = root
        report = self.migration.report
        if report.source_root != self.migration.root_local:
            self.migration.rec.names[root] = report.source_root

    def take(self, el: Any, hit: Resolved) -> None:
        """Migrate the item ``el`` alone (before its parent)."""
        self._since = len(self.migration.rec.names)
        self._norder = self.migration.item(el, hit[0]) if hit[3] else 0

    _norder = 0
    _since = 0

    def replace(self, el: Any, parent: Any, source: str, value: Any) -> None:
        """Put the placeholder of the item ``el`` (taken, decoded as ``value``; ``source``:
        its source name) in its place; what the migration recorded inside it goes."""
        if self.collapse:
            index = self._count
            self._count += 1
        else:
            index = len(self.decoder.refs)
            self.decoder.refs.append((el.tag, value))
        pi = self._make_pi(self.decoder.ref_target, str(index))
        el.clear(keep_tail=True)  # (freed now: replace() need not walk the subtree)
        parent.replace(el, pi)
        self.meta[index] = (source, self._norder)
        self.migration.rec.forget_inside(el, pi, self._since)
        if self.collapse:
            self._collapse(pi, source)

    def _collapse(self, pi: Any, source: str) -> None:
        """Remove the placeholder of the same source name among the few placeholders just
        before ``pi``; ``pi`` takes over its position (the recorder's memo of positions
        among same-named siblings), so what the migration of the rest reports, paths
        included, is what the whole tree gives, and ``iter_xml`` holds one placeholder
        per list instead of one per item."""
        rec = self.migration.rec
        node = pi.getprevious()
        for _ in range(8):
            index = None if node is None else self.decoder.ref_index(node)
            if index is None:
                return
            if self.meta[index][0] == source:
                before = rec.positions.pop(node, None)
                if before is None:
                    before = rec.position(node, source)
                    rec.positions.pop(node, None)
                rec.positions[pi] = before + 1
                node.getparent().remove(node)
                del self.meta[index]
                return
            node = node.getprevious()

    def finish(self) -> MigrationReport:
        """Migrate what is left of the tree (the root, with the placeholders)."""
        return self.migration.root(self.root)


_HARDENED: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}


def read_streaming_migrated(
    stream: str | IO[bytes],
    decoder: Decoder,
    root_class: Callable[[Any], type[B2MMLModel]],
    migration: UpMigration,
    private: bytes,
) -> tuple[B2MMLModel, Any]:
    """:func:`read_streaming` of an older release: each list item is migrated, then
    decoded, as it completes; the report is ``migration.report``."""
    parse = MigratingStream(stream, decoder, migration, private)
    cls = root_class(parse.head())
    decoder.uniform_prefixes = False  # as the tree path (its source is the migrated tree)
    plan = _plan(cls)
    assert parse.resolver is not None
    tags = parse.resolver.source_tags({child for _, child in plan})
    with gc_paused():
        for el, parent, hit in parse.items(tags):
            spec = plan.get((hit[1], hit[2]))
            if spec is None or spec is _AMBIGUOUS:
                continue  # decoded with its parent
            source = el.tag
            parse.take(el, hit)
            value = decoder_for(spec)(el, decoder)
            if el.prefix != parent.prefix:
                decoder.keep_prefix(el, value)
            parse.replace(el, parent, source[source.index("}") + 1 :], value)
        parse.finish()
        root = parse.root
        result = decoder_for(spec_of(cls))(root, decoder)
    decoder.refs.clear()
    return result, root
