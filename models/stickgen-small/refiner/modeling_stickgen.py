"""``StickGenPlanner``: plans a whole window of motion in one forward pass.

Tokens: ``[text, camera, frame_0 .. frame_{T-1}]``. A frame token sums the embedding of its action id,
the (masked) known features of that frame (the overlap with the previous window, or frames pinned by an
edit), a known/unknown flag, for two-actor scenes the partner's joints and, when ``control_dim`` is set,
the frame's control signals with their 0/1 mask (body-frame velocity, heading rate, pelvis rise, acting
hand: ``stickgen.control``; the projection starts at zero, so a planner trained without controls is
unchanged until it learns them). Pre-norm blocks with
RMSNorm, rotary position embeddings and SwiGLU (named like Llama's: ``q_proj`` ... ``down_proj``, so
PEFT LoRA can target them) run bidirectionally over the sequence; six linear heads read the frame
tokens. Self-contained apart from the config so ``trust_remote_code`` loading needs no ``stickgen``.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.utils import ModelOutput

from .configuration_stickgen import StickGenConfig

NUM_CONDITION_TOKENS = 2

# ----------------------------------------------------------------------------- building blocks


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotary_tables(length: int, head_dim: int, theta: float, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin tables ``[length, head_dim]`` for rotary position embeddings (half-split layout)."""
    inv_freq = 1.0 / theta ** (torch.arange(0, head_dim, 2, device=device, dtype=torch.float32) / head_dim)
    angles = torch.arange(length, device=device, dtype=torch.float32)[:, None] * inv_freq[None]
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos(), angles.sin()


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate ``x: [B, H, S, Dh]`` by position with tables ``[S, Dh]``."""
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rotated * sin


class Attention(nn.Module):
    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0):
        super().__init__()
        self.num_heads, self.head_dim, self.dropout = num_heads, d_model // num_heads, dropout
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_model, d_model, bias=False)
        self.v_proj = nn.Linear(d_model, d_model, bias=False)
        self.o_proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor],
                key_mask: torch.Tensor | None) -> torch.Tensor:
        """``x: [B, S, D]``, ``key_mask: [B, S]`` bool (True = attend) -> ``[B, S, D]``."""
        b, s, _ = x.shape
        q, k, v = (proj(x).view(b, s, self.num_heads, self.head_dim).transpose(1, 2)
                   for proj in (self.q_proj, self.k_proj, self.v_proj))
        q, k = apply_rotary(q, *rope), apply_rotary(k, *rope)
        mask = None if key_mask is None else key_mask[:, None, None, :]
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                             dropout_p=self.dropout if self.training else 0.0)
        return self.o_proj(out.transpose(1, 2).reshape(b, s, -1))


class SwiGLU(nn.Module):
    def __init__(self, d_model: int, ffn_dim: int):
        super().__init__()
        self.gate_proj = nn.Linear(d_model, ffn_dim, bias=False)
        self.up_proj = nn.Linear(d_model, ffn_dim, bias=False)
        self.down_proj = nn.Linear(ffn_dim, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    """Pre-norm transformer block: ``x + attn(norm(x))``, then ``x + mlp(norm(x))``."""

    def __init__(self, d_model: int, num_heads: int, ffn_dim: int, eps: float, dropout: float = 0.0):
        super().__init__()
        self.input_layernorm = RMSNorm(d_model, eps)
        self.self_attn = Attention(d_model, num_heads, dropout)
        self.post_attention_layernorm = RMSNorm(d_model, eps)
        self.mlp = SwiGLU(d_model, ffn_dim)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor],
                key_mask: torch.Tensor | None) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), rope, key_mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Transformer(nn.Module):
    """A stack of :class:`Block` with rotary positions and a final RMSNorm: ``[B, S, D] -> [B, S, D]``."""

    def __init__(self, d_model: int, num_layers: int, num_heads: int, ffn_dim: int, eps: float,
                 rope_theta: float, dropout: float = 0.0):
        super().__init__()
        self.layers = nn.ModuleList(Block(d_model, num_heads, ffn_dim, eps, dropout) for _ in range(num_layers))
        self.norm = RMSNorm(d_model, eps)
        self.head_dim, self.rope_theta = d_model // num_heads, rope_theta

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None = None) -> torch.Tensor:
        rope = rotary_tables(x.shape[1], self.head_dim, self.rope_theta, x.device)
        for layer in self.layers:
            x = layer(x, rope, key_mask)
        return self.norm(x)


# ----------------------------------------------------------------------------- planner


@dataclass
class StickGenPlannerOutput(ModelOutput):
    """Per-frame predictions, each ``[B, T, ...]`` (targets: ``stickgen.features.head_targets``).

    ``pose [B, T, 137]`` normalised features; ``root_position [B, T, 3]`` canonical pelvis (m);
    ``root_velocity [B, T, 3]`` pelvis velocity (m/s); ``action_logits [B, T, num_actions]``;
    ``physics [B, T, 9]`` centre-of-mass velocity, acceleration, angular momentum per kg;
    ``contact [B, T, 8]`` four foot-contact logits then four foot heights (m).
    """

    pose: torch.Tensor | None = None
    root_position: torch.Tensor | None = None
    root_velocity: torch.Tensor | None = None
    action_logits: torch.Tensor | None = None
    physics: torch.Tensor | None = None
    contact: torch.Tensor | None = None
    last_hidden_state: torch.Tensor | None = None


class StickGenPreTrainedModel(PreTrainedModel):
    config_class = StickGenConfig
    base_model_prefix = "planner"
    _no_split_modules = ["Block"]
    _supports_sdpa = True

    def _init_weights(self, module: nn.Module) -> None:
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=std)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=std)
        elif isinstance(module, RMSNorm):
            nn.init.ones_(module.weight)


class StickGenPlanner(StickGenPreTrainedModel):
    """Text + per-frame actions (+ camera, partner, known frames) -> a whole window of motion."""

    def __init__(self, config: StickGenConfig):
        super().__init__(config)
        d = config.d_model
        self.text_proj = nn.Linear(config.text_dim, d)
        self.camera_embed = nn.Embedding(config.num_camera_moves, d)
        self.action_embed = nn.Embedding(config.num_actions, d)
        self.known_proj = nn.Linear(config.feature_dim, d)
        self.known_flag_embed = nn.Embedding(2, d)
        self.partner_proj = nn.Linear(config.partner_dim, d)
        self.control_proj = nn.Linear(2 * config.control_dim, d) if config.control_dim else None
        self.transformer = Transformer(d, config.num_layers, config.num_heads, config.ffn_dim,
                                       config.rms_norm_eps, config.rope_theta, config.dropout)
        self.pose_head = nn.Linear(d, config.feature_dim)
        self.root_position_head = nn.Linear(d, 3)
        self.root_velocity_head = nn.Linear(d, 3)
        self.action_head = nn.Linear(d, config.num_actions)
        self.physics_head = nn.Linear(d, config.physics_dim)
        self.contact_head = nn.Linear(d, config.contact_dim)
        self.post_init()
        if self.control_proj is not None:
            nn.init.zeros_(self.control_proj.weight)
            nn.init.zeros_(self.control_proj.bias)

    def forward(self, text_embeds: torch.Tensor, action_ids: torch.Tensor,
                attention_mask: torch.Tensor | None = None, camera_ids: torch.Tensor | None = None,
                known_features: torch.Tensor | None = None, known_mask: torch.Tensor | None = None,
                partner_joints: torch.Tensor | None = None, has_partner: torch.Tensor | None = None,
                control: torch.Tensor | None = None, control_mask: torch.Tensor | None = None,
                **kwargs) -> StickGenPlannerOutput:
        """Plan ``T`` frames.

        text_embeds ``[B, text_dim]``; action_ids ``[B, T]`` int; attention_mask ``[B, T]`` (1 = real
        frame, 0 = padding); camera_ids ``[B]`` (``vocab.CAMERA_MOVES`` id, default static);
        known_features ``[B, T, 137]`` normalised with known_mask ``[B, T]`` (1 where given);
        partner_joints ``[B, T, 66]`` canonical-frame partner with has_partner ``[B]``; control
        ``[B, T, control_dim]`` normalised control signals with control_mask ``[B, T, control_dim]`` (1
        where given; a planner with ``control_dim`` 0 takes none).
        """
        b, t = action_ids.shape
        if t > self.config.max_frames:
            raise ValueError(f"{t} frames exceed one window ({self.config.max_frames}); plan window by window")
        if text_embeds.shape[-1] != self.config.text_dim:
            raise ValueError(f"text_embeds: expected dimension {self.config.text_dim} "
                             f"({self.config.text_encoder}), got {text_embeds.shape[-1]}")
        device = action_ids.device
        frames = self.action_embed(action_ids)
        if known_features is not None:
            flag = known_mask.to(frames.dtype)[..., None]
            frames = frames + self.known_proj(known_features * flag) + self.known_flag_embed(known_mask.long())
        else:
            frames = frames + self.known_flag_embed.weight[0]
        if partner_joints is not None:
            gate = torch.ones(b, device=device) if has_partner is None else has_partner.to(frames.dtype)
            frames = frames + self.partner_proj(partner_joints) * gate[:, None, None]
        if control is not None and self.control_proj is None:
            raise ValueError("this planner was trained without control signals (config.control_dim is 0)")
        if control is not None:
            mask = torch.ones_like(control) if control_mask is None else control_mask.to(frames.dtype)
            frames = frames + self.control_proj(torch.cat([control * mask, mask], dim=-1))
        if camera_ids is None:
            camera_ids = torch.zeros(b, dtype=torch.long, device=device)
        condition = torch.stack([self.text_proj(text_embeds), self.camera_embed(camera_ids)], dim=1)
        tokens = torch.cat([condition, frames], dim=1)
        key_mask = None
        if attention_mask is not None:
            key_mask = torch.cat([torch.ones(b, NUM_CONDITION_TOKENS, dtype=torch.bool, device=device),
                                  attention_mask.bool()], dim=1)
        hidden = self.transformer(tokens, key_mask)[:, NUM_CONDITION_TOKENS:]
        return StickGenPlannerOutput(
            pose=self.pose_head(hidden), root_position=self.root_position_head(hidden),
            root_velocity=self.root_velocity_head(hidden), action_logits=self.action_head(hidden),
            physics=self.physics_head(hidden), contact=self.contact_head(hidden), last_hidden_state=hidden)
