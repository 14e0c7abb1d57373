"""Exporters: BVH and glTF/GLB round trips within 1 mm, file structure, and clear errors."""
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from test_render_fixtures import scene_of, standing, waving

from stickgen.export import export, read_bvh, read_gltf
from stickgen.export.kinematics import (
    actor_offsets,
    euler_to_matrix,
    fit_rotation_about,
    fit_to_skeleton,
    forward_kinematics,
    matrix_to_euler_zxy,
    matrix_to_quaternion,
    quaternion_to_matrix,
    solve_rotations,
)
from stickgen.motion import Scene
from stickgen.skeleton import JOINT_INDEX, JOINT_NAMES, bone_lengths, make_rigid, rest_offsets

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MM = 1e-3


def odd_body(frames: int = 40, seed: int = 3) -> np.ndarray:
    """A rigid clip whose hip/collar triangles differ from the standard rest pose (as real mocap does)."""
    rng = np.random.default_rng(seed)
    offsets = rest_offsets(1.62) + rng.normal(0, 0.015, (22, 3))
    angles = rng.uniform(-60, 60, (1, 22, 3)) * np.sin(np.linspace(0, 6, frames))[:, None, None]
    root = np.stack([np.linspace(-1, 1, frames), np.full(frames, 0.9), np.linspace(0, 2, frames)], axis=1)
    return forward_kinematics(root - offsets[0], euler_to_matrix(angles, "ZXY"), offsets)


CLIPS = {"waving": lambda: scene_of(waving(50)), "odd_body": lambda: scene_of(odd_body()),
         "two_actors": lambda: Scene.load(EXAMPLES / "two_actors.motion")}


@pytest.mark.parametrize("name", CLIPS)
def test_bvh_round_trip_within_1mm(name, tmp_path):
    scene = CLIPS[name]()
    paths = export(scene, tmp_path / "clip.bvh")
    assert len(paths) == len(scene.actors)
    for actor, path in zip(scene.actors, paths):
        clip = read_bvh(path)
        assert clip.fps == pytest.approx(scene.fps)
        assert np.abs(clip.smpl22() - actor.joints).max() < MM


@pytest.mark.parametrize("suffix", [".glb", ".gltf"])
@pytest.mark.parametrize("name", CLIPS)
def test_gltf_round_trip_within_1mm(name, suffix, tmp_path):
    scene = CLIPS[name]()
    (path,) = export(scene, tmp_path / f"clip{suffix}")
    joints = read_gltf(path)
    assert sorted(joints) == sorted(a.id for a in scene.actors)
    for actor in scene.actors:
        assert np.abs(joints[actor.id] - actor.joints).max() < MM


def test_bvh_structure(tmp_path):
    (path,) = export(scene_of(waving(12)), tmp_path / "clip.bvh")
    text = path.read_text()
    header, motion = text.split("MOTION\n")
    names = [line.split()[1] for line in header.splitlines() if line.strip().startswith(("ROOT", "JOINT"))]
    assert sorted(names) == sorted(JOINT_NAMES) and names[0] == "pelvis"
    assert header.count("End Site") == 5                                    # head, wrists, toes
    assert "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation" in header
    lines = motion.splitlines()
    assert lines[0] == "Frames: 12" and lines[1] == "Frame Time: 0.04000000"
    assert all(len(line.split()) == 6 + 21 * 3 for line in lines[2:]) and len(lines) == 14
    clip = read_bvh(path)
    order = [clip.names.index(n) for n in JOINT_NAMES[1:]]
    lengths = np.linalg.norm(clip.offsets[order], axis=1)
    np.testing.assert_allclose(lengths, bone_lengths(waving(1)[0]), atol=1e-6)  # rest offsets = the actor's bones


def test_bvh_reader_follows_channel_order(tmp_path):
    path = tmp_path / "tiny.bvh"
    path.write_text("HIERARCHY\nROOT hips\n{\n OFFSET 0 0 0\n CHANNELS 6 Xposition Yposition Zposition "
                    "Xrotation Yrotation Zrotation\n JOINT arm\n {\n  OFFSET 0 1 0\n  CHANNELS 3 Xrotation "
                    "Yrotation Zrotation\n  End Site\n  {\n   OFFSET 1 0 0\n  }\n }\n}\nMOTION\nFrames: 2\n"
                    "Frame Time: 0.5\n1 2 3 0 0 0 0 0 0\n0 0 0 0 0 90 0 0 0\n")
    clip = read_bvh(path)
    assert clip.names == ["hips", "arm"] and clip.fps == 2.0
    np.testing.assert_allclose(clip.joints[0], [[1, 2, 3], [1, 3, 3]], atol=1e-12)
    np.testing.assert_allclose(clip.joints[1], [[0, 0, 0], [-1, 0, 0]], atol=1e-12)  # z turn swings +y to -x
    with pytest.raises(KeyError, match="lacks smpl22 joints"):
        clip.smpl22()


def test_bad_files_and_paths_raise_clear_errors(tmp_path):
    broken = tmp_path / "broken.bvh"
    broken.write_text("HIERARCHY\nROOT a\n{\n OFFSET 0 0\n")
    with pytest.raises(ValueError, match="not a valid BVH"):
        read_bvh(broken)
    with pytest.raises(ValueError, match="cannot export"):
        export(scene_of(standing(2)), tmp_path / "x.fbx")


