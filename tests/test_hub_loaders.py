"""Every part of a saved folder loads with the ecosystem's own loaders in a process where ``stickgen`` cannot be
imported (transformers ``AutoModel`` for the planner and the evaluator, diffusers ``AutoModel`` for the
refiner), and computes what stickgen computes; ``python -m stickgen.remote_code`` upgrades older folders
in place without rewriting a weights file."""
import hashlib
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from stickgen import features, remote_code, vocab
from stickgen.eval.evaluator import EvaluatorConfig, MotionTextEvaluator
from stickgen.models import StickGenPlanner
from stickgen.models.modeling_refiner import NUM_ACTIONS, StickGenRefiner
from stickgen.pipeline import StickGenPipeline
from stickgen.text import MINILM

TINY_PLANNER = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, max_frames=100, window_overlap=20)
TINY_REFINER = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, residual=False)
TINY_EVALUATOR = dict(hidden=16, embed_dim=8, text_dim=16)
FRAMES = 24

#: run with ``python -I -S``: site-packages on sys.path by hand, so the editable install's finder (a .pth
#: file) never runs and ``stickgen`` is not importable
LOAD_WITHOUT_STICKGEN = """
import importlib.util, sys
sys.path[:0] = {site_packages!r}
assert importlib.util.find_spec("stickgen") is None, "stickgen must not be importable here"
from pathlib import Path
import diffusers, numpy as np, torch, transformers

root = {root!r}  # a str: diffusers' AutoModel does not take a Path
x = {{p.stem: torch.from_numpy(np.load(p)) for p in Path(root, "inputs").glob("*.npy")}}
out = Path(root, "outputs")
out.mkdir()
with torch.no_grad():
    planner = transformers.AutoModel.from_pretrained(root + "/pipe/planner", trust_remote_code=True)
    np.save(out / "pose.npy", planner(x["text_embeds"], x["action_ids"]).pose.numpy())
    refiner = diffusers.AutoModel.from_pretrained(root + "/pipe", subfolder="refiner", trust_remote_code=True)
    sample = refiner(x["sample"], x["timestep"], x["condition"], x["text_embeds"], action_ids=x["action_ids"]).sample
    np.save(out / "refined.npy", sample.numpy())
    for name in ("evaluator", "upgraded_evaluator"):
        evaluator = transformers.AutoModel.from_pretrained(root + "/" + name, trust_remote_code=True)
        result = evaluator(x["motion"], x["lengths"])
        np.save(out / f"{{name}}_motion_embeds.npy", result.motion_embeds.numpy())
        np.save(out / f"{{name}}_action_logits.npy", result.action_logits.numpy())
        np.save(out / f"{{name}}_text_embeds.npy", evaluator.embed_text(x["text_embeds"]).numpy())
print(type(planner).__module__, type(refiner).__module__, type(evaluator).__module__)
"""


class NamedTextEncoder:
    """What a pipeline records of its text encoder (name and dimension); it never encodes."""

    name, dim = "tiny-text-encoder", 16

    def check(self, name: str, dim: int) -> None:
        assert (name, dim) == (self.name, self.dim)


def tiny_pipeline():
    return StickGenPipeline.from_preset("small", NamedTextEncoder(), planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=0)


def tiny_evaluator() -> MotionTextEvaluator:
    torch.manual_seed(0)
    stats = features.FeatureStats(np.linspace(-1, 1, features.FEATURE_DIM), np.linspace(0.5, 2, features.FEATURE_DIM))
    return MotionTextEvaluator(EvaluatorConfig(**TINY_EVALUATOR), stats)


def save_legacy_evaluator(evaluator: MotionTextEvaluator, folder: Path) -> Path:
    """``folder`` in the layout evaluators were saved in before they became transformers models."""
    folder.mkdir(parents=True)
    (folder / "evaluator_config.json").write_text(json.dumps(evaluator.config.sizes(), indent=1))
    evaluator.stats.save(folder)
    save_file({k: v.contiguous() for k, v in evaluator.network.state_dict().items()},
              str(folder / "evaluator.safetensors"))
    return folder


