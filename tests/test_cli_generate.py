"""``stick-gen PROMPT -o ...`` end to end with a tiny random pipeline: outputs by extension, batches, scripts,
seeds, usage errors and the missing-model message."""
import json
import os

import av
import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stickgen.cli import main as stick_gen  # noqa: E402
from stickgen.motion import Scene  # noqa: E402
from stickgen.story import Script  # noqa: E402

TINY_PLANNER = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, max_frames=100, window_overlap=20)
# residual=False: a residual refiner starts as the identity on the plan, so an untrained one ignores the seed
TINY_REFINER = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, residual=False)
TINY_IMAGE_ENCODER = dict(image_size=32, embedding_size=8, hidden_sizes=(8, 8, 8, 8), depths=(1, 1, 1, 1),
                          head_channels=4, head_size=16)
DRAWING = os.path.join(os.path.dirname(__file__), "..", "examples", "pose_drawing.png")


def save_tiny_pipeline(folder):
    """A random-initialised pipeline with the real (offline) text encoder and a tiny image encoder, saved to
    ``folder``."""
    from stickgen.generate_cli import shared_text_encoder
    from stickgen.models import StickGenImageEncoder, StickGenImageEncoderConfig
    from stickgen.pipeline import StickGenPipeline
    from stickgen.text import MINILM

    pipe = StickGenPipeline.from_preset("small", shared_text_encoder(MINILM), planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=0)
    pipe.image_encoder = StickGenImageEncoder(StickGenImageEncoderConfig(**TINY_IMAGE_ENCODER)).eval()
    return pipe.save_pretrained(folder)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return str(save_tiny_pipeline(tmp_path_factory.mktemp("tiny-model")))


def test_script_json_needs_no_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STICKGEN_MODEL", str(tmp_path / "nowhere"))
    out = tmp_path / "s.json"
    assert stick_gen(["two friends walk toward each other and shake hands", "-o", str(out), "--duration", "6"]) == 0
    script = Script.from_json(out.read_text())
    assert [c.name for c in script.characters] == ["Friend 1", "Friend 2"] and script.duration == 6.0
    assert "wrote" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["a man walks"], "give at least one output"),
    (["a man walks", "-o", "x.avi"], "cannot write .avi"),
    (["   ", "-o", "x.json"], "give a PROMPT"),
    (["--prompts-file", "p.txt"], "needs --out-dir"),
    (["a man", "--prompts-file", "p.txt", "--out-dir", "d"], "takes no PROMPT"),
    (["a man waves", "-o", "x.motion", "--image", "no-such.png"], "--image no-such.png: no such file"),
])
def test_usage_errors_exit_2_with_a_message(argv, message, capsys):
    assert stick_gen(argv) == 2
    assert message in capsys.readouterr().err


