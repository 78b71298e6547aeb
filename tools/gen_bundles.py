#!/usr/bin/env python3
"""Generate the B2MML schema bundles shipped in ``src/isa95kit/xsd/<version>/``.

Usage::

    python tools/gen_bundles.py              # regenerate every bundle in place
    python tools/gen_bundles.py --check      # regenerate into a temp dir; exit 1 on any difference
    python tools/gen_bundles.py --releases DIR --out DIR [VERSION ...]

The input is MESA's official release folders in the repository's ``xsd/<version>`` (override
with ``--releases``). Nothing is copied verbatim: every schema is parsed with a
hardened lxml parser (no network, no DTD, no entity expansion), reduced and patched as listed
below, re-serialised, and the bundle is compiled with lxml before anything is written.

Per file the tool

* drops ``xsd:annotation`` elements, comments and processing instructions (documentation only;
  this halves the size and the compile time) and re-indents;
* applies the patches below; each patch checks that it still matches the release and the run
  fails if it does not, so a changed source cannot be patched silently;
* writes the file under its official name, starting with a comment header that names the
  release and the patches and carries MESA's acknowledgement.

Each bundle also gets a generated ``AllSchemas.xsd`` (the single entry file: every global
element of the release, B2MML and BatchML) and ``index.xml`` (provenance: source SHA-256 of each
file, patches, skipped files, and the element names the release declares, which
``isa95kit.versions`` uses to tell versions apart).

Patches (the same list is in docs/schema-bundles.md)
----------------------------------------------------
P1  extension-import  (V0401, V0500, V0600, V0601)
    Every ``xsd:import`` of the release's extensions namespace (``...-AllExtensions``) is pointed
    at the complete extension schema ``*-AllExtensions.xsd``. Reason: the Common schema (and in
    V0401 the WD01 batch production record schema) imports that namespace from a *partial*
    file (``*-CommonExtensions.xsd`` / ``BatchML-V0401WD01-BatchProductionRecordExtensions.xsd``).
    XSD processors load one document per namespace, so whichever import is met first wins; with
    Common first, every ``Extended:*`` group outside Common is missing and the release does not
    compile (lxml: "does not resolve to a(n) model group definition"; xmlschema: "missing
    group"). V0700 and V0701 already import AllExtensions and need no patch.
P2  entry  (all versions)
    ``AllSchemas.xsd`` is generated instead of taken from the release: it imports the extensions
    namespace from ``*-AllExtensions.xsd`` first and then includes every module of the release's
    namespace. Reason: V0401 has no combined schema (the cause of "No matching global
    declaration available for the validation root" when a partner file is checked against a
    single module), MESA's V0601 AllSchemas.xsd omits ``B2MML-V0601-WorkRecord.xsd``, and the
    shipped V0500-V0601 entries do not compile (P1).

Files left out (also listed in each index.xml)
----------------------------------------------
* V0401 ``BatchML-V0401xxxx-BatchProductionRecord*.xsd``: V0401 contains two drafts of the batch
  production record that declare the same global names and cannot be loaded together. The
  bundle uses ``BatchML-V0401WD01-BatchProductionRecord.xsd`` (working draft 01, 26 Feb 2009),
  the later of the two; it differs from the undated ``xxxx`` draft (1 Oct 2008) only in
  importing the extensions namespace like every other module and in lacking one
  ``EventSubType1Type`` value ("Parameter Data"). The ``xxxx`` extension schema targets a
  namespace (``B2MML-V0401-Extensions``) that no schema imports.
* V0401 ``BatchML-V0401WD01-BatchProductionRecordExtensions.xsd``: after P1 nothing imports it and
  its single (empty) group is referenced nowhere.
* MESA's ``AllSchemas.xsd`` (V0500-V0701): replaced by the generated entry (P2).
* V0600 ``AllSchemasBatch.xsd`` (a BatchML-only subset entry) and ``AllSchemasModified.xsd`` (a
  single-file flattening of the same definitions for XSD.EXE code generation; loading it with
  the modules would declare everything twice).

"The Business To Manufacturing Markup Language (B2MML) is used courtesy of MESA International."
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker  # type: ignore[import-not-found]

XSD = "http://www.w3.org/2001/XMLSchema"
BUNDLE_NS = "urn:isa95kit:schema-bundle"
ENTRY = "AllSchemas.xsd"
INDEX = "index.xml"
ACKNOWLEDGEMENT = (
    '"The Business To Manufacturing Markup Language (B2MML) is used courtesy of '
    'MESA International."'
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "isa95kit" / "xsd"


class GenerationError(Exception):
    """The release does not look as expected (a patch no longer applies, a bundle fails)."""


@dataclass(frozen=True)
class Release:
    version: str
    namespace: str
    ext_namespace: str
    ext_entry: str
    skip: dict[str, str] = field(default_factory=dict)


_ENTRY_SKIP = "MESA's entry file; replaced by the generated AllSchemas.xsd (patch P2)"

RELEASES: dict[str, Release] = {
    r.version: r
    for r in (
        Release(
            "V0401",
            "http://www.wbf.org/xml/B2MML-V0401",
            "http://www.wbf.org/xml/B2MML-V0401-AllExtensions",
            "B2MML-V0401-AllExtensions.xsd",
            {
                "BatchML-V0401xxxx-BatchProductionRecord.xsd": (
                    "older (2008-10-01) of the two batch production record drafts; declares the "
                    "same global names as the WD01 draft (2009-02-26) used instead"
                ),
                "BatchML-V0401xxxx-BatchProductionRecordExtensions.xsd": (
                    "extension schema of the omitted xxxx draft; its namespace "
                    "(B2MML-V0401-Extensions) is imported by no schema"
                ),
                "BatchML-V0401WD01-BatchProductionRecordExtensions.xsd": (
                    "after patch P1 nothing imports it; its single empty group is unreferenced"
                ),
            },
        ),
        Release(
            "V0500",
            "http://www.wbf.org/xml/B2MML-V05",
            "http://www.wbf.org/xml/B2MML-V05-AllExtensions",
            "B2MML-V05-AllExtensions.xsd",
            {"AllSchemas.xsd": _ENTRY_SKIP},
        ),
        Release(
            "V0600",
            "http://www.mesa.org/xml/B2MML-V0600",
            "http://www.mesa.org/xml/B2MML-V0600-AllExtensions",
            "B2MML-V0600-AllExtensions.xsd",
            {
                "AllSchemas.xsd": _ENTRY_SKIP,
                "AllSchemasBatch.xsd": "a BatchML-only subset entry file",
                "AllSchemasModified.xsd": (
                    "single-file flattening of the same definitions for XSD.EXE code generation; "
                    "loading it with the modules would declare everything twice"
                ),
            },
        ),
        Release(
            "V0601",
            "http://www.mesa.org/xml/B2MML-V0601",
            "http://www.mesa.org/xml/B2MML-V0601-AllExtensions",
            "B2MML-V0601-AllExtensions.xsd",
            {"AllSchemas.xsd": _ENTRY_SKIP},
        ),
        Release(
            "V0700",
            "http://www.mesa.org/xml/B2MML",
            "http://www.mesa.org/xml/B2MML-AllExtensions",
            "B2MML-AllExtensions.xsd",
            {"AllSchemas.xsd": _ENTRY_SKIP},
        ),
        Release(
            "V0701",
            "http://www.mesa.org/xml/B2MML",
            "http://www.mesa.org/xml/B2MML-AllExtensions",
            "B2MML-AllExtensions.xsd",
            {"AllSchemas.xsd": _ENTRY_SKIP},
        ),
    )
}


# --------------------------------------------------------------------------- patches


@dataclass(frozen=True)
class Patch:
    id: str
    versions: tuple[str, ...]
    summary: str
    #: (release, file name, schema root) -> number of changes made to that file
    apply: Callable[[Release, str, etree._Element], int] | None = None


def _patch_extension_import(release: Release, name: str, root: etree._Element) -> int:
    changed = 0
    for imp in root.iterfind(f"{{{XSD}}}import"):
        if imp.get("namespace") == release.ext_namespace and (
            imp.get("schemaLocation") != release.ext_entry
        ):
            imp.set("schemaLocation", release.ext_entry)
            changed += 1
    return changed


PATCHES: tuple[Patch, ...] = (
    Patch(
        "P1",
        ("V0401", "V0500", "V0600", "V0601"),
        "imports of the extensions namespace point at the complete *-AllExtensions.xsd "
        "instead of a partial extension schema",
        _patch_extension_import,
    ),
    Patch(
        "P2",
        tuple(RELEASES),
        "generated entry AllSchemas.xsd: imports *-AllExtensions.xsd first, then includes "
        "every module of the release namespace",
    ),
)


# --------------------------------------------------------------------------- generation


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_blank_text=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


def _strip(root: etree._Element) -> None:
    for annotation in list(root.iter(f"{{{XSD}}}annotation")):
        parent = annotation.getparent()
        if parent is not None:
            parent.remove(annotation)
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)


def _header(release: Release, origin: str, patches: Sequence[str] | None) -> str:
    lines = [
        f"Generated by tools/gen_bundles.py from MESA's official B2MML release {release.version}:",
        f"{origin}. DO NOT EDIT: change the tool and regenerate.",
    ]
    if patches is None:
        lines.append(
            "Provenance, patches and element names of the bundle; see docs/schema-bundles.md."
        )
    else:
        lines.append("Patches applied: " + (", ".join(patches) if patches else "none") + ".")
        lines.append("xsd:annotation elements and comments removed; see docs/schema-bundles.md.")
    lines.append(ACKNOWLEDGEMENT)
    return "<!--\n" + "".join(f"  {line}\n" for line in lines) + "-->\n"


def _serialise(root: etree._Element, header: str) -> bytes:
    etree.indent(root, space="  ")
    body = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return header.encode("utf-8") + body + b"\n"


def _target_namespace(root: etree._Element) -> str | None:
    return root.get("targetNamespace")


def build_release(releases: Path, release: Release) -> dict[str, bytes]:
    """All files of one bundle: name -> bytes (nothing written)."""
    src_dir = releases / release.version
    if not src_dir.is_dir():
        raise GenerationError(f"release folder not found: {src_dir}")
    out: dict[str, bytes] = {}
    sources: dict[str, str] = {}
    modules: list[str] = []
    patch_hits: dict[str, int] = {p.id: 0 for p in PATCHES if release.version in p.versions}
    names = sorted(p.name for p in src_dir.glob("*.xsd"))
    for skipped in release.skip:
        if skipped not in names:
            raise GenerationError(f"{release.version}: expected file {skipped} is missing")
    element_names: set[str] = set()
    global_names: set[str] = set()
    for name in names:
        if name in release.skip:
            continue
        data = (src_dir / name).read_bytes()
        sources[name] = hashlib.sha256(data).hexdigest()
        root = etree.fromstring(data, _parser(), base_url=str(src_dir / name))
        if root.tag != f"{{{XSD}}}schema":
            raise GenerationError(f"{release.version}/{name} is not an XML schema")
        _strip(root)
        applied: list[str] = []
        for patch in PATCHES:
            if patch.apply is None or release.version not in patch.versions:
                continue
            hits = patch.apply(release, name, root)
            if hits:
                patch_hits[patch.id] += hits
                applied.append(patch.id)
        tns = _target_namespace(root)
        if tns == release.namespace:
            modules.append(name)
            for decl in root.iter(f"{{{XSD}}}element"):
                if decl.get("name"):
                    element_names.add(decl.get("name", ""))
            for decl in root.iterfind(f"{{{XSD}}}element"):
                global_names.add(decl.get("name", ""))
        elif tns not in (None, release.ext_namespace):
            raise GenerationError(f"{release.version}/{name}: unexpected namespace {tns}")
        out[name] = _serialise(root, _header(release, f"from its file {name}", applied))
    if release.ext_entry not in out:
        raise GenerationError(f"{release.version}: {release.ext_entry} missing")
    for patch_id, hits in patch_hits.items():
        patch = next(p for p in PATCHES if p.id == patch_id)
        if patch.apply is not None and not hits:
            raise GenerationError(f"{release.version}: patch {patch_id} no longer applies")
    out[ENTRY] = _entry(release, modules)
    out[INDEX] = _index(release, sources, sorted(element_names), sorted(global_names))
    _compile_check(release, out)
    return out


def _entry(release: Release, modules: Sequence[str]) -> bytes:
    root = etree.Element(
        f"{{{XSD}}}schema",
        nsmap={"xsd": XSD, None: release.namespace, "Extended": release.ext_namespace},  # type: ignore[dict-item]
        targetNamespace=release.namespace,
        elementFormDefault="qualified",
        attributeFormDefault="unqualified",
    )
    etree.SubElement(
        root, f"{{{XSD}}}import", namespace=release.ext_namespace, schemaLocation=release.ext_entry
    )
    for name in modules:
        etree.SubElement(root, f"{{{XSD}}}include", schemaLocation=name)
    return _serialise(root, _header(release, "the entry schema, written by the tool", ["P2"]))


def _index(
    release: Release,
    sources: dict[str, str],
    element_names: Sequence[str],
    global_names: Sequence[str],
) -> bytes:
    E = ElementMaker(namespace=BUNDLE_NS, nsmap={None: BUNDLE_NS})
    root = E.bundle(
        version=release.version,
        namespace=release.namespace,
        extensionNamespace=release.ext_namespace,
        entry=ENTRY,
        extensionEntry=release.ext_entry,
    )
    for patch in PATCHES:
        if release.version in patch.versions:
            root.append(E.patch(patch.summary, id=patch.id))
    for name, digest in sorted(sources.items()):
        root.append(E.file(name=name, sha256=digest))
    root.append(E.file(name=ENTRY, generated="true"))
    for name, reason in sorted(release.skip.items()):
        root.append(E.skipped(reason, name=name))
    root.append(E.globalElements(" ".join(global_names)))
    root.append(E.elements(" ".join(element_names)))
    return _serialise(root, _header(release, "the bundle index, written by the tool", None))


class _BundleResolver(etree.Resolver):
    def __init__(self, files: dict[str, bytes], base: str) -> None:
        super().__init__()
        self.files = files
        self.base = base

    def resolve(  # type: ignore[override]  # lxml-stubs omit the context argument
        self, system_url: str, public_id: str, context: object
    ) -> object:
        if system_url.startswith(self.base):
            name = system_url[len(self.base) :]
            if name in self.files:
                return self.resolve_string(self.files[name], context, base_url=system_url)
        raise GenerationError(f"bundle refers to a file it does not contain: {system_url}")


def _compile_check(release: Release, files: dict[str, bytes]) -> None:
    base = f"isa95kit-gen:/{release.version}/"
    parser = _parser()
    parser.resolvers.add(_BundleResolver(files, base))
    root = etree.fromstring(files[ENTRY], parser, base_url=base + ENTRY)
    try:
        etree.XMLSchema(etree.ElementTree(root))
    except etree.XMLSchemaParseError as exc:
        raise GenerationError(f"{release.version}: bundle does not compile: {exc}") from None


# --------------------------------------------------------------------------- output


def generate(
    releases: Path, versions: Sequence[str] = tuple(RELEASES)
) -> dict[str, dict[str, bytes]]:
    return {v: build_release(releases, RELEASES[v]) for v in versions}


def write(bundles: dict[str, dict[str, bytes]], out: Path) -> None:
    for version, files in bundles.items():
        target = out / version
        target.mkdir(parents=True, exist_ok=True)
        for stale in target.iterdir():
            if stale.is_file() and stale.name not in files:
                stale.unlink()
        for name, data in files.items():
            path = target / name
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)


def differences(releases: Path, out: Path, versions: Sequence[str] = tuple(RELEASES)) -> list[str]:
    """Regenerate into a temporary directory and list every difference with ``out``."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="isa95kit-bundles-") as tmp:
        fresh = Path(tmp)
        write(generate(releases, versions), fresh)
        for version in versions:
            want_dir, have_dir = fresh / version, out / version
            want = {p.name for p in want_dir.iterdir()}
            have = {p.name for p in have_dir.iterdir()} if have_dir.is_dir() else set()
            for name in sorted(want - have):
                problems.append(f"{version}/{name}: missing")
            for name in sorted(have - want):
                problems.append(f"{version}/{name}: not produced by the tool")
            for name in sorted(want & have):
                new, old = (want_dir / name).read_bytes(), (have_dir / name).read_bytes()
                if new != old:
                    diff = difflib.unified_diff(
                        old.decode("utf-8", "replace").splitlines(),
                        new.decode("utf-8", "replace").splitlines(),
                        f"{version}/{name} (committed)",
                        f"{version}/{name} (regenerated)",
                        lineterm="",
                        n=1,
                    )
                    problems.append("\n".join(list(diff)[:40]))
    return problems


#: MESA's official releases, as published, in the repository
RELEASES_DIR = ROOT / "xsd"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("versions", nargs="*", metavar="VERSION", help=", ".join(RELEASES))
    ap.add_argument(
        "--releases", type=Path, default=RELEASES_DIR, help="folder of the official releases"
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="bundle folder to write/check")
    ap.add_argument("--check", action="store_true", help="exit 1 if the bundles are out of date")
    args = ap.parse_args(argv)
    releases = args.releases.resolve()
    versions = tuple(args.versions) or tuple(RELEASES)
    unknown = [v for v in versions if v not in RELEASES]
    if unknown:
        ap.error(f"unknown version(s) {', '.join(unknown)}; known: {', '.join(RELEASES)}")
    try:
        if args.check:
            problems = differences(releases, args.out, versions)
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                print(
                    f"{len(problems)} difference(s): run tools/gen_bundles.py to regenerate",
                    file=sys.stderr,
                )
                return 1
            print(f"schema bundles up to date ({', '.join(versions)})")
            return 0
        write(generate(releases, versions), args.out)
    except GenerationError as exc:
        print(f"gen_bundles: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {', '.join(versions)} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
