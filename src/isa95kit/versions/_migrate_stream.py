"""The pieces of the up-migration the streaming readers need (``_xml/_stream.py``).

- :func:`scan_release`: which older release a document declares, read in blocks (what
  :func:`~._migrate_tree.declared_release` tells from the whole bytes);
- :class:`SubstitutedReader`: the document's bytes with the namespace declarations changed
  to V0701's as :func:`~._migrate_tree.substitute_namespaces` changes them, block by block;
- :class:`ItemResolver`: the context of a completed element from its ancestors' source
  names, so the element can be migrated alone (``UpMigration.item``).
"""

from __future__ import annotations

import re
from typing import IO, Any

from ._migrate_tree import (
    _DECLARATION,
    _OLDER,
    _RELEASE_OF,
    _V0701_DECLARED,
    _V7,
    Tables,
    tables,
)
from ._model import B2MMLVersion

__all__ = ["ItemResolver", "Resolved", "SubstitutedReader", "scan_release"]

#: see :meth:`ItemResolver.resolve`
Resolved = tuple[int, str, str, bool, tuple[str, ...]]

#: longest declaration the substitution may meet across a block border
_OVERLAP = 4096
_BLOCK = 1 << 20
_PRIVATE = re.compile(rb"xmlns:(" + b"|".join(v.value.lower().encode() for v in _OLDER) + rb")(_*)")


def _open(stream: str | IO[bytes]) -> tuple[IO[bytes], bool]:
    if isinstance(stream, str):
        return open(stream, "rb"), True
    stream.seek(0)
    return stream, False


def scan_release(stream: str | IO[bytes]) -> tuple[B2MMLVersion, bytes] | None:
    """(older release, private prefix for its carried pieces) of a document, read in
    blocks: the same answer as ``declared_release`` and ``substitute_namespaces`` give
    from the whole bytes; None for a document read as V0701."""
    fh, owned = _open(stream)
    first: B2MMLVersion | None = None
    underscores: dict[bytes, int] = {}
    carry = b""
    try:
        while block := fh.read(_BLOCK):
            buf = carry + block
            carry = buf[-_OVERLAP:]
            if b"xmlns" not in buf:  # (no declaration: one fast scan instead of three regexes)
                continue
            if _V0701_DECLARED.search(buf):
                return None
            if first is None:
                hit = _DECLARATION.search(buf)
                if hit is not None:
                    first = _RELEASE_OF[hit.group(3)]
            for m in _PRIVATE.finditer(buf):
                name = m.group(1)
                underscores[name] = max(underscores.get(name, -1), len(m.group(2)))
    finally:
        if owned:
            fh.close()
    if first is None:
        return None
    base = first.value.lower().encode()
    return first, base + b"_" * (underscores.get(base, -1) + 1)


class SubstitutedReader:
    """A binary file object over ``stream`` whose namespace declarations of ``release``
    (and its extension namespace) declare V0701's: the first one also declares the
    release's own under ``private`` (see ``substitute_namespaces``)."""

    def __init__(self, stream: str | IO[bytes], release: B2MMLVersion, private: bytes) -> None:
        self._fh, self._owned = _open(stream)
        self._own = release.namespace.encode()
        self._private = private
        self._first = True
        self._pending = b""  # substituted, handed out from ``_at`` on
        self._at = 0
        self._carry = b""  # read, not yet substituted (a declaration may continue)
        self._eof = False

    def _swap(self, m: re.Match[bytes]) -> bytes:
        if m.group(3) != self._own:
            return m.group(0)
        uri = _V7[1:-1].encode() + (b"-AllExtensions" if m.group(4) else b"")
        out = m.group(1) + m.group(2) + uri + m.group(2)
        if self._first:
            self._first = False
            out += b" xmlns:" + self._private + b'="' + self._own + b'"'
        return out

    def _fill(self) -> None:
        block = self._fh.read(_BLOCK)
        buf = self._carry + block
        if not block:
            self._eof = True
            cut = len(buf)
        else:
            cut = max(0, len(buf) - _OVERLAP)
        out: list[bytes] = []
        at = 0
        for m in _DECLARATION.finditer(buf) if b"xmlns" in buf else ():
            if m.start() >= cut:
                break
            out.append(buf[at : m.start()])
            out.append(self._swap(m))
            at = m.end()
        at_cut = max(at, cut)
        out.append(buf[at:at_cut])
        self._carry = buf[at_cut:]
        self._pending += b"".join(out)

    def read(self, size: int = -1) -> bytes:
        pending = self._pending
        at = self._at
        while not self._eof and (size < 0 or len(pending) - at < size):
            self._pending = pending[at:]
            self._at = at = 0
            self._fill()
            pending = self._pending
        end = len(pending) if size < 0 else at + size
        self._at = min(end, len(pending))
        return pending[at:end]

    def close(self) -> None:
        if self._owned:
            self._fh.close()