def test_bad_option_values_are_refused(capsys):
    for argv in (["x", "-o", "a.json", "--duration", "0"], ["x", "-o", "a.mp4", "--size", "big"],
                 ["x", "-o", "a.mp4", "--camera", "spin"], ["x", "-o", "a.mp4", "--fps", "1e5"],
                 ["x", "-o", "a.mp4", "--fps", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            stick_gen(argv)
        assert exit_info.value.code == 2


def test_an_unwritable_output_is_refused_before_any_work(tmp_path, capsys):
    """Checked before the model loads (root may write anywhere, so the cases are a file in the way and a folder)."""
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    (tmp_path / "taken.mp4").mkdir()
    for output in (str(blocker / "x.mp4"), str(blocker / "new" / "x.mp4"), str(tmp_path / "taken.mp4")):
        assert stick_gen(["a man walks", "-o", output]) == 2
        err = capsys.readouterr().err
        assert f"cannot write {output}" in err and "loading model" not in err


def test_missing_model_names_the_training_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STICKGEN_MODEL", str(tmp_path / "no-model"))
    assert stick_gen(["a man walks", "-o", str(tmp_path / "x.mp4")]) == 1
    err = capsys.readouterr().err
    assert "no Stick-Gen model" in err and "python -m training.train" in err and not (tmp_path / "x.mp4").exists()


def test_every_output_format_from_one_prompt(tiny_model, tmp_path):
    outs = {ext: tmp_path / f"clip.{ext}" for ext in ("mp4", "gif", "png", "motion", "bvh", "glb", "json")}
    argv = ["two friends walk toward each other and shake hands", "--model", tiny_model, "--duration", "2",
            "--seed", "3", "--size", "96x64", "--steps", "2", "--guidance-scale", "1.5", "--strength", "0.8",
            "--lowpass-hz", "2.5", "--root-guidance-scale", "3"]
    assert stick_gen(argv + [a for p in outs.values() for a in ("-o", str(p))]) == 0
    scene = Scene.load(outs["motion"])  # validates
    assert len(scene.actors) == 2 and scene.num_frames == 50 and scene.meta["seed"] == 3
    settings = scene.meta["sampling"]
    assert [settings[k] for k in ("num_inference_steps", "guidance_scale", "root_guidance_scale", "strength",
                                  "lowpass_hz")] == [2, 1.5, 3.0, 0.8, 2.5]
    assert [s.label for s in scene.actors[0].actions] == ["walk", "handshake"]
    with av.open(str(outs["mp4"])) as video:
        frames = [f.to_ndarray(format="rgb24") for f in video.decode(video=0)]
    assert len(frames) == 50 and frames[0].shape == (64, 96, 3)
    assert Image.open(outs["png"]).size == (96, 64) and Image.open(outs["gif"]).n_frames == 50
    assert outs["glb"].read_bytes()[:4] == b"glTF"
    assert outs["bvh"].read_text().startswith("HIERARCHY") and (tmp_path / "clip.a1.bvh").exists()
    assert Script.from_json(outs["json"].read_text()).characters[1].name == "Friend 2"


def test_a_picture_poses_the_start_and_sets_the_camera(tiny_model, tmp_path, capsys):
    out = tmp_path / "posed.motion"
    assert stick_gen(["a man walks forward", "--model", tiny_model, "--duration", "2", "--steps", "1",
                      "--image", DRAWING, "--image-time", "0.5", "-o", str(out)]) == 0
    scene = Scene.load(out)
    assert scene.camera["moves"][0]["move"] == "track" and len(scene.camera["keyframes"]) == 1
    assert stick_gen(["a man walks forward", "--model", tiny_model, "--duration", "2", "--image", DRAWING,
                      "--image-time", "5", "-o", str(tmp_path / "late.motion")]) == 1
    assert "image_time must lie within the clip" in capsys.readouterr().err


def test_batch_loads_once_is_seeded_and_edited_scripts_rerun(tiny_model, tmp_path, capsys):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("# a comment\na man jumps\n\na man jumps\na woman walks in a circle\n")
    out = tmp_path / "batch"
    assert stick_gen(["--prompts-file", str(prompts), "--out-dir", str(out), "--formats", "motion,json",
                      "--model", tiny_model, "--duration", "2", "--steps", "1"]) == 0
    err = capsys.readouterr().err
    assert err.count("loading model") == 1 and "[3/3]" in err
    files = sorted(p.name for p in out.iterdir())
    assert files == ["000_a_man_jumps.json", "000_a_man_jumps.motion", "001_a_man_jumps.json",
                     "001_a_man_jumps.motion", "002_a_woman_walks_in_a_circle.json",
                     "002_a_woman_walks_in_a_circle.motion"]
    same = [Scene.load(out / f"00{k}_a_man_jumps.motion").actors[0].joints for k in (0, 1)]
    assert np.array_equal(same[0], same[1])  # same prompt, same seed: same motion
    # edit the script (jump -> clap) and run it with another seed
    doc = json.loads((out / "000_a_man_jumps.json").read_text())
    doc["scenes"][0]["actions"][0]["action"] = "clap"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    assert stick_gen(["--script", str(edited), "-o", str(tmp_path / "e.motion"), "--model", tiny_model,
                      "--seed", "5", "--steps", "1"]) == 0
    scene = Scene.load(tmp_path / "e.motion")
    assert [s.label for s in scene.actors[0].actions] == ["clap"]
    assert not np.array_equal(scene.actors[0].joints, same[0])
