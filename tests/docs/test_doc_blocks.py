"""Every ```python block of docs/*.md and README.md runs.

The blocks of one page run in order in one fresh namespace (a later block may use what an
earlier one defined), in a temporary working directory holding the sample files the pages name
(``SAMPLES``: the same repository-relative paths as in a checkout, plus a few short names such as
``partner.xml``). A block that cannot run there (a server, a partner's own file) is preceded by
``<!-- skip-test: reason -->``; the reason is required.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
REFERENCE = ROOT / "tests" / "data" / "reference"

#: name in the working directory -> file of the repository
SAMPLES: dict[str, Path] = {
    "examples/data/process-work-schedule.xml": ROOT / "examples/data/process-work-schedule.xml",
    # a partner's valid V0701 message (the README and the validation pages check "partner.xml")
    "partner.xml": ROOT / "examples/data/process-work-schedule.xml",
    "partner.json": ROOT / "tests/json/data/golden/process-work-schedule.json",
    "huge-schedule.xml": ROOT / "examples/data/process-work-schedule.xml",
    # a real V0600 schedule whose LatestEndTime precedes its EarliestStartTime (MANIFEST.tsv)
    "partner-end-before-start.xml": REFERENCE
    / "V0600/kannisto_Cocop.MessageSerialiser.Biz_spec__spec_Neg_ProcessProductionSchedule_EndBeforeStart.xml",
    **{
        f"tests/data/golden/{p.name}": p for p in sorted((ROOT / "tests/data/golden").glob("*.xml"))
    },
}

#: folders of the repository the pages read from, copied under the same relative path
SAMPLE_DIRS = ["examples/data", "tests/bom/data", "tests/soap_client/data", "tests/data/reference"]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_SKIP = re.compile(r"^\s*<!--\s*skip-test(?::\s*(?P<reason>.*?))?\s*-->\s*$")
_LANGS = {"python", "py"}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # 1-based line of the first code line
    code: str
    skip: str | None  # the reason given by a preceding skip-test marker


def extract_blocks(text: str, page: Path) -> list[Block]:
    """The ```python blocks of a Markdown text, with their line and skip marker."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        lang = (m["info"].split() or [""])[0].strip("{}.").lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(fence) and lines[j].strip().strip(fence[0]) == ""
        ):
            line = lines[j]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            j += 1
        if lang in _LANGS:
            skip = None
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            marker = _SKIP.match(lines[k]) if k >= 0 else None
            if marker is not None:
                skip = (marker["reason"] or "").strip()
                if not skip:
                    raise ValueError(f"{page.name}:{k + 1}: skip-test needs a reason")
            blocks.append(Block(page, i + 2, "\n".join(body) + "\n", skip))
        i = j + 1
    return blocks


def _page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = extract_blocks(page.read_text(encoding="utf-8"), page)
    runnable = [b for b in blocks if b.skip is None]
    if not runnable:
        pytest.skip("no runnable python block")
    for name, source in SAMPLES.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for folder in SAMPLE_DIRS:
        shutil.copytree(ROOT / folder, tmp_path / folder, dirs_exist_ok=True)
    (tmp_path / "xsd").symlink_to(ROOT / "xsd")  # the schemas test WSDLs import, read only
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    for block in runnable:
        # pad so that tracebacks show the line numbers of the Markdown page
        code = compile("\n" * (block.line - 1) + block.code, str(page), "exec")
        exec(code, namespace)


def test_extractor_finds_blocks_lines_and_markers() -> None:
    text = (
        "# T\n\n```python\nx = 1\n```\n\n<!-- skip-test: needs a SOAP server -->\n"
        "```py\nraise SystemExit\n```\n\n- item\n\n    ```python\n    y = x + 1\n    ```\n"
        "```pyi\ndef f() -> int: ...\n```\n````markdown\n```python\nnested\n```\n````\n"
    )
    blocks = extract_blocks(text, Path("t.md"))
    assert [(b.line, b.code, b.skip) for b in blocks] == [
        (4, "x = 1\n", None),
        (9, "raise SystemExit\n", "needs a SOAP server"),
        (15, "y = x + 1\n", None),
    ]


def test_skip_marker_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        extract_blocks("<!-- skip-test -->\n```python\npass\n```\n", Path("t.md"))


def test_every_page_has_blocks_found_and_samples_exist() -> None:
    assert all(p.is_file() for p in SAMPLES.values())
    assert all((ROOT / d).is_dir() for d in SAMPLE_DIRS)
    counted = {p.name: len(extract_blocks(p.read_text(encoding="utf-8"), p)) for p in PAGES}
    assert counted["README.md"] >= 2 and counted["build-and-send.md"] >= 4
