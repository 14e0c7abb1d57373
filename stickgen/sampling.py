"""The refiner's sampling settings: one :class:`SamplingSettings` object for a checkpoint's
recommendation (``model_index.json`` ``"sampling"``), a call's overrides, the CLI options and a scene's
metadata. Each setting is declared once, as a field below, with its default, its CLI flag and its help;
everything else (keyword arguments, JSON, argparse options, checks) is derived from the fields.

``num_inference_steps``  DDIM steps of the refiner (0: the planner alone)
``guidance_scale``       classifier-free guidance on every feature channel (1: none)
``root_guidance_scale``  guidance on the root-velocity channels (``features.ROOT_VELOCITY``) instead;
                         ``None``: the same as ``guidance_scale``. Stronger guidance there makes the
                         body travel as the text asks (a walk crosses the room) without the jerkier
                         poses that raising the scale on every channel brings (docs/MODELS.md).
``guided_fraction``      (0, 1]: the share of the steps, from the first (the noisiest), that are guided;
                         the rest run unguided, one model call each. The early steps set what the body
                         does; late ones only redraw detail, where guidance adds little.
``strength``             (0, 1]: the share of the diffusion run, from the plan noised to that level
                         (1: from pure noise; as in diffusers' img2img, lower keeps more of the plan)
``lowpass_hz``           cutoff of the low-pass on the refiner's correction (0: off)
``pace``                 pace the plan's pelvis to the story's target speeds (``ActorPlan.target_speed``,
                         :mod:`stickgen.pacing`) before the refiner runs; for refiners trained with
                         ``loss.pace_prob`` > 0, which learned to draw legs that cover a paced plan's ground

Guidance is off (one model call per step) only when both scales are 1, or after ``guided_fraction`` of the steps.
"""
from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import FEATURE_DIM, ROOT_VELOCITY

RECOMMENDED = " (default: the model's recommendation)"


def _setting(default: Any, flag: str, help: str) -> Any:
    return field(default=default, metadata={"flag": flag, "help": help})


@dataclass(frozen=True)
class SamplingSettings:
    """The refiner's settings (see the module docstring). The defaults are what a pipeline without a
    recommendation uses; a saved folder's ``model_index.json`` ``"sampling"`` replaces them."""

    num_inference_steps: int = _setting(10, "--steps", "refiner DDIM steps (0 = planner only)")
    guidance_scale: float = _setting(2.5, "--guidance-scale", "refiner classifier-free guidance (1 = off)")
    root_guidance_scale: float | None = _setting(
        None, "--root-guidance-scale", "guidance on the root velocity (how far and fast the body travels)")
    guided_fraction: float = _setting(1.0, "--guided-fraction",
                                      "share of the refiner steps, from the first, that are guided (1 = all)")
    strength: float = _setting(1.0, "--strength",
                               "refiner start in (0, 1]: 1 = from noise, lower keeps more of the plan")
    lowpass_hz: float = _setting(0.0, "--lowpass-hz", "cutoff (Hz, 0 = off) of the low-pass on the refiner's "
                                                      "correction of the plan; lower is smoother")
    pace: bool = _setting(False, "--pace",
                          "walk, run and crawl at the speed the text asks for (a refiner trained for it)")

    def __post_init__(self) -> None:
        problems = []
        if isinstance(self.num_inference_steps, bool) or not isinstance(self.num_inference_steps, (int, np.integer)) \
                or self.num_inference_steps < 0:
            problems.append(f"num_inference_steps must be an integer >= 0, got {self.num_inference_steps!r}")
        for name in ("guidance_scale", "root_guidance_scale"):
            value = getattr(self, name)
            if not (value is None and name == "root_guidance_scale") and not _number(value, low=0.0):
                problems.append(f"{name} must be a number >= 0, got {value!r}")
        if not _number(self.guided_fraction) or not 0.0 < self.guided_fraction <= 1.0:
            problems.append(f"guided_fraction must be in (0, 1], got {self.guided_fraction!r}")
        if not _number(self.strength) or not 0.0 < self.strength <= 1.0:
            problems.append(f"strength must be in (0, 1], got {self.strength!r}")
        if not _number(self.lowpass_hz, low=0.0):
            problems.append(f"lowpass_hz must be a number >= 0, got {self.lowpass_hz!r}")
        if not isinstance(self.pace, (bool, np.bool_)):
            problems.append(f"pace must be True or False, got {self.pace!r}")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> SamplingSettings:
        """From ``model_index.json``'s ``"sampling"``; settings it leaves out (a checkpoint saved before a
        setting existed) take the defaults, unknown keys are a ValueError naming them."""
        return cls().replace(**(values or {}))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``model_index.json`` ``"sampling"``)."""
        return dataclasses.asdict(self)

    def replace(self, **given: Any) -> SamplingSettings:
        """These settings with each one ``given`` (``None``: not named, keeps this one's); a ValueError
        names unknown or invalid settings."""
        unknown = set(given) - set(self.names())
        if unknown:
            raise ValueError(f"unknown sampling setting(s) {sorted(unknown)}; known: {sorted(self.names())}")
        return dataclasses.replace(self, **{k: v for k, v in given.items() if v is not None})

    def for_model(self, fps: float) -> SamplingSettings:
        """These settings, checked against a model of frame rate ``fps`` (the low-pass cutoff must stay below
        half of it), with ``root_guidance_scale`` resolved to a number: what one call runs with."""
        if self.lowpass_hz >= fps / 2:
            raise ValueError(f"lowpass_hz must be in [0, {fps / 2:g}) (below half the model's frame rate), "
                             f"got {self.lowpass_hz:g}")
        root = self.guidance_scale if self.root_guidance_scale is None else self.root_guidance_scale
        return dataclasses.replace(self, root_guidance_scale=float(root))

    def guidance(self) -> np.ndarray:
        """The guidance scale of each feature channel ``[137]``."""
        scales = np.full(FEATURE_DIM, self.guidance_scale, np.float32)
        root = self.guidance_scale if self.root_guidance_scale is None else self.root_guidance_scale
        scales[ROOT_VELOCITY] = root
        return scales

    def planner_only(self) -> SamplingSettings:
        """The same settings with the refiner off."""
        return dataclasses.replace(self, num_inference_steps=0)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """One option per setting (``--steps``, ``--guidance-scale``, ..., ``--pace``/``--no-pace``), each
        defaulting to ``None`` (the model's recommendation). See :meth:`from_arguments`."""
        for setting in dataclasses.fields(cls):
            flag, help_text = setting.metadata["flag"], setting.metadata["help"] + RECOMMENDED
            if setting.type in ("bool", bool):
                parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help_text)
            else:
                kind = int if setting.type in ("int", int) else float
                parser.add_argument(flag, type=kind, default=None, dest=setting.name, help=help_text)

    @classmethod
    def from_arguments(cls, args: argparse.Namespace) -> dict[str, Any]:
        """The keyword settings named by :meth:`add_arguments`' options (``None``: not named)."""
        return {name: getattr(args, name) for name in cls.names()}


def _number(value: Any, low: float = -np.inf) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and np.isfinite(value) and value >= low
