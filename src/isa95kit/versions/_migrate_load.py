"""Assembly of one older release's migration rule tables from the generated parts.

``tools/gen_migrations.py`` writes every root, context and clean flag once: in the module of
its release (``_migrate_v*.py``), or, where several releases have it alike, in the
``_migrate_common_*.py`` module of exactly those releases; a release's module imports the
shared modules it needs and calls :func:`assemble`. The parts name the contexts
(``"<old class>"``, or ``"<old class>><V0701 class>"``) instead of numbering them; the
assembly numbers the contexts of the release as the generator walks them (the global elements
in name order, each context before its children, children in field order) and gives the
``ROOTS`` / ``CONTEXTS`` layout ``versions/_migrate_tree.py`` reads (see the generated
modules' docstrings).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Part", "assemble"]

#: (old global element -> (V0701 global element, context name), context name -> context,
#: names of the clean contexts)
Part = tuple[dict[str, tuple[str, str]], dict[str, Any], tuple[str, ...]]


def assemble(*parts: Part) -> tuple[dict[str, tuple[str, int]], list[Any]]:
    """ROOTS and CONTEXTS of a release from all its parts (each name in one of them)."""
    named_roots: dict[str, tuple[str, str]] = {}
    named: dict[str, Any] = {}
    clean: set[str] = set()
    for roots, contexts, clean_names in parts:
        named_roots.update(roots)
        named.update(contexts)
        clean.update(clean_names)
    roots = dict(sorted(named_roots.items()))
    index: dict[str | int, int] = {-1: -1}  # a leaf field's -1 stays
    order: list[str] = []

    def number(name: str) -> None:
        index[name] = len(order)
        order.append(name)
        for row in named[name][4].values():
            if row[1] not in index:
                number(row[1])

    for _new, name in roots.values():
        if name not in index:
            number(name)
    out: list[Any] = []
    for name in order:
        oc, nc, oext, next_, fields, carried, aliases, required, single = named[name]
        numbered = {
            tag: (new, index[child], oo, no, how, values, down)
            for tag, (new, child, oo, no, how, values, down) in fields.items()
        }
        out.append(
            (oc, nc, oext, next_, numbered, carried, aliases, required, single, name in clean)
        )
    return {old: (new, index[name]) for old, (new, name) in roots.items()}, out