def test_glb_container_and_gltf_structure(tmp_path):
    import pygltflib
    from pygltflib.validator import validate

    scene = scene_of(waving(20), standing(20, x=1))
    (path,) = export(scene, tmp_path / "clip.glb")
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<III", data)
    assert (magic, version, length) == (0x46546C67, 2, len(data))
    gltf = pygltflib.GLTF2().load(str(path))
    with pytest.warns(UserWarning, match="provisional"):
        validate(gltf)                                                       # raises on structural errors
    blob = gltf.binary_blob()
    assert gltf.buffers[0].byteLength == len(blob)
    for view in gltf.bufferViews:
        assert view.byteOffset % 4 == 0 and view.byteOffset + view.byteLength <= len(blob)
    sizes = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}
    for accessor in gltf.accessors:
        view = gltf.bufferViews[accessor.bufferView]
        item = 2 if accessor.componentType == 5123 else 4
        assert accessor.count * sizes[accessor.type] * item <= view.byteLength
    animation = gltf.animations[0]
    assert len(animation.channels) == 2 * 23                                # 22 rotations + root translation
    times = gltf.accessors[animation.samplers[0].input]
    assert times.count == 20 and times.max == [pytest.approx(19 / 25)]
    assert {c.target.path for c in animation.channels} == {"rotation", "translation"}
    assert len(gltf.meshes) == 4 and all(m.primitives[0].attributes.POSITION is not None for m in gltf.meshes)
    doc = json.loads(data[20:20 + struct.unpack_from("<I", data, 12)[0]])
    assert doc["nodes"][0]["name"] == "a0:pelvis"


def test_rotation_conversions_round_trip():
    rng = np.random.default_rng(0)
    matrices = euler_to_matrix(rng.uniform(-170, 170, (200, 3)) * [1, 0.5, 1], "ZXY")
    np.testing.assert_allclose(euler_to_matrix(matrix_to_euler_zxy(matrices), "ZXY"), matrices, atol=1e-9)
    np.testing.assert_allclose(quaternion_to_matrix(matrix_to_quaternion(matrices)), matrices, atol=1e-9)
    joints = odd_body(10)
    offsets = actor_offsets(joints)
    rebuilt = forward_kinematics(joints[:, 0] - offsets[0], solve_rotations(joints, offsets), offsets)
    np.testing.assert_allclose(rebuilt, joints, atol=1e-9)


def test_loose_clips_export_their_best_fit_and_warn(tmp_path, caplog):
    clip = make_rigid(waving(30) + np.random.default_rng(1).normal(0, 0.004, (30, 22, 3)))  # rigid bones,
    fitted = fit_to_skeleton(clip)                                                          # jittery hips
    assert 1 * MM < np.abs(fitted - clip).max() < 60 * MM
    np.testing.assert_allclose(fit_to_skeleton(fitted), fitted, atol=1e-9)                  # a fixed point
    with caplog.at_level("WARNING", logger="stickgen.export"):
        (path,) = export(scene_of(clip), tmp_path / "loose.bvh")
    assert "deviates by up to" in caplog.text
    assert np.abs(read_bvh(path).smpl22() - fitted).max() < MM                              # holds the fit
    caplog.clear()
    with caplog.at_level("WARNING", logger="stickgen.export"):
        export(scene_of(fitted), tmp_path / "fitted.glb")
    assert caplog.text == ""


def test_fit_rotation_about_holds_the_pivot_and_fits_the_rest():
    rng = np.random.default_rng(2)
    rest = rng.normal(size=(3, 3))
    turns = euler_to_matrix(rng.uniform(-170, 170, (50, 3)) * [1, 0.5, 1], "ZXY")
    exact = np.einsum("tij,nj->tni", turns, rest)                              # [50, 3, 3], a rigid copy
    np.testing.assert_allclose(fit_rotation_about(rest, exact, 2), turns, atol=1e-9)
    bent = exact + rng.normal(0, 0.05, exact.shape)
    about = fit_rotation_about(rest, bent, 2)
    moved = np.einsum("tij,nj->tni", about, rest)
    np.testing.assert_allclose(np.cross(moved[:, 2], bent[:, 2]), 0.0, atol=1e-9)   # pivot: exact direction
    axis = bent[:, 2] / np.linalg.norm(bent[:, 2], axis=-1, keepdims=True)
    cross = np.cross(axis[:, None, :], -np.eye(3))                               # [50, 3, 3]: K @ w = axis x w
    squared = lambda r: ((np.einsum("tij,nj->tni", r, rest) - bent) ** 2).sum((1, 2))  # noqa: E731
    for angle in (-0.02, 0.02):                                                   # the best turn about the pivot
        twist = np.eye(3) + np.sin(angle) * cross + (1 - np.cos(angle)) * cross @ cross
        assert (squared(twist @ about) > squared(about)).all()


def test_fit_to_skeleton_holds_the_spine_exactly_and_fits_the_triangles_about_it():
    clip = odd_body(40)
    wobble = 0.02 * np.sin(np.linspace(0, 6, 40))[:, None]
    for name in ("left_hip", "right_collar"):
        clip[:, JOINT_INDEX[name]] += wobble                    # loose hip and collar triangles
    clip = make_rigid(clip)
    fitted = fit_to_skeleton(clip)
    spine = [JOINT_INDEX[n] for n in ("spine1", "spine2", "spine3", "neck", "head")]
    np.testing.assert_allclose(fitted[:, spine], clip[:, spine], atol=1e-9)
    assert np.abs(fitted[:, JOINT_INDEX["left_hip"]] - clip[:, JOINT_INDEX["left_hip"]]).max() > 1 * MM
