"""Control signals: measured on clips, given by a trajectory, fed to the planner, followed by training rows."""
import numpy as np
import pytest
import torch

from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
from stickgen import control
from stickgen.models.configuration_stickgen import StickGenConfig
from stickgen.models.modeling_stickgen import StickGenPlanner
from stickgen.skeleton import rest_pose, rotate_y

FPS = 25


def _clip(action: str, seconds: float = 4.0, mirror: bool = False, **params) -> np.ndarray:
    spec = ClipSpec([ActionStep(action, seconds, params)], seed=3, mirror=mirror)
    return generate(spec).joints


def test_a_backward_walk_measures_negative_forward_speed_and_no_turning():
    measured = control.measure(_clip("walk", 5.0, path="backwards", speed=0.8, start=False, stop=False), FPS)
    middle = measured[FPS:-FPS]
    assert np.median(middle[:, control.FORWARD]) == pytest.approx(-0.8, abs=0.15)
    assert np.abs(np.median(middle[:, control.SIDEWAYS])) < 0.1
    assert np.abs(np.median(middle[:, control.HEADING_RATE])) < 0.1


@pytest.mark.parametrize("side, sign", [("left", 1.0), ("right", -1.0)])
def test_a_sideways_walk_measures_speed_toward_the_named_side(side, sign):
    clip = _clip("walk", 5.0, path="sideways", direction=side, speed=0.4, start=False, stop=False)
    middle = control.measure(clip, FPS)[FPS:-FPS]
    assert sign * np.median(middle[:, control.SIDEWAYS]) == pytest.approx(0.4, abs=0.12)
    assert np.abs(np.median(middle[:, control.FORWARD])) < 0.1


def test_turning_on_the_spot_measures_the_turned_angle_and_standing_height():
    measured = control.measure(_clip("idle", 3.0, turn=-np.pi / 2), FPS)
    assert np.degrees(measured[1:, control.HEADING_RATE].sum() / FPS) == pytest.approx(-90.0, abs=8.0)
    assert np.abs(measured[:, control.PELVIS_RISE]).max() < 0.08  # standing: no rise, no drop


def test_a_jump_rises_and_a_wave_names_its_hand_mirrored_or_not():
    jump = control.measure(_clip("jump", 2.5, count=1, jump_height=0.3), FPS)
    assert jump[:, control.PELVIS_RISE].max() > 0.25
    right = control.measure(_clip("wave", 3.0, handedness="right"), FPS)[:, control.HAND]
    left = control.measure(_clip("wave", 3.0, handedness="right", mirror=True), FPS)[:, control.HAND]
    assert np.mean(right == -1.0) > 0.6 and np.mean(left == 1.0) > 0.6


def test_limb_channels_measure_a_kick_a_clap_a_wave_and_a_punch():
    punch = control.measure(_clip("punch", 3.0), FPS)[:, control.WRIST_REACH]
    assert punch.max() > 0.35 and punch.min() < -0.35  # the data's punches: left and right in turn
    assert np.abs(control.measure(_clip("idle", 3.0), FPS)[:, control.WRIST_REACH]).max() < 0.2
    kneel = control.measure(_clip("kneel", 3.0), FPS)[:, control.KNEE_HEIGHT]
    assert kneel[-10:].max() < 0.1 < 0.35 < control.measure(_clip("idle", 3.0), FPS)[:, control.KNEE_HEIGHT].min()
    kick = control.measure(_clip("kick", 2.0), FPS)
    clap = control.measure(_clip("clap", 3.0), FPS)
    wave = control.measure(_clip("wave", 3.0), FPS)
    idle = control.measure(_clip("idle", 3.0), FPS)
    assert kick[:, control.FOOT_RISE].max() > 0.5 > idle[:, control.FOOT_RISE].max() + 0.4
    assert clap[:, control.HANDS_GAP].min() < 0.1 and clap[:, control.HANDS_GAP].max() > 0.3
    assert wave[:, control.WRIST_RISE].max() > 0.15 > idle[:, control.WRIST_RISE].max() + 0.3


