"""B2MML V0701 transaction messages (BODs): the verb/noun table, builders and replies.

The table is derived from the generated model: every global element whose type has an
``ApplicationArea`` and a ``DataArea`` holding a verb element (``Process``, ``Get``...) and a
noun (``WorkSchedule``...) is a message. ::

    from isa95kit import model as m
    from isa95kit import soap

    msg = soap.process([m.WorkSchedule(id=m.Identifier(value="WS-1"))],
                           sender="ERP", receiver="MES", confirmation="Always")
    ack = soap.reply_to(msg)          # AcknowledgeWorkSchedule, OriginalApplicationArea set
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any, Literal

from ..errors import EncodeError, ModelError
from ..model._base import B2MMLModel

__all__ = [
    "PAIRS",
    "VERBS",
    "MessageKind",
    "acknowledge",
    "application_area",
    "build",
    "cancel",
    "change",
    "confirm_bod",
    "get",
    "kind_of",
    "message_kinds",
    "process",
    "reply_to",
    "respond",
    "show",
    "sync",
]

#: the verbs of ISA-95 Part 5 / B2MML V0701 (``Notify`` messages carry a ``Sync`` verb)
VERBS = ("Get", "Show", "Process", "Acknowledge", "Change", "Respond", "Cancel", "Sync", "Notify")
#: request verb -> reply verb (``ConfirmBOD`` is the confirmation of Sync, Notify and Cancel)
PAIRS: dict[str, str] = {
    "Get": "Show",
    "Process": "Acknowledge",
    "Change": "Respond",
    "Sync": "ConfirmBOD",
    "Notify": "ConfirmBOD",
    "Cancel": "ConfirmBOD",
}
#: the B2MML release the builders write in ``releaseID``
RELEASE_ID = "7.1"

Confirmation = Literal["Always", "Never", "OnError"]
SyncAction = Literal["Add", "Change", "Delete", "Replace"]
ResponseAction = Literal["Accepted", "Modified", "Rejected"]


@dataclass(frozen=True)
class MessageKind:
    """One message of the table: ``ProcessWorkSchedule`` is verb ``Process``, noun
    ``WorkSchedule``; its ``DataArea`` holds ``verb_field`` and the entity list ``noun_field``."""

    element: str
    verb: str
    noun: str
    cls: type[B2MMLModel]
    data_area: type[B2MMLModel]
    verb_element: str
    verb_class: type[B2MMLModel]
    verb_field: str
    noun_field: str
    entity: type[B2MMLModel]
    #: at least one entity is required in the DataArea
    entity_required: bool

    @property
    def reply(self) -> str | None:
        """Element name of the paired reply (``AcknowledgeWorkSchedule``, ``ConfirmBOD``)."""
        verb = PAIRS.get(self.verb)
        if verb is None:
            return None
        return "ConfirmBOD" if verb == "ConfirmBOD" else verb + self.noun


@cache
def message_kinds() -> dict[str, MessageKind]:
    """Every transaction message of V0701 by element name (``ConfirmBOD`` included)."""
    from .._xml._tables import resolve_class
    from ..model._registry import ELEMENTS

    kinds: dict[str, MessageKind] = {}
    for element, name in ELEMENTS.items():
        cls = resolve_class(name)
        fields = cls.__wire__.fields
        if len(fields) < 2 or fields[0].tag != "ApplicationArea" or fields[1].tag != "DataArea":
            continue
        area = resolve_class(fields[1].type)
        verb_wire, noun_wire = area.__wire__.fields[:2]
        velement, noun = verb_wire.tag, noun_wire.tag
        verb = next((v for v in VERBS if element.startswith(v)), velement)
        kinds[element] = MessageKind(
            element=element,
            verb=verb,
            noun=noun,
            cls=cls,
            data_area=area,
            verb_element=velement,
            verb_class=resolve_class(verb_wire.type),
            verb_field=verb_wire.name,
            noun_field=noun_wire.name,
            entity=resolve_class(noun_wire.type),
            entity_required=noun_wire.many and noun_wire.required,
        )
    return kinds


@cache
def _by_verb_entity() -> dict[tuple[str, type[B2MMLModel]], list[MessageKind]]:
    table: dict[tuple[str, type[B2MMLModel]], list[MessageKind]] = {}
    for kind in message_kinds().values():
        table.setdefault((kind.verb, kind.entity), []).append(kind)
    return table


@cache
def _by_verb_noun() -> dict[tuple[str, str], list[MessageKind]]:
    """(verb, noun) -> messages; the release spells one element ``SyncWorkMasaterCapability``."""
    table: dict[tuple[str, str], list[MessageKind]] = {}
    for kind in message_kinds().values():
        table.setdefault((kind.verb, kind.noun), []).append(kind)
    return table


def kind_of(message: B2MMLModel | str) -> MessageKind:
    """The table entry of a message instance, class or element name."""
    from .._xml._tables import root_element

    if isinstance(message, str):
        name = message
    elif isinstance(message, type):
        name = message.__name__
    else:
        name = root_element(message, None)
    kind = message_kinds().get(name)
    if kind is None:
        raise EncodeError(f"{name} is not a B2MML V0701 transaction message")
    return kind


def _kind(verb: str, entities: Sequence[B2MMLModel], noun: str | None) -> MessageKind:
    if noun is not None:
        named = _by_verb_noun().get((verb, noun), [])
        if not named:
            raise EncodeError(f"B2MML V0701 has no {verb} message for the noun {noun!r}")
        exact = [k for k in named if k.element == verb + noun]
        return (exact or named)[0]
    if not entities:
        raise EncodeError(f"a {verb} message needs entities or noun= to name its noun")
    classes = {type(e) for e in entities}
    if len(classes) > 1:
        names = ", ".join(sorted(c.__name__ for c in classes))
        raise EncodeError(f"one {verb} message carries one noun; got {names}")
    cls = classes.pop()
    found = _by_verb_entity().get((verb, cls), [])
    if len(found) > 1:  # SyncOperationalLocation[Class] share a type: the plain name wins
        found = [k for k in found if k.element == verb + k.noun] or found
    if len(found) != 1:
        nouns = ", ".join(k.noun for k in found) or "none"
        raise EncodeError(
            f"cannot tell the {verb} message of a {cls.__name__} (nouns: {nouns}); pass noun="
        )
    return found[0]


def _identifier(value: Any) -> Any:
    from ..model import Identifier

    if value is None or isinstance(value, Identifier):
        return value
    return Identifier(value=str(value))


def application_area(
    *,
    sender: str | Any = None,
    receiver: str | Any | Sequence[str | Any] = (),
    confirmation: Confirmation | None = None,
    bodid: str | None = None,
    creation: datetime | None = None,
) -> Any:
    """A ``TransApplicationArea``: ``Sender`` (a LogicalID, or a ``TransSender``) with the
    ``ConfirmationCode``, ``Receiver``\\ s, ``CreationDateTime`` (now, UTC) and a fresh
    ``BODID`` (a UUID URN) unless given."""
    from ..model import (
        DateTime,
        TransApplicationArea,
        TransConfirmationCode,
        TransConfirmationCodeCode,
        TransReceiver,
        TransSender,
    )

    if sender is not None and not isinstance(sender, TransSender):
        sender = TransSender(logical_id=_identifier(sender))
    if confirmation is not None:
        if sender is None:
            sender = TransSender()
        sender = sender.model_copy(
            update={
                "confirmation_code": TransConfirmationCode(
                    value=TransConfirmationCodeCode(confirmation)
                )
            }
        )
    if isinstance(receiver, (str, TransReceiver)):
        receiver = [receiver]
    receivers = [
        r if isinstance(r, TransReceiver) else TransReceiver(logical_id=_identifier(r))
        for r in receiver
    ]
    when = creation or datetime.now(timezone.utc).replace(microsecond=0)
    return TransApplicationArea(
        sender=sender,
        receiver=receivers,
        creation_date_time=DateTime(value=when),
        bodid=_identifier(bodid or uuid.uuid4().urn),
    )


def _criteria(actions: Iterable[tuple[str, str | None]]) -> list[Any]:
    from ..model import TransActionCriteria, TransExpression

    return [
        TransActionCriteria(
            action_expression=[
                TransExpression(action_code=code, value=expr, expression_language="XPath")
            ]
        )
        for code, expr in actions
    ]


def _response(action: ResponseAction | None, expression: str) -> list[Any]:
    """``ResponseCriteria``: ``action`` applies to the parts ``expression`` (XPath) selects."""
    from ..model import TransExpression, TransResponseCriteria

    if action is None:
        return []
    expr = TransExpression(action_code=action, value=expression, expression_language="XPath")
    return [TransResponseCriteria(response_expression=expr)]


def build(
    verb: str,
    entities: B2MMLModel | Sequence[B2MMLModel] = (),
    *,
    noun: str | None = None,
    element: str | None = None,
    area: Any = None,
    verb_fields: dict[str, Any] | None = None,
    **area_options: Any,
) -> B2MMLModel:
    """A ``<verb><noun>`` message carrying ``entities`` (typed model instances).

    The noun is the one whose DataArea carries the entities' class (``noun=`` names it when
    several do, or when there are no entities). ``area`` is a ready ``TransApplicationArea``;
    else ``area_options`` go to :func:`application_area`. ``verb_fields`` fill the verb
    element (``TransProcess(acknowledge_code=...)``...). ``element`` names the message
    outright (``SyncOperationalLocationClass``, whose V0701 type is that of
    ``SyncOperationalLocation``).
    """
    items = [entities] if isinstance(entities, B2MMLModel) else list(entities)
    kind = kind_of(element) if element is not None else _kind(verb, items, noun)
    if kind.verb != verb:
        raise EncodeError(f"{kind.element} is a {kind.verb} message, not {verb}")
    if kind.entity_required and not items:
        raise EncodeError(f"{kind.element} needs at least one {kind.entity.__name__}")
    if area is None:
        area = application_area(**area_options)
    elif area_options:
        raise EncodeError("pass either area= or application area options, not both")
    fields: dict[str, Any] = {
        "application_area": area,
        "data_area": kind.data_area(
            **{kind.verb_field: kind.verb_class(**(verb_fields or {})), kind.noun_field: items}
        ),
    }
    if "release_id" in kind.cls.model_fields:
        fields["release_id"] = RELEASE_ID
    try:
        message = kind.cls(**fields)
    except ValueError as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"cannot build {kind.element}: {exc}") from None
    return _as_element(message, kind.element)


def _as_element(message: B2MMLModel, element: str) -> B2MMLModel:
    """Record the global element (two elements share a type: SyncOperationalLocation[Class])."""
    from .._xml._side import ensure_side
    from ..model._registry import NAMESPACE

    ensure_side(message).tag = f"{{{NAMESPACE}}}{element}"
    return message


def get(
    entities: B2MMLModel | Sequence[B2MMLModel] = (),
    *,
    noun: str | None = None,
    expression: str | Sequence[str] = (),
    **options: Any,
) -> B2MMLModel:
    """``Get<noun>``: ask for the entities matching ``entities`` (usually just their IDs)
    and the ``Expression``\\ s of the Get verb (e.g. an XPath)."""
    exprs = [expression] if isinstance(expression, str) else list(expression)
    return build("Get", entities, noun=noun, verb_fields={"expression": exprs}, **options)


def process(
    entities: B2MMLModel | Sequence[B2MMLModel],
    *,
    noun: str | None = None,
    acknowledge: Literal["Always", "OnError"] | None = None,
    **options: Any,
) -> B2MMLModel:
    """``Process<noun>``: ask the receiver to process the entities; ``acknowledge`` sets
    ``acknowledgeCode`` (when an Acknowledge is wanted)."""
    fields = {"acknowledge_code": acknowledge} if acknowledge else {}
    return build("Process", entities, noun=noun, verb_fields=fields, **options)


def change(
    entities: B2MMLModel | Sequence[B2MMLModel],
    *,
    noun: str | None = None,
    respond: Literal["Always", "OnError"] | None = None,
    **options: Any,
) -> B2MMLModel:
    """``Change<noun>``: ask the receiver to change the entities; ``respond`` sets
    ``responseCode``."""
    fields = {"response_code": respond} if respond else {}
    return build("Change", entities, noun=noun, verb_fields=fields, **options)


def cancel(
    entities: B2MMLModel | Sequence[B2MMLModel], *, noun: str | None = None, **options: Any
) -> B2MMLModel:
    """``Cancel<noun>``: ask the receiver to cancel (remove) the entities."""
    return build("Cancel", entities, noun=noun, **options)


def sync(
    entities: B2MMLModel | Sequence[B2MMLModel],
    *,
    action: SyncAction = "Change",
    expression: str | None = None,
    noun: str | None = None,
    notify: bool = False,
    **options: Any,
) -> B2MMLModel:
    """``Sync<noun>`` (``Notify<noun>`` with ``notify=True``): tell the receiver the entities
    were added, changed, deleted or replaced. ``action`` is the ``ActionCriteria`` code;
    ``expression`` its XPath (default: the noun in the DataArea)."""
    if action not in ("Add", "Change", "Delete", "Replace"):
        raise EncodeError(f"a Sync action is Add, Change, Delete or Replace, not {action!r}")
    verb = "Notify" if notify else "Sync"
    items = [entities] if isinstance(entities, B2MMLModel) else list(entities)
    kind = _kind(verb, items, noun)
    expr = expression or f"/{kind.element}/DataArea/{kind.noun}"
    fields = {"action_criteria": _criteria([(action, expr)])}
    return build(verb, items, noun=kind.noun, verb_fields=fields, **options)


def _answer(
    verb: str,
    entities: B2MMLModel | Sequence[B2MMLModel],
    noun: str | None,
    original: Any,
    action: ResponseAction | None,
    options: dict[str, Any],
) -> B2MMLModel:
    items = [entities] if isinstance(entities, B2MMLModel) else list(entities)
    kind = _kind(verb, items, noun)
    criteria = _response(action, f"/{kind.element}/DataArea/{kind.noun}")
    fields = {"original_application_area": original, "response_criteria": criteria}
    return build(verb, items, noun=kind.noun, verb_fields=fields, **options)


def show(
    entities: B2MMLModel | Sequence[B2MMLModel] = (),
    *,
    noun: str | None = None,
    original: Any = None,
    **options: Any,
) -> B2MMLModel:
    """``Show<noun>``: the answer to a Get; ``original`` is the Get's ApplicationArea."""
    return _answer("Show", entities, noun, original, None, options)


