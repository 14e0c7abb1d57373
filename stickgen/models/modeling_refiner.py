"""``StickGenRefiner``: a conditional denoiser over normalised motion features (a diffusers model).

It predicts the clean features ``x0`` (``prediction_type="sample"``) from noisy features ``x_t``, the
timestep, the planner's features for the same frames, the text embedding and (``num_actions > 0``) the
per-frame action ids, so it knows which action each frame shows even where the plan is a blur. With ``residual=True`` the
network predicts a correction added to the planner's features, and its output layer starts at zero, so
an untrained refiner returns the plan unchanged and training only has to learn what the plan lacks.
Frames are grouped in patches of ``patch_size`` to halve the sequence. Training: :func:`refiner_loss` with a
``DDPMScheduler`` and condition dropout (for classifier-free guidance). Sampling: :func:`denoise` with a
``DDIMScheduler`` in a few steps, from pure noise or (``strength < 1``, as in SDEdit) from the planner's
features noised to an intermediate step, with guidance and optional inpainting of known frames/channels
(window overlaps, pinned frames or joints, trajectory constraints).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from diffusers import ConfigMixin, ModelMixin
from diffusers.configuration_utils import register_to_config
from diffusers.utils import BaseOutput
from torch import nn

from stickgen.vocab import ACTIONS

from .configuration_stickgen import preset_fields
from .modeling_stickgen import Transformer

#: preset name -> (d_model, num_layers, num_heads, ffn_dim)
REFINER_PRESETS: dict[str, tuple[int, int, int, int]] = {
    "small": (128, 4, 4, 512),
    "medium": (192, 4, 6, 768),
    "large": (256, 4, 8, 1024),
}
NUM_TRAIN_TIMESTEPS = 1000


@dataclass
class RefinerOutput(BaseOutput):
    """``sample [B, T, 137]``: the predicted clean (normalised) features, or noise for epsilon models."""

    sample: torch.Tensor


def timestep_embedding(timesteps: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding ``[B] -> [B, dim]``."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=timesteps.device) / half)
    angles = timesteps.float()[:, None] * freqs[None]
    return torch.cat([angles.cos(), angles.sin()], dim=-1)


class StickGenRefiner(ModelMixin, ConfigMixin):
    """Denoiser ``(x_t [B,T,137], t [B], planner features [B,T,137], text [B,text_dim], action ids [B,T])
    -> x0 [B,T,137]``. ``num_actions`` 0 (the default of a bare constructor) leaves the action ids out;
    :meth:`from_preset` conditions on all of ``stickgen.vocab.ACTIONS``."""

    config_name = "config.json"

    @register_to_config
    def __init__(self, d_model: int = 128, num_layers: int = 4, num_heads: int = 4, ffn_dim: int = 512,
                 feature_dim: int = 137, text_dim: int = 384, patch_size: int = 2, rope_theta: float = 10000.0,
                 rms_norm_eps: float = 1e-6, residual: bool = True, num_actions: int = 0):
        super().__init__()
        width = feature_dim * patch_size
        self.in_proj = nn.Linear(2 * width, d_model)
        self.action_embed = nn.Embedding(num_actions, d_model) if num_actions else None
        self.time_mlp = nn.Sequential(nn.Linear(d_model, d_model), nn.SiLU(), nn.Linear(d_model, d_model))
        self.text_proj = nn.Linear(text_dim, d_model)
        self.condition_flag_embed = nn.Embedding(2, d_model)
        self.transformer = Transformer(d_model, num_layers, num_heads, ffn_dim, rms_norm_eps, rope_theta)
        self.out_proj = nn.Linear(d_model, width)
        if residual:  # start as the identity on the plan
            nn.init.zeros_(self.out_proj.weight)
            nn.init.zeros_(self.out_proj.bias)

    @classmethod
    def from_preset(cls, name: str, **overrides) -> StickGenRefiner:
        """``small`` / ``medium`` / ``large`` (sized to go with the planner preset of that name), conditioned
        on the per-frame action ids unless ``num_actions=0`` is passed."""
        return cls(**{**preset_fields(REFINER_PRESETS, name), "num_actions": len(ACTIONS), **overrides})

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, condition: torch.Tensor,
                text_embeds: torch.Tensor, condition_mask: torch.Tensor | None = None,
                action_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None) -> RefinerOutput:
        """``condition_mask [B]``: 1 keeps the planner features, text and actions, 0 drops them all
        (unconditional; a residual refiner then predicts the whole sample).

        ``action_ids [B, T]`` int: required when the refiner was built with ``num_actions > 0``, ignored
        otherwise. ``attention_mask [B, T]`` marks real frames; ``T`` need not be a multiple of ``patch_size``.
        """
        b, t, _ = sample.shape
        p = self.config.patch_size
        if text_embeds.shape[-1] != self.config.text_dim:
            raise ValueError(f"text_embeds: expected dimension {self.config.text_dim}, got {text_embeds.shape[-1]}")
        keep = torch.ones(b, device=sample.device) if condition_mask is None else condition_mask.to(sample.dtype)
        pad = (-t) % p
        x = torch.cat([sample, condition * keep[:, None, None]], dim=-1)
        if pad:  # no branch in the ONNX export, whose wrapper pads to a multiple of patch_size itself
            x = F.pad(x, (0, 0, 0, pad))
        x = self.in_proj(x.reshape(b, (t + pad) // p, -1))
        if self.action_embed is not None:
            if action_ids is None:
                raise ValueError("this refiner is conditioned on per-frame actions: pass action_ids [B, T]")
            if pad:  # the last frame's action fills the patch (as the ONNX wrapper pads)
                action_ids = torch.cat([action_ids, action_ids[:, -1:].expand(b, pad)], dim=1)
            x = x + self.action_embed(action_ids).reshape(b, (t + pad) // p, p, -1).mean(2) * keep[:, None, None]
        timestep = timestep.reshape(-1).expand(b)
        time_token = self.time_mlp(timestep_embedding(timestep, self.config.d_model))
        text_token = self.text_proj(text_embeds * keep[:, None]) + self.condition_flag_embed(keep.long())
        tokens = torch.cat([time_token[:, None], text_token[:, None], x], dim=1)
        key_mask = None
        if attention_mask is not None:
            frames = F.pad(attention_mask.bool(), (0, pad)).reshape(b, -1, p).any(-1)
            key_mask = torch.cat([torch.ones(b, 2, dtype=torch.bool, device=sample.device), frames], dim=1)
        out = self.out_proj(self.transformer(tokens, key_mask)[:, 2:]).reshape(b, t + pad, -1)[:, :t]
        if self.config.residual:
            out = out + condition * keep[:, None, None]
        return RefinerOutput(sample=out)


# ----------------------------------------------------------------------------- schedulers


def make_scheduler(kind: str = "ddim"):
    """The DDIM sampler (``kind="ddim"``) or DDPM training scheduler (``"ddpm"``) with the shared noise schedule."""
    from diffusers import DDIMScheduler, DDPMScheduler

    config = dict(num_train_timesteps=NUM_TRAIN_TIMESTEPS, beta_schedule="squaredcos_cap_v2",
                  prediction_type="sample", clip_sample=False, timestep_spacing="trailing")
    if kind == "ddim":
        return DDIMScheduler(**config, set_alpha_to_one=True)
    if kind == "ddpm":
        return DDPMScheduler(**config)
    raise ValueError(f"scheduler kind must be 'ddim' or 'ddpm', got {kind!r}")


# ----------------------------------------------------------------------------- training


def refiner_loss(refiner: StickGenRefiner, scheduler, target: torch.Tensor, condition: torch.Tensor,
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


# ----------------------------------------------------------------------------- sampling

#: (sample, timestep, condition, text_embeds, condition_mask, action_ids or None) -> predicted x0, all [B, ...] tensors
DenoiseFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None],
                     torch.Tensor]


def denoise(model: DenoiseFn, scheduler, condition: torch.Tensor, text_embeds: torch.Tensor,
            num_inference_steps: int = 4, guidance_scale: float | torch.Tensor = 2.0,
            generator: torch.Generator | None = None,
            known: torch.Tensor | None = None, known_mask: torch.Tensor | None = None,
            strength: float = 1.0, action_ids: torch.Tensor | None = None) -> torch.Tensor:
    """Sample clean features ``[B, T, 137]`` with DDIM and classifier-free guidance.

    ``strength`` in (0, 1]: 1 starts from pure noise; below 1 the sample starts from ``condition`` (the
    plan) noised to step ``strength * num_train_timesteps`` (SDEdit), so the plan's coarse motion is
    kept and the refiner redraws the detail. ``num_inference_steps`` is the number of model
    evaluations either way (twice that with guidance).

    ``model`` is a :data:`DenoiseFn` (``lambda *a: refiner(*a).sample`` or an ONNX session wrapper);
    ``known [B, T, 137]`` with ``known_mask`` (broadcastable to it, 1 = fixed) are kept exactly: the
    predicted ``x0`` is overwritten there at every step, so the rest is generated around them.
    ``guidance_scale``: one number, or one per feature channel (a tensor ``[137]``, e.g. stronger on the
    root velocity); 1 everywhere disables guidance (one model call per step instead of two). ``action_ids [B, T]``
    go to an action-conditioned refiner (dropped with the other conditions in the unguided branch).
    """
    if num_inference_steps < 1:
        raise ValueError(f"num_inference_steps must be >= 1, got {num_inference_steps}")
    if not 0.0 < strength <= 1.0:
        raise ValueError(f"strength must be in (0, 1], got {strength}")
    b = condition.shape[0]
    timesteps = sampling_timesteps(scheduler, num_inference_steps, strength)
    noise = torch.randn(condition.shape, generator=generator, device=condition.device, dtype=condition.dtype)
    if strength < 1.0:
        x = scheduler.add_noise(condition, noise, timesteps[:1])
    else:
        x = noise * scheduler.init_noise_sigma
    guidance_scale = torch.as_tensor(guidance_scale, dtype=condition.dtype, device=condition.device)
    guided = bool((guidance_scale != 1.0).any())
    if guided:
        both = lambda t: torch.cat([t, t])  # noqa: E731
        cond_in, text_in = both(condition), both(text_embeds)
        actions_in = None if action_ids is None else both(action_ids)
        flags = torch.cat([torch.ones(b), torch.zeros(b)]).to(condition)
    else:
        cond_in, text_in, actions_in, flags = condition, text_embeds, action_ids, torch.ones(b).to(condition)
    mask = None if known_mask is None else known_mask.to(condition.dtype).expand_as(condition)
    for t in timesteps:
        x_in = torch.cat([x, x]) if guided else x
        steps = torch.full((x_in.shape[0],), int(t), dtype=torch.long, device=x.device)
        pred = model(x_in, steps, cond_in, text_in, flags, actions_in)
        if guided:
            with_cond, without = pred.chunk(2)
            pred = without + guidance_scale * (with_cond - without)
        if mask is not None:
            pred = pred * (1 - mask) + known * mask
        x = scheduler.step(pred, t, x, eta=0.0).prev_sample
    if mask is not None:
        x = x * (1 - mask) + known * mask
    return x


def sampling_timesteps(scheduler, num_inference_steps: int, strength: float) -> torch.Tensor:
    """The ``num_inference_steps`` DDIM timesteps (descending) that start at ``strength`` of the schedule.

    The scheduler (``timestep_spacing="trailing"``) is set to the coarsest grid whose last
    ``num_inference_steps`` entries begin at or below ``strength * num_train_timesteps``; with
    ``strength=1`` this is the plain grid.
    """
    scheduler.set_timesteps(math.ceil(num_inference_steps / strength - 1e-9))
    return scheduler.timesteps[-num_inference_steps:]
