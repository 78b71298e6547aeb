"""Hand-written base of the generated model: base classes, ``NIL``, ``AnyElement``, wire tables.

Every generated class carries ``__wire__``: a :class:`Wire` with one :class:`WireField` per
field, in content-model order (Python name, B2MML tag, kind, type, cardinality). The codecs
compile these tables once per class; they never reflect over the models per element.

Wire details the model does not expose as fields (namespace prefixes, the lexical form of
a number or dateTime, ``xsi:schemaLocation``, unknown content kept by the lenient reader,
child order in repeating choices) travel in a private side record, so a round trip is exact
while the public fields stay clean. Equality compares fields only.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Literal,
    NamedTuple,
    TypeAlias,
    TypeGuard,
    TypeVar,
    Union,
)

from typing_extensions import Self

from pydantic import (
    BaseModel,
    PydanticUndefinedAnnotation,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import core_schema

from ..errors import Location, ModelError

if TYPE_CHECKING:
    from .common import DateTime, Identifier, TransApplicationArea

__all__ = [
    "NIL",
    "VALUE_ONLY",
    "AnyElement",
    "B2MMLModel",
    "B2MMLSimple",
    "ListOf",
    "Nil",
    "PYDANTIC_SLOTS",
    "SharedFieldsSet",
    "Wire",
    "WireField",
    "decoded_instance",
    "new_application_area",
    "new_bodid",
    "now_utc",
    "shared_fields_set",
]

#: ``element``, ``attribute``, ``text`` (the value of simple content), ``extended`` (the
#: ``Extended:*`` extension groups) or ``any`` (``xsd:any``)
WireKind: TypeAlias = Literal["element", "attribute", "text", "extended", "any"]


class WireField(NamedTuple):
    """One field of a wire table: how a Python field travels in B2MML."""

    name: str
    """The Python field name."""
    tag: str
    """The local element or attribute name ("" for text, extension and ``xsd:any``)."""
    type: str
    """A class name, ``leaf:<kind>`` (``leaf:decimal``, ``leaf:datetime``, ...) or
    ``enum:<Name>``."""
    kind: WireKind = "element"
    many: bool = False
    required: bool = False
    nillable: bool = False
    """``xsi:nil="true"`` is allowed (read as :data:`NIL`)."""
    unqualified: bool = False
    """A local element in no namespace (its schema lacks ``elementFormDefault``)."""


@dataclass(frozen=True, slots=True)
class Wire:
    """The wire table of one generated class."""

    xsd_name: str
    fields: tuple[WireField, ...]
    ordered: bool = False
    mixed: bool = False


_T = TypeVar("_T")
_S = TypeVar("_S")
_M = TypeVar("_M", bound=BaseModel)

#: The type of a repeated field in constructor signatures: ``ListOf[Text, str]`` accepts a
#: ``list[Text]``, a ``list[str]`` or a list mixing both (a plain ``Sequence`` would let a
#: bare ``str`` through, which is a ``Sequence[str]`` but not a list of values).
ListOf: TypeAlias = Union[list[_T], list[_S], list[Union[_T, _S]]]  # noqa: UP007


def new_bodid() -> Identifier:
    """A fresh ``BODID`` (business object document ID): a random UUID (the default of
    ``TransApplicationArea.bodid``)."""
    from .common import Identifier

    return Identifier(str(uuid.uuid4()))


def new_application_area() -> TransApplicationArea:
    """A message's default ``ApplicationArea``: a fresh :func:`new_bodid` and the
    :func:`now_utc` creation time."""
    from .common import TransApplicationArea

    return TransApplicationArea()


def now_utc() -> DateTime:
    """The current time in UTC, to the second (the default ``CreationDateTime``)."""
    from .common import DateTime

    return DateTime(datetime.now(timezone.utc).replace(microsecond=0))


class Nil:
    """The value of a nillable element sent as ``xsi:nil="true"`` (distinct from absent)."""

    __slots__ = ()
    _instance: ClassVar[Nil | None] = None

    def __new__(cls) -> Nil:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NIL"

    def __bool__(self) -> Literal[False]:  # type checkers narrow ``X | Nil`` on truth
        return False

    @property
    def value(self) -> None:
        """A nil element has no value: ``element.value`` is None for ``X | Nil`` alike."""
        return None

    def __reduce__(self) -> str:
        return "NIL"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.is_instance_schema(
            cls, serialization=core_schema.plain_serializer_function_ser_schema(lambda _: None)
        )


NIL = Nil()


class B2MMLModel(BaseModel):
    """Base of every generated B2MML class.

    Fields use snake_case names; the B2MML names are the aliases (both are accepted).
    """

    model_config = ConfigDict(
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=False,
        defer_build=True,
        extra="forbid",
        validate_assignment=True,
        ser_json_bytes="base64",
        val_json_bytes="base64",
    )

    __wire__: ClassVar[Wire] = Wire("", ())
    # the side record lives in __pydantic_private__ ({"_wire": Side}) set by the codecs

    def __init__(self, /, **data: Any) -> None:
        try:  # BaseModel.__init__ without its frame (one per keyword-built instance)
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as exc:
            raise model_error(type(self), exc) from None

    # pydantic validates nested data without calling this (no custom-init slow path)
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        """Validate user data (a dict or an instance); :class:`ModelError` if it does not fit."""
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise model_error(cls, exc) from None

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __setattr__(self, name: str, value: Any) -> None:
        # decoded instances share an immutable fields-set (memory); thaw it on first write
        _thaw(self)
        try:  # assignment is validated: a wrong value is refused where it is assigned
            super().__setattr__(name, value)
        except ValidationError as exc:
            raise model_error(type(self), exc) from None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        if update:
            _thaw(self)
        return super().model_copy(update=update, deep=deep)

    def __repr_args__(self) -> Any:
        # only what is set: B2MML classes have dozens of optional fields
        for name, value in self.__dict__.items():
            if value is not None and value != []:
                yield name, value

    @classmethod
    def model_rebuild(cls, **kwargs: Any) -> bool | None:
        """Link the cross-area names of this class's area, then rebuild; if a class the
        schema reaches needs names of further areas, link those too and rebuild again."""
        link_module(cls.__module__)
        try:
            built = super().model_rebuild(**kwargs)
        except PydanticUndefinedAnnotation:
            built = False
        if built is False and link_area_closure(cls.__module__):
            return super().model_rebuild(**kwargs)
        if built is False and kwargs.get("raise_errors", True):
            return super().model_rebuild(**kwargs)  # raises pydantic's own error
        return built


class SharedFieldsSet(set[str]):
    """The fields-set of decoded instances, shared by every instance with the same set fields.

    A set per element would cost a third of the model's memory, so the decoders intern one
    per distinct set of names (:func:`shared_fields_set`). It is a real ``set`` (pydantic's
    serializer needs one for ``exclude_unset``) that refuses changes in place: the model
    replaces it with a private copy before its first write (:func:`_thaw`), so a change to one
    instance can never reach another.
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> Any:
        raise TypeError("a shared fields-set is read-only; the model copies it before writing")

    add = discard = remove = pop = clear = update = _refuse
    difference_update = intersection_update = symmetric_difference_update = _refuse
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: object) -> set[str]:
        return set(self)

    def __reduce__(self) -> Any:
        return (set, (list(self),))


