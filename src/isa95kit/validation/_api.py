"""The public validation functions: ``validate``, ``check``, ``is_valid``, ``iter_issues``."""

from __future__ import annotations

import functools
import io
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from .._source import DEFAULT_LIMITS, Source, _strip_decl, describe, source_error
from ..errors import Location, ProfileError, SourceError
from . import _rules  # noqa: F401  (registers the business rules)
from ._layers import Options, Outcome
from ._model import Issue, Severity
from ._profile import DEFAULT_PROFILE, ValidationProfile
from ._report import FileReport, ValidationReport, collect
from ._stream import NotStreamable, stream_issues
from ._tree import tree_issues

if TYPE_CHECKING:
    from ..model._base import B2MMLModel
    from ..versions import B2MMLVersion

__all__ = ["check", "is_valid", "iter_issues", "make_options", "run_one", "validate"]

ProfileLike = ValidationProfile | Mapping[str, Any] | str | os.PathLike[str] | None
Extensions = Sequence[str | os.PathLike[str]] | str | os.PathLike[str]


def make_options(
    *,
    version: B2MMLVersion | str | None = "auto",
    profile: ProfileLike = None,
    strict: bool | None = None,
    schema_only: bool = False,
    extensions: Extensions = (),
    stream: bool | None = None,
    prefer: B2MMLVersion | str = "V0701",
) -> Options:
    """Check and combine the keyword options shared by every function here."""
    from ..versions import B2MMLVersion

    if profile is None:
        chosen = DEFAULT_PROFILE
    elif isinstance(profile, ValidationProfile):
        chosen = profile
    elif isinstance(profile, Mapping):
        chosen = ValidationProfile.from_mapping(profile)
    else:
        chosen = ValidationProfile.load(profile)
    if strict is not None and strict != chosen.strict:
        chosen = chosen.evolve(strict=strict)
    forced = None
    try:
        if version is not None and str(version).lower() != "auto":
            forced = B2MMLVersion.coerce(version)
        preferred = B2MMLVersion.coerce(prefer).value
    except ValueError as exc:
        raise ProfileError(str(exc), location=Location(path="version")) from None
    if isinstance(extensions, (str, os.PathLike)):
        extensions = (extensions,)
    return Options(
        profile=chosen,
        version=forced,
        prefer=preferred,
        extensions=tuple(os.fspath(path) for path in extensions),
        schema_only=schema_only,
        stream=stream,
    )


def _issues(source: Source, options: Options, outcome: Outcome) -> Iterator[Issue]:
    threshold = options.profile.stream_threshold
    if isinstance(source, bytes) or (isinstance(source, str) and outcome.file is None):
        data = source if isinstance(source, bytes) else _strip_decl(source.encode("utf-8"))
        outcome.size = len(data)
        if _streams(options, len(data)):
            yield from _streamed(io.BytesIO(data), options, outcome, data=data)
        else:
            yield from _in_memory(data, None, options, outcome)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            outcome.size = os.path.getsize(path)
            opened = open(path, "rb")  # noqa: SIM115 - closed below
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            if isinstance(exc, OSError):
                raise source_error(path, exc) from None
            raise SourceError(f"cannot read {path!r}: not a usable path") from None
        with opened:
            if _streams(options, outcome.size):
                yield from _streamed(opened, options, outcome, path=path)
            else:  # the size limit is checked before the tree engine reads the file
                yield from _in_memory(None, path, options, outcome)
    else:
        handle: IO[bytes] = source
        head = b"" if options.stream else handle.read(threshold + 1)
        if options.stream is False or (options.stream is None and len(head) <= threshold):
            data = head + handle.read()
            outcome.size = len(data)
            yield from _in_memory(data, None, options, outcome)
        else:
            yield from _streamed(handle, options, outcome, head=head)


def _streams(options: Options, size: int) -> bool:
    if options.stream is not None:
        return options.stream
    return size > options.profile.stream_threshold


def _streamed(
    handle: IO[bytes],
    options: Options,
    outcome: Outcome,
    *,
    head: bytes = b"",
    data: bytes | None = None,
    path: str | None = None,
) -> Iterator[Issue]:
    reopen: Callable[[], IO[bytes]] | None = None
    if data is not None:
        reopen = functools.partial(io.BytesIO, data)
    elif path is not None:
        reopen = functools.partial(_open_binary, path)
    try:
        yield from stream_issues(handle, options, outcome, head=head, reopen=reopen)
    except NotStreamable:  # a wrapper: its B2MML elements are validated in memory
        if data is None and path is None:
            data = head + handle.read()
        yield from _in_memory(data, path, options, outcome)


