"""Upload Stick-Gen's artifacts to the Hugging Face Hub: the pipeline, the evaluator, LoRA adapters and the Space.

Every upload is one commit made by :func:`commit_files`: ``HfApi.create_repo(..., exist_ok=True)`` then
``HfApi.create_commit`` with one ``CommitOperationAdd`` per file, so a test that passes a fake ``api`` sees
every path and byte that would be committed. Folders on disk are never modified: rewritten files (the
adapter's config, cards with added metadata, ``.gitattributes``) go into the commit as bytes.

- :func:`push_pipeline`: a saved :class:`~stickgen.pipeline.StickGenPipeline` folder (also
  ``StickGenPipeline.push_to_hub``);
- :func:`push_evaluator`: a :class:`~stickgen.eval.evaluator.MotionTextEvaluator` folder;
- :func:`push_adapter`: a PEFT LoRA adapter of the planner, with its Hub ``base_model`` and a real card;
- :func:`stickgen.hub_space.push_space`: the Gradio Space.

The repository ids the project publishes under are the constants below (one place;
``datasets_scripts.build --push-to-hub`` and ``training.card`` use :data:`DATASET_REPO_ID`).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Mapping

import yaml
from huggingface_hub import CommitOperationAdd, HfApi, ModelCard

#: where the project publishes (the organisation is the project's; change it in this one place)
HUB_OWNER = "stickgen"
DATASET_REPO_ID = f"{HUB_OWNER}/stickgen-motion"
MODEL_REPO_ID = f"{HUB_OWNER}/stickgen-small"
EVALUATOR_REPO_ID = f"{HUB_OWNER}/stickgen-evaluator"
SPACE_REPO_ID = f"{HUB_OWNER}/stick-gen"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_NAME = "stickgen-small"
#: files stored with Git LFS in every repository this module writes (``.gitattributes``)
LFS_PATTERNS = ("*.safetensors", "*.onnx", "*.bin", "*.png")
GITATTRIBUTES = "".join(f"{pattern} filter=lfs diff=lfs merge=lfs -text\n" for pattern in LFS_PATTERNS)
#: a pipeline folder holds at least these (written by ``StickGenPipeline.save_pretrained``)
PIPELINE_FILES = ("model_index.json", "feature_stats.json", "planner/config.json", "planner/model.safetensors",
                  "refiner/config.json", "refiner/diffusion_pytorch_model.safetensors",
                  "scheduler/scheduler_config.json")
#: what the app loads from a pipeline folder (the Space ships only these)
PIPELINE_RUNTIME = ("model_index.json", "feature_stats.json", "planner", "refiner", "scheduler", "onnx")
EVALUATOR_FILES = ("config.json", "model.safetensors", "feature_stats.json")
ADAPTER_WEIGHTS = ("adapter_model.safetensors", "adapter_model.bin")
TAGS = ["text-to-motion", "motion-generation", "stick-figure", "animation", "stickgen"]
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
_RESERVED_OWNERS = {"models", "datasets", "spaces"}  # Hub URL prefixes, never a user (and project folders)
_SKIPPED = {"__pycache__", ".git", ".cache", ".ipynb_checkpoints"}

Files = dict[str, "Path | bytes"]


# ----------------------------------------------------------------------------- the one commit path


def check_hub_id(value: str, what: str = "repo_id") -> str:
    """``value`` if it is a Hub repository id (``owner/name``), else a ValueError; a local path (one that
    exists, starts with ``/``, ``.`` or ``~``, or starts with ``models/``, ``datasets/`` or ``spaces/``) is refused."""
    text = str(value)
    looks_local = (text.startswith(("/", ".", "~")) or "\\" in text or Path(text).expanduser().exists()
                   or text.split("/")[0] in _RESERVED_OWNERS)
    if looks_local or not _HUB_ID.fullmatch(text) or ".." in text:
        raise ValueError(f"{what} must be a Hub repository id like 'owner/name', not {text!r}"
                         + (" (a local path)" if looks_local else ""))
    return text


def folder_files(folder: str | Path, prefix: str = "") -> Files:
    """``{path in repo: file}`` for every file under ``folder`` (sorted), skipping caches, hidden files
    and ``*.pyc``; ``prefix`` is put in front of each path (``"stickgen/"``)."""
    folder = Path(folder)
    files: Files = {}
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if (not path.is_file() or path.suffix == ".pyc"
                or any(p in _SKIPPED or p.startswith(".") for p in parts)):
            continue
        files[prefix + "/".join(parts)] = path
    return files


def commit_files(repo_id: str, files: Mapping[str, Path | bytes], *, repo_type: str = "model",
                 api: HfApi | None = None, token: str | None = None, private: bool = False,
                 commit_message: str = "Upload with stickgen.hub", space_sdk: str | None = None):
    """Create ``repo_id`` if needed and commit ``files`` (path in repo -> local file or bytes) in one
    commit, ``.gitattributes`` first. Returns ``create_commit``'s ``CommitInfo``."""
    check_hub_id(repo_id)
    api = api or HfApi(token=token)
    order = sorted(files, key=lambda p: (p != ".gitattributes", p))
    operations = [CommitOperationAdd(path_in_repo=path, path_or_fileobj=_content(files[path])) for path in order]
    extra = {"space_sdk": space_sdk} if repo_type == "space" else {}
    api.create_repo(repo_id, repo_type=repo_type, exist_ok=True, private=private, **extra)
    return api.create_commit(repo_id=repo_id, operations=operations, commit_message=commit_message,
                             repo_type=repo_type)


