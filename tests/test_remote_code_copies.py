"""The remote code shipped inside every model folder (what the ecosystem's loaders run with
``trust_remote_code=True``: the planner's and evaluator's with transformers ``AutoModel``, the refiner's with
diffusers ``AutoModel``) is the library's own: copied at save time or by ``python -m stickgen.remote_code``,
never edited by hand."""
import json
from pathlib import Path

import pytest

from stickgen.remote_code import EVALUATOR, OPTIONAL, PACKAGE, PIPELINE

ROOT = Path(__file__).resolve().parent.parent
UPGRADE = "run `python -m stickgen.remote_code {}` (it copies the library's files and fixes auto_map)"


def shipped_folders():
    """(model folder, its RemoteCode) for every pipeline part and evaluator under models/."""
    folders = [(folder / component, code) for folder in sorted((ROOT / "models").glob("*/"))
               if (folder / "model_index.json").is_file() for component, code in PIPELINE.items()]
    folders += [(folder / component, code) for folder in sorted((ROOT / "models").glob("*/"))
                for component, code in OPTIONAL.items() if (folder / "model_index.json").is_file()
                and (folder / component).is_dir()]
    folders += [(folder, EVALUATOR) for folder in sorted((ROOT / "models").glob("*/"))
                if (folder / "evaluator_config.json").is_file() or (folder / "modeling_evaluator.py").is_file()]
    return folders


FOLDERS = shipped_folders()
IDS = [str(folder.relative_to(ROOT)) for folder, _ in FOLDERS]


def test_there_are_shipped_model_folders():
    assert any(folder.name == "planner" for folder, _ in FOLDERS), "no shipped pipeline folder under models/"


@pytest.mark.parametrize("folder, code", FOLDERS, ids=IDS)
def test_every_shipped_part_carries_its_remote_code(folder, code):
    upgrade = UPGRADE.format((folder.parent if folder.name in {**PIPELINE, **OPTIONAL} else folder).relative_to(ROOT))
    config = folder / "config.json"
    assert config.is_file(), f"{folder.relative_to(ROOT)} has no config.json: " + upgrade
    assert json.loads(config.read_text()).get("auto_map", {}).items() >= code.auto_map.items(), (
        f"{config.relative_to(ROOT)}: auto_map lacks {code.auto_map}: " + upgrade)
    for name in code.files:
        copy = folder / Path(name).name
        assert copy.is_file(), f"{copy.relative_to(ROOT)} is missing: " + upgrade
        assert copy.read_bytes() == (PACKAGE / name).read_bytes(), (
            f"{copy.relative_to(ROOT)} differs from stickgen/{name}: " + upgrade)
