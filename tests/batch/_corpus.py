"""A mixed corpus for batch tests, and test-only task wrappers that take workers down."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isa95kit.batch import Done, FileSource, MigrateTask
from isa95kit.versions import B2MMLVersion
from tests.conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "tests" / "data" / "golden"


def billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{entities}]>\n<lolz>&lol9;</lolz>'.encode()


def _minimal(version: B2MMLVersion) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<ProcessProductionSchedule xmlns="{version.namespace}" '
        'releaseID="1"><ApplicationArea><CreationDateTime>2024-05-01T06:00:00Z'
        "</CreationDateTime></ApplicationArea><DataArea><Process/><ProductionSchedule>"
        "<ID>PS-1</ID></ProductionSchedule></DataArea></ProcessProductionSchedule>\n"
    ).encode()


def mixed_corpus(folder: Path) -> Path:
    """Valid, invalid and hostile documents of every release V0401..V0701 (and BatchML)."""
    folder.mkdir(parents=True, exist_ok=True)
    for release in ("V0401", "V0600", "BatchML-V02", "V0401-rockwell-extension"):
        target = folder / release
        target.mkdir(exist_ok=True)
        for file in sorted((EXAMPLES / release).glob("*.xml")):
            shutil.copy(file, target / file.name)
    (folder / "V0701").mkdir(exist_ok=True)
    for file in sorted(GOLDEN.glob("*.xml")):
        shutil.copy(file, folder / "V0701" / file.name)
    generated = folder / "generated"
    generated.mkdir(exist_ok=True)
    for version in B2MMLVersion:
        (generated / f"minimal-{version.value}.xml").write_bytes(_minimal(version))
    hostile = folder / "hostile"
    hostile.mkdir(exist_ok=True)
    (hostile / "billion-laughs.xml").write_bytes(billion_laughs())
    (hostile / "external-entity.xml").write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        b"<x>&e;</x>\n"
    )
    (hostile / "not-well-formed.xml").write_bytes(b"<JobOrder><ID>1</JobOrder>")
    (hostile / "empty.xml").write_bytes(b"")
    (hostile / "not-b2mml.xml").write_bytes(b"<html><body>hello</body></html>")
    return folder


@dataclass(frozen=True)
class KillOnce:
    """Take the worker down (``os._exit``) the first time ``victim`` is processed."""

    inner: Any
    victim: str
    marker: str

    def __call__(self, source: FileSource) -> Done:
        if source.location.endswith(self.victim):
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.close(fd)
                os._exit(13)
        result: Done = self.inner(source)
        return result


@dataclass(frozen=True)
class Poison:
    """Take down every worker that processes ``victim``, counting the attempts in a folder."""

    inner: Any
    victim: str
    tally: str

    def __call__(self, source: FileSource) -> Done:
        if source.location.endswith(self.victim):
            Path(self.tally, f"{os.getpid()}-{os.urandom(4).hex()}").touch()
            os._exit(13)
        result: Done = self.inner(source)
        return result


@dataclass(frozen=True)
class DieMidWrite:
    """Convert, but die half-way through writing ``victim``'s output."""

    inner: Any
    victim: str

    def __call__(self, source: FileSource) -> Done:
        if not source.location.endswith(self.victim):
            result: Done = self.inner(source)
            return result
        from isa95kit.batch import write_atomically

        def half(out: Any) -> None:
            out.write(b'{"partial": ')
            out.flush()
            os._exit(13)

        write_atomically(self.inner.targets(source)[0], half)
        raise AssertionError("unreachable")

    def partials(self, sources: Any) -> list[str]:
        found: list[str] = self.inner.partials(sources)
        return found


@dataclass(frozen=True)
class Probe:
    """Report what the worker process had ready before this file: the releases whose schema
    bundle was compiled, and the dask worker's profiler setting (None outside dask)."""

    def __call__(self, source: FileSource) -> Done:
        from isa95kit.versions import _bundles

        compiled = sorted(version.value for version in _bundles._base_cache)
        profiler = None
        try:
            import dask
            from distributed import get_worker

            get_worker()
            profiler = dask.config.get("distributed.worker.profile.enabled")
        except (ImportError, ValueError):
            pass
        return Done("valid", value={"compiled": compiled, "profiler": profiler})


@dataclass(frozen=True)
class WarmProbe(MigrateTask):
    """Migrate, and say what the worker had ready before this file: the warm-ups this process
    ran (``_warm._DONE``), the releases whose migration tables are loaded, and its pid."""

    def __call__(self, source: FileSource) -> Done:
        from isa95kit.batch import _warm
        from isa95kit.versions import _migrate_tree

        state = {
            "warmed": sorted(_warm._DONE),
            "tables": _migrate_tree.tables.cache_info().currsize,
            "pid": os.getpid(),
        }
        done = super().__call__(source)
        return Done(done.verdict, output=done.output, value={"summary": done.value, **state})