def _content(file: Path | bytes) -> str | bytes:
    return file if isinstance(file, bytes) else str(file)


def _card(text: str, where: str) -> ModelCard:
    try:
        return ModelCard(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValueError(f"{where}: the card's YAML metadata cannot be parsed ({exc})") from None


def _with_metadata(card: ModelCard, **fields: Any) -> bytes:
    for key, value in fields.items():
        setattr(card.data, key, value)
    return str(card).encode()


def front_matter(metadata: dict[str, Any], body: str) -> str:
    header = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True).strip()
    return f"---\n{header}\n---\n\n{body.strip()}\n"


# ----------------------------------------------------------------------------- pipeline


def check_pipeline_folder(folder: str | Path) -> Path:
    """``folder`` if it is a saved StickGenPipeline folder, else a ValueError that names the missing or
    wrong file (the configs and weights headers are checked by :func:`stickgen.model_folder.check_model_folder`)."""
    from .model_folder import check_model_folder

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder; save a pipeline with pipe.save_pretrained(folder)")
    for name in PIPELINE_FILES:
        if not (folder / name).is_file():
            raise ValueError(f"{folder} is not a StickGenPipeline folder: {name} is missing "
                             "(write one with pipe.save_pretrained(folder))")
    try:
        index = json.loads((folder / "model_index.json").read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{folder}/model_index.json: not valid JSON ({exc})") from None
    if not isinstance(index, dict) or index.get("_class_name") != "StickGenPipeline":
        got = index.get("_class_name") if isinstance(index, dict) else None
        raise ValueError(f"{folder}/model_index.json: _class_name is {got!r}, not 'StickGenPipeline'")
    check_model_folder(folder)
    return folder


def pipeline_card(name: str, repo_id: str, dataset_repo_id: str = DATASET_REPO_ID) -> str:
    """A short card for a pipeline folder that has none (``training.card`` writes the full one)."""
    metadata = {"license": "apache-2.0", "library_name": "stickgen", "pipeline_tag": "text-to-3d", "tags": TAGS,
                "datasets": [dataset_repo_id], "language": ["en"]}
    body = (f"# {name}\n\nText to stick-figure animation: a transformer planner and a conditional diffusion "
            "refiner over SMPL-22 motion features, packaged as a `StickGenPipeline`.\n\n"
            "```python\nfrom stickgen.pipeline import StickGenPipeline\n\n"
            f'pipe = StickGenPipeline.from_pretrained("{repo_id}")\n'
            'scene = pipe("a person walks forward and waves", duration=10.0, seed=7).scenes[0]\n'
            'scene.save("wave.motion")\n```\n')
    return front_matter(metadata, body)


def pipeline_files(folder: str | Path, repo_id: str, dataset_repo_id: str = DATASET_REPO_ID) -> Files:
    """What :func:`push_pipeline` commits: every file of the folder, its card (a short one written if there
    is none; ``datasets:`` must name Hub ids) and ``.gitattributes``."""
    folder = check_pipeline_folder(folder)
    files = folder_files(folder)
    readme = folder / "README.md"
    if readme.is_file():
        card = _card(readme.read_text(), str(readme))
        datasets = card.data.datasets
        for entry in [datasets] if isinstance(datasets, str) else datasets or []:
            if not _HUB_ID.fullmatch(str(entry)):
                raise ValueError(f"{readme}: datasets entry {entry!r} is not a Hub dataset id (owner/name); rebuild "
                                 f"the card with `python -m training.card` (it names {DATASET_REPO_ID})")
    else:
        files["README.md"] = pipeline_card(folder.name, repo_id, dataset_repo_id).encode()
    files[".gitattributes"] = GITATTRIBUTES.encode()
    return files


def push_pipeline(folder: str | Path, repo_id: str = MODEL_REPO_ID, *, api: HfApi | None = None,
                  token: str | None = None, private: bool = False, dataset_repo_id: str = DATASET_REPO_ID,
                  commit_message: str = "Upload StickGenPipeline"):
    """Upload a saved pipeline folder (model_index.json, planner/, refiner/, scheduler/, feature_stats.json,
    optional onnx/, README.md and any records beside them) to the model repository ``repo_id``."""
    files = pipeline_files(folder, repo_id, dataset_repo_id)
    return commit_files(repo_id, files, api=api, token=token, private=private, commit_message=commit_message)


# ----------------------------------------------------------------------------- evaluator


def evaluator_files(folder: str | Path, repo_id: str, dataset_repo_id: str = DATASET_REPO_ID) -> Files:
    """What :func:`push_evaluator` commits: the folder's files, its card with Hub metadata added when it has
    none (library_name, tags, license, datasets), and ``.gitattributes``."""
    folder = Path(folder)
    for name in EVALUATOR_FILES:
        if not (folder / name).is_file():
            raise ValueError(f"{folder} is not an evaluator folder: {name} is missing (write one with "
                             "python -m training.train_evaluator --out FOLDER; upgrade one saved before with "
                             "python -m stickgen.remote_code FOLDER)")
    files = folder_files(folder)
    metadata = {"license": "apache-2.0", "library_name": "stickgen",
                "tags": ["stickgen", "text-to-motion", "motion-evaluation", "evaluator"],
                "datasets": [dataset_repo_id], "language": ["en"]}
    readme = folder / "README.md"
    if not readme.is_file():
        body = (f"# {folder.name}\n\nThe text-motion evaluator of Stick-Gen (`python -m stickgen.eval`): a motion "
                "encoder and a text head sharing one embedding space, and a per-frame action classifier.\n\n"
                "```python\nfrom stickgen.eval.evaluator import MotionTextEvaluator\n\n"
                f'evaluator = MotionTextEvaluator.from_pretrained("{repo_id}")\n```\n')
        files["README.md"] = front_matter(metadata, body).encode()
    else:
        card = _card(readme.read_text(), str(readme))
        if not card.data.to_dict():
            files["README.md"] = front_matter(metadata, card.text).encode()
    files[".gitattributes"] = GITATTRIBUTES.encode()
    return files


def push_evaluator(folder: str | Path, repo_id: str = EVALUATOR_REPO_ID, *, api: HfApi | None = None,
                   token: str | None = None, private: bool = False, dataset_repo_id: str = DATASET_REPO_ID,
                   commit_message: str = "Upload MotionTextEvaluator"):
    """Upload an evaluator folder (config.json, model.safetensors, the remote code, feature_stats.json, card,
    training log) to the model repository ``repo_id``."""
    files = evaluator_files(folder, repo_id, dataset_repo_id)
    return commit_files(repo_id, files, api=api, token=token, private=private, commit_message=commit_message)


# ----------------------------------------------------------------------------- LoRA adapters


def _is_peft_template(text: str) -> bool:
    return "[More Information Needed]" in text or "# Model Card for Model ID" in text


def _adapter_parameters(folder: Path) -> int | None:
    path = folder / "adapter_model.safetensors"
    if not path.is_file():
        return None
    import math

    from safetensors import safe_open

    with safe_open(str(path), framework="np") as handle:
        return sum(math.prod(handle.get_slice(key).get_shape()) for key in handle.keys())


def adapter_card(folder: str | Path, repo_id: str, base_model: str, config: dict[str, Any],
                 adapter_name: str | None = None) -> str:
    """The card of a LoRA adapter: what it is, its base pipeline on the Hub, its LoRA settings and size, its
    training run (``training_summary.json`` beside it, if any) and how to load it with ``pipe.load_lora``."""
    folder = Path(folder)
    name = adapter_name or folder.name
    metadata = {"base_model": base_model, "base_model_relation": "adapter", "library_name": "peft",
                "license": "apache-2.0", "pipeline_tag": "text-to-3d",
                "tags": ["lora", "peft", *TAGS, f"base_model:adapter:{base_model}"]}
    targets = config.get("target_modules") or []
    targets = [targets] if isinstance(targets, str) else sorted(targets)
    parameters = _adapter_parameters(folder)
    lines = [f"# {repo_id.split('/')[-1]}", "",
             f"A LoRA adapter (PEFT) for the planner of the Stick-Gen pipeline [{base_model}]"
             f"(https://huggingface.co/{base_model}): it changes how the planner moves the stick figure for a "
             "prompt while the base weights stay as they are. The diffusion refiner, scheduler and text encoder "
             "are the base pipeline's.", "",
             "## Adapter", "",
             f"- base model: `{base_model}` (the adapter applies to its `planner/`)",
             f"- LoRA rank {config.get('r')}, alpha {config.get('lora_alpha')}, dropout {config.get('lora_dropout')}, "
             f"on {', '.join(f'`{t}`' for t in targets) or 'the configured modules'}"]
    if parameters is not None:
        lines.append(f"- {parameters:,} adapter parameters")
    for summary_path in (folder / "training_summary.json", folder.parent / "training_summary.json"):
        if summary_path.is_file():
            summary = json.loads(summary_path.read_text())
            if summary.get("stage") == "lora":
                lines.append(f"- trained by `{summary.get('command', 'python -m training.train')}` for "
                             f"{summary.get('step')} steps")
            break
    lines += ["", "## Use", "", "```python", "from stickgen.pipeline import StickGenPipeline", "",
              f'pipe = StickGenPipeline.from_pretrained("{base_model}")',
              f'pipe.load_lora("{repo_id}", adapter_name="{name}")',
              'scene = pipe("a person walks forward and waves", duration=10.0, seed=7).scenes[0]', "```", "",
              "`pipe.set_adapter(name)` switches between loaded adapters; LoRA runs on the pytorch backend only."]
    return front_matter(metadata, "\n".join(lines))


def adapter_files(folder: str | Path, repo_id: str, base_model: str, adapter_name: str | None = None) -> Files:
    """What :func:`push_adapter` commits: the adapter's files with ``adapter_config.json``'s
    ``base_model_name_or_path`` set to ``base_model`` (a Hub id), its card's ``base_model`` metadata set
    likewise (PEFT's empty template card replaced by :func:`adapter_card`) and ``.gitattributes``."""
    folder = Path(folder)
    base_model = check_hub_id(base_model, "base_model")
    config_path = folder / "adapter_config.json"
    if not config_path.is_file():
        raise ValueError(f"{folder} is not a PEFT adapter folder: adapter_config.json is missing "
                         "(write one with peft_model.save_pretrained(folder))")
    if not any((folder / name).is_file() for name in ADAPTER_WEIGHTS):
        raise ValueError(f"{folder} is not a PEFT adapter folder: {ADAPTER_WEIGHTS[0]} is missing")
    config = json.loads(config_path.read_text())
    if config.get("peft_type") != "LORA":
        raise ValueError(f"{config_path}: peft_type is {config.get('peft_type')!r}, not 'LORA'")
    files = folder_files(folder)
    config["base_model_name_or_path"] = base_model
    files["adapter_config.json"] = (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()
    readme = folder / "README.md"
    text = readme.read_text() if readme.is_file() else ""
    if not text or _is_peft_template(text):
        files["README.md"] = adapter_card(folder, repo_id, base_model, config, adapter_name).encode()
    else:
        card = _card(text, str(readme))
        tags = [t for t in card.data.tags or [] if not str(t).startswith("base_model:")]
        files["README.md"] = _with_metadata(card, base_model=base_model,
                                            tags=[*tags, f"base_model:adapter:{base_model}"])
    files[".gitattributes"] = GITATTRIBUTES.encode()
    return files


def push_adapter(folder: str | Path, repo_id: str, base_model: str = MODEL_REPO_ID, *, api: HfApi | None = None,
                 token: str | None = None, private: bool = False, adapter_name: str | None = None,
                 commit_message: str = "Upload LoRA adapter"):
    """Upload a PEFT LoRA adapter folder of the planner to ``repo_id``, tied to the Hub pipeline
    ``base_model`` (an ``owner/name`` id; a local path is refused)."""
    files = adapter_files(folder, repo_id, base_model, adapter_name)
    return commit_files(repo_id, files, api=api, token=token, private=private, commit_message=commit_message)
