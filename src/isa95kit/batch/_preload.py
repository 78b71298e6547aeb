"""Imported by the forkserver local workers are forked from where ``fork`` is unsafe
(``set_forkserver_preload``, see ``_local``): it runs the validation warm-up once, so every
worker forked from it starts with the V0701 bundle compiled, in copy-on-write memory."""

from __future__ import annotations

from ._warm import warm_validation

__all__ = ["WARM"]

WARM = warm_validation()
