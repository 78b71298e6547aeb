"""Bad profiles and options raise ProfileError (an Isa95Error and a ValueError) naming the
key and, for files, the file; an unreadable profile file is a SourceError."""

from __future__ import annotations

from pathlib import Path

import pytest

from isa95kit import Isa95Error, ProfileError, SourceNotFoundError
from isa95kit.validation import ValidationProfile, check


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"rules": {"no-such-rule": "error"}}, "rules.no-such-rule"),
        ({"rules": {"schema": "off"}}, "rules.schema"),
        ({"rules": {"unknown-unit": "loud"}}, "rules.unknown-unit"),
        ({"max_issues": 0}, "max_issues"),
        ({"max_attributes": -1}, "max_attributes"),
        ({"stream_threshold": True}, "stream_threshold"),
    ],
)
def test_bad_settings(kwargs: dict[str, object], key: str) -> None:
    with pytest.raises(ProfileError) as info:
        ValidationProfile(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and isinstance(info.value, Isa95Error)
    assert info.value.location.path == key


def test_bad_mappings_and_options() -> None:
    with pytest.raises(ProfileError, match="unknown key"):
        ValidationProfile.from_mapping({"rulez": {}})
    with pytest.raises(ProfileError, match="strict"):
        ValidationProfile.from_mapping({"strict": "yes"})
    with pytest.raises(ProfileError) as info:
        check(b"<x/>", version="V9999")
    assert info.value.location.path == "version"


def test_profile_files(tmp_path: Path) -> None:
    bad = tmp_path / "partner.toml"
    bad.write_text('[rules]\nunknown-unit = "loud"\n')
    with pytest.raises(ProfileError) as info:
        ValidationProfile.load(bad)
    assert info.value.location.file == str(bad)
    assert info.value.location.path == "rules.unknown-unit"
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ProfileError, match="not valid JSON"):
        ValidationProfile.load(broken)
    with pytest.raises(SourceNotFoundError):
        ValidationProfile.load(tmp_path / "missing.toml")
    good = tmp_path / "ok.toml"
    good.write_text("max_attributes = 64\n")
    assert ValidationProfile.load(good).max_attributes == 64


def test_a_missing_document_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError):
        check(str(tmp_path / "missing.xml"))
