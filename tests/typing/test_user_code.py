"""The typed-construction sample runs, and the generated constructor signatures match the model.

``user_code.py`` is what pyright and mypy check in ``.ci/run``; here it runs, so the sample
cannot drift from what works. The typed ``__init__`` of every generated class exists only for
type checkers (``if TYPE_CHECKING:``), so its parameters are read from the source and compared
with the fields pydantic validates at run time.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit import ModelError
from isa95kit.model import (
    B2MMLModel,
    JobOrder,
    Numeric,
    OpMaterialRequirement,
    ProcessWorkSchedule,
    QuantityValue,
    TransApplicationArea,
    ValueString,
)
from tests.typing import user_code

MODEL_DIR = Path(ik.__file__).parent / "model"


def test_the_sample_runs() -> None:
    jobs = [user_code.build_job_order(i) for i in range(3)]
    assert jobs[0].id == "JO-0" and jobs[0].priority == Decimal(1)
    assert jobs[0].material_requirement[1].quantity[0].quantity_string == "1.5"
    message = user_code.build_message(jobs)
    xml, text = user_code.write_both(message)
    assert b"<ID>JO-2</ID>" in xml and b'"ID"' in text
    assert ik.is_valid(xml, strict=True)  # defaults included: V0701 schema and business rules
    lines = user_code.dispatch_list()
    assert lines and lines[0].startswith("PO-100045871-0010 ")
    assert user_code.kilograms("1000", "g") == Decimal("1")
    assert user_code.change_priority(jobs[1]).description[-1] == "changed"


def _stub_params(tree: ast.Module) -> dict[str, tuple[list[str], set[str]]]:
    """class name -> (parameter names, required ones) of its TYPE_CHECKING ``__init__``."""
    out: dict[str, tuple[list[str], set[str]]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.If) and ast.unparse(stmt.test) == "TYPE_CHECKING":
                (init,) = stmt.body
                assert isinstance(init, ast.FunctionDef) and init.name == "__init__"
                args = init.args
                positional = [a.arg for a in args.args[1:]]
                kw = [a.arg for a in args.kwonlyargs]
                required = {
                    a.arg
                    for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                    if d is None
                }
                out[node.name] = (positional + kw, required)
    return out


def test_every_class_has_a_typed_init_matching_its_fields() -> None:
    checked = 0
    for path in sorted(MODEL_DIR.glob("[a-z]*.py")):
        module = importlib.import_module(f"isa95kit.model.{path.stem}")
        stubs = _stub_params(ast.parse(path.read_text(encoding="utf-8")))
        for name, (params, required) in stubs.items():
            cls = getattr(module, name)
            fields = cls.model_fields
            assert params == list(fields), name
            # required in the signature exactly where construction without it fails
            must = {
                n
                for n, info in fields.items()
                if info.is_required() or any(getattr(m, "min_length", 0) for m in info.metadata)
            }
            assert required == must, name
            checked += 1
    classes = {
        value
        for path in MODEL_DIR.glob("[a-z]*.py")
        for value in vars(importlib.import_module(f"isa95kit.model.{path.stem}")).values()
        if isinstance(value, type) and "__wire__" in vars(value) and value is not B2MMLModel
    }
    assert checked == len(classes) > 1000


def test_messages_default_their_release_and_application_area() -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    message = user_code.build_message([user_code.build_job_order(1)])
    area = message.application_area
    assert message.release_id == "7.1"
    assert area.bodid is not None and uuid.UUID(str(area.bodid)).version == 4
    created = area.creation_date_time.value
    assert created is not None and before <= created <= datetime.now(timezone.utc)
    other = user_code.build_message([user_code.build_job_order(2)])
    assert other.application_area.bodid != area.bodid  # a fresh one per message
    assert TransApplicationArea().bodid != TransApplicationArea().bodid


def test_decoded_messages_do_not_gain_defaults() -> None:
    ns = "http://www.mesa.org/xml/B2MML"
    xml = (
        f'<ProcessWorkSchedule xmlns="{ns}" releaseID="7.0"><ApplicationArea>'
        "<CreationDateTime>2026-01-01T00:00:00Z</CreationDateTime></ApplicationArea>"
        "<DataArea><Process/><WorkSchedule><ID>W</ID><WorkRequest><ID>R</ID><JobOrder><ID>J"
        "</ID></JobOrder></WorkRequest></WorkSchedule></DataArea></ProcessWorkSchedule>"
    ).encode()
    doc = ik.read_xml(xml, ProcessWorkSchedule)
    assert doc.application_area.bodid is None and doc.release_id == "7.0"
    assert ik.write_xml(doc).endswith(xml)
    again = ik.read_json(ik.write_json(doc), ProcessWorkSchedule)
    assert again.application_area.bodid is None and again == doc


def test_quantity_strings_take_exact_numbers_and_refuse_floats() -> None:
    assert QuantityValue(quantity_string=Decimal("1.50")).quantity_string == "1.50"
    assert QuantityValue(quantity_string=Decimal("1E+3")).quantity_string == "1000"
    assert QuantityValue(quantity_string=12).quantity_string == "12"
    assert ValueString(value=Decimal("2.5")) == "2.5"
    with pytest.raises(ModelError, match="is a float"):
        QuantityValue.model_validate({"quantity_string": 1.5})
    with pytest.raises(ModelError, match="is a float"):
        ValueString.model_validate(2.5)
    with pytest.raises(ModelError, match=r"invalid Numeric .*is a float"):
        Numeric(json.loads("2.5"))  # a float from a partner's JSON (typed Any)


def test_a_bare_value_that_does_not_fit_is_reported_with_its_path() -> None:
    with pytest.raises(ModelError, match=r"priority\.value: Input should be a valid decimal"):
        JobOrder(id="J", priority="high")
    with pytest.raises(ModelError, match=r"material_use\.value"):
        OpMaterialRequirement(id="M", material_use="Bogus")


def test_the_element_table_names_every_global_element() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "elements.md").read_text("utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| `(\w+)` \|", doc, flags=re.M))
    assert rows["JobOrder"] == "JobOrder" and rows["ProcessWorkSchedule"] == "ProcessWorkSchedule"
    from isa95kit.model import ELEMENTS

    assert rows == ELEMENTS
