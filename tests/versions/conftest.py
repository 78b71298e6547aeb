"""Fixtures for the tests of isa95kit.versions."""

from __future__ import annotations

import sys
from pathlib import Path

# the helper modules beside the tests (versions_support, b2mml_instances), whatever the
# import mode pytest runs in
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