def weight_hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.safetensors")}


def fixed_inputs(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "text_embeds": rng.standard_normal((2, 16)).astype(np.float32),
        "action_ids": rng.integers(0, len(vocab.ACTIONS), (2, FRAMES)),
        "sample": rng.standard_normal((2, FRAMES, features.FEATURE_DIM)).astype(np.float32),
        "condition": rng.standard_normal((2, FRAMES, features.FEATURE_DIM)).astype(np.float32),
        "timestep": np.array([500, 20]),
        "motion": rng.standard_normal((2, FRAMES, features.FEATURE_DIM)).astype(np.float32),
        "lengths": np.array([FRAMES, FRAMES - 7]),
    }


@pytest.fixture(scope="module")
def loaded_without_stickgen(tmp_path_factory):
    """Folders saved by stickgen, copied, and loaded in a fresh ``python -I -S`` process; returns the
    saved folders, the inputs and the outputs that process wrote."""
    saved = tmp_path_factory.mktemp("saved")
    tiny_pipeline().save_pretrained(saved / "pipe")
    evaluator = tiny_evaluator()
    evaluator.save_pretrained(saved / "evaluator")
    remote_code.upgrade_evaluator_folder(save_legacy_evaluator(evaluator, saved / "upgraded_evaluator"))
    root = tmp_path_factory.mktemp("copy")
    for name in ("pipe", "evaluator", "upgraded_evaluator"):
        shutil.copytree(saved / name, root / name)
    inputs = fixed_inputs()
    (root / "inputs").mkdir()
    for name, value in inputs.items():
        np.save(root / "inputs" / f"{name}.npy", value)
    site_packages = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    script = LOAD_WITHOUT_STICKGEN.format(site_packages=site_packages, root=str(root))
    env = {"HF_HOME": str(root / "hf-home"), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    outputs = {p.stem: np.load(p) for p in (root / "outputs").glob("*.npy")}
    return saved, {k: torch.from_numpy(v) for k, v in inputs.items()}, outputs, done.stdout


def test_the_loaders_ran_the_folders_own_code(loaded_without_stickgen):
    *_, stdout = loaded_without_stickgen
    planner_module, refiner_module, evaluator_module = stdout.split()
    assert planner_module.startswith("transformers_modules.") and planner_module.endswith(".modeling_stickgen")
    assert refiner_module.startswith("diffusers_modules.") and refiner_module.endswith(".modeling_refiner")
    assert evaluator_module.endswith(".modeling_evaluator")


@torch.no_grad()
def test_planner_and_refiner_compute_what_stickgen_computes(loaded_without_stickgen):
    saved, x, outputs, _ = loaded_without_stickgen
    planner = StickGenPlanner.from_pretrained(saved / "pipe" / "planner").eval()
    refiner = StickGenRefiner.from_pretrained(saved / "pipe" / "refiner").eval()
    pose = planner(x["text_embeds"], x["action_ids"]).pose
    refined = refiner(x["sample"], x["timestep"], x["condition"], x["text_embeds"], action_ids=x["action_ids"]).sample
    np.testing.assert_allclose(outputs["pose"], pose.numpy(), atol=1e-5)
    np.testing.assert_allclose(outputs["refined"], refined.numpy(), atol=1e-5)


@torch.no_grad()
@pytest.mark.parametrize("name", ["evaluator", "upgraded_evaluator"])
def test_evaluator_computes_what_stickgen_computes(loaded_without_stickgen, name):
    saved, x, outputs, _ = loaded_without_stickgen
    evaluator = MotionTextEvaluator.from_pretrained(saved / name)
    result = evaluator(x["motion"], x["lengths"])
    np.testing.assert_allclose(outputs[f"{name}_motion_embeds"], result.motion_embeds.numpy(), atol=1e-5)
    np.testing.assert_allclose(outputs[f"{name}_action_logits"], result.action_logits.numpy(), atol=1e-5)
    np.testing.assert_allclose(outputs[f"{name}_text_embeds"], evaluator.embed_text(x["text_embeds"]).numpy(),
                               atol=1e-5)
    np.testing.assert_array_equal(evaluator.stats.std, tiny_evaluator().stats.std)


def strip_remote_code(folder: Path) -> None:
    """Make ``folder`` look saved before the parts carried remote code (top-level component entries)."""
    for component in remote_code.PIPELINE:
        for path in (folder / component).glob("*.py"):
            path.unlink()
        config = json.loads((folder / component / "config.json").read_text())
        config.pop("auto_map")
        (folder / component / "config.json").write_text(json.dumps(config, indent=2))
    index = json.loads((folder / "model_index.json").read_text())
    index.update(index.pop("components"))
    (folder / "model_index.json").write_text(json.dumps(index, indent=2))


def test_upgrade_adds_the_remote_code_of_a_fresh_save_without_touching_weights(tmp_path):
    fresh = tiny_pipeline().save_pretrained(tmp_path / "fresh")
    old = tmp_path / "old"
    shutil.copytree(fresh, old)
    strip_remote_code(old)
    before = weight_hashes(old)
    assert remote_code.main([str(old)]) == 0
    assert weight_hashes(old) == before == weight_hashes(fresh)
    for component in remote_code.PIPELINE:
        assert {p.name: p.read_bytes() for p in (old / component).glob("*.py")} == {
            p.name: p.read_bytes() for p in (fresh / component).glob("*.py")}
        assert (json.loads((old / component / "config.json").read_text())
                == json.loads((fresh / component / "config.json").read_text()))
    assert json.loads((old / "model_index.json").read_text()) == json.loads((fresh / "model_index.json").read_text())
    remote_code.upgrade_folder(old)  # a second run changes nothing
    assert json.loads((old / "model_index.json").read_text()) == json.loads((fresh / "model_index.json").read_text())
    loaded = StickGenPipeline.from_pretrained(old, text_encoder=NamedTextEncoder())
    assert loaded.refiner.config.d_model == TINY_REFINER["d_model"]


def test_upgrade_converts_an_old_evaluator_folder_keeping_its_weight_bytes(tmp_path):
    evaluator = tiny_evaluator()
    legacy = save_legacy_evaluator(evaluator, tmp_path / "ev")
    motion, lengths = torch.randn(1, 16, features.FEATURE_DIM), torch.tensor([16])
    before = MotionTextEvaluator.from_pretrained(legacy)(motion, lengths).motion_embeds  # the old layout loads
    digest = weight_hashes(legacy)["evaluator.safetensors"]
    assert remote_code.upgrade_folder(legacy) == "evaluator"
    assert weight_hashes(legacy) == {"model.safetensors": digest}
    assert not (legacy / "evaluator_config.json").exists()
    assert sorted(p.name for p in legacy.glob("*.py")) == ["configuration_evaluator.py", "modeling_evaluator.py"]
    after = MotionTextEvaluator.from_pretrained(legacy)(motion, lengths).motion_embeds
    torch.testing.assert_close(after, before, rtol=0, atol=0)
    assert remote_code.upgrade_folder(legacy) == "evaluator"  # refreshing an upgraded folder is harmless


def test_an_unknown_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="neither a pipeline folder"):
        remote_code.upgrade_folder(tmp_path)


def test_the_self_contained_files_agree_with_the_library():
    """The remote-code files cannot import stickgen, so they restate a few of its constants."""
    assert NUM_ACTIONS == EvaluatorConfig().num_actions == len(vocab.ACTIONS)
    assert EvaluatorConfig().feature_dim == features.FEATURE_DIM
    assert EvaluatorConfig().text_encoder == MINILM
