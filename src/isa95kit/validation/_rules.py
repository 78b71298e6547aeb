"""Business rules: one small function per code, matched by local name in every release.

The element names used here are the same in B2MML V0401 to V0701 and BatchML (a V0401
ProductionSchedule and a V0701 WorkSchedule share StartTime/EndTime/Quantity/ID), so the
rules need no per-version tables. Each rule is a factory: given the document's
:class:`RuleContext` it resolves its tags once and returns the check that runs on every anchor
(``check(element, tag)``), following the contract in ``_context``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ..errors import UnknownUnitError
from ._context import XSI_NIL, RuleContext
from ._model import Check, Severity, rule
from ._paths import line_of
from ._values import (
    NUMERIC_DATATYPES,
    OTHER_CHECKED_DATATYPES,
    compare_datetimes,
    has_timezone,
    lexical_problem,
    number_problem,
)

if TYPE_CHECKING:
    from lxml import etree

__all__ = ["DATETIME_ELEMENTS", "END_TO_START", "LINKS"]

#: local names of the elements typed ``DateTimeType`` (or a type derived from it, or
#: ``xsd:dateTime``) in the V0401-V0701 schemas; a test re-derives the list from the XSDs
DATETIME_ELEMENTS: tuple[str, ...] = (
    "ActualEndTime", "ActualFinishTime", "ActualStartTime", "ApprovalDate", "ChangeDateTime",
    "CreateDate", "CreationDate", "CreationDateTime", "EarliestStartTime", "EffectiveDate",
    "EffectiveDateTime", "EffectiveEndDate", "EffectiveStartDate", "EffectiveTimeStamp",
    "EffectiveTimestamp", "EndTime", "Endtime", "EvaluationDate", "Expiration",
    "ExpirationDate", "ExpirationTime", "ExpirationTimeStamp", "FinalApprovalDate",
    "FinishDateTime", "LastChangedDate", "LatestEndTime", "MeasurementDate", "ModifiedDate",
    "OffsetTime", "PlannedFinishTime", "PlannedStartTime", "PostingDate", "PublishedDate",
    "PublishedEndDate", "RecordTimeStamp", "RecordTimestamp", "RequestedCompletionDate",
    "RequestedEndTime", "RequestedStartTime", "SampleExpiration", "ScheduleEndTime",
    "ScheduleStartTime", "StartCondition", "StartDateTime", "StartTime", "StatusTime",
    "SubmissionDate", "TestDateTime", "TimeStamp", "TimeValue", "VersionDate",
)  # fmt: skip

#: end element -> the start element it must not precede (a sibling, always written first)
END_TO_START: dict[str, str] = {
    "EndTime": "StartTime",
    "Endtime": "StartTime",
    "ActualEndTime": "ActualStartTime",
    "ActualFinishTime": "ActualStartTime",
    "LatestEndTime": "EarliestStartTime",
    "EffectiveEndDate": "EffectiveStartDate",
    "RequestedEndTime": "RequestedStartTime",
    "ScheduleEndTime": "ScheduleStartTime",
    "PlannedFinishTime": "PlannedStartTime",
}


# --------------------------------------------------------------------------- end before start
@rule(
    "end-before-start",
    severity=Severity.ERROR,
    anchors=tuple(END_TO_START),
    title=(
        "An end time (EndTime, LatestEndTime, ActualEndTime, EffectiveEndDate, ...) lies before "
        "the matching start time of the same element. Equal times are allowed; a pair where "
        "only one side has a timezone is not compared."
    ),
    hint="correct the end or the start time; the end may equal the start but not precede it",
)
def end_before_start(ctx: RuleContext) -> Check:
    pairs = {ctx.q(end): (end, start, ctx.q(start)) for end, start in END_TO_START.items()}
    text = ctx.text

    def check(element: etree._Element, tag: str) -> None:
        end_text = text(element)
        if not end_text:
            return
        end_name, start_name, start_tag = pairs[tag]
        start = element.getprevious()  # usually right before the end; always before it
        if start is not None and start.tag != start_tag:
            start = next(element.itersiblings(start_tag, preceding=True), None)
        start_text = text(start)
        if start_text and compare_datetimes(end_text, start_text) == -1:
            ctx.report(
                "end-before-start",
                element,
                f"{end_name} {end_text} is before {start_name} {start_text} "
                f"(line {line_of(start)})",
            )

    return check


# --------------------------------------------------------------------------- values and types
_VALUE_NAMES = ("QuantityString", "ValueString")
#: entries a rule's memo table holds before it starts over (memory stays bounded)
_MEMO_SIZE = 4096


#: a DataType rule's test: (DataType, stripped value text) -> the problem, or None
Problem = Callable[[str, str], "str | None"]
#: a DataType rule's report: (value element, stripped text, DataType, problem)
Reporter = Callable[["etree._Element", str, str, str], None]


class _Kind:
    """What the shared walk does for one DataType name: the rule's test, its report, and the
    test's answers for the value texts seen (raw text -> problem; bounded)."""

    __slots__ = ("answers", "name", "problem", "report")

    def __init__(self, name: str, problem: Problem, report: Reporter) -> None:
        self.name = name
        self.problem = problem
        self.report = report
        self.answers: dict[str, str | None] = {}


