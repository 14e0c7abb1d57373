"""Acclaim ASF/AMC (the CMU motion-capture format) -> canonical ``smpl22`` clips.

The ASF file holds the skeleton: per bone a unit ``direction`` and ``length`` at rest (world axes),
an ``axis`` (Euler angles giving the bone's local frame), its ``dof`` and the ``:hierarchy``. The AMC
file holds one block per frame: a frame number, then ``bone value...`` lines in ``dof`` order (the root
has ``TX TY TZ RX RY RZ``). Lengths are in ``length`` units: ``value / length_unit`` inches. CMU
captures at 120 fps.

Public: :class:`AsfSkeleton`, :func:`parse_asf`, :func:`parse_amc`, :func:`forward_kinematics`,
:func:`convert`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stickgen import skeleton

from .rotations import euler_to_matrix

INCH = 0.0254
CMU_FPS = 120.0
FPS = 25

#: smpl22 joint -> the ASF bones whose end points it averages (``"root"`` is the root position)
SMPL_FROM_BONES: dict[str, tuple[str, ...]] = {
    "pelvis": ("root",), "left_hip": ("lhipjoint",), "right_hip": ("rhipjoint",),
    "spine1": ("lowerback",), "left_knee": ("lfemur",), "right_knee": ("rfemur",),
    "spine2": ("upperback",), "left_ankle": ("ltibia",), "right_ankle": ("rtibia",),
    "spine3": ("thorax",), "left_foot": ("lfoot",), "right_foot": ("rfoot",), "neck": ("lowerneck",),
    "left_collar": ("thorax", "lclavicle"), "right_collar": ("thorax", "rclavicle"), "head": ("upperneck", "head"),
    "left_shoulder": ("lclavicle",), "right_shoulder": ("rclavicle",), "left_elbow": ("lhumerus",),
    "right_elbow": ("rhumerus",), "left_wrist": ("lradius",), "right_wrist": ("rradius",),
}


@dataclass
class AsfBone:
    """One ASF bone: rest ``direction [3]`` (unit, world axes), ``length`` (m), local frame ``axis [3, 3]``."""

    name: str
    direction: np.ndarray
    length: float
    axis: np.ndarray
    dof: tuple[str, ...] = ()


@dataclass
class AsfSkeleton:
    """A parsed ASF file. ``children`` maps a bone (or ``"root"``) to its child bones."""

    bones: dict[str, AsfBone]
    children: dict[str, list[str]]
    root_order: tuple[str, ...] = ("tx", "ty", "tz", "rx", "ry", "rz")
    root_axis: np.ndarray = field(default_factory=lambda: np.eye(3))
    metres_per_unit: float = INCH / 0.45
    degrees: bool = True


# ----------------------------------------------------------------------------- parsing


def _sections(text: str) -> dict[str, list[str]]:
    """Split an ASF file into ``{":keyword": [lines]}`` (comments and blank lines dropped)."""
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(":"):
            current, _, rest = line.partition(" ")
            sections[current] = [rest] if rest else []
        elif current is not None:
            sections[current].append(line)
    return sections


def _axis_matrix(values: list[str], degrees: bool) -> np.ndarray:
    """``axis a b c ORDER`` -> ``[3, 3]`` local frame."""
    angles = np.array([float(v) for v in values[:3]])
    order = values[3].lower() if len(values) > 3 else "xyz"
    return euler_to_matrix(np.deg2rad(angles) if degrees else angles, order)


def parse_asf(text: str) -> AsfSkeleton:
    """Parse an ASF skeleton; ``ValueError`` naming the problem when a section or field is missing."""
    sections = _sections(text)
    for needed in (":bonedata", ":hierarchy", ":root"):
        if needed not in sections:
            raise ValueError(f"ASF: missing {needed} section")
    units = dict(line.split()[:2] for line in sections.get(":units", []) if len(line.split()) >= 2)
    degrees = units.get("angle", "deg").startswith("deg")
    metres = INCH / float(units.get("length", 0.45))
    root = {line.split()[0]: line.split()[1:] for line in sections[":root"]}
    bones, block = {}, None
    for line in sections[":bonedata"]:
        words = line.split()
        if words[0] == "begin":
            block = {}
        elif words[0] == "end":
            try:
                bones[block["name"][0]] = AsfBone(
                    name=block["name"][0], direction=np.array([float(v) for v in block["direction"]]),
                    length=float(block["length"][0]) * metres, axis=_axis_matrix(block["axis"], degrees),
                    dof=tuple(d.lower() for d in block.get("dof", [])))
            except KeyError as exc:
                raise ValueError(f"ASF: bone {block.get('name', ['?'])[0]!r} lacks {exc.args[0]!r}") from None
        elif block is not None and words[0] != "limits" and not words[0].startswith("("):
            block[words[0]] = words[1:]
    children = {}
    for line in sections[":hierarchy"]:
        words = line.split()
        if words[0] not in ("begin", "end"):
            children[words[0]] = words[1:]
    unknown = {c for kids in children.values() for c in kids} - set(bones)
    if unknown:
        raise ValueError(f"ASF: hierarchy names unknown bones {sorted(unknown)}")
    return AsfSkeleton(bones=bones, children=children,
                       root_order=tuple(v.lower() for v in root.get("order", "TX TY TZ RX RY RZ".split())),
                       root_axis=_axis_matrix(root.get("orientation", ["0", "0", "0"]) + root.get("axis", ["XYZ"]),
                                              degrees),
                       metres_per_unit=metres, degrees=degrees)


def parse_amc(text: str, asf: AsfSkeleton) -> dict[str, np.ndarray]:
    """Parse AMC frames: ``{bone or "root": [T, dof]}`` raw values in file units, in frame order."""
    frames: list[dict[str, list[float]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ":")):
            continue
        words = line.split()
        if words[0].isdigit() and len(words) == 1:
            frames.append({})
        elif not frames:
            raise ValueError(f"AMC: data before the first frame number: {line[:40]!r}")
        else:
            frames[-1][words[0]] = [float(v) for v in words[1:]]
    if not frames:
        raise ValueError("AMC: no frames")
    names = ["root"] + [n for n, bone in asf.bones.items() if bone.dof]
    out = {}
    for name in names:
        width = len(asf.root_order) if name == "root" else len(asf.bones[name].dof)
        values = [frame.get(name) for frame in frames]
        if any(v is None or len(v) != width for v in values):
            raise ValueError(f"AMC: bone {name!r} is missing or has the wrong number of values in some frame")
        out[name] = np.array(values, dtype=np.float64)
    return out


# ----------------------------------------------------------------------------- kinematics


def _dof_rotation(values: np.ndarray, dof: tuple[str, ...], degrees: bool) -> np.ndarray:
    """Local rotation ``[T, 3, 3]`` from per-frame ``values [T, len(dof)]`` about the named axes."""
    angles = np.zeros((len(values), 3))
    for i, name in enumerate(dof):
        if name in ("rx", "ry", "rz"):
            angles[:, "xyz".index(name[1])] = values[:, i]
    return euler_to_matrix(np.deg2rad(angles) if degrees else angles, "xyz")


def forward_kinematics(asf: AsfSkeleton, motion: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """End point of every bone in metres, the ASF's world axes: ``{bone or "root": [T, 3]}``."""
    root = motion["root"]
    order = asf.root_order
    position = np.stack([root[:, order.index(a)] for a in ("tx", "ty", "tz")], axis=-1) * asf.metres_per_unit
    rot_dof = tuple(a for a in order if a.startswith("r"))
    rot_values = np.stack([root[:, order.index(a)] for a in rot_dof], axis=-1)
    c = asf.root_axis
    matrices = {"root": c @ _dof_rotation(rot_values, rot_dof, asf.degrees) @ c.T}
    ends = {"root": position}
    stack = ["root"]
    while stack:
        parent = stack.pop()
        for name in asf.children.get(parent, []):
            bone = asf.bones[name]
            local = np.eye(3)
            if bone.dof:
                local = _dof_rotation(motion[name], bone.dof, asf.degrees)
            matrices[name] = matrices[parent] @ bone.axis @ local @ bone.axis.T
            ends[name] = ends[parent] + bone.length * (matrices[name] @ bone.direction)
            stack.append(name)
    return ends


def convert(asf_text: str, amc_text: str, src_fps: float = CMU_FPS) -> np.ndarray:
    """Convert an ASF/AMC pair to a canonical clip ``[T, 22, 3]`` at 25 fps: facing +z at frame 0,
    pelvis above the origin, lowest foot joint on the ground, rigid bones."""
    asf = parse_asf(asf_text)
    ends = forward_kinematics(asf, parse_amc(amc_text, asf))
    missing = {b for bones in SMPL_FROM_BONES.values() for b in bones} - set(ends)
    if missing:
        raise ValueError(f"ASF: the skeleton lacks bones needed for smpl22: {sorted(missing)}")
    joints = np.stack([np.mean([ends[b] for b in SMPL_FROM_BONES[name]], axis=0)
                       for name in skeleton.JOINT_NAMES], axis=1)
    joints = skeleton.resample(skeleton.make_rigid(joints), src_fps, FPS)
    return skeleton.make_rigid(skeleton.put_on_ground(skeleton.normalize_heading(joints)))


__all__ = ["AsfBone", "AsfSkeleton", "parse_asf", "parse_amc", "forward_kinematics", "convert"]
