"""Kinematic checks of generated clips, per action family: planted feet, gait numbers, ballistic flight,
posture heights, hand targets, two-actor contact, rigid bones, the ground, no idle stand-ins."""
import numpy as np
import pytest

from datasets_scripts.synthetic import ActionStep, ClipSpec, generate
from datasets_scripts.synthetic.arms import pointing_direction
from datasets_scripts.synthetic.body import Body
from stickgen import skeleton, vocab

J = skeleton.JOINT_INDEX
G = 9.81


def make(*steps, seed=0, height=1.75):
    return generate(ClipSpec([ActionStep(*s) for s in steps], height=height, seed=seed))


def stance_speed(clip):
    """World speed (m/s, central differences) of every foot joint at the frames it is in contact."""
    feet = clip.joints[:, list(skeleton.FOOT_JOINTS)]
    speed = np.linalg.norm(np.gradient(feet, axis=0), axis=-1) * clip.fps
    return speed[clip.contacts]


def landings(clip, foot):
    """Frames where a foot's toe comes into contact (its ankle or toe was out of contact just before)."""
    down = clip.contacts[:, foot] | clip.contacts[:, foot + 2]
    return np.nonzero(down[1:] & ~down[:-1])[0] + 1


# ----------------------------------------------------------------------------- every action


@pytest.mark.parametrize("action", vocab.ACTION_NAMES)
def test_every_action_is_rigid_grounded_planted_and_not_idle(action):
    for seed in (0, 1):
        clip = make((action, 4.0), seed=seed, height=1.45 + 0.4 * seed)
        body = Body(clip.spec.height)
        for joints in [clip.joints] + ([clip.partner_joints] if clip.partner_joints is not None else []):
            assert np.isfinite(joints).all()
            lengths = skeleton.bone_lengths(joints)
            assert np.ptp(lengths, axis=0).max() < 1e-9, "bones must keep their length"
            assert joints[..., 1].min() > -0.02, "no joint more than 2 cm under the ground"
        np.testing.assert_allclose(skeleton.bone_lengths(clip.joints[0]), skeleton.bone_lengths(body.rest), atol=1e-9)
        if clip.contacts.any():
            assert stance_speed(clip).max() < 0.1, "a foot in contact does not slide"
        assert (clip.action_ids == vocab.action_id(action)).mean() > 0.6
        if vocab.action_info(action).actors == 2:
            assert clip.partner_joints is not None and clip.partner_joints.shape == clip.joints.shape
        if action != "idle":  # every action moves clearly more than breathing does
            local = clip.joints - clip.joints[:, :1]
            moved = max(np.abs(local - local[0]).max(),
                        np.linalg.norm(clip.joints[:, 0] - clip.joints[0, 0], axis=-1).max())
            shoulders = clip.joints[:, J["left_shoulder"]] - clip.joints[:, J["right_shoulder"]]
            turned = np.ptp(np.unwrap(np.arctan2(shoulders[:, 2], shoulders[:, 0])))
            assert moved > 0.2 or turned > 0.6, f"{action} barely moves ({moved:.2f} m, {turned:.2f} rad)"


def test_idle_only_breathes():
    clip = make(("idle", 5.0, {"turn": 0.0}))
    local = clip.joints - clip.joints[:, :1]
    assert np.abs(local - local[0]).max() < 0.12
    assert clip.contacts.all()


# ----------------------------------------------------------------------------- locomotion


