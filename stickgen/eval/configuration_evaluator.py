"""``EvaluatorConfig``: the evaluator's configuration (``model_type = "stickgen_evaluator"``).

Self-contained (no ``stickgen`` imports) so that a saved evaluator folder loads with
``AutoModel.from_pretrained(folder, trust_remote_code=True)`` in a process without ``stickgen``.
"""
from __future__ import annotations

from transformers import PretrainedConfig

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
SIZES = ("feature_dim", "hidden", "embed_dim", "text_dim", "num_actions")


class EvaluatorConfig(PretrainedConfig):
    """Sizes of :class:`StickGenEvaluator`.

    ``feature_dim`` must match ``stickgen.features.FEATURE_DIM`` (137) and ``num_actions`` the action
    vocabulary (46); ``text_encoder``/``text_dim`` name the frozen sentence encoder whose embeddings the
    text head takes.
    """

    model_type = "stickgen_evaluator"

    def __init__(self, feature_dim: int = 137, hidden: int = 256, embed_dim: int = 128, text_dim: int = 384,
                 num_actions: int = 46, text_encoder: str = MINILM, **kwargs):
        self.feature_dim, self.hidden, self.embed_dim = feature_dim, hidden, embed_dim
        self.text_dim, self.num_actions, self.text_encoder = text_dim, num_actions, text_encoder
        for name in SIZES:
            if getattr(self, name) <= 0:
                raise ValueError(f"EvaluatorConfig.{name} must be positive, got {getattr(self, name)}")
        super().__init__(**kwargs)

    def sizes(self) -> dict[str, int | str]:
        """The fields above (without transformers' own), as the training log records them."""
        return {name: getattr(self, name) for name in (*SIZES, "text_encoder")}