_SHARED_FIELDS_SETS: dict[frozenset[str], SharedFieldsSet] = {}

#: the fields-set of a simple-content instance with only its value set
VALUE_ONLY = SharedFieldsSet({"value"})
_SHARED_FIELDS_SETS[frozenset(VALUE_ONLY)] = VALUE_ONLY


def shared_fields_set(names: set[str] | frozenset[str]) -> SharedFieldsSet:
    """The one shared fields-set holding exactly ``names`` (interned)."""
    key = frozenset(names)
    found = _SHARED_FIELDS_SETS.get(key)
    if found is None:
        found = _SHARED_FIELDS_SETS.setdefault(key, SharedFieldsSet(key))
    return found


#: the per-instance state pydantic keeps in ``BaseModel``'s slots; :func:`decoded_instance`
#: fills exactly these (a test compares them with ``BaseModel.__slots__``, so a pydantic
#: upgrade that changes them fails loudly instead of building broken instances)
PYDANTIC_SLOTS = (
    "__dict__",
    "__pydantic_fields_set__",
    "__pydantic_extra__",
    "__pydantic_private__",
)
# the slots' own descriptors: calling their ``__set__`` skips ``object.__setattr__``'s lookup
_set_dict, _set_fields_set, _set_extra, _set_private = (
    BaseModel.__dict__[_name].__set__ for _name in PYDANTIC_SLOTS
)
_new_instance = object.__new__


