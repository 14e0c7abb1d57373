"""The refiner's sampling settings: a checkpoint's recommendation, a call's overrides, and their checks.

Six settings (the keyword arguments of ``StickGenPipeline.__call__`` and ``edit``, and the keys of a
saved folder's ``model_index.json`` ``"sampling"``):

``num_inference_steps``  DDIM steps of the refiner (0: the planner alone)
``guidance_scale``       classifier-free guidance on every feature channel (1: none)
``root_guidance_scale``  guidance on the root-velocity channels (``features.ROOT_VELOCITY``) instead;
                         ``None``: the same as ``guidance_scale``. Stronger guidance there makes the
                         body travel as the text asks (a walk crosses the room) without the jerkier
                         poses that raising the scale on every channel brings (docs/MODELS.md).
``strength``             (0, 1]: how much of the diffusion runs from the noised plan (1: from pure noise)
``lowpass_hz``           cutoff of the low-pass on the refiner's correction (0: off)
``pace``                 pace the plan's pelvis to the story's target speeds (``ActorPlan.target_speed``,
                         :mod:`stickgen.pacing`) before the refiner runs; for refiners trained with
                         ``loss.pace_prob`` > 0, which learned to draw legs that cover a paced plan's ground

Guidance is off (one model call per step) only when both scales are 1.
"""
from __future__ import annotations

import argparse
from typing import Any, NamedTuple

import numpy as np

from .features import FEATURE_DIM, ROOT_VELOCITY

#: what a call that names no setting uses; a saved folder's ``model_index.json`` ``"sampling"`` overrides
#: it (the trained checkpoint's recommendation, chosen on the validation split)
DEFAULT_SAMPLING: dict[str, Any] = {"num_inference_steps": 10, "guidance_scale": 2.5, "root_guidance_scale": None,
                                    "strength": 1.0, "lowpass_hz": 0.0, "pace": False}


class Sampling(NamedTuple):
    """One call's resolved settings (see the module docstring); ``root_guidance_scale`` is a number."""

    num_inference_steps: int
    guidance_scale: float
    root_guidance_scale: float
    strength: float
    lowpass_hz: float
    pace: bool = False

    def guidance(self) -> np.ndarray:
        """The guidance scale of each feature channel ``[137]``."""
        scales = np.full(FEATURE_DIM, self.guidance_scale, np.float32)
        scales[ROOT_VELOCITY] = self.root_guidance_scale
        return scales

    def planner_only(self) -> "Sampling":
        """The same settings with the refiner off."""
        return self._replace(num_inference_steps=0)

    def meta(self) -> dict[str, Any]:
        """The settings as a scene's metadata records them."""
        return {"steps": self.num_inference_steps, "guidance_scale": self.guidance_scale,
                "root_guidance_scale": self.root_guidance_scale, "strength": self.strength,
                "lowpass_hz": self.lowpass_hz, "pace": self.pace}


def check_recommendation(sampling: dict[str, Any] | None) -> dict[str, Any]:
    """``DEFAULT_SAMPLING`` updated with a checkpoint's ``sampling`` (a ValueError names unknown keys)."""
    unknown = set(sampling or {}) - set(DEFAULT_SAMPLING)
    if unknown:
        raise ValueError(f"sampling: unknown setting(s) {sorted(unknown)}; known: {sorted(DEFAULT_SAMPLING)}")
    return {**DEFAULT_SAMPLING, **(sampling or {})}


def resolve(recommended: dict[str, Any], fps: float, **given: Any) -> Sampling:
    """A call's :class:`Sampling`: each setting ``given`` (``None``: not named) or else ``recommended``.

    ``recommended`` may leave settings out (a checkpoint saved before a setting existed): they take
    ``DEFAULT_SAMPLING``'s. ``fps`` is the model's frame rate (the low-pass cutoff must stay below half of
    it). Raises a ValueError naming the settings for steps < 0, strength outside (0, 1], a negative guidance scale or
    a cutoff outside [0, fps / 2), and for a ``pace`` that is not a bool.
    """
    unknown = set(given) - set(DEFAULT_SAMPLING)
    if unknown:
        raise ValueError(f"unknown sampling setting(s) {sorted(unknown)}; known: {sorted(DEFAULT_SAMPLING)}")
    recommended = check_recommendation(recommended)
    chosen = {name: recommended[name] if given.get(name) is None else given[name] for name in DEFAULT_SAMPLING}
    if chosen["root_guidance_scale"] is None:
        chosen["root_guidance_scale"] = chosen["guidance_scale"]
    nyquist = fps / 2
    if int(chosen["num_inference_steps"]) < 0 or not 0.0 < float(chosen["strength"]) <= 1.0 \
            or min(float(chosen["guidance_scale"]), float(chosen["root_guidance_scale"])) < 0.0 \
            or not 0.0 <= float(chosen["lowpass_hz"]) < nyquist:
        raise ValueError(f"num_inference_steps must be >= 0, guidance scales >= 0, strength in (0, 1] and lowpass_hz "
                         f"in [0, {nyquist:g}) (below half the model's frame rate), got {chosen}")
    if not isinstance(chosen["pace"], (bool, np.bool_)):
        raise ValueError(f"pace must be True or False, got {chosen['pace']!r}")
    return Sampling(int(chosen["num_inference_steps"]), float(chosen["guidance_scale"]),
                    float(chosen["root_guidance_scale"]), float(chosen["strength"]), float(chosen["lowpass_hz"]),
                    bool(chosen["pace"]))


def add_arguments(parser) -> None:
    """Add ``--steps``, ``--guidance-scale``, ``--root-guidance-scale``, ``--strength``, ``--lowpass-hz`` and
    ``--pace``/``--no-pace`` to an argparse parser; each defaults to ``None`` (the model's recommendation). See :func:`from_arguments`."""
    recommended = " (default: the model's recommendation)"
    parser.add_argument("--steps", type=int, default=None, help="refiner DDIM steps (0 = planner only)" + recommended)
    parser.add_argument("--guidance-scale", type=float, default=None,
                        help="refiner classifier-free guidance (1 = off)" + recommended)
    parser.add_argument("--root-guidance-scale", type=float, default=None,
                        help="guidance on the root velocity (how far and fast the body travels)" + recommended)
    parser.add_argument("--strength", type=float, default=None,
                        help="refiner start in (0, 1]: 1 = from noise, lower keeps more of the plan" + recommended)
    parser.add_argument("--lowpass-hz", type=float, default=None,
                        help="cutoff (Hz, 0 = off) of the low-pass on the refiner's correction of the plan; lower "
                             "is smoother" + recommended)
    parser.add_argument("--pace", action=argparse.BooleanOptionalAction, default=None,
                        help="walk, run and crawl at the speed the text asks for (a refiner trained for it)" + recommended)


def from_arguments(args) -> dict[str, Any]:
    """The pipeline keyword settings named by :func:`add_arguments`' options (``None``: not named)."""
    return {"num_inference_steps": args.steps, "guidance_scale": args.guidance_scale,
            "root_guidance_scale": args.root_guidance_scale, "strength": args.strength,
            "lowpass_hz": args.lowpass_hz, "pace": args.pace}
