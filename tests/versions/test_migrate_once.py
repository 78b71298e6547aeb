"""The generated table of elements V0701 holds once (where an older release repeats the element
migrating to them) is what the model's wire tables give for every context of every release."""

from __future__ import annotations

from isa95kit import model
from isa95kit.versions import B2MMLVersion
from isa95kit.versions._migrate_tree import tables
from isa95kit.versions._migrate_v0701_once import ONCE

OLDER = ("V0401", "V0500", "V0600", "V0601", "V0700")


def held_once(name: str) -> set[str]:
    wire = getattr(model, name).__wire__
    return {f.tag for f in wire.fields if f.kind == "element" and not f.many}


def test_once_is_what_the_model_holds_once_and_an_older_release_repeats() -> None:
    expected: dict[str, set[str]] = {}
    for release in OLDER:
        for ctx in tables(B2MMLVersion(release)).contexts:
            once = held_once(ctx[1])
            capped = {row[0] for old, row in ctx[4].items() if row[0] in once and old not in ctx[8]}
            if capped:
                expected.setdefault(ctx[1], set()).update(capped)
    assert expected  # V0600 repeats WorkflowSpecification in WorkMaster, V0701 holds one
    assert {name: set(tags) for name, tags in ONCE.items()} == expected


def test_a_repeated_element_v0701_holds_once_is_capped() -> None:
    t = tables(B2MMLVersion.V0600)
    capped = [t.capped(i) for i, ctx in enumerate(t.contexts) if ctx[1] == "WorkMaster"]
    assert capped and all(
        c and any(tag.endswith("}WorkflowSpecification") for tag in c) for c in capped
    )
