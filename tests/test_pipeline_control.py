"""The pipeline hands the plan's controls to the planner, and a caller's own trajectory replaces them."""
import numpy as np
import pytest
import torch

from stickgen import control
from stickgen.conditioning import with_trajectory
from stickgen.pipeline import StickGenPipeline
from stickgen.story import plan_from_prompt
from stickgen.text import TextEncoder

TINY_PLANNER = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, max_frames=60, window_overlap=10,
                    control_dim=control.CONTROL_DIM)
TINY_REFINER = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64)


@pytest.fixture(scope="module")
def pipe():
    return StickGenPipeline.from_preset("small", TextEncoder(), planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=0)


def _spy(pipe, monkeypatch) -> list[dict]:
    seen = []
    original = pipe._plan_fn

    def spy(inputs):
        seen.append({k: v.clone() for k, v in inputs.items() if k.startswith("control")})
        return original(inputs)

    monkeypatch.setattr(pipe, "_plan_fn", spy)
    return seen


def test_the_plans_controls_reach_the_planner_window_by_window(pipe, monkeypatch):
    seen = _spy(pipe, monkeypatch)
    pipe("a man walks backwards", duration=4.0, seed=0, num_inference_steps=0)
    assert len(seen) == 2  # 100 frames: two windows of 60 with 10 shared
    first = seen[0]
    assert first["control"].shape == (1, 60, control.CONTROL_DIM)
    forward = first["control"][0, :, control.FORWARD] * control.SCALE[control.FORWARD]
    assert torch.all(first["control_mask"][0, :, control.FORWARD] == 1) and torch.all(forward < -0.3)
    assert torch.all(first["control_mask"][0, :, control.HAND] == 0)  # walking names no hand


def test_a_callers_trajectory_sets_start_facing_and_root_controls(pipe, monkeypatch):
    seen = _spy(pipe, monkeypatch)
    frames = 100
    path = np.stack([np.linspace(1.0, 4.0, frames), np.full(frames, 2.0)], axis=1)  # 3 m toward +x in 4 s
    scene = pipe("a person waves", duration=4.0, seed=0, num_inference_steps=0, trajectory=path).scenes[0]
    given = torch.cat([s["control"][0] for s in seen]) * torch.as_tensor(control.SCALE, dtype=torch.float32)
    assert given[:, control.FORWARD].mean() == pytest.approx(0.75, abs=0.05)  # along its own facing
    assert torch.all(seen[0]["control_mask"][0, :, control.HAND] == 1)  # the wave keeps its hand
    start = scene.actors[0].joints[0, 0]
    assert start[0] == pytest.approx(1.0, abs=0.3) and start[2] == pytest.approx(2.0, abs=0.3)


def test_with_trajectory_keeps_the_plan_and_checks_the_length():
    plan = plan_from_prompt("a person waves", duration=2.0)
    path = np.zeros((plan.num_frames, 2))
    path[:, 1] = -np.linspace(0, 1, plan.num_frames)
    moved = with_trajectory(plan, path, headings=np.zeros(plan.num_frames))  # walks backwards
    actor = moved.actors[0]
    assert actor.facing == 0.0 and actor.path is None and np.all(actor.control[1:, control.FORWARD] < 0)
    np.testing.assert_array_equal(actor.control[:, control.HAND], plan.actors[0].control[:, control.HAND])
    with pytest.raises(ValueError, match=r"expected \[50, 2\]"):
        with_trajectory(plan, path[:10])


def test_a_planner_without_controls_ignores_the_plans_controls(monkeypatch):
    plain = StickGenPipeline.from_preset("small", TextEncoder(), planner_overrides={**TINY_PLANNER, "control_dim": 0},
                                         refiner_overrides=TINY_REFINER, seed=0)
    seen = _spy(plain, monkeypatch)
    plain("a man walks backwards", duration=2.0, seed=0, num_inference_steps=0)
    assert seen and all(not s for s in seen)


def test_named_hands_mirrors_only_the_clips_that_used_the_other_hand():
    from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
    from stickgen.steering import named_hands

    clip = generate(ClipSpec([ActionStep("wave", 3.0, {"handedness": "right"})], seed=1))
    frames = len(clip.joints)
    wanted = np.full((2, frames, control.CONTROL_DIM), np.nan)
    wanted[0, :, control.HAND], wanted[1, :, control.HAND] = 1.0, -1.0  # left asked, then right asked
    contacts = np.tile([1.0, 0.0, 1.0, 0.0], (frames, 1))
    joints, touches = named_hands([clip.joints, clip.joints], [contacts, contacts], wanted, 25)
    assert control.hand_agreement(joints[0], 25, wanted[0, :, control.HAND]) > 0.5
    np.testing.assert_array_equal(touches[0][0], [0.0, 1.0, 0.0, 1.0])  # the feet swapped with the pose
    np.testing.assert_array_equal(joints[1], clip.joints)
    np.testing.assert_array_equal(touches[1], contacts)
    wanted[:, :, control.WRIST_RISE] = 0.45  # a raised hand limb steering placed: not judged, never mirrored
    np.testing.assert_array_equal(named_hands([clip.joints], [contacts], wanted[:1], 25)[0][0], clip.joints)


@pytest.mark.parametrize("prompt, sign", [("A baby crawls backwards.", -1), ("A soldier crawls forward.", 1)])
def test_a_crawl_is_steered_the_way_the_sentence_says(prompt, sign):
    """Crawling is a gait: its plan fixes the body-frame velocity (it used to be free, and crawled forward)."""
    actor = plan_from_prompt(prompt, duration=4.0).actors[0]
    forward = actor.control[:, control.FORWARD]
    assert np.isfinite(forward).all() and np.all(sign * forward > 0.2)
    assert np.all(actor.control[:, control.SIDEWAYS] == 0)