@pytest.mark.parametrize("speed, cadence", [(0.9, 98.0), (1.4, 112.0), (1.75, 124.0)])
def test_walk_speed_cadence_and_alternating_planted_steps(speed, cadence):
    clip = make(("walk", 8.0, {"speed": speed, "cadence": cadence, "path": "straight", "start": False, "stop": False}))
    pelvis = clip.joints[:, 0, [0, 2]]
    measured = np.linalg.norm(pelvis[-1] - pelvis[0]) / ((clip.num_frames - 1) / clip.fps)
    assert measured == pytest.approx(speed, rel=0.05)
    steps = sorted([(f, 0) for f in landings(clip, 0)] + [(f, 1) for f in landings(clip, 1)])
    feet = [foot for _, foot in steps]
    assert all(a != b for a, b in zip(feet, feet[1:])), "steps alternate left and right"
    per_minute = (len(steps) - 1) / ((steps[-1][0] - steps[0][0]) / clip.fps) * 60
    assert per_minute == pytest.approx(cadence, rel=0.08)
    assert 95 <= per_minute <= 126
    assert (clip.contacts[:, [0, 2]].any(1) | clip.contacts[:, [1, 3]].any(1)).all(), "walking never leaves the ground"
    assert stance_speed(clip).max() < 0.1


def test_arm_swing_is_opposite_the_legs():
    clip = make(("walk", 6.0, {"speed": 1.5, "path": "straight", "start": False, "stop": False}))
    forward = np.array([0.0, 0.0, 1.0])
    legs = (clip.joints[:, J["right_ankle"]] - clip.joints[:, J["left_ankle"]]) @ forward
    arms = (clip.joints[:, J["left_wrist"]] - clip.joints[:, J["right_wrist"]]) @ forward
    assert np.corrcoef(legs, arms)[0, 1] > 0.6


@pytest.mark.parametrize("action, low, high", [("run", 2.5, 4.5), ("sprint", 5.0, 6.5)])
def test_running_has_flight_phases_with_a_ballistic_pelvis(action, low, high):
    clip = make((action, 6.0, {"path": "straight", "start": False, "stop": False}), seed=3)
    speed = clip.spec.steps[0].params["speed"]
    assert low <= speed <= high
    airborne = ~clip.contacts.any(axis=1)
    assert airborne.mean() > 0.1, "both feet leave the ground"
    pelvis_y = clip.joints[:, 0, 1]
    accel = np.diff(pelvis_y, 2) * clip.fps ** 2  # accel[i] is frame i + 1
    # take-off and touch-down fall between frames: the first and last airborne frames mix stance and flight
    flight = np.convolve(airborne, np.ones(5), "same") == 5
    assert flight.sum() > 5
    np.testing.assert_allclose(accel[flight[1:-1]], -G, atol=0.05)
    lean = skeleton.heading_angles(clip.joints)  # facing the way it runs
    assert np.abs(lean).max() < 0.25
    steps = len(landings(clip, 0)) + len(landings(clip, 1))
    assert 150 <= steps / (clip.num_frames / clip.fps) * 60 <= 205


def test_faster_gaits_lean_further_forward():
    def lean(action, speed):
        clip = make((action, 5.0, {"speed": speed, "path": "straight", "start": False, "stop": False}))
        spine = clip.joints[:, J["neck"]] - clip.joints[:, 0]
        return np.mean(np.arctan2(spine[:, 2], spine[:, 1]))
    assert lean("walk", 1.0) < lean("run", 3.5) < lean("sprint", 6.0)


@pytest.mark.parametrize("path, check", [
    ("circle", "turns"), ("curve", "turns"), ("waypoints", "turns"), ("backwards", "backwards"),
    ("sideways", "sideways"),
])
def test_paths_rotate_the_body_with_the_direction_of_travel(path, check):
    params = {"path": path, "start": False, "stop": False}
    if path == "circle":
        params.update(radius=2.0, turn=1.0, speed=1.2)
    if path == "curve":
        params.update(turn=1.5, speed=1.3)
    clip = make(("walk", 8.0, params), seed=5)
    heading = np.unwrap(skeleton.heading_angles(clip.joints))
    velocity = np.gradient(clip.joints[:, 0, [0, 2]], axis=0) * clip.fps
    travel = np.unwrap(np.arctan2(velocity[:, 0], velocity[:, 1]))
    if check == "turns":
        realised = clip.spec.steps[0].params
        expected = {"circle": 1.2 * 8 / 2.0, "curve": 1.5}.get(path, abs(sum(realised.get("turns", [0]))))
        assert abs(heading[-1] - heading[0]) > 0.6 * expected
        offset = np.angle(np.exp(1j * (heading - travel)))
        assert np.median(np.abs(offset)) < 0.35, "the body faces where it goes"
    else:
        offset = np.abs(np.angle(np.exp(1j * (heading - travel))))
        target = np.pi if check == "backwards" else np.pi / 2
        assert np.median(offset) == pytest.approx(target, abs=0.35)
    assert stance_speed(clip).max() < 0.1


