"""The generated rule tables as a whole: every hand-written rule is used, every global element
of every older release migrates to V0701 and back."""

from __future__ import annotations

import warnings
from xml.etree.ElementTree import canonicalize

import pytest

import isa95kit as ik
from isa95kit.versions import B2MMLVersion, MigrationWarning, migration_report
from isa95kit.versions._migrate_rules import GLOBAL_RENAMES, TAG_RENAMES, VALUE_RENAMES
from isa95kit.versions._migrate_tree import tables

OLDER = (B2MMLVersion.V0401, B2MMLVersion.V0500, B2MMLVersion.V0600, B2MMLVersion.V0601)


def test_every_hand_written_rule_is_used() -> None:
    used_tags: set[tuple[str, str]] = set()
    used_globals: set[str] = set()
    used_values: set[str] = set()
    for release in (*OLDER, B2MMLVersion.V0700):
        t = tables(release)
        for old, (new, _ctx) in t.roots.items():
            used_globals.update(b for b, a in GLOBAL_RENAMES if b in old and a in new)
        for ctx in t.contexts:
            used_tags.update(("*", old) for old in ctx[6].values() if ("*", old) in TAG_RENAMES)
            for old, entry in ctx[4].items():
                if entry[4] == "R":
                    used_tags.add(("*", old) if ("*", old) in TAG_RENAMES else (ctx[0], old))
                for value in entry[5] or {}:
                    used_values.add(value)
    assert set(TAG_RENAMES) - used_tags == set()
    assert {b for b, _ in GLOBAL_RENAMES} - used_globals == set()
    assert {v for _, v in VALUE_RENAMES} - used_values == set()


@pytest.mark.parametrize("release", OLDER, ids=str)
def test_every_global_element_migrates_up_and_back(release: B2MMLVersion) -> None:
    t = tables(release)
    assert len(t.roots) > 100
    for old, (new, _ctx) in t.roots.items():
        doc = f'<{old} xmlns="{release.namespace}"/>'.encode()
        obj = ik.read_xml(doc)
        report = migration_report(obj)
        assert report is not None and report.source is release, old
        assert ik.model._registry.ELEMENTS[new] == type(obj).__name__, old
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MigrationWarning)
            back = ik.write_xml(obj, version=release.value)
        assert canonicalize(back.decode()) == canonicalize(doc.decode()), old
