"""Hand-written migration rules: where the meaning (not only the structure) changed.

Reviewed like code. ``tools/gen_migrations.py`` reads these together with the releases' IRs
and derives the per-context rule tables it writes to ``_migrate_v*.py`` and
``_migrate_common_*.py`` (layout: ``_migrate_load.py``): a child element keeps its name when
V0701 has it in the same place, else it takes the name given here (or the derived
``<Name>Child`` for the recursive children V0701 renamed), else it is *carried* — kept verbatim,
in its own release's namespace, in the side record, reported with its XPath, and written back
when migrating down to that release.
"""

from __future__ import annotations

__all__ = ["GLOBAL_RENAMES", "TAG_RENAMES", "VALUE_RENAMES"]

#: substrings of global element names (verb + noun transactions, BatchML records) renamed when
#: ISA-95 part 2 moved from production to operations (applied only to names V0701 lacks)
GLOBAL_RENAMES: tuple[tuple[str, str], ...] = (
    ("ProductionSchedule", "OperationsSchedule"),
    ("ProductionPerformance", "OperationsPerformance"),
    ("ProductionCapability", "OperationsCapability"),
    ("ProductDefinition", "OperationsDefinition"),
)

#: child element renames, applied where V0701 lacks the old name in that place:
#: ``(old parent class or "*", old child element) -> V0701 child element``
TAG_RENAMES: dict[tuple[str, str], str] = {
    ("*", "ProductionSchedule"): "OperationsSchedule",
    ("*", "ProductionPerformance"): "OperationsPerformance",
    ("*", "ProductionCapability"): "OperationsCapability",
    ("*", "ProductDefinition"): "OperationsDefinition",
    ("*", "ProductionRequest"): "OperationsRequest",
    ("*", "ProductionResponse"): "OperationsResponse",
    ("*", "ProductionScheduleID"): "OperationsScheduleID",
    ("*", "ProductionRequestID"): "OperationsRequestID",
    ("*", "ProductSegment"): "OperationsSegment",
    ("*", "ProductionParameter"): "SegmentParameter",
    ("*", "ProductionData"): "SegmentData",
    # V0701 kept EquipmentElementLevel beside EquipmentLevel: used going down (alias)
    ("*", "EquipmentElementLevel"): "EquipmentLevel",
    ("*", "SegmentResponse"): "RequestedSegmentResponse",
}

#: code-list values whose spelling changed: ``(V0701 code list, old value) -> V0701 value``.
#: Other values V0701's list lacks become ``Other`` with ``OtherValue="<old value>"`` where the
#: V0701 type has that attribute (derived), else the element is carried.
VALUE_RENAMES: dict[tuple[str, str], str] = {
    ("MaterialUseCode", "Resurned Sample"): "Returned Sample",  # V0600/V0601 typo
}
