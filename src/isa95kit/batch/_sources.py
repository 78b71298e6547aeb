"""Expand the inputs of a batch run (paths, folders, globs, fsspec URLs) into a stable list.

The order is the order of the arguments; a folder or a glob contributes its files sorted by
path. Local paths need nothing but the standard library; URLs (``s3://``, ``memory://``,
``file://`` ...) go through fsspec, which comes with the ``dask`` extra.
"""

from __future__ import annotations

import glob
import importlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from ..errors import Location, MissingDependencyError, SourceNotFoundError

__all__ = ["FileSource", "expand", "fsspec", "has_magic", "is_url", "open_binary", "size_of"]

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_MAGIC = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class FileSource:
    """One input file: its position in the run, where it is, and where it sits in its tree.

    ``relative`` is the path below the folder or glob root it was found under (the file name
    for a file given directly); converted files keep it under an output folder.
    """

    index: int
    location: str
    size: int
    relative: str

    @property
    def is_url(self) -> bool:
        return is_url(self.location)


def is_url(location: str) -> bool:
    """True for ``protocol://...`` locations (read through fsspec)."""
    return _URL.match(location) is not None


def has_magic(pattern: str) -> bool:
    """True for a glob pattern (``*``, ``?`` or ``[``)."""
    return _MAGIC.search(pattern) is not None


def fsspec() -> Any:
    """The fsspec module, or :class:`MissingDependencyError` naming the ``dask`` extra."""
    try:
        return importlib.import_module("fsspec")
    except ImportError as exc:  # pragma: no cover - fsspec is in the test environment
        raise MissingDependencyError("URLs need fsspec: pip install 'isa95kit[dask]'") from exc


def expand(paths: Sequence[str], suffixes: Iterable[str] = (".xml",)) -> list[FileSource]:
    """Every input file, in argument order; folders and globs sorted by path.

    Folders are walked for files ending in one of ``suffixes`` (case-insensitive); a file
    given by name is taken whatever its suffix. Raises :class:`SourceNotFoundError` for a
    path that does not exist or a folder/glob without matching files.
    """
    wanted = tuple(suffix.lower() for suffix in suffixes)
    found: list[tuple[str, int, str]] = []
    for path in paths:
        before = len(found)
        if is_url(path):
            found.extend(_expand_url(path, wanted))
        elif os.path.isdir(path):
            found.extend(_walk(path, wanted))
        elif os.path.exists(path):
            found.append((path, size_of(path), os.path.basename(path)))
        elif _MAGIC.search(path):
            found.extend(_glob(path))
        else:
            raise SourceNotFoundError("no such file or folder", location=Location(file=path))
        if len(found) == before:
            kinds = " or ".join(f"*{suffix}" for suffix in wanted)
            raise SourceNotFoundError(f"no {kinds} files under {path}", location=Location())
    return [FileSource(i, loc, size, rel) for i, (loc, size, rel) in enumerate(found)]


def size_of(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _walk(root: str, wanted: tuple[str, ...]) -> list[tuple[str, int, str]]:
    files = sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(root)
        for name in names
        if name.lower().endswith(wanted)
    )
    return [(file, size_of(file), os.path.relpath(file, root)) for file in files]


def _glob(pattern: str) -> list[tuple[str, int, str]]:
    root = _glob_root(pattern, os.sep)
    files = sorted(f for f in glob.glob(pattern, recursive=True) if os.path.isfile(f))
    return [(f, size_of(f), os.path.relpath(f, root or os.curdir)) for f in files]


def _glob_root(pattern: str, sep: str) -> str:
    """The part of a glob pattern before its first wildcard segment."""
    parts = pattern.split(sep)
    fixed = []
    for part in parts[:-1]:
        if _MAGIC.search(part):
            break
        fixed.append(part)
    return sep.join(fixed)


def _expand_url(url: str, wanted: tuple[str, ...]) -> list[tuple[str, int, str]]:
    fs, path = fsspec().core.url_to_fs(url)
    if _MAGIC.search(path):
        root = _glob_root(path, "/")
        listing = fs.glob(path, detail=True)
    elif fs.isdir(path):
        root = path.rstrip("/")
        listing = {
            name: info
            for name, info in fs.find(path, detail=True).items()
            if name.lower().endswith(wanted)
        }
    elif fs.exists(path):
        info = fs.info(path)
        return [(url, int(info.get("size") or 0), path.rsplit("/", 1)[-1])]
    else:
        raise SourceNotFoundError("no such file or folder", location=Location(file=url))
    out = []
    for name in sorted(listing):
        info = listing[name]
        if info.get("type") == "directory":
            continue
        relative = name[len(root) :].lstrip("/") if root and name.startswith(root) else name
        out.append((fs.unstrip_protocol(name), int(info.get("size") or 0), relative))
    return out


class _NamedReader(io.RawIOBase):
    """A read-only view of an fsspec file that carries the URL as its ``name``."""

    def __init__(self, handle: IO[bytes], name: str) -> None:
        super().__init__()
        self._handle = handle
        self.name = name

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._handle.read(-1 if size is None else size)

    def readinto(self, buffer: Any) -> int:
        data = self._handle.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()


def open_binary(location: str) -> IO[bytes]:
    """Open a path or URL for reading bytes; the handle's ``name`` is ``location``."""
    if not is_url(location):
        return open(location, "rb")
    opened = fsspec().open(location, "rb").open()
    return io.BufferedReader(_NamedReader(opened, location), 1 << 16)
