"""Stick-Gen: text to stick-figure animation.

The motion representation lives in :mod:`stickgen.skeleton` (SMPL-22 geometry) and
:mod:`stickgen.motion` (``Motion``, ``Scene`` and the ``.motion`` v1 file).
"""
__version__ = "0.1.0"
