"""The generated table of elements V0701 holds once agrees with the model's wire tables."""

from __future__ import annotations

from isa95kit import model
from isa95kit.versions._migrate_v0701_once import ONCE


def test_once_is_what_the_model_holds_once() -> None:
    assert ONCE
    for name, once in ONCE.items():
        wire = getattr(model, name).__wire__
        assert once == {f.tag for f in wire.fields if f.kind == "element" and not f.many}, name