def test_start_and_stop_at_rest_with_feet_together():
    clip = make(("walk", 6.0, {"speed": 1.5, "path": "straight", "start": True, "stop": True}))
    speed = np.linalg.norm(np.gradient(clip.joints[:, 0, [0, 2]], axis=0), axis=-1) * clip.fps
    assert speed[:3].max() < 0.3 and speed[-5:].max() < 0.05
    assert speed.max() > 1.3
    feet = clip.joints[-1, [J["left_ankle"], J["right_ankle"]]]
    assert np.linalg.norm(feet[0] - feet[1]) < 0.3
    assert clip.contacts[-1].all()


# ----------------------------------------------------------------------------- jumps


@pytest.mark.parametrize("height, distance", [(0.15, 0.0), (0.3, 0.6), (0.45, 1.0)])
def test_jump_airtime_matches_the_ballistic_pelvis(height, distance):
    clip = make(("jump", 3.0, {"jump_height": height, "distance": distance, "count": 1}))
    airborne = ~clip.contacts.any(axis=1)
    frames = np.nonzero(airborne)[0]
    assert len(frames) and np.all(np.diff(frames) == 1), "one flight"
    pelvis_y = clip.joints[:, 0, 1]
    inner = frames[2:-2]  # the frames either end straddle take-off and touch-down
    np.testing.assert_allclose(np.diff(pelvis_y, 2)[inner - 1] * clip.fps ** 2, -G, atol=0.05)
    # airtime from the contacts against the one a pelvis rise of `height` implies; the feet push off and
    # land fast, so each end loses about a frame of contact to the at-rest rule
    flight = 2 * np.sqrt(2 * height / G)
    assert len(frames) / clip.fps == pytest.approx(flight, abs=3 / clip.fps)
    # the pelvis spends the ballistic flight time above its take-off height, and peaks `height` over it
    apex = pelvis_y[frames].max()
    above = np.count_nonzero(pelvis_y >= apex - height) / clip.fps
    assert above == pytest.approx(flight, abs=1.5 / clip.fps)
    assert pelvis_y[frames[0] - 1] < apex - height < pelvis_y[frames[1]] + 0.01
    travelled = clip.joints[-1, 0, 2] - clip.joints[0, 0, 2]
    assert travelled == pytest.approx(distance, abs=0.08)
    crouch = pelvis_y[: frames[0]].min()
    assert crouch < pelvis_y[0] - 0.08, "crouches before take-off"
    assert pelvis_y[frames[-1]:].min() < pelvis_y[0] - 0.05, "absorbs the landing"


# ----------------------------------------------------------------------------- postures


def test_sit_on_a_chair_and_on_the_ground_reach_their_heights():
    body = Body(1.75)
    chair = make(("sit", 3.0, {"height_target": "chair", "seat_height": 0.46}))
    assert chair.joints[-1, 0, 1] == pytest.approx(0.46 + 0.09 * body.scale, abs=0.04)
    thigh = chair.joints[-1, J["left_knee"]] - chair.joints[-1, J["left_hip"]]
    assert abs(thigh[1]) < 0.15, "thighs roughly level on a chair"
    ground = make(("sit", 3.0, {"height_target": "ground"}))
    assert ground.joints[-1, 0, 1] < 0.2
    assert ground.joints[-1, J["head"], 1] > 0.6, "sitting up, not lying"


def test_kneel_puts_one_knee_on_the_ground():
    clip = make(("kneel", 3.0, {"knee": "right"}))
    knees = clip.joints[-1, [J["left_knee"], J["right_knee"]], 1]
    assert knees[1] < 0.08 and knees[0] > 0.3
    assert clip.joints[-1, 0, 1] < 0.6


