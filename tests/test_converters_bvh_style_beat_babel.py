"""Generic BVH, 100STYLE, BEAT and BABEL converters on fixture files the tests write in each dataset's layout."""
import json
import logging
import math
from collections import defaultdict

import numpy as np
import pytest

from datasets_scripts.converters import babel, beat, bvh, style100
from stickgen import skeleton
from stickgen.export.bvh import write_bvh
from stickgen.motion import Motion, Scene

J = skeleton.JOINT_INDEX
R = skeleton.rest_pose()
ROT = "Zrotation Xrotation Yrotation"
SIDES = ({"S": "Left", "s": "left", "L": "L"}, {"S": "Right", "s": "right", "L": "R"})
CM, INCH = 100.0, 1 / 0.0254

# (name, parent, where): ``where`` is an smpl22 joint of the rest pose, or (joint, offset in metres from it);
# {S}, {s} and {L} stand for the side (Left/left/L, Right/right/R)
MIXAMO = [
    ("mixamorig:Hips", None, "pelvis"), ("mixamorig:Spine", "mixamorig:Hips", "spine1"),
    ("mixamorig:Spine1", "mixamorig:Spine", "spine2"), ("mixamorig:Spine2", "mixamorig:Spine1", "spine3"),
    ("mixamorig:Neck", "mixamorig:Spine2", "neck"), ("mixamorig:Head", "mixamorig:Neck", "head"),
    ("mixamorig:HeadTop_End", "mixamorig:Head", ("head", (0, 0.12, 0))),
    ("mixamorig:{S}Shoulder", "mixamorig:Spine2", "{s}_collar"),
    ("mixamorig:{S}Arm", "mixamorig:{S}Shoulder", "{s}_shoulder"),
    ("mixamorig:{S}ForeArm", "mixamorig:{S}Arm", "{s}_elbow"),
    ("mixamorig:{S}Hand", "mixamorig:{S}ForeArm", "{s}_wrist"),
    ("mixamorig:{S}HandIndex1", "mixamorig:{S}Hand", ("{s}_wrist", (0, -0.09, 0.02))),
    ("mixamorig:{S}UpLeg", "mixamorig:Hips", "{s}_hip"), ("mixamorig:{S}Leg", "mixamorig:{S}UpLeg", "{s}_knee"),
    ("mixamorig:{S}Foot", "mixamorig:{S}Leg", "{s}_ankle"),
    ("mixamorig:{S}ToeBase", "mixamorig:{S}Foot", "{s}_foot"),
]
CMU = [  # CMU's BVH release: hip and lower-back joints at the root, no third spine joint, two neck joints
    ("Hips", None, "pelvis"), ("LowerBack", "Hips", "pelvis"), ("Spine", "LowerBack", "spine1"),
    ("Spine1", "Spine", "spine2"), ("Neck", "Spine1", "neck"), ("Neck1", "Neck", ("neck", (0, 0.05, 0.02))),
    ("Head", "Neck1", "head"), ("{S}Shoulder", "Spine1", "{s}_collar"), ("{S}Arm", "{S}Shoulder", "{s}_shoulder"),
    ("{S}ForeArm", "{S}Arm", "{s}_elbow"), ("{S}Hand", "{S}ForeArm", "{s}_wrist"),
    ("{S}FingerBase", "{S}Hand", ("{s}_wrist", (0, -0.05, 0))),
    ("{L}Thumb", "{S}Hand", ("{s}_wrist", (0, -0.03, 0.03))),
    ("{L}HipJoint", "Hips", "pelvis"), ("{S}UpLeg", "{L}HipJoint", "{s}_hip"), ("{S}Leg", "{S}UpLeg", "{s}_knee"),
    ("{S}Foot", "{S}Leg", "{s}_ankle"), ("{S}ToeBase", "{S}Foot", "{s}_foot"),
]
LAFAN = [
    ("Hips", None, "pelvis"), ("Spine", "Hips", "spine1"), ("Spine1", "Spine", "spine2"),
    ("Spine2", "Spine1", "spine3"), ("Neck", "Spine2", "neck"), ("Head", "Neck", "head"),
    ("{S}Shoulder", "Spine2", "{s}_collar"), ("{S}Arm", "{S}Shoulder", "{s}_shoulder"),
    ("{S}ForeArm", "{S}Arm", "{s}_elbow"), ("{S}Hand", "{S}ForeArm", "{s}_wrist"), ("{S}UpLeg", "Hips", "{s}_hip"),
    ("{S}Leg", "{S}UpLeg", "{s}_knee"), ("{S}Foot", "{S}Leg", "{s}_ankle"), ("{S}Toe", "{S}Foot", "{s}_foot"),
]
STYLE100 = [  # Xsens: Chest..Chest4, and *Shoulder is the upper arm
    ("Hips", None, "pelvis"), ("Chest", "Hips", "spine1"), ("Chest2", "Chest", "spine2"),
    ("Chest3", "Chest2", "spine3"),
    ("Chest4", "Chest3", ("spine3", (0, 0.1, -0.01))), ("Neck", "Chest4", "neck"), ("Head", "Neck", "head"),
    ("{S}Collar", "Chest4", "{s}_collar"), ("{S}Shoulder", "{S}Collar", "{s}_shoulder"),
    ("{S}Elbow", "{S}Shoulder", "{s}_elbow"), ("{S}Wrist", "{S}Elbow", "{s}_wrist"), ("{S}Hip", "Hips", "{s}_hip"),
    ("{S}Knee", "{S}Hip", "{s}_knee"), ("{S}Ankle", "{S}Knee", "{s}_ankle"), ("{S}Toe", "{S}Ankle", "{s}_foot"),
]
BEAT = [  # Vicon body with fingers, a fourth spine joint, two neck joints and a fore-foot joint
    ("Hips", None, "pelvis"), ("Spine", "Hips", "spine1"), ("Spine1", "Spine", "spine2"),
    ("Spine2", "Spine1", "spine3"), ("Spine3", "Spine2", ("spine3", (0, 0.1, -0.01))), ("Neck", "Spine3", "neck"),
    ("Neck1", "Neck", ("neck", (0, 0.05, 0.02))), ("Head", "Neck1", "head"), ("HeadEnd", "Head", ("head", (0, 0.1, 0))),
    ("{S}Shoulder", "Spine3", "{s}_collar"), ("{S}Arm", "{S}Shoulder", "{s}_shoulder"),
    ("{S}ForeArm", "{S}Arm", "{s}_elbow"), ("{S}Hand", "{S}ForeArm", "{s}_wrist"),
    ("{S}HandMiddle1", "{S}Hand", ("{s}_wrist", (0, -0.09, 0.01))),
    ("{S}HandThumb1", "{S}Hand", ("{s}_wrist", (0, -0.03, 0.04))), ("{S}UpLeg", "Hips", "{s}_hip"),
    ("{S}Leg", "{S}UpLeg", "{s}_knee"), ("{S}Foot", "{S}Leg", "{s}_ankle"),
    ("{S}ForeFoot", "{S}Foot", ("{s}_foot", (0, 0.02, -0.05))), ("{S}ToeBase", "{S}ForeFoot", "{s}_foot"),
]


