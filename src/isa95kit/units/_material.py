"""Material-specific factors: box → each, kg → each, density (kg ↔ L), pallet → box → each.

A :class:`MaterialFactors` holds statements ``a FROM = b TO`` for one material. Each links the
dimension of ``FROM`` to the dimension of ``TO`` (a unit without a Rec 20 factor, such as
``BX``, is a dimension of its own), so one factor serves every unit of those dimensions:
``1 BX = 12 EA`` also converts boxes to dozens, ``1 LTR = 0.8 KGM`` also converts m³ to lb.
Chains are followed (``PF`` → ``BX`` → ``EA``) and every statement is checked against the
others when it is added: a contradiction (``1 BX = 12 EA`` and ``1 BX = 10 EA``) raises
:class:`~isa95kit.errors.UnitError` at once, never a silent pick.

Property convention for B2MML ``MaterialDefinition`` and ``MaterialClass`` (see
``docs/units.md``): a property whose ``ID`` is ``UnitConversion:<UNIT>`` states, in each of
its ``Value`` elements, how many ``UnitOfMeasure`` make one ``<UNIT>``; a property whose
``ID`` is ``Density`` with a value in a density unit (``KMQ`` kg/m³, ``GL`` g/l, ``23``
g/cm³) links mass and volume. Child properties are read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any, Union

from ..errors import UnitError
from ._aliases import resolve
from ._convert import Linear, build, to_decimal
from ._registry import UnitInfo, lookup

__all__ = ["MaterialFactors", "MaterialLike", "as_material"]

#: what ``material=`` accepts
MaterialLike = Union["MaterialFactors", str, Iterable[str], Any]

_STATEMENT = re.compile(
    r"^\s*(?:(?P<a>[+]?\d+(?:\.\d+)?)\s+)?(?P<u>[^=\s]+)\s*=\s*"
    r"(?P<b>[+]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(?P<v>[^=\s]+)\s*$"
)
_PROPERTY = re.compile(r"^unit\s*conversion\s*[:/.\-_]\s*(?P<unit>.+)$", re.IGNORECASE)


class MaterialFactors:
    """Exact factors linking units of different dimensions for one material.

    >>> box = MaterialFactors(["1 PF = 40 BX", "BX=12EA"], name="screws M4")
    >>> box.ratio("PF", "EA")
    Fraction(480, 1)
    """

    __slots__ = ("_cache", "_parent", "_statements", "name")

    def __init__(self, statements: Iterable[str] = (), *, name: str | None = None) -> None:
        self.name = name
        self._statements: list[str] = []
        #: dimension key -> (parent key, ratio): base(key) = ratio * base(parent)
        self._parent: dict[str, tuple[str, Fraction]] = {}
        self._cache: dict[tuple[str, str, bool], Linear] = {}
        if isinstance(statements, str):
            statements = [statements]
        for statement in statements:
            self.add_statement(statement)

    # -- building ---------------------------------------------------------------------------

    def add_statement(self, text: str) -> None:
        """Add ``"1 BX = 12 EA"`` (also ``"BX=12EA"``, ``"1 LTR = 0.8 KGM"``)."""
        match = _STATEMENT.match(text)
        if not match:
            raise UnitError(
                f"not a material factor: {text!r} (expected e.g. 'BX=12EA' or '1 BX = 12 EA')"
            )
        self.add(match["a"] or "1", match["u"], match["b"], match["v"])

    def add(
        self,
        from_value: Decimal | int | str,
        from_unit: str,
        to_value: Decimal | int | str,
        to_unit: str,
        *,
        list_id: str | None = None,
    ) -> None:
        """Add the statement ``from_value from_unit = to_value to_unit``."""
        a, b = to_decimal(from_value), to_decimal(to_value)
        if a <= 0 or b <= 0:
            raise UnitError(f"a material factor must be positive: {a} {from_unit} = {b} {to_unit}")
        code_a, _ = resolve(from_unit, list_id=list_id)
        code_b, _ = resolve(to_unit, list_id=list_id)
        self._add_codes(a, code_a, b, code_b)

    def _add_codes(self, a: Decimal, code_a: str, b: Decimal, code_b: str) -> None:
        self._link(code_a, code_b, Fraction(b) / Fraction(a))
        self._statements.append(f"{a} {code_a} = {b} {code_b}")

    def _link(self, code_a: str, code_b: str, per_one: Fraction) -> None:
        """One ``code_a`` is ``per_one`` ``code_b``."""
        a, b = lookup(code_a), lookup(code_b)
        assert a is not None and b is not None
        for info in (a, b):
            if info.offset:
                raise UnitError(
                    f"a material factor cannot use the temperature scale {info.describe()}"
                )
        fa = a.factor if a.factor is not None else Fraction(1)
        fb = b.factor if b.factor is not None else Fraction(1)
        # base(dim a) = ratio * base(dim b)
        ratio = per_one * fb / fa
        key_a, key_b = a.dimension_key, b.dimension_key
        root_a, ka = self._find(key_a)
        root_b, kb = self._find(key_b)
        if root_a == root_b:
            implied = ka / kb
            if implied != ratio:
                have = implied * fa / fb
                raise UnitError(
                    f"material factor 1 {a.code} = {_show(per_one)} {b.code} contradicts "
                    f"{'UN/ECE Rec 20' if key_a == key_b else 'the factors already given'}"
                    f" (1 {a.code} = {_show(have)} {b.code})"
                )
            return
        self._parent[root_a] = (root_b, kb * ratio / ka)
        self._cache.clear()

    def _find(self, key: str) -> tuple[str, Fraction]:
        ratio = Fraction(1)
        while key in self._parent:
            key, step = self._parent[key]
            ratio *= step
        return key, ratio

    # -- use --------------------------------------------------------------------------------

    def ratio(self, from_unit: str, to_unit: str) -> Fraction | None:
        """How many ``to_unit`` make one ``from_unit`` (``None``: not linked)."""
        a, b = lookup(resolve(from_unit)[0]), lookup(resolve(to_unit)[0])
        assert a is not None and b is not None
        try:
            return self.linear(a, b).factor
        except UnitError:
            return None

    def base_ratio(self, from_key: str, to_key: str) -> Fraction | None:
        """``ratio`` with base(from dimension) = ratio * base(to dimension), or ``None``."""
        root_a, ka = self._find(from_key)
        root_b, kb = self._find(to_key)
        return ka / kb if root_a == root_b else None

    def linear(self, a: UnitInfo, b: UnitInfo, *, delta: bool = False) -> Linear:
        key = (a.code, b.code, delta)
        hit = self._cache.get(key)
        if hit is None:
            ratio = None
            if a.dimension_key != b.dimension_key or a.factor is None or b.factor is None:
                ratio = self.base_ratio(a.dimension_key, b.dimension_key)
            hit = build(a, b, ratio=ratio, delta=delta, material=True)
            self._cache[key] = hit
        return hit

    def __iter__(self) -> Iterator[str]:
        """The statements, normalised: ``"1 BX = 12 EA"``, ``"density 0.8 GL"``."""
        return iter(self._statements)

    def __len__(self) -> int:
        return len(self._statements)

    def __repr__(self) -> str:
        items = ", ".join(repr(statement) for statement in self._statements)
        name = f", name={self.name!r}" if self.name else ""
        return f"MaterialFactors([{items}]{name})"

    # -- from B2MML -------------------------------------------------------------------------

    @classmethod
    def from_material(cls, *materials: Any) -> MaterialFactors:
        """Factors from the properties of ``MaterialDefinition`` / ``MaterialClass`` objects.

        Later objects add to earlier ones (pass the definition, then its classes); a
        contradiction between them raises :class:`UnitError`.
        """
        names = [_text(getattr(m, "id", None)) for m in materials]
        factors = cls(name=next((n for n in names if n), None))
        for material in materials:
            for prop in _properties(material):
                factors._add_property(prop)
        return factors

    def _add_property(self, prop: Any) -> None:
        pid = _text(getattr(prop, "id", None)) or ""
        match = _PROPERTY.match(pid.strip())
        density = pid.strip().lower() == "density"
        if not (match or density):
            return
        for value in getattr(prop, "value_", None) or []:
            number = _text(getattr(value, "value_string", None))
            uom = getattr(value, "unit_of_measure", None)
            unit = _text(uom)
            if number is None or not unit:
                raise UnitError(f"material property {pid!r}: a value needs a number and a unit")
            number = number.strip()
            amount = to_decimal(number)
            if amount <= 0:
                raise UnitError(f"material property {pid!r}: the value must be positive")
            code, _ = resolve(unit, list_id=getattr(uom, "list_id", None))
            if match:
                self._add_codes(Decimal(1), resolve(match["unit"].strip())[0], amount, code)
                continue
            info = lookup(code)
            assert info is not None
            if info.dimension != "kg m-3" or info.factor is None:
                raise UnitError(f"material property {pid!r}: {unit!r} is not a density unit")
            self._link("MTQ", "KGM", Fraction(amount) * info.factor)
            self._statements.append(f"density {amount} {code}")


def _show(value: Fraction) -> str:
    from ._convert import _decimal_of

    exact = _decimal_of(value)
    return str(exact) if exact is not None else f"{value.numerator}/{value.denominator}"


def _text(obj: Any) -> str | None:
    """The text of a B2MML simple value (``Identifier``, ``Code``, ``ValueString``) or str."""
    if obj is None or isinstance(obj, str):
        return obj
    value = getattr(obj, "value", None)
    return value if isinstance(value, str) else None


def _properties(material: Any) -> Iterator[Any]:
    for field in ("material_definition_property", "material_class_property", "properties"):
        yield from _walk(getattr(material, field, None) or [])


def _walk(props: Iterable[Any]) -> Iterator[Any]:
    for prop in props:
        yield prop
        for field in ("material_definition_property_child", "material_class_property_child"):
            yield from _walk(getattr(prop, field, None) or [])


def as_material(material: MaterialLike) -> MaterialFactors:
    """A :class:`MaterialFactors` from what ``material=`` accepts."""
    if isinstance(material, MaterialFactors):
        return material
    if isinstance(material, str):
        return MaterialFactors([material])
    if hasattr(material, "material_definition_property") or hasattr(
        material, "material_class_property"
    ):
        return MaterialFactors.from_material(material)
    if isinstance(material, Iterable):
        return MaterialFactors(material)
    raise UnitError(f"not a material: {type(material).__name__}")
