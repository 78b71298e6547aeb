"""isa95kit's code generator: an official MESA B2MML release -> the typed model.

Run it as ``python tools/generate.py``.
"""
