"""The app's request limits (stickgen.app_limits): one-line refusals before any work, bounded disk."""
import os

import pytest

from stickgen import app_limits as L
from stickgen.story import Script
from stickgen.story.parser import parse_prompt


def test_prompts_and_durations_are_refused_not_clamped():
    assert L.check_prompt("  a man waves  ") == "a man waves"
    with pytest.raises(L.RequestRefused, match=f"prompt: 601 characters; the app takes at most {L.MAX_PROMPT_CHARS}"):
        L.check_prompt("x" * 601)
    assert L.check_duration("7.5") == 7.5
    for bad in (0, -3, 61, 1000, float("nan"), float("inf"), "ten", None):
        with pytest.raises(L.RequestRefused, match="duration: "):
            L.check_duration(bad)


def test_scripts_beyond_the_limits_are_refused_with_the_field_named():
    L.check_script(parse_prompt("two friends walk toward each other and hug", 10.0))
    doc = parse_prompt("a man waves", 10.0).to_dict()
    cases = [({"duration": 600.0}, "duration: 600.0 s is outside"),
             ({"characters": [{"name": f"P{i}"} for i in range(9)]}, "script.characters: 9 people"),
             ({"characters": [{"name": f"P{i}"} for i in range(5)]}, "5 people x 60 s is more motion")]
    for change, message in cases:
        edited = {**doc, **change}
        if "characters" in change:
            edited["duration"] = 60.0
            edited["scenes"] = [{**doc["scenes"][0], "end": 60.0, "actions": [], "expressions": []}]
            edited["layout"] = []
        with pytest.raises(L.RequestRefused, match=message):
            L.check_script(Script.from_dict(edited))
    busy = {**doc, "scenes": [{**doc["scenes"][0], "actions": [
        {"character": doc["characters"][0]["name"], "action": "wave", "start": i * 0.04, "end": i * 0.04 + 0.04}
        for i in range(L.MAX_EVENTS + 1)], "expressions": []}]}
    with pytest.raises(L.RequestRefused, match=f"{L.MAX_EVENTS + 1} timed events"):
        L.check_script(Script.from_dict(busy))
    far = {**doc, "layout": [{"character": doc["characters"][0]["name"], "start": [500.0, 0.0]}]}
    with pytest.raises(L.RequestRefused, match="within 100 m"):
        L.check_script(Script.from_dict(far))


def test_the_deadline_stops_a_request_between_stages():
    L.Deadline(60.0).check("rendering")
    with pytest.raises(L.RequestRefused, match="longer than 0 s and stopped before rendering"):
        L.Deadline(0.0).check("rendering")


def test_old_and_surplus_runs_are_deleted(tmp_path):
    for k in range(6):
        folder = tmp_path / f"run-{k}"
        folder.mkdir()
        (folder / "clip.mp4").write_bytes(b"x" * 10)
        os.utime(folder, (1000.0 + k, 1000.0 + k))
    (tmp_path / "keep-me").mkdir()  # not a run folder
    assert L.prune_runs(tmp_path, keep=4, max_age=1e9, now=2000.0) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep-me", "run-2", "run-3", "run-4", "run-5"]
    assert L.prune_runs(tmp_path, keep=4, max_age=996.5, now=2000.0) == 2  # run-2 and run-3 are too old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep-me", "run-4", "run-5"]


def test_a_request_whose_visitor_left_stops_at_its_next_stage():
    """Gradio marks a disconnected session's running jobs not alive; the request reads the mark."""
    class Job:
        def __init__(self, session_hash, alive):
            self.session_hash, self.alive = session_hash, alive

    class App:
        class _queue:  # noqa: N801  (Gradio's attribute name)
            active_jobs = [None, [Job("gone", False), Job("here", True)]]

    assert L.visitor_waits(App, "here")() and not L.visitor_waits(App, "gone")()
    assert L.visitor_waits(App, "unlisted")() and L.visitor_waits(object(), "here")()  # nothing says otherwise
    L.Deadline(60.0, still_wanted=L.visitor_waits(App, "here")).check("rendering")
    with pytest.raises(L.RequestRefused, match="the visitor left; the request stopped before rendering"):
        L.Deadline(60.0, still_wanted=L.visitor_waits(App, "gone")).check("rendering")


