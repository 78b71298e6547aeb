"""``deliver``: one message, many attempts — outbox first, retries with backoff, a circuit
breaker, the same BODID on every attempt, a dead letter when it gives up. Transport-agnostic:
the caller passes the function that carries the payload (SOAP, REST, a queue ...)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import CircuitOpenError, DeliveryFailedError, TransportError
from ._breaker import CircuitBreaker, CircuitBreakers
from ._outbox import Outbox, OutboxEntry
from ._policy import RetryPolicy

__all__ = ["Delivered", "Retry", "classify_failure", "deliver", "replay"]

T = TypeVar("T")
logger = logging.getLogger("isa95kit.delivery")


@dataclass(frozen=True)
class Retry:
    """The verdict that a failure is transient, with the receiver's ``Retry-After``."""

    retry_after: float | None = None


@dataclass(frozen=True)
class Delivered(Generic[T]):
    """What a successful delivery returns: the send function's result and how it went."""

    value: T
    bodid: str
    attempts: int
    outbox_id: int | None


def classify_failure(exc: BaseException) -> Retry | None:
    """The default verdict: a transient :class:`TransportError`, a timeout or a connection
    error is worth another attempt; anything else (a SOAP Fault, a 4xx, bad TLS) is not."""
    if isinstance(exc, TransportError):
        return Retry(exc.retry_after) if exc.transient else None
    if isinstance(exc, (TimeoutError, ConnectionError)):
        return Retry()
    return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def deliver(
    send: Callable[[bytes], T],
    payload: bytes,
    *,
    bodid: str,
    endpoint: str,
    policy: RetryPolicy | None = None,
    breaker: CircuitBreaker | CircuitBreakers | None = None,
    outbox: Outbox | None = None,
    entry: OutboxEntry | None = None,
    meta: Mapping[str, Any] | None = None,
    classify: Callable[[BaseException], Retry | None] = classify_failure,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    log: logging.Logger | None = None,
) -> Delivered[T]:
    """Carry ``payload`` to ``endpoint`` with ``send``, retrying transient failures.

    With an ``outbox`` the message is written (``pending``) before the first attempt, or
    ``entry`` — one already there, for a replay — is claimed; it ends ``sent``, or ``dead``
    with its last error. Every attempt sends the very same payload, so its BODID is the same
    and the receiver can deduplicate. Each attempt is logged on ``isa95kit.delivery`` with
    the BODID as ``request_id`` (``extra``).

    Raises the send function's own error when it is not transient (a SOAP Fault stays a
    :class:`~isa95kit.SoapFaultError`), :class:`~isa95kit.DeliveryFailedError` when the
    attempts are used up, :class:`~isa95kit.CircuitOpenError` when the endpoint's breaker
    is open (the entry goes back to ``pending``, to be replayed). ``breaker`` may be one
    breaker or a :class:`CircuitBreakers` registry (one per endpoint).
    """
    policy = policy or RetryPolicy()
    log = log or logger
    if isinstance(breaker, CircuitBreakers):
        breaker = breaker(endpoint)
    if outbox is not None:
        if entry is None:
            entry = outbox.add(payload, bodid=bodid, endpoint=endpoint, meta=meta)
        entry = outbox.claim(entry.id)
    entry_id = entry.id if entry is not None else None
    done = entry.attempts if entry is not None else 0  # attempts made in earlier runs
    extra = {"request_id": bodid, "endpoint": endpoint, "outbox_id": entry_id}
    last: BaseException | None = None
    for attempt in range(1, policy.max_attempts + 1):
        if breaker is not None and not breaker.allow():
            wait = breaker.retry_after()
            log.warning(
                "BODID %s: circuit open for %s, %.1fs to half-open; not sent",
                bodid,
                endpoint,
                wait,
                extra=extra,
            )
            if outbox is not None and entry_id is not None:
                outbox.release(entry_id)
            raise CircuitOpenError(
                f"circuit breaker open for {endpoint}: BODID {bodid} not sent"
                + (f" (kept in the outbox as entry {entry_id})" if entry_id else ""),
                endpoint=endpoint,
                transient=True,
                retry_after=wait,
            )
        log.info(
            "BODID %s: attempt %d/%d to %s",
            bodid,
            attempt,
            policy.max_attempts,
            endpoint,
            extra={**extra, "attempt": attempt},
        )
        try:
            value = send(payload)
        except Exception as exc:  # the verdict decides; nothing is swallowed
            last = exc
            verdict = classify(exc)
            if breaker is not None and (verdict is not None or isinstance(exc, TransportError)):
                breaker.record_failure()  # a Fault is an answer: the endpoint is alive
            elif breaker is not None:
                breaker.record_success()
            if outbox is not None and entry_id is not None:
                outbox.record_attempt(entry_id, _describe(exc))
            if verdict is None:
                log.error(
                    "BODID %s: attempt %d failed, not retried: %s",
                    bodid,
                    attempt,
                    _describe(exc),
                    extra={**extra, "attempt": attempt},
                )
                if outbox is not None and entry_id is not None:
                    outbox.mark_dead(entry_id, _describe(exc))
                if isinstance(exc, TransportError) and not isinstance(exc, DeliveryFailedError):
                    raise _gave_up(exc, bodid, done + attempt, entry_id, endpoint) from exc
                raise
            if attempt == policy.max_attempts:
                break
            wait = policy.delay(attempt, verdict.retry_after, rng)
            log.warning(
                "BODID %s: attempt %d failed (%s); retrying in %.2fs",
                bodid,
                attempt,
                _describe(exc),
                wait,
                extra={**extra, "attempt": attempt},
            )
            sleep(wait)
            continue
        if breaker is not None:
            breaker.record_success()
        if outbox is not None and entry_id is not None:
            outbox.record_attempt(entry_id)
            outbox.mark_sent(entry_id)
        log.info(
            "BODID %s: delivered on attempt %d", bodid, attempt, extra={**extra, "attempt": attempt}
        )
        return Delivered(value, bodid, done + attempt, entry_id)
    assert last is not None
    if outbox is not None and entry_id is not None:
        outbox.mark_dead(entry_id, _describe(last))
    log.error(
        "BODID %s: gave up after %d attempts: %s",
        bodid,
        policy.max_attempts,
        _describe(last),
        extra=extra,
    )
    raise _gave_up(last, bodid, done + policy.max_attempts, entry_id, endpoint) from last


