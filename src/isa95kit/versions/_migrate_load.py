"""Assembly of one older release's migration rule tables from the generated parts.

``tools/gen_migrations.py`` writes every root, message, context and clean flag once: in the
module of its release (``_migrate_v*.py``), or, where several releases have it alike, in the
``_migrate_common_*.py`` module of exactly those releases; a release's module imports the
shared modules it needs and calls :func:`assemble`. A part is written compactly (the layout is
in the generated modules' docstrings): contexts by name (``"<old class>"``, or ``"<old
class>><V0701 class>"``) instead of by number, a context's child elements as one line of
``Tag?=New:Child@order`` words, each message (verb + noun) as one word. The assembly expands
the words, numbers the contexts of the release as the generator walks them (the global
elements in name order, each context before its children, children in field order) and gives
the ``ROOTS`` / ``CONTEXTS`` layout ``versions/_migrate_tree.py`` reads.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "EXTENSION",
    "OCCURS",
    "Part",
    "assemble",
    "context_words",
    "message",
    "root_entry",
]

#: (roots, messages, contexts, clean): root words, verb words -> noun words (every verb with
#: every noun), context name -> written context, clean context names (see the generated
#: modules' docstrings)
Part = tuple[str, dict[str, str], dict[str, Any], str]

#: occurrence mark -> (required, single), as in a content model
OCCURS = {"": (True, True), "?": (False, True), "*": (False, False), "+": (True, False)}
_NO_CODES: dict[str, Any] = {}
_NO_VALUES = (None, None)
#: a word: tag, occurrence mark, "=" and V0701 name, ":" and child context, "@" and orders
_WORD = re.compile(
    r"([^\s?*+=:@]+)([?*+]?)(?:(=)([^\s:@]*))?(?:(:)([^\s@]*))?(?:@(-?\d*)(,?)(-?\d*))?"
)
#: the word for the extension content (``xsd:any namespace="##other"``)
EXTENSION = "##other"


def context_words(name: str, written: str | tuple[Any, ...]) -> tuple[Any, ...]:
    """A written context (its words, or ``(words, codes[, carried attributes[, down
    aliases]])``) as the generator computed it, child contexts by name."""
    words, *extra = (written,) if isinstance(written, str) else written
    codes: dict[str, Any] = extra[0] if extra else _NO_CODES
    old, _, new = name.partition(">")
    fields: dict[str, tuple[Any, ...]] = {}
    required: list[str] = []
    single: list[str] = []
    oext = next_ = -1
    oo = shift = 0
    no: int | None
    for tag, mark, renamed, target, has_child, child, first, comma, second in _WORD.findall(words):
        if comma:
            o, no = int(first or -1), int(second or -1)
        else:
            o, no = oo + 1, int(first) if first else None
        if tag == EXTENSION:  # the old and V0701 places of the extension content
            oext, next_ = o, o + shift if no is None else no
            continue
        req, one = OCCURS[mark]
        if req:
            required.append(tag)
        if one:
            single.append(tag)
        if not renamed:
            target, how = tag, ""
        elif not target:
            how = "X"
        else:
            how = "C" if target == tag + "Child" else "R"
        if no is None:
            no = -1 if how == "X" else o + shift
        oo = o
        if no >= 0:
            shift = no - o
        if has_child and (not child or child[0] == ">"):
            child = tag + child  # the child context of the element's own name
        values, down = codes.get(tag, _NO_VALUES)
        fields[tag] = (target, child if has_child else -1, o, no, how, values, down)
    return (
        old,
        new or old,
        oext,
        next_,
        fields,
        extra[1] if len(extra) > 1 else (),
        extra[2] if len(extra) > 2 else {},
        tuple(required),
        tuple(single),
    )


def message(verb: str, word: str) -> tuple[tuple[str, tuple[str, str]], dict[str, Any]]:
    """The root and the two contexts of the message ``<verb><noun>`` (its ``ApplicationArea``
    and ``DataArea``; the data area's verb once, then the noun, repeatable) from its noun word:
    ``Noun`` or ``Noun=V0701Noun`` (a hand-written rename; the message is renamed alike)."""
    noun, renamed, target = word.partition("=")
    old, new = verb + noun, verb + (target or noun)
    name = old if old == new else f"{old}>{new}"
    area = f"{old}DataArea" if old == new else f"{old}DataArea>{new}DataArea"
    noun_ctx = noun if not renamed else f"{noun}>{target}"
    contexts: dict[str, Any] = {}
    contexts[name] = (
        old,
        new,
        -1,
        -1,
        {
            "ApplicationArea": ("ApplicationArea", "TransApplicationArea", 1, 1, "", None, None),
            "DataArea": ("DataArea", area, 2, 2, "", None, None),
        },
        (),
        {},
        ("ApplicationArea", "DataArea"),
        ("ApplicationArea", "DataArea"),
    )
    contexts[area] = (
        old + "DataArea",
        new + "DataArea",
        -1,
        -1,
        {
            verb: (verb, "Trans" + verb, 1, 1, "", None, None),
            noun: (target or noun, noun_ctx, 2, 2, "R" if renamed else "", None, None),
        },
        (),
        {},
        (verb, noun),
        (verb,),
    )
    return (old, (new, name)), contexts


def root_entry(word: str) -> tuple[str, tuple[str, str]]:
    """A root word ``Old[=V0701][:context]`` (the context defaults to ``Old`` or
    ``Old>V0701``) as ``old global element -> (V0701 global element, context name)``."""
    word, _, ctx = word.partition(":")
    old, _, new = word.partition("=")
    new = new or old
    return old, (new, ctx or (old if old == new else f"{old}>{new}"))


#: id of a part -> (the part, kept alive, and what it holds: roots, contexts, clean names)
_READ: dict[int, tuple[Part, dict[str, tuple[str, str]], dict[str, Any], list[str]]] = {}


def _read(part: Part) -> tuple[dict[str, tuple[str, str]], dict[str, Any], list[str]]:
    """The roots, contexts (child contexts by name) and clean names a part holds, read once a
    process (a part shared by several releases serves them all)."""
    done = _READ.get(id(part))
    if done is None:
        root_words, messages, written, clean_names = part
        roots = dict(root_entry(w) for w in root_words.split())
        contexts: dict[str, Any] = {}
        for verbs, nouns in messages.items():
            for verb in verbs.split():
                for noun in nouns.split():
                    (old, root), contexts_of = message(verb, noun)
                    roots[old] = root
                    contexts.update(contexts_of)
        for name, entry in written.items():
            contexts[name] = context_words(name, entry)
        done = _READ[id(part)] = (part, roots, contexts, clean_names.split())
    return done[1:]


def assemble(*parts: Part) -> tuple[dict[str, tuple[str, int]], list[Any]]:
    """ROOTS and CONTEXTS of a release from all its parts (each name in one of them)."""
    named_roots: dict[str, tuple[str, str]] = {}
    named: dict[str, Any] = {}
    clean: set[str] = set()
    for part in parts:
        part_roots, part_contexts, part_clean = _read(part)
        named_roots.update(part_roots)
        named.update(part_contexts)
        clean.update(part_clean)
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
