"""KIT-ML, NTU RGB+D and InterHuman converters on fixture files written in each dataset's own layout."""
import math

import numpy as np
import pytest

from datasets_scripts.converters import interhuman, kitml, ntu
from stickgen import skeleton, vocab

J = skeleton.JOINT_INDEX
REST = skeleton.rest_pose()  # 1.75 m, pelvis at y 0.95, head at 1.57, toes on the ground, facing +z
FEET = list(skeleton.FOOT_JOINTS)


def walking(frames: int, heading: float, distance: float, start=(0.0, 0.0, 0.0)) -> np.ndarray:
    """The rest pose turned to ``heading`` (radians, 0 = +z) at ``start``, walking ``distance`` m along
    its facing over the clip: ``[frames, 22, 3]``, y up, metres."""
    body = skeleton.rotate_y(REST, heading) + np.array(start)
    forward = np.array([math.sin(heading), 0.0, math.cos(heading)])
    return body[None] + np.linspace(0.0, distance, frames)[:, None, None] * forward


def assert_rigid(joints: np.ndarray) -> None:
    lengths = skeleton.bone_lengths(joints)
    assert np.abs(lengths - lengths[0]).max() < 1e-9


# ----------------------------------------------------------------------------- KIT-ML


def smpl_to_kit(joints: np.ndarray) -> np.ndarray:
    """``[..., 22, 3]`` -> KIT-21 ``[..., 21, 3]``: TEMOS's pairs, LMrot midway along the foot."""
    names = {"root": "pelvis", "BP": "spine1", "BT": "spine3", "BLN": "neck", "BUN": "head"}
    for side, s in (("left", "L"), ("right", "R")):
        names.update({f"{s}S": f"{side}_shoulder", f"{s}E": f"{side}_elbow", f"{s}W": f"{side}_wrist",
                      f"{s}H": f"{side}_hip", f"{s}K": f"{side}_knee", f"{s}A": f"{side}_ankle",
                      f"{s}F": f"{side}_foot"})
    out = np.empty(joints.shape[:-2] + (21, 3))
    for i, name in enumerate(kitml.KIT_JOINTS):
        if name.endswith("Mrot"):
            side = "left" if name[0] == "L" else "right"
            out[..., i, :] = (joints[..., J[f"{side}_ankle"], :] + joints[..., J[f"{side}_foot"], :]) / 2
        else:
            out[..., i, :] = joints[..., J[names[name]], :]
    return out


def kit_folder(root, joints_kit, clip_id="00001"):
    (root / "new_joints").mkdir(exist_ok=True)
    (root / "texts").mkdir(exist_ok=True)
    np.save(root / "new_joints" / f"{clip_id}.npy", joints_kit.astype(np.float32))
    (root / "texts" / f"{clip_id}.txt").write_text(
        "a person walks to the right.#a/DET person/NOUN walk/VERB to/ADP the/DET right/NOUN#0.0#0.0\n"
        "someone strolls forward#someone/PRON stroll/VERB forward/ADV#0.0#0.0\n"
        "and stops#and/CCONJ stop/VERB#3.0#4.0\n")
    (root / "train.txt").write_text(f"{clip_id}\n00002\n\n")


def test_kit_map_keeps_named_joints_and_derives_the_rest():
    out = kitml.kit_to_smpl22(smpl_to_kit(REST))
    for name in ("pelvis", "head", "neck", "left_foot", "right_foot", "left_ankle", "left_hip", "right_wrist",
                 "spine1", "spine3"):
        assert out[J[name]] == pytest.approx(REST[J[name]])
    assert out[J["spine2"]] == pytest.approx((REST[J["spine1"]] + REST[J["spine3"]]) / 2)
    assert out[J["left_collar"]] == pytest.approx([0.09, 1.435, -0.01])  # (neck + left shoulder) / 2
    assert out[J["right_collar"]][0] == pytest.approx(-0.09)


