"""Vendor extension schemas used in place of the (empty) official extension schemas."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from versions_support import BUNDLES, EXAMPLES, XSD

from isa95kit.errors import Isa95Error
from isa95kit.versions import (
    B2MMLVersion,
    SchemaLoadError,
    load_schema,
    validate_schema,
)

V0600 = B2MMLVersion.V0600
EXT = V0600.extension_namespace
SWE = "http://www.opengis.net/swe/2.0"
_KANNISTO = "kannisto_Cocop.MessageSerialiser.Biz_spec__spec_ProcessProductionSchedule"
SCHED = EXAMPLES / "V0600" / f"{_KANNISTO}_SchedulingParams.xml"
PLAIN = EXAMPLES / "V0600" / f"{_KANNISTO}.xml"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _vendor_extensions(folder: Path, *, swe_location: str = "swe-stub.xsd") -> Path:
    """A partner's edited B2MML-V0600-Extensions.xsd: one group filled, importing SWE."""
    _write(
        folder / "swe-stub.xsd",
        f"""<xsd:schema xmlns:xsd="{XSD}" targetNamespace="{SWE}" xmlns="{SWE}"
            elementFormDefault="qualified">
          <xsd:complexType name="DataRecordPropertyType">
            <xsd:sequence>
              <xsd:element name="DataRecord">
                <xsd:complexType><xsd:sequence>
                  <xsd:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/>
                </xsd:sequence></xsd:complexType>
              </xsd:element>
            </xsd:sequence>
          </xsd:complexType>
        </xsd:schema>""",
    )
    return _write(
        folder / "B2MML-V0600-Extensions.xsd",
        f"""<xsd:schema xmlns:xsd="{XSD}" targetNamespace="{EXT}" xmlns="{EXT}"
            xmlns:swe="{SWE}" elementFormDefault="qualified">
          <xsd:import namespace="{V0600.namespace}" schemaLocation="B2MML-V0600-Common.xsd"/>
          <xsd:import namespace="{SWE}" schemaLocation="{swe_location}"/>
          <xsd:group name="ProductionRequest">
            <xsd:sequence>
              <xsd:element name="SchedulingParameters" type="swe:DataRecordPropertyType"
                           minOccurs="0"/>
            </xsd:sequence>
          </xsd:group>
        </xsd:schema>""",
    )


def test_vendor_group_replaces_the_empty_official_one(tmp_path: Path) -> None:
    (plain,) = validate_schema(SCHED)
    assert not plain.valid and "SchedulingParameters" in plain.issues[0].message
    vendor = _vendor_extensions(tmp_path)
    (extended,) = validate_schema(SCHED, extensions=[vendor])
    assert extended.valid, [str(i) for i in extended.issues]
    assert extended.extensions == (str(vendor),)
    assert validate_schema(SCHED, extensions=vendor)[0].valid  # one path on its own
    # the other official (empty) groups are still there: ordinary documents stay valid
    (other,) = validate_schema(PLAIN, extensions=[vendor])
    assert other.valid
    # the plain bundle is not affected
    assert not validate_schema(SCHED)[0].valid


def test_complete_edited_copy_of_the_official_extension_schema(
    tmp_path: Path
) -> None:
    """A partner ships the whole *Extensions.xsd with one group filled in."""
    root = etree.parse(str(BUNDLES / "V0600" / "B2MML-V0600-Extensions.xsd")).getroot()
    (group,) = [g for g in root.iterfind(f"{{{XSD}}}group") if g.get("name") == "ProductionRequest"]
    etree.SubElement(
        group[0],
        f"{{{XSD}}}element",
        name="SchedulingParameters",
        type="xsd:anyType",
        minOccurs="0",
    )
    vendor = tmp_path / "B2MML-V0600-Extensions.xsd"
    vendor.write_bytes(etree.tostring(root))
    data = SCHED.read_bytes().replace(b' xsi:type="swe:DataRecordPropertyType"', b"")
    (result,) = validate_schema(data, extensions=[vendor])
    assert result.valid, [str(i) for i in result.issues]
    assert validate_schema(PLAIN, extensions=[vendor])[0].valid


