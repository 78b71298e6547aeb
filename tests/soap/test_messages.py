"""BOD builders: the verb/noun table, defaults of the ApplicationArea, pairing of replies, and
every built message valid against MESA's official V0701 schema."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import isa95kit as ik
from isa95kit import model as m
from isa95kit import soap
from isa95kit.errors import EncodeError
from isa95kit.model._registry import ELEMENTS
from isa95kit.versions import load_schema
from tests.strategies import instances

KINDS = soap.message_kinds()
REQUESTS = sorted(k for k, v in KINDS.items() if v.verb in soap.PAIRS)
SCHEMA = load_schema("V0701")


def schema_errors(message: ik.B2MMLModel) -> list[str]:
    doc = etree.fromstring(ik.write_xml(message))
    if SCHEMA.validate(doc):
        return []
    return [f"{e.line}: {e.message}" for e in SCHEMA.error_log]


def test_the_table_is_derived_from_the_model() -> None:
    # every global element of a BOD type is in the table, and nothing else
    bods = {
        e
        for e, name in ELEMENTS.items()
        if getattr(m, name).model_fields.keys() >= {"application_area", "data_area"}
    }
    assert set(KINDS) == bods
    counts = {verb: sum(k.verb == verb for k in KINDS.values()) for verb in soap.VERBS}
    assert counts == {"Get": 65, "Show": 65, "Process": 64, "Acknowledge": 64, "Change": 64,
                      "Respond": 64, "Cancel": 64, "Sync": 64, "Notify": 4}  # fmt: skip
    assert KINDS["ConfirmBOD"].verb == "Confirm"
    # the release spells one Sync element differently from its noun; the table follows the data
    assert KINDS["SyncWorkMasaterCapability"].noun == "WorkMasterCapability"
    assert KINDS["NotifyOperationsEvent"].verb_element == "Sync"


@pytest.mark.parametrize("element", REQUESTS)
def test_every_request_pairs_with_its_reply(element: str) -> None:
    kind = KINDS[element]
    reply = KINDS[kind.reply]  # type: ignore[index]
    expected = soap.PAIRS[kind.verb]
    if expected == "ConfirmBOD":
        assert reply.element == "ConfirmBOD"
    else:
        assert (reply.verb, reply.noun, reply.entity) == (expected, kind.noun, kind.entity)


@settings(max_examples=40)
@given(data=st.data(), element=st.sampled_from(REQUESTS))
def test_built_requests_and_replies_are_valid_v0701(data: st.DataObject, element: str) -> None:
    kind = KINDS[element]
    entities = data.draw(
        st.lists(instances(kind.entity, max_depth=1, max_list=1), min_size=1, max_size=2)
    )
    confirmation = data.draw(st.sampled_from(["Always", "OnError", "Never"]))
    if kind.verb in ("Sync", "Notify"):
        action = data.draw(st.sampled_from(["Add", "Change", "Delete", "Replace"]))
        request = soap.sync(entities, action=action, noun=kind.noun, notify=kind.verb == "Notify",
                            sender="ERP", receiver=["MES", "QMS"], confirmation=confirmation)  # fmt: skip
    else:
        request = soap.build(kind.verb, entities, noun=kind.noun, sender="ERP", receiver="MES",
                             confirmation=confirmation)  # fmt: skip
    assert soap.kind_of(request) is kind
    assert schema_errors(request) == []
    reply = soap.reply_to(request, entities, force=True)
    assert reply is not None
    assert soap.kind_of(reply).element == kind.reply
    assert schema_errors(reply) == []
    # the reply carries the request's ApplicationArea as its OriginalApplicationArea
    if kind.reply == "ConfirmBOD":
        original = reply.data_area.confirm.original_application_area  # type: ignore[attr-defined]
        assert reply.data_area.bod[0].original_application_area == request.application_area  # type: ignore[attr-defined]
    else:
        verb = getattr(reply.data_area, soap.kind_of(reply).verb_field)  # type: ignore[attr-defined]
        original = verb.original_application_area
    assert original == request.application_area  # type: ignore[attr-defined]
    # and it goes back: the reply's sender is the request's receiver and vice versa
    area = reply.application_area  # type: ignore[attr-defined]
    assert area.sender.logical_id.value == "MES"
    assert [r.logical_id.value for r in area.receiver] == ["ERP"]
    assert area.bodid.value != request.application_area.bodid.value  # type: ignore[attr-defined]
    # round trip through an envelope
    back, _ = soap.open_envelope(soap.envelope(reply, soap="1.2"))
    assert ik.write_xml(back) == ik.write_xml(reply)


def test_application_area_defaults() -> None:
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    area = soap.application_area(sender="ERP-S4P", receiver="MES", confirmation="OnError")
    when = area.creation_date_time.value
    assert when.tzinfo is not None and when.utcoffset() == timedelta(0)
    assert before <= when <= datetime.now(timezone.utc)
    assert uuid.UUID(area.bodid.value).version == 4
    assert area.sender.logical_id.value == "ERP-S4P"
    assert area.sender.confirmation_code.value == "OnError"
    assert area.receiver[0].logical_id.value == "MES"
    other = soap.application_area()
    assert other.bodid.value != area.bodid.value and other.sender is None


def equipment(ident: str) -> m.Equipment:
    return m.Equipment(id=m.Identifier(value=ident))


@pytest.mark.parametrize(
    ("confirmation", "action", "built"),
    [("Always", None, True), ("OnError", None, False), ("OnError", "Rejected", True),
     ("Never", None, False), (None, None, False)],
)  # fmt: skip
def test_confirm_bod_only_when_asked(
    confirmation: str | None, action: str | None, built: bool
) -> None:
    request = soap.sync([equipment("EQ-1")], action="Add", confirmation=confirmation)  # type: ignore[arg-type]
    reply = soap.reply_to(request, action=action)  # type: ignore[arg-type]
    assert (reply is not None) == built
    assert soap.reply_to(request, force=True) is not None


def test_process_is_acknowledged_unless_never() -> None:
    request = soap.process(equipment("EQ-1"), acknowledge="Always")
    ack = soap.reply_to(request)
    assert type(ack).__name__ == "AcknowledgeEquipment"
    assert ack.data_area.equipment == request.data_area.equipment  # type: ignore[union-attr]
    criteria = ack.data_area.acknowledge.response_criteria[0].response_expression  # type: ignore[union-attr]
    assert (criteria.action_code, criteria.value) == (
        "Accepted",
        "/AcknowledgeEquipment/DataArea/Equipment",
    )
    assert soap.reply_to(soap.process(equipment("EQ-1"), confirmation="Never")) is None


def test_sync_action_criteria() -> None:
    msg = soap.sync([equipment("EQ-1")], action="Delete")
    expr = msg.data_area.sync.action_criteria[0].action_expression[0]  # type: ignore[attr-defined]
    assert (expr.action_code, expr.value) == ("Delete", "/SyncEquipment/DataArea/Equipment")
    with pytest.raises(EncodeError):
        soap.sync([equipment("EQ-1")], action="Upsert")  # type: ignore[arg-type]


def test_a_get_is_answered_with_what_was_found() -> None:
    get = soap.get(equipment("EQ-1"), expression="/Equipment[ID='EQ-1']")
    assert get.data_area.get.expression == ["/Equipment[ID='EQ-1']"]  # type: ignore[attr-defined]
    with pytest.raises(EncodeError, match="at least one Equipment"):
        soap.reply_to(get)  # Show needs the entities found
    show = soap.reply_to(get, [equipment("EQ-1")])
    assert type(show).__name__ == "ShowEquipment"


def test_shared_types_keep_their_element() -> None:
    # V0701 gives SyncOperationalLocationClass the type of SyncOperationalLocation (it carries
    # OperationalLocation): the plain name wins, element= picks the other, each is written as built
    loc = m.OperationalLocation(id=m.Identifier(value="L1"))
    plain = soap.sync(loc, action="Add")
    other = soap.build("Sync", loc, element="SyncOperationalLocationClass")
    assert type(plain) is type(other)
    assert ik.write_xml(plain).count(b"<SyncOperationalLocation ") == 1
    assert ik.write_xml(other).count(b"<SyncOperationalLocationClass ") == 1
    assert schema_errors(plain) == schema_errors(other) == []
    assert soap.kind_of(other).element == "SyncOperationalLocationClass"
    reply = soap.reply_to(other, force=True)
    assert reply is not None and soap.kind_of(reply).element == "ConfirmBOD"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda: soap.process([equipment("A"), m.MaterialLot(id=m.Identifier(value="B"))]),
            "one noun",
        ),
        (lambda: soap.process([]), "needs entities or noun="),
        (lambda: soap.build("Process", [], noun="Equipment"), "at least one Equipment"),
        (lambda: soap.build("Process", [], noun="Nothing"), "no Process message"),
        (lambda: soap.reply_to(soap.reply_to(soap.process(equipment("A")))), "itself a reply"),  # type: ignore[arg-type]
        (lambda: soap.kind_of("Equipment"), "not a B2MML V0701 transaction message"),
    ],
)
def test_misuse_is_reported(call: object, words: str) -> None:
    with pytest.raises(ik.Isa95Error, match=words):
        call()  # type: ignore[operator]
