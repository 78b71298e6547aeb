"""The mock ERP/MES behind :class:`SoapServer` when no handler claims a message.

Entities are kept in the server's SQLite store by noun and ``ID``:

- ``Process`` and ``Sync``/``Notify`` (``Add``, ``Change``, ``Replace``) store them; a ``Sync``
  whose ActionCriteria says ``Delete`` removes them;
- ``Get`` answers ``Show`` with the stored entities whose IDs it names (all of the noun when
  an entity of the Get has no ID);
- ``Change`` updates stored entities with the fields the request sets (an unknown ID is a
  Sender Fault ``NotFound``);
- ``Cancel`` removes them.
"""

from __future__ import annotations

from typing import Any

from ..errors import Location, SoapFaultError
from ..model._base import B2MMLModel
from ._messages import MessageKind, reply_to
from ._store import Store

__all__ = ["MockBackend"]


def _ident(entity: B2MMLModel) -> str | None:
    ident = getattr(entity, "id", None)
    value = getattr(ident, "value", ident)
    return str(value) if value not in (None, "") else None


def _not_found(kind: MessageKind, ident: str) -> SoapFaultError:
    reason = f"no {kind.noun} with ID {ident!r} is stored"
    return SoapFaultError(
        f"SOAP Fault Sender: {reason}",
        code="Sender",
        reason=reason,
        location=Location(path=f"/{kind.element}/DataArea/{kind.noun}"),
    )


class MockBackend:
    """Answers every request verb from the entity store (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- storage of one entity -----------------------------------------------------------------
    def _key(self, kind: MessageKind, entity: B2MMLModel) -> str:
        ident = _ident(entity)
        if ident is None:
            reason = f"the mock stores {kind.noun} by ID; this one has none"
            raise SoapFaultError(f"SOAP Fault Sender: {reason}", code="Sender", reason=reason)
        return ident

    def _save(self, kind: MessageKind, entity: B2MMLModel) -> None:
        from .._xml import write_xml

        self.store.put(kind.noun, self._key(kind, entity), write_xml(entity, element=kind.noun))

    def _load(self, kind: MessageKind, xml: bytes) -> B2MMLModel:
        from .._xml import read_xml

        return read_xml(xml, kind.entity)

    # -- verbs ---------------------------------------------------------------------------------
    def handle(self, message: B2MMLModel, kind: MessageKind) -> B2MMLModel:
        entities: list[B2MMLModel] = list(getattr(message.data_area, kind.noun_field))  # type: ignore[attr-defined]
        verb = kind.verb
        if verb in ("Process", "Sync", "Notify"):
            if verb != "Process" and self._sync_action(message, kind) == "Delete":
                for entity in entities:
                    self.store.delete(kind.noun, self._key(kind, entity))
            else:
                for entity in entities:
                    self._save(kind, entity)
            reply = reply_to(message, entities, force=True)
        elif verb == "Get":
            reply = reply_to(message, self._find(kind, entities), force=True)
        elif verb == "Change":
            reply = reply_to(message, [self._change(kind, e) for e in entities], force=True)
        elif verb == "Cancel":
            for entity in entities:
                ident = self._key(kind, entity)
                if not self.store.delete(kind.noun, ident):
                    raise _not_found(kind, ident)
            reply = reply_to(message, force=True)
        else:
            reason = f"{kind.element} is a reply, not a request"
            raise SoapFaultError(f"SOAP Fault Sender: {reason}", code="Sender", reason=reason)
        assert reply is not None  # force=True always builds the reply
        return reply

    @staticmethod
    def _sync_action(message: B2MMLModel, kind: MessageKind) -> str | None:
        verb = getattr(message.data_area, kind.verb_field)  # type: ignore[attr-defined]
        for criteria in verb.action_criteria:
            for expr in criteria.action_expression:
                return str(expr.action_code)
        return None

    def _find(self, kind: MessageKind, wanted: list[B2MMLModel]) -> list[B2MMLModel]:
        found: list[B2MMLModel] = []
        for entity in wanted:
            ident = _ident(entity)
            if ident is None:
                found.extend(self._load(kind, xml) for xml in self.store.all(kind.noun))
                continue
            xml = self.store.get(kind.noun, ident)
            if xml is None:
                raise _not_found(kind, ident)
            found.append(self._load(kind, xml))
        if not found:
            reason = f"no {kind.noun} is stored"
            raise SoapFaultError(f"SOAP Fault Sender: {reason}", code="Sender", reason=reason)
        return found

    def _change(self, kind: MessageKind, entity: B2MMLModel) -> B2MMLModel:
        ident = self._key(kind, entity)
        xml = self.store.get(kind.noun, ident)
        if xml is None:
            raise _not_found(kind, ident)
        stored = self._load(kind, xml)
        update: dict[str, Any] = {name: getattr(entity, name) for name in entity.model_fields_set}
        changed = type(stored).model_validate(
            {**{n: getattr(stored, n) for n in type(stored).model_fields}, **update}
        )
        self._save(kind, changed)
        return changed