def test_plans_fix_a_kicks_height_a_counted_claps_closings_and_a_waves_hand():
    from stickgen.eval.joint_measures import CLAP_CLOSE, CLAP_OPEN
    from stickgen.story.controls import CLAP_REST, KICK_RISE, RAISE_RISE, WAVE_RISE, plan_controls
    from stickgen.story.schema import TimedAction

    def planned(**action):
        return plan_controls([TimedAction(character="A", start=0.0, end=3.0, **action)], 100, FPS)

    kicks = planned(action="kick", count=2)[:75, control.FOOT_RISE]
    peaks = [t for t in range(1, 74) if kicks[t] > 0.5 and kicks[t] >= kicks[t - 1] and kicks[t] > kicks[t + 1]]
    assert len(peaks) == 2 and kicks.max() == pytest.approx(KICK_RISE["kick"], abs=0.02) and kicks[0] == 0.0
    assert planned(action="kick", size=1.2)[:75, control.FOOT_RISE].max() > KICK_RISE["kick"] + 0.1  # "kicks high"
    assert planned(action="kicking")[:75, control.FOOT_RISE].max() == pytest.approx(KICK_RISE["kicking"], abs=0.02)
    gap = planned(action="clap", count=3)[:75, control.HANDS_GAP]
    closings = sum(1 for a, b in zip(gap[:-1], gap[1:]) if a >= CLAP_CLOSE > b)
    assert closings == 3 and gap.max() <= CLAP_OPEN + 0.2 and gap[-1] == pytest.approx(0.4)
    free = planned(action="clap")[:75, control.HANDS_GAP]  # no count: one clap per 0.65 s, 3 s -> 5
    assert sum(1 for a, b in zip(free[:-1], free[1:]) if a >= CLAP_CLOSE > b) == 5
    wave = planned(action="wave", hand="left")[:75]
    assert (wave[:, control.WRIST_RISE] == WAVE_RISE).all() and (wave[:, control.HAND] == 1.0).all()
    assert np.isnan(wave[:, [control.FOOT_RISE, control.HANDS_GAP]]).all()
    assert planned(action="wave", size=1.4)[0, control.WRIST_RISE] > WAVE_RISE + 0.05  # "a big wave"
    punches = planned(action="punch", count=3)[:75]
    reach = punches[:, control.WRIST_REACH]
    peaks = [t for t in range(1, 74) if abs(reach[t]) > 0.3 and abs(reach[t]) >= abs(reach[t - 1])
             and abs(reach[t]) > abs(reach[t + 1])]
    assert [np.sign(reach[t]) for t in peaks] == [1.0, -1.0, 1.0] and (punches[:, control.HAND] == 0.0).all()
    assert np.abs(reach).min() == pytest.approx(control.GUARD_REACH, abs=0.01)  # back to the guard between
    right = planned(action="punch", hand="right")[:75]
    assert (right[:, control.WRIST_REACH] < 0).all() and (right[:, control.HAND] == -1.0).all()
    kneel = planned(action="kneel")[:75]
    assert np.isnan(kneel[:27, control.KNEE_HEIGHT]).all() and (kneel[28:, control.KNEE_HEIGHT] == 0.05).all()
    assert (kneel[:, [control.FORWARD, control.HEADING_RATE]] == 0).all()  # on the spot
    raised = planned(action="wave", manner="with the right hand held up")[:75]
    assert (raised[:, control.WRIST_RISE] == RAISE_RISE).all() and (raised[:, control.HAND] == -1.0).all()
    rest = plan_controls([TimedAction(character="A", start=0.0, end=2.6, action="clap", count=2),
                          TimedAction(character="A", start=2.6, end=4.0, action="idle")], 100, FPS)
    assert (rest[65:, control.HANDS_GAP] == CLAP_REST).all()  # hands apart through the standing after