def test_kit_millimetre_clip_at_12_5_fps_becomes_a_canonical_metre_clip(tmp_path):
    # 4 s at 12.5 fps (51 frames), facing +x and walking 2 m that way, in millimetres
    world = walking(51, math.pi / 2, 2.0, start=(3.0, 0.0, -1.0))
    kit_folder(tmp_path, smpl_to_kit(world) * 1000.0)
    clip, texts = kitml.load_clip(tmp_path, "00001")
    assert clip.shape == (101, 22, 3)  # (51 - 1) * 25 / 12.5 + 1
    assert texts == ["a person walks to the right.", "someone strolls forward"]
    assert clip[0, J["pelvis"]] == pytest.approx([0.0, 0.95, 0.0], abs=1e-6)
    assert clip[0, J["head"], 1] == pytest.approx(1.57, abs=1e-6)  # a 1.75 m body, not 1750 m
    assert clip[0, J["left_foot"]] == pytest.approx([0.11, 0.0, 0.10], abs=1e-6)
    assert clip[0, J["right_foot"]] == pytest.approx([-0.11, 0.0, 0.10], abs=1e-6)
    assert abs(skeleton.heading_angles(clip[0])) < 1e-9
    assert clip[-1, J["pelvis"], 2] == pytest.approx(2.0, abs=1e-6)  # walked forward, now +z
    assert clip[:, FEET, 1].min() == pytest.approx(0.0, abs=1e-9)
    assert_rigid(clip)
    assert kitml.clip_ids(tmp_path, "train") == ["00001", "00002"]


def test_kit_unit_detection():
    world = smpl_to_kit(walking(5, 0.0, 0.1))
    assert kitml.metres_per_unit(world) == 1.0
    assert kitml.metres_per_unit(world * 1000.0) == 0.001
    spine = 0.1105 + 0.1910 + 0.2209 + 0.1077  # pelvis-spine1-spine3-neck-head of the rest pose
    leg = 0.1204 + 0.3901 + 0.4016  # pelvis-left hip-knee-ankle
    assert kitml.body_size(world) == pytest.approx(spine + leg, abs=1e-3)
    assert np.allclose(kitml.convert_joints(world), kitml.convert_joints(world * 1000.0))
    with pytest.raises(ValueError, match="neither metres"):
        kitml.convert_joints(world * 100.0)  # centimetres: 150 units is neither


def test_kit_errors_name_the_file_and_what_was_expected(tmp_path):
    with pytest.raises(ValueError, match=r"expected new_joints/00001\.npy under"):
        kitml.load_clip(tmp_path, "00001")
    kit_folder(tmp_path, np.zeros((10, 21, 3)))
    np.save(tmp_path / "new_joints" / "00001.npy", walking(10, 0.0, 0.5))  # a HumanML3D [T, 22, 3] clip
    with pytest.raises(ValueError, match=r"00001\.npy: expected KIT-ML joints \[T >= 2, 21, 3\], got \[10, 22, 3\]"):
        kitml.load_clip(tmp_path, "00001")
    with pytest.raises(ValueError, match=r"expected val\.txt under"):
        kitml.clip_ids(tmp_path, "val")


# ----------------------------------------------------------------------------- NTU RGB+D


def smpl_to_kinect(joints: np.ndarray) -> np.ndarray:
    """``[T, 22, 3]`` -> Kinect v2 ``[T, 25, 3]``; hands, tips and thumbs hang below the wrists."""
    out = np.empty(joints.shape[:-2] + (25, 3))
    same = {"SpineBase": "pelvis", "SpineMid": "spine2", "Neck": "neck", "Head": "head"}
    for side, s in (("left", "Left"), ("right", "Right")):
        for part in ("Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Foot"):
            same[part + s] = f"{side}_{part.lower()}"
    for name, index in ntu.KINECT_INDEX.items():
        if name in same:
            out[..., index, :] = joints[..., J[same[name]], :]
    shoulders = joints[..., [J["left_shoulder"], J["right_shoulder"]], :].mean(axis=-2)
    out[..., ntu.KINECT_INDEX["SpineShoulder"], :] = shoulders
    for s in ("Left", "Right"):
        wrist = out[..., ntu.KINECT_INDEX["Wrist" + s], :]
        for name, drop in (("Hand", 0.08), ("HandTip", 0.15), ("Thumb", 0.10)):
            out[..., ntu.KINECT_INDEX[name + s], :] = wrist - [0.0, drop, 0.0]
    return out


