"""The ONNX tier: export planner and refiner with Optimum's exporter and run them on onnxruntime.

``export_pipeline(folder)`` writes ``folder/onnx/planner.onnx`` and ``refiner.onnx`` (custom
``OnnxConfig`` classes below, ``optimum.exporters.onnx.export``), checks them against PyTorch on random
inputs of two lengths and saves the largest absolute differences in ``onnx/validation.json``.
``StickGenPipeline.from_pretrained(folder, backend="onnx")`` then runs both models with onnxruntime
(:mod:`stickgen.backends`, which needs no Optimum). :func:`cached_onnx` gives a folder's ONNX models,
exported once into a cache keyed by the weights when the folder ships none (``stick-gen --backend onnx``).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from optimum.exporters.onnx import OnnxConfig
from optimum.utils import DummyInputGenerator, NormalizedConfig

from .backends import PLANNER_INPUTS, REFINER_INPUTS, OnnxPlanner, OnnxRefiner

OPSET = 17


def _field(config: Any, name: str, default: Any) -> Any:
    value = getattr(config, name, None)
    if value is None and hasattr(config, "config"):
        value = getattr(config.config, name, None)
    if value is None and hasattr(config, "get"):
        value = config.get(name)
    return default if value is None else value


class MotionDummyInputGenerator(DummyInputGenerator):
    """Random planner/refiner inputs: batch 2, ``frames`` frames (even, so refiner patches need no pad)."""

    SUPPORTED_INPUT_NAMES = PLANNER_INPUTS + REFINER_INPUTS

    def __init__(self, task: str, normalized_config: Any, batch_size: int = 2, frames: int = 64, **kwargs):
        self.batch, self.frames = batch_size, frames
        self.feature_dim = _field(normalized_config, "feature_dim", 137)
        self.text_dim = _field(normalized_config, "text_dim", 384)
        self.partner_dim = _field(normalized_config, "partner_dim", 66)
        self.num_actions = _field(normalized_config, "num_actions", 46)
        self.num_camera_moves = _field(normalized_config, "num_camera_moves", 7)
        self.control_dim = _field(normalized_config, "control_dim", 0)

    def generate(self, input_name: str, framework: str = "pt", int_dtype: str = "int64", float_dtype: str = "fp32"):
        tensor = self._tensor(input_name)
        return tensor.numpy() if framework == "np" else tensor

    def _tensor(self, input_name: str):
        import torch

        b, t = self.batch, self.frames
        if input_name == "action_ids":
            return torch.randint(0, self.num_actions, (b, t))
        if input_name == "camera_ids":
            return torch.randint(0, self.num_camera_moves, (b,))
        if input_name == "timestep":
            return torch.randint(0, 1000, (b,))
        if input_name in ("attention_mask", "known_mask"):
            return torch.ones(b, t) if input_name == "known_mask" else torch.ones(b, t, dtype=torch.bool)
        if input_name in ("has_partner", "condition_mask"):
            return torch.ones(b)
        if input_name == "control_mask":
            return (torch.rand(b, t, self.control_dim) > 0.5).float()
        widths = {"text_embeds": self.text_dim, "partner_joints": self.partner_dim, "control": self.control_dim}
        if input_name in widths:
            shape = (b, widths[input_name]) if input_name == "text_embeds" else (b, t, widths[input_name])
            return torch.randn(shape)
        return torch.randn(b, t, self.feature_dim)


class StickGenPlannerOnnxConfig(OnnxConfig):
    """Planner export: every conditioning input, outputs ``pose`` and ``contact``."""

    NORMALIZED_CONFIG_CLASS = NormalizedConfig
    DUMMY_INPUT_GENERATOR_CLASSES = (MotionDummyInputGenerator,)
    ATOL_FOR_VALIDATION = 1e-4

    @property
    def inputs(self) -> dict[str, dict[int, str]]:
        """Every planner input; ``control``/``control_mask`` only for a planner with ``control_dim``."""
        frames = {0: "batch_size", 1: "frames"}
        names = PLANNER_INPUTS if getattr(self._config, "control_dim", 0) else PLANNER_INPUTS[:-2]
        return {name: ({0: "batch_size"} if name in ("text_embeds", "camera_ids", "has_partner") else frames)
                for name in names}

    @property
    def outputs(self) -> dict[str, dict[int, str]]:
        return {"pose": {0: "batch_size", 1: "frames"}, "contact": {0: "batch_size", 1: "frames"}}


class StickGenRefinerOnnxConfig(OnnxConfig):
    """Refiner export: one denoising call, output ``out_sample`` (the predicted clean features).
    ``action_ids`` is an input only of action-conditioned refiners (``num_actions > 0``)."""

    NORMALIZED_CONFIG_CLASS = NormalizedConfig
    DUMMY_INPUT_GENERATOR_CLASSES = (MotionDummyInputGenerator,)
    ATOL_FOR_VALIDATION = 1e-4

    @property
    def inputs(self) -> dict[str, dict[int, str]]:
        names = REFINER_INPUTS if getattr(self._config, "num_actions", 0) else REFINER_INPUTS[:-1]
        return {name: ({0: "batch_size"} if name in ("timestep", "text_embeds", "condition_mask")
                       else {0: "batch_size", 1: "frames"}) for name in names}

    @property
    def outputs(self) -> dict[str, dict[int, str]]:
        return {"out_sample": {0: "batch_size", 1: "frames"}}

    @property
    def torch_to_onnx_output_map(self) -> dict[str, str]:
        return {"sample": "out_sample"}


# ----------------------------------------------------------------------------- export


def cached_onnx(folder: str | Path) -> Path:
    """The folder holding ``planner.onnx`` and ``refiner.onnx`` for the pipeline saved in ``folder``: its own
    ``onnx/`` when it ships one, else ``$STICKGEN_CACHE`` (default ``~/.cache/stickgen``)
    ``/onnx/<name>-<hash of the weights>``, exported there on first use (about half a minute on 2 cores)."""
    folder = Path(folder)
    if (folder / "onnx" / "planner.onnx").exists() and (folder / "onnx" / "refiner.onnx").exists():
        return folder / "onnx"
    digest = hashlib.sha256()
    for weights in ("planner/model.safetensors", "refiner/diffusion_pytorch_model.safetensors"):
        digest.update((folder / weights).read_bytes())
    root = Path(os.environ.get("STICKGEN_CACHE", Path.home() / ".cache" / "stickgen"))
    out = root / "onnx" / f"{folder.name}-{digest.hexdigest()[:16]}"
    if not (out / "validation.json").exists():  # written last: a half-finished export is redone
        export_pipeline(folder, out=out)
    return out


def export_pipeline(folder: str | Path, frames: tuple[int, ...] | None = None,
                    out: str | Path | None = None) -> dict[str, float]:
    """Export the pipeline saved in ``folder`` to ``out`` (default ``folder/onnx``) and validate it.

    Returns ``{"planner_max_abs_diff": ..., "refiner_max_abs_diff": ...}`` over random inputs of each
    length in ``frames`` (default: a whole planner window and an odd length; also written to
    ``validation.json``).
    """
    import torch
    from optimum.exporters.onnx import export

    from .pipeline import StickGenPipeline

    folder = Path(folder)
    out = folder / "onnx" if out is None else Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pipe = StickGenPipeline.from_pretrained(folder)
    window = pipe.planner.config.max_frames
    frames = frames or (window, window // 2 + 1)  # a whole window and an odd length (the refiner pads it)
    planner_config = StickGenPlannerOnnxConfig(pipe.planner.config)
    refiner_config = StickGenRefinerOnnxConfig(pipe.refiner.config)
    export(pipe.planner, planner_config, out / "planner.onnx", opset=OPSET)
    export(pipe.refiner, refiner_config, out / "refiner.onnx", opset=OPSET)
    report = {"opset": OPSET, "frames": list(frames)}
    planner_runner = OnnxPlanner(out / "planner.onnx")
    refiner_runner = OnnxRefiner(out / "refiner.onnx", pipe.refiner.config.patch_size)
    checks = {
        "planner": (planner_config, lambda x: pipe.planner(**x).pose, planner_runner),
        "refiner": (refiner_config, lambda x: pipe.refiner(**x).sample,
                    lambda x: refiner_runner(*(x.get(k) for k in REFINER_INPUTS))),
    }
    for name, (config, torch_fn, onnx_fn) in checks.items():
        diffs = []
        for length in frames:
            generator = MotionDummyInputGenerator("feature-extraction", pipe.planner.config, batch_size=2,
                                                  frames=length)
            inputs = {k: generator.generate(k) for k in config.inputs}
            with torch.inference_mode():
                expected, got = torch_fn(inputs), onnx_fn(inputs)
            if got.shape != expected.shape:
                raise ValueError(f"{name}: ONNX output shape {tuple(got.shape)} != PyTorch {tuple(expected.shape)}")
            diffs.append(float((got - expected).abs().max()))
        report[f"{name}_max_abs_diff"] = max(diffs)
    (out / "validation.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
