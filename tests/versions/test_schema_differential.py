"""Bundles agree with MESA's official files on documents generated from the bundles.

For each release, xmlschema loads (a) the shipped bundle and (b) the *unmodified* official
files through a driver whose only change is import order (see ``official_wrapper``). From
(a), a minimal instance of every global element is generated, plus one mutant per element
(cycling through ``MUTATIONS``; ``ISA95KIT_DIFF_FULL=1`` applies every mutation to every
element). The verdict of lxml with the bundle (what isa95kit uses) must equal the verdict of
xmlschema with the official files, document by document.

Loading ten-odd schemas with xmlschema is the slow part, so the releases are processed in
worker processes (one per core, at most two); the lxml side runs in the test process.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from b2mml_instances import MUTATIONS, CannotBuild, minimal_instance, mutant
from lxml import etree
from versions_support import BUNDLES, RELEASES, official_wrapper

from isa95kit.versions import B2MMLVersion, global_elements, load_schema, schema_issues

#: most expensive first, so that two workers finish together
ORDER = ("V0701", "V0700", "V0601", "V0600", "V0500", "V0401")


@dataclass(frozen=True)
class Case:
    element: str
    mutation: str
    xml: bytes
    official: bool  # xmlschema with MESA's files


@dataclass(frozen=True)
class Outcome:
    version: str
    bundle_globals: frozenset[str]
    official_globals: frozenset[str]
    cases: tuple[Case, ...]
    not_built: tuple[str, ...]


def _run_release(version: str, b2mml: str, bundles: str, full: bool) -> Outcome:
    import xmlschema

    v = B2MMLVersion(version)
    release = Path(b2mml) / version
    bundle = xmlschema.XMLSchema(str(Path(bundles) / version / "AllSchemas.xsd"), allow="local")
    official = xmlschema.XMLSchema(
        official_wrapper(release, v.namespace, v.extension_namespace),
        base_url=str(release),
        allow="local",
    )
    cases: list[Case] = []
    not_built: list[str] = []
    for i, name in enumerate(sorted(bundle.elements)):
        try:
            root = minimal_instance(bundle, name)
        except CannotBuild:
            not_built.append(name)
            continue
        mutations = MUTATIONS if full else (MUTATIONS[i % len(MUTATIONS)],)
        docs = [("valid", root)] + [(m, mutant(root, m)) for m in mutations]
        for mutation, doc in docs:
            if doc is None:
                continue
            cases.append(
                Case(
                    element=name,
                    mutation=mutation,
                    xml=etree.tostring(doc),
                    official=official.is_valid(doc),
                )
            )
    return Outcome(
        version=version,
        bundle_globals=frozenset(bundle.elements),
        official_globals=frozenset(official.elements),
        cases=tuple(cases),
        not_built=tuple(not_built),
    )


@pytest.fixture(scope="session")
def outcomes() -> dict[str, Outcome]:
    full = os.environ.get("ISA95KIT_DIFF_FULL") == "1"
    versions = list(ORDER)
    n = len(versions)
    workers = min(2, os.cpu_count() or 1)
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(
                pool.map(_run_release, versions, [str(RELEASES)] * n, [str(BUNDLES)] * n, [full] * n)
            )
    else:
        results = [_run_release(v, str(RELEASES), str(BUNDLES), full) for v in versions]
    return {r.version: r for r in results}


@pytest.mark.parametrize("version", list(B2MMLVersion), ids=str)
def test_bundle_and_official_release_agree(
    version: B2MMLVersion, outcomes: dict[str, Outcome]
) -> None:
    outcome = outcomes[version.value]
    # xmlschema loads the bundle too, with the same global elements as the official files
    assert outcome.bundle_globals == outcome.official_globals
    assert {n.rsplit("}", 1)[-1] for n in outcome.bundle_globals} == global_elements(version)
    assert not outcome.not_built
    schema = load_schema(version)
    disagreements = []
    for case in outcome.cases:
        doc = etree.fromstring(case.xml)
        lxml_valid = not schema_issues(schema, doc)
        if lxml_valid != case.official:
            disagreements.append((case.element, case.mutation, lxml_valid, case.official))
    assert not disagreements, disagreements[:10]
    verdicts = {(c.mutation, c.official) for c in outcome.cases}
    valid_cases = [c for c in outcome.cases if c.mutation == "valid"]
    # every global element got a minimal instance, and all of them are valid
    assert len(valid_cases) == len(outcome.bundle_globals)
    assert all(c.official for c in valid_cases)
    # the mutants exercise rejection
    for mutation in ("unknown-child", "drop-child", "swap-children"):
        assert (mutation, False) in verdicts, mutation