def test_lie_down_and_get_up():
    clip = make(("lie_down", 4.0), ("stand", 3.5))
    lying = clip.joints[99]
    assert lying[0, 1] < 0.2 and lying[J["head"], 1] < 0.3
    assert np.ptp(lying[:, 1]) < 0.45, "the whole body is near the ground"
    standing = clip.joints[-1]
    assert standing[J["head"], 1] > 0.95 * Body(1.75).rest[J["head"], 1]
    assert stance_speed(clip).max() < 0.1


@pytest.mark.parametrize("start", ["ground", "chair", "crouch", "kneel"])
def test_stand_rises_from_its_start_posture(start):
    clip = make(("stand", 3.0, {"from": start}))
    rest = Body(1.75).rest[0, 1]
    assert clip.joints[0, 0, 1] < 0.75 * rest
    assert clip.joints[-1, 0, 1] > 0.95 * rest


# ----------------------------------------------------------------------------- arms


@pytest.mark.parametrize("hand", ["right", "left"])
def test_wave_raises_the_hand_and_swings_it(hand):
    clip = make(("wave", 3.0, {"handedness": hand}))
    wrist, shoulder = clip.joints[20:, J[f"{hand}_wrist"]], clip.joints[20:, J[f"{hand}_shoulder"]]
    assert (wrist[:, 1] > shoulder[:, 1]).mean() > 0.9
    assert np.ptp(wrist[:, 0]) > 0.1, "waves side to side"
    other = "left" if hand == "right" else "right"
    assert clip.joints[20:, J[f"{other}_wrist"], 1].max() < shoulder[:, 1].min() - 0.2


@pytest.mark.parametrize("azimuth, elevation", [(0.0, 0.0), (0.6, 0.3), (-0.5, -0.2)])
def test_point_extends_the_arm_toward_the_target(azimuth, elevation):
    clip = make(("point", 2.5, {"handedness": "right", "target": [azimuth, elevation]}))
    arm = clip.joints[-1, J["right_wrist"]] - clip.joints[-1, J["right_shoulder"]]
    heading = skeleton.heading_angles(clip.joints[-1:, :, :])[0]
    expected = skeleton.rotate_y(pointing_direction(azimuth, elevation), heading)
    angle = np.degrees(np.arccos(np.clip(arm @ expected / np.linalg.norm(arm), -1, 1)))
    assert angle < 15
    assert np.linalg.norm(arm) > 0.95 * Body(1.75).arm


def test_clap_brings_the_hands_together_repeatedly():
    clip = make(("clap", 4.0))
    gap = np.linalg.norm(clip.joints[:, J["left_wrist"]] - clip.joints[:, J["right_wrist"]], axis=-1)
    touching = gap < 0.08
    assert np.count_nonzero(touching[1:] & ~touching[:-1]) >= 4


@pytest.mark.parametrize("action, expression", [("cry", "sad"), ("laugh", None), ("celebrate", None)])
def test_emotional_actions_set_expressions(action, expression):
    clip = make((action, 3.0))
    names = {vocab.EXPRESSION_NAMES[i] for i in np.unique(clip.expression_ids)}
    allowed = {"cry": {"sad"}, "laugh": {"happy", "excited"}, "celebrate": {"happy", "excited"}}[action]
    assert names <= allowed and names


@pytest.mark.parametrize("action", vocab.SPEECH_NAMES)
def test_speech_actions_set_speech_segments_of_their_type(action):
    clip = make((action, 5.0))
    spoken = clip.speech_ids >= 0
    assert 0.5 < spoken.mean() < 1.0 or action == "sing"
    assert set(np.unique(clip.speech_ids[spoken])) == {vocab.speech_id(action)}


# ----------------------------------------------------------------------------- two actors


