"""Post-processing (measured with quality_metrics) and world placement of generated clips."""
import numpy as np
import pytest

from stickgen import physics as P
from stickgen import placement as L
from stickgen import skeleton as S
from stickgen.conditioning import ActorPlan
from stickgen.export import export, read_bvh
from stickgen.export.kinematics import fit_to_skeleton
from stickgen.footwork import runs
from stickgen.motion import Motion, Scene

J = S.JOINT_INDEX


def crouched_clip(frames=100, seed=0):
    """Standing with bent knees (so IK has slack), feet jittering on the ground: [T, 22, 3]."""
    rng = np.random.default_rng(seed)
    pose = S.rest_pose().copy()
    pose[[J["left_knee"], J["right_knee"]], 2] += 0.12
    clip = np.broadcast_to(pose, (frames, 22, 3)).copy()
    clip += rng.normal(0, 0.004, clip.shape)
    for k in S.FOOT_JOINTS:
        clip[:, k, 0] += rng.normal(0, 0.015, frames)
        clip[:, k, 2] += rng.normal(0, 0.015, frames)
    return clip


def test_postprocess_removes_skating_stretch_and_penetration():
    clip = crouched_clip()
    clip[40:50, :, 1] -= 0.1  # the whole body sinks into the floor for a moment
    contacts = np.ones((100, 4), bool)
    before = P.quality_metrics(clip, 25, contacts)
    after = P.quality_metrics(P.postprocess(clip, 25, contacts), 25, contacts)
    assert before["foot_skate"] > 0.3 and before["penetration"] > 0.05 and before["bone_length_std"] > 1e-3
    assert after["foot_skate"] < 0.05 * before["foot_skate"]
    assert after["penetration"] == 0.0
    assert after["bone_length_std"] < 1e-9


def test_unplanted_frames_keep_their_motion():
    clip = crouched_clip()
    clip[50:, :, 1] += 0.5  # from 2 s on the body flies: nothing to plant
    contacts = np.zeros((100, 4), bool)
    contacts[:30] = True
    out = P.postprocess(clip, 25, contacts)
    rigid = S.put_on_ground(fit_to_skeleton(S.make_rigid(clip)))
    np.testing.assert_allclose(out[60:], rigid[60:], atol=1e-9)   # far from any contact run: untouched
    ankle = out[:30, J["left_ankle"]]
    assert np.abs(ankle - ankle.mean(0)).max() < 1e-6                 # planted: held still


def test_a_swinging_foot_marked_as_planted_is_not_pinned():
    clip = crouched_clip()
    hip, toe = J["left_hip"], J["left_foot"]
    leg = [J["left_knee"], J["left_ankle"], toe]
    swing = np.sin(np.linspace(0, 4 * np.pi, 100))  # the left leg swings forward and back about the hip
    angle = 0.6 * swing[:, None]
    relative = clip[:, leg] - clip[:, hip, None]
    y, z = relative[..., 1], relative[..., 2]
    clip[:, leg, 1] = clip[:, hip, None, 1] + np.cos(angle) * y - np.sin(angle) * z
    clip[:, leg, 2] = clip[:, hip, None, 2] + np.sin(angle) * y + np.cos(angle) * z
    out = P.postprocess(clip, 25, np.ones((100, 4), bool))  # a model that says "always planted"
    rigid = S.put_on_ground(fit_to_skeleton(S.make_rigid(clip)))
    fastest = np.abs(np.cos(np.linspace(0, 4 * np.pi, 100))) > 0.97  # mid-swing, the foot at full speed
    fastest[:3] = fastest[-3:] = False  # (the clip's ends, where speed is measured one-sided)
    off = np.abs(out[fastest, toe] - rigid[fastest, toe]).max()  # the lock's fade reaches a 2 Hz swing a little
    assert off < 0.1 and np.ptp(out[:, toe, 2]) > 0.9 * np.ptp(rigid[:, toe, 2])  # the swing survives
    right = out[:, J["right_ankle"]]
    assert np.abs(right - right.mean(0)).max() < 0.01  # the standing foot is still locked


