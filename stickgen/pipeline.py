"""``StickGenPipeline``: text (or a script, or a scene plan) to :class:`~stickgen.motion.Scene` s.

Built from swappable parts like a diffusers pipeline: a :class:`~stickgen.text.TextEncoder`, the
planner (one forward pass per window), the refiner with its DDIM scheduler, and the feature statistics.
A call goes through four stages::

    prompt --story engine--> ScenePlan --window sampler--> canonical clips --world stage--> Scene
           (stickgen.story)  (actors,    (stickgen.window_sampler:         (stickgen.world: placed,
                              controls)   planner + refiner, all actors     staged, feet planted)
                                          of all prompts in one batch)

Loading, saving and LoRA adapters are in :mod:`stickgen.pipeline_loading`; the backends (PyTorch or
onnxruntime) in :mod:`stickgen.backends`; the sampling settings in :mod:`stickgen.sampling`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from . import __version__
from .backends import runners
from .conditioning import ScenePlan, with_trajectory
from .control import CONTROL_DIM
from .features import FEATURE_DIM, FeatureStats, joint_channels
from .key_poses import KeyPose, key_poses, pinned_frames, posed_scene
from .motion import Scene
from .physics import postprocess
from .pipeline_loading import MODEL_INDEX, PipelineLoadingMixin
from .placement import align_to_keyframes
from .sampling import SamplingSettings
from .skeleton import bone_lengths
from .staging import partner_joints
from .steering import named_hands
from .text import MINILM
from .window_sampler import WindowSampler
from .windows import window_starts
from .world import world_motions

__all__ = ["MODEL_INDEX", "OUTPUT_TYPES", "StickGenPipeline", "StickGenPipelineOutput"]

OUTPUT_TYPES = ("scene", "np")


@dataclass
class StickGenPipelineOutput:
    """What a call returns: one entry per prompt or plan, in order. With ``output_type="scene"`` each is
    a :class:`~stickgen.motion.Scene`; with ``"np"`` the world joints of its actors, ``[A, T, 22, 3]``
    (metres, the plan's frame rate)."""

    scenes: list[Scene] | list[np.ndarray]


class StickGenPipeline(PipelineLoadingMixin):
    """Text-to-motion pipeline. ``backend`` is ``"pytorch"`` or ``"onnx"`` (needs ``onnx/`` models);
    ``sampling`` is the checkpoint's recommendation (:class:`~stickgen.sampling.SamplingSettings` or its
    JSON form), what a call that names no setting uses. ``image_encoder`` (optional, a
    ``StickGenImageEncoder``) reads key poses from pictures (``pipe(prompt, image=...)``)."""

    def __init__(self, planner, refiner, scheduler, text_encoder, feature_stats: FeatureStats,
                 name: str = "stickgen", backend: str = "pytorch", onnx_folder: str | Path | None = None,
                 sampling: SamplingSettings | dict[str, Any] | None = None, image_encoder=None):
        config = planner.config
        text_encoder.check(config.text_encoder, config.text_dim)
        if config.feature_dim != FEATURE_DIM or refiner.config.feature_dim != FEATURE_DIM:
            raise ValueError(f"planner/refiner feature_dim must be {FEATURE_DIM}")
        if refiner.config.text_dim != config.text_dim:
            raise ValueError(f"refiner text_dim {refiner.config.text_dim} != planner text_dim {config.text_dim}")
        self.planner, self.refiner, self.scheduler = planner.eval(), refiner.eval(), scheduler
        self.image_encoder = None if image_encoder is None else image_encoder.eval()
        self.text_encoder, self.feature_stats, self.name = text_encoder, feature_stats, name
        self.backend, self.device = backend, torch.device("cpu")
        self.sampling = sampling if isinstance(sampling, SamplingSettings) else SamplingSettings.from_dict(sampling)
        self._plan_fn, self._denoise_fn = runners(backend, self, onnx_folder)
        self._progress_bar_config: dict[str, Any] = {"disable": None}  # tqdm's None: shown on a terminal only

    def __call__(self, prompt: Any, duration: float = 10.0, *, sampling: SamplingSettings | None = None,
                 seed: int | None = None, generator: torch.Generator | None = None, fps: float = 25,
                 trajectory: np.ndarray | None = None, headings: np.ndarray | None = None,
                 image: Any = None, image_time: float | Sequence[float] = 0.0,
                 output_type: str = "scene", return_dict: bool = True,
                 callback_on_window_end: Callable[[int, int], None] | None = None, **settings: Any):
        """Generate one scene per prompt: ``pipe("a person waves").scenes[0]``.

        ``prompt``: a prompt string, a story ``Script`` or a :class:`ScenePlan`, or a list of them (one
        batch). ``duration`` in seconds and ``fps`` of the output apply to prompts (plans carry their own).
        ``generator`` is the one source of randomness; ``seed`` seeds a fresh one (recorded in the scene's
        metadata; None: a random seed). Sampling settings: ``sampling`` (default: the checkpoint's
        recommendation, :attr:`sampling`) with any single setting overridden by keyword, as in diffusers
        (``num_inference_steps=0`` runs the planner alone; :mod:`stickgen.sampling` lists them). The plan's
        control signals (:mod:`stickgen.control`) steer the planner; ``trajectory [T, 2]`` (world x/z
        metres per frame of the plan's clock) with optional ``headings [T]`` (radians) replaces the first
        actor's root path with the caller's own (:func:`with_trajectory`). ``image``: a picture of a stick
        figure (a PIL image, an ``[H, W, 3]`` array or a file path) or a list of them, read by the
        :attr:`image_encoder` as key poses of the first actor at ``image_time`` seconds (one time, or one per
        picture; :mod:`stickgen.key_poses`): the clip passes through each pose and the text drives the rest,
        and the scene is seen from the first picture's camera (one prompt only). ``callback_on_window_end(done,
        total)`` is called after each generated window (an exception it raises stops the generation there).
        Returns a :class:`StickGenPipelineOutput`, or the tuple ``(scenes,)`` with ``return_dict=False``.
        """
        if output_type not in OUTPUT_TYPES:
            raise ValueError(f"output_type must be one of {OUTPUT_TYPES}, got {output_type!r}")
        sampling = self.resolve_sampling(sampling, **settings)
        items = list(prompt) if isinstance(prompt, (list, tuple)) else [prompt]
        if image is not None and self.image_encoder is None:
            raise ValueError("image= needs an image encoder: this pipeline has none (a folder with image_encoder/, "
                             "or pipe.image_encoder = StickGenImageEncoder.from_pretrained(...))")
        if image is not None and len(items) != 1:
            raise ValueError(f"image= poses the first actor of one prompt; got {len(items)} prompts")
        plans = [self.plan(item, duration, fps, trajectory, headings) for item in items]
        keys = [] if image is None else self.key_poses(image, image_time, plans[0])
        generator, seed = _generator(seed, generator)
        clips = self.sample_clips(plans, generator, sampling, callback_on_window_end)
        if keys:
            clips[0] = self.pin_key_poses(plans[0], clips[0], keys, generator, sampling)
        scenes = [self.to_scene(plan, item, clip, seed, sampling) for plan, item, clip in zip(plans, items, clips)]
        if keys:
            scenes[0] = posed_scene(scenes[0], clips[0][0][0], keys, self.planner.config.fps)
        if output_type == "np":
            scenes = [np.stack([actor.joints for actor in scene.actors]) for scene in scenes]
        return StickGenPipelineOutput(scenes) if return_dict else (scenes,)

    def plan(self, item: Any, duration: float = 10.0, fps: float = 25, trajectory: np.ndarray | None = None,
             headings: np.ndarray | None = None) -> ScenePlan:
        """The story engine's :class:`ScenePlan` of a prompt or ``Script`` (a plan is returned as it is),
        with the caller's ``trajectory``/``headings`` for its first actor when given."""
        if isinstance(item, ScenePlan):
            plan = item
        else:
            from . import story

            plan = story.plan_from_prompt(item, duration=duration, fps=fps, matcher=self.story_matcher()) \
                if isinstance(item, str) else story.script_to_plan(item, fps=fps)
        return plan if trajectory is None else with_trajectory(plan, trajectory, headings)

    def sample_clips(self, plans: list[ScenePlan], generator: torch.Generator, sampling: SamplingSettings,
                     callback_on_window_end: Callable[[int, int], None] | None = None,
                     ) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
        """Each plan's canonical joints ``[T, 22, 3]`` and contacts ``[T, 4]`` per actor, at the model's frame
        rate. Plans that share a clock (frame count and rate) go through the models in one batch;
        ``callback_on_window_end(done, total)`` follows the windows."""
        clock = lambda plan: (plan.num_frames, plan.fps)  # noqa: E731
        results, done = {}, 0
        with torch.inference_mode(), self.progress_bar() as progress:
            def window_end() -> None:  # counted here: a disabled tqdm bar counts nothing
                nonlocal done
                done += 1
                callback_on_window_end(done, progress.total)

            for key in sorted({clock(plan) for plan in plans}):
                results[key] = self._generate([plan for plan in plans if clock(plan) == key], generator, sampling,
                                              progress, window_end if callback_on_window_end else None)
        clips, taken = [], dict.fromkeys(results, 0)
        for plan in plans:
            joints, contacts = results[clock(plan)]
            first, count = taken[clock(plan)], len(plan.actors)
            taken[clock(plan)] += count
            clips.append((joints[first:first + count], contacts[first:first + count]))
        return clips

    def to_scene(self, plan: ScenePlan, item: Any, clip: tuple[list[np.ndarray], list[np.ndarray]], seed: int | None,
                 sampling: SamplingSettings) -> Scene:
        """The world stage: ``clip`` (:meth:`sample_clips`) placed, staged and post-processed
        (:func:`stickgen.world.world_motions`) into a :class:`Scene` with the call's metadata."""
        joints, contacts = clip
        motions = world_motions(plan, joints, contacts, self.planner.config.fps,
                                steered=bool(self.planner.config.control_dim))
        meta = {**plan.meta, "prompt": item if isinstance(item, str) else plan.meta.get("prompt"),
                "seed": seed, "model": self.name, "generator": f"stickgen {__version__}",
                "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "sampling": sampling.to_dict(), "backend": self.backend}
        return Scene(motions, fps=plan.fps, camera=plan.camera, objects=plan.objects, meta=meta)

    def edit(self, joints: np.ndarray, text: str, action_ids: np.ndarray, keep_frames: np.ndarray | None = None,
             keep_joints: Sequence[int] = (), *, sampling: SamplingSettings | None = None, seed: int | None = None,
             generator: torch.Generator | None = None, **settings: Any) -> np.ndarray:
        """Regenerate a world clip around what is kept: in-betweening and joint/trajectory constraints.

        joints ``[T, 22, 3]`` at the model's frame rate (any length: a clip longer than the planner's
        ``max_frames`` is edited window by window, as generation plans it); action_ids ``[T]``;
        keep_frames ``[T]`` bool (frames reproduced as given); keep_joints: joints whose channels are
        kept over the whole clip (``0`` keeps the root trajectory). Returns the post-processed world
        clip ``[T, 22, 3]``; kept features are reproduced exactly, and the root path is bent to meet the
        kept frames (:func:`stickgen.placement.align_to_keyframes`), before post-processing. ``sampling`` and
        ``settings`` as in :meth:`__call__` (at least one refiner step: editing needs the refiner).
        """
        joints = np.asarray(joints, dtype=np.float64)
        if joints.ndim != 3 or joints.shape[1:] != (22, 3) or len(joints) == 0:
            raise ValueError(f"joints: expected shape [T, 22, 3] with T >= 1, got {list(joints.shape)}")
        length = len(joints)
        frame_mask = np.zeros(length, bool) if keep_frames is None else np.asarray(keep_frames, bool)
        if frame_mask.shape != (length,) or np.shape(action_ids) != (length,):
            raise ValueError(f"keep_frames and action_ids must have shape [{length}]")
        keep = np.repeat(frame_mask[:, None], FEATURE_DIM, axis=1)
        keep[:, joint_channels(keep_joints)] = True
        sampling = self.resolve_sampling(sampling, **settings)
        sampling = sampling.replace(num_inference_steps=max(sampling.num_inference_steps, 1))
        generator, _ = _generator(seed, generator)
        inputs = dict(text=torch.as_tensor(self.text_encoder.encode([text])),
                      actions=torch.as_tensor(np.asarray(action_ids, dtype=np.int64)[None]),
                      cameras=torch.zeros(1, dtype=torch.long))
        with torch.inference_mode():
            (world,), (contacts,) = self.sampler().sample(inputs, None, generator, sampling, given=joints[None],
                                                          keep=keep[None])
        world = align_to_keyframes(world, joints, frame_mask)
        lengths = np.median(bone_lengths(joints), axis=0)  # the given actor's skeleton
        return postprocess(world, self.planner.config.fps, contacts > 0.5, lengths)

    def key_poses(self, image: Any, image_time: float | Sequence[float], plan: ScenePlan) -> list[KeyPose]:
        """The :class:`~stickgen.key_poses.KeyPose` s the :attr:`image_encoder` reads from ``image`` (one picture or
        a list) at ``image_time`` seconds of ``plan``, on the model's clock."""
        model_fps = self.planner.config.fps
        frames = max(1, int(round(plan.num_frames * model_fps / plan.fps)))
        return key_poses(self.image_encoder, image, image_time, model_fps, frames)

    def pin_key_poses(self, plan: ScenePlan, clip: tuple[list[np.ndarray], list[np.ndarray]], keys: list[KeyPose],
                      generator: torch.Generator, sampling: SamplingSettings,
                      ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``clip`` (:meth:`sample_clips`, one plan) with its first actor regenerated through the key poses:
        each placed where that actor is at its frame (:func:`~stickgen.key_poses.pinned_frames`) and kept
        exactly, the text and controls driving the frames between (without partner conditioning), the root
        path bent to meet them (:func:`~stickgen.placement.align_to_keyframes`)."""
        joints, contacts = clip
        inputs, _ = self._model_inputs(plan.actors[:1], plan.fps, plan.num_frames)
        given, keep = pinned_frames(keys, joints[0])
        keep_features = np.repeat(keep[:, None], FEATURE_DIM, axis=1)
        with torch.inference_mode(), self.progress_bar() as progress:
            progress.total = len(window_starts(len(given), self.planner.config.max_frames,
                                               self.planner.config.window_overlap))
            (pinned,), (touching,) = self.sampler(progress).sample(inputs, None, generator, sampling,
                                                                   given=given[None], keep=keep_features[None])
        return [align_to_keyframes(pinned, given, keep), *joints[1:]], [touching, *contacts[1:]]

    def resolve_sampling(self, sampling: SamplingSettings | None = None, **settings: Any) -> SamplingSettings:
        """The settings one call runs with: ``sampling`` (default: :attr:`sampling`) with each setting named in
        ``settings`` (``None``: not named) replaced, checked for this model (a ValueError names unknown or
        invalid settings)."""
        return (sampling or self.sampling).replace(**settings).for_model(self.planner.config.fps)

    def sampler(self, progress: tqdm | None = None, on_window_end: Callable[[], None] | None = None) -> WindowSampler:
        """The window sampler over this pipeline's planner, refiner (on its backend) and feature statistics;
        ``progress`` is advanced and ``on_window_end`` called once per window."""
        return WindowSampler(self.planner.config, self.feature_stats, self.scheduler, self._plan_fn, self._denoise_fn,
                             progress, on_window_end)

    def to(self, device: str | torch.device) -> StickGenPipeline:
        """Run planner and refiner on ``device`` (the pytorch backend; the rest stays on the CPU)."""
        if self.backend != "pytorch" and torch.device(device).type != "cpu":
            raise ValueError(f"the {self.backend} backend runs on the CPU only")
        self.device = torch.device(device)
        self.planner.to(self.device)
        self.refiner.to(self.device)
        return self

    def set_progress_bar_config(self, **kwargs: Any) -> None:
        """tqdm options of the progress bar over generation windows (``disable=True`` hides it)."""
        self._progress_bar_config = {**self._progress_bar_config, **kwargs}

    def progress_bar(self) -> tqdm:
        return tqdm(total=0, unit="window", desc="generating", **self._progress_bar_config)

    def story_matcher(self):
        """The ``matcher`` for :func:`stickgen.story.parse`: the embedding matcher on this pipeline's own
        MiniLM, so a process loads one. A pipeline conditioned on another encoder gives the parser's
        default, ``"embedding"`` (its shared MiniLM, which its similarity threshold is tuned for).
        """
        if getattr(self.text_encoder, "name", None) != MINILM:
            return "embedding"
        from .story.similarity import embedding_matcher

        return embedding_matcher(self.text_encoder)

    def _generate(self, plans: list[ScenePlan], generator: torch.Generator, sampling: SamplingSettings,
                  progress: tqdm, on_window_end: Callable[[], None] | None = None,
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Canonical joints ``[T, 22, 3]`` and contacts ``[T, 4]`` of every actor of ``plans`` (same length and fps).

        Runs at the model's frame rate. Actors with a partner get a second pass conditioned on the
        partner's planner-only first pass (:func:`stickgen.staging.partner_joints`). ``progress`` counts windows,
        ``on_window_end`` is called after each.
        """
        actors = [actor for plan in plans for actor in plan.actors]
        model_fps, plan_fps = self.planner.config.fps, plans[0].fps
        inputs, pick = self._model_inputs(actors, plan_fps, plans[0].num_frames)
        frames = len(pick)
        offsets = [sum(len(p.actors) for p in plans[:k]) for k, plan in enumerate(plans) for _ in plan.actors]
        partners = [a.partner + o if a.partner is not None else None for a, o in zip(actors, offsets)]
        sampler = self.sampler(progress, on_window_end)
        passes = 1 if all(p is None for p in partners) else 2
        progress.total = (progress.total or 0) + passes * len(window_starts(frames, sampler.config.max_frames,
                                                                            sampler.config.window_overlap))
        progress.refresh()
        if passes == 1:
            return named_hands(*sampler.sample(inputs, None, generator, sampling), inputs["control"], model_fps)
        first, _ = sampler.sample(inputs, None, generator, sampling.planner_only())
        clocked = [replace(a, action_ids=a.action_ids[pick], partner=k,  # the batch's indices, the model's clock
                           meets=[(int(f * model_fps / plan_fps), j + o, d) for f, j, d in a.meets])
                   for a, k, o in zip(actors, partners, offsets)]
        joints, contacts = sampler.sample(inputs, partner_joints(clocked, first, model_fps), generator, sampling)
        return named_hands(joints, contacts, inputs["control"], model_fps)

    def _model_inputs(self, actors: list, plan_fps: float, num_frames: int) -> tuple[dict[str, Any], np.ndarray]:
        """The window sampler's inputs for ``actors`` (of plans of ``num_frames`` frames at ``plan_fps``) on the
        model's clock, and ``pick [frames]``: the plan frame each model frame takes."""
        model_fps = self.planner.config.fps
        frames = max(1, int(round(num_frames * model_fps / plan_fps)))
        pick = np.minimum((np.arange(frames) * plan_fps / model_fps).astype(int), num_frames - 1)
        inputs = dict(
            text=torch.as_tensor(self.text_encoder.encode([a.text for a in actors])),
            actions=torch.as_tensor(np.stack([a.action_ids[pick] for a in actors])),
            # the static row: training never gave a shot label, so every other camera row is untrained
            cameras=torch.zeros(len(actors), dtype=torch.long),
            speeds=np.stack([np.full(frames, np.nan) if a.target_speed is None else a.target_speed[pick]
                             for a in actors]),
            control=np.stack([np.full((frames, CONTROL_DIM), np.nan) if a.control is None else a.control[pick]
                              for a in actors]))
        return inputs, pick


def _generator(seed: int | None, generator):
    """``(generator, seed)``: the given generator, or one seeded with ``seed`` (a fresh random seed if None)."""
    if generator is not None:
        return generator, seed
    seed = int(np.random.SeedSequence().entropy % 2**31) if seed is None else int(seed)
    return torch.Generator().manual_seed(seed), seed