def test_schema_is_cached_per_extension_content(tmp_path: Path) -> None:
    vendor = _vendor_extensions(tmp_path)
    first = load_schema("V0600", extensions=[vendor])
    assert load_schema(V0600, extensions=[str(vendor)]) is first
    assert load_schema(V0600) is not first
    vendor.write_text(vendor.read_text(encoding="utf-8").replace('minOccurs="0"/>', "/>"))
    assert load_schema(V0600, extensions=[vendor]) is not first


def test_network_locations_are_refused(tmp_path: Path) -> None:
    vendor = _vendor_extensions(
        tmp_path, swe_location="https://schemas.opengis.net/swe/2.0/swe.xsd"
    )
    with pytest.raises(SchemaLoadError, match="never fetches") as caught:
        load_schema(V0600, extensions=[vendor])
    assert caught.value.file == str(vendor.resolve()) and caught.value.line == 4
    assert isinstance(caught.value, (Isa95Error, ValueError))


def test_vendor_schema_that_does_not_compile(tmp_path: Path) -> None:
    vendor = _write(
        tmp_path / "Broken-Extensions.xsd",
        f"""<xsd:schema xmlns:xsd="{XSD}" targetNamespace="{EXT}" xmlns="{EXT}">
          <xsd:group name="Material"><xsd:sequence>
            <xsd:element name="Grade" type="NoSuchType"/>
          </xsd:sequence></xsd:group>
        </xsd:schema>""",
    )
    with pytest.raises(SchemaLoadError, match="does not compile") as caught:
        load_schema(V0600, extensions=[vendor])
    assert any(str(vendor.resolve()) in d and "NoSuchType" in d for d in caught.value.details)


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("missing.xsd", None, "cannot read"),
        ("bad.xsd", "<xsd:schema", "not well-formed"),
        ("doc.xsd", "<Foo/>", "not an XML schema"),
    ],
)
def test_unreadable_vendor_files(tmp_path: Path, name: str, text: str | None, match: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(SchemaLoadError, match=match):
        load_schema(V0600, extensions=[path])


def test_vendor_namespace_split_over_two_files(tmp_path: Path) -> None:
    """Two supplied files of one vendor namespace are loaded together (one wrapper)."""
    vendor_ns = "urn:example:vendor"
    for i, name in enumerate(("Alpha", "Beta")):
        _write(
            tmp_path / f"vendor{i}.xsd",
            f"""<xsd:schema xmlns:xsd="{XSD}" targetNamespace="{vendor_ns}"
                elementFormDefault="qualified">
              <xsd:element name="{name}" type="xsd:decimal"/>
            </xsd:schema>""",
        )
    ext = _write(
        tmp_path / "My-Extensions.xsd",
        f"""<xsd:schema xmlns:xsd="{XSD}" targetNamespace="{EXT}" xmlns:v="{vendor_ns}">
          <xsd:import namespace="{vendor_ns}" schemaLocation="vendor0.xsd"/>
          <xsd:group name="ProductionRequest"><xsd:sequence>
            <xsd:element ref="v:Alpha" minOccurs="0"/><xsd:element ref="v:Beta" minOccurs="0"/>
          </xsd:sequence></xsd:group>
        </xsd:schema>""",
    )
    files = [ext, tmp_path / "vendor0.xsd", tmp_path / "vendor1.xsd"]
    doc = (
        f'<ProcessProductionSchedule releaseID="1" xmlns="{V0600.namespace}" xmlns:v="{vendor_ns}">'
        "<ApplicationArea><CreationDateTime>2024-01-01T00:00:00Z</CreationDateTime>"
        "</ApplicationArea><DataArea><Process/><ProductionSchedule><ProductionRequest>"
        "<v:Alpha>1</v:Alpha><v:Beta>{beta}</v:Beta>"
        "</ProductionRequest></ProductionSchedule></DataArea></ProcessProductionSchedule>"
    )
    (good,) = validate_schema(doc.format(beta="2"), extensions=files)
    assert good.valid, [str(i) for i in good.issues]
    (bad,) = validate_schema(doc.format(beta="two"), extensions=files)
    assert not bad.valid and "Beta" in bad.issues[0].message


def test_concurrent_validation_keeps_issues_apart() -> None:
    docs = [SCHED, PLAIN] * 8
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda p: validate_schema(p)[0], docs))
    assert [r.valid for r in results] == [False, True] * 8
    assert all(len(r.issues) == 1 for r in results[::2])
