"""Planner losses: every head against its real target, plus physics consistency of the decoded motion.

Each term is a per-clip mean over the clip's real frames (``attention_mask``), then a mean over clips,
so a batch split across processes or micro-batches averages to the same number. Terms:

==========================  ===============================================================
``feature``                 MSE of the normalised features (pose head)
``root_position``           Huber loss of the canonical pelvis position (m; far walks stay bounded)
``root_velocity``           MSE of the pelvis velocity (m/s)
``action``                  per-frame action cross-entropy
``contact``                 foot-contact BCE plus MSE of the four foot heights (m)
``physics_head``            Huber loss of centre-of-mass velocity, acceleration, angular momentum
``velocity_consistency``    predicted joint velocities vs the finite differences of the decoded joints
``acceleration_consistency`` physics head's centre-of-mass velocity/acceleration vs the decoded joints
``foot_slide``              squared horizontal speed of decoded foot joints while the target is in contact
``penetration``             decoded joints below the ground (m)
``bone_length``             variance of each decoded bone's length over the clip
``ballistic``               vertical centre-of-mass acceleration vs -g while the target is airborne
==========================  ===============================================================

The refiner's objective is :func:`refiner_loss` (one denoising step).
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from stickgen.features import (
    HEADING_VELOCITY,
    LOCAL_POSITIONS,
    LOCAL_VELOCITIES,
    ROOT_HEIGHT,
    ROOT_VELOCITY,
    head_targets,
)
from stickgen.skeleton import FOOT_JOINTS, NUM_JOINTS, PARENTS

GRAVITY = 9.81
PLANNER_TERMS = ("feature", "root_position", "root_velocity", "action", "contact", "physics_head",
                 "velocity_consistency", "acceleration_consistency", "foot_slide", "penetration",
                 "bone_length", "ballistic")


# ----------------------------------------------------------------------------- helpers


def clip_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over each clip's frames where ``mask`` holds, then over clips: ``[B, T, ...]``, ``[B, T]`` -> scalar.

    Trailing dimensions are averaged first; clips without any valid frame count as 0.
    """
    per_frame = values.reshape(values.shape[0], values.shape[1], -1).mean(-1)
    mask = mask.to(per_frame.dtype)
    return ((per_frame * mask).sum(1) / mask.sum(1).clamp(min=1.0)).mean()


def backward_diff(x: torch.Tensor) -> torch.Tensor:
    """``x[:, t] - x[:, t-1]`` along dim 1, zero at frame 0: ``[B, T, ...]``."""
    return torch.cat([torch.zeros_like(x[:, :1]), x[:, 1:] - x[:, :-1]], dim=1)