def test_handshake_joins_right_hands_between_the_actors():
    clip = make(("handshake", 4.0), height=1.8)
    a, b = clip.joints, clip.partner_joints
    gap = np.linalg.norm(a[:, J["right_wrist"]] - b[:, J["right_wrist"]], axis=-1)
    assert (gap < 0.1).sum() / clip.fps > 1.5
    facing = skeleton.facing_directions(a[50]) @ skeleton.facing_directions(b[50])
    assert facing < -0.9, "they face each other"


def test_high_five_hands_meet_above_the_shoulders():
    clip = make(("high_five", 3.0, {"handedness": "right"}))
    a, b = clip.joints, clip.partner_joints
    gap = np.linalg.norm(a[:, J["right_wrist"]] - b[:, J["left_wrist"]], axis=-1)
    hit = int(np.argmin(gap))
    assert gap[hit] < 0.1
    assert a[hit, J["right_wrist"], 1] > a[hit, J["right_shoulder"], 1]


def test_hug_wraps_arms_round_the_partner():
    clip = make(("hug", 4.0))
    a, b = clip.joints, clip.partner_joints
    mid = slice(35, 65)
    for me, them in ((a, b), (b, a)):
        reach = np.linalg.norm(me[mid, [J["left_wrist"], J["right_wrist"]]] - them[mid, None, J["spine3"]], axis=-1)
        assert reach.max() < 0.35
    assert np.linalg.norm(a[50, 0, [0, 2]] - b[50, 0, [0, 2]]) < 0.6


def test_fight_punches_reach_toward_the_opponent():
    clip = make(("fight", 5.0), seed=2)
    a, b = clip.joints, clip.partner_joints
    toward = b[:, J["head"]] - a[:, J["head"]]
    toward /= np.linalg.norm(toward, axis=-1, keepdims=True)
    reach = np.einsum("ti,ti->t", a[:, J["right_wrist"]] - a[:, J["right_shoulder"]], toward)
    reach_left = np.einsum("ti,ti->t", a[:, J["left_wrist"]] - a[:, J["left_shoulder"]], toward)
    assert max(reach.max(), reach_left.max()) > 0.4
    assert clip.spec.steps[0].params["exchanges"] >= 2


# ----------------------------------------------------------------------------- sequences


@pytest.mark.parametrize("steps", [
    (("walk", 3.0), ("sit", 3.0)), (("run", 3.0), ("jump", 2.0), ("walk", 3.0)),
    (("sit", 2.5), ("reading", 3.0), ("stand", 2.5)), (("wave", 2.0), ("walk", 3.0), ("hug", 3.0)),
    (("kneel", 2.0), ("crawling", 4.0)), (("dance", 3.0), ("lie_down", 3.5)),
])
def test_sequences_blend_without_popping_or_sliding(steps):
    clip = make(*steps, seed=1)
    assert stance_speed(clip).max() < 0.1
    assert clip.joints[..., 1].min() > -0.02
    step = np.linalg.norm(np.diff(clip.joints, axis=0), axis=-1) * clip.fps
    seams = np.nonzero(np.diff(clip.action_ids))[0]
    for seam in seams:
        window = slice(max(seam - 3, 0), seam + 4)
        assert step[window, :16].max() < 5.0, "no body joint jumps at a seam"
    labels = [vocab.ACTION_NAMES[i] for i in clip.action_ids[np.r_[0, seams + 1]]]
    assert [s for s in labels if s != "stand" or steps[-1][0] == "stand"][-1] == steps[-1][0]


@pytest.mark.parametrize("action", ["batting", "fielding", "dodge", "catching", "punch", "dance"])
def test_repeated_actions_stay_in_place(action):
    clip = make((action, 9.0, {"tempo": 1.25}), seed=4)
    feet = clip.joints[:, [J["left_ankle"], J["right_ankle"]]]
    assert np.linalg.norm(feet[:, 0] - feet[:, 1], axis=-1).max() < 0.7, "the stance does not spread"
    assert np.linalg.norm(clip.joints[:, 0, [0, 2]] - clip.joints[0, 0, [0, 2]], axis=-1).max() < 0.8
    if action in ("batting", "fielding", "catching", "dodge"):
        assert clip.spec.steps[0].params["count"] >= 3
