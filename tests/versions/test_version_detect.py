"""Version detection: namespaces, the shared V07 namespace, wrappers, structure mismatches."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from isa95kit.errors import MalformedDocumentError, MappingError
from isa95kit.versions import (
    B2MMLVersion,
    UnsupportedVersionError,
    detect_version,
    element_vocabulary,
    find_b2mml_elements,
    global_elements,
    is_b2mml_namespace,
    structure_mismatch,
    validate_schema,
    versions_for_namespace,
)

V = B2MMLVersion
NS07 = "http://www.mesa.org/xml/B2MML"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
MTC = "urn:mtconnect.org:MTConnectAssets:1.3"


def doc(ns: str, root: str, *children: str) -> bytes:
    inner = "".join(f"<{c}>x</{c}>" for c in children)
    return f'<{root} xmlns="{ns}">{inner}</{root}>'.encode()


def exclusive(version: B2MMLVersion, *others: B2MMLVersion) -> list[str]:
    """Element names of ``version`` that none of ``others`` declares."""
    rest = frozenset().union(*(element_vocabulary(o) for o in others))
    return sorted(element_vocabulary(version) - rest)


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        ("http://www.wbf.org/xml/B2MML-V0401", V.V0401),
        ("http://www.wbf.org/xml/B2MML-V05", V.V0500),
        ("http://www.mesa.org/xml/B2MML-V0600", V.V0600),
        ("http://www.mesa.org/xml/B2MML-V0601", V.V0601),
    ],
)
def test_versioned_namespaces(namespace: str, expected: B2MMLVersion) -> None:
    assert expected.namespace == namespace
    info = detect_version(doc(namespace, "SyncMaterialDefinition"))
    assert info.version is expected
    assert info.decided_by == "namespace"
    assert info.ambiguity is None and info.mismatch is None
    assert info.root_name == "SyncMaterialDefinition"
    assert info.namespace == namespace and info.path == "/*" and not info.embedded


def test_every_version_has_namespace_and_extension_namespace() -> None:
    for version in V:
        assert version in versions_for_namespace(version.namespace)
        assert version.extension_namespace == version.namespace + "-AllExtensions"
        assert str(version) == version.value
    assert versions_for_namespace(NS07) == (V.V0700, V.V0701)


def test_shared_v07_namespace_defaults_to_v0701_and_says_so() -> None:
    info = detect_version(doc(NS07, "ProcessMaterialDefinition"))
    assert info.version is V.V0701 and info.decided_by == "preference"
    assert info.ambiguity is not None and "V0700 and V0701" in info.ambiguity
    assert info.candidates == (V.V0700, V.V0701)
    chosen = detect_version(doc(NS07, "ProcessMaterialDefinition"), prefer="V0700")
    assert chosen.version is V.V0700 and chosen.decided_by == "preference"
    # a preference that is no candidate falls back to the newest release of the namespace
    assert detect_version(doc(NS07, "ProcessMaterialDefinition"), prefer="V0600").version is V.V0701


@pytest.mark.parametrize("prefer", ["V0700", "V0701"])
def test_v07_element_names_decide_over_preference(prefer: str) -> None:
    only_0700 = exclusive(V.V0700, V.V0701)
    only_0701 = exclusive(V.V0701, V.V0700)
    assert "WorkflowSpecifictionNodeProperty" in only_0700  # MESA's typo, fixed in V0701
    assert "WorkflowSpecificationNodeProperty" in only_0701
    old = detect_version(doc(NS07, "WorkflowSpecification", only_0700[0]), prefer=prefer)
    new = detect_version(doc(NS07, "WorkflowSpecification", only_0701[0]), prefer=prefer)
    assert (old.version, old.decided_by) == (V.V0700, "structure")
    assert (new.version, new.decided_by) == (V.V0701, "structure")
    assert old.ambiguity is not None and only_0700[0] in old.ambiguity


def test_v07_types_decide_when_names_do_not() -> None:
    """OpPhysicalAssetRequirement/EquipmentLevel: HierarchyScopeType in V0700, an enum in V0701."""
    schema_0700 = validate_schema(_equipment_level_doc(nested=True))
    schema_0701 = validate_schema(_equipment_level_doc(nested=False))
    assert schema_0701[0].valid and schema_0701[0].version is V.V0701
    assert schema_0701[0].info.decided_by == "preference"
    result = schema_0700[0]
    assert result.valid, [str(i) for i in result.issues]
    assert result.version is V.V0700 and result.info.decided_by == "structure"
    assert result.info.ambiguity is not None and "rejects" in result.info.ambiguity


def _equipment_level_doc(*, nested: bool) -> bytes:
    level = (
        "<EquipmentLevel><EquipmentID>E1</EquipmentID>"
        "<EquipmentElementLevel>Site</EquipmentElementLevel></EquipmentLevel>"
        if nested
        else "<EquipmentLevel>Site</EquipmentLevel>"
    )
    return (
        f'<JobOrder xmlns="{NS07}"><ID>J1</ID>'
        f"<PhysicalAssetRequirement><ID>P1</ID>{level}</PhysicalAssetRequirement></JobOrder>"
    ).encode()


def test_sources_of_every_kind(tmp_path: Path) -> None:
    data = doc(V.V0600.namespace, "ProcessProductionSchedule")
    path = tmp_path / "partner.xml"
    path.write_bytes(data)
    tree = etree.parse(str(path))
    for source in (data, data.decode(), path, str(path), io.BytesIO(data), tree, tree.getroot()):
        assert detect_version(source).version is V.V0600  # type: ignore[arg-type]


def test_soap_envelope_and_mtconnect_wrappers() -> None:
    soap = f"""<s:Envelope xmlns:s="{SOAP}" xmlns:b="{V.V0600.namespace}">
  <s:Header/>
  <s:Body>
    <b:ProcessProductionSchedule releaseID="1"><b:ApplicationArea/></b:ProcessProductionSchedule>
  </s:Body>