def spec_from(table):
    """The table with both sides written out: ``[(name, parent, rest position in metres, +y up)]``."""
    out = []
    for name, parent, where in table:
        for side in SIDES if "{" in name else ({},):
            joint, delta = (where, (0, 0, 0)) if isinstance(where, str) else where
            out.append((name.format(**side), parent and parent.format(**side), R[J[joint.format(**side)]] + delta))
    return out


def bvh_text(spec, poses, fps, scale=1.0, z_up=False):
    """A BVH document: ``poses`` are ``(root position in metres, {joint: (z, x, y) degrees})``, +y up; ``scale``
    file units per metre; ``z_up`` writes the world turned to +z up (x, y, z) -> (x, -z, y)."""
    axes = (lambda v: np.array([v[0], -v[2], v[1]])) if z_up else (lambda v: np.asarray(v, dtype=float))
    parent, position = {n: p for n, p, _ in spec}, {n: q for n, _, q in spec}
    children = defaultdict(list)
    for name, up, _ in spec:
        children[up].append(name)
    lines, order = ["HIERARCHY"], []

    def emit(name, depth):
        pad = "  " * depth
        order.append(name)
        offset = axes(position[name] - position[parent[name]]) * scale if parent[name] else np.zeros(3)
        tag, channels = ("JOINT", f"3 {ROT}") if parent[name] else ("ROOT", f"6 Xposition Yposition Zposition {ROT}")
        lines.extend([f"{pad}{tag} {name}", pad + "{", f"{pad}  OFFSET {' '.join(f'{v:.6f}' for v in offset)}",
                      f"{pad}  CHANNELS {channels}"])
        for kid in children[name]:
            emit(kid, depth + 1)
        if not children[name]:
            tip = axes([0.0, 0.03, 0.0]) * scale
            lines.extend([f"{pad}  End Site", pad + "  {", f"{pad}    OFFSET {' '.join(f'{v:.6f}' for v in tip)}",
                          pad + "  }"])
        lines.append(pad + "}")

    emit(spec[0][0], 0)
    rows = [" ".join(f"{v:.6f}" for v in [*axes(root) * scale, *(a for n in order for a in angles.get(n, (0, 0, 0)))])
            for root, angles in poses]
    return "\n".join(lines + ["MOTION", f"Frames: {len(rows)}", f"Frame Time: {1 / fps:.8f}", *rows]) + "\n"


