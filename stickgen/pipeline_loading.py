"""Loading and saving a :class:`~stickgen.pipeline.StickGenPipeline`, and its LoRA adapters (a mixin, as
diffusers splits loading from generation).

Saved folder (``save_pretrained``)::

    model_index.json      class, version, component classes ("components"), text encoder name and
                          dimension, and the recommended sampling settings
                          (:class:`stickgen.sampling.SamplingSettings`)
    planner/              transformers folder (config.json with auto_map, weights, remote code)
    refiner/              diffusers folder (config.json with auto_map, weights, remote code)
    scheduler/            DDIMScheduler config
    image_encoder/        optional: the image pose encoder (transformers folder with auto_map and remote
                          code), which reads key poses from pictures (``pipe(prompt, image=...)``)
    feature_stats.json    normalisation of the motion features
    onnx/                 optional: planner.onnx, refiner.onnx (see stickgen.onnx_export)

``model_index.json`` is read by :class:`StickGenPipeline` only: it is not a diffusers pipeline index
(``DiffusionPipeline.from_pretrained`` cannot load the folder). Its component classes sit under
``"components"`` so that ``diffusers.AutoModel.from_pretrained(folder, subfolder=...)`` reads the
subfolder's own config.json; each part then loads without ``stickgen`` (see :mod:`stickgen.remote_code`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .features import FeatureStats
from .model_folder import check_model_folder
from .remote_code import REFINER, add_remote_code

MODEL_INDEX = "model_index.json"


class PipelineLoadingMixin:
    """``from_preset``, ``from_pretrained``, ``save_pretrained``, ``push_to_hub``, ``load_lora`` and
    ``set_adapter``."""

    @classmethod
    def from_preset(cls, preset: str = "small", text_encoder=None, feature_stats: FeatureStats | None = None,
                    planner_overrides: dict | None = None, refiner_overrides: dict | None = None,
                    seed: int = 0) -> Any:
        """A randomly initialised pipeline of a preset (``small``/``medium``/``large``), for training or tests.

        ``planner_overrides``/``refiner_overrides`` change config fields (for example tiny test models);
        weights are drawn with ``torch.manual_seed(seed)``.
        """
        from .models import StickGenConfig, StickGenPlanner
        from .models.modeling_refiner import StickGenRefiner, make_scheduler
        from .text import TextEncoder

        encoder = text_encoder or TextEncoder()
        overrides = {"text_encoder": encoder.name, "text_dim": encoder.dim, **(planner_overrides or {})}
        torch.manual_seed(seed)
        planner = StickGenPlanner(StickGenConfig.from_preset(preset, **overrides))
        refiner = StickGenRefiner.from_preset(preset, text_dim=encoder.dim, **(refiner_overrides or {}))
        return cls(planner, refiner, make_scheduler(), encoder, feature_stats or FeatureStats.identity(),
                   name=f"stickgen-{preset}")

    @classmethod
    def from_pretrained(cls, path_or_hub_id: str | Path, backend: str = "pytorch", text_encoder=None,
                        onnx_folder: str | Path | None = None, **hub_kwargs) -> Any:
        """Load a saved folder, or download a Hub repository (honours ``HF_HUB_OFFLINE``). A damaged folder
        raises :class:`stickgen.model_folder.ModelFolderError` naming the file and field. ``backend="onnx"``
        runs ``onnx_folder`` (default: the folder's ``onnx/``; :func:`stickgen.onnx_export.cached_onnx`
        exports one on first use)."""
        from diffusers import DDIMScheduler

        from .models import StickGenPlanner
        from .models.modeling_refiner import StickGenRefiner
        from .text import TextEncoder

        folder = Path(path_or_hub_id)
        if not folder.is_dir():
            from huggingface_hub import snapshot_download

            folder = Path(snapshot_download(str(path_or_hub_id), **hub_kwargs))
        index_path = folder / MODEL_INDEX
        if not index_path.exists():
            raise FileNotFoundError(f"{folder} has no {MODEL_INDEX}; not a StickGenPipeline folder")
        index = json.loads(index_path.read_text())
        check_model_folder(folder)  # configs and weights headers, before any model is built
        planner = StickGenPlanner.from_pretrained(folder / "planner")
        refiner = StickGenRefiner.from_pretrained(folder / "refiner")
        scheduler = DDIMScheduler.from_pretrained(folder / "scheduler")
        encoder = text_encoder or TextEncoder(index["text_encoder"]["name"])
        image_encoder = None
        if (folder / "image_encoder" / "config.json").is_file():
            from .models import StickGenImageEncoder

            image_encoder = StickGenImageEncoder.from_pretrained(folder / "image_encoder")
        pipe = cls(planner, refiner, scheduler, encoder, FeatureStats.load(folder),
                   name=index.get("name", folder.name), backend=backend,
                   onnx_folder=folder / "onnx" if onnx_folder is None else onnx_folder,
                   sampling=index.get("sampling"), image_encoder=image_encoder)
        pipe.name_or_path, pipe._source_folder = str(path_or_hub_id), folder  # push_to_hub reuses its card
        return pipe

    def save_pretrained(self, folder: str | Path) -> Path:
        """Write every component into ``folder`` (see the module docstring for the layout)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        planner = self.planner.get_base_model() if hasattr(self.planner, "get_base_model") else self.planner
        planner.save_pretrained(folder / "planner")
        self.refiner.save_pretrained(folder / "refiner")
        add_remote_code(folder / "refiner", REFINER)  # diffusers writes neither the auto_map nor the files
        self.scheduler.save_pretrained(folder / "scheduler")
        self.feature_stats.save(folder)
        components = {"planner": ["stickgen.models", "StickGenPlanner"],
                      "refiner": ["stickgen.models.modeling_refiner", "StickGenRefiner"],
                      "scheduler": ["diffusers", type(self.scheduler).__name__]}
        if self.image_encoder is not None:
            self.image_encoder.save_pretrained(folder / "image_encoder")
            components["image_encoder"] = ["stickgen.models", "StickGenImageEncoder"]
        index = {
            "_class_name": type(self).__name__, "_stickgen_version": __version__, "name": self.name,
            "components": components,
            "text_encoder": {"name": self.text_encoder.name, "dim": self.text_encoder.dim},
            "sampling": self.sampling.to_dict(),
        }
        (folder / MODEL_INDEX).write_text(json.dumps(index, indent=2) + "\n")
        return folder

    def push_to_hub(self, repo_id: str, *, api=None, token: str | None = None, private: bool = False,
                    copy_card: bool = True, commit_message: str = "Upload StickGenPipeline"):
        """Upload the pipeline to the Hub model repository ``repo_id`` (:func:`stickgen.hub.push_pipeline`).

        It is saved with :meth:`save_pretrained` into a temporary folder; a pipeline loaded from a folder
        with a README.md takes that card along, with the records beside it that the card describes (the
        top-level files ``save_pretrained`` does not write: training configs, summaries, curves), unless
        ``copy_card=False``; without one a short card is written. ``api`` (an ``HfApi``) is for tests and
        custom endpoints. Returns the ``CommitInfo``."""
        import shutil
        import tempfile

        from .hub import push_pipeline

        source = getattr(self, "_source_folder", None)
        with tempfile.TemporaryDirectory(prefix="stickgen-push-") as tmp:
            folder = self.save_pretrained(Path(tmp) / (Path(self.name).name or "pipeline"))
            if copy_card and source is not None and (Path(source) / "README.md").is_file():
                for path in sorted(Path(source).iterdir()):
                    if path.is_file() and not path.name.startswith(".") and not (folder / path.name).exists():
                        shutil.copyfile(path, folder / path.name)
            return push_pipeline(folder, repo_id, api=api, token=token, private=private,
                                 commit_message=commit_message)

    def load_lora(self, path: str | Path, adapter_name: str | None = None) -> None:
        """Load a PEFT LoRA adapter for the planner (and make it active)."""
        from peft import PeftModel

        if self.backend != "pytorch":
            raise ValueError(f"LoRA adapters run on the pytorch backend, not {self.backend!r}")
        name = adapter_name or "default"
        if isinstance(self.planner, PeftModel):
            self.planner.load_adapter(str(path), adapter_name=name)
        else:
            self.planner = PeftModel.from_pretrained(self.planner, str(path), adapter_name=name)
        self.planner.set_adapter(name)
        self.planner.eval()

    def set_adapter(self, name: str) -> None:
        """Make a loaded LoRA adapter the active one."""
        from peft import PeftModel

        if not isinstance(self.planner, PeftModel):
            raise ValueError("no LoRA adapter loaded; call load_lora first")
        self.planner.set_adapter(name)
