"""The story engine: a prompt becomes a :class:`Script`, and a script a :class:`~stickgen.conditioning.ScenePlan`.

- :func:`parse` reads a prompt with the default parser (no network) or an LLM backend that falls back to it;
- :func:`script_to_plan` turns a script into per-frame, per-actor conditioning placed in the world;
- :func:`plan_from_prompt` does both.
"""
from __future__ import annotations

from typing import Any

from ..conditioning import ScenePlan
from .llm import BACKENDS, parse
from .plan import script_to_plan
from .schema import Script, ScriptError

__all__ = ["parse", "script_to_plan", "plan_from_prompt", "Script", "ScriptError", "BACKENDS"]


def plan_from_prompt(prompt: str, duration: float = 10.0, fps: float = 25, llm: str = "none",
                     **llm_options: Any) -> ScenePlan:
    """Prompt -> :class:`Script` (via :func:`parse`) -> :class:`ScenePlan` at ``fps``."""
    plan = script_to_plan(parse(prompt, duration, llm=llm, **llm_options), fps=fps)
    plan.meta["llm"] = llm
    return plan
