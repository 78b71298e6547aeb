"""Required V0701 elements an older release's document lacks: finding and filling them.

A document migrated from V0600 or V0401 may lack identifiers V0701 requires (the release
left them optional). ``ReadConfig(fill_missing=...)`` fills them on the decoded instance:

- ``True``: the element's own ``ID`` (the field ``id``) takes ``<parent ID>.<initials><n>``:
  the ``ID`` of the nearest ancestor that has one, a dot, the capitals of the element's
  V0701 name and its 1-based place among its same-named siblings (``JO-1.MR2`` is the second
  ``MaterialRequirement`` of the job order ``JO-1``; without an ancestor ID, ``MR2``);
  references (``ProcessSegmentID``, ``OperationsDefinitionID`` ...) are not invented;
- a callable ``(parent XPath, element name) -> str | None``: called for every missing
  required identifier (own ID or reference), None leaving it missing.

Filled values are marked on their parent, so writing back to the source release leaves them
out again (the round trip stays lossless), and each fill is a ``filled`` change of the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..model._base import AnyElement, B2MMLModel
from ._tables import ClassSpec, FieldSpec, spec_of

__all__ = ["FILLED", "FillMissing", "fill_missing", "filled_fields", "missing_required"]

#: the private key of a parent instance naming its filled fields
FILLED = "_isa95kit_filled"
FillMissing = bool | Callable[[str, str], "str | None"] | None


def filled_fields(obj: Any) -> frozenset[str]:
    """The names of an instance's fields that :func:`fill_missing` filled."""
    private = getattr(obj, "__pydantic_private__", None)
    return private.get(FILLED, frozenset()) if private else frozenset()


def _walk(
    obj: Any, spec: ClassSpec, path: str
) -> Iterator[tuple[Any, ClassSpec, FieldSpec | None, str]]:
    """(instance, spec, None, path) top-down, then (instance, spec, missing field, path) for
    each required field it lacks; paths are positional XPaths of V0701 names."""
    yield obj, spec, None, path
    d = obj.__dict__
    for f in spec.required:
        if f.kind == "A" or f.kind == "T":
            if d.get(f.name) is None:
                yield obj, spec, f, path
            continue
        value = d.get(f.name)
        if value is None or (f.many and not value):
            yield obj, spec, f, path
    for f in spec.fields:
        if f.kind != "E" or f.cls is None:
            continue
        value = d.get(f.name)
        if value is None:
            continue
        for i, item in enumerate(value if f.many else (value,)):
            if isinstance(item, B2MMLModel) and not isinstance(item, AnyElement):
                child = spec_of(type(item))
                if not child.simple:
                    yield from _walk(item, child, f"{path}/{f.tag}[{i + 1}]")


def missing_required(obj: B2MMLModel, root: str) -> list[tuple[str, str, str]]:
    """(class name, element or attribute name, XPath of the element lacking it) for every
    required V0701 element and attribute an instance lacks, in document order."""
    return [
        (spec.cls.__name__, f.tag, path)
        for _obj, spec, f, path in _walk(obj, spec_of(type(obj)), f"/{root}[1]")
        if f is not None
    ]


def _initials(tag: str) -> str:
    return "".join(c for c in tag if c.isupper()) or tag[:2]


def fill_missing(obj: B2MMLModel, root: str, how: FillMissing) -> dict[tuple[str, str], list[Any]]:
    """Fill the required identifiers ``obj`` lacks (see the module doc); returns
    ``(class, tag) -> [XPath of the first filled element, count]``."""
    if not how:
        return {}
    call = how if callable(how) else None
    done: dict[tuple[str, str], list[Any]] = {}
    top = spec_of(type(obj))
    for inst, spec, f, path in _walk(obj, top, f"/{root}[1]"):
        if f is None:
            continue
        if f.many or f.cls is None or f.kind != "E" or f.cls.__name__ != "Identifier":
            continue
        if call is None and f.name != "id":
            continue
        value = call(path, f.tag) if call is not None else _scheme(path, obj)
        if value is None:
            continue
        identifier = f.cls(value=value)
        d = dict(inst.__dict__)
        d[f.name] = identifier
        object.__setattr__(inst, "__dict__", d)
        object.__setattr__(inst, "__pydantic_fields_set__", {*inst.__pydantic_fields_set__, f.name})
        private = inst.__pydantic_private__
        if private is None:
            private = {}
            object.__setattr__(inst, "__pydantic_private__", private)
        private[FILLED] = private.get(FILLED, frozenset()) | {f.name}
        hit = done.get((spec.cls.__name__, f.tag))
        if hit is None:
            done[(spec.cls.__name__, f.tag)] = [f"{path}/{f.tag}[1]", 1]
        else:
            hit[1] += 1
    return done


def _scheme(path: str, root: Any) -> str:
    """``<nearest ancestor ID>.<initials><n>`` for the element at ``path``."""
    steps = path.strip("/").split("/")
    tag, n = steps[-1].rsplit("[", 1)
    own = f"{_initials(tag)}{n.rstrip(']')}"
    parent = _ancestor_id(root, steps[1:-1])
    return f"{parent}.{own}" if parent else own


def _ancestor_id(root: Any, steps: list[str]) -> str | None:
    """The ID of the nearest ancestor (below ``root`` along ``steps``) that has one."""
    chain = [root]
    obj = root
    for step in steps:
        tag, n = step.rsplit("[", 1)
        spec = spec_of(type(obj))
        f = next(f for f in spec.fields if f.tag == tag and f.kind == "E")
        value = obj.__dict__[f.name]
        obj = value[int(n.rstrip("]")) - 1] if f.many else value
        chain.append(obj)
    for node in reversed(chain):
        ident = node.__dict__.get("id")
        text = getattr(ident, "value", None)
        if isinstance(text, str) and text:
            return text
    return None
