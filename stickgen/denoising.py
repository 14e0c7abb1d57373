"""The refiner's sampling loop: DDIM with classifier-free guidance and inpainting of known features.

It runs from pure noise or (``strength < 1``, as in SDEdit and diffusers' img2img) from the planner's
features noised to an intermediate step, and keeps known frames/channels exactly (window overlaps,
pinned frames or joints, trajectory constraints). ``model`` is any :data:`DenoiseFn`: the PyTorch
refiner or its ONNX session (:mod:`stickgen.backends`).
"""
from __future__ import annotations

import math
from typing import Callable

import torch

#: (sample, timestep, condition, text_embeds, condition_mask, action_ids or None) -> predicted x0, all [B, ...] tensors
DenoiseFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None],
                     torch.Tensor]


def denoise(model: DenoiseFn, scheduler, condition: torch.Tensor, text_embeds: torch.Tensor,
            num_inference_steps: int = 4, guidance_scale: float | torch.Tensor = 2.0,
            generator: torch.Generator | None = None,
            known: torch.Tensor | None = None, known_mask: torch.Tensor | None = None,
            strength: float = 1.0, action_ids: torch.Tensor | None = None,
            guided_fraction: float = 1.0) -> torch.Tensor:
    """Sample clean features ``[B, T, 137]`` with DDIM and classifier-free guidance.

    ``strength`` in (0, 1]: 1 starts from pure noise; below 1 the sample starts from ``condition`` (the
    plan) noised to step ``strength * num_train_timesteps`` (SDEdit), so the plan's coarse motion is
    kept and the refiner redraws the detail. ``num_inference_steps`` is the number of model
    evaluations either way (twice that with guidance).

    ``model`` is a :data:`DenoiseFn` (``lambda *a: refiner(*a).sample`` or an ONNX session wrapper);
    ``known [B, T, 137]`` with ``known_mask`` (broadcastable to it, 1 = fixed) are kept exactly: the
    predicted ``x0`` is overwritten there at every step, so the rest is generated around them.
    ``guidance_scale``: one number, or one per feature channel (a tensor ``[137]``, e.g. stronger on the
    root velocity); 1 everywhere disables guidance (one model call per step instead of two).
    ``guided_fraction`` in (0, 1]: only the first ``round(guided_fraction * num_inference_steps)`` steps (at
    least one) are guided, the rest are not. ``action_ids [B, T]`` go to an action-conditioned refiner (dropped
    with the other conditions in the unguided branch).
    """
    if num_inference_steps < 1:
        raise ValueError(f"num_inference_steps must be >= 1, got {num_inference_steps}")
    if not 0.0 < strength <= 1.0:
        raise ValueError(f"strength must be in (0, 1], got {strength}")
    if not 0.0 < guided_fraction <= 1.0:
        raise ValueError(f"guided_fraction must be in (0, 1], got {guided_fraction}")
    b = condition.shape[0]
    timesteps = sampling_timesteps(scheduler, num_inference_steps, strength)
    noise = torch.randn(condition.shape, generator=generator, device=condition.device, dtype=condition.dtype)
    if strength < 1.0:
        x = scheduler.add_noise(condition, noise, timesteps[:1])
    else:
        x = noise * scheduler.init_noise_sigma
    guidance_scale = torch.as_tensor(guidance_scale, dtype=condition.dtype, device=condition.device)
    guided_steps = max(1, round(guided_fraction * len(timesteps))) if bool((guidance_scale != 1.0).any()) else 0
    both = lambda t: None if t is None else torch.cat([t, t])  # noqa: E731
    guided_in = (both(condition), both(text_embeds), torch.cat([torch.ones(b), torch.zeros(b)]).to(condition),
                 both(action_ids)) if guided_steps else None
    plain_in = (condition, text_embeds, torch.ones(b).to(condition), action_ids)
    mask = None if known_mask is None else known_mask.to(condition.dtype).expand_as(condition)
    for k, t in enumerate(timesteps):
        guided = k < guided_steps
        x_in = torch.cat([x, x]) if guided else x
        steps = torch.full((x_in.shape[0],), int(t), dtype=torch.long, device=x.device)
        cond_in, text_in, flags, actions_in = guided_in if guided else plain_in
        pred = model(x_in, steps, cond_in, text_in, flags, actions_in)
        if guided:
            with_cond, without = pred.chunk(2)
            pred = without + guidance_scale * (with_cond - without)
        if mask is not None:
            pred = pred * (1 - mask) + known * mask
        x = ddim_update(scheduler, pred, t, x)
    if mask is not None:
        x = x * (1 - mask) + known * mask
    return x


def ddim_update(scheduler, pred_x0: torch.Tensor, t: torch.Tensor | int, x: torch.Tensor) -> torch.Tensor:
    """One deterministic DDIM step (eta 0) of ``x [B, T, D]`` from timestep ``t`` to the scheduler's previous
    one, given the predicted clean sample ``pred_x0``: ``scheduler.step(pred_x0, t, x, eta=0.0).prev_sample``
    for a ``DDIMScheduler`` that predicts samples without clipping or thresholding (the refiner's), computed
    here without that call's overhead; any other scheduler takes its own step."""
    from diffusers import DDIMScheduler

    config = scheduler.config
    if not isinstance(scheduler, DDIMScheduler) or config.prediction_type != "sample" or config.thresholding \
            or config.clip_sample:
        return scheduler.step(pred_x0, t, x, eta=0.0).prev_sample
    t = int(t)
    prev = t - config.num_train_timesteps // scheduler.num_inference_steps
    alpha = scheduler.alphas_cumprod[t].item()
    alpha_prev = (scheduler.alphas_cumprod[prev] if prev >= 0 else scheduler.final_alpha_cumprod).item()
    noise = (x - alpha ** 0.5 * pred_x0) / (1 - alpha) ** 0.5
    return alpha_prev ** 0.5 * pred_x0 + (1 - alpha_prev) ** 0.5 * noise


def sampling_timesteps(scheduler, num_inference_steps: int, strength: float) -> torch.Tensor:
    """The ``num_inference_steps`` DDIM timesteps (descending) that start at ``strength`` of the schedule.

    The scheduler (``timestep_spacing="trailing"``) is set to the coarsest grid whose last
    ``num_inference_steps`` entries begin at or below ``strength * num_train_timesteps``; with
    ``strength=1`` this is the plain grid.
    """
    scheduler.set_timesteps(math.ceil(num_inference_steps / strength - 1e-9))
    return scheduler.timesteps[-num_inference_steps:]
