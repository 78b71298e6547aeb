"""RetryPolicy bounds (hypothesis) and the circuit breaker's state machine (injected clock)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import isa95kit as ik
from isa95kit.delivery import CircuitBreaker, CircuitBreakers, RetryPolicy

policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 20),
    base_delay=st.floats(0, 10, allow_nan=False),
    multiplier=st.floats(1, 5, allow_nan=False),
    max_delay=st.floats(0, 600, allow_nan=False),
    jitter=st.sampled_from(["full", "equal", "none"]),
    max_retry_after=st.floats(0, 3600, allow_nan=False),
)


@given(policies, st.integers(1, 10_000), st.integers(0, 2**32))
def test_backoff_within_ceiling(policy: RetryPolicy, retry: int, seed: int) -> None:
    cap = policy.ceiling(retry)
    assert 0 <= cap <= policy.max_delay
    exact = policy.base_delay * policy.multiplier ** min(retry - 1, 60)
    if retry <= 61:
        assert cap == pytest.approx(min(policy.max_delay, exact))
    wait = policy.backoff(retry, random.Random(seed))
    low = {"full": 0.0, "equal": cap / 2, "none": cap}[policy.jitter]
    assert low - 1e-9 <= wait <= cap + 1e-9


@given(policies, st.integers(1, 50))
def test_ceiling_never_decreases(policy: RetryPolicy, retry: int) -> None:
    assert policy.ceiling(retry) <= policy.ceiling(retry + 1)


@given(policies, st.integers(1, 50), st.floats(0, 10_000, allow_nan=False), st.integers(0, 99))
def test_retry_after_honoured_within_cap(
    policy: RetryPolicy, retry: int, retry_after: float, seed: int
) -> None:
    wait = policy.delay(retry, retry_after, random.Random(seed))
    assert wait >= min(retry_after, policy.max_retry_after) - 1e-9
    assert wait <= max(policy.ceiling(retry), policy.max_retry_after) + 1e-9


def test_full_jitter_spreads() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(7)
    waits = [policy.backoff(4, rng) for _ in range(500)]
    assert max(waits) <= 8.0 and min(waits) < 1.0 and max(waits) > 7.0  # uses the whole range


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"base_delay": -1}, {"multiplier": 0.5}, {"jitter": "some"}]
)
def test_bad_policy_is_model_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ik.ModelError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_n_and_half_opens_after_cool_down() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=3, reset_timeout=10.0, clock=clock)
    for _ in range(2):
        assert b.allow()
        b.record_failure()
    assert b.state == "closed"
    assert b.allow()
    b.record_failure()
    assert b.state == "open" and not b.allow()
    assert b.retry_after() == pytest.approx(10.0)
    clock.now += 9.9
    assert b.state == "open" and not b.allow()
    clock.now += 0.2
    assert b.state == "half-open"
    assert b.allow()  # one trial ...
    assert not b.allow()  # ... at a time
    b.record_failure()  # the trial failed: open again, for a full cool-down
    assert b.state == "open"
    clock.now += 10.0
    assert b.allow()
    b.record_success()
    assert b.state == "closed" and b.failures == 0 and b.allow()


def test_success_resets_the_count() -> None:
    b = CircuitBreaker(failure_threshold=2, clock=Clock())
    b.record_failure()
    b.record_success()
    b.record_failure()
    assert b.state == "closed"


def test_one_breaker_per_endpoint() -> None:
    breakers = CircuitBreakers(failure_threshold=1, clock=Clock())
    breakers("http://a").record_failure()
    assert breakers("http://a") is breakers("http://a")
    assert breakers.states() == {"http://a": "open"}
    assert breakers("http://b").state == "closed"