def test_a_visitor_who_leaves_mid_generation_stops_it_after_the_current_window(tmp_path):
    """The deadline is also checked between generation windows, so a long clip does not run on for nobody."""
    import gradio as gr
    from test_cli_generate import save_tiny_pipeline

    from stickgen import app

    model = save_tiny_pipeline(tmp_path / "tiny")
    checks, steps = [], []

    def still_wanted():
        checks.append(len(checks))
        return len(checks) < 3  # here for "generating motion" and the first window, gone by the second

    def progress(share, desc=""):
        steps.append(desc)

    with pytest.raises(gr.Error, match=r"the visitor left; the request stopped before window 3 of \d+"):
        app.run(app._Pipelines(), {"tiny": str(model)}, "a man walks forward", None, 20.0, 0, "tiny", "normal",
                app.CAMERA_CHOICES[0], "none", progress, L.Deadline(60.0, still_wanted=still_wanted))
    assert [d for d in steps if d.startswith("generating motion: window")] == [steps[-1]]
    assert steps[-1].startswith("generating motion: window 1 of ")


def test_a_visitor_who_leaves_while_the_video_renders_stops_it_within_a_second_of_video(tmp_path):
    import gradio as gr
    from test_cli_generate import save_tiny_pipeline

    from stickgen import app

    model = save_tiny_pipeline(tmp_path / "tiny")
    steps = []

    def progress(share, desc=""):
        steps.append(desc)

    def still_wanted():  # here until the video has rendered its first second
        return not any(d.startswith("rendering video: frame") for d in steps)

    with pytest.raises(gr.Error, match=r"the visitor left; the request stopped before frame 51 of 100 of the video"):
        app.run(app._Pipelines(), {"tiny": str(model)}, "a man waves", None, 4.0, 0, "tiny", "normal",
                app.CAMERA_CHOICES[0], "none", progress, L.Deadline(60.0, still_wanted=still_wanted))
    assert [d for d in steps if d.startswith("rendering video: frame")] == ["rendering video: frame 25 of 100"]
    assert "exporting files" not in steps


def test_the_video_and_player_come_before_the_downloads(tmp_path):
    from test_cli_generate import save_tiny_pipeline

    from stickgen import app

    model = save_tiny_pipeline(tmp_path / "tiny")
    first, last = app.run_in_stages(app._Pipelines(), {"tiny": str(model)}, "a man waves", None, 2.0, 0, "tiny",
                                    "normal", app.CAMERA_CHOICES[0], "none", lambda *a, **k: None)
    assert first[3] == [] and first[1].endswith(".mp4") and "<iframe" in first[2]
    assert last[:3] == first[:3] and last[4] == first[4]
    assert sorted(p.rsplit(".", 1)[-1] for p in last[3]) == ["bvh", "gif", "glb", "motion"]


def test_the_app_runs_onnx_where_it_can_and_falls_back_to_pytorch(tmp_path, monkeypatch):
    """ONNX where onnxruntime and the exporter are installed (same joints, faster on a CPU); the operator can
    pick with $STICKGEN_BACKEND; an export that fails leaves the app on PyTorch, with a warning."""
    import importlib.util

    import numpy as np
    from test_cli_generate import save_tiny_pipeline

    from stickgen import app

    monkeypatch.delenv("STICKGEN_BACKEND", raising=False)
    monkeypatch.setenv("STICKGEN_CACHE", str(tmp_path / "cache"))
    installed = bool(importlib.util.find_spec("onnxruntime") and importlib.util.find_spec("optimum"))
    assert app.default_backend() == ("onnx" if installed else "pytorch")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert app.default_backend() == "pytorch"
    monkeypatch.setenv("STICKGEN_BACKEND", "pytorch")
    assert app.default_backend() == "pytorch"
    monkeypatch.setenv("STICKGEN_BACKEND", "tensorrt")
    with pytest.raises(ValueError, match="STICKGEN_BACKEND must be 'pytorch' or 'onnx'"):
        app.default_backend()
    monkeypatch.undo()
    monkeypatch.setenv("STICKGEN_CACHE", str(tmp_path / "cache"))

    model = str(save_tiny_pipeline(tmp_path / "tiny"))
    pytorch = app._Pipelines("pytorch").get(model)
    if installed:
        onnx = app._Pipelines("onnx").get(model)
        assert onnx.backend == "onnx" and pytorch.backend == "pytorch"
        a, b = (np.asarray(p("a man walks forward", duration=2.0, seed=0).scenes[0].actors[0].joints)
                for p in (pytorch, onnx))
        np.testing.assert_allclose(a, b, atol=1e-3)

    def refuse(model, backend="pytorch", **kwargs):
        if backend == "onnx":
            raise RuntimeError("exporter failed")
        return pytorch

    monkeypatch.setattr(app, "load_pipeline", refuse)
    with pytest.warns(UserWarning, match="ONNX backend unavailable .* running PyTorch"):
        assert app._Pipelines("onnx").get(model) is pytorch

