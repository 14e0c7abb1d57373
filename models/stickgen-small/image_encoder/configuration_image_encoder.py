"""``StickGenImageEncoderConfig``: the image pose encoder's configuration (``model_type = "stickgen_image_encoder"``).

Self-contained (no ``stickgen`` imports) so that a saved encoder folder loads with
``AutoModel.from_pretrained(folder, trust_remote_code=True)`` in a process without ``stickgen``.
"""
from __future__ import annotations

from transformers import PretrainedConfig


class StickGenImageEncoderConfig(PretrainedConfig):
    """Sizes of :class:`StickGenImageEncoder`, a small ResNet.

    ``image_size`` is the side of the square crop it reads; the stem (``embedding_size`` channels) halves
    it, then every stage (``depths[i]`` residual blocks of ``hidden_sizes[i]`` channels) halves it again,
    so ``image_size`` must be a multiple of ``2 ** (len(hidden_sizes) + 1)``. ``head_channels`` is the
    1x1 projection of the last feature map before it is flattened (where a limb is matters, so it is
    not pooled) into an MLP of ``head_size`` units with ``dropout``. ``num_joints`` must match the
    ``smpl22`` skeleton (22).
    """

    model_type = "stickgen_image_encoder"

    def __init__(self, image_size: int = 64, num_channels: int = 3, embedding_size: int = 32,
                 hidden_sizes: list[int] | tuple[int, ...] = (32, 64, 128, 256),
                 depths: list[int] | tuple[int, ...] = (2, 2, 2, 2), head_channels: int = 64, head_size: int = 512,
                 dropout: float = 0.0, num_joints: int = 22, **kwargs):
        self.image_size, self.num_channels, self.embedding_size = image_size, num_channels, embedding_size
        self.hidden_sizes, self.depths = list(hidden_sizes), list(depths)
        self.head_channels, self.head_size = head_channels, head_size
        self.dropout, self.num_joints = dropout, num_joints
        for name in ("image_size", "num_channels", "embedding_size", "head_channels", "head_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"StickGenImageEncoderConfig.{name} must be a positive int, got {value!r}")
        if not self.hidden_sizes or len(self.hidden_sizes) != len(self.depths):
            raise ValueError(f"StickGenImageEncoderConfig: hidden_sizes {self.hidden_sizes} and depths {self.depths} "
                             "must be non-empty and of the same length")
        if min(self.hidden_sizes) <= 0 or min(self.depths) <= 0:
            raise ValueError(f"StickGenImageEncoderConfig: hidden_sizes {self.hidden_sizes} and depths "
                             f"{self.depths} must be positive")
        if image_size % self.downsampling:
            raise ValueError(f"StickGenImageEncoderConfig.image_size must be a multiple of {self.downsampling} "
                             f"(2 ** (len(hidden_sizes) + 1)), got {image_size}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"StickGenImageEncoderConfig.dropout must be in [0, 1), got {dropout}")
        if num_joints < 2:
            raise ValueError(f"StickGenImageEncoderConfig.num_joints must be at least 2, got {num_joints}")
        super().__init__(**kwargs)

    @property
    def downsampling(self) -> int:
        """How many times smaller the last feature map is than the input, per side."""
        return 2 ** (len(self.hidden_sizes) + 1)