</s:Envelope>""".encode()
    (found,) = find_b2mml_elements(etree.fromstring(soap))
    assert found.tag == f"{{{V.V0600.namespace}}}ProcessProductionSchedule"
    info = detect_version(soap)
    assert info.version is V.V0600 and info.embedded
    assert info.path == "/s:Envelope/s:Body/b:ProcessProductionSchedule" and info.line == 4

    assets = f"""<MTConnectAssets xmlns="{MTC}"><Header/><Assets>
  <Asset assetId="a"><SyncMaterialDefinition xmlns="{V.V0401.namespace}"/></Asset>
  <Asset assetId="b"><ProcessMaterialLot xmlns="{NS07}"><ID xmlns="{MTC}"/></ProcessMaterialLot>
  </Asset></Assets></MTConnectAssets>"""
    found = find_b2mml_elements(etree.fromstring(assets.encode()).getroottree())
    assert [etree.QName(e).localname for e in found] == [
        "SyncMaterialDefinition",
        "ProcessMaterialLot",
    ]
    assert [detect_version(e).version for e in found] == [V.V0401, V.V0701]
    assert detect_version(assets).version is V.V0401


def test_b2mml_root_is_returned_itself() -> None:
    root = etree.fromstring(doc(NS07, "ProcessMaterialLot"))
    assert find_b2mml_elements(root) == [root]


def test_non_b2mml_document_is_a_mapping_error_with_location(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text(f'<?xml version="1.0"?>\n<s:Envelope xmlns:s="{SOAP}"><s:Body/></s:Envelope>')
    with pytest.raises(MappingError) as caught:
        detect_version(path)
    err = caught.value
    assert err.file == str(path) and err.line == 2 and err.path == "/s:Envelope"
    assert "not a B2MML document" in str(err) and "Envelope" in str(err)


def test_pre_standard_batchml_has_no_schema() -> None:
    data = b'<b:BatchInformation xmlns:b="http://www.wbf.org/xml/BatchML-V02"/>'
    assert is_b2mml_namespace("http://www.wbf.org/xml/BatchML-V02")
    with pytest.raises(UnsupportedVersionError) as caught:
        detect_version(data)
    assert isinstance(caught.value, MappingError)
    assert caught.value.namespace == "http://www.wbf.org/xml/BatchML-V02"
    assert "no schema" in str(caught.value) and caught.value.path == "/b:BatchInformation"


def test_namespace_in_wrong_letter_case_is_explained() -> None:
    with pytest.raises(UnsupportedVersionError, match="letter case"):
        detect_version(doc("http://www.mesa.org/xml/b2mml-v0600", "ProcessProductionSchedule"))


def test_extension_namespaces_are_not_document_namespaces() -> None:
    for version in V:
        assert not is_b2mml_namespace(version.extension_namespace)
    with pytest.raises(ValueError, match="not a B2MML namespace"):
        versions_for_namespace("urn:other")


def test_malformed_input() -> None:
    with pytest.raises(MalformedDocumentError):
        detect_version(b"<ProcessProductionSchedule")


def test_v0600_document_with_v0401_only_names_is_a_mismatch() -> None:
    only_0401 = exclusive(V.V0401, V.V0500, V.V0600, V.V0601, V.V0700, V.V0701)
    names = [n for n in ("MaintenanceRequestID", "RequestedPriority") if n in only_0401]
    assert len(names) == 2
    info = detect_version(doc(V.V0600.namespace, "MaintenanceRequest", *names))
    assert info.version is V.V0600 and info.decided_by == "namespace"
    assert info.mismatch is not None
    assert info.mismatch.declared is V.V0600 and info.mismatch.likely == (V.V0401,)
    assert set(names) | {"MaintenanceRequest"} == set(info.mismatch.names)
    assert "V0401" in info.mismatch.message and "MaintenanceRequestID" in str(info.mismatch)
    root = etree.fromstring(doc(V.V0600.namespace, "MaintenanceRequest", *names))
    assert structure_mismatch(root) == info.mismatch
    assert structure_mismatch(root, "V0401") is None


def test_unknown_root_of_another_release_is_enough() -> None:
    """One name suffices when it is the root: the declared release has no such global element."""
    root_name = "ProcessMaintenanceRequest"
    assert root_name in global_elements(V.V0401) and root_name not in element_vocabulary(V.V0601)
    info = detect_version(doc(V.V0601.namespace, root_name))
    assert info.mismatch is not None and info.mismatch.likely == (V.V0401,)


def test_one_foreign_child_name_is_not_evidence() -> None:
    """A single child name another release knows (e.g. a vendor element) is not reported."""
    assert "CommentText" not in element_vocabulary(V.V0401)
    assert (
        detect_version(doc(V.V0401.namespace, "BatchInformation", "CommentText")).mismatch is None
    )


def test_names_no_release_declares_are_not_evidence() -> None:
    info = detect_version(doc(V.V0600.namespace, "ProcessProductionSchedule", "Foo", "Bar", "Baz"))
    assert info.mismatch is None


_VOCAB = {v: sorted(element_vocabulary(v)) for v in V}


@given(st.sampled_from(list(V)), st.data())
def test_names_of_the_declared_release_never_mismatch(
    version: B2MMLVersion, data: st.DataObject
) -> None:
    names = data.draw(st.lists(st.sampled_from(_VOCAB[version]), min_size=1, max_size=12))
    root = data.draw(st.sampled_from(sorted(global_elements(version))))
    info = detect_version(doc(version.namespace, root, *names), prefer=version)
    assert info.mismatch is None
    assert info.version is version or info.decided_by == "structure"


_ONLY_0401 = exclusive(V.V0401, V.V0500, V.V0600, V.V0601, V.V0700, V.V0701)
#: a root element every release declares
_COMMON_ROOT = sorted(frozenset.intersection(*(global_elements(v) for v in V)))[0]


@given(
    st.sampled_from([V.V0600, V.V0601, V.V0700, V.V0701, V.V0500]),
    st.lists(st.sampled_from(_ONLY_0401), min_size=2, max_size=6, unique=True),
)
def test_v0401_only_names_point_at_v0401(declared: B2MMLVersion, names: list[str]) -> None:
    info = detect_version(doc(declared.namespace, _COMMON_ROOT, *names))
    assert info.mismatch is not None
    assert info.mismatch.likely == (V.V0401,)
    assert set(info.mismatch.names) == set(names)
