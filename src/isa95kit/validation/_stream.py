"""The streaming engine: validate a document of any size in bounded memory.

One pass with lxml's pull parser, which validates against the XSD while it parses (libxml2's
streaming schema validator), fed in ``chunk_size`` blocks. After every :data:`BATCH_BYTES` of
input the engine walks the chain of open elements (the root, its last child, that one's last
child, ...): every child before the last one of an open element is complete, so the business
rules run on it, exactly as the tree engine runs them, and it is removed. What stays in
memory is the chain of open elements with their leaf children (a parent's rules read them),
at most one batch of unprocessed input, and the rules' scoped state (the IDs of one parent's
children for ``duplicate-id``, the IDs of one definition for ``dangling-reference``). No
Python code runs per element except in the rules, which the tree engine runs as well.

libxml2 reports streaming schema errors without a line. After each block, each new error is
matched to the element it names among the elements still in the tree (by name, the offending
value, and whether the error is raised at the element's start tag, inside the block, or at
its end tag), which gives the line and positional path the tree engine reports.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import IO, TYPE_CHECKING, Any

from .._source import declares_doctype
from ._context import RuleContext
from ._layers import (
    PROBE_BYTES,
    PULL_OPTIONS,
    Dispatcher,
    Options,
    Outcome,
    attributes_issue,
    decide,
    depth_issue,
    doctype_issue,
    has_doctype,
    namespace_of,
    probe_root,
    schema_issue,
    schema_subject,
    syntax_issues,
    version_issue,
)
from ._model import Issue, Severity
from ._paths import PathBuilder, line_of, local_name

if TYPE_CHECKING:
    from lxml import etree


__all__ = ["NotStreamable", "stream_issues"]


#: how much input accumulates before the finished elements are checked and dropped
BATCH_BYTES = 1 << 20


class NotStreamable(Exception):
    """The root is not a B2MML element (a SOAP or MTConnect wrapper): use the tree engine."""


def stream_issues(
    handle: IO[bytes],
    options: Options,
    outcome: Outcome,
    *,
    head: bytes = b"",
    reopen: Callable[[], IO[bytes]] | None = None,
) -> Iterator[Issue]:
    """Every issue of the document read from ``handle`` (``head``: bytes already read from it).

    Raises :class:`NotStreamable` before yielding anything when the root is not B2MML.
    ``reopen`` gives a fresh handle for the second pass that the shared V07 namespace may need.
    """
    from lxml import etree

    from ..versions import is_b2mml_namespace, load_schema
    from ..versions._detect import is_v0400_namespace

    file = outcome.file
    blocks = [head] if head else []
    size, eof = len(head), False
    # the root (and its DTD, if any) from the first block(s) ...
    probe = etree.XMLPullParser(events=("start",), **PULL_OPTIONS)
    root: Any = None
    try:
        for block in blocks:
            probe.feed(block)
        root = next((element for _, element in probe.read_events()), None)
        while not eof and (root is None or size < PROBE_BYTES):
            block = handle.read(options.chunk_size)
            if not block:
                eof = True
                break
            blocks.append(block)
            size += len(block)
            if root is None:
                probe.feed(block)
                root = next((element for _, element in probe.read_events()), None)
        if root is None:
            probe.close()  # raises: the document is empty or has no root element
    except etree.XMLSyntaxError as exc:
        if declares_doctype(b"".join(blocks)[:65536]):
            yield doctype_issue(file, b"".join(blocks)[:65536])
        else:
            yield from syntax_issues(probe.feed_error_log, file, exc)
        return
    if root is None:  # pragma: no cover - close() raised above
        return
    if has_doctype(root.getroottree()):
        yield doctype_issue(file, b"".join(blocks)[:65536])
        return
    namespace = namespace_of(root)
    if not is_b2mml_namespace(namespace) or is_v0400_namespace(namespace):
        raise NotStreamable(namespace)  # B2MML V0400: validated as V0401, in memory
    outcome.mode = "stream"
    outcome.root = local_name(root)
    root_tag = root.tag
    removed: dict[etree._Element, dict[str, int]] = {}
    paths = PathBuilder(namespace, removed)
    # ... and the release from the element names of the first PROBE_BYTES
    subject = probe_root(b"".join(blocks)[:PROBE_BYTES]) if len(blocks) > 1 else None
    decision = decide(subject if subject is not None else root, options)
    version, others = decision.version, decision.fallbacks
    if version is None:
        yield version_issue("unknown-version", decision.error or "", file, root, paths)
    severity = options.profile.severity("version-mismatch")
    if decision.mismatch is not None and severity is not None:
        yield version_issue(
            "version-mismatch", decision.mismatch.message, file, root, paths, severity=severity
        )
    del probe, root, subject
    schema = load_schema(version, extensions=options.extensions) if version else None
    outcome.version = version.value if version else None
    rest = _blocks(handle, options.chunk_size) if not eof else iter(())
    run = _Run(options, outcome, paths, removed, schema, root_tag, buffer_schema=bool(others))
    try:
        yield from run.issues(itertools.chain(blocks, rest))
    finally:
        outcome.namespaces.update(paths.namespaces())
    if others and run.schema_errors and reopen is not None:
        for other in others:  # does the other V07 release accept the document?
            check = _Run(
                replace(options, schema_only=True), Outcome(file), PathBuilder(namespace, {}),
                {}, load_schema(other, extensions=options.extensions), root_tag,
                buffer_schema=True,
            )  # fmt: skip
            with reopen() as again:
                broken = list(check.issues(_blocks(again, options.chunk_size)))
            if not broken and not check.schema_errors:
                outcome.version = other.value
                run.held.clear()
                break
    yield from run.held


class _Run:
    """A pass: parse and validate block by block; after each batch, run the rules on every
    finished child of an open element and drop it."""

    def __init__(
        self,
        options: Options,
        outcome: Outcome,
        paths: PathBuilder,
        removed: dict[etree._Element, dict[str, int]],
        schema: etree.XMLSchema | None,
        root_tag: str,
        *,
        buffer_schema: bool,
    ) -> None:
        self.file = outcome.file
        self.paths = paths
        self.removed = removed
        self.schema = schema
        self.root_tag = root_tag
        self.buffer_schema = buffer_schema
        self.held: list[Issue] = []  # schema issues kept back until the V07 check is done
        self.schema_errors = 0
        # one block's validated subjects, keyed by the element itself (not by id(): a freed
        # lxml proxy's id is reused by the next proxy, which mixed up subjects)
        self.subjects: dict[Any, _Validated | None] = {}
        self.pruned = False  # finished elements were dropped: the root is not the document
        self.text_errors: set[tuple[str, Any]] = set()  # (message, element) text errors given
        self.limit = options.profile.max_issues
        self.max_attributes = options.profile.max_attributes
        self.ctx = RuleContext(
            namespace=paths.b2mml_namespace, file=outcome.file, profile=options.profile,
            paths=paths,
        )  # fmt: skip
        rules = [] if options.schema_only else options.profile.enabled_rules()
        self.rules = Dispatcher(rules, self.ctx)

    def issues(self, blocks: Iterable[bytes]) -> Iterator[Issue]:
        from lxml import etree

        # only the root's events: the tree itself is walked after each block
        parser = etree.XMLPullParser(
            events=("start", "end"), tag=self.root_tag, schema=self.schema, **PULL_OPTIONS
        )
        root: Any = None
        closed = False  # the root's end tag was read
        seen = 0  # parser log entries handled so far
        located = 0
        low = 1  # elements started in the current block are on this line or later
        unchecked = 0  # bytes fed since the finished elements were last checked and dropped
        # with a schema plugged in, lxml's pull parser loses libxml2's well-formedness errors
        # (and goes on validating garbage): a plain parser without a tree checks the syntax
        limit = self.max_attributes
        sink = _Sink(limit)
        syntax = etree.XMLParser(target=sink, **PULL_OPTIONS)  # type: ignore[arg-type]
        crowded: Issue | None = None  # the first start tag with too many attributes ...
        deep: Issue | None = None  # ... or the first element nested too deep
        recent: collections.deque[bytes] = collections.deque(maxlen=_RECENT_BLOCKS)
        lines_before = 0  # newlines in the blocks no longer in ``recent``
        for block in blocks:
            if len(recent) == recent.maxlen:
                lines_before += recent[0].count(b"\n")
            recent.append(block)
            try:
                syntax.feed(block)
            except etree.XMLSyntaxError as exc:
                yield from self._not_well_formed(syntax, exc, root)
                return
            if sink.too_deep and (crowded is None or crowded is not deep):
                # refused: from here on, syntax only; too deep wins over too many attributes,
                # as in the tree engine, whose parser stops at the depth
                window = (b"".join(recent), lines_before)
                crowded = deep = self._too_deep(parser, block, root, window)
            if sink.crowded is not None or sink.too_deep:
                if crowded is None and sink.crowded is not None:
                    tag, count = sink.crowded
                    name = tag.rpartition("}")[2]
                    line = _start_line(b"".join(recent), name, lines_before, limit)
                    crowded = attributes_issue(self.file, line, name, count, limit)
                continue
            try:
                parser.feed(block)
            except etree.XMLSyntaxError:
                yield from syntax_issues(list(parser.feed_error_log)[seen:], self.file)
                if root is not None:  # the complete part before the error is still checked
                    yield from self._finished(self._open_chain(root))
                return
            for event, element in parser.read_events():
                if root is None:
                    root = element
                elif event == "end" and element is root:
                    closed = True
            if root is None:
                continue
            if self.schema is not None and located < self.limit:
                log = parser.feed_error_log
                if len(log) > seen:
                    for issue in self._located(list(log)[seen:], root, low):
                        located += 1
                        yield from self._schema(issue)
                    seen = len(log)
            chain = self._open_chain(root)
            low = line_of(chain[-1]) or low
            unchecked += len(block)
            if unchecked >= BATCH_BYTES:  # batches: fewer, larger subtrees to walk
                unchecked = 0
                yield from self._finished(chain)
        try:
            syntax.close()
        except etree.XMLSyntaxError as exc:
            yield from self._not_well_formed(syntax, exc, root)
            return
        if syntax_issues(syntax.feed_error_log, self.file):  # e.g. an undeclared prefix:
            # libxml2 goes on after namespace errors, which the tree engine's parser refuses
            yield from self._not_well_formed(syntax, None, root)
            return
        if crowded is not None:  # well-formed, but refused as the tree engine refuses it
            yield crowded
            return
        with contextlib.suppress(etree.XMLSyntaxError):  # reported from the log below
            parser.close()
        rest = list(parser.feed_error_log)[seen:]
        broken = syntax_issues(rest, self.file)
        if not broken and not closed:  # libxml2 logs no end-of-data error once invalid
            broken = [self._unfinished(root)]
        yield from broken
        for entry in rest:  # past the location limit: counted, not located
            if entry.domain_name == "SCHEMASV" and entry.level_name in ("ERROR", "FATAL"):
                yield from self._schema(
                    schema_issue(entry.message, file=self.file, line=None, column=None,
                                 element=None, paths=self.paths)
                )  # fmt: skip
        if root is not None and not broken:
            yield from self.rules.run(root)
        elif root is not None:
            yield from self._finished(self._open_chain(root))

    def _too_deep(
        self, parser: Any, block: bytes, root: Any, window: tuple[bytes, int] = (b"", 0)
    ) -> Issue:
        """The issue of the first element deeper than :data:`MAX_DEPTH`, at the line the
        validating parser reports for it once fed the block (as the tree engine's parser
        does), or at the start tag that follows the deepest element it kept (the refused
        element is that one's first child)."""
        from lxml import etree

        with contextlib.suppress(etree.XMLSyntaxError):
            parser.feed(block)
            for _, element in parser.read_events():
                root = element if root is None else root
        for entry in parser.feed_error_log:
            if "depth" in entry.message.lower():
                return depth_issue(self.file, entry.line or None)
        # with a schema plugged in, the parser stops without logging the depth
        if root is None:
            return depth_issue(self.file, None)
        deepest = self._open_chain(root)[-1]
        line = _child_start_line(*window, deepest) or line_of(deepest)
        return depth_issue(self.file, line)

    def _unfinished(self, root: etree._Element | None) -> Issue:
        if root is None:
            return syntax_issues((), self.file, ValueError("no element found"))[0]
        inner = self._open_chain(root)[-1]
        return Issue(
            "not-well-formed",
            Severity.ERROR,
            "not well-formed XML: premature end of data: the document stops after "
            f"<{local_name(inner)}> (line {line_of(inner)}), before </{local_name(root)}>",
            self.file,
            line_of(inner),
            None,
            None,
            "the file is truncated: send it again complete",
        )

    @staticmethod
    def _open_chain(root: etree._Element) -> list[etree._Element]:
        """The root, its last child, that one's last child, ...: the elements that may still
        be open (everything before the last child of each is complete)."""
        chain = [root]
        while len(chain[-1]):
            last = chain[-1][-1]
            if not isinstance(last.tag, str):
                break
            chain.append(last)
        return chain

    def _finished(self, chain: list[etree._Element]) -> Iterator[Issue]:
        """Run the rules on, then drop, every finished child of the open elements.

        Leaf children stay (their parent's rules read them); comments and processing
        instructions go. The rules' state of a dropped subtree goes first: a Python reference
        into a subtree would make lxml keep (move) its nodes instead of freeing them.
        """
        keep = {id(element) for element in chain}
        checking = bool(self.rules.tags)
        for node in chain:
            children = list(node)
            drop: list[int] = []  # indices of the children to drop
            child = None
            for index, child in enumerate(children[:-1]):
                tag = child.tag
                if not isinstance(tag, str):
                    drop.append(index)
                elif len(child):
                    if checking:
                        yield from self.rules.run(child)
                        self.ctx.keep_state(keep)
                    counts = self.removed.get(node)
                    if counts is None:
                        counts = self.removed[node] = {}
                    counts[tag] = counts.get(tag, 0) + 1
                    drop.append(index)
                    self.pruned = True
            del children, child  # no proxy may hold the subtrees: lxml frees them at once
            for start, stop in reversed(_runs(drop)):
                del node[start:stop]
        for gone in [e for e in self.removed if id(e) not in keep]:
            del self.removed[gone]

    def _schema(self, issue: Issue) -> Iterator[Issue]:
        if issue.severity is Severity.ERROR:
            self.schema_errors += 1
        if self.buffer_schema:
            self.held.append(issue)
        else:
            yield issue

    def _located(self, entries: list[Any], root: etree._Element, low: int) -> Iterator[Issue]:
        """The issues of the new schema errors of one block, each at its element.

        Linear in the errors and the elements in the tree: each tag's candidates are listed
        once, and each candidate is validated on its own at most once (its messages are
        counted, so that an element with 800 bad attributes takes all 800 errors)."""
        pools: dict[str, list[Any]] = {}
        self.subjects = {}
        chooser = _Chooser(self._validated, low)
        for entry in entries:
            if entry.domain_name != "SCHEMASV" or entry.level_name not in ("ERROR", "FATAL"):
                continue
            tag, value = schema_subject(entry.message)
            element = None
            if tag is not None:
                pool = pools.get(tag)
                if pool is None:
                    pool = pools[tag] = list(root.iter(tag))
                element = chooser.choose(pool, value, entry.message)
            if element is not None and any(m in entry.message for m in _ONCE_PER_ELEMENT):
                # libxml2's streaming validator raises these once per text chunk of an
                # element, the tree validator once per element
                # (the text after a child of a nested same-named element is its own)
                text = " ".join(entry.message.split())
                if any((text, e) in self.text_errors for e in element.iterancestors(element.tag)):
                    continue
                if (text, element) in self.text_errors:
                    continue
                self.text_errors.add((text, element))
            yield schema_issue(entry.message, file=self.file, line=None, column=None,
                               element=element, paths=self.paths)  # fmt: skip

    def _validated(self, element: etree._Element) -> list[_Validated]:
        """Where validating ``element`` on its own, then its parent, its grandparent (a
        content-model error is raised in the parent's validation) raised each message, for
        the levels that could be validated alone (not the root once pruned, not too large;
        local elements without a global declaration are skipped). Subjects are validated once
        per block (siblings share their parent)."""
        levels: list[_Validated] = []
        subject: etree._Element | None = element
        for _ in range(_CONFIRM_LEVELS):
            if subject is None:
                break
            if subject.getparent() is None and self.pruned:
                break  # the root, once finished elements were dropped: not the document
            if subject not in self.subjects:
                self.subjects[subject] = self._validate_alone(subject)
            result = self.subjects[subject]
            if result is None:
                break
            if result and not any("No matching global declaration" in t for t in result):
                levels.append(result)
            subject = subject.getparent()
        return levels

    def _validate_alone(self, subject: etree._Element) -> _Validated | None:
        """Validate ``subject`` on its own — a child of the root (a local element, such as
        ``DataArea``) inside a copy of the root with its children — and index its messages by
        where they were raised."""
        import copy

        from lxml import etree

        from ..versions import schema_issues

        assert self.schema is not None
        if sum(1 for _ in itertools.islice(subject.iter(), _CONFIRM_LIMIT + 1)) > _CONFIRM_LIMIT:
            return None
        parent = subject.getparent()
        target = validated = subject
        if parent is None:  # the root, all of the document read so far: validated as it is
            pass
        elif parent.getparent() is None:  # under the root: in a copy of the root as it is
            # now (a sibling error needs the siblings), when it is small; copies keep lines
            everything = itertools.islice(parent.iter(), _CONFIRM_LIMIT + 2)
            if sum(1 for _ in everything) <= _CONFIRM_LIMIT + 1:
                validated = copy.deepcopy(parent)
                target = validated[parent.index(subject)]
                etree.ElementTree(validated)
        base = target.getroottree().getpath(target)
        places: _Validated = {}
        for issue in schema_issues(self.schema, validated):
            where = issue.location.path or ""
            below = where[len(base) :] if where.startswith(base) else ""
            places.setdefault(" ".join(issue.message.split()), []).append(
                (issue.location.line, below)
            )
        return places

    def _not_well_formed(
        self, syntax: etree.XMLParser, exc: etree.XMLSyntaxError | None, root: Any
    ) -> Iterator[Issue]:
        """The syntax check failed: its issues, then the rules on what was complete."""
        yield from syntax_issues(syntax.feed_error_log, self.file, exc)
        if root is not None:
            yield from self._finished(self._open_chain(root))


class _Sink:
    """A parser target that keeps nothing: the syntax check builds no tree. It counts each
    start tag's attributes before the validating parser reads any of them, and notes the
    first start tag over the limit (the syntax check goes on: a document that is not
    well-formed is reported as such, as the tree engine does)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.crowded: tuple[str, int] | None = None  # the first (tag, attribute count) over
        self.depth = 0
        self.too_deep = False  # an element deeper than libxml2's limit (the tree refuses it)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.too_deep = True
        if self.crowded is None and len(attrib) > self.limit:
            self.crowded = (tag, len(attrib))

    def end(self, tag: str) -> None:
        self.depth -= 1

    def close(self) -> None:
        return None


#: libxml2's nesting limit without XML_PARSE_HUGE (which isa95kit never sets)
MAX_DEPTH = 256

#: blocks kept to find the line of a crowded start tag (its start may lie blocks back)
_RECENT_BLOCKS = 64


def _utf8(window: bytes) -> bytes:
    """``window`` itself, or for UTF-16 its UTF-8 form (the newlines are the same), so that
    start tags can be searched as bytes."""
    if b"\x00" not in window[:512]:
        return window
    start = 2 if window.startswith((b"\xff\xfe", b"\xfe\xff")) else 0
    codec = "utf-16-le" if window[start + 1 : start + 2] == b"\x00" else "utf-16-be"
    return window[start:].decode(codec, errors="replace").encode("utf-8")


def _child_start_line(window: bytes, lines_before: int, parent: Any) -> int | None:
    """The line of the first start tag after ``parent``'s own (its first child), searched in
    ``window`` (whose first byte follows ``lines_before`` newlines); None when not found."""
    line = parent.sourceline
    if not line or line <= lines_before:
        return None
    window = _utf8(window)
    at = 0
    for _ in range(line - lines_before - 1):  # the start of the parent's line
        at = window.find(b"\n", at) + 1
        if at == 0:
            return None
    name = re.escape(parent.tag.rpartition("}")[2].encode())
    own = re.compile(rb"<(?:[^\s<>:/!?=]+:)?" + name + rb"(?=[\s/>])").search(window, at)
    if own is None:
        return None
    end = window.find(b">", own.end())  # quoted values may hold '>': good enough for a line
    child = re.compile(rb"<[^\s<>/!?=]").search(window, end + 1 if end >= 0 else own.end())
    if child is None:
        return None
    return lines_before + window.count(b"\n", 0, child.start()) + 1


def _start_line(window: bytes, name: str, lines_before: int, limit: int) -> int | None:
    """The line of the first ``<name`` start tag (any prefix) in ``window`` with more than
    ``limit`` attributes, or None when it started before the window."""
    from ._layers import crowded_tag

    pattern = rb"<(?:[^\s<>:/!?=]+:)?" + re.escape(name.encode()) + crowded_tag(limit + 1)
    window = _utf8(window)
    match = re.search(pattern, window)
    if match is None:
        return None
    return lines_before + window.count(b"\n", 0, match.start()) + 1


#: elements larger than this are not re-validated to tell candidates apart
_CONFIRM_LIMIT = 5000
#: the schema errors the streaming validator repeats for every text chunk of one element
_ONCE_PER_ELEMENT = (
    "Character content other than whitespace is not allowed",
    "Neither character nor element content is allowed",
    "Character content is not allowed",
)
#: a schema error only an element with element children can raise
_CHILDREN_REQUIRED = "Element content is not allowed"
#: how many levels above an element its error is looked for (the element, its parent, ...)
_CONFIRM_LEVELS = 8


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Sorted indices as ``[start, stop)`` runs: [1, 2, 3, 7] -> [(1, 4), (7, 8)]."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


#: one subject's validation: message -> where it was raised, in order (the line, and the
#: element's path below the subject)
_Validated = dict[str, list[tuple[int | None, str]]]


class _Chooser:
    """Picks the element a streaming schema error is about, among the elements in the tree.

    The errors of one block were raised while the parser read it; the block starts on line
    ``low`` or later. An error is raised at an element's start tag (unexpected element,
    attributes), so the element starts in the block, or at its end tag (bad value, missing
    child), so it may have started earlier; a value in the message must match the element's
    text. When several candidates remain, the element where a candidate's subject validation
    raised the message — as often as it raised it there — wins; each candidate is validated
    once.
    """

    def __init__(self, validate: Callable[[Any], list[_Validated]], low: int) -> None:
        self.validate = validate
        self.low = low
        self.results: dict[int, list[_Validated]] = {}
        self.lists: dict[tuple[int, str | None, bool], tuple[list[Any], list[Any]]] = {}
        self.members: dict[int, set[int]] = {}  # id(candidate list) -> ids of its elements
        self.scanned: dict[int, int] = {}  # id(candidate list) -> candidates validated so far
        # message -> (validated candidate, the level of its validation that has the message)
        self.known: dict[str, list[tuple[Any, _Validated]]] = {}
        # (message, id of an element) -> how often the message was given to it
        self.given: Counter[tuple[str, int]] = Counter()
        self.used: set[int] = set()

    def choose(self, pool: list[Any], value: str | None, message: str) -> Any:
        parents = _CHILDREN_REQUIRED in message  # raised by an element child: only parents
        key = (id(pool), value, parents)
        lists = self.lists.get(key)
        if lists is None:  # once per tag and value, not once per error
            fresh = pool
            if parents:
                fresh = [e for e in pool if len(e)] or pool
            if value is not None:
                wanted = " ".join(value.split())
                fresh = [e for e in fresh if " ".join((e.text or "").split()) == wanted] or fresh
            lists = self.lists[key] = (fresh, [e for e in fresh if (line_of(e) or 0) >= self.low])
        fresh, inside = lists
        element = None
        if len(inside) > 1 or (not inside and len(fresh) > 1):
            element = self._confirmed(inside or fresh, " ".join(message.split()))
        if element is None:
            element = self._guess(fresh, inside, value, message)
        if element is not None:
            self.used.add(id(element))
        return element

    def _confirmed(self, candidates: list[Any], message: str) -> Any:
        """The element a validated subject raised ``message`` at (its line and path) that has
        not yet been given this message as often as the subject raised it there; subjects of
        unused candidates first (two errors with one message are usually two elements).
        Amortised linear: candidates are validated in order, once, and indexed by their
        messages."""
        ids = self.members.get(id(candidates))
        if ids is None:
            ids = self.members[id(candidates)] = {id(e) for e in candidates}
        exhausted = None  # an element that has had this message as often as it was raised
        while True:
            hits = [(e, r) for e, r in self.known.get(message, ()) if id(e) in ids]
            for want_used in (False, True):
                for element, places in hits:
                    if (id(element) in self.used) is not want_used:
                        continue
                    seen: Counter[int] = Counter()
                    for line, below in places[message]:
                        found = _at(candidates, line, below)
                        target = element if found is None else found
                        seen[id(target)] += 1
                        if self.given[(message, id(target))] < seen[id(target)]:
                            self.given[(message, id(target))] += 1
                            return target
                        exhausted = target
            if not self._validate_next(candidates):
                # a text error the streaming validator repeats (one per text chunk) is the
                # exhausted element's again: the caller drops the repeat
                repeated = any(m in message for m in _ONCE_PER_ELEMENT)
                return exhausted if repeated else None

    def _validate_next(self, candidates: list[Any]) -> bool:
        """Validate the next not yet validated candidate; False when none is left."""
        position = self.scanned.get(id(candidates), 0)
        while position < len(candidates):
            element = candidates[position]
            position += 1
            if id(element) in self.results:
                continue
            levels = self.results[id(element)] = self.validate(element)
            # the widest subject first: it sees the error in the most context (an error the
            # whole document's validation suppresses may show in a child validated alone)
            for level in reversed(levels):
                for text in level:
                    self.known.setdefault(text, []).append((element, level))
            self.scanned[id(candidates)] = position
            return True
        self.scanned[id(candidates)] = position
        return False

    def _guess(self, fresh: list[Any], inside: list[Any], value: str | None, message: str) -> Any:
        unused = [e for e in fresh if id(e) not in self.used] or fresh
        inside = [e for e in inside if id(e) not in self.used] or inside
        if inside:
            return inside[0]
        if value is not None or "Missing child" in message:  # raised at the end tag
            before = [e for e in unused if (line_of(e) or 0) < self.low]
            if before:
                return before[-1]
        return unused[0] if unused else None


def _at(candidates: list[Any], line: int | None, below: str) -> Any:
    """The candidate on ``line`` (the one at path ``below`` its subject when several are)."""
    on_line = [e for e in candidates if line is not None and e.sourceline == line]
    if len(on_line) <= 1 or not below:
        return on_line[0] if on_line else None
    for element in on_line:
        path = element.getroottree().getpath(element)
        if path.endswith(below):
            return element
    return on_line[0]


def _blocks(handle: IO[bytes], size: int) -> Iterator[bytes]:
    """``size`` blocks of the rest of ``handle``, read 64 at a time (fewer system calls)."""
    while True:
        data = handle.read(size * 64)
        if not data:
            return
        for start in range(0, len(data), size):
            yield data[start : start + size]
