"""Assembly of one older release's migration rule tables from the generated parts.

``tools/gen_migrations.py`` writes every root, message, context, clean flag and code-list
change once: in the module of its release (``_migrate_v*.py``), or, where several releases
have it alike, in the ``_migrate_common_*.py`` module of exactly those releases; a release's
module imports the shared modules it needs and calls :func:`assemble` on their parts.

A part is ``(ROOTS, MESSAGES, CONTEXTS, CLEAN, CODES)``. A context is named, not numbered:
``"<old class>"``, or ``"<old class>><V0701 class>"`` where the two differ.

- ``ROOTS``: words ``Old[=V0701][:context]``, an old global element (its V0701 one if
  renamed; the context if it is not ``Old`` or ``Old>V0701``);
- ``MESSAGES``: verb words -> noun words ``Noun[=V0701 noun]``: every verb with every noun
  is a message, its global element and its two contexts (:func:`message`), which all messages
  have alike but for the names;
- ``CONTEXTS``: context name -> its words, or ``(words, carried attributes[, down
  aliases])``; ``down aliases``: V0701 element -> old element it takes going down (a V0701
  alternative of a renamed one);
- ``CLEAN``: words, the *clean* contexts: nothing to do in their subtrees going up (same
  names, order and code lists, nothing carried all the way down: the tree is skipped);
- ``CODES``: code-list change name -> ``(values, down)``; ``values``: the old code-list values
  V0701 lacks, in the old order, a value that becomes ``Other`` + ``OtherValue="<value>"``
  alone, a renamed one as ``(value, V0701 value)``, one whose element is carried as ``(value,
  None)``; or None; ``down``: (V0701 code-list values the old list lacks, whether the old type
  takes them as ``Other`` + ``OtherValue``), or None.

A context's words are its old child elements in the old order, each
``Tag[mark][=V0701][:child][@orders][%code]`` (:func:`context_words`):

- ``mark``: none = required and single, ``?`` optional, ``*`` optional and repeatable, ``+``
  required and repeatable (the old release's content model);
- ``=V0701``: the V0701 name, a hand-written rename, or the derived ``<Tag>Child`` one; ``=``
  alone: *carried* (V0701 has no place for it);
- ``:child``: the child context; ``:`` alone is the context ``Tag``, ``:>V0701 class`` the
  context ``Tag>V0701 class``; none: a leaf;
- ``@orders``: the old order runs on from the word before (1 for the first), the V0701 order
  keeps the offset to it of the last word having one (0 at first); ``@N`` gives the V0701
  order, ``@M,N`` both (``@M,`` for a carried element);
- ``%code``: the code-list change in ``CODES``;
- the word ``##other`` places the extension content (``xsd:any namespace="##other"``) alike.

:func:`assemble` numbers the contexts of a release as the generator walks them (the global
elements in name order, each context before its children, children in field order) and gives
``versions/_migrate_tree.py`` the release's ``ROOTS`` (old global element -> (V0701 global
element, context index)) and ``CONTEXTS`` (by index: ``(old class, V0701 class, old extension
order, V0701 extension order, fields, carried attributes, down aliases, old required elements,
old single elements, clean)``, ``fields``: old child element -> ``(V0701 element or "" if
carried, child context index or -1, old order, V0701 order, how, values, down)``, ``values``:
old value -> (V0701 value, ``OtherValue`` or None), or None; ``how``:
``""`` same name, ``"R"`` hand-written rename, ``"C"`` derived ``<Name>Child`` rename, ``"X"``
carried).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "EXTENSION",
    "OCCURS",
    "Part",
    "assemble",
    "code_change",
    "context_words",
    "message",
    "root_entry",
]

#: (roots, messages, contexts, clean, codes) as written (see above)
Part = tuple[str, dict[str, str], dict[str, Any], str, dict[str, Any]]

#: occurrence mark -> (required, single)
OCCURS = {"": (True, True), "?": (False, True), "*": (False, False), "+": (True, False)}
#: the word placing the extension content
EXTENSION = "##other"
#: a context's word: tag, mark, "=" and V0701 name, ":" and child, orders, code-list change
_WORD = re.compile(
    r"([^\s?*+=:@%]+)([?*+]?)(?:(=)([^\s:@%]*))?(?:(:)([^\s@%]*))?"
    r"(?:@(-?\d*)(,?)(-?\d*))?(?:%(\S+))?"
)


def context_words(
    name: str, written: str | tuple[Any, ...]
) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """A written context as the generator computed it, child contexts by name and a field's
    code-list change by its name in ``CODES`` (in ``values``, ``down`` None); and the names of
    its child contexts."""
    words, *extra = (written,) if isinstance(written, str) else written
    old, _, new = name.partition(">")
    fields: dict[str, tuple[Any, ...]] = {}
    required: list[str] = []
    single: list[str] = []
    children: list[str] = []
    oext = next_ = -1
    oo = shift = 0
    no: int | None
    match = _WORD.fullmatch
    for word in words.split():
        mark = word[-1]
        if mark in "?*+":
            tag = word[:-1]
        else:
            tag, mark = word, ""
        if tag.isalnum():  # the same name, a leaf, the orders running on: most words
            oo += 1
            req, one = OCCURS[mark]
            if req:
                required.append(tag)
            if one:
                single.append(tag)
            fields[tag] = (tag, -1, oo, oo + shift, "", None, None)
            continue
        parsed = match(word)
        assert parsed is not None, (name, word)  # generated, checked by the generator
        tag, mark, renamed, target, has_child, child, first, comma, second, code = parsed.groups("")
        if comma:
            o, no = int(first or -1), int(second or -1)
        else:
            o, no = oo + 1, int(first) if first else None
        if tag == EXTENSION:
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
        if has_child:
            if not child or child[0] == ">":
                child = tag + child  # the context of the element's own name
            children.append(child)
            fields[tag] = (target, child, o, no, how, code or None, None)
        else:
            fields[tag] = (target, -1, o, no, how, code or None, None)
    ctx = (
        old,
        new or old,
        oext,
        next_,
        fields,
        extra[0] if extra else (),
        extra[1] if len(extra) > 1 else {},
        tuple(required),
        tuple(single),
    )
    return ctx, tuple(children)


def message(verb: str, word: str) -> tuple[tuple[str, tuple[str, str]], dict[str, Any]]:
    """The root and the two contexts of the message ``<verb><noun>`` (its ``ApplicationArea``
    and ``DataArea``; the data area's verb once, then the noun, repeatable) from its noun word:
    ``Noun`` or ``Noun=V0701Noun`` (a hand-written rename; the message is renamed alike)."""
    noun, renamed, target = word.partition("=")
    old, new = verb + noun, verb + (target or noun)
    name = old if old == new else f"{old}>{new}"
    area = f"{old}DataArea" if old == new else f"{old}DataArea>{new}DataArea"
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
            noun: (target, f"{noun}>{target}", 2, 2, "R", None, None)
            if renamed
            else (noun, noun, 2, 2, "", None, None),
        },
        (),
        {},
        (verb, noun),
        (verb,),
    )
    return (old, (new, name)), contexts


def code_change(written: tuple[Any, Any]) -> tuple[Any, Any]:
    """A written code-list change as ``(values, down)``, ``values`` as old value -> (V0701
    value, ``OtherValue`` or None)."""
    values, down = written
    if values is None:
        return None, down
    out: dict[str, tuple[str | None, str | None]] = {}
    for value in values:
        if isinstance(value, str):
            out[value] = ("Other", value)
        else:
            out[value[0]] = (value[1], None)
    return out, down


def root_entry(word: str) -> tuple[str, tuple[str, str]]:
    """A root word as ``old global element -> (V0701 global element, context name)``."""
    word, _, ctx = word.partition(":")
    old, _, new = word.partition("=")
    new = new or old
    return old, (new, ctx or (old if old == new else f"{old}>{new}"))


#: what a part holds, read once a process: id -> (the part, kept alive, roots, contexts,
#: clean names, context -> its child contexts, names of the contexts with a code-list change,
#: code-list changes)
_Read = tuple[
    Part,
    dict[str, tuple[str, str]],
    dict[str, Any],
    list[str],
    dict[str, tuple[str, ...]],
    list[str],
    dict[str, Any],
]
_READ: dict[int, _Read] = {}


def _read(part: Part) -> _Read:
    done = _READ.get(id(part))
    if done is None:
        root_words, messages, written, clean_names, codes = part
        roots = dict(root_entry(w) for w in root_words.split())
        contexts: dict[str, Any] = {}
        children: dict[str, tuple[str, ...]] = {}
        for verbs, nouns in messages.items():
            for verb in verbs.split():
                for noun in nouns.split():
                    (old, root), contexts_of = message(verb, noun)
                    roots[old] = root
                    contexts.update(contexts_of)
                    for name, ctx in contexts_of.items():
                        children[name] = tuple([row[1] for row in ctx[4].values()])
        coded = []
        for name, entry in written.items():
            contexts[name], children[name] = context_words(name, entry)
            if "%" in (entry if isinstance(entry, str) else entry[0]):
                coded.append(name)
        changes = {name: code_change(change) for name, change in codes.items()}
        done = (part, roots, contexts, clean_names.split(), children, coded, changes)
        _READ[id(part)] = done
    return done


def assemble(*parts: Part) -> tuple[dict[str, tuple[str, int]], list[Any]]:
    """ROOTS and CONTEXTS of a release from all its parts (each name in one of them)."""
    named_roots: dict[str, tuple[str, str]] = {}
    named: dict[str, Any] = {}
    clean: set[str] = set()
    children: dict[str, tuple[str, ...]] = {}
    codes: dict[str, Any] = {}
    coded: set[str] = set()
    for part in parts:
        _part, part_roots, part_contexts, part_clean, part_children, part_coded, part_codes = _read(
            part
        )
        named_roots.update(part_roots)
        named.update(part_contexts)
        clean.update(part_clean)
        children.update(part_children)
        codes.update(part_codes)
        coded.update(part_coded)
    roots = dict(sorted(named_roots.items()))
    index: dict[str | int, int] = {-1: -1}  # a leaf field's -1 stays
    order: list[str] = []

    def number(name: str) -> None:
        index[name] = len(order)
        order.append(name)
        for child in children[name]:
            if child not in index:
                number(child)

    for _new, name in roots.values():
        if name not in index:
            number(name)
    out: list[Any] = []
    for name in order:
        oc, nc, oext, next_, fields, carried, aliases, required, single = named[name]
        if name in coded:
            numbered = {
                tag: (new, index[child], oo, no, how, *(codes[code] if code else (None, None)))
                for tag, (new, child, oo, no, how, code, _down) in fields.items()
            }
        elif not children[name]:  # as read (the same for every release)
            numbered = fields
        else:
            numbered = {
                tag: (new, index[child], oo, no, how, values, down)
                for tag, (new, child, oo, no, how, values, down) in fields.items()
            }
        out.append(
            (oc, nc, oext, next_, numbered, carried, aliases, required, single, name in clean)
        )
    return {old: (new, index[name]) for old, (new, name) in roots.items()}, out
