"""The Gradio app through ``gradio_client`` against a local launch (127.0.0.1, tiny random model)."""
import json
import os
import time
from pathlib import Path

import av
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402
from test_cli_generate import save_tiny_pipeline  # noqa: E402

from stickgen.app import CAMERA_CHOICES, OUTPUT_ROOT, build_app, model_choices, random_seed  # noqa: E402
from stickgen.export import read_gltf  # noqa: E402
from stickgen.motion import Scene  # noqa: E402
from stickgen.story import Script  # noqa: E402


def launch(model):
    """Launch the app on a free loopback port; returns (app, url)."""
    app = build_app(model)
    OUTPUT_ROOT.mkdir(parents=True, exist_ok=True)
    _, url, _ = app.launch(server_name="127.0.0.1", prevent_thread_lock=True, share=False, quiet=True,
                           allowed_paths=[str(OUTPUT_ROOT)])
    return app, url


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    model = str(save_tiny_pipeline(tmp_path_factory.mktemp("app-model")))
    app, url = launch(model)
    yield Path(model).name, url  # visitors pick models by name, never by path
    app.close()


def ask(client, model, prompt, duration=2, seed=1, camera=CAMERA_CHOICES[0]):
    return client.predict(prompt, duration, seed, model, "normal", camera, "none", api_name="/generate")


def test_generate_endpoint_returns_files_that_validate(served):
    model, url = served
    client = Client(url, verbose=False)
    understood, video, player, files, script_json = ask(client, model, "two friends walk toward each other and hug")
    with av.open(video) as container:
        assert sum(1 for _ in container.decode(video=0)) == 50
    by_ext = {os.path.splitext(f)[1]: f for f in files}
    assert sorted(by_ext) == [".bvh", ".gif", ".glb", ".motion"]
    stem = "two_friends_walk_toward_each_other_and_h"  # downloads are named after the prompt (40 characters)
    assert all(os.path.basename(f).startswith(stem + ".") for f in [video, *files])
    scene = Scene.load(by_ext[".motion"])
    assert len(scene.actors) == 2 and scene.meta["seed"] == 1
    assert [s.label for s in scene.actors[1].actions] == ["walk", "hug"]
    glb = read_gltf(by_ext[".glb"])
    assert sorted(glb) == ["a0", "a1"] and glb["a0"].shape == (50, 22, 3)
    assert "<iframe" in player and "STICKGEN_MOTION" in player
    script = Script.from_json(script_json)
    assert [c.name for c in script.characters] == ["Friend 1", "Friend 2"]
    assert understood.startswith("**What I understood**") and "- **Friend 1**: walk" in understood
    assert "hug (with Friend 2)" in understood


def test_edited_script_reruns_and_camera_override(served):
    model, url = served
    client = Client(url, verbose=False)
    *_, script_json = ask(client, model, "a man jumps")
    doc = json.loads(script_json)
    doc["scenes"][0]["actions"][0]["action"] = "wave"
    _, video, _, files, returned = client.predict(json.dumps(doc), 2, 7, model, "ink", "orbit", "none",
                                               api_name="/run_script")
    scene = Scene.load(next(f for f in files if f.endswith(".motion")))
    assert [s.label for s in scene.actors[0].actions] == ["wave"]
    assert scene.camera == {"moves": [{"move": "orbit", "start": 0, "end": 50}]}
    assert json.loads(returned)["scenes"][0]["actions"][0]["action"] == "wave"


def test_errors_come_back_as_messages(served, tmp_path):
    model, url = served
    client = Client(url, verbose=False)
    with pytest.raises(Exception, match="prompt: empty"):
        ask(client, model, "   ")
    with pytest.raises(Exception, match="script: not valid JSON"):
        client.predict("{broken", 2, 1, model, "normal", CAMERA_CHOICES[0], "none", api_name="/run_script")


def test_visitors_cannot_exceed_the_limits_or_choose_server_files(served, tmp_path):
    """A path, a Hub id or another spelling of the model is refused without a word about the server's
    files; a 600 s script, a 61 s clip and a novel-length prompt are refused before any work."""
    model, url = served
    client = Client(url, verbose=False)
    for other in (str(tmp_path / "missing"), f"models/./{model}", "someone/some-model", "../../etc"):
        with pytest.raises(Exception, match="not in the list of choices|is not offered here"):
            ask(client, other, "a man walks")
    *_, script_json = ask(client, model, "a man waves")
    doc = json.loads(script_json)
    doc["duration"] = 600.0
    started = time.monotonic()
    with pytest.raises(Exception, match="duration: 600.0 s is outside"):
        client.predict(json.dumps(doc), 2, 1, model, "normal", CAMERA_CHOICES[0], "none", api_name="/run_script")
    assert time.monotonic() - started < 5.0
    with pytest.raises(Exception, match="duration: 61|greater than maximum value 60"):
        ask(client, model, "a man walks", duration=61)
    with pytest.raises(Exception, match="prompt: 5000 characters"):
        ask(client, model, "a" * 5000)


def test_api_and_helpers():
    choices = model_choices()
    assert "stickgen-small" in choices or os.environ.get("STICKGEN_MODEL")
    assert all("/" not in name or not Path(source).exists() for name, source in choices.items())  # no paths shown
    seeds = {random_seed() for _ in range(20)}
    assert len(seeds) > 1 and all(0 <= s < 2**31 for s in seeds)


def test_a_drawn_pose_starts_the_animation_seen_from_its_side(served):
    from gradio_client import handle_file

    from stickgen.app import EXAMPLE_DRAWING

    model, url = served
    drawing = handle_file(str(EXAMPLE_DRAWING))
    _, _, _, files, _ = Client(url, verbose=False).predict(
        "a man waves", 2, 1, model, "normal", CAMERA_CHOICES[0], "none",
        {"background": drawing, "layers": [], "composite": drawing}, 0.5, api_name="/generate")
    scene = Scene.load(next(f for f in files if f.endswith(".motion")))
    assert scene.camera["moves"][0]["move"] == "track"  # the picture's camera, following the actor


def test_the_api_names_its_parameters(served):
    _, url = served
    api = Client(url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"]
    for endpoint, first in (("/generate", "prompt"), ("/run_script", "script")):
        names = [p["parameter_name"] for p in api[endpoint]["parameters"]]
        assert names == [first, "duration", "seed", "model", "style", "camera", "llm", "pose_image", "pose_time"]
    assert sorted(api) == ["/generate", "/run_script"]  # the seed button and Enter publish no endpoint