def test_settle_brings_a_drifting_body_down_but_keeps_a_short_jump():
    clip = np.broadcast_to(S.rest_pose(), (150, 22, 3)).copy()
    clip[:, :, 1] -= clip[:, :, 1].min()
    clip[40:110, :, 1] += 0.25                            # drifts up for 2.8 s: floating
    jump = 0.3 * np.sin(np.linspace(0, np.pi, 9))         # a 0.36 s hop
    clip[120:129, :, 1] += jump[:, None]
    out = P.settle(clip, 25, window=1.0)
    lowest = out[..., 1].min(axis=1)
    assert lowest.min() >= -1e-12                          # never below the ground
    assert lowest[64:86].max() < 1e-9                      # the drift is gone (eased in and out over 1 s)
    flights = runs(lowest[:115] > 0.05)
    assert len(flights) == 2 and max(end - start for start, end in flights) < 25  # two ramps under 1 s each
    np.testing.assert_allclose(lowest[120:129], jump, atol=1e-9)  # the hop keeps its flight
    np.testing.assert_allclose(out[..., [0, 2]], clip[..., [0, 2]])  # only vertical moves
    drop = clip[:, 0, 1] - out[:, 0, 1]
    assert np.abs(np.diff(drop)).max() <= 0.25 / 20 + 1e-12  # eased in over the window, never a cut
    walking = P.postprocess(clip, 25, settle_window=1.0)
    # in postprocess the feet are then planted at their lowest over each stance: within 2 cm of the ground
    assert walking[64:86, :, 1].min(axis=1).max() < 0.02 and P.postprocess(clip, 25)[70, :, 1].min() > 0.2


def test_free_fall_cuts_a_hover_to_a_hop_and_keeps_a_real_jump():
    clip = np.broadcast_to(S.rest_pose(), (150, 22, 3)).copy()
    clip[:, :, 1] -= clip[:, :, 1].min()
    clip[30:35, :, 1] += np.linspace(0.0, 0.3, 5)[:, None]  # takes off, then hovers 0.3 m up for 1.4 s
    clip[35:70, :, 1] += 0.3
    clip[70:75, :, 1] += np.linspace(0.3, 0.0, 6)[1:, None]  # and lands
    flight = np.sqrt(2 * 0.3 / P.GRAVITY)  # half the airtime of a 0.3 m jump
    t = np.arange(-12, 13) / 25
    arc = np.maximum(0.3 - 0.5 * P.GRAVITY * t ** 2, 0.0)  # a real 0.5 s jump, peaking at frame 112
    clip[100:125, :, 1] += arc[:, None]
    out = P.free_fall(clip, 25)
    lowest = out[..., 1].min(axis=1)
    assert lowest.min() >= -1e-12 and lowest.max() == pytest.approx(0.3)  # the peak stays, nothing sinks
    airborne = [end - start for start, end in runs(lowest[:90] > 0.05)]
    assert len(airborne) == 1 and airborne[0] / 25 < 2 * flight + 0.3  # under 0.8 s in the air, not 1.6
    np.testing.assert_allclose(lowest[100:125], arc, atol=0.03)  # a jump that obeys gravity flies on
    np.testing.assert_allclose(out[..., [0, 2]], clip[..., [0, 2]])  # only vertical moves
    assert np.abs(np.diff(out[:, 0, 1])).max() <= np.abs(np.diff(clip[:, 0, 1])).max() + 1e-9  # eased, no cut
    held = P.postprocess(clip, 25)  # without a settle window (flying, swimming, climbing) it stays up
    assert held[50, :, 1].min() > 0.25 and P.postprocess(clip, 25, settle_window=1.0)[50, :, 1].min() < 0.05
    hop = np.broadcast_to(S.rest_pose(), (60, 22, 3)).copy()
    hop[:, :, 1] -= hop[:, :, 1].min()
    hop[20:45, :, 1] += arc[:, None]
    hop[20:45, J["left_ankle"], 1] += 0.1 * np.sin(np.linspace(0, np.pi, 25))  # a foot tucks off the arc's time
    cut = P.postprocess(hop, 25, settle_window=1.0)[:, 0, 1].max() - hop[0, 0, 1]
    kept = P.postprocess(hop, 25, settle_window=1.0, fall=False)[:, 0, 1].max() - hop[0, 0, 1]
    assert kept == pytest.approx(0.3, abs=0.05) and cut <= kept  # a steered arc is not re-derived from the feet


def test_planted_feet_never_lift_the_body():
    """A plant holds the foot where its stance was lowest, so a model's contact run whose ankle bobs 8 cm
    up for 1.6 s neither lifts the body off the ground nor leaves the foot hanging."""
    clip = crouched_clip()
    clip[40:80, [J["left_ankle"], J["left_foot"]], 1] += 0.08
    out = P.postprocess(clip, 25, np.ones((100, 4), bool), settle_window=1.0)
    assert out[..., 1].min(axis=1).max() < 0.01  # something touches the ground on every frame
    assert out[40:80, J["left_foot"], 1].max() < 0.03