def moving(frames, fps, velocity=(0.0, 0.0, 0.0), angles=lambda k: {}):
    """Poses of a body at rest whose pelvis moves at ``velocity`` m/s; ``angles(k)`` rotates joints at frame k."""
    return [(R[J["pelvis"]] + np.asarray(velocity) * k / fps, angles(k)) for k in range(frames)]


def write(path, table, poses, fps, **kwargs):
    path.write_text(bvh_text(spec_from(table), poses, fps, **kwargs))
    return path


def rest_lengths():
    return skeleton.bone_lengths(R)


def rot_z(degrees, v):
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1], v[2]])


# ----------------------------------------------------------------------------- generic BVH: names


def test_names_map_per_rig_and_shoulder_means_collar_only_beside_an_arm_joint():
    mixamo = bvh.map_to_smpl22([n for n, _, _ in spec_from(MIXAMO)])
    assert mixamo["left_collar"] == "mixamorig:LeftShoulder" and mixamo["left_shoulder"] == "mixamorig:LeftArm"
    assert mixamo["right_foot"] == "mixamorig:RightToeBase" and mixamo["spine3"] == "mixamorig:Spine2"
    assert len(mixamo) == 22 and "mixamorig:LeftHandIndex1" not in mixamo.values()
    style = bvh.map_to_smpl22([n for n, _, _ in spec_from(STYLE100)])
    assert style["left_collar"] == "LeftCollar" and style["left_shoulder"] == "LeftShoulder"
    assert style["left_elbow"] == "LeftElbow" and style["spine1"] == "Chest" and style["right_ankle"] == "RightAnkle"
    plain = bvh.map_to_smpl22(["Hips", "Neck", "LeftShoulder", "LeftElbow", "LeftWrist"])  # no collar, no *Arm
    assert plain["left_shoulder"] == "LeftShoulder" and "left_collar" not in plain
    cmu = bvh.map_to_smpl22([n for n, _, _ in spec_from(CMU)])
    assert "spine3" not in cmu and cmu["left_hip"] == "LeftUpLeg" and "LHipJoint" not in cmu.values()
    assert bvh.normalize_name("thigh_l") == "leftthigh" and bvh.normalize_name("LHipJoint") == "lefthipjoint"
    assert bvh.map_to_smpl22(["pelvis", "thigh_l", "calf_l"]) == {"pelvis": "pelvis", "left_hip": "thigh_l",
                                                                  "left_knee": "calf_l"}
    own = list(skeleton.JOINT_NAMES)  # the project's export: left_foot is the toe, not the ankle
    assert bvh.map_to_smpl22(own) == {n: n for n in own}


# ----------------------------------------------------------------------------- generic BVH: conversion


def test_mixamo_cm_file_turned_and_walking_becomes_canonical(tmp_path):
    # 2 s at 60 fps in cm: the body is turned to face +x (root yaw 90) and walks 1 m/s that way, bending an elbow
    poses = moving(121, 60, velocity=(1.0, 0, 0), angles=lambda k: {
        "mixamorig:Hips": (0, 0, 90), "mixamorig:LeftForeArm": (0, 40 * math.sin(k / 20), 0)})
    path = write(tmp_path / "Walking_02.bvh", MIXAMO, poses, 60, scale=CM)
    body = bvh.read_smpl22(path)
    assert (body.unit, body.up, body.fps) == ("cm", "y", 60)
    joints = bvh.convert_file(path)
    assert joints.shape == (51, 22, 3)  # round(120 * 25 / 60) + 1
    assert np.abs(joints[0] - R).max() < 1e-6  # faces +z, pelvis above the origin, toes on the ground
    assert joints[0, J["head"], 1] - joints[0, J["left_foot"], 1] == pytest.approx(1.57, abs=1e-6)  # cm -> m
    assert joints[-1, 0] == pytest.approx([0.0, R[0, 1], 2.0], abs=1e-6)  # walked 2 m forward
    assert np.abs(skeleton.bone_lengths(joints) - rest_lengths()).max() < 1e-6
    assert joints[:, list(skeleton.FOOT_JOINTS), 1].min() == pytest.approx(0.0, abs=1e-9)
    assert abs(skeleton.heading_angles(joints[0])) < 1e-9
    bent = joints[10, J["left_wrist"]] - joints[10, J["left_elbow"]]  # the forearm moved, the hand did not matter
    assert np.linalg.norm(bent) == pytest.approx(rest_lengths()[J["left_wrist"] - 1], abs=1e-9)
    assert abs(bent[2]) > 0.05


