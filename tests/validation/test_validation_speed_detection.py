"""Version detection without the second parse: the decision the tree engine takes from the
parsed tree (``subject_names``, ``quick_info``) is the one the probe of the first
``PROBE_BYTES`` gave before, on every reference, golden and corpus document, with the
release detected or forced, and for every cut of the probe inside a start tag."""

from __future__ import annotations

import pytest
from lxml import etree

from isa95kit._source import xml_parser
from isa95kit.errors import MappingError
from isa95kit.validation._api import make_options
from isa95kit.validation._layers import (
    PROBE_BYTES,
    Decision,
    Options,
    decide,
    probe_root,
    subject_names,
)
from isa95kit.versions import B2MMLVersion, detect_version, find_b2mml_elements
from isa95kit.versions import structure_mismatch as exact_mismatch
from tests.validation import _issue_corpus, _speed_corpus


def _old_decide(subject: etree._Element, options: Options) -> Decision:
    """``_layers.decide`` as it was: every element name of the subject read."""
    try:
        if options.version is not None:
            return Decision(options.version, exact_mismatch(subject, options.version))
        info = detect_version(subject, prefer=options.prefer)
    except MappingError as exc:
        return Decision(None, error=exc.message)
    fallbacks: tuple[B2MMLVersion, ...] = ()
    if info.decided_by == "preference":
        fallbacks = tuple(v for v in info.candidates if v is not info.version)
    return Decision(info.version, info.mismatch, fallbacks)


def _documents() -> dict[str, bytes]:
    return {**_issue_corpus.documents(), **_speed_corpus.documents()}


def _decisions(data: bytes, options: Options) -> tuple[Decision, Decision]:
    """(as the tree engine decides now, as it decided before) for the root element."""
    root = etree.fromstring(data, xml_parser())
    probe = probe_root(data[:PROBE_BYTES]) if len(data) > PROBE_BYTES else None
    old = _old_decide(root if probe is None else probe, options)
    if len(data) > PROBE_BYTES:
        names = subject_names(root, data, options.version)
        subject = root if names is not None or probe is None else probe
        return decide(subject, options, names=names), old
    return decide(root, options), old


OPTIONS = [
    make_options(),
    make_options(prefer="V0700"),
    *(make_options(version=v) for v in B2MMLVersion),
]


@pytest.mark.parametrize("name", sorted(_documents()))
def test_detection_is_unchanged(name: str) -> None:
    data = _documents()[name]
    root = etree.fromstring(data, xml_parser())
    if not find_b2mml_elements(root) or find_b2mml_elements(root)[0] is not root:
        pytest.skip("a wrapper: its elements are decided as before (no probe)")
    for options in OPTIONS:
        new, old = _decisions(data, options)
        assert new == old, (options.version, options.prefer)


def test_the_large_documents_skip_the_probe_unless_the_cut_is_in_a_start_tag() -> None:
    docs = _speed_corpus.documents()
    skipped = {n for n, d in docs.items() if len(d) > PROBE_BYTES and _names(d) is not None}
    assert "big:plain" in skipped
    # used after the cut, telling names leave the decision to the probe
    assert not skipped & {"big:telling name late", "big:V0700 name late", "big:V0600 namespace"}
    assert "big:cut in '<QuantityString>'+5" not in skipped
    assert "big:cut in '</JobOrder>'+4" in skipped


def _names(data: bytes) -> frozenset[str] | None:
    return subject_names(etree.fromstring(data, xml_parser()), data)


@pytest.mark.parametrize("offset", range(0, 48, 1))
def test_every_cut_around_a_start_tag(offset: int) -> None:
    # an element of a V0701-only name right at the cut: its cut-off name, a namespace
    # declaration after the cut, attributes with ">" in their values
    base = _speed_corpus.documents()["big:plain"]
    tag = b'<LocationChild a=">" xmlns="http://www.mesa.org/xml/B2MML-V0600"/>'
    head = base.index(b"?>") + 2
    at = base.index(b"<JobOrder>", PROBE_BYTES - 20_000)
    pad = b"\n<!--" + b"p" * (PROBE_BYTES - offset - at - 8) + b"-->"
    data = base[:head] + pad + base[head:at] + tag + base[at:]
    assert data[PROBE_BYTES - offset : PROBE_BYTES - offset + 14] == b"<LocationChild"
    for options in OPTIONS[:3]:
        new, old = _decisions(data, options)
        assert new == old


@pytest.mark.parametrize("name", sorted(_documents()))
def test_quick_info_is_info_for_element(name: str) -> None:
    # on every B2MML element of the document (wrapped ones too), detected or forced
    from isa95kit.versions._detect import info_for_element, quick_info

    root = etree.fromstring(_documents()[name], xml_parser())
    for element in find_b2mml_elements(root):
        for version in (None, *B2MMLVersion):
            for prefer in ("V0701", "V0700"):
                quick = quick_info(element, prefer=prefer, version=version)
                if quick is None:
                    continue
                assert quick == info_for_element(element, prefer=prefer, version=version)


def test_quick_info_answers_for_documents_without_telling_names() -> None:
    from isa95kit.versions._detect import quick_info

    for name in ("big:plain", "tests/data/golden/erp_mes_work_schedule.xml"):
        root = etree.fromstring(_documents()[name], xml_parser())
        info = quick_info(root)
        assert info is not None and info.decided_by == "preference"
    # an older release's names in the V07 namespace: a possible mismatch, left to the full look
    root = etree.fromstring(_speed_corpus.documents()["big:V0600 namespace"], xml_parser())
    assert quick_info(root) is None