def _open_binary(path: str) -> IO[bytes]:
    return open(path, "rb")


def _in_memory(
    data: bytes | None, path: str | None, options: Options, outcome: Outcome
) -> Iterator[Issue]:
    size = len(data) if data is not None else outcome.size or 0
    if size > DEFAULT_LIMITS.max_bytes:
        yield Issue(
            "hostile-input",
            Severity.ERROR,
            f"rejected: {size} bytes exceed the in-memory limit of {DEFAULT_LIMITS.max_bytes} "
            "bytes (documents inside a SOAP or MTConnect wrapper are validated in memory)",
            outcome.file,
            hint="send the B2MML document without its wrapper so that it can be streamed",
        )
        return
    yield from tree_issues(data, path, options, outcome)


def _document(source: Any) -> tuple[Source, str | None]:
    """The source and its name; a model instance is checked as the XML ``write_xml`` gives."""
    from ..model._base import B2MMLModel

    if isinstance(source, B2MMLModel):
        from .._xml import write_xml

        return write_xml(source), f"<{type(source).__name__}>"
    return source, describe(source)


def run_one(source: Source | B2MMLModel, options: Options) -> FileReport:
    """Validate one source into a :class:`FileReport` (I/O errors raise ``OSError``)."""
    source, name = _document(source)
    outcome = Outcome(file=name)
    started = time.perf_counter()
    report = collect(_issues(source, options, outcome), FileReport(outcome.file),
                     options.profile.max_issues)  # fmt: skip
    report.version, report.root, report.mode = outcome.version, outcome.root, outcome.mode
    report.namespaces, report.size = outcome.namespaces, outcome.size
    report.seconds = time.perf_counter() - started
    return report


def _report(files: list[FileReport], options: Options) -> ValidationReport:
    return ValidationReport(
        files=files,
        strict=options.profile.strict,
        schema_only=options.schema_only,
        profile=options.profile.name,
    )


def check(source: Source | B2MMLModel, **options: Any) -> ValidationReport:
    """Validate a document and return the report, whatever the verdict.

    ``source`` is a path, ``bytes``, XML text, a binary file object, or a model instance
    (checked as the XML :func:`isa95kit.write_xml` writes for it). Options:

    * ``version``: ``"auto"`` (default: detected) or a release such as ``"V0600"``;
    * ``profile``: a :class:`ValidationProfile`, a mapping, or a ``.toml``/``.json`` file;
    * ``strict``: warnings count as errors (default: the profile's setting);
    * ``schema_only``: only the well-formedness and schema layers (the official verdict);
    * ``extensions``: vendor ``*Extensions.xsd`` files used instead of the empty official ones;
    * ``stream``: force (True) or forbid (False) streaming; default: by the profile's
      ``stream_threshold``;
    * ``prefer``: the release used when the shared V07 namespace does not tell V0700 from V0701.

    Raises :class:`~isa95kit.SourceError` (an ``OSError``) for unreadable input and
    :class:`~isa95kit.ProfileError` (a ``ValueError``) for bad options; problems in
    the document are issues in the report, never exceptions.
    """
    opts = make_options(**options)
    return _report([run_one(source, opts)], opts)


def validate(source: Source | B2MMLModel, **options: Any) -> ValidationReport:
    """Like :func:`check`, but raise :class:`~isa95kit.errors.DocumentInvalidError` (with
    every issue in ``.issues``) when the document has an error; return the report otherwise."""
    return check(source, **options).raise_for_errors()


def is_valid(source: Source | B2MMLModel, **options: Any) -> bool:
    """Whether the document has no error (warnings allowed unless ``strict``)."""
    return check(source, **options).valid


def iter_issues(source: Source | B2MMLModel, **options: Any) -> Iterator[Issue]:
    """The document's issues one by one, as they are found (not sorted, no ``max_issues``)."""
    opts = make_options(**options)
    source, name = _document(source)
    outcome = Outcome(file=name)
    yield from _issues(source, opts, outcome)