def decoded_instance(
    cls: type[_M], d: dict[str, Any], fields_set: set[str], private: dict[str, Any] | None
) -> _M:
    """The one construction hook of decoded instances (XML, JSON, bare simple values).

    Builds an instance of ``cls`` without validation, as ``cls.model_construct`` would
    but without its per-field work: ``d`` is the complete field dict (every field, in
    declaration order, already checked by the caller), ``fields_set`` the names the source
    set (an interned :class:`SharedFieldsSet` keeps memory low) and ``private`` the private
    attributes (``{"_wire": Side}``) or None.
    """
    obj = _new_instance(cls)
    _set_dict(obj, d)
    _set_fields_set(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, private)
    return obj


def _thaw(obj: BaseModel) -> None:
    fields_set: object = obj.__pydantic_fields_set__
    if type(fields_set) is SharedFieldsSet:
        object.__setattr__(obj, "__pydantic_fields_set__", set(fields_set))


_linked: set[str] = set()


def link_module(name: str) -> None:
    """Bind the cross-area names (``_DEPS``) of one model module.

    Area modules import each other only for type checking, so reading one area loads
    only that area; pydantic needs the names when it first builds a schema (validation
    of user data, JSON Schema), and this puts them in place just before. The modules that
    define the names are imported but not linked in turn: a job order needs three of the
    28 areas, and linking every area a name leads to (``common`` -> ``information_object``
    -> all) would put the whole model (100,000 objects) on the heap that each full
    collection of the cyclic GC walks. :func:`link_area_closure` links the rest when a
    schema needs it (:meth:`B2MMLModel.model_rebuild`).
    """
    if name in _linked:
        return
    module = importlib.import_module(name)
    package = name.rpartition(".")[0]
    for dep, names in getattr(module, "_DEPS", {}).items():
        dep_module = importlib.import_module(f"{package}.{dep}")
        for n in names:
            setattr(module, n, getattr(dep_module, n))
    _linked.add(name)


def link_area_closure(name: str) -> bool:
    """Link a model module and, transitively, every module it takes names from; True if
    any module was linked that was not before."""
    todo, changed, seen = [name], False, set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if current not in _linked:
            link_module(current)
            changed = True
        package = current.rpartition(".")[0]
        module = importlib.import_module(current)
        todo.extend(f"{package}.{dep}" for dep in getattr(module, "_DEPS", {}))
    return changed


def model_error(cls: type[BaseModel], exc: ValidationError) -> ModelError:
    """pydantic's ValidationError as a :class:`ModelError`, with field paths in Python names."""
    errors = exc.errors(include_url=False)
    lines = []
    for err in errors:
        path = _field_path(cls, err["loc"])
        lines.append(f"{path}: {err['msg']}" if path else err["msg"])
    first = _field_path(cls, errors[0]["loc"]) if errors else ""
    count = f"{len(errors)} problems" if len(errors) != 1 else "1 problem"
    message = f"invalid {cls.__name__} ({count}): " + "; ".join(lines)
    return ModelError(message, errors=errors, location=Location(path=first or None))