def test_trajectory_controls_integrate_back_to_the_path():
    t = np.arange(100) / FPS
    path = np.stack([np.sin(t) * 2.0, 1.5 * t], axis=1)  # a curving walk
    given = control.from_trajectory(path, FPS)
    assert np.isnan(given[:, [control.PELVIS_RISE, control.HAND]]).all()
    positions, headings = control.integrate(given, FPS, path[0], control.path_headings(path, FPS)[0])
    assert np.abs(positions - path).max() < 1e-9


def test_a_path_walked_backwards_keeps_facing_forward():
    path = np.stack([np.zeros(50), -np.arange(50) * 0.03], axis=1)  # toward -z ...
    given = control.from_trajectory(path, FPS, headings=np.zeros(50))  # ... facing +z
    assert np.all(given[:, control.FORWARD] < -0.7) and np.abs(given[:, control.HEADING_RATE]).max() < 1e-9


@pytest.mark.parametrize("bad, message", [(np.zeros((1, 2)), "T >= 2"), (np.zeros((5, 3)), r"\[T, 2\]"),
                                          (np.full((5, 2), np.nan), "finite")])
def test_bad_trajectories_are_refused_with_the_reason(bad, message):
    with pytest.raises(ValueError, match=message):
        control.from_trajectory(bad, FPS)


def test_normalize_scales_given_channels_and_masks_free_ones():
    given = np.array([[1.0, np.nan, 0.5, np.nan, -1.0, 0.7, np.nan, 0.15, -0.2, 0.05]])
    values, mask = control.normalize(given)
    np.testing.assert_allclose(values, [[0.5, 0.0, 0.25, 0.0, -1.0, 1.4, 0.0, 0.5, -0.5, 0.1]], rtol=1e-6)
    np.testing.assert_array_equal(mask, [[1, 0, 1, 0, 1, 1, 0, 1, 1, 1]])
    np.testing.assert_allclose(control.denormalize(values[:, :5], mask[:, :5]), given[:, :5])  # a 5-channel planner
    with pytest.raises(ValueError, match="last dimension 10"):
        control.normalize(np.zeros((3, 5)))


def test_training_masks_drop_whole_groups_keep_some_frames_or_keep_all():
    full = np.ones((100, control.CONTROL_DIM))
    kinds = set()
    for seed in range(60):
        dropped = control.training_mask(full, np.random.default_rng(seed))
        for group in control.GROUPS:
            given = np.isfinite(dropped[:, group])
            assert (given == given[:, :1]).all()  # a group is given or dropped together
            share = given[:, 0].mean()
            kinds.add("free" if share == 0 else "whole" if share == 1 else "sparse")
            assert share == 0 or share == 1 or share < 0.35
    assert kinds == {"free", "whole", "sparse"}


def test_standing_height_matches_the_rest_pose_at_any_size():
    for height in (1.5, 1.9):
        pose = rest_pose(height)[None].repeat(3, axis=0)
        assert control.standing_height(pose) == pytest.approx(pose[0, 0, 1], rel=1e-6)


# ----------------------------------------------------------------------------- the planner's control input

TINY = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, max_frames=40, window_overlap=8)


def _inputs(b: int = 2, t: int = 30) -> dict:
    torch.manual_seed(0)
    return dict(text_embeds=torch.randn(b, 384), action_ids=torch.randint(0, 46, (b, t)))


