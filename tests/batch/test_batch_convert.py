"""``convert_many`` writes what ``isa95kit convert IN -o OUT`` writes, byte for byte, through
the same direct converters (no model built where the single-file command builds none)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import isa95kit as ik
from isa95kit.batch import Verdict, convert_many
from isa95kit.cli import main
from tests.batch._corpus import GOLDEN
from tests.conftest import EXAMPLES, ROOT

JSON_DATA = ROOT / "tests" / "json" / "data"


def _older() -> Path:
    """A V0401 document that converts (migrated to V0701 on the way)."""
    for path in sorted((EXAMPLES / "V0401").glob("*.xml")):
        try:
            ik.write_json(ik.read_xml(path))
        except ik.Isa95Error:
            continue
        return path
    raise AssertionError("no convertible V0401 reference document")


#: the direct walks take these; the others go through the model (nil, extensions, V0401)
INPUTS = [
    *sorted(GOLDEN.glob("*.xml")),
    JSON_DATA / "sync-operations-test.xml",
    JSON_DATA / "sync-work-schedule.xml",
    _older(),
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for path in INPUTS:
        shutil.copy(path, folder / path.name)
    unknown = (GOLDEN / "lexical_material_lot.xml").read_text(encoding="utf-8")
    head, tail = unknown.rsplit("</", 1)
    (folder / "unknown.xml").write_text(f"{head}<Bogus>x</Bogus></{tail}", encoding="utf-8")
    return folder


def single_file(path: Path, out: Path, flags: list[str]) -> tuple[int, bytes | None]:
    code = main(["convert", str(path), "-o", str(out), *flags])
    return code, out.read_bytes() if out.exists() else None


@pytest.mark.parametrize(
    "flags", [[], ["--pretty"], ["--keep-unknown"]], ids=["compact", "pretty", "keep-unknown"]
)
def test_batch_outputs_are_the_single_file_commands_bytes(
    inputs: Path, tmp_path: Path, flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    pretty, keep = "--pretty" in flags, "--keep-unknown" in flags
    out = tmp_path / "json"
    results = convert_many(inputs, output_dir=out, pretty=pretty, keep_unknown=keep).results()
    for result in results:
        source = Path(result.source)
        code, expected = single_file(source, tmp_path / f"{source.stem}.one.json", flags)
        assert (result.verdict == Verdict.CONVERTED) == (code == 0), result
        if code == 0:
            assert result.output is not None
            assert Path(result.output).read_bytes() == expected, source.name
    failed = {Path(r.source).name for r in results if r.verdict == Verdict.FAILED}
    assert failed == (set() if keep else {"unknown.xml"})
    # and back: JSON -> XML, compact (the direct walk) and pretty (the model)
    back = convert_many(out, output_dir=tmp_path / "xml", pretty=pretty).results()
    assert {r.verdict for r in back} == {Verdict.CONVERTED}
    for result in back:
        source = Path(result.source)
        code, expected = single_file(source, tmp_path / f"{source.stem}.one.xml", flags)
        assert code == 0 and result.output is not None
        assert Path(result.output).read_bytes() == expected, source.name
    capsys.readouterr()


def test_batch_conversion_builds_no_model_where_the_direct_walks_convert(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import isa95kit._json as json_codec
    import isa95kit._xml as xml_codec

    built: list[str] = []

    def spy(module: Any, name: str) -> None:
        real = getattr(module, name)

        def wrapper(source: Any, *args: Any, **kwargs: Any) -> Any:
            built.append(Path(str(source)).name)
            return real(source, *args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    spy(xml_codec, "read_xml")
    spy(json_codec, "read_json")
    results = convert_many(inputs, output_dir=tmp_path / "json").results()  # serial: spied
    assert sum(r.verdict == Verdict.CONVERTED for r in results) == len(INPUTS)
    older = INPUTS[-1].name
    direct = {"erp_mes_work_schedule.xml", "material_master_assembly.xml",
              "mes_erp_work_performance.xml", "work_record_information_object.xml"}  # fmt: skip
    assert not direct & set(built)  # the V0701 documents the walk handles: no model
    assert older in built  # an older release: migrated through the model
    built.clear()
    results = convert_many(tmp_path / "json", output_dir=tmp_path / "xml").results()
    assert {r.verdict for r in results} == {Verdict.CONVERTED}
    assert len(built) < len(results)  # JSON -> XML straight for most files
    assert ik.read_xml(tmp_path / "xml" / "lexical_material_lot.xml") == ik.read_xml(
        GOLDEN / "lexical_material_lot.xml"
    )
