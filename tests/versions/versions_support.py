"""Paths and data shared by the tests of isa95kit.versions (reference data in the repository)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RELEASES = ROOT / "xsd"
EXAMPLES = ROOT / "tests" / "data" / "reference"
BUNDLES = ROOT / "src" / "isa95kit" / "xsd"
XSD = "http://www.w3.org/2001/XMLSchema"


def manifest_rows() -> list[dict[str, str]]:
    """Rows of examples/MANIFEST.tsv (empty when the reference data is missing)."""
    path = EXAMPLES / "MANIFEST.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def official_modules(release_dir: Path, namespace: str) -> list[str]:
    """The official schema files of a release in its own namespace, as MESA ships them.

    MESA's entry files (AllSchemas*.xsd) are left out, and in V0401 the older of the two
    batch production record drafts (``V0401xxxx``), which cannot be loaded with ``WD01``.
    """
    names = []
    for path in sorted(release_dir.glob("*.xsd")):
        if path.name.startswith("AllSchemas") or "V0401xxxx" in path.name:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        match = re.search(r'targetNamespace\s*=\s*"([^"]*)"', text)
        if match and match.group(1) == namespace:
            names.append(path.name)
    return names


def official_wrapper(release_dir: Path, namespace: str, ext_namespace: str) -> str:
    """A driver schema over the *unmodified* official files of a release.

    Its only "patch" is ordering: it imports the extensions namespace from the complete
    ``*-AllExtensions.xsd`` before including the modules, so the Common schema's import of the
    partial ``*-CommonExtensions.xsd`` is skipped (XSD processors load a namespace once).
    """
    (all_ext,) = [p.name for p in release_dir.glob("*AllExtensions.xsd")]
    includes = "".join(
        f'<xsd:include schemaLocation="{name}"/>'
        for name in official_modules(release_dir, namespace)
    )
    return (
        f'<xsd:schema xmlns:xsd="{XSD}" targetNamespace="{namespace}">'
        f'<xsd:import namespace="{ext_namespace}" schemaLocation="{all_ext}"/>'
        f"{includes}</xsd:schema>"
    )