def test_postprocess_makes_a_loose_skeleton_exactly_exportable(tmp_path, caplog):
    clip = crouched_clip()
    wobble = np.sin(np.linspace(0, 8, 100))
    clip[:, J["left_hip"], 0] += 0.03 * wobble                  # the hip triangle widens and narrows
    clip[:, J["right_collar"], 1] += 0.02 * wobble              # the collar triangle tilts
    clip[40:50, :, 1] -= 0.1
    contacts = np.zeros((100, 4), bool)
    contacts[10:80] = True
    lengths = S.bone_lengths(S.rest_pose(1.6))
    out = P.postprocess(clip, 25, contacts, lengths)
    loose = S.put_on_ground(S.make_rigid(clip, lengths))        # rigid bones alone are not enough
    assert np.abs(fit_to_skeleton(loose) - loose).max() > 5e-3
    np.testing.assert_allclose(S.bone_lengths(out), np.broadcast_to(lengths, (100, 21)), atol=1e-9)
    with caplog.at_level("WARNING", logger="stickgen.export"):
        (path,) = export(Scene([Motion(out, id="a0")], fps=25), tmp_path / "clip.bvh")
    assert caplog.text == ""
    assert np.abs(read_bvh(path).smpl22() - out).max() < 1e-3
    assert out[..., 1].min() >= 0.0
    for ankle in (J["left_ankle"], J["right_ankle"]):
        planted = out[10:80, ankle][:, [0, 2]]  # the lift moves y only; a hip that sank cannot quite
        assert np.abs(planted - planted.mean(0)).max() < 0.005  # reach the stance's lowest point after


def test_penetration_lift_is_smooth_and_sufficient():
    clip = np.broadcast_to(S.rest_pose(), (50, 22, 3)).copy()
    clip[20, :, 1] -= 0.05
    out = P.remove_penetration(clip)
    assert out[..., 1].min() >= 0.0
    lift = out[:, 0, 1] - clip[:, 0, 1]
    assert lift[20] == pytest.approx(0.05, abs=1e-9) and lift[0] == 0.0
    assert np.count_nonzero(lift) > 1  # neighbours are eased, not only the bad frame


def walking_forward(frames=100, distance=4.0):
    clip = np.broadcast_to(S.rest_pose(), (frames, 22, 3)).copy()
    clip[..., 2] += np.linspace(0, distance, frames)[:, None]
    return clip


def test_place_without_path_turns_and_moves():
    world = L.place_actor(walking_forward(), ActorPlan("a", "walk", np.ones(100), start_position=(1.0, 2.0),
                                                       facing=np.pi / 2))
    np.testing.assert_allclose(world[0, 0], [1.0, 0.95, 2.0], atol=1e-9)
    np.testing.assert_allclose(world[-1, 0], [5.0, 0.95, 2.0], atol=1e-9)  # walked 4 m toward +x
    np.testing.assert_allclose(S.heading_angles(world), np.pi / 2, atol=1e-9)


def test_path_is_followed_by_arc_length_facing_the_tangent():
    clip = walking_forward()
    path = np.array([[2.0, 0.0], [2.0, 2.0]])
    world = L.place(clip, (0.0, 0.0), np.pi / 2, path)  # the plan faces along its first leg
    pelvis = world[:, 0, [0, 2]]
    on_first = np.abs(pelvis[:, 1]) < 1e-9
    on_second = np.abs(pelvis[:, 0] - 2.0) < 1e-9
    assert np.all(on_first | on_second)
    np.testing.assert_allclose(pelvis[-1], [2.0, 2.0], atol=1e-9)
    heading = S.heading_angles(world)
    np.testing.assert_allclose(heading[pelvis[:, 0] < 1.5], np.pi / 2, atol=1e-6)
    np.testing.assert_allclose(heading[pelvis[:, 1] > 0.5], 0.0, atol=1e-6)
    np.testing.assert_allclose(S.bone_lengths(world), S.bone_lengths(clip), atol=1e-9)
    with pytest.raises(ValueError, match="waypoint"):
        L.place(clip, (0.0, 0.0), 0.0, np.array([[0.0, 0.0]]))


def test_align_to_keyframes_meets_the_reference_and_bends_between():
    reference = walking_forward(50, 2.0)
    drifted = S.rotate_y(reference, 0.3) + np.array([0.5, 0.0, -0.2])  # same motion, turned and shifted
    keys = np.zeros(50, bool)
    keys[[0, 49]] = True
    out = L.align_to_keyframes(drifted, reference, keys)
    np.testing.assert_allclose(out[keys], reference[keys], atol=1e-9)
    np.testing.assert_allclose(S.bone_lengths(out), S.bone_lengths(reference), atol=1e-9)
    np.testing.assert_array_equal(L.align_to_keyframes(drifted, reference, np.zeros(50, bool)), drifted)
