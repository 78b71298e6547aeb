"""The one-scan test for an older release's namespace agrees with a scan per release."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from isa95kit.versions._migrate_tree import _RELEASE_OF, _names_an_older_release

PIECES = [
    *_RELEASE_OF,
    b"http://www.mesa.org/xml/B2MML",
    b"/xml/B2MML-V0",
    b"/xml/B2MML-V07",
    b"x",
    b'"',
]


@given(st.lists(st.sampled_from(PIECES) | st.binary(max_size=4), max_size=12).map(b"".join))
def test_one_scan_equals_one_per_release(data: bytes) -> None:
    assert _names_an_older_release(data) == any(ns in data for ns in _RELEASE_OF)


def test_a_namespace_at_the_very_start_or_end() -> None:
    for ns in _RELEASE_OF:
        assert _names_an_older_release(ns)
        assert _names_an_older_release(b"<a xmlns='" + ns)
        assert not _names_an_older_release(ns[:-1])
