#!/usr/bin/env python3
"""Generate isa95kit's typed model from MESA's official B2MML release.

    python tools/generate.py            # write src/isa95kit/model/
    python tools/generate.py --check    # regenerate in memory, exit 1 on any drift
    python tools/generate.py --out DIR  # write the model somewhere else

Pipeline (one place, small ordered steps): read the release with xmlschema into the IR
(``b2mmlgen.reader``), mark aliases, emit modules (``b2mmlgen.emit_model``), format them with
``ruff format`` (the project's configuration, the ruff of this Python environment). The
element -> class table ``docs/elements.md`` is generated (and checked) with them.
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from b2mmlgen.emit_model import Emitter  # noqa: E402
from b2mmlgen.reader import read_release  # noqa: E402

DEFAULT_RELEASE = ROOT / "xsd" / "V0701"
MODEL_DIR = ROOT / "src" / "isa95kit" / "model"
ELEMENTS_DOC = ROOT / "docs" / "elements.md"
HAND_WRITTEN = {"_base.py"}


def ruff_format(text: str, name: str) -> str:
    """``text`` formatted by ``ruff format`` as if it were ``src/isa95kit/model/<name>``."""
    stdin_name = MODEL_DIR.relative_to(ROOT) / name
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(stdin_name), "-"],
            input=text,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            check=False,
        )
    except OSError as exc:  # pragma: no cover - no Python to run
        raise SystemExit(f"cannot run ruff: {exc}") from None
    if proc.returncode != 0:
        raise SystemExit(
            f"ruff format failed on {name} (is ruff installed? pip install ruff): {proc.stderr}"
        )
    return proc.stdout


def render(release: Path) -> dict[str, str]:
    """File name -> content of every generated model file, formatted by ``ruff format``."""
    return render_all(release)[0]


def render_all(release: Path) -> tuple[dict[str, str], str]:
    """The model files (as :func:`render`) and the text of ``docs/elements.md``."""
    emitter = Emitter(read_release(release))
    files = {name: ruff_format(text, name) for name, text in emitter.modules().items()}
    return files, emitter.emit_elements_doc()


def check_doc(text: str, path: Path) -> list[str]:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current == text:
        return []
    diff = difflib.unified_diff(
        current.splitlines(), text.splitlines(), str(path), "generated", lineterm="", n=1
    )
    return ["\n".join(list(diff)[:20])]


def check(files: dict[str, str], out: Path) -> list[str]:
    problems: list[str] = []
    for name, text in files.items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), str(path), "generated", lineterm="", n=1
            )
            problems.append("\n".join(list(diff)[:20]))
    for path in sorted(out.glob("*.py")):
        if path.name not in files and path.name not in HAND_WRITTEN:
            problems.append(f"{path}: not produced by the generator (stale?)")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--release", type=Path, default=DEFAULT_RELEASE)
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--docs", type=Path, default=ELEMENTS_DOC, help="the element table")
    ap.add_argument("--check", action="store_true", help="fail if the files on disk differ")
    args = ap.parse_args(argv)
    files, elements_doc = render_all(args.release)
    if args.check:
        problems = check(files, args.out) + check_doc(elements_doc, args.docs)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print("generated model is out of date: run python tools/generate.py", file=sys.stderr)
            return 1
        print(f"model up to date ({len(files)} files and {args.docs.name})")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    args.docs.parent.mkdir(parents=True, exist_ok=True)
    args.docs.write_text(elements_doc, encoding="utf-8")
    print(f"wrote {len(files)} files to {args.out} and {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
