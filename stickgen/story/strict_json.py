"""A strict JSON reader for documents that come from outside: an LLM's reply, a script file, a model's config.

:func:`loads_strict` is ``json.loads`` rejecting NaN and Infinity, numbers out of a float's range, integers
over :data:`MAX_INT_DIGITS` digits and nesting too deep to parse, each as a ``ValueError``.
"""
from __future__ import annotations

import json
import math
from typing import Any

#: integers longer than this are rejected (a float holds up to ~1.8e308; Python refuses > 4300 digits)
MAX_INT_DIGITS = 300


def loads_strict(text: str | bytes) -> Any:
    """``json.loads`` rejecting NaN, Infinity, out-of-range numbers and deep nesting, all as ValueError."""
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float,
                          parse_int=_bounded_int)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer has {len(text.lstrip('-'))} digits (at most {MAX_INT_DIGITS})")
    return int(text)
