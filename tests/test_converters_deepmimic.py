"""DeepMimic converter on a fixture URDF and hand-made frames, and the committed real clips."""
import json
import math
from pathlib import Path

import numpy as np
import pytest

from datasets_scripts.converters import deepmimic
from stickgen import skeleton
from stickgen.motion import Scene

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
J = skeleton.JOINT_INDEX

# the humanoid URDF's joint origins (4x metre units), as pybullet_data ships them
ORIGINS = {
    "chest": "0 0.944604 0", "neck": "0 0.895576 0", "right_hip": "0 0 0.339548", "right_knee": "0 -1.686184 0",
    "right_ankle": "0 -1.63948 0", "right_shoulder": "-0.0962 0.974 0.73244", "right_elbow": "0 -1.099152 0",
    "right_wrist": "0 -1.035788 0", "left_hip": "0 0 -0.339548", "left_knee": "0 -1.686184 0",
    "left_ankle": "0 -1.63948 0", "left_shoulder": "-0.0962 0.974 -0.73244", "left_elbow": "0 -1.099152 0",
    "left_wrist": "0 -1.035788 0",
}


def urdf(skip: str | None = None) -> str:
    joints = "".join(f'<joint name="{n}" type="spherical"><child link="{n}"/><origin rpy="0 0 0" xyz="{xyz}"/></joint>'
                     for n, xyz in ORIGINS.items() if n != skip)
    return f'<robot name="humanoid">{joints}</robot>'


def rest_frame(duration=1 / 30, root=(0.0, 0.9, 0.0)) -> list[float]:
    frame = [duration, *root, 1.0, 0.0, 0.0, 0.0]
    for _, _, kind, _ in deepmimic.JOINTS[1:]:
        frame += [1.0, 0.0, 0.0, 0.0] if kind == "ball" else [0.0]
    return frame


@pytest.fixture(scope="module")
def offsets():
    return deepmimic.parse_urdf_offsets(urdf())


def test_urdf_offsets_are_scaled_and_missing_joint_is_named(offsets):
    assert np.allclose(offsets["right_knee"], [0, -1.686184 * 0.25, 0])
    with pytest.raises(ValueError, match="left_elbow"):
        deepmimic.parse_urdf_offsets(urdf(skip="left_elbow"))


def test_rest_pose_faces_plus_z_with_left_side_plus_x(offsets):
    doc = {"Loop": "none", "Frames": [rest_frame(), rest_frame(0)]}
    joints = deepmimic.convert(doc, offsets)
    assert joints.shape[1:] == (22, 3)
    first = joints[0]
    assert first[J["left_hip"], 0] > 0.05 and first[J["right_hip"], 0] < -0.05  # left toward +x
    assert first[J["left_foot"], 2] > first[J["left_ankle"], 2] + 0.05  # toes point +z
    assert abs(math.degrees(skeleton.heading_angles(first))) < 1
    leg = first[J["left_hip"], 1] - first[J["left_ankle"], 1]
    assert leg == pytest.approx(0.25 * (1.686184 + 1.63948), abs=1e-3)  # straight leg, exact URDF lengths
    assert joints[..., 1].min() == pytest.approx(0.0, abs=1e-6)


def test_knee_hinge_and_non_unit_quaternions(offsets):
    bent = rest_frame()
    bent[34] = -math.pi / 2  # left knee, about local z
    bent[4:8] = [2.0, 0.0, 0.0, 0.0]  # non-unit root quaternion must be normalised
    joints = deepmimic.convert({"Frames": [bent, bent[:1] + bent[1:]]}, offsets)[0]
    shin = joints[J["left_ankle"]] - joints[J["left_knee"]]
    thigh = joints[J["left_knee"]] - joints[J["left_hip"]]
    assert abs(np.dot(shin, thigh)) < 1e-6  # 90 degrees
    assert np.linalg.norm(shin) == pytest.approx(0.25 * 1.63948, abs=1e-4)
    assert abs(shin[1]) < 1e-6 and abs(shin[2]) > 0.4  # shin horizontal, along the forward axis


def test_resampled_to_25_fps_and_wrapping_cycles_continue(offsets):
    frames = []
    for i in range(31):  # one second at 30 fps, walking 1 m along DeepMimic's +x (forward)
        frames.append(rest_frame(root=(i / 30, 0.9, 0.0)))
    doc = {"Loop": "wrap", "Frames": frames}
    once = deepmimic.convert(doc, offsets)
    assert len(once) == 26
    looped = deepmimic.convert(doc, offsets, min_seconds=3.0)
    assert len(looped) == 76
    pelvis = looped[:, 0]
    assert np.allclose(np.diff(pelvis[:, 2]), 0.04, atol=1e-6)  # steady 1 m/s forward (+z), no seam jumps
    assert pelvis[-1, 2] == pytest.approx(3.0, abs=1e-6)


def test_bad_frames_raise(offsets):
    with pytest.raises(ValueError, match="Frames"):
        deepmimic.convert({"Frames": [[0.1] * 40, [0.1] * 40]}, offsets)
    with pytest.raises(ValueError, match="duration"):
        deepmimic.convert({"Frames": [rest_frame(0.0), rest_frame()]}, offsets)


# ----------------------------------------------------------------------------- committed clips


def test_committed_real_clips_are_valid_canonical_motion():
    index = json.loads((REAL / "index.json").read_text())["clips"]
    assert len(index) == 21 and (REAL / "NOTICE.md").exists()
    holdout = {c["id"] for c in index if c["holdout"]}
    assert holdout == {"cmu_01_01", "deepmimic_walker_turn_left0", "deepmimic_walker_turn_left1",
                       "deepmimic_walker_turn_right0", "deepmimic_walker_turn_right1"}
    for clip in index:
        assert len(set(clip["texts"])) >= 3
        scene = Scene.load(REAL / clip["file"])
        joints = scene.actors[0].joints
        assert scene.fps == 25 and len(joints) == clip["num_frames"] >= 25
        lengths = skeleton.bone_lengths(joints)
        assert np.abs(lengths - lengths[0]).max() < 1e-3, clip["id"]  # rigid to the 0.1 mm rounding
        assert joints[..., 1].min() > -1e-3, clip["id"]
        assert abs(skeleton.heading_angles(joints[0])) < 1e-2


def test_real_walk_has_a_human_gait():
    joints = Scene.load(REAL / "deepmimic_walk.motion").actors[0].joints
    pelvis = joints[:, 0]
    speed = np.linalg.norm(pelvis[-1, [0, 2]] - pelvis[0, [0, 2]]) / ((len(joints) - 1) / 25)
    assert 0.8 < speed < 1.6 and 0.75 < pelvis[:, 1].mean() < 0.95
    assert pelvis[-1, 2] > 3.0  # forward is +z


def test_fetch_table_labels_and_segments():
    from datasets_scripts import fetch_real
    from stickgen import vocab

    for clip in fetch_real.CLIPS:
        starts = [start for start, _ in clip.labels]
        assert starts[0] == 0 and starts == sorted(starts) and all(a in vocab.ACTION_NAMES for _, a in clip.labels)
        assert len(set(clip.texts)) >= 3
    segments = fetch_real._segments(((0, "idle"), (0.5, "jump")), 101)
    assert [(s.start, s.end, s.label) for s in segments] == [(0, 50, "idle"), (50, 101, "jump")]
