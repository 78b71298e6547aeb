"""The SQLite store of the SOAP server: first replies by BODID, nonces, and the mock's entities.

One connection shared by every thread behind a lock (an in-memory store is one database only
on one connection); a file store uses WAL journaling, so it survives restarts and a second
process can read it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import Location, SourceError

__all__ = ["Store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    bodid TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    reply BLOB NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS nonces (
    nonce TEXT PRIMARY KEY,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS entities (
    noun TEXT NOT NULL,
    id TEXT NOT NULL,
    xml BLOB NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (noun, id)
);
"""


class Store:
    """Replies, nonces and entities in one SQLite database (``":memory:"`` or a file)."""

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = os.fspath(path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise SourceError(
                f"cannot open the SOAP store: {exc}", location=Location(file=self.path)
            ) from None
        self._lock = threading.RLock()
        self._bodid_locks: dict[str, list[Any]] = {}  # bodid -> [lock, users]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- idempotency ---------------------------------------------------------------------------
    @contextmanager
    def holding(self, bodid: str) -> Iterator[None]:
        """Serialise the requests of one BODID (a duplicate waits for the first's reply)."""
        with self._lock:
            entry = self._bodid_locks.setdefault(bodid, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._bodid_locks[bodid]

    def reply(self, bodid: str) -> tuple[str, bytes] | None:
        """``(request element, reply message XML)`` stored for a BODID, if any."""
        rows = self._run("SELECT request, reply FROM replies WHERE bodid = ?", (bodid,))
        return (rows[0][0], bytes(rows[0][1])) if rows else None

    def keep_reply(self, bodid: str, request: str, reply: bytes) -> None:
        self._run(
            "INSERT OR IGNORE INTO replies (bodid, request, reply, created) VALUES (?, ?, ?, ?)",
            (bodid, request, reply, time.time()),
        )

    # -- WS-Security nonces --------------------------------------------------------------------
    def use_nonce(self, nonce: str, window: float) -> bool:
        """Record a nonce; False if it was seen within ``window`` seconds (a replay)."""
        now = time.time()
        with self._lock:
            self._db.execute("DELETE FROM nonces WHERE created < ?", (now - 2 * window,))
            try:
                self._db.execute("INSERT INTO nonces (nonce, created) VALUES (?, ?)", (nonce, now))
            except sqlite3.IntegrityError:
                return False
        return True

    # -- the mock's entities -------------------------------------------------------------------
    def put(self, noun: str, ident: str, xml: bytes) -> bool:
        """Store an entity; True if it replaced one."""
        with self._lock:
            existed = self.get(noun, ident) is not None
            self._db.execute(
                "INSERT OR REPLACE INTO entities (noun, id, xml, updated) VALUES (?, ?, ?, ?)",
                (noun, ident, xml, time.time()),
            )
        return existed

    def get(self, noun: str, ident: str) -> bytes | None:
        rows = self._run("SELECT xml FROM entities WHERE noun = ? AND id = ?", (noun, ident))
        return bytes(rows[0][0]) if rows else None

    def all(self, noun: str) -> list[bytes]:
        rows = self._run("SELECT xml FROM entities WHERE noun = ? ORDER BY id", (noun,))
        return [bytes(r[0]) for r in rows]

    def delete(self, noun: str, ident: str) -> bool:
        with self._lock:
            cur = self._db.execute("DELETE FROM entities WHERE noun = ? AND id = ?", (noun, ident))
            return cur.rowcount > 0

    def count(self, noun: str | None = None) -> int:
        if noun is None:
            return int(self._run("SELECT COUNT(*) FROM entities")[0][0])
        return int(self._run("SELECT COUNT(*) FROM entities WHERE noun = ?", (noun,))[0][0])