class ItemResolver:
    """Where a completed element of the source stands in the migration, from the source
    names of its ancestors (cached per path).

    :meth:`resolve` gives ``(parent context, V0701 parent tag or "" under the root, V0701
    tag, visited, V0701 tags of the ancestors from the root)``, or None for an element the
    migration leaves to its parent (carried, unknown, extension content). ``visited``: the
    tree migration would reach it (no clean context above it skipped its subtree); an
    element not visited keeps its names."""

    def __init__(self, release: B2MMLVersion, root_ctx: int, root_tag: str) -> None:
        self.t: Tables = tables(release)
        self.root_ctx = root_ctx
        self.root_tag = root_tag
        self._cache: dict[tuple[str, ...], Resolved | None] = {}
        #: parent element -> its children's resolutions by tag (the siblings of a list
        #: share one walk of the ancestors); a few parents at a time
        self._by_parent: dict[Any, dict[str, Resolved | None]] = {}

    def resolve(self, el: Any, parent: Any) -> Resolved | None:
        """See the class; ``parent``: ``el``'s parent element."""
        children = self._by_parent.get(parent)
        if children is None:
            if len(self._by_parent) >= 32:
                self._by_parent.clear()  # (it holds the parents, and so their subtrees)
            children = self._by_parent[parent] = {}
        tag = el.tag
        if tag in children:
            return children[tag]
        path = (*[a.tag for a in parent.iterancestors()][::-1], parent.tag, tag)
        if path in self._cache:
            hit = self._cache[path]
        else:
            hit = self._cache[path] = self._walk(path)
        children[tag] = hit
        return hit

    def _walk(self, path: tuple[str, ...]) -> Resolved | None:
        contexts = self.t.contexts
        clean = self.t.clean
        ctx = self.root_ctx
        parent_tag = ""
        visited = True
        steps = path[1:]  # from the root's child down
        v0701 = [self.root_tag]
        for depth, tag in enumerate(steps):
            if not isinstance(tag, str) or not tag.startswith(_V7) or ctx < 0:
                return None
            entry = contexts[ctx][4].get(tag[len(_V7) :])
            if entry is None or not entry[0]:
                return None  # unknown or carried: its parent's migration handles it
            if depth == len(steps) - 1:
                return ctx, parent_tag, _V7 + entry[0], visited, tuple(v0701)
            visited = visited and not clean[entry[1]] if entry[1] >= 0 else False
            parent_tag = _V7 + entry[0]
            v0701.append(parent_tag)
            ctx = entry[1]
        return None

    def source_tags(self, wanted: set[str]) -> set[str]:
        """The source tags (in V0701's namespace, as substituted) of elements some context
        renames to one of the V0701 tags ``wanted``."""
        out: set[str] = set()
        for ctx in self.t.contexts:
            for old, entry in ctx[4].items():
                if entry[0] and _V7 + entry[0] in wanted:
                    out.add(_V7 + old)
        return out
