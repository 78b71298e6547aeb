"""A durable outbox: every message is written to an embedded SQLite file before its first
attempt, so a process that dies mid-send loses nothing; what could not be delivered is kept
in the dead-letter state with its last error, and can be replayed."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import Location, OutboxError, SourceError

__all__ = ["Outbox", "OutboxEntry", "OutboxState", "default_outbox_path"]


class OutboxState(str, Enum):
    """Where a message is on its way: written, on the wire, acknowledged, given up."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class OutboxEntry:
    """One message in the outbox (a snapshot; the file is the truth)."""

    id: int
    bodid: str
    endpoint: str
    payload: bytes
    state: OutboxState
    attempts: int
    last_error: str | None
    created: float
    updated: float
    #: transport details needed to send it again (SOAP version, SOAPAction, ...); no secrets
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: ``host:pid`` of the process that claimed it for sending
    owner: str | None = None


_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bodid TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    payload BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    owner TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, id);
CREATE INDEX IF NOT EXISTS outbox_bodid ON outbox (bodid);
"""

_COLUMNS = (
    "id, bodid, endpoint, payload, state, attempts, last_error, created, updated, meta, owner"
)


def default_outbox_path() -> Path:
    """``$ISA95KIT_OUTBOX``, else ``$XDG_STATE_HOME/isa95kit/outbox.sqlite``
    (``XDG_STATE_HOME`` defaults to ``~/.local/state``)."""
    explicit = os.environ.get("ISA95KIT_OUTBOX")
    if explicit:
        return Path(explicit)
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state"
    )
    return Path(state) / "isa95kit" / "outbox.sqlite"


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(owner: str | None) -> bool:
    """Is the process that claimed an entry still running (on this host)?"""
    if not owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine's claim: only its lease can tell, assume alive
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class Outbox:
    """Messages on their way, in one SQLite file (WAL journal, safe across processes).

    States: ``pending`` (written, not yet tried) → ``sending`` (claimed by a live process)
    → ``sent`` or ``dead`` (dead letter: gave up, ``last_error`` says why). A ``sending``
    entry whose process died (``kill -9``) counts as pending again for :meth:`replayable`.
    ``durable=True`` also survives power loss (``synchronous=FULL``); the default survives
    any crash of the process.
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, *, durable: bool = False
    ) -> None:
        self.path = Path(path) if path is not None else default_outbox_path()
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise SourceError(
                f"cannot open the outbox: {exc}", location=Location(file=str(self.path))
            ) from exc

    # -- writing ---------------------------------------------------------------------

    def add(
        self,
        payload: bytes,
        *,
        bodid: str,
        endpoint: str,
        meta: Mapping[str, Any] | None = None,
    ) -> OutboxEntry:
        """Write a message in the ``pending`` state; returns its entry."""
        now = time.time()
        cur = self._run(
            "INSERT INTO outbox (bodid, endpoint, payload, state, created, updated, meta)"
            " VALUES (?, ?, ?, 'pending', ?, ?, ?)",
            (bodid, endpoint, payload, now, now, json.dumps(dict(meta or {}), sort_keys=True)),
        )
        assert cur.lastrowid is not None
        return self.get(cur.lastrowid)

    def claim(self, entry_id: int) -> OutboxEntry:
        """Mark an entry ``sending`` for this process; refused if it is sent, or claimed by
        a process that is still alive."""
        entry = self.get(entry_id)
        if entry.state is OutboxState.SENT:
            raise self._refuse(entry, "was delivered already")
        if entry.state is OutboxState.SENDING and entry.owner != _me() and _alive(entry.owner):
            raise self._refuse(entry, f"is being sent by {entry.owner}")
        cur = self._run(
            "UPDATE outbox SET state = 'sending', owner = ?, updated = ?"
            " WHERE id = ? AND state = ? AND updated = ?",
            (_me(), time.time(), entry_id, entry.state.value, entry.updated),
        )
        if cur.rowcount != 1:  # someone else changed it between our read and write
            raise self._refuse(self.get(entry_id), "changed while being claimed")
        return self.get(entry_id)

    def record_attempt(self, entry_id: int, error: str | None = None) -> None:
        """Count one attempt (with its error, if it failed)."""
        self._run(
            "UPDATE outbox SET attempts = attempts + 1, last_error = COALESCE(?, last_error),"
            " updated = ? WHERE id = ?",
            (error, time.time(), entry_id),
        )

    def mark_sent(self, entry_id: int) -> None:
        self._set(entry_id, OutboxState.SENT)

    def mark_dead(self, entry_id: int, error: str) -> None:
        """Move an entry to the dead-letter state, keeping ``error`` as its last error."""
        self._set(entry_id, OutboxState.DEAD, error)

    def release(self, entry_id: int) -> None:
        """Give a claimed entry back (``pending``), e.g. when a circuit breaker is open."""
        self._set(entry_id, OutboxState.PENDING)

    def purge(
        self, states: Sequence[OutboxState] = (OutboxState.SENT,), *, older_than: float = 0.0
    ) -> int:
        """Delete entries in ``states`` last changed more than ``older_than`` seconds ago."""
        if not states:
            return 0
        marks = ", ".join("?" for _ in states)
        cur = self._run(
            f"DELETE FROM outbox WHERE state IN ({marks}) AND updated <= ?",
            (*[OutboxState(s).value for s in states], time.time() - older_than),
        )
        return cur.rowcount

    # -- reading ---------------------------------------------------------------------

    def get(self, entry_id: int) -> OutboxEntry:
        rows = self._query(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,))
        if not rows:
            raise OutboxError(f"no outbox entry {entry_id}", location=Location(file=str(self.path)))
        return rows[0]

    def entries(
        self, states: Sequence[OutboxState] | None = None, *, bodid: str | None = None
    ) -> list[OutboxEntry]:
        """Entries in id order, optionally only those in ``states`` or with ``bodid``."""
        sql, args = f"SELECT {_COLUMNS} FROM outbox WHERE 1 = 1", []
        if states is not None:
            sql += f" AND state IN ({', '.join('?' for _ in states)})"
            args += [OutboxState(s).value for s in states]
        if bodid is not None:
            sql += " AND bodid = ?"
            args.append(bodid)
        return self._query(sql + " ORDER BY id", tuple(args))

    def replayable(self, *, include_dead: bool = True) -> list[OutboxEntry]:
        """What a replay should send: pending entries, entries whose sending process died,
        and (by default) dead letters."""
        states = [OutboxState.PENDING, OutboxState.SENDING]
        if include_dead:
            states.append(OutboxState.DEAD)
        return [
            e
            for e in self.entries(states)
            if e.state is not OutboxState.SENDING or not _alive(e.owner)
        ]

    def counts(self) -> dict[OutboxState, int]:
        rows = self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        found = {OutboxState(state): n for state, n in rows}
        return {state: found.get(state, 0) for state in OutboxState}

    def __iter__(self) -> Iterator[OutboxEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    # -- plumbing --------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Outbox {self.path}>"

    def _set(self, entry_id: int, state: OutboxState, error: str | None = None) -> None:
        cur = self._run(
            "UPDATE outbox SET state = ?, last_error = COALESCE(?, last_error), updated = ?,"
            " owner = NULL WHERE id = ?",
            (state.value, error, time.time(), entry_id),
        )
        if cur.rowcount != 1:
            self.get(entry_id)  # raises OutboxError for an unknown id

    def _refuse(self, entry: OutboxEntry, why: str) -> OutboxError:
        return OutboxError(
            f"outbox entry {entry.id} (BODID {entry.bodid}) {why}",
            location=Location(file=str(self.path)),
        )

    def _run(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise SourceError(
                f"outbox write failed: {exc}", location=Location(file=str(self.path))
            ) from exc

    def _query(self, sql: str, args: tuple[Any, ...]) -> list[OutboxEntry]:
        try:
            with self._lock:
                rows = self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise SourceError(
                f"outbox read failed: {exc}", location=Location(file=str(self.path))
            ) from exc
        return [
            OutboxEntry(
                id=r[0],
                bodid=r[1],
                endpoint=r[2],
                payload=bytes(r[3]),
                state=OutboxState(r[4]),
                attempts=r[5],
                last_error=r[6],
                created=r[7],
                updated=r[8],
                meta=json.loads(r[9]),
                owner=r[10],
            )
            for r in rows
        ]
