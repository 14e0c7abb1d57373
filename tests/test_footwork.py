"""Foot planting: standing feet stay put, feet the body leaves behind step, swinging feet clear the ground."""
import numpy as np

from stickgen import footwork as F
from stickgen import skeleton as S
from stickgen.eval.physics_metrics import foot_skating

J = S.JOINT_INDEX
FPS = 25
LEG_JOINTS = [J[n] for n in ("left_knee", "left_ankle", "left_foot", "right_knee", "right_ankle", "right_foot")]


def crouched(frames: int) -> np.ndarray:
    """A standing pose with bent knees (so the legs have slack), on the ground: ``[frames, 22, 3]``."""
    pose = S.rest_pose().copy()
    pose[[J["left_knee"], J["right_knee"]], 2] += 0.12
    pose[:, 1] -= pose[:, 1].min()
    return np.broadcast_to(pose, (frames, 22, 3)).copy()


def plants_of(clip: np.ndarray, leg: int, contacts: np.ndarray | None = None) -> list[tuple[int, int, np.ndarray]]:
    joints, _ = F.LEGS[leg]
    given = np.zeros(len(clip), bool) if contacts is None else contacts
    return F.plants(clip, FPS, joints, F.standing(clip, FPS, joints, given))


def test_two_bone_ik_reaches_and_keeps_lengths():
    hip, knee, ankle = np.array([[0, 0.9, 0.0]]), np.array([[0, 0.5, 0.1]]), np.array([[0, 0.1, 0.0]])
    target = np.array([[0.1, 0.15, 0.15]])
    new_knee, new_ankle = F.two_bone_ik(hip, knee, ankle, target)
    np.testing.assert_allclose(new_ankle, target, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(new_knee - hip), np.linalg.norm(knee - hip), atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(new_ankle - new_knee), np.linalg.norm(ankle - knee), atol=1e-9)
    assert new_knee[0, 2] > 0.05  # bends the same way as before
    far = np.array([[0.0, -2.0, 0.0]])
    _, reached = F.two_bone_ik(hip, knee, ankle, far)
    assert reached[0, 1] > -1.0 and abs(reached[0, 0]) < 1e-9


def test_a_body_that_glides_forward_steps_instead_of_sliding():
    """Legs frozen while the body moves at 0.8 m/s: every foot slides. Planted, each foot makes steps
    that the hip can reach, stays put during each, and clears the ground between them."""
    clip = crouched(100)
    clip[..., 2] += 0.8 * np.arange(100)[:, None] / FPS
    assert foot_skating(clip, FPS)["ratio"] > 0.9
    out = F.plant_feet(clip, FPS, np.zeros((100, 4), bool))
    assert foot_skating(out, FPS)["ratio"] == 0.0
    np.testing.assert_allclose(S.bone_lengths(out), S.bone_lengths(clip), atol=1e-9)
    untouched = [j for j in range(22) if j not in LEG_JOINTS]
    np.testing.assert_array_equal(out[:, untouched], clip[:, untouched])
    for leg, ((hip, _, ankle, toe), _) in enumerate(F.LEGS):
        steps = plants_of(clip, leg)
        assert len(steps) >= 3 and steps[-1][1] - steps[0][0] > 80  # steps all the way, not one long drag
        for start, end, spot in steps:  # a leg that cannot quite reach leaves its ankle short of the spot
            slide = np.linalg.norm(out[start:end, ankle, ::2] - spot[::2], axis=-1)
            assert slide.max() <= F.REACH_SLACK + 1e-9
        gaps = [(end, start) for (_, end, _), (start, _, _) in zip(steps, steps[1:])]
        assert all(out[a:b, toe, 1].min() >= F.SWING_CLEARANCE - 1e-6 for a, b in gaps)
        assert all(b - a == round(F.STEP_SECONDS * FPS) for a, b in gaps)


def test_a_standing_body_whose_pelvis_bobs_keeps_its_feet_still():
    """Idle sway: the pelvis bobs 2 cm with straight-ish legs. One plant per foot for the whole clip."""
    clip = crouched(150)
    bob = 0.02 * np.sin(np.linspace(0, 6 * np.pi, 150))
    upper = [j for j in range(22) if j not in LEG_JOINTS]
    clip[:, upper, 1] += bob[:, None]
    for leg in (0, 1):
        assert [(start, end) for start, end, _ in plants_of(clip, leg)] == [(0, 150)]
    out = F.plant_feet(clip, FPS, np.zeros((150, 4), bool))
    feet = out[:, [J["left_ankle"], J["left_foot"], J["right_ankle"], J["right_foot"]]][..., [0, 2]]
    assert np.abs(feet - feet[0]).max() < 1e-6  # not a millimetre of horizontal drift


def test_turning_on_the_spot_steps_the_feet_round():
    """The body turns half round in 3 s with its feet glued to it: a planted foot may not twist more
    than PLANT_TWIST_DEG, so each foot steps round with the body."""
    clip = crouched(75)
    angle = np.linspace(0.0, np.pi, 75)
    clip = S.rotate_y(clip, angle[:, None])
    for leg, ((_, _, ankle, toe), _) in enumerate(F.LEGS):
        steps = plants_of(clip, leg)
        assert len(steps) >= 3
        out = F.plant_feet(clip, FPS, np.zeros((75, 4), bool))
        for start, end, _ in steps:
            foot = out[start:end, toe, ::2] - out[start:end, ankle, ::2]
            turned = np.degrees(np.abs(np.arctan2(foot[:, 0], foot[:, 1]) - np.arctan2(foot[0, 0], foot[0, 1])))
            assert turned.max() < 1e-6  # a planted foot does not turn at all
        last = out[-1, toe, ::2] - out[-1, ankle, ::2]
        assert last[1] < 0  # and it ends facing back, as the body does


def test_a_fast_body_plants_only_as_long_as_the_leg_reaches():
    """A sprint whose legs do not cover the ground: each plant lasts only while the hip can reach it."""
    clip = crouched(50)
    clip[..., 2] += 5.0 * np.arange(50)[:, None] / FPS
    out = F.plant_feet(clip, FPS, np.zeros((50, 4), bool))
    for leg, ((hip, knee, ankle, _), _) in enumerate(F.LEGS):
        steps = plants_of(clip, leg)
        assert steps and max(end - start for start, end, _ in steps) <= 5
        reach = (np.linalg.norm(out[:, hip] - out[:, knee], axis=-1)
                 + np.linalg.norm(out[:, knee] - out[:, ankle], axis=-1))
        for start, end, spot in steps:
            assert (F.reach_shortfall(clip[start:end, hip], spot, reach[start:end]) <= F.REACH_SLACK).all()
    assert foot_skating(out, FPS)["ratio"] == 0.0


def test_given_contacts_plant_a_foot_the_rule_would_not():
    """The model's contact marks plant a foot held just above the plant height (a heel-down stance)."""
    clip = crouched(40)
    clip[:, [J["left_ankle"], J["left_foot"]], 1] += 0.05  # toe 5 cm up: above PLANT_TOE_HEIGHT once lifted
    clip[:, J["left_foot"], 1] += 0.02
    assert plants_of(clip, 0) == []
    given = np.ones(40, bool)
    assert [(start, end) for start, end, _ in plants_of(clip, 0, given)] == [(0, 40)]
