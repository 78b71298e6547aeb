"""The private side record a decoded instance carries (see ``model/_base.py``)."""

from __future__ import annotations

from typing import Any

__all__ = ["Side", "ensure_side", "side_of"]


class Side:
    """Wire details of one element that the public fields do not hold.

    - ``tag``: Clark name the element had (roots; written back as is);
    - ``nsmap``: namespace declarations made on this element (prefixes are kept);
    - ``lex``: ``key -> (value, lexical)`` for values whose text is not the canonical
      form (``key`` is the field name, or ``(name, index)`` in lists); used only while
      the field still holds that very value object;
    - ``attrs``: attributes the model has no field for (``xsi:schemaLocation``, ...);
    - ``unknown``: ``(position, AnyElement)`` elements kept by the lenient reader;
    - ``order``: child field names in document order (repeating choices);
    - ``texts``: text and tails of mixed content, in order;
    - ``nil``: the element was ``xsi:nil="true"`` but also carried attributes.
    """

    __slots__ = ("attrs", "lex", "nil", "nsmap", "order", "tag", "texts", "unknown")

    def __init__(self) -> None:
        self.tag: str | None = None
        self.nsmap: dict[str | None, str] | None = None
        self.lex: dict[Any, tuple[Any, str]] | None = None
        self.attrs: dict[str, str] | None = None
        self.unknown: list[tuple[int, Any]] | None = None
        self.order: list[str] | None = None
        self.texts: list[str | None] | None = None
        self.nil = False

    def lexical(self, key: Any, value: Any) -> str | None:
        if self.lex is not None:
            hit = self.lex.get(key)
            if hit is not None and hit[0] is value:
                return hit[1]
        return None

    def add_lex(self, key: Any, value: Any, text: str) -> None:
        if self.lex is None:
            self.lex = {}
        self.lex[key] = (value, text)


def side_of(obj: Any) -> Side | None:
    private = obj.__pydantic_private__
    if private:
        side = private.get("_wire")
        if isinstance(side, Side):
            return side
    return None


def ensure_side(obj: Any) -> Side:
    """The instance's side record, created (empty) if it has none yet."""
    private = obj.__pydantic_private__
    if private is None:
        side = Side()
        object.__setattr__(obj, "__pydantic_private__", {"_wire": side})
        return side
    side = private.get("_wire")
    if not isinstance(side, Side):
        side = private["_wire"] = Side()
    return side
