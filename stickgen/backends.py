"""The two backends that run planner and refiner: PyTorch modules, or their ONNX exports on onnxruntime.

:func:`runners` gives a pipeline its ``(plan, denoise)`` pair: ``plan(inputs) -> pose [B, T, 137]`` (the
planner's keyword tensors in) and ``denoise`` with the :data:`stickgen.models.modeling_refiner.DenoiseFn`
signature. The ONNX runners need only onnxruntime (the exporter, :mod:`stickgen.onnx_export`, needs Optimum).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

PLANNER_INPUTS = ("text_embeds", "action_ids", "attention_mask", "camera_ids", "known_features", "known_mask",
                  "partner_joints", "has_partner", "control", "control_mask")
REFINER_INPUTS = ("sample", "timestep", "condition", "text_embeds", "condition_mask", "action_ids")
ONNX_TYPES = {"tensor(float)": np.float32, "tensor(int64)": np.int64, "tensor(bool)": np.bool_}
BACKENDS = ("pytorch", "onnx")


def runners(backend: str, owner: Any, onnx_folder: str | Path | None = None) -> tuple[Callable, Callable]:
    """``(plan, denoise)`` for ``backend``: ``"pytorch"`` calls ``owner.planner`` and ``owner.refiner``
    on ``owner.device`` (looked up at each call, so a LoRA adapter loaded later is used; tensors come back
    on the CPU); ``"onnx"`` runs
    ``onnx_folder/planner.onnx`` and ``refiner.onnx`` (a FileNotFoundError says how to make them)."""
    if backend == "pytorch":
        def plan(inputs: dict[str, Any]):
            return owner.planner(**{k: v.to(owner.device) for k, v in inputs.items()}).pose.cpu()

        def denoise(*args):
            return owner.refiner(*(a.to(owner.device) if a is not None else None for a in args)).sample.cpu()

        return plan, denoise
    if backend != "onnx":
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    folder = Path(onnx_folder) if onnx_folder is not None else None
    if folder is None or not (folder / "planner.onnx").exists():
        raise FileNotFoundError("backend='onnx' needs planner.onnx and refiner.onnx; run "
                                "stickgen.onnx_export.export_pipeline(folder) first")
    return (OnnxPlanner(folder / "planner.onnx"),
            OnnxRefiner(folder / "refiner.onnx", owner.refiner.config.patch_size))


class _Session:
    def __init__(self, path: str | Path, threads: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # do not starve torch/numpy
        if threads:
            options.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.input_types = {i.name: ONNX_TYPES[i.type] for i in self.session.get_inputs()}


class OnnxPlanner(_Session):
    """Planner on onnxruntime: ``inputs`` (the planner's keyword tensors) -> ``pose [B, T, 137]`` tensor."""

    def __call__(self, inputs: dict[str, Any]):
        import torch

        feeds = {name: inputs[name].numpy().astype(self.input_types[name]) for name in self.input_names}
        return torch.from_numpy(self.session.run(["pose"], feeds)[0])


class OnnxRefiner(_Session):
    """Refiner on onnxruntime with the :data:`stickgen.models.modeling_refiner.DenoiseFn` signature.

    Odd lengths are padded by one frame (the export has no padding branch) and cropped after.
    """

    def __init__(self, path: str | Path, patch_size: int = 2, threads: int | None = None):
        super().__init__(path, threads)
        self.patch_size = patch_size

    def __call__(self, sample, timestep, condition, text_embeds, condition_mask, action_ids=None):
        import torch

        t = sample.shape[1]
        pad = (-t) % self.patch_size
        frames = [torch.nn.functional.pad(x, (0, 0, 0, pad)).numpy() for x in (sample, condition)]
        feeds = dict(zip(REFINER_INPUTS, [frames[0], timestep.numpy(), frames[1], text_embeds.numpy(),
                                          condition_mask.numpy()]))
        if "action_ids" in self.input_names:
            if action_ids is None:
                raise ValueError("this refiner is conditioned on per-frame actions: pass action_ids [B, T]")
            padded = torch.cat([action_ids, action_ids[:, -1:].expand(-1, pad)], dim=1)  # as the model pads
            feeds["action_ids"] = padded.numpy().astype(np.int64)
        return torch.from_numpy(self.session.run(None, feeds)[0][:, :t])
