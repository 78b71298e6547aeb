"""Reliable delivery of messages, whatever carries them (SOAP today, REST later).

- :class:`RetryPolicy` — exponential backoff with jitter, honouring ``Retry-After``;
- :class:`CircuitBreaker` / :class:`CircuitBreakers` — stop calling an endpoint that keeps
  failing, one breaker per endpoint;
- :class:`Outbox` — a durable SQLite outbox (pending / sending / sent / dead) written before
  the first attempt, so nothing is lost when the process dies, and replayable;
- :func:`deliver` / :func:`replay` — tie them together around a ``send(payload) -> reply``
  function; every attempt carries the same payload, hence the same BODID.

Nothing here imports a transport: no SOAP, no zeep, no HTTP client.
"""

from __future__ import annotations

from ._breaker import BreakerState, CircuitBreaker, CircuitBreakers
from ._deliver import Delivered, Retry, classify_failure, deliver, replay
from ._outbox import Outbox, OutboxEntry, OutboxState, default_outbox_path
from ._policy import RetryPolicy

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "CircuitBreakers",
    "Delivered",
    "Outbox",
    "OutboxEntry",
    "OutboxState",
    "Retry",
    "RetryPolicy",
    "classify_failure",
    "default_outbox_path",
    "deliver",
    "replay",
]
