"""``StickGenEvaluator``: the evaluator's network, a motion encoder and a text head sharing one embedding
space, plus a per-step action classifier (a transformers model).

In the manner of the HumanML3D evaluator (Guo et al. 2022): the motion encoder is a temporal convolution
network (4x downsampling, then dilated residual convolutions; convolutions rather than the original GRU
because they train several times faster on a 2-core CPU) over normalised motion features ``[B, T, 137]``;
the text head is a small MLP over a frozen sentence embedding. Both end in unit-norm ``embed_dim``
vectors. The action classifier labels every step (one step = 4 frames).

Self-contained (no ``stickgen`` imports) so that a saved evaluator folder loads with
``AutoModel.from_pretrained(folder, trust_remote_code=True)`` in a process without ``stickgen``;
``stickgen.eval.evaluator.MotionTextEvaluator`` adds the feature statistics and the numpy API.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from transformers import PreTrainedModel
from transformers.utils import ModelOutput

from .configuration_evaluator import EvaluatorConfig

#: frames per step of the motion encoder's states
DOWNSAMPLE = 4


@dataclass
class StickGenEvaluatorOutput(ModelOutput):
    """``motion_embeds [B, embed_dim]`` unit vectors; ``action_logits [B, ceil(T/4), num_actions]`` per step."""

    motion_embeds: torch.Tensor | None = None
    action_logits: torch.Tensor | None = None


class MotionEncoder(nn.Module):
    """``[B, T, F]`` -> per-step states ``[B, ceil(T/4), hidden]`` and a clip embedding ``[B, embed_dim]``.

    Two stride-2 convolutions (4x downsampling) then three residual dilated convolutions, so each step
    sees about 2.5 s of motion; the embedding is an MLP over the masked mean and max of the states.
    """

    def __init__(self, config: EvaluatorConfig):
        super().__init__()
        h = config.hidden
        self.down = nn.Sequential(
            nn.Conv1d(config.feature_dim, h, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv1d(h, h, 4, stride=2, padding=1), nn.LeakyReLU(0.2))
        self.context = nn.ModuleList([nn.Conv1d(h, h, 5, padding=2 * d, dilation=d) for d in (1, 2, 4)])
        self.project = nn.Sequential(nn.Linear(2 * h, h), nn.LeakyReLU(0.2), nn.Linear(h, config.embed_dim))

    def forward(self, motion: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.down(motion.transpose(1, 2))  # [B, h, S]
        steps = torch.clamp((lengths + DOWNSAMPLE - 1) // DOWNSAMPLE, 1, x.shape[-1])
        mask = (torch.arange(x.shape[-1], device=x.device)[None] < steps[:, None]).float()[:, None]  # [B, 1, S]
        for conv in self.context:
            x = x + nn.functional.leaky_relu(conv(x * mask), 0.2)
        states = x.transpose(1, 2)  # [B, S, h]
        mean = (x * mask).sum(-1) / mask.sum(-1)
        peak = x.masked_fill(mask == 0, float("-inf")).amax(-1)
        return states, nn.functional.normalize(self.project(torch.cat([mean, peak], -1)), dim=-1)


class StickGenEvaluator(PreTrainedModel):
    """Motion encoder + text head + per-step action classifier, with the contrastive ``logit_scale``."""

    config_class = EvaluatorConfig
    base_model_prefix = "evaluator"

    def __init__(self, config: EvaluatorConfig):
        super().__init__(config)
        self.motion_encoder = MotionEncoder(config)
        self.text_head = nn.Sequential(nn.Linear(config.text_dim, config.hidden), nn.LeakyReLU(0.2),
                                       nn.Linear(config.hidden, config.embed_dim))
        self.action_head = nn.Linear(config.hidden, config.num_actions)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07), dtype=torch.float32))
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        """Keep PyTorch's default initialisation of each layer (the evaluator is trained from it)."""

    def embed_text(self, sentence_embeddings: torch.Tensor) -> torch.Tensor:
        """``[B, text_dim]`` sentence embeddings -> ``[B, embed_dim]`` unit vectors."""
        return nn.functional.normalize(self.text_head(sentence_embeddings), dim=-1)

    def forward(self, motion: torch.Tensor, lengths: torch.Tensor, **kwargs) -> StickGenEvaluatorOutput:
        """``motion [B, T, 137]`` normalised features (zero-padded; ``T`` a multiple of 4), ``lengths [B]``
        real frames per clip."""
        states, embedding = self.motion_encoder(motion, lengths)
        return StickGenEvaluatorOutput(motion_embeds=embedding, action_logits=self.action_head(states))