def to_camera(joints: np.ndarray) -> np.ndarray:
    """Our world -> Kinect camera space for a body facing the sensor: a half turn about y (our +z, the
    body's front, becomes the camera's -z; the body's left, our +x, the sensor's right, -x), the body
    3 m from a sensor held 0.8 m above the floor."""
    return skeleton.rotate_y(joints, math.pi) + np.array([0.0, -0.8, 3.0])


def skeleton_text(frames: list[dict[int, np.ndarray]]) -> str:
    lines = [str(len(frames))]
    for bodies in frames:
        lines.append(str(len(bodies)))
        for body_id, joints in bodies.items():
            lines += [f"{body_id} 0 1 1 1 1 0 -0.4372659 -0.2684 2", "25"]
            lines += [f"{x:.7f} {y:.7f} {z:.7f} 0.4810878 0.6604436 969.3 753.7 0.1 0.2 0.3 0.9 2"
                      for x, y, z in joints]
    return "\n".join(lines) + "\n"


def approaching(frames: int, x: float = 0.0) -> np.ndarray:
    """Kinect joints ``[frames, 25, 3]`` of a body at ``x`` walking 1 m toward the sensor over the clip."""
    return to_camera(smpl_to_kinect(walking(frames, 0.0, 1.0, start=(x, 0.0, 0.0))))


def test_parse_skeleton_reads_bodies_by_id():
    body = approaching(3)
    text = skeleton_text([{72057594037931101: body[0]}, {}, {72057594037931101: body[2], 7: body[1]}])
    frames = ntu.parse_skeleton(text)
    assert [sorted(f) for f in frames] == [[72057594037931101], [], [7, 72057594037931101]]
    assert frames[2][7] == pytest.approx(body[1], abs=1e-7)
    assert frames[0][72057594037931101][ntu.KINECT_INDEX["Head"]] == pytest.approx([0.0, 0.77, 2.97], abs=1e-7)


def test_ntu_single_body_becomes_a_canonical_clip(tmp_path):
    body = approaching(61)  # 2 s at 30 fps
    path = tmp_path / "S001C001P001R001A023.skeleton"
    path.write_text(skeleton_text([{72057594037931101: joints} for joints in body]))
    [(clip, text, action)] = ntu.convert_file(path)
    assert (text, action) == ("hand waving", "wave")
    assert clip.shape == (51, 22, 3)  # (61 - 1) * 25 / 30 + 1
    assert clip[0, J["pelvis"]] == pytest.approx([0.0, 0.95, 0.0], abs=1e-6)  # the floor found from the feet
    assert clip[0, J["head"], 1] == pytest.approx(1.57, abs=1e-6)
    assert clip[0, J["left_foot"]] == pytest.approx([0.11, 0.0, 0.10], abs=1e-6)  # the body's left is +x
    assert clip[0, J["spine1"]] == pytest.approx((REST[J["pelvis"]] + REST[J["spine2"]]) / 2, abs=1e-6)
    assert abs(skeleton.heading_angles(clip[0])) < 1e-9
    assert clip[-1, J["pelvis"], 2] == pytest.approx(1.0, abs=1e-6)  # toward the sensor is forward
    assert clip[:, FEET, 1].min() == pytest.approx(0.0, abs=1e-9)
    assert_rigid(clip)


