"""Migration as an lxml tree transform driven by the generated rule tables.

Up (older release -> V0701): every element of the old namespace is renamed in place to its
V0701 name in that context (``versions/_migrate_v*.py``), code-list values V0701 lacks are
mapped, children are put in V0701's order, and the pieces V0701 has no place for are
*carried*: left verbatim in their release's namespace (the XML reader keeps them in the side
record, the writer puts them back). Down (V0701 -> older) is the inverse, from the same tables:
carried pieces take their old place again, V0701 content the older release cannot express is
dropped and reported.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from ..errors import EncodeError, Location, MappingError
from ._migrate_report import MigrationChange, MigrationReport
from ._model import B2MMLVersion

__all__ = ["Tables", "UpMigration", "down_tree", "tables", "up_migration", "up_tree"]

V0701_NS = "http://www.mesa.org/xml/B2MML"
V0701_EXT = V0701_NS + "-AllExtensions"
OTHER_VALUE = "OtherValue"


class Tables:
    """The rule tables of one older release, with the reverse (down) tables derived once."""

    def __init__(self, release: B2MMLVersion) -> None:
        mod = importlib.import_module(f"{__package__}._migrate_{release.value.lower()}")
        self.release = release
        self.ns: str = mod.NAMESPACE
        self.ext: str = mod.EXT_NAMESPACE
        self.roots: dict[str, tuple[str, int]] = mod.ROOTS
        self.contexts: list[Any] = mod.CONTEXTS
        self._down: dict[int, dict[str, tuple[Any, ...]]] = {}
        self._up: dict[int, tuple[dict[str, tuple[bool, int, int]], bool, list[bool]]] = {}
        self._capped = [_capped(c) for c in self.contexts]
        self.clean: list[bool] = _clean_unless_capped(self.contexts, self._capped)
        self.down_roots: dict[str, list[tuple[str, int]]] = {}
        for old, (new, ctx) in self.roots.items():
            options = self.down_roots.setdefault(new, [])
            options.insert(0, (old, ctx)) if old == new else options.append((old, ctx))

    def capped(self, i: int) -> frozenset[str] | None:
        """The (V0701-namespaced) old tags of context i that the old release repeats but
        V0701 holds once (the second and later copies are carried), or None."""
        return self._capped[i]

    def up_plan(self, i: int) -> tuple[dict[str, tuple[bool, int, int]], bool, list[bool]]:
        """Context i going up: (V0701-namespaced old tag -> (no rule, child context, V0701
        order), whether the order is the same, the clean flags of all contexts)."""
        plan = self._up.get(i)
        if plan is None:
            ctx = self.contexts[i]
            table = {
                _V7 + old: (not how and values is None and bool(new), child, norder)
                for old, (new, child, _oo, norder, how, values, _d) in ctx[4].items()
            }
            by_old = [e[3] for e in sorted(ctx[4].values(), key=lambda e: e[2]) if e[0]]
            if ctx[2] >= 0:
                by_old.append(ctx[3])
            monotone = by_old == sorted(by_old)
            plan = self._up[i] = (table, monotone, self.clean)
        return plan

    def down(self, i: int) -> dict[str, tuple[Any, ...]]:
        """V0701 child element -> (old element, context, old order, values, down) of context i."""
        rev = self._down.get(i)
        if rev is None:
            rev = {}
            ctx = self.contexts[i]
            for old, (new, child, oorder, _no, how, values, down) in ctx[4].items():
                if new and (new not in rev or how == ""):
                    renamed = {v: k for k, (v, o) in (values or {}).items() if v and o is None}
                    others = frozenset(o for v, o in (values or {}).values() if o is not None)
                    back = (renamed, others) if renamed or others else None
                    rev[new] = (old, child, oorder, back, down)
            for new, old in ctx[6].items():
                rev[new] = (old, *rev[ctx[4][old][0]][1:3], None, None)
            self._down[i] = rev
        return rev


def _capped(ctx: tuple[Any, ...]) -> frozenset[str] | None:
    # generated from the V0701 bundle: importing the model for it cost ~1 s per process
    from ._migrate_v0701_once import ONCE

    once = ONCE.get(ctx[1])
    if once is None:
        return None
    old_once = set(ctx[8])
    capped = frozenset(
        _V7 + old for old, (new, *_rest) in ctx[4].items() if new in once and old not in old_once
    )
    return capped or None


def _clean_unless_capped(contexts: list[Any], capped: list[frozenset[str] | None]) -> list[bool]:
    """The generated clean flags, made False where a context (or one below it) repeats an
    element V0701 holds once: its subtree has to be visited going up."""
    clean = [bool(c[9]) and capped[i] is None for i, c in enumerate(contexts)]
    changed = True
    while changed:
        changed = False
        for i, c in enumerate(contexts):
            if clean[i] and any(e[1] >= 0 and not clean[e[1]] for e in c[4].values()):
                clean[i] = False
                changed = True
    return clean


@cache
def tables(release: B2MMLVersion) -> Tables:
    return Tables(release)


@cache
def every_element_tables(release: B2MMLVersion) -> Tables:
    """``release``'s tables with no subtree skipped going up: for a document of an older
    release read through them (B2MML V0400 as V0401), whose elements ``release`` does not
    know are carried and reported wherever they are."""
    t = Tables(release)
    t.clean = [False] * len(t.contexts)
    return t


def _local(tag: str) -> str:
    return tag[tag.index("}") + 1 :] if tag[:1] == "{" else tag


def path_of(el: Any, names: Any = None) -> str:
    """Positional XPath of local names, ``/A[1]/B[2]`` (the element's place in its document).

    ``names`` (a :class:`_Recorder`) gives the source names of elements renamed already and
    of the streaming reader's placeholders: positions count the siblings of the same source
    name, so a path is the same whether the tree was migrated whole or item by item."""
    parts: list[str] = []
    while el is not None:
        parent = el.getparent()
        if names is None:
            name = _local(el.tag)
            n = 1
            if parent is not None:
                for sib in parent.iterchildren(el.tag):
                    if sib is el:
                        break
                    n += 1
        else:
            name = names.name_of(el)
            n = 1 if parent is None else names.position(el, name)
        parts.append(f"{name}[{n}]")
        el = parent
    return "/" + "/".join(reversed(parts))


class _Recorder:
    """Collects changes: rules counted per kind and rule (the first place by line kept),
    pieces one by one (listed by line)."""

    def __init__(self, report: MigrationReport) -> None:
        self.report = report
        self.counts: dict[tuple[str, str], list[Any]] = {}
        #: source names of the elements renamed so far (paths are given in source terms)
        self.names: dict[Any, str] = {}
        #: the streaming reader's placeholders: node -> (source name, V0701 order) or None
        self.placeholder: Callable[[Any], tuple[str, int] | None] | None = None
        #: positions among same-named siblings computed so far (see :meth:`position`)
        self.positions: dict[Any, int] = {}

    def source_name(self, node: Any) -> str | None:
        """The name a (renamed) element or a placeholder had in the source document."""
        name = self.names.get(node)
        if name is None and self.placeholder is not None and not isinstance(node.tag, str):
            hit = self.placeholder(node)
            return hit[0] if hit is not None else None
        return name

    def name_of(self, node: Any) -> str | None:
        tag = node.tag
        return self.source_name(node) or (_local(tag) if isinstance(tag, str) else None)

    def position(self, el: Any, name: str | None) -> int:
        """1 + the preceding siblings of the same source name: walked back to the nearest
        sibling whose position is known (memo), so a long list is counted once."""
        known = self.positions
        n = 1
        walked = 0
        for sib in el.itersiblings(preceding=True):
            walked += 1
            if self.name_of(sib) == name:
                hit = known.get(sib)
                if hit is not None:
                    n += hit
                    break
                n += 1
        if walked > 16:  # in a long list: remembered (short walks cost less than the memo)
            known[el] = n
        return n

    def forget_inside(self, item: Any, placeholder: Any, since: int) -> None:
        """The streaming reader replaced ``item`` by ``placeholder``: the source names
        recorded since the item's migration began (``since``: how many there were; all of
        them inside it) go, and so, now and then, do the positions known of detached
        elements (their elements are freed); the item's own position moves to the
        placeholder."""
        names = self.names
        while len(names) > since:
            names.popitem()
        known = self.positions
        if known:
            own = known.pop(item, None)
            if len(known) > self._prune_at:
                top = _top(placeholder)
                for node in [k for k in known if _top(k) is not top]:
                    del known[node]
                self._prune_at = max(64, 2 * len(known))
            if own is not None:
                known[placeholder] = own

    _prune_at = 64

    def rule(self, kind: str, rule: str, el: Any) -> None:
        hit = self.counts.get((kind, rule))
        if hit is None:
            self.counts[(kind, rule)] = [path_of(el, self), el.sourceline, 1]
        else:
            hit[2] += 1
            line = el.sourceline
            # the streaming reader migrates inner items before their parents: the first
            # place is the earliest line whatever the order the rule was met in
            if line is not None and (hit[1] is None or line < hit[1]):
                hit[0], hit[1] = path_of(el, self), line

    def piece(self, kind: str, rule: str, el: Any, path: str | None = None) -> None:
        self.report.changes.append(
            MigrationChange(kind, rule, path or path_of(el, self), el.sourceline)  # type: ignore[arg-type]
        )

    def finish(self, by_line: bool = False) -> None:
        rules = [
            MigrationChange(kind, rule, p, line, n)  # type: ignore[arg-type]
            for (kind, rule), (p, line, n) in self.counts.items()
        ]
        if by_line:  # document order, whichever order the items were migrated in
            rules.sort(key=_line)
            self.report.changes.sort(key=_line)
        self.report.changes[:0] = rules


def _top(node: Any) -> Any:
    """The outermost ancestor of ``node`` (the root, unless it was taken out of the tree)."""
    top = node
    for top in node.iterancestors():  # noqa: B007
        pass
    return top


def _line(change: MigrationChange) -> int:
    return change.line or 0


def _renames(el: Any, moves: dict[str, str]) -> None:
    """Move an element and its descendants of each namespace ``old`` to ``new``
    (``moves = {old: new}``; none: only rebuilt).

    The subtree is rebuilt in place so that its names take the prefixes in scope: the
    writer may have declared the document's prefix for ``old`` on the element itself, and
    renaming under that declaration made lxml invent ``ns0`` (a different prefix on every
    write-back of a V0600 extension)."""
    from lxml import etree

    prefixes = {"{" + old + "}": "{" + new + "}" for old, new in moves.items()}

    def renamed(tag: str) -> str:
        for old, new in prefixes.items():
            if tag.startswith(old):
                return new + tag[len(old) :]
        return tag

    def rebuild(source: Any, parent: Any) -> Any:
        # the declarations of other namespaces the piece makes itself are kept (a vendor
        # element inside a carried V0401 <Any> keeps its prefix)
        scope = parent.nsmap
        own = {
            p: u
            for p, u in source.nsmap.items()
            if u not in moves and scope.get(p) != u and p is not None
        }
        copy = etree.SubElement(parent, renamed(source.tag), dict(source.attrib), nsmap=own or None)
        copy.text, copy.tail = source.text, source.tail
        for child in list(source):
            if isinstance(child.tag, str):
                rebuild(child, copy)
            else:  # a comment or processing instruction
                copy.append(child)
        return copy

    parent = el.getparent()
    if parent is None:
        for node in el.iter():
            if isinstance(node.tag, str):
                node.tag = renamed(node.tag)
        return
    parent.replace(el, rebuild(el, parent))


def _reorder(el: Any, keys: list[int]) -> None:
    """Stable sort of the children by ``keys`` (when they are out of order)."""
    if keys != sorted(keys):  # (one C pass; sorted() is stable)
        children = list(el)
        order = sorted(range(len(children)), key=keys.__getitem__)
        el[:] = [children[i] for i in order]


def _rebuild_root(root: Any, nsmap: dict[str | None, str]) -> Any:
    """A copy of ``root`` declaring ``nsmap`` (lxml cannot change declarations in place), the
    children moved under it."""
    from lxml import etree

    new = etree.Element(root.tag, dict(root.attrib), nsmap=nsmap)  # type: ignore[arg-type]
    new.text = root.text
    new.extend(list(root))
    parent = root.getparent()
    if parent is not None:
        parent.replace(root, new)
    return new


def _swap_nsmap(nsmap: dict[str | None, str], swap: dict[str, str]) -> dict[str | None, str]:
    return {p: swap.get(u, u) for p, u in nsmap.items()}


# ------------------------------------------------------------------------------------- up


_OLDER = (
    B2MMLVersion.V0401,
    B2MMLVersion.V0500,
    B2MMLVersion.V0600,
    B2MMLVersion.V0601,
)
_DECLARATION = re.compile(
    rb"""(\sxmlns(?::[A-Za-z_][-\w.]*)?\s*=\s*)(["'])("""
    + b"|".join(re.escape(v.namespace.encode()) for v in _OLDER)
    + rb""")(-AllExtensions)?\2"""
)
_RELEASE_OF = {v.namespace.encode(): v for v in _OLDER}
_V0701_DECLARED = re.compile(
    rb"""\sxmlns(?::[A-Za-z_][-\w.]*)?\s*=\s*(["'])""" + re.escape(V0701_NS.encode()) + rb"\1"
)
_STEM = b"/xml/B2MML-V0"  # in every older release's namespace (wbf.org and mesa.org)
_AROUND = [(ns, ns.index(_STEM)) for ns in _RELEASE_OF]


def _names_an_older_release(data: bytes) -> bool:
    """Whether an older release's namespace occurs in ``data``: one scan for the stem they
    share (a V0701 document has none), not one scan per release."""
    at = data.find(_STEM)
    while at >= 0:
        if any(data.startswith(ns, at - off) for ns, off in _AROUND if at >= off):
            return True
        at = data.find(_STEM, at + 1)
    return False


def declared_release(data: bytes) -> B2MMLVersion | None:
    """The older release whose namespace the document declares first, if any (None for a
    document declaring V0701's namespace: pieces it carries keep their release's)."""
    if not _names_an_older_release(data):
        return None
    if _V0701_DECLARED.search(data):
        return None
    hit = _DECLARATION.search(data)
    return _RELEASE_OF[hit.group(3)] if hit else None


def substitute_namespaces(data: bytes, release: B2MMLVersion) -> bytes:
    """The document with ``release``'s namespace declarations (and its extension namespace's)
    declaring V0701's instead, prefixes kept; the first one also declares the release's own
    namespace under a private prefix, for the pieces V0701 cannot hold. A namespace is a
    declaration: changing it is a rename of the declaration, done before parsing so the tree
    is built in V0701's namespace at no cost (attribute values and text are not touched)."""
    own = release.namespace.encode()
    private = release.value.lower().encode()
    while b"xmlns:" + private in data:  # the document's own prefix: take another
        private += b"_"
    first = [True]

    def swap(m: re.Match[bytes]) -> bytes:
        if m.group(3) != own:
            return m.group(0)  # another older release (a wrapper's?): left alone
        uri = V0701_NS.encode() + (b"-AllExtensions" if m.group(4) else b"")
        out = m.group(1) + m.group(2) + uri + m.group(2)
        if first[0]:
            first[0] = False
            out += b" xmlns:" + private + b'="' + own + b'"'
        return out

    return _DECLARATION.sub(swap, data)


class UpMigration:
    """One up-migration of a document of ``release`` whose namespace declarations
    :func:`substitute_namespaces` changed to V0701: its tables, recorder and report.

    The migration is per context, so a completed list item can be migrated alone
    (:meth:`item`, by the streaming reader) before the rest of the tree (:meth:`root`)."""

    def __init__(
        self,
        release: B2MMLVersion,
        *,
        strict: bool,
        file: str | None,
        every_element: bool = False,
    ) -> None:
        self.t = every_element_tables(release) if every_element else tables(release)
        self.strict = strict
        self.file = file
        self.report = MigrationReport(release, B2MMLVersion.V0701)
        self.rec = _Recorder(self.report)
        self.root_ctx = -1
        self.root_local = ""

    def begin(self, root: Any) -> str:
        """Check the B2MML root and record its rules; return its V0701 local name."""
        t, rec = self.t, self.rec
        local = _local(root.tag)
        self.report.source_root = local
        hit = t.roots.get(local) if root.tag.startswith(_V7) else None
        if hit is None:
            raise MappingError(
                f"<{local}> is a {t.release} element V0701 has no counterpart for",
                location=Location(file=self.file, line=root.sourceline, path=f"/{local}[1]"),
            )
        new_local, self.root_ctx = hit
        rec.rule("namespace", f"{t.ns} -> {V0701_NS}", root)
        if new_local != local:
            rec.rule("rename", f"{local} -> {new_local}", root)
            rec.names[root] = local
        self.root_local = new_local
        return new_local

    def item(self, el: Any, parent_ctx: int) -> int:
        """Migrate a list item (its parent's step for it, then its subtree) before its
        parent; return its V0701 order (the parent's sort key for its placeholder)."""
        table, _monotone, clean = self.t.up_plan(parent_ctx)
        fast, child_ctx, norder = table[el.tag]
        if not fast:
            _up_rule(el, parent_ctx, self.t, self.rec)
        if child_ctx >= 0 and not clean[child_ctx] and len(el):
            _up(el, child_ctx, self.t, self.rec, self.strict, self.file)
        return norder

    def root(self, root: Any) -> MigrationReport:
        """Migrate the rest of the tree under the root; return the finished report."""
        root.tag = _V7 + self.root_local
        _up(root, self.root_ctx, self.t, self.rec, self.strict, self.file)
        self.rec.finish(by_line=True)
        return self.report


def up_migration(
    root: Any,
    release: B2MMLVersion,
    *,
    strict: bool,
    file: str | None,
    every_element: bool = False,
) -> UpMigration:
    """Migrate the B2MML element ``root`` (see :func:`up_tree`); the migration keeps the
    source names (for the paths of what the decoder reports)."""
    migration = UpMigration(release, strict=strict, file=file, every_element=every_element)
    migration.begin(root)
    migration.root(root)
    return migration


def up_tree(
    root: Any,
    release: B2MMLVersion,
    *,
    strict: bool,
    file: str | None,
    every_element: bool = False,
) -> tuple[Any, MigrationReport]:
    """Migrate the B2MML element ``root`` of a document of ``release`` whose namespace
    declarations :func:`substitute_namespaces` changed to V0701: rename, map values, reorder,
    carry. Returns (root, report); ``every_element``: see :func:`every_element_tables`."""
    migration = up_migration(root, release, strict=strict, file=file, every_element=every_element)
    return root, migration.report


_V7 = "{" + V0701_NS + "}"
_V7_EXT = "{" + V0701_EXT + "}"


def _up(el: Any, ctx_i: int, t: Tables, rec: _Recorder, strict: bool, file: str | None) -> None:
    table, monotone, clean = t.up_plan(ctx_i)
    keys: list[int] | None = None if monotone else []
    key = -1
    get = table.get
    capped = t.capped(ctx_i)
    seen: set[str] = set()
    for child in el:
        entry = get(child.tag)
        if capped is not None and child.tag in capped:
            if child.tag in seen:  # V0701 holds one: the next copies are carried
                name = child.tag[len(_V7) :]
                ctx = t.contexts[ctx_i]
                rec.piece("carried", f"{ctx[0]}/{name}: V0701 holds one {name}", child)
                _renames(child, {V0701_NS: t.ns})
                entry = None
                if keys is not None:
                    keys.append(key)
                continue
            seen.add(child.tag)
        if entry is None:
            if rec.placeholder is not None and not isinstance(child.tag, str):
                hit = rec.placeholder(child)  # an item migrated already: its order
                if hit is not None:
                    key = hit[1]
                    if keys is not None:
                        keys.append(key)
                    continue
            key = _up_other(el, child, ctx_i, t, rec, strict, file, key)
        else:
            fast, child_ctx, norder = entry
            if not fast and not _up_rule(child, ctx_i, t, rec):
                pass  # carried: keeps its place
            else:
                key = norder
                if child_ctx >= 0 and not clean[child_ctx] and len(child):
                    _up(child, child_ctx, t, rec, strict, file)
        if keys is not None:
            keys.append(key)
    if keys is not None:
        _reorder(el, keys)


def _up_rule(child: Any, ctx_i: int, t: Tables, rec: _Recorder) -> bool:
    """A child with a rule (rename, code list, carried); False if it is carried."""
    ctx = t.contexts[ctx_i]
    name = child.tag[len(_V7) :]
    new, _child, _oo, _no, how, values, _down = ctx[4][name]
    if values is not None and _up_value(child, values, name, rec):
        new = ""
    if not new:
        rec.piece("carried", f"{ctx[0]}/{name}: no place in V0701", child)
        _renames(child, {V0701_NS: t.ns})
        return False
    if how:
        rec.rule("rename", f"{ctx[0]}/{name} -> {new}", child)
        rec.names[child] = name
        child.tag = _V7 + new
    return True


def _up_other(
    el: Any,
    child: Any,
    ctx_i: int,
    t: Tables,
    rec: _Recorder,
    strict: bool,
    file: str | None,
    key: int,
) -> int:
    """A child the context names no rule for: extension content, an element the release
    does not know (refused if ``strict``, else carried), comments. Returns its sort key."""
    tag = child.tag
    if not isinstance(tag, str):
        return key
    ctx = t.contexts[ctx_i]
    if tag.startswith(_V7_EXT):
        return int(ctx[3])
    if tag.startswith(_V7):
        name = tag[len(_V7) :]
        if strict:
            raise MappingError(
                f"<{name}> is not part of {ctx[0]} in {t.release}",
                location=Location(file=file, line=child.sourceline, path=path_of(child, rec)),
            )
        rec.piece("carried", f"{name}: unknown in {t.release} {ctx[0]}", child)
        _renames(child, {V0701_NS: t.ns})
    return key


def _up_value(child: Any, values: dict[str, Any], name: str, rec: _Recorder) -> bool:
    """Map a code-list value V0701 lacks; True if the element has to be carried instead."""
    text = child.text
    hit = values.get(text.strip() if text else "")
    if hit is None:
        return False
    new, other = hit
    if new is None:
        rec.piece("carried", f"{name} value {text!r}: not in V0701's code list", child)
        return True
    if other is not None:
        if child.get(OTHER_VALUE) is not None:
            rec.piece("carried", f"{name} value {text!r} with an OtherValue of its own", child)
            return True
        child.set(OTHER_VALUE, other)
    rec.rule(
        "value", f"{name} {text!r} -> {new!r}" + (f" OtherValue={other!r}" if other else ""), child
    )
    child.text = new
    return False


# ----------------------------------------------------------------------------------- down


def down_tree(
    root: Any,
    release: B2MMLVersion,
    *,
    strict: bool,
    source_root: str | None = None,
    file: str | None = None,
) -> tuple[Any, MigrationReport]:
    """Migrate the V0701 element ``root`` down to ``release``; return (new root, report)."""
    t = tables(release)
    local = _local(root.tag)
    report = MigrationReport(B2MMLVersion.V0701, release)
    options = t.down_roots.get(local)
    if not options:
        raise EncodeError(
            f"{release} has no counterpart for the V0701 element <{local}>",
            location=Location(file=file, path=f"/{local}[1]"),
        )
    old_local, ctx = next((o for o in options if o[0] == source_root), options[0])
    report.source_root = local
    rec = _Recorder(report)
    rec.rule("namespace", f"{V0701_NS} -> {t.ns}", root)
    if old_local != local:
        rec.rule("rename", f"{local} -> {old_local}", root)
    # the root's declaration for carried pieces goes: they take the release's own prefix again
    prepared = root.nsmap.get(_V7_PREFIX) == V0701_NS  # encoded with down_nsmap()
    nsmap = down_nsmap(dict(root.nsmap), release)
    rec.names[root] = local
    root.tag = "{" + t.ns + "}" + old_local
    _down(root, ctx, t, rec, strict, file)
    rec.finish()
    from lxml import etree

    if not prepared:  # a parsed V0701 document: moved under a root with the release's names
        root = _rebuild_root(root, nsmap)

    own = [  # carried pieces the writer gave a declaration of their own
        el
        for el in root.iter("{" + t.ns + "}*")
        if el.prefix is not None
        and nsmap.get(el.prefix) != t.ns
        and el.getparent() is not None
        and el.getparent().nsmap.get(el.prefix) != t.ns
    ]
    for el in own:
        _reprefix(el)
    # the V0701 declarations the writer used are unused now; the document's own stay
    keep = [p for p in nsmap if p is not None and not p.startswith(_V7_PREFIX)]
    etree.cleanup_namespaces(root, keep_ns_prefixes=keep)
    return root, report


_V7_PREFIX = "isa95kit-v0701"


def down_nsmap(nsmap: dict[str | None, str], release: B2MMLVersion) -> dict[str | None, str]:
    """The root declarations of a V0701 tree about to be migrated down to ``release``: the
    release's namespaces under the document's prefixes, V0701's under a private prefix (the
    writer's elements), so the renamed elements take the document's prefixes in place."""
    t = tables(release)
    # the release's own declarations give way to the V0701 ones renamed to them; a map that
    # is already the release's (prepared by the writer) keeps them: the call is idempotent
    swap = {V0701_NS: t.ns, V0701_EXT: t.ext}
    renamed = {
        swap[u] for p, u in nsmap.items() if u in swap and not (p or "").startswith(_V7_PREFIX)
    }
    kept = {p: u for p, u in nsmap.items() if u not in renamed}
    out = _swap_nsmap(kept, swap)
    out[_V7_PREFIX] = V0701_NS
    out["isa95kit-v0701-ext"] = V0701_EXT
    return out


def _reprefix(el: Any) -> None:
    """Rebuild a carried piece below its parent so it uses the in-scope declarations."""
    _renames(el, {})


def _down(el: Any, ctx_i: int, t: Tables, rec: _Recorder, strict: bool, file: str | None) -> None:
    ctx = t.contexts[ctx_i]
    old_cls, fields, old_ext = ctx[0], ctx[4], ctx[2]
    rev = t.down(ctx_i)
    new_prefix, old_prefix = "{" + V0701_NS + "}", "{" + t.ns + "}"
    ext_prefix = "{" + V0701_EXT + "}"
    keys: list[int] = []
    key = -1
    drop: list[Any] = []
    singles: tuple[str, ...] = ctx[8]
    seen: set[str] = set()
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag.startswith(new_prefix):
                name = tag[len(new_prefix) :]
                entry = rev.get(name)
                if (
                    entry is not None
                    and (entry[3] or entry[4])
                    and not _down_value(child, entry, rec)
                ):
                    entry = None
                if entry is not None and entry[0] in singles:
                    if entry[0] in seen:  # the older release holds one: not a second
                        entry = None
                    else:
                        seen.add(entry[0])
                if entry is None:
                    rule = f"{ctx[1]}/{name}: {t.release} {old_cls} cannot express it"
                    if strict:
                        raise EncodeError(
                            rule,
                            location=Location(
                                file=file, line=child.sourceline, path=path_of(child)
                            ),
                        )
                    rec.piece("dropped", rule, child)
                    drop.append(child)
                    continue
                old, child_ctx, oorder, _back, _d = entry
                if old != name:
                    rec.rule("rename", f"{ctx[1]}/{name} -> {old}", child)
                    rec.names[child] = name
                child.tag = old_prefix + old
                key = oorder
                if child_ctx >= 0:
                    _down(child, child_ctx, t, rec, strict, file)
            elif tag.startswith(old_prefix):  # carried: back in its place
                entry = fields.get(tag[len(old_prefix) :])
                if entry is not None:
                    key = entry[2]
                rec.rule("carried", f"{_local(tag)} restored", child)
            elif tag.startswith(ext_prefix):
                # extension content: back to the release's extension namespace, and what
                # the reader moved to V0701's namespace inside it back to the release's
                _renames(child, {V0701_EXT: t.ext, V0701_NS: t.ns})
                key = old_ext
        keys.append(key)
    for child in drop:
        el.remove(child)
    if drop:
        keys = _keys_after_drop(el, fields, old_prefix, t, old_ext)
    _reorder(el, keys)
    if ctx[7]:
        have = {c.tag for c in el}
        for name in ctx[7]:
            if old_prefix + name not in have:
                rule = f"{t.release} requires {name} in {old_cls}; the V0701 content has none"
                if strict:
                    raise EncodeError(rule, location=Location(file=file, path=path_of(el)))
                rec.piece("missing", rule, el)


def _keys_after_drop(
    el: Any, fields: dict[str, Any], old_prefix: str, t: Tables, old_ext: int
) -> list[int]:
    keys: list[int] = []
    key = -1
    ext_prefix = "{" + t.ext + "}"
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag.startswith(old_prefix):
                entry = fields.get(tag[len(old_prefix) :])
                if entry is not None:
                    key = entry[2]
            elif tag.startswith(ext_prefix):
                key = old_ext
        keys.append(key)
    return keys


def _down_value(child: Any, entry: tuple[Any, ...], rec: _Recorder) -> bool:
    """Put a V0701 code-list value in the older list; False if the older release cannot."""
    values: tuple[dict[str, str], frozenset[str]] = entry[3] or ({}, frozenset())
    renamed, others = values
    added, old_other = entry[4] or ((), False)
    text = (child.text or "").strip()
    name = _local(child.tag)
    other = child.get(OTHER_VALUE)
    if text == "Other" and other in others:
        del child.attrib[OTHER_VALUE]
        child.text = other
        rec.rule("value", f"{name} 'Other' OtherValue={other!r} -> {other!r}", child)
        return True
    if text in renamed:
        child.text = renamed[text]
        rec.rule("value", f"{name} {text!r} -> {renamed[text]!r}", child)
        return True
    if text not in added:
        return True  # in both lists (or in neither: left as it is)
    if old_other and other is None:
        child.text = "Other"
        child.set(OTHER_VALUE, text)
        rec.rule("value", f"{name} {text!r} -> 'Other' OtherValue={text!r}", child)
        return True
    return False
