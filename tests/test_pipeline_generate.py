"""StickGenPipeline end to end with tiny random models: scenes, seeds, windows, batching, save/load."""
import json
import os
import sys
import types

import numpy as np
import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stickgen import skeleton as S  # noqa: E402
from stickgen.conditioning import ActorPlan, ScenePlan, plan_from_actions  # noqa: E402
from stickgen.motion import Scene, Segment  # noqa: E402
from stickgen.pipeline import StickGenPipeline  # noqa: E402
from stickgen.text import BGE_LARGE, TextEncoder, TextEncoderMismatchError  # noqa: E402
from stickgen.window_sampler import WindowSampler  # noqa: E402
from stickgen.windows import window_starts  # noqa: E402

TINY_PLANNER = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, max_frames=100, window_overlap=20)
# residual=False: a residual refiner starts as the identity on the plan, so an untrained one ignores the seed
TINY_REFINER = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, residual=False)


@pytest.fixture(scope="module")
def encoder():
    return TextEncoder()


@pytest.fixture(scope="module")
def pipe(encoder):
    return StickGenPipeline.from_preset("small", encoder, planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=0)


def two_actor_plan(frames=75):
    actions = np.full(frames, 1)
    camera = {"keyframes": [{"frame": 0, "position": [0, 1.6, 6], "target": [0, 1, 0], "fov": 45,
                             "interpolation": "smooth"}], "moves": [{"move": "orbit", "start": 0, "end": frames}]}
    return ScenePlan([
        ActorPlan("a0", "a woman walks toward her friend", actions, name="Ana", color="#ff0000",
                  start_position=(-2.0, 0.0), facing=np.pi / 2, partner=1,
                  expressions=[Segment(0, frames, "happy")], speech=[Segment(10, 30, "talk")]),
        ActorPlan("a1", "a man walks toward his friend", actions, start_position=(2.0, 0.0), facing=-np.pi / 2,
                  partner=0),
    ], camera=camera, objects=[{"type": "ball"}], meta={"prompt": "two friends meet"})


