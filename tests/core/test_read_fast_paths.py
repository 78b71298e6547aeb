"""The reader's fast paths give what its general path gives (issue 10: read_xml speed).

Complex elements build their simple-content children inline and skip the per-element
prefix check when the document declares its namespaces on the root only; anything unusual
(attributes, comments, ``xsi:nil``, a bad value, a redeclared prefix) takes the general path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit._xml._decode import uniform_prefixes
from isa95kit.model import DataType, Identifier

NS = "http://www.mesa.org/xml/B2MML"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PLAIN = ik.WriteConfig(xml_declaration=False)


def _job(p: str, q: str, decl: str = "") -> str:
    """A job order whose ID has prefix ``p`` and description prefix ``q`` (``decl`` on it)."""
    return (
        f"<{p}JobOrder><{p}ID>J</{p}ID><{q}Description{decl}>d</{q}Description>"
        f"<{p}Priority>1</{p}Priority></{p}JobOrder>"
    )


@pytest.mark.parametrize(
    "doc",
    [
        # a prefix declared below the root, for the namespace the root already binds
        f'<b:WorkRequest xmlns:b="{NS}"><b:ID>W</b:ID>'
        + _job("b:", "c:", f' xmlns:c="{NS}"') * 2
        + "</b:WorkRequest>",
        # two prefixes for one namespace, both on the root
        f'<b:WorkRequest xmlns:b="{NS}" xmlns:c="{NS}"><c:ID>W</c:ID>'
        + _job("b:", "c:") * 2
        + "</b:WorkRequest>",
        # the default namespace on the root, a prefix below it
        f'<WorkRequest xmlns="{NS}"><ID>xmlns</ID>'
        + _job("", "b:", f' xmlns:b="{NS}"') * 2
        + "</WorkRequest>",
        # one prefix, on the root only: the fast path
        f'<b:WorkRequest xmlns:b="{NS}"><b:ID>W</b:ID>' + _job("b:", "b:") * 2 + "</b:WorkRequest>",
    ],
)
@pytest.mark.parametrize("streamed", [False, True])
def test_prefixes_round_trip(doc: str, streamed: bool, tmp_path: Path) -> None:
    # streamed: the job orders are decoded ahead as the file is parsed (_xml/_stream.py)
    source = tmp_path / "request.xml"
    source.write_text(doc)
    config = ik.ReadConfig(stream_threshold=0 if streamed else 1 << 30)
    assert ik.write_xml(ik.read_xml(source, config=config), config=PLAIN).decode() == doc


def test_uniform_prefixes_is_conservative() -> None:
    from lxml import etree

    def check(doc: str) -> bool:
        data = doc.encode()
        return uniform_prefixes(etree.fromstring(data), data)

    assert check(f'<JobOrder xmlns="{NS}"><ID>J</ID></JobOrder>')
    assert not check(f'<JobOrder xmlns="{NS}"><ID xmlns="{NS}">J</ID></JobOrder>')
    assert not check(f'<b:JobOrder xmlns:b="{NS}" xmlns:c="{NS}"><b:ID>J</b:ID></b:JobOrder>')
    assert not check(f'<JobOrder xmlns="{NS}"><ID>xmlns</ID></JobOrder>')  # only the word
    utf16 = f'<JobOrder xmlns="{NS}"><ID>J</ID></JobOrder>'.encode("utf-16")
    assert not uniform_prefixes(etree.fromstring(utf16), utf16)


def _job_with(children: str) -> bytes:
    return f'<JobOrder xmlns="{NS}" xmlns:xsi="{XSI}"><ID>J</ID>{children}</JobOrder>'.encode()


def test_unusual_leaves_take_the_general_path() -> None:
    job = ik.read_xml(_job_with("<WorkMasterID>W<!-- split -->1</WorkMasterID>"))
    assert job.work_master_id == Identifier("W1")
    assert job.work_master_id.model_dump(exclude_unset=True) == {"value": "W1"}
    job = ik.read_xml(_job_with('<WorkMasterID schemeID="S">W</WorkMasterID>'))
    assert job.work_master_id.scheme_id == "S"
    assert job.work_master_id.model_dump(exclude_unset=True) == {"value": "W", "scheme_id": "S"}
    param = (
        "<JobOrderParameter><ID>P</ID><Value><ValueString>1</ValueString>"
        '<DataType xsi:nil="true"/><UnitOfMeasure>m</UnitOfMeasure></Value></JobOrderParameter>'
    )
    value = ik.read_xml(_job_with(param)).job_order_parameter[0].value_[0]
    assert value.data_type is ik.NIL and value.unit_of_measure == "m"
    assert ik.write_xml(ik.read_xml(_job_with(param)), config=PLAIN) == ik.write_xml(
        ik.read_xml(ik.write_xml(ik.read_xml(_job_with(param)))), config=PLAIN
    )
    value = ik.read_xml(
        _job_with(param.replace('<DataType xsi:nil="true"/>', "<DataType>double</DataType>"))
    )
    assert value.job_order_parameter[0].value_[0].data_type == DataType("double")


@pytest.mark.parametrize(
    ("children", "message"),
    [
        ("<DispatchStatus>Unheard</DispatchStatus>", "'Unheard' is not a value of"),
        ("<WorkMasterID>W<ID>x</ID></WorkMasterID>", "has simple content; unexpected element ID"),
        ("<Priority>1</Priority><Priority>2</Priority>", "Priority may occur only once"),
        ("<Priority>1</Priority><WorkMasterID>W</WorkMasterID>", "is out of order"),
        ("<Priority>1</Priority>stray", "unexpected text 'stray'"),
    ],
)
def test_errors_on_the_fast_path_are_located(children: str, message: str) -> None:
    with pytest.raises(ik.MappingError, match=message) as info:
        ik.read_xml(_job_with(children))
    assert info.value.location.line == 1 and info.value.location.path


def test_field_dict_templates_hold_every_field_in_order() -> None:
    from isa95kit._xml._tables import spec_of
    from isa95kit.model import JobOrder, ValueString

    for cls in (JobOrder, DataType, Identifier, ValueString):
        template = spec_of(cls).template
        assert type(template) is dict and list(template) == list(cls.model_fields)
        assert set(template.values()) == {None}
        copy = template.copy()
        copy["value" if "value" in copy else "id"] = "x"
        assert set(template.values()) == {None}  # copies are independent