@pytest.mark.parametrize("unit,scale", [("m", 1.0), ("cm", CM), ("mm", 1000.0), ("inch", INCH),
                                        ("cmu", 0.45 * INCH)])
def test_units_are_told_from_the_body_size(tmp_path, unit, scale):
    body = bvh.read_smpl22(write(tmp_path / "t.bvh", MIXAMO, moving(2, 30), 30, scale=scale))
    assert body.unit == unit
    assert np.abs(body.joints[0] - R).max() < 1e-5  # a 1.75 m body in metres whatever the file's unit


def test_cmu_rig_derives_the_missing_spine_joint_and_drops_extras(tmp_path):
    path = write(tmp_path / "01_01.bvh", CMU, moving(25, 120, velocity=(0, 0, 1.2)), 120, scale=0.45 * INCH)
    joints = bvh.convert_file(path)
    assert joints.shape == (6, 22, 3)
    below, above = R[J["spine2"]], R[J["neck"]]  # spine3 lies on spine2 -> neck where the rest pose projects it
    t = np.dot(R[J["spine3"]] - below, above - below) / np.dot(above - below, above - below)
    assert t == pytest.approx(0.2127, abs=1e-4)
    assert joints[0, J["spine3"]] == pytest.approx(below + t * (above - below), abs=1e-6)
    others = [j for j in range(22) if j != J["spine3"]]
    assert np.abs(joints[0, others] - R[others]).max() < 1e-6  # LHipJoint, LowerBack, Neck1, fingers left out
    assert joints[-1, 0, 2] == pytest.approx(1.2 * 24 / 120, abs=1e-6)


def test_missing_collars_and_upper_spine_are_placed_between_their_neighbours(tmp_path):
    table = [row for row in LAFAN if row[0] not in ("Spine1", "Spine2", "{S}Shoulder")]
    table = [(n, {"Spine1": "Spine", "Spine2": "Spine", "{S}Shoulder": "Neck"}.get(p, p), w) for n, p, w in table]
    joints = bvh.read_smpl22(write(tmp_path / "t.bvh", table, moving(2, 30), 30)).joints[0]
    assert np.all(np.isfinite(joints))
    spine3, collar, shoulder = joints[J["spine3"]], joints[J["left_collar"]], joints[J["left_shoulder"]]
    assert np.linalg.norm(np.cross(collar - spine3, shoulder - spine3)) < 1e-12  # on the segment
    assert 0.4 < np.linalg.norm(collar - spine3) / np.linalg.norm(shoulder - spine3) < 0.8
    assert joints[J["spine1"], 1] < joints[J["spine2"], 1] < joints[J["spine3"], 1] < joints[J["neck"], 1]


def test_z_up_blender_export_is_detected_and_turned(tmp_path, caplog):
    # LaFAN1 names, metres, written in Blender's z-up world: the body faces -y there and walks that way
    path = write(tmp_path / "walk1.bvh", LAFAN, moving(51, 25, velocity=(0, 0, 0.5)), 25, z_up=True)
    with caplog.at_level(logging.INFO, logger=bvh.__name__):
        body = bvh.read_smpl22(path)
    assert (body.unit, body.up) == ("m", "z") and "z up (turned to +y up)" in caplog.text
    joints = bvh.convert_file(path)
    assert np.abs(joints[0] - R).max() < 1e-6
    assert joints[-1, 0] == pytest.approx([0.0, R[0, 1], 1.0], abs=1e-6)


def test_own_smpl22_export_round_trips(tmp_path):
    frames = 30
    clip = np.repeat(R[None], frames, axis=0) + np.linspace(0, 0.8, frames)[:, None, None] * [0, 0, 1.0]
    clip[:, J["left_wrist"]] += np.stack([np.zeros(frames), np.linspace(0, 0.1, frames), np.zeros(frames)], axis=1)
    clip = bvh.to_canonical(clip, 25)
    write_bvh(Motion(clip), tmp_path / "own.bvh", fps=25)
    assert bvh.read_smpl22(tmp_path / "own.bvh").unit == "m"
    assert np.abs(bvh.convert_file(tmp_path / "own.bvh") - clip).max() < 1e-3


