"""The error tree drawn in ``errors.py`` and in ``docs/errors.md`` is the tree of classes that
exist: same names, same parents, same builtin bases — and every concrete error is raised
somewhere in the package (issue: the drawings listed errors never raised and omitted three)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import isa95kit
from isa95kit import Isa95Error, errors

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "isa95kit"
_LINE = re.compile(r"^(?P<indent>[ │]*)[├└]─ (?P<name>\w+)(?:\((?P<bases>[\w, ]*)\))?")


def _drawn(text: str) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (parent, builtin bases) from a box-drawing tree whose root is Isa95Error."""
    tree: dict[str, tuple[str, frozenset[str]]] = {}
    stack = ["Isa95Error"]
    at = text.index("Isa95Error\n")
    base = at - (text.rfind("\n", 0, at) + 1)  # the root's indentation
    for line in text[at:].splitlines()[1:]:
        match = _LINE.match(line.rstrip())
        if match is None:
            if tree:  # the drawing ended
                break
            continue
        depth = (len(match["indent"]) - base) // 3
        del stack[depth + 1 :]
        bases = frozenset(b.strip() for b in (match["bases"] or "").split(",") if b.strip())
        tree[match["name"]] = (stack[depth], bases)
        stack.append(match["name"])
    return tree


def _load_all_modules() -> None:
    for info in pkgutil.walk_packages(isa95kit.__path__, "isa95kit."):
        if ".model" in info.name or ".cli" in info.name or info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed: its errors are skipped
            continue


def _actual() -> dict[str, tuple[str, frozenset[str]]]:
    _load_all_modules()
    found: dict[str, tuple[str, frozenset[str]]] = {}
    todo = [Isa95Error]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("tests") or sub.__name__.startswith("_"):
                continue
            parent = next(b for b in sub.__bases__ if issubclass(b, Isa95Error))
            builtins = frozenset(b.__name__ for b in sub.__bases__ if b.__module__ == "builtins")
            found[sub.__name__] = (parent.__name__, builtins)
            todo.append(sub)
    return found


@pytest.mark.parametrize(
    "where", ["errors.py", "docs/errors.md"], ids=["module docstring", "docs page"]
)
def test_the_drawn_tree_is_the_class_tree(where: str) -> None:
    text = errors.__doc__ or "" if where == "errors.py" else (ROOT / where).read_text()
    drawn, actual = _drawn(text), _actual()
    assert drawn == actual


def test_every_concrete_error_is_raised_somewhere() -> None:
    actual = _actual()
    parents = {parent for parent, _ in actual.values()}
    source = "\n".join(
        p.read_text()
        for p in SRC.rglob("*.py")
        if p.parent.name != "model" or p.name == "_base.py"  # not the generated areas
    )
    never = [
        name
        for name in actual
        if name not in parents and not re.search(rf"(raise|=|return|\() *{name}\b", source)
    ]
    assert never == [], never