class _TypedValues:
    """The DataType rules' shared walk: at each DataType element naming a type some rule
    checks, find the QuantityString/ValueString before it, test its text for that type and
    hand a problem to the rule's report. One walk, one dispatch and one memo of answers per
    DataType name serve every DataType rule (values repeat: units of work, quantities like
    ``1``; the tests are pure functions of the DataType and the stripped text)."""

    def __init__(self, ctx: RuleContext) -> None:
        #: DataType name (stripped) -> what to do
        self.kinds: dict[str, _Kind] = {}
        self.wanted = {ctx.q(name) for name in _VALUE_NAMES}
        self.check = self._bind()

    def register(self, datatypes: Iterable[str], problem: Problem, report: Reporter) -> None:
        for name in datatypes:
            self.kinds[name] = _Kind(name, problem, report)

    def _bind(self) -> Check:
        """The check, with everything it needs in local variables (it runs at every
        DataType; the kinds are registered after it is made, so they are looked up).

        (Making the value elements anchors too, to take the value from the anchor before the
        DataType instead of walking back, measured slower: more anchors to visit.)"""
        kinds = self.kinds
        # raw DataType text -> its kind (``unchecked``: no rule checks it); bounded
        raw_kinds: dict[str, _Kind] = {}
        raw_get = raw_kinds.get
        unchecked = _Kind("", _no_problem, _no_report)
        wanted = self.wanted
        missing = "\x00"  # never a problem text

        def check(element: etree._Element, tag: str) -> None:
            raw = element.text
            if raw is None:
                return
            kind = raw_get(raw)
            if kind is None:
                kind = kinds.get(raw) or kinds.get(raw.strip()) or unchecked
                if len(raw_kinds) < _MEMO_SIZE:
                    raw_kinds[raw] = kind
            if kind is unchecked:
                return
            sibling = element.getprevious()
            while sibling is not None and sibling.tag not in wanted:
                sibling = sibling.getprevious()
            if sibling is None:
                return
            value = sibling.text
            if not value:  # RuleContext.text, inline: stripped, None if nil
                if sibling.get(XSI_NIL) in ("true", "1"):
                    return
                value = ""
            answers = kind.answers
            problem = answers.get(value, missing)
            if problem is missing:
                problem = kind.problem(kind.name, value.strip())
                if len(answers) < _MEMO_SIZE:  # kept when full, not cleared
                    answers[value] = problem
            if problem is not None:
                kind.report(sibling, value.strip(), kind.name, problem)

        return check


def _no_problem(data_type: str, text: str) -> str | None:
    return None


def _no_report(value: etree._Element, text: str, data_type: str, problem: str) -> None:
    return None


def _typed(
    ctx: RuleContext, datatypes: Iterable[str], problem: Problem, report: Reporter
) -> Check | None:
    """Register a DataType rule's test and report for ``datatypes``; the first DataType rule
    bound to a document returns the shared check, the others None (nothing more to
    dispatch)."""
    first = "typed-values" not in ctx.shared
    if first:
        ctx.shared["typed-values"] = _TypedValues(ctx)
    driver = cast(_TypedValues, ctx.shared["typed-values"])
    driver.register(datatypes, problem, report)
    return driver.check if first else None


