"""The attribute sieve's quicker run test answers as the regular expression it replaces."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from isa95kit.validation._layers import _long_run, _no_long_run


@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 300)), max_size=40),
    st.sampled_from([10, 63, 64, 65, 100, 257]),
)
def test_no_long_run_is_the_regular_expression(runs: list[tuple[bool, int]], length: int) -> None:
    # runs of non-"<" bytes (with or without a "<" before them): gaps around ``length``
    data = b"".join((b"<" if lt else b"") + b"a" * n for lt, n in runs)
    assert _no_long_run(data, length) is (_long_run(length).search(data) is None)


def test_edges() -> None:
    for length in (64, 100):
        for data in (b"", b"a" * 500, b"<", b"<" + b"a" * length, b"<" + b"a" * (length - 1),
                     b"a" * 500 + b"<", b"<" + b"a" * (length - 1) + b"<" + b"a" * length):  # fmt: skip
            assert _no_long_run(data, length) is (_long_run(length).search(data) is None)
