"""A damaged pipeline folder fails with one line naming the file and field, before any model is built."""
import json
import shutil

import pytest
from test_cli_generate import save_tiny_pipeline, stick_gen

from stickgen.model_folder import MAX_PARAMETERS, ModelFolderError, check_model_folder
from stickgen.pipeline import StickGenPipeline


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return save_tiny_pipeline(tmp_path_factory.mktemp("sound"))


def damaged(saved, tmp_path, change):
    folder = tmp_path / "model"
    shutil.copytree(saved, folder)
    change(folder)
    return folder


def edit_config(component, **fields):
    def change(folder):
        path = folder / component / "config.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), **fields}))
    return change


def truncate(component, name):
    def change(folder):
        path = folder / component / name
        path.write_bytes(path.read_bytes()[:200])
    return change


@pytest.mark.parametrize("change, message", [
    (edit_config("planner", num_heads=0), "planner/config.json: num_heads must be a positive whole number, got 0"),
    (edit_config("planner", num_heads=3), "planner/config.json: num_heads (3) must divide d_model"),
    (edit_config("refiner", num_layers=True), "refiner/config.json: num_layers must be a positive whole number"),
    (edit_config("planner", d_model=65536, num_heads=1, ffn_dim=65536), "more than the 1,000,000,000 the loader"),
    (lambda f: (f / "refiner" / "config.json").write_text("{nope"), "refiner/config.json: not valid JSON"),
    (lambda f: (f / "planner" / "config.json").write_text('{"d_model": ' + "9" * 5000 + "}"), "5000 digits"),
    (truncate("planner", "model.safetensors"), "planner/model.safetensors: not a readable safetensors file"),
    (lambda f: (f / "refiner" / "diffusion_pytorch_model.safetensors").write_bytes(b"\x80\x00" * 50),
     "refiner/diffusion_pytorch_model.safetensors: not a readable safetensors file"),
    (lambda f: (f / "planner" / "model.safetensors").unlink(), "planner/model.safetensors: missing"),
])
def test_damage_is_one_clear_error(saved, tmp_path, change, message):
    folder = damaged(saved, tmp_path, change)
    with pytest.raises(ModelFolderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_model_folder(folder)
    with pytest.raises(ModelFolderError):
        StickGenPipeline.from_pretrained(folder)


def test_the_cli_reports_a_damaged_model_in_one_line(saved, tmp_path, capsys):
    folder = damaged(saved, tmp_path, edit_config("planner", num_heads=0))
    assert stick_gen(["a man walks", "--model", str(folder), "-o", str(tmp_path / "x.mp4")]) == 1
    err = capsys.readouterr().err
    assert "num_heads must be a positive whole number" in err and "Traceback" not in err


def test_a_sound_folder_passes_and_the_presets_fit(saved):
    check_model_folder(saved)
    check_model_folder(StickGenPipeline.from_pretrained(saved).save_pretrained(saved.parent / "again"))
    assert MAX_PARAMETERS > 45_000_000 * 10  # the large preset is far inside the cap
