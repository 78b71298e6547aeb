"""The B2MML-JSON codec: MESA's JSON conventions over the same typed model as the XML
codec (``read_json``, ``write_json``, ``to_dict``, ``from_dict``), and the JSON Schema
of the Pythonic model (``model_json_schema``). See ``docs/json.md``."""

from ._api import dump_json, from_dict, read_json, to_dict, write_json
from ._schema import model_json_schema

__all__ = ["dump_json", "from_dict", "model_json_schema", "read_json", "to_dict", "write_json"]