@rule(
    "quantity-not-numeric",
    severity=Severity.WARNING,
    anchors=("DataType",),
    title=(
        "A QuantityString or ValueString is not a number of its declared numeric DataType "
        "(decimal, double, integer, int, positiveInteger, ..., Amount, Measure, Numeric, "
        "Quantity): letters, units, ranges such as '>=27.0', or an integer out of range."
    ),
    hint=(
        "write a plain number of that type (no unit, operator or range), or declare a "
        "non-numeric DataType such as string"
    ),
)
def quantity_not_numeric(ctx: RuleContext) -> Check | None:
    def report(value: etree._Element, text: str, data_type: str, problem: str) -> None:
        ctx.report(
            "quantity-not-numeric",
            value,
            f"{ctx.local(value)} {text!r} is {problem}, but its DataType is {data_type}",
        )

    return _typed(ctx, NUMERIC_DATATYPES, number_problem, report)


@rule(
    "value-not-of-datatype",
    severity=Severity.WARNING,
    anchors=("DataType",),
    title=(
        "A QuantityString or ValueString does not have the lexical form of its declared "
        "boolean, Indicator, dateTime, date, time or duration DataType."
    ),
    hint="write the value in the XML Schema form of its DataType, or correct the DataType",
)
def value_not_of_datatype(ctx: RuleContext) -> Check | None:
    def report(value: etree._Element, text: str, data_type: str, problem: str) -> None:
        ctx.report(
            "value-not-of-datatype",
            value,
            f"{ctx.local(value)} {text!r} is {problem} as its DataType {data_type} requires",
        )

    return _typed(ctx, OTHER_CHECKED_DATATYPES, lexical_problem, report)


# --------------------------------------------------------------------------- units
_KNOWN: tuple[str, ...] = ()


@rule(
    "unknown-unit",
    severity=Severity.WARNING,
    anchors=("UnitOfMeasure",),
    title=(
        "A UnitOfMeasure is neither a UN/ECE Recommendation 20 common code nor an alias that "
        "isa95kit.units knows (real files use QUDT URIs, local names such as 'Kilogramm', or "
        "symbols). Empty units are not reported."
    ),
    hint="use the UN/ECE Rec 20 common code (for example KGM, LTR, EA)",
)
def unknown_unit(ctx: RuleContext) -> Check:
    from ..units import DeprecatedUnitWarning, normalize_unit  # lazy: loads the catalogue

    memo: dict[Any, tuple[str, ...]] = {}  # raw text, or (text, listID, listAgencyID)
    # (a unit's answer depends on its text, listID and listAgencyID only)

    def suggestions(code: str, list_id: str | None, agency: str | None) -> tuple[str, ...]:
        """() for a known unit, else the catalogue's suggestions (maybe none) plus a marker."""
        if not code:
            return _KNOWN  # empty: no unit given
        try:
            with warnings.catch_warnings():  # deprecated codes are known codes here
                warnings.simplefilter("ignore", DeprecatedUnitWarning)
                normalize_unit(code, list_id=list_id, list_agency_id=agency)
        except UnknownUnitError as exc:
            return ("", *exc.suggestions)
        return _KNOWN

    def check(element: etree._Element, tag: str) -> None:
        raw = element.text
        if not raw:
            return
        if element.attrib:  # most units have no attribute: spares the two look-ups
            list_id, agency = element.get("listID"), element.get("listAgencyID")
            key: Any = raw if list_id is None and agency is None else (raw, list_id, agency)
        else:
            list_id = agency = None
            key = raw
        found = memo.get(key)
        if found is None:
            found = suggestions(raw.strip(), list_id, agency)
            if len(memo) < _MEMO_SIZE:  # kept when full, not cleared (see _Kind)
                memo[key] = found
        if found:
            code = raw.strip()
            hint = None
            if len(found) > 1:
                hint = f"use a UN/ECE Rec 20 common code; did you mean {', '.join(found[1:6])}?"
            ctx.report("unknown-unit", element, f"unit {code!r} is not a known unit code",
                       hint=hint)  # fmt: skip

    return check


