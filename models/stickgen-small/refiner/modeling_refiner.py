"""``StickGenRefiner``: a conditional denoiser over normalised motion features (a diffusers model).

It predicts the clean features ``x0`` (``prediction_type="sample"``) from noisy features ``x_t``, the
timestep, the planner's features for the same frames, the text embedding and (``num_actions > 0``) the
per-frame action ids, so it knows which action each frame shows even where the plan is a blur. With
``residual=True`` the network predicts a correction added to the planner's features, and its output layer
starts at zero, so an untrained refiner returns the plan unchanged and training only has to learn what the
plan lacks. Frames are grouped in patches of ``patch_size`` to halve the sequence. Training:
``training.losses.refiner_loss`` with a ``DDPMScheduler`` and condition dropout (for classifier-free
guidance). Sampling: :func:`stickgen.denoising.denoise` with the ``DDIMScheduler`` of :func:`make_scheduler`
in a few steps.

Self-contained (no ``stickgen`` imports; its relative imports travel with it) so that a saved refiner folder
loads with ``diffusers.AutoModel.from_pretrained(folder, trust_remote_code=True)`` without ``stickgen``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers import ConfigMixin, ModelMixin
from diffusers.configuration_utils import register_to_config
from diffusers.utils import BaseOutput
from torch import nn

from .configuration_stickgen import preset_fields
from .modeling_stickgen import Transformer

#: preset name -> (d_model, num_layers, num_heads, ffn_dim)
REFINER_PRESETS: dict[str, tuple[int, int, int, int]] = {
    "small": (128, 4, 4, 512),
    "medium": (192, 4, 6, 768),
    "large": (256, 4, 8, 1024),
}
NUM_TRAIN_TIMESTEPS = 1000
#: the size of the action vocabulary (``len(stickgen.vocab.ACTIONS)``; tests check they agree)
NUM_ACTIONS = 46


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
    :meth:`from_preset` conditions on all :data:`NUM_ACTIONS` actions of ``stickgen.vocab.ACTIONS``."""

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
        return cls(**{**preset_fields(REFINER_PRESETS, name), "num_actions": NUM_ACTIONS, **overrides})

    @classmethod
    def extract_init_dict(cls, config_dict: dict, **kwargs):
        """As diffusers', less the saved ``auto_map`` (what ``diffusers.AutoModel`` reads, not a constructor
        argument; diffusers would warn that it is ignored)."""
        return super().extract_init_dict({k: v for k, v in config_dict.items() if k != "auto_map"}, **kwargs)

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
