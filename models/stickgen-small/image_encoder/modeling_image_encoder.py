"""``StickGenImageEncoder``: one picture of a stick figure -> its 3D pose and the camera (a transformers model).

Input ``pixel_values [B, 3, S, S]``: a square crop around the figure, values in [-1, 1]
(``stickgen.image_pose.preprocess`` makes it). A small ResNet (He et al. 2016: a stride-2 stem, then
stages of basic residual blocks with BatchNorm, each halving the resolution) gives a feature map that a
1x1 convolution narrows and an MLP reads whole (flattened, not pooled: where a limb lies is the pose).
Linear heads:

- ``shape [B, 22, 3]``: the pose of a body of the training skeleton's standard size (metres,
  root-relative: joint 0, the pelvis, is exactly 0), in the frame of the *figure view*, a camera looking
  at the crop's centre: x right, y up, z forward (away from the camera).
- ``scale [B]``: the body's size relative to that standard (a crop hides how far away the camera is, so
  size can only be guessed from the drawing; kept apart from ``shape`` so that training on one does not
  blur the other).
- ``joints [B, 22, 3]``: ``shape * scale``, the pose in metres.
- ``camera [B, 3]``: ``(sin azimuth, cos azimuth, elevation)``: azimuth is the direction from the pelvis
  to the camera in the ground plane relative to the body's facing (0: seen from the front), elevation
  the downward pitch of the view axis, both in radians. Sine and cosine make the angle continuous;
  ``stickgen.image_pose`` turns them back into degrees.

Losses live outside this file (training/train_image_encoder.py). Self-contained (no ``stickgen``
imports) so that a saved folder loads with ``AutoModel.from_pretrained(folder, trust_remote_code=True)``
in a process without ``stickgen``.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.utils import ModelOutput

from .configuration_image_encoder import StickGenImageEncoderConfig


@dataclass
class StickGenImageEncoderOutput(ModelOutput):
    """``joints [B, 22, 3]`` figure-view metres (pelvis at 0), ``shape * scale``; ``camera [B, 3]`` (sin az,
    cos az, elevation rad); ``shape [B, 22, 3]`` the pose at standard size; ``scale [B]`` the body's size."""

    joints: torch.Tensor | None = None
    camera: torch.Tensor | None = None
    shape: torch.Tensor | None = None
    scale: torch.Tensor | None = None


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut (projected when the shape changes):
    ``[B, C_in, H, W] -> [B, C_out, H / stride, W / stride]``."""

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.norm1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity() if stride == 1 and in_channels == out_channels else nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.shortcut(x) + self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x))))))


class StickGenImageEncoder(PreTrainedModel):
    """ResNet over the crop, MLP over the flattened feature map, shape, scale and camera heads."""

    config_class = StickGenImageEncoderConfig
    base_model_prefix = "image_encoder"
    main_input_name = "pixel_values"

    def __init__(self, config: StickGenImageEncoderConfig):
        super().__init__(config)
        self.stem = nn.Sequential(nn.Conv2d(config.num_channels, config.embedding_size, 3, 2, 1, bias=False),
                                  nn.BatchNorm2d(config.embedding_size), nn.ReLU())
        blocks, channels = [], config.embedding_size
        for width, depth in zip(config.hidden_sizes, config.depths):
            for k in range(depth):
                blocks.append(ResidualBlock(channels, width, stride=2 if k == 0 else 1))
                channels = width
        self.blocks = nn.Sequential(*blocks)
        side = config.image_size // config.downsampling
        self.project = nn.Sequential(nn.Conv2d(channels, config.head_channels, 1, bias=False),
                                     nn.BatchNorm2d(config.head_channels), nn.ReLU(), nn.Flatten())
        self.mlp = nn.Sequential(nn.Linear(config.head_channels * side * side, config.head_size), nn.ReLU(),
                                 nn.Dropout(config.dropout))
        self.joints_head = nn.Linear(config.head_size, (config.num_joints - 1) * 3)
        self.scale_head = nn.Linear(config.head_size, 1)
        self.camera_head = nn.Linear(config.head_size, 3)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        """Keep PyTorch's default initialisation of each layer (the encoder is trained from it)."""

    def forward(self, pixel_values: torch.Tensor, **kwargs) -> StickGenImageEncoderOutput:
        """``pixel_values [B, 3, S, S]`` in [-1, 1] -> joints, camera, shape and scale (the output class)."""
        hidden = self.mlp(self.project(self.blocks(self.stem(pixel_values))))  # [B, head_size]
        shape = F.pad(self.joints_head(hidden).view(len(hidden), self.config.num_joints - 1, 3), (0, 0, 1, 0))
        scale = self.scale_head(hidden).squeeze(-1).exp()  # the head reads the log of the size
        return StickGenImageEncoderOutput(joints=shape * scale[:, None, None], camera=self.camera_head(hidden),
                                          shape=shape, scale=scale)