def test_scene_carries_plan_tracks_and_meta(pipe):
    plan = two_actor_plan()
    scene = pipe(plan, seed=7).scenes[0]
    assert isinstance(scene, Scene) and scene.num_frames == 75 and len(scene.actors) == 2
    ana, other = scene.actors
    assert (ana.id, ana.name, ana.color) == ("a0", "Ana", "#ff0000")
    assert [(s.start, s.end, s.label) for s in ana.actions] == [(0, 75, "walk")]
    assert ana.expressions[0].label == "happy" and ana.speech[0].label == "talk" and other.speech is None
    assert scene.camera == plan.camera and scene.objects == [{"type": "ball"}]
    assert scene.meta["seed"] == 7 and scene.meta["prompt"] == "two friends meet"
    assert scene.meta["sampling"]["num_inference_steps"] == 10
    assert scene.meta["generator"].startswith("stickgen ") and scene.meta["model"] == "stickgen-small"
    np.testing.assert_allclose(ana.joints[0, 0, [0, 2]], [-2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(other.joints[0, 0, [0, 2]], [2.0, 0.0], atol=1e-9)


def test_output_types_return_dict_and_the_progress_bar(pipe, capsys):
    plan = two_actor_plan(frames=50)
    scenes = pipe([plan, plan_from_actions(["walk"], "a man walks", duration=2.0)], seed=3).scenes
    arrays = pipe([plan, plan_from_actions(["walk"], "a man walks", duration=2.0)], seed=3, output_type="np").scenes
    assert [a.shape for a in arrays] == [(2, 50, 22, 3), (1, 50, 22, 3)]
    assert np.array_equal(arrays[0][1], scenes[0].actors[1].joints)
    (as_tuple,) = pipe(plan, seed=3, return_dict=False)
    assert np.array_equal(as_tuple[0].actors[0].joints, scenes[0].actors[0].joints)
    with pytest.raises(ValueError, match="output_type must be one of"):
        pipe(plan, output_type="pt")
    with pytest.raises(ValueError, match="unknown sampling setting"):
        pipe(plan, num_steps=3)
    assert pipe.to("cpu") is pipe and pipe.device.type == "cpu"
    pipe.set_progress_bar_config(disable=False)
    try:
        pipe(plan, seed=3)
    finally:
        pipe.set_progress_bar_config(disable=None)
    assert "generating" in capsys.readouterr().err  # two passes (a partner) over one window each
    pipe.set_progress_bar_config(disable=True)
    pipe(plan, seed=3)
    assert capsys.readouterr().err == ""
    pipe.set_progress_bar_config(disable=None)


def test_the_window_callback_counts_windows_and_can_stop_the_generation(pipe):
    """5 s at 25 fps in windows of 100 frames overlapping 20: two windows; a partner doubles them."""
    seen = []
    pipe.set_progress_bar_config(disable=True)  # the callback counts even when the bar counts nothing
    try:
        pipe(plan_from_actions(["walk"], "a man walks", duration=5.0), seed=0,
             callback_on_window_end=lambda done, total: seen.append((done, total)))
        assert seen == [(1, 2), (2, 2)]
        seen.clear()
        pipe(two_actor_plan(frames=50), seed=0, callback_on_window_end=lambda done, total: seen.append((done, total)))
        assert seen == [(1, 2), (2, 2)]  # the partner's first pass, then the conditioned one

        class Left(Exception):
            pass

        def leave(done, total):
            seen.append(done)
            raise Left
        seen.clear()
        with pytest.raises(Left):
            pipe(plan_from_actions(["walk"], "a man walks", duration=5.0), seed=0, callback_on_window_end=leave)
        assert seen == [1]  # stopped after the first window
    finally:
        pipe.set_progress_bar_config(disable=None)


def test_same_seed_same_scene_different_seed_different(pipe):
    plan = plan_from_actions(["walk", "wave"], "a man walks then waves", duration=3.0)
    a, b, c = pipe(plan, seed=1).scenes[0], pipe(plan, seed=1).scenes[0], pipe(plan, seed=2).scenes[0]
    assert np.array_equal(a.actors[0].joints, b.actors[0].joints)
    assert np.abs(a.actors[0].joints - c.actors[0].joints).max() > 1e-3
    generator = torch.Generator().manual_seed(1)
    assert np.array_equal(pipe(plan, generator=generator, seed=1).scenes[0].actors[0].joints, a.actors[0].joints)
    planner_only = [pipe(plan, seed=s, num_inference_steps=0).scenes[0].actors[0].joints for s in (1, 2)]
    assert np.array_equal(*planner_only)


def test_a_camera_move_does_not_change_the_motion(pipe):
    """Training never gave the planner a shot label, so generation always uses the static camera row: a
    tracking shot frames the scene differently but must not feed an untrained embedding into the motion."""
    plain = two_actor_plan()
    tracked = two_actor_plan()
    tracked.camera = {"moves": [{"move": "tracking", "start": 0, "end": tracked.num_frames}]}
    a, b = pipe(plain, seed=4).scenes[0], pipe(tracked, seed=4).scenes[0]
    for x, y in zip(a.actors, b.actors):
        np.testing.assert_array_equal(x.joints, y.joints)
    assert b.camera == tracked.camera


def test_output_is_rigid_grounded_and_saves_at_0_1_mm(pipe, tmp_path):
    scene = pipe(plan_from_actions(["jump"], "a girl jumps", duration=2.0), seed=3).scenes[0]
    joints = scene.actors[0].joints
    assert S.bone_lengths(joints).std(axis=0).max() < 1e-9
    assert joints[..., 1].min() >= -1e-9
    scene.save(tmp_path / "out.motion", decimals=4)
    loaded = Scene.load(tmp_path / "out.motion")
    np.testing.assert_allclose(loaded.actors[0].joints, joints, atol=5e-5 + 1e-12)


def test_windowed_30_seconds_is_seamless_at_the_joins(pipe):
    plan = plan_from_actions([("walk", 15.0), ("run", 15.0)], "walks then runs", fps=25)
    scene = pipe(plan, seed=5).scenes[0]
    assert scene.num_frames == 750
    starts = window_starts(750, 100, 20)
    assert len(starts) == 10 and starts[1] == 80
    pelvis = scene.actors[0].joints[:, 0]
    step = np.linalg.norm(np.diff(pelvis, axis=0), axis=1)       # step[t-1]: frame t-1 -> t
    accel = np.linalg.norm(np.diff(pelvis, 2, axis=0), axis=1)   # accel[t-1]: change of velocity at frame t
    joins = np.array([s + 20 for s in starts[1:]])               # first newly generated frame of each window
    inside = np.setdiff1d(np.arange(1, 749), np.concatenate([joins - 1, joins]))
    assert step[joins - 1].max() <= step[inside - 1].max() + 1e-9
    assert accel[joins - 1].max() <= accel[inside - 1].max() + 1e-9


def test_batched_prompts_and_other_frame_rates(pipe):
    plans = [plan_from_actions(["walk"], "walks", duration=2.0), two_actor_plan(50),
             plan_from_actions(["walk"], "walks", duration=5.0 / 3, fps=30),
             plan_from_actions(["wave"], "waves", duration=1.0, fps=30)]
    scenes = pipe(plans, seed=4).scenes
    assert [len(s.actors) for s in scenes] == [1, 2, 1, 1]
    assert [s.num_frames for s in scenes] == [50, 50, 50, 30] and [s.fps for s in scenes] == [25, 25, 30, 30]
    assert all(np.isfinite(a.joints).all() and a.joints[..., 1].min() >= -1e-9 for s in scenes for a in s.actors)


def test_prompt_and_script_go_through_the_story_engine(pipe, monkeypatch):
    calls = []
    story = types.ModuleType("stickgen.story")
    story.plan_from_prompt = lambda prompt, duration, fps, matcher: calls.append((prompt, duration, fps, matcher)) \
        or plan_from_actions(["walk"], prompt, duration=duration, fps=fps)
    story.script_to_plan = lambda script, fps: calls.append((script["title"], fps)) or \
        plan_from_actions(["clap"], "claps", duration=1.0, fps=fps)
    similarity = types.ModuleType("stickgen.story.similarity")
    similarity.embedding_matcher = lambda encoder: ("matcher on", encoder)
    monkeypatch.setitem(sys.modules, "stickgen.story", story)
    monkeypatch.setitem(sys.modules, "stickgen.story.similarity", similarity)
    monkeypatch.setattr("stickgen.story", story, raising=False)
    scene = pipe("a man walks", duration=2.0, seed=1).scenes[0]
    assert calls[0] == ("a man walks", 2.0, 25, ("matcher on", pipe.text_encoder))  # the pipeline's own MiniLM
    assert scene.num_frames == 50 and scene.meta["prompt"] == "a man walks"
    scene = pipe({"title": "clapping"}, seed=1, fps=20).scenes[0]
    assert calls[1] == ("clapping", 20) and scene.num_frames == 20


def test_prompt_parsing_matches_clauses_with_the_pipelines_encoder_not_a_second_minilm(pipe, monkeypatch):
    from stickgen.story import similarity

    def second_minilm():
        raise AssertionError("the story engine loaded its own MiniLM")

    monkeypatch.setattr(similarity, "_shared_encoder", second_minilm)
    encoded = []
    encode = pipe.text_encoder.encode
    monkeypatch.setattr(pipe.text_encoder, "encode", lambda texts, **kw: encoded.append(texts) or encode(texts, **kw))
    scene = pipe("a woman curtsies gracefully", duration=1.0, seed=2).scenes[0]  # no synonym: the matcher decides
    assert scene.num_frames == 25
    assert ["a person curtsies gracefully"] in encoded
    assert similarity.action_sentences()[0] in encoded
    bge = StickGenPipeline.from_preset("small", TextEncoder(BGE_LARGE), planner_overrides=TINY_PLANNER,
                                       refiner_overrides=TINY_REFINER)
    assert bge.story_matcher() == "embedding"  # the parser's MiniLM, whose threshold it is tuned for


def test_save_and_load_round_trip_gives_identical_scenes(pipe, encoder, tmp_path):
    pipe.save_pretrained(tmp_path)
    index = json.loads((tmp_path / "model_index.json").read_text())
    assert index["text_encoder"] == {"name": encoder.name, "dim": 384}
    assert index["components"]["scheduler"] == ["diffusers", "DDIMScheduler"]
    for part in ("planner/config.json", "refiner/config.json", "scheduler/scheduler_config.json", "feature_stats.json"):
        assert (tmp_path / part).exists(), part
    loaded = StickGenPipeline.from_pretrained(tmp_path, text_encoder=encoder)
    plan = plan_from_actions(["walk"], "walks", duration=2.0)
    assert np.array_equal(loaded(plan, seed=9).scenes[0].actors[0].joints,
                          pipe(plan, seed=9).scenes[0].actors[0].joints)
    with pytest.raises(FileNotFoundError, match="model_index"):
        StickGenPipeline.from_pretrained(tmp_path / "planner")


def test_model_index_sampling_sets_what_calls_without_settings_use(pipe, encoder, tmp_path):
    plan = plan_from_actions(["walk"], "walks", duration=2.0)
    index_path = pipe.save_pretrained(tmp_path) / "model_index.json"
    index = json.loads(index_path.read_text())
    assert index["sampling"] == {"num_inference_steps": 10, "guidance_scale": 2.5, "root_guidance_scale": None,
                                 "guided_fraction": 1.0, "strength": 1.0, "lowpass_hz": 0.0, "pace": False}
    index["sampling"] = {"num_inference_steps": 0}  # a checkpoint whose refiner should stay off by default
    index_path.write_text(json.dumps(index))
    planner_only = StickGenPipeline.from_pretrained(tmp_path, text_encoder=encoder)
    scene = planner_only(plan, seed=3).scenes[0]
    settings = scene.meta["sampling"]
    assert settings["num_inference_steps"] == 0 and settings["guidance_scale"] == settings["root_guidance_scale"] == 2.5
    assert np.array_equal(scene.actors[0].joints, pipe(plan, seed=3, num_inference_steps=0).scenes[0].actors[0].joints)
    assert not np.array_equal(scene.actors[0].joints, pipe(plan, seed=3).scenes[0].actors[0].joints)
    assert planner_only(plan, seed=3, num_inference_steps=2).scenes[0].meta["sampling"]["num_inference_steps"] == 2
    index["sampling"] = {"num_inference_steps": 4, "guidance_scale": 1.0, "strength": 0.5, "lowpass_hz": 3.0}
    index_path.write_text(json.dumps(index))
    tuned = StickGenPipeline.from_pretrained(tmp_path, text_encoder=encoder)
    settings = dict(num_inference_steps=4, guidance_scale=1.0, strength=0.5)
    smoothed = tuned(plan, seed=3).scenes[0].actors[0].joints
    # equal up to float rounding: the loaded weights are memory-mapped at other alignments
    np.testing.assert_allclose(smoothed, pipe(plan, seed=3, lowpass_hz=3.0, **settings).scenes[0].actors[0].joints,
                               atol=1e-5)
    rough = pipe(plan, seed=3, **settings).scenes[0].actors[0].joints
    jerk = lambda clip: np.abs(np.diff(clip, n=3, axis=0)).mean()  # noqa: E731
    assert jerk(smoothed) < 0.8 * jerk(rough)  # the low-pass removes frame-to-frame noise of the correction
    with pytest.raises(ValueError, match="strength"):
        pipe(plan, seed=3, strength=0.0)
    with pytest.raises(ValueError, match="root_guidance_scale must be a number >= 0"):
        pipe(plan, seed=3, root_guidance_scale=-1.0)
    with pytest.raises(ValueError, match=r"lowpass_hz must be in \[0, 12.5\)"):
        pipe(plan, seed=3, lowpass_hz=12.5)  # at or above Nyquist of the 25 fps model
    index["sampling"] = {"steps": 4}
    index_path.write_text(json.dumps(index))
    with pytest.raises(ValueError, match="unknown sampling setting.*steps"):
        StickGenPipeline.from_pretrained(tmp_path, text_encoder=encoder)


def test_mismatched_text_encoder_is_refused(pipe, tmp_path):
    pipe.save_pretrained(tmp_path)
    with pytest.raises(TextEncoderMismatchError, match="all-MiniLM-L6-v2.*384-d.*bge-large"):
        StickGenPipeline.from_pretrained(tmp_path, text_encoder=TextEncoder(BGE_LARGE))
    with pytest.raises(ValueError, match="backend"):
        StickGenPipeline.from_pretrained(tmp_path, backend="tensorrt", text_encoder=pipe.text_encoder)


def test_lora_adapters_load_and_switch(pipe, tmp_path):
    from peft import LoraConfig, get_peft_model

    base = StickGenPipeline.from_preset("small", pipe.text_encoder, planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=0)
    plan = plan_from_actions(["walk"], "walks", duration=2.0)
    before = base(plan, seed=1, num_inference_steps=0).scenes[0].actors[0].joints
    peft_model = get_peft_model(StickGenPipeline.from_preset(
        "small", pipe.text_encoder, planner_overrides=TINY_PLANNER, refiner_overrides=TINY_REFINER).planner,
        LoraConfig(r=4, target_modules=["q_proj", "v_proj", "down_proj"]))
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    peft_model.save_pretrained(tmp_path / "style")
    base.load_lora(tmp_path / "style", adapter_name="style")
    after = base(plan, seed=1, num_inference_steps=0).scenes[0].actors[0].joints
    assert np.abs(after - before).max() > 1e-3
    base.set_adapter("style")
    with pytest.raises(ValueError, match="load_lora"):
        pipe.set_adapter("style")


def walking_clip(frames):
    """A rest pose gliding 2 m along +z while swaying in x: ``[frames, 22, 3]``."""
    clip = np.broadcast_to(S.rest_pose(), (frames, 22, 3)).copy()
    clip[..., 2] += np.linspace(0, 2.0, frames)[:, None]
    clip[..., 0] += 0.3 * np.sin(np.linspace(0, 3, frames))[:, None]
    return clip


def assert_edit_keeps(out, clip, keep):
    """Kept frames come back with their pelvis x/z and their pose; the others are regenerated."""
    assert out.shape == clip.shape
    np.testing.assert_allclose(out[keep][:, 0, [0, 2]], clip[keep][:, 0, [0, 2]], atol=1e-4)
    head = S.JOINT_INDEX["head"]
    np.testing.assert_allclose(out[keep, head] - out[keep, 0], clip[keep, head] - clip[keep, 0], atol=1e-3)
    assert np.abs(out[~keep, head] - clip[~keep, head]).max() > 1e-2


def test_edit_keeps_given_frames_and_the_root_trajectory(pipe):
    frames = 60
    clip, actions = walking_clip(frames), np.full(frames, 1)
    keep = np.zeros(frames, bool)
    keep[:10] = keep[-10:] = True
    assert_edit_keeps(pipe.edit(clip, "walks", actions, keep_frames=keep, seed=1), clip, keep)
    pinned = pipe.edit(clip, "walks", actions, keep_joints=[0], seed=1)
    np.testing.assert_allclose(pinned[:, 0, [0, 2]], clip[:, 0, [0, 2]], atol=1e-4)
    with pytest.raises(ValueError, match="shape"):
        pipe.edit(clip, "walks", actions, keep_frames=keep[:5])
    with pytest.raises(ValueError, match=r"\[T, 22, 3\]"):
        pipe.edit(clip[:, :20], "walks", actions)


def test_edit_longer_than_a_window_goes_window_by_window(pipe):
    frames = 230  # max_frames 100, overlap 20: windows at 0, 80, 160
    clip, actions = walking_clip(frames), np.full(frames, 1)
    keep = np.zeros(frames, bool)
    keep[:10] = keep[110:130] = keep[-10:] = True  # kept frames in the first, second and last windows
    assert_edit_keeps(pipe.edit(clip, "walks", actions, keep_frames=keep, seed=1), clip, keep)
    pinned = pipe.edit(clip, "walks", actions, keep_joints=[0], seed=1)
    np.testing.assert_allclose(pinned[:, 0, [0, 2]], clip[:, 0, [0, 2]], atol=1e-4)


@pytest.mark.slow
def test_small_preset_makes_a_60_second_scene(encoder):
    pipe = StickGenPipeline.from_preset("small", encoder)
    scene = pipe(plan_from_actions([("walk", 30.0), ("dance", 30.0)], "walks then dances"), seed=0).scenes[0]
    joints = scene.actors[0].joints
    assert scene.num_frames == 1500 and np.isfinite(joints).all()
    assert S.bone_lengths(joints).std(axis=0).max() < 1e-9 and joints[..., 1].min() >= -1e-9


def test_lowpass_keeps_slow_motion_and_removes_frame_noise():
    from stickgen.windows import lowpass

    t = np.arange(125) / 25.0
    wave, noise = np.sin(2 * np.pi * 2.0 * t), np.sin(2 * np.pi * 10.0 * t)
    signal = np.stack([wave, noise], axis=-1)[None].astype(np.float32)  # [1, 125, 2]
    out = lowpass(signal, 3.0, 25.0)
    assert out.shape == signal.shape and out.dtype == np.float32
    middle = slice(25, 100)  # away from the padded ends
    assert 0.95 < np.abs(out[0, middle, 0]).max() <= 1.01  # a 2 Hz wave keeps its amplitude below a 3 Hz cutoff
    assert np.abs(out[0, middle, 1]).max() < 0.02  # 10 Hz noise is gone
    assert lowpass(np.ones((2, 3, 4), np.float32), 3.0, 25.0) == pytest.approx(1.0)  # clips of any length


def test_a_climb_goes_on_up_across_generation_windows(pipe, monkeypatch):
    """Each later window of a climb is encoded standing on the height reached (the model's range) and
    its output is put back there; other actions' windows stand on the ground."""
    from stickgen.features import decode, encode

    fps, size = pipe.planner.config.fps, pipe.planner.config.max_frames
    seen = []

    def rising_then_holding(self, inputs, known, frame_mask, channel_mask, partner, generator, sampling,
                            first_frame=0):
        """A fake planner+refiner: the first window climbs 1.5 m; a later one holds its last known frame."""
        b, length = inputs["actions"].shape
        seen.append(pipe.feature_stats.denormalize(known.astype(np.float64)))
        if frame_mask.any():
            last = int(np.flatnonzero(frame_mask[0])[-1])
            held = np.repeat(known[:, last:last + 1], length - last - 1, axis=1)
            features = np.concatenate([known[:, :last + 1], held], axis=1)
            return torch.as_tensor(features)
        joints = np.repeat(S.rest_pose()[None], length, axis=0)
        joints[..., 1] += np.linspace(0.0, 1.5, length)[:, None]
        return torch.as_tensor(pipe.feature_stats.normalize(encode(joints, fps))[None].astype(np.float32))

    monkeypatch.setattr(WindowSampler, "plan_and_refine", rising_then_holding)
    climb = pipe(plan_from_actions(["climbing"], "a kid climbs a ladder", duration=1.6 * size / fps), seed=0).scenes[0]
    seen_climb, seen[:] = list(seen), []
    pipe(plan_from_actions(["walk"], "a man walks", duration=1.6 * size / fps), seed=0)
    lowest = climb.actors[0].joints[..., 1].min(axis=1)
    assert lowest[-1] > 1.2 and np.diff(lowest).min() > -0.02  # holds the reached height, no drop at the seam
    continued = decode(seen_climb[1][0], fps)[:pipe.planner.config.window_overlap]
    assert continued[..., 1].min() == pytest.approx(0.0, abs=1e-6)  # the model sees the climber on its floor
    walked = decode(seen[1][0], fps)[:pipe.planner.config.window_overlap]
    assert walked[..., 1].min() > 1.0  # a walk's window is encoded at its world height (the ground is 0)


def test_seams_join_the_plan_to_known_frames_and_fade_the_refiner_in():
    from stickgen.windows import join_seams, seam_taper

    known = np.zeros((1, 30, 2), np.float32)
    known[0, :10] = 1.0  # a continued window: 10 known frames at 1.0
    plan = np.full((1, 30, 2), 3.0, np.float32)
    plan[0, :10] = -5.0  # what the planner puts on the known frames is ignored
    frame_mask = np.arange(30)[None] < 10
    joined = join_seams(plan, known, frame_mask, frames=10)
    assert joined.dtype == np.float32 and np.array_equal(joined[0, :10], known[0, :10])
    np.testing.assert_allclose(joined[0, 10:21, 0], 3.0 - 2.0 * np.clip(1 - np.arange(1, 12) / 10, 0, 1), atol=1e-6)
    assert np.abs(np.diff(joined[0, 9:, 0])).max() <= 0.2 + 1e-6  # no jump from 1.0 to 3.0 at the seam
    taper = seam_taper(frame_mask, frames=10)
    np.testing.assert_allclose(taper[0, [0, 9, 10, 14, 19, 29]], [0, 0, 0.1, 0.5, 1, 1], atol=1e-6)
    assert np.array_equal(seam_taper(np.zeros((2, 5), bool)), np.ones((2, 5)))  # a first window: all refined
    kept_end = np.arange(30)[None] >= 25  # an in-between edit keeps later frames: the plan meets them too
    assert join_seams(plan, known, kept_end, frames=10)[0, 24, 0] == pytest.approx(3.0 - 3.0 * 0.9)


def test_root_guidance_scale_is_recommended_overridden_and_recorded(pipe, encoder, tmp_path):
    plan = plan_from_actions(["walk"], "walks", duration=2.0)
    index_path = pipe.save_pretrained(tmp_path) / "model_index.json"
    index = json.loads(index_path.read_text())
    index["sampling"] = {"num_inference_steps": 3, "guidance_scale": 1.5, "root_guidance_scale": 3.0}
    index_path.write_text(json.dumps(index))
    tuned = StickGenPipeline.from_pretrained(tmp_path, text_encoder=encoder)
    scene = tuned(plan, seed=4).scenes[0]
    assert (scene.meta["sampling"]["guidance_scale"], scene.meta["sampling"]["root_guidance_scale"]) == (1.5, 3.0)
    same = dict(num_inference_steps=3, guidance_scale=1.5)
    np.testing.assert_allclose(scene.actors[0].joints,
                               pipe(plan, seed=4, root_guidance_scale=3.0, **same).scenes[0].actors[0].joints,
                               atol=1e-5)
    assert not np.allclose(scene.actors[0].joints, pipe(plan, seed=4, **same).scenes[0].actors[0].joints, atol=1e-3)
    followed = tuned(plan, seed=4, root_guidance_scale=1.5).scenes[0]  # named: overrides the recommendation
    np.testing.assert_allclose(followed.actors[0].joints, pipe(plan, seed=4, **same).scenes[0].actors[0].joints,
                               atol=1e-5)
    with pytest.raises(ValueError, match="unknown sampling setting.*root_scale"):
        tuned.resolve_sampling(root_scale=2.0)


def test_pace_gives_the_refiner_the_plan_paced_to_the_target_speeds(pipe, monkeypatch):
    from stickgen.features import FEATURE_DIM, FeatureStats
    from stickgen.pacing import pace_normalized

    speeds = np.full(50, np.nan)
    speeds[10:40] = 1.5
    plan = plan_from_actions(["walk"], "walks", duration=2.0, target_speed=speeds)
    conditions = []
    refine = pipe._denoise_fn

    def spy(x, t, condition, *rest):
        conditions.append(condition[0].numpy().copy())
        return refine(x, t, condition, *rest)

    monkeypatch.setattr(pipe, "_denoise_fn", spy)
    # an untrained planner barely moves in identity units; wider statistics make its plan travel
    monkeypatch.setattr(pipe, "feature_stats", FeatureStats(np.zeros(FEATURE_DIM), np.full(FEATURE_DIM, 20.0)))
    paced = pipe(plan, seed=5, num_inference_steps=2, pace=True).scenes[0]
    paced_condition = conditions[-1]
    plain = pipe(plan, seed=5, num_inference_steps=2, pace=False).scenes[0]
    expected, held = pace_normalized(conditions[-1][None], pipe.feature_stats, speeds[None], np.ones((1, 50), bool))
    assert held[0].tolist() == [False] * 10 + [True] * 30 + [False] * 10
    np.testing.assert_allclose(paced_condition, expected[0], atol=1e-6)
    assert not np.allclose(paced.actors[0].joints, plain.actors[0].joints, atol=1e-3)
    assert (paced.meta["sampling"]["pace"], plain.meta["sampling"]["pace"]) == (True, False)
    count = len(conditions)
    planner_only = pipe(plan, seed=5, num_inference_steps=0, pace=True).scenes[0]  # the planner alone is never paced
    assert len(conditions) == count
    np.testing.assert_array_equal(planner_only.actors[0].joints,
                                  pipe(plan, seed=5, num_inference_steps=0).scenes[0].actors[0].joints)
    with pytest.raises(ValueError, match="pace must be True or False"):
        pipe(plan, seed=5, pace="yes")
