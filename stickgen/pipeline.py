"""``StickGenPipeline``: text (or a script, or a scene plan) to a :class:`~stickgen.motion.Scene`.

Built from swappable parts like a diffusers pipeline: a :class:`~stickgen.text.TextEncoder`, the
planner (one forward pass per window), the refiner with its DDIM scheduler, and the feature statistics.
All actors (and all prompts of a list) go through the models in one batch. Clips longer than one
window are planned window by window, each conditioned on (and continuing exactly from) the overlap with
the previous one (:mod:`stickgen.windows`). Output clips are decoded and go through the world stage
(:mod:`stickgen.world`: placed, staged, post-processed). ``plan_from_actions`` (a plan without the
story engine) lives in :mod:`stickgen.conditioning`.

Saved folder (``save_pretrained``)::

    model_index.json      class, version, component classes, text encoder name and dimension
    planner/              transformers folder (config.json with auto_map, weights, remote code)
    refiner/              diffusers folder
    scheduler/            DDIMScheduler config
    feature_stats.json    normalisation of the motion features
    onnx/                 optional: planner.onnx, refiner.onnx (see stickgen.onnx_export)

``model_index.json`` ``"sampling"`` holds the checkpoint's recommended ``num_inference_steps``,
``guidance_scale``, ``root_guidance_scale``, ``strength``, ``lowpass_hz`` and ``pace`` (:mod:`stickgen.sampling`);
a call may override each. ``lowpass_hz`` is the cutoff of a zero-phase Butterworth low-pass
(:func:`stickgen.windows.lowpass`) applied to the refiner's correction of the plan (refined minus planned features),
never to the plan itself: it removes the frame-to-frame noise a few-step sampler leaves while passing
the correction's content below the cutoff almost unchanged (a 2 Hz wave keeps its amplitude; the
Gaussian used before, σ 2 frames, kept 60% of it).
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from . import __version__
from .conditioning import ScenePlan, with_trajectory
from .backends import runners
from .control import CONTROL_DIM
from .features import FEATURE_DIM, FeatureStats
from .motion import Scene
from .model_folder import check_model_folder
from .physics import postprocess
from .placement import align_to_keyframes
from .sampling import Sampling, check_recommendation, resolve
from .skeleton import bone_lengths
from .staging import partner_joints
from .steering import named_hands
from .text import MINILM
from .window_sampler import WindowSampler
from .world import world_motions

MODEL_INDEX = "model_index.json"


class StickGenPipeline:
    """Text-to-motion pipeline. ``backend`` is ``"pytorch"`` or ``"onnx"`` (needs ``onnx/`` models)."""

    def __init__(self, planner, refiner, scheduler, text_encoder, feature_stats: FeatureStats,
                 name: str = "stickgen", backend: str = "pytorch", onnx_folder: str | Path | None = None,
                 sampling: dict[str, float] | None = None):
        config = planner.config
        text_encoder.check(config.text_encoder, config.text_dim)
        if config.feature_dim != FEATURE_DIM or refiner.config.feature_dim != FEATURE_DIM:
            raise ValueError(f"planner/refiner feature_dim must be {FEATURE_DIM}")
        if refiner.config.text_dim != config.text_dim:
            raise ValueError(f"refiner text_dim {refiner.config.text_dim} != planner text_dim {config.text_dim}")
        self.planner, self.refiner, self.scheduler = planner.eval(), refiner.eval(), scheduler
        self.text_encoder, self.feature_stats, self.name = text_encoder, feature_stats, name
        self.backend = backend
        self.sampling = check_recommendation(sampling)  # what a call that names no setting uses
        self._plan_fn, self._denoise_fn = runners(backend, self, onnx_folder)

    # ------------------------------------------------------------------ persistence

    @classmethod
    def from_preset(cls, preset: str = "small", text_encoder=None, feature_stats: FeatureStats | None = None,
                    planner_overrides: dict | None = None, refiner_overrides: dict | None = None,
                    seed: int = 0) -> StickGenPipeline:
        """A randomly initialised pipeline of a preset (``small``/``medium``/``large``), for training or tests.

        ``planner_overrides``/``refiner_overrides`` change config fields (for example tiny test models);
        weights are drawn with ``torch.manual_seed(seed)``.
        """
        from .models import StickGenConfig, StickGenPlanner
        from .models.modeling_refiner import StickGenRefiner, make_scheduler
        from .text import TextEncoder

        encoder = text_encoder or TextEncoder()
        overrides = {"text_encoder": encoder.name, "text_dim": encoder.dim, **(planner_overrides or {})}
        torch.manual_seed(seed)
        planner = StickGenPlanner(StickGenConfig.from_preset(preset, **overrides))
        refiner = StickGenRefiner.from_preset(preset, text_dim=encoder.dim, **(refiner_overrides or {}))
        return cls(planner, refiner, make_scheduler(), encoder, feature_stats or FeatureStats.identity(),
                   name=f"stickgen-{preset}")

    @classmethod
    def from_pretrained(cls, path_or_hub_id: str | Path, backend: str = "pytorch", text_encoder=None,
                        **hub_kwargs) -> StickGenPipeline:
        """Load a saved folder, or download a Hub repository (honours ``HF_HUB_OFFLINE``). A damaged folder
        raises :class:`stickgen.model_folder.ModelFolderError` naming the file and field."""
        from diffusers import DDIMScheduler

        from .models import StickGenPlanner
        from .models.modeling_refiner import StickGenRefiner
        from .text import TextEncoder

        folder = Path(path_or_hub_id)
        if not folder.is_dir():
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(str(path_or_hub_id), **hub_kwargs))
        index_path = folder / MODEL_INDEX
        if not index_path.exists():
            raise FileNotFoundError(f"{folder} has no {MODEL_INDEX}; not a StickGenPipeline folder")
        index = json.loads(index_path.read_text())
        check_model_folder(folder)  # configs and weights headers, before any model is built
        planner = StickGenPlanner.from_pretrained(folder / "planner")
        refiner = StickGenRefiner.from_pretrained(folder / "refiner")
        scheduler = DDIMScheduler.from_pretrained(folder / "scheduler")
        encoder = text_encoder or TextEncoder(index["text_encoder"]["name"])
        return cls(planner, refiner, scheduler, encoder, FeatureStats.load(folder),
                   name=index.get("name", folder.name), backend=backend, onnx_folder=folder / "onnx",
                   sampling=index.get("sampling"))

    def save_pretrained(self, folder: str | Path) -> Path:
        """Write every component into ``folder`` (see the module docstring for the layout)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        planner = self.planner.get_base_model() if hasattr(self.planner, "get_base_model") else self.planner
        planner.save_pretrained(folder / "planner")
        self.refiner.save_pretrained(folder / "refiner")
        self.scheduler.save_pretrained(folder / "scheduler")
        self.feature_stats.save(folder)
        index = {
            "_class_name": type(self).__name__, "_stickgen_version": __version__, "name": self.name,
            "planner": ["stickgen.models", "StickGenPlanner"],
            "refiner": ["stickgen.models.modeling_refiner", "StickGenRefiner"],
            "scheduler": ["diffusers", type(self.scheduler).__name__],
            "text_encoder": {"name": self.text_encoder.name, "dim": self.text_encoder.dim},
            "sampling": self.sampling,
        }
        (folder / MODEL_INDEX).write_text(json.dumps(index, indent=2) + "\n")
        return folder

    # ------------------------------------------------------------------ LoRA

    def load_lora(self, path: str | Path, adapter_name: str | None = None) -> None:
        """Load a PEFT LoRA adapter for the planner (and make it active)."""
        from peft import PeftModel

        if self.backend != "pytorch":
            raise ValueError(f"LoRA adapters run on the pytorch backend, not {self.backend!r}")
        name = adapter_name or "default"
        if isinstance(self.planner, PeftModel):
            self.planner.load_adapter(str(path), adapter_name=name)
        else:
            self.planner = PeftModel.from_pretrained(self.planner, str(path), adapter_name=name)
        self.planner.set_adapter(name)
        self.planner.eval()

    def set_adapter(self, name: str) -> None:
        """Make a loaded LoRA adapter the active one."""
        from peft import PeftModel

        if not isinstance(self.planner, PeftModel):
            raise ValueError("no LoRA adapter loaded; call load_lora first")
        self.planner.set_adapter(name)

    # ------------------------------------------------------------------ generation

    def __call__(self, prompt_or_plan: Any, duration: float = 10.0, seed: int | None = None,
                 num_inference_steps: int | None = None, guidance_scale: float | None = None,
                 root_guidance_scale: float | None = None, strength: float | None = None,
                 lowpass_hz: float | None = None, pace: bool | None = None, generator=None,
                 fps: float = 25, trajectory: np.ndarray | None = None,
                 headings: np.ndarray | None = None) -> Scene | list[Scene]:
        """Generate a :class:`Scene` (or a list of them for a list of prompts/plans, in one batch).

        ``prompt_or_plan``: a prompt string, a story ``Script`` or a :class:`ScenePlan`. The same
        ``seed`` gives the same scene; ``num_inference_steps=0`` skips the refiner (planner only). The
        sampling settings are described in :mod:`stickgen.sampling`; one left ``None`` uses the
        checkpoint's recommendation (:attr:`sampling`). The plan's control signals
        (:mod:`stickgen.control`) steer the planner; ``trajectory [T, 2]`` (world x/z metres per frame
        of the plan's clock) with optional ``headings [T]`` (radians) replaces the first actor's root
        path with the caller's own (:func:`with_trajectory`).
        """
        sampling = self.resolve_sampling(num_inference_steps=num_inference_steps, guidance_scale=guidance_scale,
                                         root_guidance_scale=root_guidance_scale, strength=strength,
                                         lowpass_hz=lowpass_hz, pace=pace)

        items = list(prompt_or_plan) if isinstance(prompt_or_plan, (list, tuple)) else [prompt_or_plan]
        plans = [self._to_plan(item, duration, fps) for item in items]
        if trajectory is not None:
            plans = [with_trajectory(plan, trajectory, headings) for plan in plans]
        generator, seed = _generator(seed, generator)
        model_fps = self.planner.config.fps
        clock = lambda plan: (plan.num_frames, plan.fps)  # noqa: E731  plans sharing it share a batch
        results: dict[tuple, tuple[list[np.ndarray], list[np.ndarray]]] = {}
        with torch.inference_mode():
            for key in sorted({clock(plan) for plan in plans}):
                same = [plan for plan in plans if clock(plan) == key]
                results[key] = self._generate(same, generator, sampling)
        taken = dict.fromkeys(results, 0)
        scenes = []
        for plan, item in zip(plans, items):
            joints, contacts = results[clock(plan)]
            first = taken[clock(plan)]
            taken[clock(plan)] += len(plan.actors)
            count = len(plan.actors)
            motions = world_motions(plan, joints[first:first + count], contacts[first:first + count], model_fps,
                                    steered=bool(self.planner.config.control_dim))
            meta = {**plan.meta, "prompt": item if isinstance(item, str) else plan.meta.get("prompt"),
                    "seed": seed, "model": self.name, "generator": f"stickgen {__version__}",
                    "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    **sampling.meta(), "backend": self.backend}
            scenes.append(Scene(motions, fps=plan.fps, camera=plan.camera, objects=plan.objects, meta=meta))
        return scenes if isinstance(prompt_or_plan, (list, tuple)) else scenes[0]

    def edit(self, joints: np.ndarray, text: str, action_ids: np.ndarray, keep_frames: np.ndarray | None = None,
             keep_joints: Sequence[int] = (), seed: int | None = None, num_inference_steps: int | None = None,
             guidance_scale: float | None = None, root_guidance_scale: float | None = None,
             strength: float | None = None, lowpass_hz: float | None = None, generator=None) -> np.ndarray:
        """Regenerate a world clip around what is kept: in-betweening and joint/trajectory constraints.

        joints ``[T, 22, 3]`` at the model's frame rate (any length: a clip longer than the planner's
        ``max_frames`` is edited window by window, as generation plans it); action_ids ``[T]``;
        keep_frames ``[T]`` bool (frames reproduced as given); keep_joints: joints whose channels are
        kept over the whole clip (``0`` keeps the root trajectory). Returns the post-processed world
        clip ``[T, 22, 3]``; kept features are reproduced exactly, and the root path is bent to meet the
        kept frames (:func:`stickgen.placement.align_to_keyframes`), before post-processing. Sampling
        settings left ``None`` use :attr:`sampling` (at least one refiner step: editing needs the refiner).
        """
        from .features import joint_channels

        joints = np.asarray(joints, dtype=np.float64)
        if joints.ndim != 3 or joints.shape[1:] != (22, 3) or len(joints) == 0:
            raise ValueError(f"joints: expected shape [T, 22, 3] with T >= 1, got {list(joints.shape)}")
        length = len(joints)
        frame_mask = np.zeros(length, bool) if keep_frames is None else np.asarray(keep_frames, bool)
        if frame_mask.shape != (length,) or np.shape(action_ids) != (length,):
            raise ValueError(f"keep_frames and action_ids must have shape [{length}]")
        keep = np.repeat(frame_mask[:, None], FEATURE_DIM, axis=1)
        keep[:, joint_channels(keep_joints)] = True
        generator, _ = _generator(seed, generator)
        inputs = dict(text=torch.as_tensor(self.text_encoder.encode([text])),
                      actions=torch.as_tensor(np.asarray(action_ids, dtype=np.int64)[None]),
                      cameras=torch.zeros(1, dtype=torch.long))
        with torch.inference_mode():
            sampling = self.resolve_sampling(num_inference_steps=num_inference_steps, guidance_scale=guidance_scale,
                                             root_guidance_scale=root_guidance_scale, strength=strength,
                                             lowpass_hz=lowpass_hz)
            sampling = sampling._replace(num_inference_steps=max(sampling.num_inference_steps, 1))
            (world,), (contacts,) = self.sampler().sample(inputs, None, generator, sampling, given=joints[None],
                                                          keep=keep[None])
        world = align_to_keyframes(world, joints, frame_mask)
        lengths = np.median(bone_lengths(joints), axis=0)  # the given actor's skeleton
        return postprocess(world, self.planner.config.fps, contacts > 0.5, lengths)

    def resolve_sampling(self, **given: float | None) -> Sampling:
        """The call's :class:`~stickgen.sampling.Sampling`: each setting named in ``given`` (by its keyword,
        ``None``: not named) or else :attr:`sampling`'s (a ValueError for unknown or invalid settings)."""
        return resolve(self.sampling, self.planner.config.fps, **given)

    def _to_plan(self, item: Any, duration: float, fps: float) -> ScenePlan:
        if isinstance(item, ScenePlan):
            return item
        from . import story

        if isinstance(item, str):
            return story.plan_from_prompt(item, duration=duration, fps=fps, matcher=self.story_matcher())
        return story.script_to_plan(item, fps=fps)

    def sampler(self) -> WindowSampler:
        """The window sampler over this pipeline's planner, refiner (on its backend) and feature statistics."""
        return WindowSampler(self.planner.config, self.feature_stats, self.scheduler, self._plan_fn, self._denoise_fn)

    def story_matcher(self):
        """The ``matcher`` for :func:`stickgen.story.parse`: the embedding matcher on this pipeline's own
        MiniLM, so a process loads one. A pipeline conditioned on another encoder gives the parser's
        default, ``"embedding"`` (its shared MiniLM, which its similarity threshold is tuned for).
        """
        if getattr(self.text_encoder, "name", None) != MINILM:
            return "embedding"
        from .story.similarity import embedding_matcher

        return embedding_matcher(self.text_encoder)

    def _generate(self, plans: list[ScenePlan], generator,
                  sampling: Sampling) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Canonical joints ``[T, 22, 3]`` and contacts ``[T, 4]`` of every actor of ``plans`` (same length and fps).

        Runs at the model's frame rate. Actors with a partner get a second pass conditioned on the
        partner's planner-only first pass (:func:`stickgen.staging.partner_joints`). ``sampling``: see :meth:`resolve_sampling`.
        """
        actors = [actor for plan in plans for actor in plan.actors]
        model_fps, plan_fps, num_frames = self.planner.config.fps, plans[0].fps, plans[0].num_frames
        frames = max(1, int(round(num_frames * model_fps / plan_fps)))
        pick = np.minimum((np.arange(frames) * plan_fps / model_fps).astype(int), num_frames - 1)
        inputs = dict(
            text=torch.as_tensor(self.text_encoder.encode([a.text for a in actors])),
            actions=torch.as_tensor(np.stack([a.action_ids[pick] for a in actors])),
            # the static row: training never gave a shot label, so every other camera row is untrained
            cameras=torch.zeros(sum(len(p.actors) for p in plans), dtype=torch.long),
            speeds=np.stack([np.full(frames, np.nan) if a.target_speed is None else a.target_speed[pick]
                             for a in actors]),
            control=np.stack([np.full((frames, CONTROL_DIM), np.nan) if a.control is None else a.control[pick]
                              for a in actors]))
        offsets = [sum(len(p.actors) for p in plans[:k]) for k, plan in enumerate(plans) for _ in plan.actors]
        partners = [a.partner + o if a.partner is not None else None for a, o in zip(actors, offsets)]
        sampler = self.sampler()
        if all(p is None for p in partners):
            return named_hands(*sampler.sample(inputs, None, generator, sampling), inputs["control"], model_fps)
        first, _ = sampler.sample(inputs, None, generator, sampling.planner_only())
        clocked = [replace(a, action_ids=a.action_ids[pick], partner=k,  # the batch's indices, the model's clock
                           meets=[(int(f * model_fps / plan_fps), j + o, d) for f, j, d in a.meets])
                   for a, k, o in zip(actors, partners, offsets)]
        joints, contacts = sampler.sample(inputs, partner_joints(clocked, first, model_fps), generator, sampling)
        return named_hands(joints, contacts, inputs["control"], model_fps)

def _generator(seed: int | None, generator):
    """``(generator, seed)``: the given generator, or one seeded with ``seed`` (a fresh random seed if None)."""
    import torch

    if generator is not None:
        return generator, seed
    seed = int(np.random.SeedSequence().entropy % 2**31) if seed is None else int(seed)
    return torch.Generator().manual_seed(seed), seed
