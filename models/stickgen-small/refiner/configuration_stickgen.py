"""``StickGenConfig``: the planner's configuration (``model_type = "stickgen"``).

Self-contained (no ``stickgen`` imports) so that a saved folder loads with
``AutoModel.from_pretrained(folder, trust_remote_code=True)`` in a process without ``stickgen``.
"""
from __future__ import annotations

from transformers import PretrainedConfig

#: preset name -> (d_model, num_layers, num_heads, ffn_dim)
PLANNER_PRESETS: dict[str, tuple[int, int, int, int]] = {
    "small": (256, 6, 8, 896),
    "medium": (384, 8, 12, 1408),
    "large": (512, 10, 16, 1888),
}
MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def preset_fields(presets: dict[str, tuple[int, int, int, int]], name: str) -> dict[str, int]:
    """``d_model``, ``num_layers``, ``num_heads``, ``ffn_dim`` of a named preset; ``KeyError`` naming the choices."""
    if name not in presets:
        raise KeyError(f"unknown preset {name!r}; expected one of: {', '.join(presets)}")
    return dict(zip(("d_model", "num_layers", "num_heads", "ffn_dim"), presets[name]))


class StickGenConfig(PretrainedConfig):
    """Configuration of :class:`StickGenPlanner`.

    ``feature_dim`` must match ``stickgen.features.FEATURE_DIM`` (137); ``text_encoder``/``text_dim``
    record which sentence encoder the model was trained with (the pipeline refuses another);
    ``max_frames`` is one planning window and ``window_overlap`` the frames shared by consecutive
    windows of a long clip; ``num_actions`` and ``num_camera_moves`` size the vocabulary embeddings.
    """

    model_type = "stickgen"

    def __init__(self, d_model: int = 256, num_layers: int = 6, num_heads: int = 8, ffn_dim: int = 1024,
                 feature_dim: int = 137, partner_dim: int = 66, physics_dim: int = 9, contact_dim: int = 8,
                 text_encoder: str = MINILM, text_dim: int = 384, num_actions: int = 46,
                 num_camera_moves: int = 7, max_frames: int = 250, window_overlap: int = 50, fps: int = 25,
                 rope_theta: float = 10000.0, rms_norm_eps: float = 1e-6, dropout: float = 0.0,
                 initializer_range: float = 0.02, control_dim: int = 0, **kwargs):
        if d_model % num_heads or (d_model // num_heads) % 2:
            raise ValueError(f"d_model {d_model} must split into {num_heads} heads of even size")
        if not 0 <= window_overlap < max_frames:
            raise ValueError(f"window_overlap must be in [0, max_frames), got {window_overlap}")
        self.d_model, self.num_layers, self.num_heads, self.ffn_dim = d_model, num_layers, num_heads, ffn_dim
        self.feature_dim, self.partner_dim = feature_dim, partner_dim
        self.physics_dim, self.contact_dim = physics_dim, contact_dim
        self.text_encoder, self.text_dim = text_encoder, text_dim
        self.num_actions, self.num_camera_moves = num_actions, num_camera_moves
        self.max_frames, self.window_overlap, self.fps = max_frames, window_overlap, fps
        self.rope_theta, self.rms_norm_eps, self.dropout = rope_theta, rms_norm_eps, dropout
        self.initializer_range = initializer_range
        if control_dim < 0:
            raise ValueError(f"control_dim must be >= 0 (0: no control input), got {control_dim}")
        self.control_dim = control_dim
        super().__init__(**kwargs)

    @classmethod
    def from_preset(cls, name: str, **overrides) -> StickGenConfig:
        """``small`` / ``medium`` / ``large`` with optional field overrides."""
        return cls(**{**preset_fields(PLANNER_PRESETS, name), **overrides})
