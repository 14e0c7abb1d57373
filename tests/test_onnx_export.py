"""ONNX tier: Optimum export of planner and refiner, agreement with PyTorch, onnxruntime pipeline."""
import json
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stickgen.backends import OnnxPlanner, OnnxRefiner  # noqa: E402
from stickgen.conditioning import plan_from_actions  # noqa: E402
from stickgen.onnx_export import export_pipeline  # noqa: E402
from stickgen.pipeline import StickGenPipeline  # noqa: E402
from stickgen.text import TextEncoder  # noqa: E402

TINY_PLANNER = dict(d_model=64, num_layers=2, num_heads=4, ffn_dim=128, max_frames=100, window_overlap=20,
                    control_dim=5)
# residual=False: a residual refiner starts as the identity on the plan, so an untrained one ignores the seed
TINY_REFINER = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, residual=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("onnx_pipe")
    pipe = StickGenPipeline.from_preset("small", TextEncoder(), planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=11)
    torch.nn.init.normal_(pipe.planner.control_proj.weight, std=0.2)  # controls that change the plan
    pipe.save_pretrained(folder)
    return folder, pipe, export_pipeline(folder, frames=(100, 37))


def test_exported_models_agree_with_pytorch_within_1e4(exported):
    folder, _, report = exported
    assert report["planner_max_abs_diff"] < 1e-4 and report["refiner_max_abs_diff"] < 1e-4
    assert json.loads((folder / "onnx" / "validation.json").read_text()) == report


def test_onnx_runners_match_modules_on_odd_lengths(exported):
    folder, pipe, _ = exported
    g = torch.Generator().manual_seed(0)
    b, t = 2, 37
    inputs = dict(text_embeds=torch.randn(b, 384, generator=g), action_ids=torch.randint(0, 46, (b, t), generator=g),
                  attention_mask=torch.ones(b, t, dtype=torch.bool), camera_ids=torch.tensor([0, 4]),
                  known_features=torch.randn(b, t, 137, generator=g),
                  known_mask=(torch.arange(t) < 9).float().expand(b, t),
                  partner_joints=torch.randn(b, t, 66, generator=g), has_partner=torch.tensor([1.0, 0.0]),
                  control=torch.randn(b, t, 5, generator=g),
                  control_mask=(torch.rand(b, t, 5, generator=g) > 0.5).float())
    with torch.inference_mode():
        expected = pipe.planner(**inputs).pose
        refiner_args = (torch.randn(b, t, 137, generator=g), torch.tensor([999, 10]), expected,
                        inputs["text_embeds"], torch.tensor([1.0, 0.0]), inputs["action_ids"])
        expected_x0 = pipe.refiner(*refiner_args).sample
    assert (OnnxPlanner(folder / "onnx" / "planner.onnx")(inputs) - expected).abs().max() < 1e-4
    got = OnnxRefiner(folder / "onnx" / "refiner.onnx", patch_size=2)(*refiner_args)
    assert got.shape == (b, t, 137) and (got - expected_x0).abs().max() < 1e-4


def test_onnx_backend_pipeline_matches_pytorch(exported):
    folder, pipe, _ = exported
    onnx_pipe = StickGenPipeline.from_pretrained(folder, backend="onnx", text_encoder=pipe.text_encoder)
    plan = plan_from_actions(["walk", "wave"], "walks then waves", duration=6.0)
    a = pipe(plan, seed=2).scenes[0].actors[0].joints
    b = onnx_pipe(plan, seed=2).scenes[0]
    assert b.meta["backend"] == "onnx"
    assert np.abs(a - b.actors[0].joints).max() < 1e-4
    steered = "a man walks backwards, then turns to his left"  # a plan with controls
    assert np.abs(pipe(steered, duration=5.0, seed=2).scenes[0].actors[0].joints
                  - onnx_pipe(steered, duration=5.0, seed=2).scenes[0].actors[0].joints).max() < 1e-4


def test_onnx_backend_needs_exported_files(tmp_path):
    pipe = StickGenPipeline.from_preset("small", TextEncoder(), planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER)
    pipe.save_pretrained(tmp_path)
    with pytest.raises(FileNotFoundError, match="export_pipeline"):
        StickGenPipeline.from_pretrained(tmp_path, backend="onnx", text_encoder=pipe.text_encoder)


def test_cli_onnx_backend_exports_once_into_the_cache_and_matches_pytorch(tmp_path, monkeypatch):
    from stickgen.generate_cli import main as stick_gen
    from stickgen.motion import Scene
    from stickgen.onnx_export import cached_onnx

    model = tmp_path / "model"
    pipe = StickGenPipeline.from_preset("small", TextEncoder(), planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=3)
    pipe.save_pretrained(model)
    monkeypatch.setenv("STICKGEN_CACHE", str(tmp_path / "cache"))
    outputs = {}
    for backend in ("pytorch", "onnx"):
        outputs[backend] = tmp_path / f"{backend}.motion"
        argv = ["a man walks", "--model", str(model), "--duration", "2", "--steps", "2", "--backend", backend,
                "-o", str(outputs[backend])]
        assert stick_gen(argv) == 0
    cached = cached_onnx(model)
    assert cached.parent == tmp_path / "cache" / "onnx" and not (model / "onnx").exists()  # the folder is untouched
    assert sorted(p.name for p in cached.iterdir()) == ["planner.onnx", "refiner.onnx", "validation.json"]
    stamp = (cached / "planner.onnx").stat().st_mtime_ns
    assert cached_onnx(model) == cached and (cached / "planner.onnx").stat().st_mtime_ns == stamp  # exported once
    a, b = (Scene.load(outputs[k]) for k in ("pytorch", "onnx"))
    assert b.meta["backend"] == "onnx" and np.abs(a.actors[0].joints - b.actors[0].joints).max() < 1e-3


@pytest.mark.slow
def test_small_preset_exports_within_1e4(tmp_path):
    pipe = StickGenPipeline.from_preset("small", TextEncoder())
    pipe.save_pretrained(tmp_path)
    report = export_pipeline(tmp_path)
    assert report["planner_max_abs_diff"] < 1e-4 and report["refiner_max_abs_diff"] < 1e-4