def _field_path(cls: Any, loc: tuple[int | str, ...]) -> str:
    """``("JobOrder"-relative) loc`` in snake_case field names: ``material_requirement[0].id``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        name = part
        fields = getattr(cls, "model_fields", None)
        nxt: Any = None
        if fields is not None:
            for field_name, info in fields.items():
                if part in (field_name, info.alias):
                    name, nxt = field_name, info.annotation
                    break
        path += f".{name}" if path else name
        cls = _model_in(nxt)
    return path


def _model_in(annotation: Any) -> Any:
    """The model class inside ``X``, ``list[X]``, ``X | None`` (for naming nested fields)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


class B2MMLSimple(B2MMLModel):
    """A B2MML type with simple content: a ``value`` plus optional attributes.

    A bare value is accepted wherever one is expected (``JobOrder(id="JO-1")``) and as the
    one positional argument (``Identifier("JO-1")``). Floats are refused: B2MML numbers are
    exact, so pass a :class:`~decimal.Decimal`, an ``int`` or a ``str``. An instance with no
    attributes set compares equal to its value (``job.id == "JO-1"``) and prints as it.
    """

    #: a text value that also takes an exact number (``QuantityString``): a Decimal or an
    #: int becomes its plain decimal text
    __numbers_as_text__: ClassVar[bool] = False

    def __init__(self, value: Any = None, /, **data: Any) -> None:
        if value is not None:
            if not data:
                d = _bare_value_dict(type(self), value)
                if d is not None:  # the common ``Identifier("JO-1")``: no per-field work
                    _set_dict(self, d)
                    _set_fields_set(self, VALUE_ONLY)
                    _set_extra(self, None)
                    _set_private(self, None)
                    return
            data["value"] = value
        super().__init__(**data)

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_validator(mode="wrap")
    @classmethod
    def _from_bare_value(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        # no ValidationInfo (its creation costs a third of a bare value's time): the one
        # rule that differs in JSON mode (base64 bytes) is kept by _compile_bare, which
        # sends bare values of bytes-valued classes through the field validators
        kind = type(data)
        if kind is str:  # the common shorthand, without _bare_value_dict's checks
            try:
                bare = _BARE[cls]
            except KeyError:
                bare = _BARE[cls] = _compile_bare(cls)
            if bare is not None and bare.str_as_is:
                d = bare.template.copy()
                d["value"] = data
                return decoded_instance(cls, d, VALUE_ONLY, None)
        elif kind is dict:
            value = data.get("value")
            if type(value) is float:
                raise _float_refused(value)
            if cls.__numbers_as_text__ and _is_number(value):
                data = {**data, "value": _number_text(value)}
            return handler(data)
        elif kind is float:
            raise _float_refused(data)
        elif isinstance(data, BaseModel):
            return handler(data)
        found = _bare_value_dict(cls, data)
        if found is None:  # let the field validators report it, with its path
            return handler({"value": data})
        return decoded_instance(cls, found, VALUE_ONLY, None)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BaseModel):
            return super().__eq__(other)
        d = self.__dict__
        if any(v is not None for k, v in d.items() if k != "value"):
            return False  # attributes (a unit, a scheme) are part of what the value means
        value = d.get("value")
        if value == other:
            return True
        return isinstance(value, Enum) and value.value == other

    __hash__ = None

    def __str__(self) -> str:
        value = self.__dict__.get("value")
        return str(value.value if isinstance(value, Enum) else value)


class _Bare(NamedTuple):
    """How a bare value becomes an instance of one simple-content class."""

    validator: Any
    """pydantic's validator of the ``value`` field (Python mode)."""
    template: dict[str, Any]
    """The ``__dict__`` of an instance with nothing set."""
    str_as_is: bool
    """The value is a plain ``str`` field: a ``str`` needs no validation."""
    numbers_as_text: bool
    decimal_as_is: bool
    """The value is a plain ``Decimal`` field: a finite ``Decimal`` needs no validation."""
    enum: type[Enum] | None
    """The value is a plain enum field: a member is taken as is, a ``str`` looked up."""