# --------------------------------------------------------------------------- empty values
@rule(
    "empty-required-value",
    severity=Severity.ERROR,
    anchors=("ID", "QuantityString"),
    title=(
        "An element the schema requires holds only whitespace: an object's ID (the object "
        "cannot be identified) or a Quantity's QuantityString. The schema's string types "
        'accept this; xsi:nil="true" marks a deliberately unknown quantity and is accepted.'
    ),
    hint='fill in the value, or mark an unknown quantity with xsi:nil="true"',
)
def empty_required_value(ctx: RuleContext) -> Check:
    def check(element: etree._Element, tag: str) -> None:
        text = element.text
        if (text and not text.isspace()) or ctx.text(element) is None or len(element):
            return
        parent = element.getparent()
        owner = f" of {ctx.local(parent)}" if parent is not None else ""
        ctx.report("empty-required-value", element, f"{ctx.local(element)}{owner} is empty")

    return check


# --------------------------------------------------------------------------- duplicate IDs
#: up to how many Version elements duplicate-id lists their parents before a subtree
_FEW_VERSIONS = 1024


@rule(
    "duplicate-id",
    severity=Severity.ERROR,
    anchors=("ID",),
    title=(
        "Two sibling objects of the same kind (two JobOrders of one WorkRequest, two "
        "MaterialLots of one MaterialInformation, two Steps of one ProcedureLogic, ...) have "
        "the same ID (and the same Version, where the object has one)."
    ),
    hint="give every object of a kind its own ID within its parent",
)
def duplicate_id(ctx: RuleContext) -> Check:
    description, version_tag = ctx.q("Description"), ctx.q("Version")
    text = ctx.text
    # the IDs seen in a container live in its scoped state (dropped with it), under
    # "\0owner tag\0ID\0version" keys; bound once, it is the hot path
    states = ctx.states
    states_get = states.get
    id_tag = ctx.q("ID")
    # whether a Version element may follow an ID in the subtree being checked: when the
    # subtree has none (lxml answers at once when the document has no element of the name),
    # every version is "" and the sibling walk is skipped
    # ... and when it has a few (up to _FEW_VERSIONS), the elements with a Version child:
    # the only owners whose ID the walk may lead to one (one C-level pass over the subtree
    # spares a sibling proxy per ID; a set of proxies: lxml gives the same while one lives)
    versions = [True]
    owners: set[etree._Element] = set()

    def prepare(top: etree._Element) -> None:
        owners.clear()
        versions[0] = top.tag == id_tag or next(top.iter(version_tag), None) is not None
        if not versions[0] or top.tag == id_tag:
            return
        for count, version in enumerate(top.iter(version_tag)):
            if count == _FEW_VERSIONS:  # many: the walk per ID is cheaper than the pass
                owners.clear()
                return
            owners.add(version.getparent())  # type: ignore[arg-type]
        ctx.at_end(owners.clear)  # no proxy outlives the subtree (streaming drops it)

    ctx.on_subtree(prepare)

    def version_of(sibling: etree._Element | None) -> str:
        # Version follows the ID and any Descriptions in every B2MML type that has both
        # (batch and work record headers, where Version is a format version, aside)
        while sibling is not None:
            tag = sibling.tag
            if tag == version_tag:
                return text(sibling) or ""
            if tag != description:
                return ""
            sibling = sibling.getnext()
        return ""

    def check(element: etree._Element, tag: str) -> None:
        identifier = element.text
        if not identifier:
            return
        owner = element.getparent()
        if owner is None:
            return
        container = owner.getparent()
        if container is None:
            return
        identifier = identifier.strip()
        if not identifier:
            return
        seen = states_get(container)
        if seen is None:
            seen = states[container] = {}
        if versions[0] and (not owners or owner in owners):
            version = version_of(element.getnext())
        else:
            version = ""
        # one string (NUL occurs in no XML name or text, nor in the other rules' keys): not a
        # tuple, which the garbage collector would track, 30,000 of them on 10 MB
        key = f"\x00{owner.tag}\x00{identifier}\x00{version}"
        first = seen.get(key)
        if first is None:
            seen[key] = owner.sourceline
            return
        versioned = f" version {version!r}" if version else ""
        ctx.report(
            "duplicate-id",
            element,
            f"{ctx.local(owner)} ID {identifier!r}{versioned} is already used by the "
            f"{ctx.local(owner)} at line {first} in the same {ctx.local(container)}",
        )

    return check


