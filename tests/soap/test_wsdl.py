"""The shipped WSDLs: up to date, one operation per request/reply pair, loadable offline by
zeep and by a second consumer (xmlschema's WSDL 1.1 reader, which also validates the WSDL
against the WSDL 1.1 schema and builds the imported V0701 types)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit import model as m
from isa95kit import soap
from isa95kit.soap._wsdl import TARGET_NAMESPACE, build_wsdl, operations, wsdl_file_name, wsdl_path

from .conftest import OfflineTransport

ROOT = Path(__file__).resolve().parents[2]
B2MML = "{http://www.mesa.org/xml/B2MML}"
VERSIONS = ["1.1", "1.2"]


def test_the_shipped_wsdls_are_up_to_date(tmp_path: Path) -> None:
    run = [sys.executable, str(ROOT / "tools" / "gen_wsdl.py")]
    assert subprocess.run([*run, "--check"], capture_output=True).returncode == 0
    assert subprocess.run([*run, "--output", str(tmp_path)], capture_output=True).returncode == 0
    for version in VERSIONS:
        name = wsdl_file_name(version)  # type: ignore[arg-type]
        assert (tmp_path / name).read_bytes() == (ROOT / "xsd" / "wsdl" / name).read_bytes()
    (tmp_path / name).write_bytes(b"<stale/>")
    stale = subprocess.run([*run, "--check", "--output", str(tmp_path)], capture_output=True)
    assert stale.returncode == 1 and b"stale" in stale.stderr


def test_one_operation_per_request_reply_pair() -> None:
    ops = dict(operations())
    kinds = soap.message_kinds()
    requests = {e for e, k in kinds.items() if k.verb in soap.PAIRS}
    assert set(ops) == requests and len(ops) == 325
    assert ops["ProcessWorkSchedule"] == "AcknowledgeWorkSchedule"
    assert ops["GetEquipment"] == "ShowEquipment"
    assert ops["ChangeMaterialLot"] == "RespondMaterialLot"
    assert {ops["SyncEquipment"], ops["CancelEquipment"], ops["NotifyOperationsEvent"]} == {
        "ConfirmBOD"
    }


def test_the_schema_import_resolves_in_the_repository() -> None:
    path = wsdl_path("1.1")
    assert path.parent == ROOT / "xsd" / "wsdl"  # a source checkout: the repository copy
    root = etree.parse(str(path)).getroot()
    (imp,) = root.iter("{http://www.w3.org/2001/XMLSchema}import")
    target = (path.parent / imp.get("schemaLocation")).resolve()
    assert target == ROOT / "xsd" / "V0701" / "AllSchemas.xsd"  # the official release
    # the package bundle has the same entry point, so the wheel layout resolves too
    assert (ROOT / "src" / "isa95kit" / "xsd" / "V0701" / "AllSchemas.xsd").is_file()


@pytest.mark.parametrize("version", VERSIONS)
def test_zeep_loads_the_shipped_wsdl_offline(version: str) -> None:
    import zeep

    client = zeep.Client(wsdl=str(wsdl_path(version)), transport=OfflineTransport())  # type: ignore[arg-type]
    (service,) = client.wsdl.services.values()
    (port,) = service.ports.values()
    assert len(port.binding._operations) == 325
    binding_ns = "soap12" if version == "1.2" else "soap"
    assert binding_ns in type(port.binding).__module__ + type(port.binding).__name__.lower()
    op = port.binding._operations["ProcessWorkSchedule"]
    assert op.input.body.qname == etree.QName(B2MML[1:-1], "ProcessWorkSchedule")
    assert op.output.body.qname == etree.QName(B2MML[1:-1], "AcknowledgeWorkSchedule")
    assert op.soapaction == f"{TARGET_NAMESPACE}:ProcessWorkSchedule"


def test_zeep_loads_the_wheel_layout_offline(tmp_path: Path) -> None:
    """The wheel puts xsd/wsdl at isa95kit/xsd/wsdl, next to the package bundle."""
    import zeep

    pkg = tmp_path / "isa95kit" / "xsd"
    shutil.copytree(ROOT / "src" / "isa95kit" / "xsd" / "V0701", pkg / "V0701")
    shutil.copytree(ROOT / "xsd" / "wsdl", pkg / "wsdl")
    client = zeep.Client(
        wsdl=str(pkg / "wsdl" / wsdl_file_name("1.2")), transport=OfflineTransport()
    )  # type: ignore[arg-type]
    element = client.get_element(f"{B2MML}ConfirmBOD")
    assert element.name == "ConfirmBOD"


@pytest.mark.parametrize("version", VERSIONS)
def test_xmlschema_reads_the_wsdl_and_validates_built_messages(version: str) -> None:
    from xmlschema.extras.wsdl import Wsdl11Document

    doc: Any = Wsdl11Document(str(wsdl_path(version)))  # validates against the WSDL 1.1 schema
    (port_type,) = doc.port_types.values()
    assert len(port_type.operations) == 325
    (binding,) = doc.bindings.values()
    assert len(binding.operations) == 325
    name = f"{{{TARGET_NAMESPACE}}}ProcessEquipment"
    op = next(o for o in port_type.operations.values() if o.name == name)
    request = soap.process(m.Equipment(id=m.Identifier(value="EQ-1")), sender="ERP")
    reply = soap.reply_to(request)
    assert reply is not None
    for part, message in ((op.input, request), (op.output, reply)):
        (element,) = part.message.parts.values()
        assert element.name == f"{B2MML}{type(message).__name__}"
        doc.schema.validate(ik.write_xml(message))  # the WSDL's types accept what we build
    bad = ik.write_xml(request).replace(b"<ID>EQ-1</ID>", b"<Nope/>")
    assert not doc.schema.is_valid(bad)


def test_addresses_and_schema_locations_can_be_set() -> None:
    data = build_wsdl("1.2", address="https://mes.example/b2mml", schema_location="b2mml.xsd")
    root = etree.fromstring(data)
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s12": "http://schemas.xmlsoap.org/wsdl/soap12/"}
    assert root.xpath("//w:port/s12:address/@location", namespaces=ns) == [
        "https://mes.example/b2mml"
    ]
    assert root.xpath("//*[local-name()='import']/@schemaLocation") == ["b2mml.xsd"]