def test_a_new_control_input_changes_nothing_until_trained():
    torch.manual_seed(0)
    plain = StickGenPlanner(StickGenConfig(**TINY)).eval()
    with_control = StickGenPlanner(StickGenConfig(**TINY, control_dim=5)).eval()
    with_control.load_state_dict(plain.state_dict(), strict=False)
    inputs = _inputs()
    given = torch.randn(2, 30, 5)
    np.testing.assert_allclose(plain(**inputs).pose.detach(),
                               with_control(**inputs, control=given, control_mask=torch.ones(2, 30, 5)).pose.detach())
    torch.nn.init.normal_(with_control.control_proj.weight)
    moved = with_control(**inputs, control=given, control_mask=torch.ones(2, 30, 5)).pose
    masked = with_control(**inputs, control=given, control_mask=torch.zeros(2, 30, 5)).pose
    assert not torch.allclose(moved, masked)
    np.testing.assert_allclose(masked.detach(), plain(**inputs).pose.detach(), atol=1e-5, rtol=0)


def test_a_planner_without_a_control_input_refuses_controls():
    planner = StickGenPlanner(StickGenConfig(**TINY))
    with pytest.raises(ValueError, match="without control signals"):
        planner(**_inputs(), control=torch.zeros(2, 30, 5))


def test_with_control_input_keeps_every_weight_and_starts_at_zero():
    from training.train import with_control_input

    plain = StickGenPlanner(StickGenConfig(**TINY))
    upgraded = with_control_input(plain, 5)
    assert upgraded.config.control_dim == 5
    for name, value in plain.state_dict().items():
        torch.testing.assert_close(upgraded.state_dict()[name], value)
    assert not upgraded.control_proj.weight.any() and not upgraded.control_proj.bias.any()


def test_growing_a_control_input_keeps_the_old_channels_answers():
    """A planner of the first five channels grown to eight plans as before for any old-channel input,
    whatever the new channels say, until training moves their zero projection."""
    from training.train import with_control_input

    torch.manual_seed(0)
    five = StickGenPlanner(StickGenConfig(**TINY, control_dim=5)).eval()
    torch.nn.init.normal_(five.control_proj.weight)
    eight = with_control_input(five, 8).eval()
    assert eight.config.control_dim == 8
    given, mask = torch.randn(2, 30, 8), (torch.rand(2, 30, 8) > 0.3).float()
    np.testing.assert_allclose(eight(**_inputs(), control=given, control_mask=mask).pose.detach(),
                               five(**_inputs(), control=given[..., :5], control_mask=mask[..., :5]).pose.detach(),
                               atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="already has 8"):
        with_control_input(eight, 8)


def test_rotating_a_clip_leaves_its_measured_controls_unchanged():
    clip = _clip("walk", 4.0, path="curve", turn=1.0, speed=1.2, start=False, stop=False)
    turned = rotate_y(clip, 1.1) + np.array([3.0, 0.0, -2.0])
    np.testing.assert_allclose(control.measure(turned, FPS), control.measure(clip, FPS), atol=1e-6)


def test_fill_gaps_covers_the_stretch_between_close_controls_only():
    given = np.zeros((1, 30), bool)
    given[0, [2, 6, 20]] = True
    filled = control.fill_gaps(given, 5)[0]
    assert filled[2:7].all() and not filled[7:20].any() and filled[20] and not filled[:2].any()


def test_a_mirrored_pose_waves_the_other_hand_on_the_same_path():
    clip = _clip("walk", 2.0, path="curve", turn=0.8, speed=1.0, start=False, stop=False)
    wave = _clip("wave", 3.0, handedness="right")
    for joints in (clip, wave):
        mirrored = control.mirror_pose(joints)
        np.testing.assert_allclose(mirrored[:, 0], joints[:, 0], atol=1e-9)  # the pelvis path stays
        np.testing.assert_allclose(np.unwrap(control.heading_angles(mirrored)),
                                   np.unwrap(control.heading_angles(joints)), atol=1e-6)
    right = np.full(len(wave), -1.0)
    assert control.hand_agreement(wave, FPS, right) > 0.5
    assert control.hand_agreement(control.mirror_pose(wave), FPS, right) < -0.5
    assert control.hand_agreement(wave, FPS, np.full(len(wave), np.nan)) == 0.0