# --------------------------------------------------------------------------- references
@dataclass(frozen=True)
class Link:
    """References that must resolve to objects inside the same enclosing scope.

    A reference resolves against the targets in its nearest enclosing scope. When ``nested``,
    scopes nest meaningfully (an OperationsDefinition inside an OperationsDefinitionInformation,
    whose bills of material refer to the definitions' material specifications): targets count
    in every enclosing scope, and a reference unresolved in the nearest one is looked up in the
    next one out.
    """

    what: str
    scopes: tuple[str, ...]
    targets: tuple[str, ...]
    #: (parent, reference element); the reference's text is an ID of a target
    references: tuple[tuple[str, str], ...]
    nested: bool = False


#: in-document references; master-data IDs (WorkMasterID, MaterialDefinitionID,
#: ProcessSegmentID, EquipmentID, ...) point outside the document and are not checked
LINKS: tuple[Link, ...] = (
    Link(
        "procedure logic link",
        scopes=("ProcedureLogic",),
        targets=("Step", "Transition", "Link"),
        references=(("Link", "FromID"), ("Link", "ToID")),
    ),
    Link(
        "general recipe directed link",
        scopes=("ProcessElement",),
        targets=("ProcedureChartElement", "ProcessElement"),
        references=(("DirectedLink", "FromID"), ("DirectedLink", "ToID")),
    ),
    Link(
        "workflow connection",
        scopes=("WorkflowSpecification",),
        targets=("Node", "WorkflowSpecificationNode"),
        references=(
            ("Connection", "FromNodeID"),
            ("Connection", "ToNodeID"),
            ("WorkflowSpecificationConnection", "FromWSNodeID"),
            ("WorkflowSpecificationConnection", "ToWSNodeID"),
        ),
    ),
    Link(
        "operations segment dependency",
        scopes=("OperationsDefinition", "OperationsDefinitionInformation"),
        targets=("OperationsSegment", "OperationsSegmentChild"),
        references=(
            ("SegmentDependency", "SegmentID"),
            ("OperationsSegment", "DependentOperationsSegmentID"),
            ("OperationsSegmentChild", "DependentOperationsSegmentID"),
        ),
        nested=True,
    ),
    Link(
        "product segment dependency",
        scopes=("ProductDefinition", "ProductInformation"),
        targets=("ProductSegment",),
        references=(("SegmentDependency", "ProductSegmentID"), ("SegmentDependency", "SegmentID")),
        nested=True,
    ),
    Link(
        # bills sit in the OperationsDefinition up to V0601, beside it from V0700 on
        "bill item material specification",
        scopes=("OperationsDefinition", "OperationsDefinitionInformation"),
        targets=("MaterialSpecification",),
        references=(
            ("OperationsMaterialBillItem", "MaterialSpecificationID"),
            ("AssemblyBillOfMaterialItem", "MaterialSpecificationID"),
        ),
        nested=True,
    ),
)

# BatchML ProcedureLogic writes FromID/ToID as a structure: the value plus its scope
_STRUCTURED_VALUE = {"FromID": "FromIDValue", "ToID": "ToIDValue"}
_LINK_ANCHORS = tuple(
    dict.fromkeys(
        name
        for link in LINKS
        for name in (*link.scopes, *link.targets, *(child for _, child in link.references))
    )
)


