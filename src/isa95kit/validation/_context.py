"""What a business rule sees: the document's namespace, reporting, and scoped state.

Both engines run the rules on *complete* subtrees, visiting the anchors in document order:
the tree engine on the whole document, the streaming engine on each finished child of an open
element, which it then drops. So a rule may read the anchor's whole subtree, its siblings'
text (leaf values stay until their parent is complete) and its ancestors; it must not rely on
complex siblings or cousins, which the streaming engine may already have dropped. State that
spans several subtrees (the IDs of a parent's children, the targets of a definition) lives in
:meth:`RuleContext.state` of an ancestor and is dropped with it; work that needs a whole
subtree visited first (resolving references) is queued with :meth:`RuleContext.at_end`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._model import CODES, Issue
from ._paths import PathBuilder, line_of, local_name
from ._profile import ValidationProfile

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["XSI_NIL", "RuleContext", "Where"]

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@dataclass(frozen=True)
class Where:
    """A position captured before the element may be dropped."""

    line: int | None
    path: str | None


class RuleContext:
    """Shared by the rules of one document run."""

    def __init__(
        self,
        *,
        namespace: str | None,
        file: str | None,
        profile: ValidationProfile,
        paths: PathBuilder,
    ) -> None:
        self.namespace = namespace
        self.file = file
        self.profile = profile
        self.paths = paths
        self.pending: list[Issue] = []
        #: helpers that several rules bind once per document and share (see ``_rules``)
        self.shared: dict[str, Any] = {}
        self._prefix = "{" + namespace + "}" if namespace else ""
        #: element -> its scoped state (see :meth:`state`); trimmed in place by
        #: :meth:`keep_state`, so a hot check may bind it once
        self.states: dict[etree._Element, dict[Any, Any]] = {}
        self._at_end: list[Callable[[], None]] = []
        #: called with each subtree's top before its anchors are visited (see :meth:`on_subtree`)
        self.before: list[Callable[[etree._Element], None]] = []

    # -- names and values ------------------------------------------------------------------
    def q(self, local: str) -> str:
        """The tag of ``local`` in the document's B2MML namespace."""
        return self._prefix + local

    local = staticmethod(local_name)

    @staticmethod
    def text(element: etree._Element | None) -> str | None:
        """Stripped text, or None for a missing element or ``xsi:nil``."""
        if element is None:
            return None
        value = element.text
        if value:  # a nil element has no content (the schema layer reports one that has)
            return value.strip()
        return None if element.get(XSI_NIL) in ("true", "1") else ""

    # -- reporting -------------------------------------------------------------------------
    def where(self, element: etree._Element) -> Where:
        return Where(line_of(element), self.paths.path(element))

    def report(
        self, code: str, element: etree._Element, message: str, *, hint: str | None = None
    ) -> None:
        self.report_at(code, self.where(element), message, hint=hint)

    def report_at(self, code: str, where: Where, message: str, *, hint: str | None = None) -> None:
        severity = self.profile.severity(code)
        if severity is None:
            return
        self.pending.append(
            Issue(
                code=code,
                severity=severity,
                message=message,
                file=self.file,
                line=where.line,
                path=where.path,
                hint=hint or CODES[code].hint,
            )
        )

    # -- scoped state ----------------------------------------------------------------------
    def state(self, element: etree._Element) -> dict[Any, Any]:
        """A dict tied to ``element`` (an ancestor of the anchor); dropped with the element."""
        found = self.states.get(element)
        if found is None:
            found = self.states[element] = {}
        return found

    def at_end(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the subtree being checked has been visited.

        Callbacks run last-queued first: queued in document order, an inner element's runs
        before its ancestor's (the order a post-order walk would give).
        """
        self._at_end.append(callback)

    def on_subtree(self, callback: Callable[[etree._Element], None]) -> None:
        """Call ``callback(top)`` before the anchors of each subtree are visited: a rule may
        look at the subtree as a whole there (``top.iter(tag)`` finds nothing at once when
        the document has no element of that name) and reset what it carries between anchors."""
        self.before.append(callback)

    def finish(self) -> None:
        """Called by the engines after each subtree: run the queued callbacks."""
        while self._at_end:
            self._at_end.pop()()

    def keep_state(self, keep: Collection[int]) -> None:
        """Drop the state of every element whose ``id()`` is not in ``keep`` (the streaming
        engine's open elements, before it drops a finished subtree)."""
        states = self.states
        if len(states) > len(keep):
            for element in [e for e in states if id(e) not in keep]:
                del states[element]