def test_ntu_two_bodies_a_gap_and_a_noise_body(tmp_path):
    a, b, noise = approaching(61, x=0.6), approaching(61, x=-0.6), approaching(61, x=3.0)
    frames = []
    for i in range(61):
        bodies = {11: a[i]}
        if not 20 <= i < 30:  # body 22 is lost for 10 frames
            bodies[22] = b[i]
        if i < 5:
            bodies[33] = noise[i]
        frames.append(bodies)
    path = tmp_path / "S017C003P020R002A058.skeleton"
    path.write_text(skeleton_text(frames))
    with pytest.warns(UserWarning, match="body 33 skipped: in 5 of 61 frames, fewer than 31"):
        clips = ntu.convert_file(path)
    assert [(text, action) for _, text, action in clips] == [("handshaking", "handshake")] * 2
    gapped = clips[1][0]
    assert gapped.shape == (51, 22, 3)  # the gap is filled, not cut
    assert np.allclose(np.diff(gapped[:, J["pelvis"], 2]), 1.0 / 50, atol=1e-9)  # steady through the gap
    assert_rigid(gapped)


def test_ntu_class_names_and_vocabulary():
    assert len(ntu.ACTION_CLASSES) == 120
    assert ntu.action_of("S001C002P003R002A023.skeleton") == (23, "hand waving", "wave")
    assert ntu.action_of("nturgb+d_skeletons/S001C001P001R001A009.skeleton") == (
        9, "standing up (from sitting position)", "stand")
    assert ntu.action_of("S001C001P001R001A050.skeleton")[1:] == ("punching/slapping other person", "punch")
    assert ntu.action_of("S001C001P001R001A055.skeleton")[2] == "hug"
    assert ntu.action_of("S032C001P106R002A120.skeleton") == (
        120, "finger-guessing game (playing rock-paper-scissors)", None)
    assert ntu.action_of("S001C001P001R001A033.skeleton")[2] is None  # check time: nothing of ours
    assert set(ntu.TO_VOCAB.values()) <= set(vocab.ACTION_NAMES)
    with pytest.raises(ValueError, match="S001C002P003R002A013"):
        ntu.action_of("S001C001P001R001A121.skeleton")
    with pytest.raises(ValueError, match="S001C002P003R002A013"):
        ntu.action_of("walk.skeleton")


def test_ntu_wrong_layouts_fail_with_the_line(tmp_path):
    path = tmp_path / "S001C001P001R001A023.skeleton"
    path.write_text("a person walks.#a/DET person/NOUN walk/VERB#0.0#0.0\n")  # a HumanML3D text file
    with pytest.raises(ValueError, match=r"A023\.skeleton: line 1: expected the frame count \(one integer\)"):
        ntu.convert_file(path)
    text = skeleton_text([{1: approaching(1)[0]}])
    with pytest.raises(ValueError, match="ends where a joint line"):
        ntu.parse_skeleton("\n".join(text.splitlines()[:-3]))
    with pytest.raises(ValueError, match=r"line 5: expected a joint line .*12 values"):
        ntu.parse_skeleton(text.replace(" 0.9 2\n", " 2\n", 1))


# ----------------------------------------------------------------------------- InterHuman


def to_z_up(joints: np.ndarray) -> np.ndarray:
    """Our y-up world -> InterHuman's z-up world (the inverse of InterGen's (x, y, z) -> (x, z, -y))."""
    return joints @ interhuman.Z_UP_TO_Y_UP.T


def interhuman_folder(root, person1, person2, clip_id="7", texts="two people shake hands.\n"):
    for name, joints in (("person1", person1), ("person2", person2)):
        folder = root / "motions_processed" / name
        folder.mkdir(parents=True, exist_ok=True)
        row = np.zeros((len(joints), 492))
        row[:, :66] = to_z_up(joints).reshape(len(joints), 66) + [0.0, 0.0, 0.3] * 22  # floor at z = 0.3
        np.save(folder / f"{clip_id}.npy", row.astype(np.float32))
    (root / "annots").mkdir(exist_ok=True)
    (root / "annots" / f"{clip_id}.txt").write_text(texts)


