"""The outbox against a dictionary model, under random sequences of operations."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

import isa95kit as ik
from isa95kit.delivery import Outbox, OutboxState

S = OutboxState


class OutboxMachine(RuleBasedStateMachine):
    ids = Bundle("ids")

    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        self.box = Outbox(Path(self._dir.name) / "o.sqlite")
        self.model: dict[int, dict[str, object]] = {}

    @rule(target=ids, payload=st.binary(max_size=64), bodid=st.text(min_size=1, max_size=12))
    def add(self, payload: bytes, bodid: str) -> int:
        e = self.box.add(payload, bodid=bodid, endpoint="http://erp")
        self.model[e.id] = {"state": S.PENDING, "attempts": 0, "payload": payload, "bodid": bodid}
        return e.id

    @rule(entry=ids)
    def claim(self, entry: int) -> None:
        m = self.model.get(entry)
        if m is None or m["state"] is S.SENT:
            try:
                self.box.claim(entry)
            except ik.OutboxError:
                return
            raise AssertionError("a sent or purged entry was claimed")
        self.box.claim(entry)  # our own claims may be taken again
        m["state"] = S.SENDING

    @rule(entry=ids, error=st.none() | st.text(max_size=20))
    def attempt(self, entry: int, error: str | None) -> None:
        if entry in self.model:
            self.box.record_attempt(entry, error)
            self.model[entry]["attempts"] += 1  # type: ignore[operator]

    @rule(entry=ids, end=st.sampled_from([S.SENT, S.DEAD, S.PENDING]))
    def finish(self, entry: int, end: OutboxState) -> None:
        if entry not in self.model:
            return
        {S.SENT: self.box.mark_sent, S.PENDING: self.box.release}.get(
            end, lambda i: self.box.mark_dead(i, "gave up")
        )(entry)
        self.model[entry]["state"] = end

    @rule(states=st.lists(st.sampled_from(list(S)), min_size=1, max_size=2, unique=True))
    def purge(self, states: list[OutboxState]) -> None:
        gone = [i for i, m in self.model.items() if m["state"] in states]
        assert self.box.purge(states) == len(gone)
        for i in gone:
            del self.model[i]

    @invariant()
    def same_as_model(self) -> None:
        found = {e.id: e for e in self.box.entries()}
        assert set(found) == set(self.model)
        for i, m in self.model.items():
            e = found[i]
            assert (e.state, e.attempts, e.payload, e.bodid) == (
                m["state"],
                m["attempts"],
                m["payload"],
                m["bodid"],
            )
        # what a replay would take: everything not sent (our own claims are alive)
        replay = {e.id for e in self.box.replayable()}
        assert replay == {i for i, m in self.model.items() if m["state"] in (S.PENDING, S.DEAD)}

    def teardown(self) -> None:
        self.box.close()
        self._dir.cleanup()


OutboxMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
test_outbox_machine = OutboxMachine.TestCase
