"""The source files a saved model folder carries so that the ecosystem's own loaders build each part without
``stickgen`` installed, and the command that adds them to folders saved before.

===============  =================================  ===============================================================
folder           loader (``trust_remote_code``)     files copied from the library (``auto_map`` in config.json)
===============  =================================  ===============================================================
``planner/``     ``transformers.AutoModel``         ``configuration_stickgen.py``, ``modeling_stickgen.py``
``refiner/``     ``diffusers.AutoModel``            ``modeling_refiner.py`` and the two above (its imports)
evaluator        ``transformers.AutoModel``         ``configuration_evaluator.py``, ``modeling_evaluator.py``
===============  =================================  ===============================================================

The copies are the library's files byte for byte (tests/test_remote_code_copies.py). ``save_pretrained``
writes them; for a folder saved before (or after the library's files changed)::

    python -m stickgen.remote_code FOLDER [FOLDER ...]

upgrades pipeline and evaluator folders in place: it copies the files, merges ``auto_map`` into each
config.json, moves ``model_index.json``'s component entries under ``"components"`` and converts an evaluator
saved as ``evaluator_config.json`` + ``evaluator.safetensors`` to ``config.json`` + ``model.safetensors``.
No weights file is rewritten (the evaluator's is renamed, its bytes unchanged).
"""
from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PLANNER_FILES = ("models/configuration_stickgen.py", "models/modeling_stickgen.py")


@dataclass(frozen=True)
class RemoteCode:
    """What one model folder carries: ``auto_map`` (auto class -> ``module.Class``) for its config.json and
    the library files (paths under ``stickgen/``) that define those classes."""

    auto_map: dict[str, str]
    files: tuple[str, ...]


PLANNER = RemoteCode({"AutoConfig": "configuration_stickgen.StickGenConfig",
                      "AutoModel": "modeling_stickgen.StickGenPlanner"}, PLANNER_FILES)
REFINER = RemoteCode({"AutoModel": "modeling_refiner.StickGenRefiner"}, ("models/modeling_refiner.py", *PLANNER_FILES))
EVALUATOR = RemoteCode({"AutoConfig": "configuration_evaluator.EvaluatorConfig",
                        "AutoModel": "modeling_evaluator.StickGenEvaluator"},
                       ("eval/configuration_evaluator.py", "eval/modeling_evaluator.py"))
IMAGE_ENCODER = RemoteCode({"AutoConfig": "configuration_image_encoder.StickGenImageEncoderConfig",
                            "AutoModel": "modeling_image_encoder.StickGenImageEncoder"},
                           ("models/configuration_image_encoder.py", "models/modeling_image_encoder.py"))
#: pipeline component folder -> its remote code
PIPELINE = {"planner": PLANNER, "refiner": REFINER}
#: optional pipeline component folders (present when the pipeline has the part) -> their remote code
OPTIONAL = {"image_encoder": IMAGE_ENCODER}
#: model_index.json keys that older folders kept at the top level and now sit under "components"
COMPONENT_KEYS = ("planner", "refiner", "scheduler")


def add_remote_code(folder: str | Path, code: RemoteCode) -> None:
    """Copy ``code``'s files into ``folder`` and merge its ``auto_map`` into ``folder/config.json`` (other
    fields kept, weights untouched)."""
    folder = Path(folder)
    for name in code.files:
        shutil.copyfile(PACKAGE / name, folder / Path(name).name)
    path = folder / "config.json"
    config = json.loads(path.read_text())
    config["auto_map"] = {**config.get("auto_map", {}), **code.auto_map}
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def upgrade_pipeline_folder(folder: str | Path) -> Path:
    """Add or refresh the remote code of a saved pipeline's planner and refiner (and image encoder), and move
    ``model_index.json``'s component entries under ``"components"`` (where diffusers' ``AutoModel`` does
    not take them for the subfolder's class)."""
    folder = Path(folder)
    for component, code in PIPELINE.items():
        add_remote_code(folder / component, code)
    for component, code in OPTIONAL.items():
        if (folder / component).is_dir():
            add_remote_code(folder / component, code)
    index_path = folder / "model_index.json"
    index = json.loads(index_path.read_text())
    moved = {key: index.pop(key) for key in COMPONENT_KEYS if key in index}
    index["components"] = {**index.get("components", {}), **moved}
    index_path.write_text(json.dumps(index, indent=2) + "\n")
    return folder


def upgrade_evaluator_folder(folder: str | Path) -> Path:
    """Convert an evaluator folder of the old layout to the transformers one (``config.json``, the weights
    renamed to ``model.safetensors``), then add or refresh its remote code."""
    from .eval.configuration_evaluator import EvaluatorConfig
    from .eval.evaluator import LEGACY_CONFIG_FILE, LEGACY_WEIGHTS_FILE

    folder = Path(folder)
    legacy = folder / LEGACY_CONFIG_FILE
    if legacy.is_file():
        config = EvaluatorConfig(**json.loads(legacy.read_text()))
        config.architectures = ["StickGenEvaluator"]
        config.to_json_file(folder / "config.json")
        (folder / LEGACY_WEIGHTS_FILE).rename(folder / "model.safetensors")
        legacy.unlink()
    add_remote_code(folder, EVALUATOR)
    return folder


def upgrade_folder(folder: str | Path) -> str:
    """Upgrade a pipeline folder (it has ``model_index.json``) or an evaluator folder; returns which."""
    from .eval.evaluator import LEGACY_CONFIG_FILE

    folder = Path(folder)
    if (folder / "model_index.json").is_file():
        upgrade_pipeline_folder(folder)
        return "pipeline"
    config = folder / "config.json"
    if (folder / LEGACY_CONFIG_FILE).is_file() or (
            config.is_file() and json.loads(config.read_text()).get("model_type") == "stickgen_evaluator"):
        upgrade_evaluator_folder(folder)
        return "evaluator"
    raise ValueError(f"{folder}: neither a pipeline folder (model_index.json) nor an evaluator folder")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Add or refresh the remote code of saved Stick-Gen folders "
                                                 "(pipelines and evaluators), in place; weights are not rewritten.")
    parser.add_argument("folders", nargs="+", help="pipeline or evaluator folders")
    for folder in parser.parse_args(argv).folders:
        print(f"{folder}: upgraded ({upgrade_folder(folder)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