#: simple-content class -> how a bare value becomes one, or None when it cannot without the
#: field validators (a required attribute, a bytes value whose JSON rules differ)
_BARE: dict[type, _Bare | None] = {}


def _float_refused(value: float) -> ValueError:
    return ValueError(
        f"{value!r} is a float, which is not exact: "
        "pass a Decimal, an int or a str (e.g. Decimal('1.5'))"
    )


def _is_number(value: object) -> TypeGuard[Decimal | int]:
    return isinstance(value, (Decimal, int)) and not isinstance(value, bool)


def _number_text(value: Decimal | int) -> str:
    """``Decimal("1.50")`` -> ``"1.50"``, ``Decimal("1E+3")`` -> ``"1000"`` (no exponent)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _bare_value_dict(cls: type[B2MMLSimple], value: Any) -> dict[str, Any] | None:
    """The ``__dict__`` of a ``cls`` holding only ``value`` (validated like the field), or
    None when it does not fit: full validation then reports the problem with its path."""
    try:
        bare = _BARE[cls]
    except KeyError:
        bare = _BARE[cls] = _compile_bare(cls)
    if bare is None:
        return None
    kind = type(value)
    if kind is not str or not bare.str_as_is:
        if kind is float:
            return None  # refused by the validator, as a ModelError with the field path
        if bare.numbers_as_text and _is_number(value):
            value = _number_text(value)
        # what pydantic returns unchanged, without calling it: a finite Decimal for a
        # Decimal, a member (or a member's value) for an enum
        enum = bare.enum
        if enum is not None:
            if kind is str and value in enum._value2member_map_:
                value, kind = enum._value2member_map_[value], enum
            as_is = kind is enum
        else:
            as_is = kind is Decimal and bare.decimal_as_is and value.is_finite()
        if not as_is:
            try:
                value = bare.validator.validate_python(value)
            except ValidationError:
                return None
    d = bare.template.copy()
    d["value"] = value
    return d


def _compile_bare(cls: type[B2MMLSimple]) -> _Bare | None:
    if not cls.__pydantic_complete__:
        cls.model_rebuild()
    fields = cls.model_fields
    value = fields["value"]
    others = [info for name, info in fields.items() if name != "value"]
    if any(info.is_required() or info.default_factory is not None for info in others):
        return None  # a required attribute: full validation names it
    annotation: Any = value.annotation
    if _mentions(annotation, bytes):
        return None  # the model's bytes rules (base64, by mode) stay with the field validator
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    plain = not value.metadata
    args = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
    only = args[0] if len(args) == 1 and plain else None
    enum = only if isinstance(only, type) and issubclass(only, Enum) else None
    if enum is not None and any(type(key) is not str for key in enum._value2member_map_):
        enum = None  # lookups of non-str values (1 == True) stay with pydantic
    template = {name: info.default for name, info in fields.items()}
    return _Bare(
        adapter.validator,
        template,
        str_as_is=only is str,
        numbers_as_text=cls.__numbers_as_text__,
        decimal_as_is=only is Decimal,
        enum=enum,
    )


def _mentions(annotation: Any, kind: type) -> bool:
    """``kind`` is ``annotation`` or one of its arguments (``bytes | None``)."""
    return annotation is kind or any(
        _mentions(a, kind) for a in getattr(annotation, "__args__", ())
    )


class AnyElement(B2MMLModel):
    """XML content the model has no fields for, kept verbatim: ``xsd:any`` and
    ``Extended:*`` extension elements, or unknown elements kept by a lenient reader.

    ``tag`` and attribute names use Clark notation (``{namespace}local``).
    """

    tag: str
    attributes: dict[str, str] = Field(default_factory=dict)
    text: str | None = None
    children: list[AnyElement] = Field(default_factory=list)
    tail: str | None = None
    prefix: str | None = None