@rule(
    "dangling-reference",
    severity=Severity.ERROR,
    anchors=_LINK_ANCHORS,
    title=(
        "A reference that must resolve inside the same document does not: procedure-logic "
        "links (Link FromID/ToID with IDScope Internal) to Steps/Transitions/Links, general "
        "recipe DirectedLinks to ProcedureChartElements, workflow connections to nodes, "
        "segment dependencies to the operations/product segments of the same definition, "
        "bill items to the MaterialSpecifications of the same OperationsDefinition."
    ),
    hint="add the referenced object to the document, or correct the ID",
)
def dangling_reference(ctx: RuleContext) -> Check:
    q, text, state = ctx.q, ctx.text, ctx.state
    id_tag, scope_tag = q("ID"), q("IDScope")
    scope_tags = {link.what: tuple(q(name) for name in link.scopes) for link in LINKS}
    as_scope: dict[str, list[Link]] = {}
    as_target: dict[str, list[Link]] = {}
    as_reference: dict[tuple[str, str], list[Link]] = {}
    for link in LINKS:
        for name in link.scopes:
            as_scope.setdefault(q(name), []).append(link)
        for name in link.targets:
            as_target.setdefault(q(name), []).append(link)
        for parent, child in link.references:
            as_reference.setdefault((q(parent), q(child)), []).append(link)
    structured = {q(name): q(value) for name, value in _STRUCTURED_VALUE.items()}

    def scope_of(element: etree._Element, link: Link) -> etree._Element | None:
        return next(element.iterancestors(*scope_tags[link.what]), None)

    def reference_value(element: etree._Element, tag: str) -> str | None:
        value_tag = structured.get(tag)
        if value_tag is not None and len(element):
            if text(next(element.iterchildren(scope_tag), None)) != "Internal":
                return None  # an external reference: another recipe or equipment
            return text(next(element.iterchildren(value_tag), None))
        return text(element)

    def resolve(scope: etree._Element, link: Link) -> None:
        found = state(scope)
        references = found.pop(f"references:{link.what}", ())
        targets = found.pop(f"targets:{link.what}", set())
        outer = scope_of(scope, link) if link.nested else None
        for value, where in references:
            if value in targets:
                continue
            if outer is not None:  # try the next scope out
                state(outer).setdefault(f"references:{link.what}", []).append((value, where))
            else:
                ctx.report_at(
                    "dangling-reference",
                    where,
                    f"{link.what} to {value!r} does not resolve: no "
                    f"{'/'.join(link.targets)} with this ID in the enclosing "
                    f"{ctx.local(scope)} (line {line_of(scope)})",
                )

    def check(element: etree._Element, tag: str) -> None:
        for link in as_target.get(tag, ()):
            identifier = text(next(element.iterchildren(id_tag), None))
            if identifier is None:
                continue
            if link.nested:
                scopes = list(element.iterancestors(*scope_tags[link.what]))
            else:
                scopes = [s for s in (scope_of(element, link),) if s is not None]
            for scope in scopes:
                targets: set[str] = state(scope).setdefault(f"targets:{link.what}", set())
                targets.add(identifier)
        parent = element.getparent()
        if parent is not None:
            for link in as_reference.get((parent.tag, tag), ()):
                value = reference_value(element, tag)
                nearest = scope_of(element, link)
                if value is not None and nearest is not None:
                    refs: list[Any] = state(nearest).setdefault(f"references:{link.what}", [])
                    refs.append((value, ctx.where(element)))
        for link in as_scope.get(tag, ()):
            ctx.at_end(functools.partial(resolve, element, link))

    return check


# --------------------------------------------------------------------------- timezones
@rule(
    "datetime-without-timezone",
    severity=Severity.WARNING,
    anchors=DATETIME_ELEMENTS,
    title=(
        "A date-time element (StartTime, CreationDateTime, PublishedDate, ...) has no timezone, "
        "so partners in different zones read different instants. Switch it off in a profile "
        "if the agreement fixes one local time."
    ),
    hint="append Z for UTC or an offset such as +01:00",
)
def datetime_without_timezone(ctx: RuleContext) -> Check:
    def check(element: etree._Element, tag: str) -> None:
        text = element.text
        if not text or text[-1] == "Z" or (text[-6:-5] in ("+", "-") and text[-3:-2] == ":"):
            return  # empty, or ends in a timezone (anything else there is the schema's business)
        text = text.strip()
        if text and has_timezone(text) is False:
            ctx.report(
                "datetime-without-timezone",
                element,
                f"{ctx.local(element)} {text} has no timezone",
            )

    return check