def test_non_humanoid_legless_and_odd_files_fail_naming_the_problem(tmp_path):
    creature = [("Root", None, "pelvis"), ("Body", "Root", "spine2"), ("Tail", "Body", ("spine2", (0, 0, -0.5))),
                ("{S}Wing", "Body", "{s}_shoulder")]
    with pytest.raises(ValueError, match=r"creature.bvh: not a humanoid.*no joint for pelvis, left_hip, .*head"):
        bvh.read_smpl22(write(tmp_path / "creature.bvh", creature, moving(2, 30), 30))
    legless = [row for row in MIXAMO if not any(k in row[0] for k in ("UpLeg", "}Leg", "Foot", "Toe"))]
    with pytest.raises(ValueError, match="legless.bvh: not a humanoid") as info:
        bvh.read_smpl22(write(tmp_path / "legless.bvh", legless, moving(2, 30), 30))
    named = str(info.value).split("no joint for ")[1].split(" (")[0].split(", ")
    assert named == [f"{s}_{j}" for j in ("hip", "knee", "ankle", "foot") for s in ("left", "right")]
    with pytest.raises(ValueError, match="no human height"):
        bvh.read_smpl22(write(tmp_path / "giant.bvh", MIXAMO, moving(2, 30), 30, scale=1e4))
    with pytest.raises(ValueError, match="at least 2 frames"):
        bvh.read_smpl22(write(tmp_path / "still.bvh", MIXAMO, moving(1, 30), 30))
    (tmp_path / "words.bvh").write_text('File type = "ooTextFile"\nObject class = "TextGrid"\n')
    with pytest.raises(ValueError, match="not a valid BVH"):
        bvh.convert_file(tmp_path / "words.bvh")


def test_captions_from_sidecars_or_file_names(tmp_path):
    for name in ("Walking_Backwards_02", "Jump", "01_01"):
        write(tmp_path / f"{name}.bvh", MIXAMO, moving(2, 30), 30)
    (tmp_path / "captions.csv").write_text("file,text\nJump.bvh,a person jumps\nJump,hops up \n")
    (tmp_path / "captions.json").write_text(json.dumps({"01_01.bvh": ["a person waves", "waving"]}))
    assert bvh.caption_from_name("Walking_Backwards_02") == "walking backwards"
    assert bvh.caption_from_name("TPose") == "t pose" and bvh.caption_from_name("01_01") == ""
    expected = {"Walking_Backwards_02": ["walking backwards"], "Jump": ["a person jumps", "hops up"],
                "01_01": ["a person waves", "waving"]}
    assert bvh.captions_for(tmp_path) == expected
    clips = list(bvh.convert_folder(tmp_path))
    assert [name for name, _, _ in clips] == ["01_01", "Jump", "Walking_Backwards_02"]
    assert all(joints.shape == (2, 22, 3) for _, joints, _ in clips) and clips[1][2] == expected["Jump"]
    (tmp_path / "captions.csv").write_text("name,caption\nJump,x\n")
    with pytest.raises(ValueError, match="expected the columns file,text"):
        bvh.captions_for(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="expected .bvh files under .*empty"):
        list(bvh.convert_folder(tmp_path / "empty"))


# ----------------------------------------------------------------------------- 100STYLE

CUT_HEADER = "STYLE_NAME," + ",".join(f"{t}_START,{t}_STOP" for t in style100.TYPES)
# 1-based, both ends kept: FW keeps source frames 10..69 (60 frames), BW 20..79
CUTS = {"FW": (11, 70), "BW": (21, 80), "SW": (11, 70), "ID": (1, 61), "TR1": (31, 90)}
VELOCITY = {"FW": (0, 0, 1.0), "BW": (0, 0, -1.0), "SW": (1.0, 0, 0), "ID": (0, 0, 0), "TR1": (0, 0, 0.5)}


def style_root(tmp_path, skip=()):
    root = tmp_path / "100STYLE"
    (root / "Angry").mkdir(parents=True)
    cells = [f"{CUTS[t][0]},{CUTS[t][1]}" if t in CUTS else "N/A,N/A" for t in style100.TYPES]
    (root / "Frame_Cuts.csv").write_text(f"{CUT_HEADER}\nAngry,{','.join(cells)}\nNeutral,{','.join(cells)}\n")
    for kind in CUTS:
        if kind not in skip:  # the left upper arm turns 1 degree a frame: it tells which frame a cut starts on
            write(root / "Angry" / f"Angry_{kind}.bvh", STYLE100,
                  moving(121, 60, VELOCITY[kind], lambda k: {"LeftShoulder": (k, 0, 0)}), 60, scale=CM)
    return root


def test_frame_cuts_are_read_with_missing_takes_left_out(tmp_path):
    cuts = style100.read_frame_cuts(style_root(tmp_path) / "Frame_Cuts.csv")
    assert set(cuts) == {"Angry", "Neutral"} and cuts["Angry"] == CUTS
    (tmp_path / "bad.csv").write_text("file,text\nJump,x\n")
    with pytest.raises(ValueError, match="expected the header STYLE_NAME"):
        style100.read_frame_cuts(tmp_path / "bad.csv")
    (tmp_path / "odd.csv").write_text(f"{CUT_HEADER}\nAngry,{'x,' * 19}y\n")
    with pytest.raises(ValueError, match="Angry BR: expected frame numbers or N/A"):
        style100.read_frame_cuts(tmp_path / "odd.csv")