def acknowledge(
    entities: B2MMLModel | Sequence[B2MMLModel] = (),
    *,
    noun: str | None = None,
    original: Any = None,
    action: ResponseAction | None = "Accepted",
    **options: Any,
) -> B2MMLModel:
    """``Acknowledge<noun>``: the answer to a Process (``action``: Accepted, Modified,
    Rejected, in ``ResponseCriteria``)."""
    return _answer("Acknowledge", entities, noun, original, action, options)


def respond(
    entities: B2MMLModel | Sequence[B2MMLModel] = (),
    *,
    noun: str | None = None,
    original: Any = None,
    action: ResponseAction | None = "Accepted",
    **options: Any,
) -> B2MMLModel:
    """``Respond<noun>``: the answer to a Change."""
    return _answer("Respond", entities, noun, original, action, options)


def confirm_bod(
    original: Any,
    *,
    description: str | Sequence[str] = (),
    action: ResponseAction | None = "Accepted",
    **options: Any,
) -> B2MMLModel:
    """``ConfirmBOD``: confirms (or reports an error in) the message whose ApplicationArea
    is ``original`` (a message instance or its ``TransApplicationArea``)."""
    from ..model import BOD, ConfirmBOD, ConfirmBODDataArea, Text, TransConfirm

    if isinstance(original, B2MMLModel) and "application_area" in type(original).model_fields:
        original = original.application_area  # type: ignore[attr-defined]
    texts = [description] if isinstance(description, str) else list(description)
    return ConfirmBOD(
        application_area=options.pop("area", None) or application_area(**options),
        data_area=ConfirmBODDataArea(
            confirm=TransConfirm(
                original_application_area=original,
                response_criteria=_response(action, "/ConfirmBOD/DataArea/BOD"),
            ),
            bod=[
                BOD(
                    original_application_area=original,
                    description=[Text(value=t) for t in texts],
                )
            ],
        ),
    )


