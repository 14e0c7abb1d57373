"""ASF/AMC converter on a fixture skeleton written by the test."""
import math

import numpy as np
import pytest

from datasets_scripts.converters import cmu_amc
from stickgen import skeleton

J = skeleton.JOINT_INDEX
UNIT = 0.0254 / 0.45  # metres per ASF length unit with ":units length 0.45"

# (name, parent, direction, length in ASF units, dof): a CMU-like body, left toward +x, facing +z
BONES = [
    ("lhipjoint", "root", (1, -1, 0), 2.0, ""), ("lfemur", "lhipjoint", (0, -1, 0), 7.0, "rx ry rz"),
    ("ltibia", "lfemur", (0, -1, 0), 7.0, "rx"), ("lfoot", "ltibia", (0, -0.3, 1), 2.0, "rx rz"),
    ("rhipjoint", "root", (-1, -1, 0), 2.0, ""), ("rfemur", "rhipjoint", (0, -1, 0), 7.0, "rx ry rz"),
    ("rtibia", "rfemur", (0, -1, 0), 7.0, "rx"), ("rfoot", "rtibia", (0, -0.3, 1), 2.0, "rx rz"),
    ("lowerback", "root", (0, 1, 0), 2.0, "rx ry rz"), ("upperback", "lowerback", (0, 1, 0), 2.0, "rx ry rz"),
    ("thorax", "upperback", (0, 1, 0), 2.0, "rx ry rz"), ("lowerneck", "thorax", (0, 1, 0), 1.5, "rx ry rz"),
    ("upperneck", "lowerneck", (0, 1, 0), 1.5, "rx ry rz"), ("head", "upperneck", (0, 1, 0), 1.5, "rx ry rz"),
    ("lclavicle", "thorax", (1, 0.2, 0), 3.0, "ry rz"), ("lhumerus", "lclavicle", (1, 0, 0), 5.0, "rx ry rz"),
    ("lradius", "lhumerus", (1, 0, 0), 4.0, "rx"), ("rclavicle", "thorax", (-1, 0.2, 0), 3.0, "ry rz"),
    ("rhumerus", "rclavicle", (-1, 0, 0), 5.0, "rx ry rz"), ("rradius", "rhumerus", (-1, 0, 0), 4.0, "rx"),
]


def asf_text() -> str:
    lines = ["# test skeleton", ":version 1.10", ":name TEST", ":units", "  mass 1.0", "  length 0.45", "  angle deg",
             ":root", "   order TX TY TZ RX RY RZ", "   axis XYZ", "   position 0 0 0", "   orientation 0 0 0",
             ":bonedata"]
    for i, (name, _, direction, length, dof) in enumerate(BONES):
        d = np.array(direction, dtype=float) / np.linalg.norm(direction)
        lines += ["  begin", f"     id {i + 1}", f"     name {name}", f"     direction {d[0]} {d[1]} {d[2]}",
                  f"     length {length}", "     axis 0 0 0 XYZ"]
        if dof:
            lines += ([f"    dof {dof}", "    limits (-180.0 180.0)"]
                      + ["           (-180.0 180.0)"] * (len(dof.split()) - 1))
        lines.append("  end")
    children: dict[str, list[str]] = {}
    for name, parent, *_ in BONES:
        children.setdefault(parent, []).append(name)
    lines += [":hierarchy", "  begin"] + [f"    {p} {' '.join(c)}" for p, c in children.items()] + ["  end"]
    return "\n".join(lines) + "\n"


def amc_text(frames: int, root=lambda t: (0.0, 17.0, 0.0, 0.0, 0.0, 0.0), lfemur=lambda t: (0.0, 0.0, 0.0)) -> str:
    lines = [":FULLY-SPECIFIED", ":DEGREES"]
    for t in range(frames):
        lines.append(str(t + 1))
        lines.append("root " + " ".join(str(v) for v in root(t)))
        for name, _, _, _, dof in BONES:
            if not dof:
                continue
            values = lfemur(t) if name == "lfemur" else (0.0,) * len(dof.split())
            lines.append(f"{name} " + " ".join(str(v) for v in values))
    return "\n".join(lines) + "\n"


def test_rest_skeleton_positions_and_units():
    asf = cmu_amc.parse_asf(asf_text())
    assert asf.bones["lfemur"].length == pytest.approx(7.0 * UNIT)
    ends = cmu_amc.forward_kinematics(asf, cmu_amc.parse_amc(amc_text(2), asf))
    knee_drop = ends["lfemur"][0, 1] - ends["ltibia"][0, 1]
    assert knee_drop == pytest.approx(7.0 * UNIT)
    assert ends["lhipjoint"][0, 0] > 0 > ends["rhipjoint"][0, 0]


def test_dof_rotation_bends_the_thigh_forward():
    asf = cmu_amc.parse_asf(asf_text())
    motion = cmu_amc.parse_amc(amc_text(1, lfemur=lambda t: (-90.0, 0.0, 0.0)), asf)
    ends = cmu_amc.forward_kinematics(asf, motion)
    thigh = ends["lfemur"][0] - ends["lhipjoint"][0]
    assert thigh / np.linalg.norm(thigh) == pytest.approx([0.0, 0.0, 1.0], abs=1e-9)  # rx -90: down -> +z


def test_convert_resamples_to_25_fps_and_lands_on_the_ground():
    # 1 s at 120 fps walking 1 m toward +z (ASF units), then facing +z at frame 0 stays
    joints = cmu_amc.convert(asf_text(), amc_text(121, root=lambda t: (0.0, 17.0, t / 120 / UNIT, 0, 0, 0)))
    assert joints.shape == (26, 22, 3)
    assert joints[:, list(skeleton.FOOT_JOINTS), 1].min() == pytest.approx(0.0, abs=1e-9)
    assert joints[-1, 0, 2] - joints[0, 0, 2] == pytest.approx(1.0, abs=1e-6)
    assert joints[0, J["left_hip"], 0] > 0
    lengths = skeleton.bone_lengths(joints)
    assert np.abs(lengths - lengths[0]).max() < 1e-9


def test_root_yaw_is_normalised_away():
    # the whole body turned 90 degrees about y: the converter rotates frame 0 back to face +z
    joints = cmu_amc.convert(asf_text(), amc_text(5, root=lambda t: (0.0, 17.0, 0.0, 0.0, 90.0, 0.0)))
    assert abs(math.degrees(skeleton.heading_angles(joints[0]))) < 1e-6


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match=":hierarchy"):
        cmu_amc.parse_asf(asf_text().split(":hierarchy")[0])
    asf = cmu_amc.parse_asf(asf_text())
    broken = amc_text(2).replace("ltibia 0.0\n", "", 1)
    with pytest.raises(ValueError, match="ltibia"):
        cmu_amc.parse_amc(broken, asf)
    with pytest.raises(ValueError, match="no frames"):
        cmu_amc.parse_amc(":FULLY-SPECIFIED\n", asf)