def test_style_cuts_become_labelled_clips(tmp_path):
    clips = {c.type: c for c in style100.convert_style(style_root(tmp_path), "Angry")}
    assert list(clips) == ["BW", "FW", "ID", "SW", "TR1"]
    forward, backward, side, idle, mixed = (clips[t] for t in ("FW", "BW", "SW", "ID", "TR1"))
    assert forward.name == "Angry_FW" and forward.style == "Angry"
    assert forward.text == "a person walks forward in an angry style" and forward.direction == "forward"
    assert backward.text == "a person walks backward in an angry style" and backward.direction == "backward"
    assert side.text == "a person sidesteps at a walk in an angry style" and side.direction == "sideways"
    assert idle.text == "a person stands idle in an angry style" and idle.direction is None
    assert forward.joints.shape == (26, 22, 3)  # 60 frames at 60 fps: round(59 * 25 / 60) + 1
    assert [(s.start, s.end, s.label) for s in forward.actions] == [(0, 26, "walk")]
    assert [s.label for s in idle.actions] == ["idle"] and mixed.actions == [] and mixed.direction is None
    travel = {t: clips[t].joints[-1, 0] - clips[t].joints[0, 0] for t in ("FW", "BW", "SW")}
    assert travel["FW"] == pytest.approx([0, 0, 59 / 60], abs=1e-6)
    assert travel["BW"] == pytest.approx([0, 0, -59 / 60], abs=1e-6)
    assert travel["SW"] == pytest.approx([59 / 60, 0, 0], abs=1e-6)  # toward the body's left
    upper_arm = R[J["left_elbow"]] - R[J["left_shoulder"]]
    for kind, first_frame in (("FW", 10), ("BW", 20), ("TR1", 30)):
        joints = clips[kind].joints
        assert joints[0, J["left_elbow"]] - joints[0, J["left_shoulder"]] == pytest.approx(
            rot_z(first_frame, upper_arm), abs=1e-6)
        assert np.abs(skeleton.bone_lengths(joints) - rest_lengths()).max() < 1e-6
        assert joints[:, list(skeleton.FOOT_JOINTS), 1].min() == pytest.approx(0.0, abs=1e-9)
    actor = Motion(forward.joints, actions=forward.actions)
    assert Scene([actor]).to_json()  # the labels are vocabulary names
    assert style100.style_text("ArmsAboveHead", "SR") == "a person sidesteps at a run in an arms above head style"


def test_style_layout_errors_name_what_was_expected(tmp_path):
    root = style_root(tmp_path, skip=("SW",))
    with pytest.raises(ValueError, match="expected Angry_SW.bvh under .*Angry"):
        style100.convert_style(root, "Angry")
    with pytest.raises(ValueError, match="no row for the style 'Happy'"):
        style100.convert_style(root, "Happy")
    with pytest.raises(ValueError, match="expected the folder Neutral/ with Neutral_<type>.bvh files under"):
        style100.convert_style(root, "Neutral")
    with pytest.raises(ValueError, match="expected Frame_Cuts.csv under .*Angry"):
        style100.convert_style(root / "Angry", "Angry")  # the style folder given as the dataset root


# ----------------------------------------------------------------------------- BEAT


def textgrid(tiers, xmax=2.0):
    """A Praat long-format TextGrid: ``tiers`` are ``(name, [(xmin, xmax, text)])``."""
    lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0 ", f"xmax = {xmax} ",
             "tiers? <exists> ", f"size = {len(tiers)} ", "item []: "]
    for i, (name, intervals) in enumerate(tiers, 1):
        lines += [f"    item [{i}]:", '        class = "IntervalTier" ', f'        name = "{name}" ',
                  "        xmin = 0 ", f"        xmax = {xmax} ", f"        intervals: size = {len(intervals)} "]
        for k, (start, end, text) in enumerate(intervals, 1):
            lines += [f"        intervals [{k}]:", f"            xmin = {start} ", f"            xmax = {end} ",
                      f'            text = "{text}" ']
    return "\n".join(lines) + "\n"


WORDS = [(0, 0.52, ""), (0.52, 0.88, "hello"), (0.88, 1.32, "there"), (1.32, 1.85, ""), (1.85, 1.99, "friend")]
PHONES = [(0, 0.52, ""), (0.52, 0.6, "HH"), (0.6, 2.0, "AH0")]


def beat_take(folder, name, grid=True):
    folder.mkdir(exist_ok=True)
    path = write(folder / f"{name}.bvh", BEAT, moving(241, 120, angles=lambda k: {"RightForeArm": (0, k / 4, 0)}),
                 120, scale=CM)
    if grid:
        path.with_suffix(".TextGrid").write_text(textgrid([("phones", PHONES), ("words", WORDS)]))
    return path


