"""A circuit breaker per endpoint: stop hammering a receiver that keeps failing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from ..errors import Location, ModelError

__all__ = ["CircuitBreaker", "CircuitBreakers"]

BreakerState = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Closed → open after ``failure_threshold`` consecutive failures; open → half-open once
    ``reset_timeout`` seconds have passed, letting one trial through; the trial's success
    closes the circuit, its failure opens it again for another ``reset_timeout``.

    ``clock`` (monotonic seconds) is injectable for tests. Thread-safe.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ModelError(
                "CircuitBreaker.failure_threshold must be at least 1",
                location=Location(path="failure_threshold"),
            )
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False  # a half-open trial is in flight

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_timeout:
            return "half-open"
        return "open"

    @property
    def failures(self) -> int:
        """Consecutive failures counted since the last success."""
        return self._failures

    def retry_after(self) -> float:
        """Seconds until an open circuit half-opens (0 when it is not open)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.reset_timeout - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """May an attempt go out now? In half-open state only one trial at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "open" or self._trial:
                return False
            self._trial = True
            return True

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
            self._trial = False

    def __repr__(self) -> str:
        return f"<CircuitBreaker {self.state} failures={self._failures}>"


class CircuitBreakers:
    """One :class:`CircuitBreaker` per endpoint, created on first use with shared settings."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._breakers: dict[str, CircuitBreaker] = {}

    def __call__(self, endpoint: str) -> CircuitBreaker:
        with self._lock:
            breaker = self._breakers.get(endpoint)
            if breaker is None:
                breaker = CircuitBreaker(
                    self.failure_threshold, self.reset_timeout, clock=self._clock
                )
                self._breakers[endpoint] = breaker
            return breaker

    def states(self) -> dict[str, BreakerState]:
        with self._lock:
            return {endpoint: b.state for endpoint, b in self._breakers.items()}