def rotate_y(points: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Torch twin of :func:`stickgen.skeleton.rotate_y`: points ``[..., 3]``, angle broadcast to ``[...]``."""
    c, s = torch.cos(angle), torch.sin(angle)
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    return torch.stack([c * x + s * z, y, -s * x + c * z], dim=-1)


def decode(features: torch.Tensor, fps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Differentiable :func:`stickgen.features.decode`: ``[B, T, 137]`` (denormalised) -> canonical
    ``joints [B, T, 22, 3]`` and ``heading [B, T]``."""
    moving = torch.ones(features.shape[-2], 1, dtype=features.dtype, device=features.device)
    moving[0] = 0.0  # frame 0 is the origin by definition, as in stickgen.features.root_trajectory
    heading = torch.cumsum(features[..., HEADING_VELOCITY.start] * moving[:, 0], dim=-1) / fps
    velocity = features[..., ROOT_VELOCITY] * moving
    velocity = torch.stack([velocity[..., 0], torch.zeros_like(velocity[..., 0]), velocity[..., 1]], dim=-1)
    root = torch.cumsum(rotate_y(velocity, heading), dim=-2) / fps
    local = features[..., LOCAL_POSITIONS].reshape(*features.shape[:-1], NUM_JOINTS - 1, 3)
    pelvis = F.pad(features[..., ROOT_HEIGHT], (1, 1))[..., None, :]  # [..., 1, 3] = (0, height, 0)
    joints = rotate_y(torch.cat([pelvis, local], dim=-2), heading[..., None]) + root[..., None, :]
    return joints, heading


def frames_with_history(mask: torch.Tensor, history: int) -> torch.Tensor:
    """``[B, T]`` bool: frame and its ``history`` predecessors are all real frames."""
    valid = mask.bool()
    for k in range(1, history + 1):
        valid = valid & F.pad(mask.bool()[:, :-k], (k, 0), value=False)
    return valid


# ----------------------------------------------------------------------------- planner


def planner_losses(output: Any, batch: dict[str, torch.Tensor], mean: torch.Tensor, std: torch.Tensor,
                   fps: float, weights: dict[str, float]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Weighted sum and every term (unweighted, detached) of the planner losses.

    ``output`` a ``StickGenPlannerOutput``; ``batch`` from :meth:`training.data.WindowSource.batch`;
    ``mean``/``std`` ``[137]`` the feature statistics; ``weights`` term name -> weight (missing = 0).
    """
    mask = batch["attention_mask"]
    targets = head_targets(batch)
    terms: dict[str, torch.Tensor] = {
        "feature": clip_mean((output.pose - targets["pose"]).pow(2), mask),
        "root_position": clip_mean(F.huber_loss(output.root_position, targets["root_position"], reduction="none"),
                                   mask),
        "root_velocity": clip_mean((output.root_velocity - targets["root_velocity"]).pow(2), mask),
        "action": clip_mean(F.cross_entropy(output.action_logits.transpose(1, 2), targets["action_logits"],
                                            reduction="none"), mask),
        "contact": clip_mean(F.binary_cross_entropy_with_logits(output.contact[..., :4], targets["contact"][..., :4],
                                                                reduction="none"), mask)
        + clip_mean((output.contact[..., 4:] - targets["contact"][..., 4:]).pow(2), mask),
        "physics_head": clip_mean(F.huber_loss(output.physics, targets["physics"], reduction="none"), mask),
    }
    terms.update(physics_consistency(output, batch, mean, std, fps))
    total = sum(weights.get(name, 0.0) * value for name, value in terms.items())
    return total, {name: value.detach() for name, value in terms.items()}


def physics_consistency(output: Any, batch: dict[str, torch.Tensor], mean: torch.Tensor, std: torch.Tensor,
                        fps: float) -> dict[str, torch.Tensor]:
    """The physics terms of the decoded pose head (see the module docstring)."""
    mask = batch["attention_mask"]
    features = output.pose.float() * std + mean
    joints, heading = decode(features, fps)  # [B, T, 22, 3], [B, T]
    velocity = backward_diff(joints) * fps
    local_velocity = rotate_y(velocity, -heading[..., None])
    predicted_velocity = features[..., LOCAL_VELOCITIES].reshape(joints.shape)
    with_one, with_two = frames_with_history(mask, 1), frames_with_history(mask, 2)
    com_velocity = velocity.mean(2)
    com_acceleration = backward_diff(com_velocity) * fps
    bones = (joints[..., 1:, :] - joints[..., list(PARENTS[1:]), :]).norm(dim=-1)  # [B, T, 21]
    frame_weight = mask.to(bones.dtype)[..., None]
    count = frame_weight.sum(1, keepdim=True).clamp(min=1.0)
    bone_mean = (bones * frame_weight).sum(1, keepdim=True) / count
    contacts = batch["contact"][..., :4]
    feet = velocity[..., list(FOOT_JOINTS), :]
    airborne = with_two & (contacts.sum(-1) == 0)
    scale = 1.0 / GRAVITY
    return {
        "velocity_consistency": clip_mean(F.huber_loss(predicted_velocity, local_velocity, reduction="none"),
                                          with_one),
        "acceleration_consistency": clip_mean(F.huber_loss(
            output.physics[..., :6] * scale, torch.cat([com_velocity, com_acceleration], -1) * scale,
            reduction="none"), with_two),
        "foot_slide": clip_mean(feet[..., [0, 2]].pow(2).sum(-1) * contacts, with_one),
        "penetration": clip_mean(torch.relu(-joints[..., 1]), mask),
        "bone_length": clip_mean((bones - bone_mean).pow(2), mask),
        "ballistic": clip_mean(F.huber_loss(com_acceleration[..., 1] * scale,
                                            torch.full_like(com_acceleration[..., 1], -1.0), reduction="none"),
                               airborne),
    }


def refiner_loss(refiner: torch.nn.Module, scheduler, target: torch.Tensor, condition: torch.Tensor,
                 text_embeds: torch.Tensor, attention_mask: torch.Tensor | None = None,
                 condition_dropout: float = 0.1, generator: torch.Generator | None = None,
                 velocity_weight: float = 0.0,
                 action_ids: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The refiner's training objective on one denoising step: ``(total, {term: detached value})``.

    ``denoise``: masked MSE of the prediction; ``denoise_velocity`` (sample prediction only, weighted
    by ``velocity_weight``): MSE of its frame-to-frame differences against the target's, which
    penalises frame-to-frame jitter that the plain MSE barely sees. target ``[B, T, 137]``
    ground-truth normalised features; condition ``[B, T, 137]`` the planner's ``pose`` output for the
    same clip (detached); ``action_ids [B, T]`` for an action-conditioned refiner; ``scheduler`` a
    ``DDPMScheduler`` (see :func:`make_scheduler`); a random ``condition_dropout`` share of the batch
    trains unconditionally.
    """
    b = target.shape[0]
    device = target.device
    noise = torch.randn(target.shape, generator=generator, device=device)
    steps = torch.randint(0, scheduler.config.num_train_timesteps, (b,), generator=generator, device=device)
    keep = (torch.rand(b, generator=generator, device=device) >= condition_dropout).float()
    noisy = scheduler.add_noise(target, noise, steps)
    prediction = refiner(noisy, steps, condition.detach(), text_embeds, keep, action_ids=action_ids,
                         attention_mask=attention_mask).sample
    mask = torch.ones(target.shape[:2], device=device) if attention_mask is None else attention_mask.float()
    masked_mean = lambda error, m: (error * m).sum() / m.sum().clamp(min=1.0)  # noqa: E731
    if scheduler.config.prediction_type != "sample":
        loss = masked_mean((prediction - noise).pow(2).mean(-1), mask)
        return loss, {"denoise": loss.detach()}
    terms = {"denoise": masked_mean((prediction - target).pow(2).mean(-1), mask),
             "denoise_velocity": masked_mean((prediction.diff(dim=1) - target.diff(dim=1)).pow(2).mean(-1),
                                             mask[:, 1:] * mask[:, :-1])}
    total = terms["denoise"] + velocity_weight * terms["denoise_velocity"]
    return total, {name: value.detach() for name, value in terms.items()}
