"""AMASS and HumanML3D converters on fixture files written by the tests."""
import math

import numpy as np
import pytest

from datasets_scripts.converters import amass, humanml3d
from stickgen import skeleton

J = skeleton.JOINT_INDEX


def amass_file(frames=121, framerate=120.0, poses=None, trans=None):
    return {"poses": np.zeros((frames, 156)) if poses is None else poses,
            "trans": np.zeros((frames, 3)) if trans is None else trans,
            "mocap_framerate": np.array(framerate), "betas": np.zeros(16)}


def test_t_pose_has_the_rest_bone_lengths_and_horizontal_arms():
    pose = amass.t_pose()
    assert np.allclose(skeleton.bone_lengths(pose), skeleton.bone_lengths(skeleton.rest_pose()))
    assert pose[J["left_wrist"], 0] > pose[J["left_elbow"], 0] > pose[J["left_shoulder"], 0] > 0
    assert pose[J["left_wrist"], 1] == pytest.approx(pose[J["left_shoulder"], 1])


def test_axis_angle_matches_a_known_rotation():
    matrix = amass.axis_angle_to_matrix(np.array([0.0, 0.0, math.pi / 2]))
    assert matrix @ np.array([1.0, 0.0, 0.0]) == pytest.approx([0.0, 1.0, 0.0])
    assert amass.axis_angle_to_matrix(np.zeros(3)) == pytest.approx(np.eye(3))


def test_amass_z_up_walk_becomes_y_up_facing_plus_z():
    frames = 121
    poses = np.zeros((frames, 156))
    poses[:, :3] = [math.pi / 2, 0.0, 0.0]  # AMASS's usual root: SMPL's y-up body stood up in a z-up world
    trans = np.zeros((frames, 3))
    trans[:, 1] = np.linspace(0.0, -1.0, frames)  # one metre toward the body's front (-y in that world)
    joints = amass.convert(amass_file(frames, 120.0, poses, trans))
    assert joints.shape == (26, 22, 3)
    assert joints[0, J["head"], 1] > joints[0, J["pelvis"], 1] > joints[0, J["left_ankle"], 1]  # upright
    assert joints[-1, 0, 2] - joints[0, 0, 2] == pytest.approx(1.0, abs=1e-6)  # moved forward, +z
    assert joints[0, J["left_hip"], 0] > 0 and joints[..., 1].min() > -1e-9


def test_amass_knee_rotation_bends_the_leg():
    poses = np.zeros((2, 66))
    poses[:, 3 * J["left_knee"]] = math.pi / 2  # +90 degrees about x: the shin swings backward
    joints = amass.forward_kinematics(poses, np.zeros((2, 3)), amass.t_pose())[0]
    shin = joints[J["left_ankle"]] - joints[J["left_knee"]]
    assert abs(shin[1]) < 0.05 and shin[2] < -0.35  # rest shins lean 3.5 cm, hence not exactly level


def test_amass_errors_name_the_problem():
    with pytest.raises(ValueError, match="mocap_framerate"):
        amass.convert({"poses": np.zeros((3, 66)), "trans": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="poses"):
        amass.convert(amass_file(poses=np.zeros((121, 30))))


def test_humanml3d_folder(tmp_path):
    (tmp_path / "new_joints").mkdir()
    (tmp_path / "texts").mkdir()
    frames = 41  # 2 s at 20 fps, walking 1 m toward +z
    joints = (np.repeat(skeleton.rest_pose()[None], frames, axis=0)
              + np.linspace(0, 1, frames)[:, None, None] * [0, 0, 1.0])
    np.save(tmp_path / "new_joints" / "000001.npy", joints.astype(np.float32))
    (tmp_path / "texts" / "000001.txt").write_text(
        "a person walks forward.#a/DET person/NOUN walk/VERB forward/ADV#0.0#0.0\n"
        "someone strolls ahead#someone/PRON stroll/VERB ahead/ADV#0.0#0.0\n"
        "then stops#then/ADV stop/VERB#1.5#2.0\n")
    clip, texts = humanml3d.load_clip(tmp_path, "000001")
    assert clip.shape == (51, 22, 3) and texts == ["a person walks forward.", "someone strolls ahead"]
    assert clip[-1, 0, 2] == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(ValueError, match="line 1"):
        humanml3d.parse_texts("no hashes here\n")
    with pytest.raises(ValueError, match=r"\[T >= 2, 22, 3\]"):
        humanml3d.convert_joints(np.zeros((10, 21, 3)))