def _gave_up(
    exc: BaseException, bodid: str, attempts: int, entry_id: int | None, endpoint: str
) -> DeliveryFailedError:
    where = f"; kept as dead letter {entry_id} in the outbox" if entry_id is not None else ""
    return DeliveryFailedError(
        f"BODID {bodid} not delivered to {endpoint} after {attempts} attempt"
        f"{'s' if attempts != 1 else ''}: {exc}{where}",
        bodid=bodid,
        attempts=attempts,
        outbox_id=entry_id,
        last_error=_describe(exc),
        endpoint=endpoint,
        status=getattr(exc, "status", None),
    )


def replay(
    outbox: Outbox,
    send_for: Callable[[OutboxEntry], Callable[[bytes], Any]],
    *,
    include_dead: bool = True,
    **options: Any,
) -> list[tuple[OutboxEntry, Delivered[Any] | BaseException]]:
    """Deliver again what the outbox holds undelivered (see :meth:`Outbox.replayable`);
    ``send_for(entry)`` gives the send function for an entry's endpoint. Returns each entry
    with its :class:`Delivered` or the error that stopped it; ``options`` go to
    :func:`deliver` (``policy``, ``breaker``, ...)."""
    results: list[tuple[OutboxEntry, Delivered[Any] | BaseException]] = []
    for entry in outbox.replayable(include_dead=include_dead):
        try:
            done: Delivered[Any] | BaseException = deliver(
                send_for(entry),
                entry.payload,
                bodid=entry.bodid,
                endpoint=entry.endpoint,
                outbox=outbox,
                entry=entry,
                **options,
            )
        except Exception as exc:  # reported per entry; the replay goes on
            done = exc
        results.append((entry, done))
    return results
