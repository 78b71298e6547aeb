"""isa95kit's code generator: official MESA B2MML release -> typed model (see ``python tools/generate.py``)."""