def test_textgrid_words_with_times():
    text = textgrid([("phones", PHONES), ("words", WORDS + [(2.0, 2.5, 'it""s')])], xmax=2.5)
    assert beat.parse_textgrid(text) == [("hello", 0.52, 0.88), ("there", 0.88, 1.32), ("friend", 1.85, 1.99),
                                         ('it"s', 2.0, 2.5)]
    assert beat.parse_textgrid(textgrid([("phones", PHONES)])) == [("HH", 0.52, 0.6), ("AH0", 0.6, 2.0)]
    with pytest.raises(ValueError, match="long text format"):
        beat.parse_textgrid('File type = "ooTextFile"\nObject class = "TextGrid"\n0\n2\n<exists>\n1\n"IntervalTier"\n')


def test_emotion_from_the_take_name():
    assert beat.emotion_of("1_wayne_0_1_1") == "neutral" and beat.emotion_of("1_wayne_0_64_64.bvh") == "neutral"
    assert beat.emotion_of("1_wayne_0_65_65") == "happiness" and beat.emotion_of("2_scott_0_80_80") == "anger"
    assert beat.emotion_of("2_scott_0_90_90") == "contempt" and beat.emotion_of("10_kieks_0_118_118") == "disgust"
    assert beat.emotion_of("1_wayne_2_103_103") == "fear"  # Chinese read speech follows the same blocks
    assert beat.emotion_of("1_wayne_1_3_3") is None and beat.emotion_of("1_wayne_0_119_119") is None
    with pytest.raises(ValueError, match="expected a BEAT take name"):
        beat.emotion_of("Walking_Backwards_02.bvh")


def test_beat_take_becomes_body_speech_and_expression(tmp_path):
    path = beat_take(tmp_path / "1", "1_wayne_0_65_65")
    assert (bvh.read_smpl22(path).unit, bvh.read_smpl22(path).fps) == ("cm", 120)
    take = beat.convert_take(path)
    assert take.joints.shape == (51, 22, 3)  # 2 s at 120 fps -> 25 fps
    assert np.abs(take.joints[0] - R).max() < 1e-6  # fingers, Spine3, Neck1 and the fore-foot left out
    assert np.abs(skeleton.bone_lengths(take.joints) - rest_lengths()).max() < 1e-6
    assert [(s.start, s.end, s.label, s.extra["text"]) for s in take.speech] == [
        (13, 33, "talk", "hello there"), (46, 50, "talk", "friend")]  # joined across no pause, split at 0.53 s
    assert take.expression == "happy" and take.text == "a person talks happily, gesturing with the hands"
    scene = Scene([Motion(take.joints, speech=take.speech)])
    assert json.loads(scene.to_json())["actors"][0]["speech"][0] == {"start": 13, "end": 33, "type": "talk",
                                                                     "text": "hello there"}
    other = beat.convert_take(beat_take(tmp_path / "2", "2_scott_0_90_90"))
    assert other.expression is None and other.text == "a person talks with contempt, gesturing with the hands"


def test_beat_layout_errors(tmp_path):
    with pytest.raises(ValueError, match="expected 1_wayne_0_3_3.TextGrid next to 1_wayne_0_3_3.bvh"):
        beat.convert_take(beat_take(tmp_path / "1", "1_wayne_0_3_3", grid=False))
    mixamo = write(tmp_path / "Walking_02.bvh", MIXAMO, moving(2, 30), 30)
    with pytest.raises(ValueError, match="expected a BEAT take name"):
        beat.convert_take(mixamo)


# ----------------------------------------------------------------------------- BABEL


def amass_npz(path, frames, fps, forward=1.0):
    """An AMASS file like the amass tests make: SMPL stood up in a z-up world, walking ``forward`` m (-y)."""
    poses = np.zeros((frames, 156))
    poses[:, :3] = [math.pi / 2, 0.0, 0.0]
    trans = np.zeros((frames, 3))
    trans[:, 1] = np.linspace(0.0, -forward, frames)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, poses=poses, trans=trans, mocap_framerate=np.array(fps), betas=np.zeros(16))


def babel_entry(sid, feat_p, frame_labels, seq_labels):
    return {"babel_sid": sid, "url": "", "feat_p": feat_p, "dur": 2.0,
            "seq_ann": {"babel_lid": "s", "anntr_id": "a", "mul_act": True, "labels": seq_labels},
            "frame_ann": None if frame_labels is None else {"babel_lid": "f", "anntr_id": "a", "mul_act": True,
                                                            "labels": frame_labels}}


def label(proc, cats, start=None, end=None):
    out = {"raw_label": proc.capitalize(), "proc_label": proc, "seg_id": proc, "act_cat": cats}
    return out if start is None else {**out, "start_t": start, "end_t": end}