def test_interhuman_pair_shares_one_world(tmp_path):
    assert to_z_up(REST) @ interhuman.Z_UP_TO_Y_UP == pytest.approx(REST)
    # person 1 faces +x from (2, 0, 1); person 2 stands 1.2 m in front of it, facing it, and steps 0.5 m in
    person1 = walking(61, math.pi / 2, 0.0, start=(2.0, 0.0, 1.0))
    person2 = walking(61, -math.pi / 2, 0.5, start=(3.2, 0.0, 1.0))
    interhuman_folder(tmp_path, person1, person2, texts="two people shake hands.\n\nthey greet each other.\n")
    a, b, texts = interhuman.load_pair(tmp_path, "7")
    assert texts == ["two people shake hands.", "they greet each other."]
    assert a.shape == b.shape == (51, 22, 3)  # 2 s at 30 fps -> 25 fps
    assert a[0, J["pelvis"]] == pytest.approx([0.0, 0.95, 0.0], abs=1e-5)
    assert a[0, J["head"], 1] == pytest.approx(1.57, abs=1e-5)  # upright: the z-up world was turned
    assert abs(skeleton.heading_angles(a[0])) < 1e-6
    assert abs(abs(skeleton.heading_angles(b[0])) - math.pi) < 1e-5  # still facing person 1
    assert b[0, J["pelvis"]] == pytest.approx([0.0, 0.95, 1.2], abs=1e-5)  # 1.2 m in front of person 1
    assert b[-1, J["pelvis"], 2] == pytest.approx(0.7, abs=1e-5)
    assert a[0, J["left_hip"], 0] > 0 and b[0, J["left_hip"], 0] < 0  # the body's own left, no mirroring
    assert min(a[:, FEET, 1].min(), b[:, FEET, 1].min()) == pytest.approx(0.0, abs=1e-6)
    assert_rigid(a)
    assert_rigid(b)


def test_interhuman_pair_is_grounded_together():
    a = walking(3, 0.0, 0.0)
    b = walking(3, math.pi, 0.0, start=(0.0, 0.4, 1.0))  # standing on a 40 cm step
    placed_a, placed_b = interhuman.place_pair(a, b)
    assert placed_a[:, FEET, 1].min() == pytest.approx(0.0)
    assert placed_b[:, FEET, 1].min() == pytest.approx(0.4)  # not put on the ground by itself


def test_interhuman_clip_ids_and_errors(tmp_path):
    with pytest.raises(ValueError, match=r"expected motions_processed/person1/\*\.npy .* under"):
        interhuman.clip_ids(tmp_path)
    pair = walking(31, 0.0, 0.0), walking(31, math.pi, 0.0, start=(0.0, 0.0, 1.0))
    for clip_id in ("1", "2", "9", "10"):
        interhuman_folder(tmp_path, *pair, clip_id=clip_id)
    (tmp_path / "motions_processed" / "person2" / "9.npy").unlink()
    (tmp_path / "ignore_list.txt").write_text("2\n")
    assert interhuman.clip_ids(tmp_path) == ["1", "10"]
    with pytest.raises(ValueError, match=r"expected motions_processed/person2/9\.npy under"):
        interhuman.load_pair(tmp_path, "9")
    np.save(tmp_path / "motions_processed" / "person1" / "1.npy", smpl_to_kit(pair[0]))  # a KIT-ML array
    with pytest.raises(ValueError, match=r"1\.npy: expected InterHuman motion \[T >= 2, >= 66\]"):
        interhuman.load_pair(tmp_path, "1")
    interhuman_folder(tmp_path, pair[0][:13], pair[1], clip_id="10")
    with pytest.raises(ValueError, match="person1 has 11 frames at 25 fps, person2 26"):
        interhuman.load_pair(tmp_path, "10")
