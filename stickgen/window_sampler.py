"""The window sampler: planner and refiner run window by window over a clip of any length (tensors and
arrays only; no story, no world).

Each window after the first continues from the last ``window_overlap`` frames of the one before
(:mod:`stickgen.windows`): the planner plans it in one pass, the plan is steered onto the controls
(:mod:`stickgen.steering`), optionally paced (:mod:`stickgen.pacing`), and the refiner's DDIM loop redraws
the body around what is kept; the refiner's correction is low-passed and tapered at the seam.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from . import vocab
from .control import CONTROL_DIM, LIMB_CONTROLS
from .control import normalize as normalize_control
from .denoising import denoise
from .features import (
    CONTACTS,
    FEATURE_DIM,
    HEADING_VELOCITY,
    PARTNER_DIM,
    ROOT_HEIGHT,
    ROOT_VELOCITY,
    FeatureStats,
    canonical_transform,
    decode,
    encode,
    to_canonical,
)
from .limb_steering import held_limb_features
from .pacing import pace_normalized
from .sampling import SamplingSettings
from .skeleton import foot_contacts, rotate_y
from .steering import steer_plan, steered_frames
from .windows import join_seams, lowpass, seam_taper, window_starts


@dataclass
class WindowSampler:
    """Runs ``plan(inputs) -> pose [B, T, 137]`` and ``denoise`` (:mod:`stickgen.backends`) with the
    planner's ``config`` (``max_frames``, ``window_overlap``, ``fps``, ``control_dim``), the
    ``feature_stats`` that normalise features and the refiner's DDIM ``scheduler``; ``progress`` (a tqdm
    bar) is advanced and ``on_window_end`` called once per window."""

    config: Any
    feature_stats: FeatureStats
    scheduler: Any
    plan: Callable
    denoise: Callable
    progress: Any = None
    on_window_end: Callable[[], None] | None = None

    def sample(self, inputs: dict, partner: np.ndarray | None, generator,
                 sampling: SamplingSettings, given: np.ndarray | None = None,
                 keep: np.ndarray | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Plan (and refine) window by window; returns joints and contacts per actor.

        Each window after the first continues from the last ``window_overlap`` frames of the one before.
        Without ``given`` the joints are canonical (the first window starts at the origin facing +z);
        ``given [B, T, 22, 3]`` world joints with ``keep [B, T, 137]`` bool (features reproduced exactly)
        edits them in the world instead (``StickGenPipeline.edit``).
        """
        config = self.config
        size, overlap = config.max_frames, config.window_overlap
        b, total = inputs["actions"].shape
        if given is None:
            joints, contacts = np.zeros((b, total, 22, 3)), np.zeros((b, total, 4))
            keep = np.zeros((b, total, FEATURE_DIM), bool)
        else:
            joints = np.array(given, dtype=np.float64)
            contacts = np.stack([foot_contacts(clip, config.fps) for clip in joints]).astype(np.float64)
        for start in window_starts(total, size, overlap):
            end = min(start + size, total)
            length = end - start
            known_count = 0 if start == 0 else overlap
            window_keep = keep[:, start:end].copy()
            window_keep[:, :known_count] = True
            encoded = length if given is not None else known_count  # frames whose joints exist yet
            known = np.zeros((b, length, FEATURE_DIM), np.float32)
            frames = []
            for i in range(b):
                origin, heading = canonical_transform(joints[i, start:]) if encoded else (np.zeros(3), 0.0)
                origin[1] = self.window_floor(joints[i, start:start + known_count], inputs["actions"][i, start:end])
                if encoded:
                    window = joints[i, start:start + encoded] - np.array([0.0, origin[1], 0.0])
                    known[i, :encoded] = self.feature_stats.normalize(
                        encode(window, config.fps, contacts[i, start:start + encoded]))
                frames.append((origin, heading))
            window_partner = np.zeros((b, length, PARTNER_DIM), np.float32)
            if partner is not None:
                for i, (origin, heading) in enumerate(frames):
                    window_partner[i] = to_canonical(partner[i, start:end], origin, heading).reshape(length, -1)
            inputs_now = dict(inputs, actions=inputs["actions"][:, start:end])
            for key in ("speeds", "control"):
                if key in inputs:
                    inputs_now[key] = inputs[key][:, start:end]
            pose = self.plan_and_refine(inputs_now, known, window_keep.all(axis=-1), window_keep, window_partner,
                                         generator, sampling, first_frame=start)
            features = self.feature_stats.denormalize(pose.numpy().astype(np.float64))
            for i, (origin, heading) in enumerate(frames):
                window_joints = rotate_y(decode(features[i], config.fps), heading) + origin
                joints[i, start + known_count:end] = window_joints[known_count:]
                contacts[i, start + known_count:end] = features[i, known_count:, CONTACTS] > 0.5
            if self.progress is not None:
                self.progress.update()
            if self.on_window_end is not None:
                self.on_window_end()
        return list(joints), list(contacts)

    @staticmethod
    def window_floor(continued: np.ndarray, action_ids) -> float:
        """Height (m) a generation window stands on: the lowest joint over the frames it continues from
        (``continued [K, 22, 3]``, world) when its ``action_ids`` include an ascending action (a climb
        starts where the last window left off, its features in the range the model was trained on), else 0.
        """
        ascending = {vocab.ACTIONS[int(i)].name for i in np.unique(np.asarray(action_ids))} & vocab.ASCENDING_ACTIONS
        if not ascending or len(continued) == 0:
            return 0.0
        return max(float(continued[..., 1].min()), 0.0)

    def plan_and_refine(self, inputs: dict, known: np.ndarray, frame_mask: np.ndarray, channel_mask: np.ndarray,
                         partner: np.ndarray | None, generator, sampling: SamplingSettings, first_frame: int = 0):
        """One window through planner and refiner: normalised features ``[B, T, 137]`` (a tensor).

        ``known [B, T, 137]`` normalised features kept exactly where ``channel_mask`` (broadcastable) is
        set; ``frame_mask [B, T]`` marks fully known frames for the planner; ``partner [B, T, 66]``;
        ``sampling``: the refiner's settings (0 steps: planner only). With ``sampling.pace``, the refiner
        on and ``inputs["speeds"] [B, T]`` (m/s, NaN: free), the refiner is given the plan with its pelvis
        paced to those speeds (:func:`stickgen.pacing.pace`). ``first_frame``: the clip's frame the window
        starts at.
        """
        b, length = inputs["actions"].shape
        known_t = torch.as_tensor(known, dtype=torch.float32)
        mask = torch.as_tensor(np.broadcast_to(channel_mask, known.shape).astype(np.float32))
        partner = np.zeros((b, length, PARTNER_DIM), np.float32) if partner is None else partner
        planner_inputs = dict(
            text_embeds=inputs["text"], action_ids=inputs["actions"],
            attention_mask=torch.ones(b, length, dtype=torch.bool), camera_ids=inputs["cameras"],
            known_features=known_t, known_mask=torch.as_tensor(frame_mask, dtype=torch.float32),
            partner_joints=torch.as_tensor(partner, dtype=torch.float32),
            has_partner=torch.as_tensor(np.any(partner != 0, axis=(1, 2)), dtype=torch.float32))
        steered = lifted = np.zeros((b, length), bool)
        limbs = False
        if self.config.control_dim:
            given = inputs.get("control", np.full((b, length, CONTROL_DIM), np.nan))
            values, given_mask = normalize_control(given)  # a planner of fewer channels takes the first ones
            planner_inputs.update(control=torch.as_tensor(values[..., :self.config.control_dim]),
                                  control_mask=torch.as_tensor(given_mask[..., :self.config.control_dim]))
            steered, lifted = steered_frames(given, self.config.fps)
            limbs = bool(np.isfinite(given[..., list(LIMB_CONTROLS)]).any())
        pose = self.plan(planner_inputs).float()
        pose = torch.as_tensor(join_seams(pose.numpy(), known, frame_mask))
        if steered.any() or lifted.any() or limbs:
            pose = torch.as_tensor(steer_plan(pose.numpy(), self.feature_stats, given, self.config.fps,
                                              ~np.asarray(frame_mask, bool), first_frame))
        pose = pose * (1 - mask) + known_t * mask
        if sampling.pace and sampling.num_inference_steps > 0 and "speeds" in inputs:
            pose = self._pace(pose, inputs["speeds"], frame_mask)
        if sampling.num_inference_steps > 0:
            # the refiner draws the body around the root the controls steered (kept where they fix it)
            root, height = torch.zeros(FEATURE_DIM), torch.zeros(FEATURE_DIM)
            root[ROOT_VELOCITY], root[HEADING_VELOCITY], height[ROOT_HEIGHT] = 1.0, 1.0, 1.0
            height[CONTACTS] = 1.0  # and a jump's feet leave the ground in flight (steering.lift_jumps)
            held = torch.maximum(mask, torch.as_tensor(steered, dtype=torch.float32)[..., None] * root
                                 + torch.as_tensor(lifted, dtype=torch.float32)[..., None] * height)
            if limbs:  # and the legs of a kick and the arms of a clap or a wave as steering placed them
                limb_held = np.stack([held_limb_features(c, ~np.asarray(f, bool)) for c, f in zip(given, frame_mask)])
                held = torch.maximum(held, torch.as_tensor(limb_held, dtype=torch.float32))
            fixed = known_t * mask + pose * (held - mask)
            refined = denoise(self.denoise, self.scheduler, pose, inputs["text"], sampling.num_inference_steps,
                              torch.as_tensor(sampling.guidance()), generator,
                              known=fixed, known_mask=held, strength=sampling.strength,
                              action_ids=inputs["actions"], guided_fraction=sampling.guided_fraction)
            correction = (refined - pose).numpy()
            if sampling.lowpass_hz > 0:  # low-pass the correction of the plan, not the plan
                correction = lowpass(correction, sampling.lowpass_hz, self.config.fps)
            correction = correction * seam_taper(frame_mask)[..., None]
            pose = (pose + torch.as_tensor(correction)) * (1 - mask) + known_t * mask
        return pose

    def _pace(self, pose: torch.Tensor, speeds: np.ndarray, frame_mask: np.ndarray) -> torch.Tensor:
        """The plan ``pose [B, T, 137]`` (normalised) with its pelvis paced to ``speeds [B, T]`` (m/s, NaN:
        free) on the frames not in ``frame_mask [B, T]`` (:func:`stickgen.pacing.pace_normalized`)."""
        paced, _ = pace_normalized(pose.numpy(), self.feature_stats, speeds, ~np.asarray(frame_mask, bool))
        return torch.as_tensor(paced)
