"""Retry policy: exponential backoff with jitter, capped, honouring ``Retry-After``."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from ..errors import Location, ModelError

__all__ = ["RetryPolicy"]

Jitter = Literal["full", "equal", "none"]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a message is retried.

    ``max_attempts`` counts every attempt, the first included. Before retry *n* (1, 2, ...)
    the sender waits ``backoff(n)``: the ceiling ``min(max_delay, base_delay * multiplier **
    (n - 1))`` drawn with *full* jitter (uniform in ``[0, ceiling]``, AWS' recommendation
    against synchronised retries), *equal* jitter (``[ceiling / 2, ceiling]``) or none.
    A receiver's ``Retry-After`` is honoured: the wait is at least that long, but never
    more than ``max_retry_after`` (a server asking for an hour does not block a sender).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: Jitter = "full"
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            _bad("max_attempts", "must be at least 1")
        for name in ("base_delay", "max_delay", "max_retry_after"):
            if getattr(self, name) < 0:
                _bad(name, "must not be negative")
        if self.multiplier < 1:
            _bad("multiplier", "must be at least 1")
        if self.jitter not in ("full", "equal", "none"):
            _bad("jitter", f"must be 'full', 'equal' or 'none', not {self.jitter!r}")

    def ceiling(self, retry: int) -> float:
        """The largest backoff before retry ``retry`` (1-based), before any jitter."""
        if retry < 1:
            _bad("retry", "counts from 1")
        base, cap = self.base_delay, self.max_delay
        if base <= 0 or cap <= 0:
            return 0.0
        if base >= cap:
            return cap
        # compare logarithms first: multiplier ** 10_000 would overflow a float
        grow = (retry - 1) * math.log(self.multiplier)
        if grow >= math.log(cap) - math.log(base):
            return cap
        if grow < 700:  # multiplier ** steps < e**700: no overflow, exact arithmetic
            return min(base * self.multiplier ** (retry - 1), cap)
        return min(math.exp(math.log(base) + grow), cap)  # subnormal base delays

    def backoff(self, retry: int, rng: random.Random | None = None) -> float:
        """The jittered wait before retry ``retry`` (1-based)."""
        cap = self.ceiling(retry)
        draw = (rng or random).random()
        if self.jitter == "full":
            return cap * draw
        if self.jitter == "equal":
            return cap / 2 + (cap / 2) * draw
        return cap

    def delay(
        self, retry: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """The wait before retry ``retry``: the backoff, or the receiver's ``Retry-After``
        if longer, capped at ``max_retry_after``."""
        wait = self.backoff(retry, rng)
        if retry_after is not None and retry_after > wait:
            wait = min(max(retry_after, 0.0), self.max_retry_after)
        return wait


def _bad(field: str, problem: str) -> None:
    raise ModelError(f"RetryPolicy.{field} {problem}", location=Location(path=field))
