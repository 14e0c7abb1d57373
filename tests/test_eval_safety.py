"""The safety critic and the prompt-suite runner (stickgen.eval.safety)."""
import numpy as np
import pytest
from test_eval_toy import toy_clip

from stickgen import vocab
from stickgen.eval import safety
from stickgen.motion import Motion, Scene, Segment
from stickgen.skeleton import JOINT_INDEX, rest_pose

FPS = 25


def test_clean_toy_clips_raise_no_flags():
    for action in ("walk", "wave", "jump", "sit"):
        assert safety.critique(toy_clip(action, frames=100), FPS) == [], action


def test_critic_flags_each_failure_mode():
    still = np.repeat(rest_pose()[None], 100, axis=0)
    assert "frozen" in safety.critique(still, FPS)
    noisy = toy_clip("wave", 100) + np.random.default_rng(0).normal(scale=0.01, size=(100, 22, 3))
    assert "jittery" in safety.critique(noisy, FPS)
    exploded = toy_clip("walk", 100)
    exploded[50:, JOINT_INDEX["left_wrist"]] += 5.0
    assert "exploding" in safety.critique(exploded, FPS)
    assert safety.critique(np.full((10, 22, 3), np.nan), FPS) == ["exploding"]
    sunk = toy_clip("walk", 100) - np.array([0, 0.2, 0])
    assert "impossible:penetration" in safety.critique(sunk, FPS)
    floating = toy_clip("wave", 100) + np.array([0, 0.5, 0])
    assert "impossible:floating" in safety.critique(floating, FPS)
    assert "impossible:floating" not in safety.critique(floating, FPS, {"flying"})
    teleport = toy_clip("walk", 100)
    teleport[:, :, 2] += np.arange(100)[:, None] * 1.0  # +25 m/s
    assert "impossible:speed" in safety.critique(teleport, FPS)
    stretched = toy_clip("wave", 100)
    stretched[::2, JOINT_INDEX["head"], 1] += 0.3
    assert "impossible:stretching_bones" in safety.critique(stretched, FPS)


def test_every_shipped_suite_loads_and_says_what_a_good_answer_is():
    suites = {s.name: s for s in safety.load_suites()}
    assert set(suites) == {"basic_actions", "camera", "multi_actor", "dialogue_gestures", "physics_stress",
                           "adversarial"}
    ids = {i.id for i in suites["adversarial"].items}
    assert {"empty", "very_long", "contradictory", "nonsense", "extreme_speed", "injection",
            "repetition_inducing"} <= ids
    very_long = next(i for i in suites["adversarial"].items if i.id == "very_long")
    assert len(very_long.prompt) > 5000
    for suite in suites.values():
        for item in suite.items:
            assert item.good_answer and item.expect["outcome"] in safety.OUTCOMES
            for name in item.expect.get("actions", []) + item.expect.get("recognized", []):
                vocab.action_id(name)  # every expected action exists
            for name in item.expect.get("camera_moves", []):
                vocab.camera_move_id(name)
    with pytest.raises(ValueError, match="unknown suites"):
        safety.load_suites(["nope"])


def _scene(action: str, frames: int = 100, camera=None) -> Scene:
    motion = Motion(toy_clip(action, frames), actions=[Segment(0, frames, action)])
    return Scene([motion], fps=FPS, camera=camera)


def test_run_item_outcomes_refusal_crash_and_checks():
    refuse_item = safety.SuiteItem("z", "A man waves.", {"outcome": "refuse"}, "a clear message", duration=0)
    generate_item = safety.SuiteItem("w", "A man walks.", {"actions": ["walk"], "min_travel": 2.0}, "a walk")

    def refuse(prompt, duration, seed):
        raise ValueError("duration must be positive")

    def crash(prompt, duration, seed):
        raise RuntimeError("boom")

    def walk(prompt, duration, seed):
        return _scene("walk")

    def wave(prompt, duration, seed):
        return _scene("wave")

    assert safety.run_item(refuse_item, refuse).passed
    assert not safety.run_item(refuse_item, walk).passed
    assert safety.run_item(generate_item, walk).passed
    result = safety.run_item(generate_item, wave)
    assert not result.passed and any("missing ['walk']" in f for f in result.failures)
    assert any("travelled" in f for f in result.failures)
    crashed = safety.run_item(generate_item, crash)
    assert crashed.outcome == "crashed" and not crashed.passed
    frozen = safety.run_item(generate_item, lambda p, d, s: Scene([Motion(np.repeat(rest_pose()[None], 50, 0),
                                                                          actions=[Segment(0, 50, "walk")])]))
    assert not frozen.passed and "a0:frozen" in frozen.flags


def test_run_suite_pass_rate_and_camera_check():
    suite = safety.Suite("t", "", [
        safety.SuiteItem("orbit", "orbit", {"camera_moves": ["orbit"]}, "an orbit"),
        safety.SuiteItem("default", "???", {"outcome": "generate_or_refuse", "default_actions": ["idle"]}, "idle"),
    ])
    camera = {"keyframes": [{"frame": 0, "position": [0, 1.6, 6], "target": [0, 1, 0], "fov": 45}],
              "moves": [{"move": "orbit", "start": 0, "end": 100}]}
    report = safety.run_suite(suite, lambda p, d, s: _scene("wave", camera=camera))
    assert report["passed"] == 1 and report["total"] == 2 and report["pass_rate"] == 0.5
    assert report["items"][1]["failures"] == ["expected a default among ['idle'], got ['wave']"]


def test_recognition_needs_an_evaluator():
    item = safety.SuiteItem("w", "walk", {"recognized": ["walk"]}, "a walk")
    result = safety.run_item(item, lambda p, d, s: _scene("walk"))
    assert result.failures == ["recognized: no evaluator given"]


def test_meet_wants_partners_at_their_contact_distance():
    def pair(gap: float, label: str = "hug") -> Scene:
        clip = toy_clip("wave", 100)
        other = clip + np.array([gap, 0.0, 0.0])
        segment = [Segment(0, 100, label)]
        return Scene([Motion(clip, id="a0", actions=segment), Motion(other, id="a1", actions=segment)], fps=FPS)

    assert safety.check_scene(pair(0.45), {"meet": True, "clean": False})[0] == []
    failures = safety.check_scene(pair(0.9), {"meet": True, "clean": False})[0]
    assert failures == ["meet: a0 and a1 met 0.90 m apart and stood 0.90-0.90 m apart for hug, expected to meet "
                        "at 0.45 and stay within 0.25-0.85"]
    assert safety.check_scene(pair(0.45, "wave"), {"meet": True, "clean": False})[0] == [
        "meet: no two actors do a two-actor action together"]


def test_closed_wants_the_first_actor_back_where_it_started():
    walk = toy_clip("walk", 100)
    there = Scene([Motion(walk, id="a0", actions=[Segment(0, 100, "walk")])], fps=FPS)
    back = Scene([Motion(np.concatenate([walk, walk[::-1]]), id="a0", actions=[Segment(0, 200, "walk")])], fps=FPS)
    gap = np.linalg.norm(walk[-1, 0, [0, 2]] - walk[0, 0, [0, 2]])
    assert safety.check_scene(there, {"closed": 0.5, "clean": False})[0] == [
        f"ended {gap:.2f} m from its start, expected at most 0.5 m"]
    assert safety.check_scene(back, {"closed": 0.5, "clean": False})[0] == []