def _asked(message: B2MMLModel, kind: MessageKind, error: bool) -> bool:
    """Whether the sender asked for the reply (``ConfirmationCode`` / ``acknowledgeCode``)."""
    area = message.application_area  # type: ignore[attr-defined]
    code = None
    if area.sender is not None and area.sender.confirmation_code is not None:
        code = area.sender.confirmation_code.value
    if kind.verb in ("Sync", "Notify", "Cancel"):
        return code == "Always" or (code == "OnError" and error)
    return code != "Never" or error


def reply_to(
    message: B2MMLModel,
    entities: B2MMLModel | Sequence[B2MMLModel] | None = None,
    *,
    action: ResponseAction | None = None,
    description: str | Sequence[str] = (),
    force: bool = False,
    **options: Any,
) -> B2MMLModel | None:
    """The paired answer to a request: Process → Acknowledge, Get → Show, Change → Respond,
    Sync/Notify/Cancel → ConfirmBOD, each with ``OriginalApplicationArea``.

    ``entities`` default to the request's (Get: none). The reply's Sender is the request's
    first Receiver and its Receiver the request's Sender, unless given in ``options``.
    Returns None when the request did not ask for it (ConfirmationCode ``Never``, or not
    ``Always`` for a ConfirmBOD) unless ``force`` (a SOAP operation always answers).
    """
    kind = kind_of(message)
    reply_verb = PAIRS.get(kind.verb)
    if reply_verb is None:
        raise EncodeError(f"{kind.element} is itself a reply; it has no paired answer")
    rejected = action == "Rejected"
    if not force and not _asked(message, kind, rejected):
        return None
    original = message.application_area  # type: ignore[attr-defined]
    if "sender" not in options and original.receiver:
        first = original.receiver[0]
        options["sender"] = first.logical_id.value if first.logical_id else None
    if "receiver" not in options and original.sender is not None and original.sender.logical_id:
        options["receiver"] = original.sender.logical_id.value
    if reply_verb == "ConfirmBOD":
        return confirm_bod(
            original, description=description, action=action or "Accepted", **options
        )
    if entities is None:
        entities = [] if kind.verb == "Get" else getattr(message.data_area, kind.noun_field)  # type: ignore[attr-defined]
    noun = kind.noun
    if reply_verb == "Show":
        return show(entities, noun=noun, original=original, **options)
    answer = acknowledge if reply_verb == "Acknowledge" else respond
    return answer(entities, noun=noun, original=original, action=action or "Accepted", **options)