WALK_FRAMES = [label("turn around", ["turn"], 1.5, 2.0), label("walk", ["walk"], 0.0, 1.0),
               label("wave right hand", ["hand movements", "greet"], 0.63, 1.39),
               label("transition", ["transition"], 1.4, 1.5)]
MISSING = "ACCAD/ACCAD/Female1Walking_c3d/B3 - walk1_poses.npz"


def babel_files(tmp_path):
    amass_root = tmp_path / "amass"
    amass_npz(amass_root / "CMU" / "01" / "01_01_poses.npz", 241, 120.0)  # as the AMASS archive unpacks
    amass_npz(amass_root / "BMLrub/BioMotionLab_NTroje/rub001/0015_sitting1_poses.npz", 61, 60.0, 0.0)  # as feat_p
    annotations = {
        "1": babel_entry(1, "CMU/CMU/01/01_01_poses.npz", WALK_FRAMES, [label("walk and wave", ["walk"])]),
        "2": babel_entry(2, MISSING, None, [label("walk", ["walk"])]),
        "3": babel_entry(3, "BMLrub/BioMotionLab_NTroje/rub001/0015_sitting1_poses.npz", None,
                         [label("sit down", ["sit"]), label("look around", ["look"])]),
    }
    path = tmp_path / "train.json"
    path.write_text(json.dumps(annotations))
    return path, amass_root


def test_babel_labels_map_to_actions_or_stay_text():
    assert babel.action_of(label("wave right hand", ["hand movements", "greet"])) == "wave"  # by the label's word
    assert babel.action_of(label("stand up", None)) == "stand" and babel.action_of(label("stand", ["stand"])) == "idle"
    assert babel.action_of(label("jog forward", ["jog", "forwards movement"])) == "run"
    assert babel.action_of(label("turn around", ["turn"])) is None
    entry = babel_entry(1, "x", WALK_FRAMES, [])
    segments = babel.segments_of(entry, 25, 51)
    assert [(s.start, s.end, s.label, s.extra["text"]) for s in segments] == [
        (0, 25, "walk", "walk"), (16, 35, "wave", "wave right hand")]  # 15.75 -> 16, 34.75 -> 35
    assert babel.text_of(entry) == "walk and wave right hand, then turn around"
    whole = babel_entry(2, "x", None, [label("sit down", ["sit"])])
    assert [(s.start, s.end, s.label) for s in babel.segments_of(whole, 25, 40)] == [(0, 40, "sit")]


def test_babel_converts_found_sequences_and_counts_missing(tmp_path):
    annotations, amass_root = babel_files(tmp_path)
    clips, skipped = babel.convert(annotations, amass_root)
    clips = list(clips)
    assert [c.sid for c in clips] == ["1", "3"] and skipped.missing == [MISSING]
    assert str(skipped).startswith("1 sequences skipped")
    walk, sit = clips
    assert walk.joints.shape == (51, 22, 3) and sit.joints.shape == (26, 22, 3)
    assert walk.joints[-1, 0, 2] - walk.joints[0, 0, 2] == pytest.approx(1.0, abs=1e-6)
    assert [(s.start, s.end, s.label) for s in walk.actions] == [(0, 25, "walk"), (16, 35, "wave")]
    assert walk.text == "walk and wave right hand, then turn around"
    assert [(s.start, s.end, s.label) for s in sit.actions] == [(0, 26, "sit")]
    assert sit.text == "sit down and look around"
    assert Scene([Motion(walk.joints, actions=walk.actions)]).to_json()


def test_babel_layout_errors(tmp_path):
    annotations, amass_root = babel_files(tmp_path)
    with pytest.raises(ValueError, match="expected the AMASS sub-dataset folders .* under .*nowhere"):
        babel.convert(annotations, tmp_path / "nowhere")
    (tmp_path / "other").mkdir()
    clips, skipped = babel.convert(annotations, tmp_path / "other")
    with pytest.raises(ValueError, match="expected AMASS files such as CMU/CMU/01/01_01_poses.npz under .*other"):
        list(clips)
    assert len(skipped.missing) == 3
    (tmp_path / "captions.json").write_text(json.dumps({"Jump.bvh": "a person jumps"}))
    with pytest.raises(ValueError, match="expected BABEL annotations"):
        babel.load_annotations(tmp_path / "captions.json")
    (tmp_path / "test.json").write_text(json.dumps({"7": {"feat_p": "CMU/CMU/01/01_01_poses.npz", "dur": 2.0,
                                                          "seq_ann": None, "frame_ann": None}}))
    with pytest.raises(ValueError, match="expected BABEL annotations"):
        babel.load_annotations(tmp_path / "test.json")
