"""glTF 2.0 export (``.glb`` binary or ``.gltf`` with an embedded buffer) and import.

Each actor is a node tree in the ``smpl22`` hierarchy (nodes named ``<actor id>:<joint>``, with
``extras`` naming both) whose rest translations are the actor's bone offsets. One animation drives
every joint's rotation and each root's translation (LINEAR, one key per frame). Stick geometry makes
the figure visible in any viewer: a box along each bone and a sphere for the head, in the actor's
colour, parented to the joints so they move rigidly with them (no skinning needed).
"""
from __future__ import annotations

import base64
import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

from ..motion import atomic_write
from ..render.styles import hex_to_rgb
from ..skeleton import JOINT_INDEX, JOINT_NAMES, NUM_JOINTS, PARENTS
from .kinematics import (
    actor_offsets,
    align_rotation,
    forward_kinematics,
    matrix_to_quaternion,
    quaternion_to_matrix,
    solve_rotations,
)

FLOAT, UNSIGNED_SHORT = 5126, 5123
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
STICK_HALF_WIDTH = 0.02
HEAD_RADIUS = 0.11


# ----------------------------------------------------------------------------- geometry


def _box() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A box from y = 0 to 1, ``STICK_HALF_WIDTH`` thick: positions ``[24, 3]``, normals, indices ``[36]``."""
    positions, normals, indices = [], [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u, v = np.roll(np.eye(3), 1, axis=0)[axis], np.roll(np.eye(3), 2, axis=0)[axis]
            if sign > 0:  # counter-clockwise seen from outside
                u, v = v, u
            base = len(positions)
            for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                p = 0.5 * (n + a * u + b * v)
                positions.append(p)
                normals.append(n)
            indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    positions = np.array(positions) * [2 * STICK_HALF_WIDTH, 1.0, 2 * STICK_HALF_WIDTH] + [0.0, 0.5, 0.0]
    return positions, np.array(normals), np.array(indices)


def _sphere(rings: int = 8, segments: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A unit UV sphere: positions ``[V, 3]`` (also its normals) and triangle indices."""
    theta = np.linspace(0, np.pi, rings + 1)[:, None]
    phi = np.linspace(0, 2 * np.pi, segments + 1)[None, :]
    points = np.stack([np.sin(theta) * np.cos(phi), np.cos(theta) + 0 * phi, np.sin(theta) * np.sin(phi)], -1)
    points = points.reshape(-1, 3)
    indices = []
    for r in range(rings):
        for s in range(segments):
            a, b = r * (segments + 1) + s, (r + 1) * (segments + 1) + s
            indices += [a, a + 1, b, a + 1, b + 1, b]
    return points, points, np.array(indices)


# ----------------------------------------------------------------------------- document builder


class _Builder:
    """Accumulates the binary buffer, buffer views and accessors of a glTF document."""

    def __init__(self) -> None:
        self.blob = bytearray()
        self.doc: dict[str, Any] = {"asset": {"version": "2.0", "generator": "stickgen"}, "scene": 0,
                                    "scenes": [{"nodes": []}], "nodes": [], "meshes": [], "materials": [],
                                    "accessors": [], "bufferViews": [], "animations": []}

    def accessor(self, array: np.ndarray, kind: str, target: int | None = None, bounds: bool = False) -> int:
        array = np.ascontiguousarray(array, dtype=np.uint16 if target == ELEMENT_ARRAY_BUFFER else np.float32)
        view: dict[str, Any] = {"buffer": 0, "byteOffset": len(self.blob), "byteLength": array.nbytes}
        if target is not None:
            view["target"] = target
        self.blob += array.tobytes()
        self.blob += b"\0" * (-len(self.blob) % 4)
        self.doc["bufferViews"].append(view)
        flat = array.reshape(len(array), -1)
        entry = {"bufferView": len(self.doc["bufferViews"]) - 1, "componentType":
                 UNSIGNED_SHORT if array.dtype == np.uint16 else FLOAT, "count": len(array), "type": kind}
        if bounds:
            entry["min"], entry["max"] = flat.min(axis=0).tolist(), flat.max(axis=0).tolist()
        self.doc["accessors"].append(entry)
        return len(self.doc["accessors"]) - 1

    def mesh(self, name: str, geometry: tuple[np.ndarray, np.ndarray, np.ndarray], material: int) -> int:
        positions, normals, indices = geometry
        primitive = {"attributes": {"POSITION": self.accessor(positions, "VEC3", ARRAY_BUFFER, bounds=True),
                                    "NORMAL": self.accessor(normals, "VEC3", ARRAY_BUFFER)},
                     "indices": self.accessor(indices, "SCALAR", ELEMENT_ARRAY_BUFFER), "material": material}
        self.doc["meshes"].append({"name": name, "primitives": [primitive]})
        return len(self.doc["meshes"]) - 1

    def node(self, node: dict[str, Any], parent: int | None) -> int:
        self.doc["nodes"].append(node)
        index = len(self.doc["nodes"]) - 1
        if parent is None:
            self.doc["scenes"][0]["nodes"].append(index)
        else:
            self.doc["nodes"][parent].setdefault("children", []).append(index)
        return index


def _add_actor(builder: _Builder, motion, color: str, times: int, channels: list, samplers: list) -> None:
    offsets = actor_offsets(motion.joints)
    rotations = matrix_to_quaternion(solve_rotations(motion.joints, offsets))    # [T, 22, 4]
    rgb = [c / 255 for c in hex_to_rgb(color)]
    builder.doc["materials"].append({"name": f"{motion.id}:stick", "pbrMetallicRoughness": {
        "baseColorFactor": rgb + [1.0], "metallicFactor": 0.0, "roughnessFactor": 0.8}})
    material = len(builder.doc["materials"]) - 1
    stick = builder.mesh(f"{motion.id}:stick", _box(), material)
    head = builder.mesh(f"{motion.id}:head", _sphere(), material)
    nodes: list[int] = []
    for j, name in enumerate(JOINT_NAMES):
        translation = motion.joints[0, 0] if j == 0 else offsets[j]
        nodes.append(builder.node({"name": f"{motion.id}:{name}", "translation": translation.tolist(),
                                   "rotation": rotations[0, j].tolist(),
                                   "extras": {"actor": motion.id, "joint": name}},
                                  nodes[PARENTS[j]] if j else None))
        samplers.append({"input": times, "output": builder.accessor(rotations[:, j], "VEC4"),
                         "interpolation": "LINEAR"})
        channels.append({"sampler": len(samplers) - 1, "target": {"node": nodes[j], "path": "rotation"}})
    samplers.append({"input": times, "output": builder.accessor(motion.joints[:, 0], "VEC3"),
                     "interpolation": "LINEAR"})
    channels.append({"sampler": len(samplers) - 1, "target": {"node": nodes[0], "path": "translation"}})
    for child in range(1, NUM_JOINTS):
        length = float(np.linalg.norm(offsets[child]))
        turn = matrix_to_quaternion(align_rotation(np.array([0.0, 1.0, 0.0]), offsets[child]))
        builder.node({"name": f"{motion.id}:bone:{JOINT_NAMES[child]}", "mesh": stick, "rotation": turn.tolist(),
                      "scale": [1.0, length, 1.0]}, nodes[PARENTS[child]])
    scale = float(np.linalg.norm(offsets[JOINT_INDEX["head"]])) / 0.1 * HEAD_RADIUS
    builder.node({"name": f"{motion.id}:head_shape", "mesh": head, "translation": [0.0, 0.6 * scale, 0.0],
                  "scale": [scale] * 3}, nodes[JOINT_INDEX["head"]])


def gltf_document(scene) -> tuple[dict[str, Any], bytes]:
    """The glTF JSON document and its binary buffer for all actors of ``scene``."""
    builder = _Builder()
    times = builder.accessor(np.arange(scene.num_frames) / scene.fps, "SCALAR", bounds=True)
    channels: list = []
    samplers: list = []
    for i, motion in enumerate(scene.actors):
        _add_actor(builder, motion, scene.actor_color(i), times, channels, samplers)
    builder.doc["animations"].append({"name": "motion", "channels": channels, "samplers": samplers})
    builder.doc["buffers"] = [{"byteLength": len(builder.blob)}]
    return builder.doc, bytes(builder.blob)


def write_gltf(scene, path: str | os.PathLike) -> Path:
    """Write ``.glb`` (binary container) or ``.gltf`` (JSON with a base64 buffer), atomically."""
    doc, blob = gltf_document(scene)
    if Path(path).suffix.lower() == ".gltf":
        doc["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64.b64encode(blob).decode()
        return atomic_write(path, json.dumps(doc))
    text = json.dumps(doc, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    chunks = struct.pack("<II", len(text), 0x4E4F534A) + text + struct.pack("<II", len(blob), 0x004E4942) + blob
    return atomic_write(path, struct.pack("<III", 0x46546C67, 2, 12 + len(chunks)) + chunks)


# ----------------------------------------------------------------------------- reading


def _load(path: str | os.PathLike) -> tuple[dict[str, Any], bytes]:
    data = Path(path).read_bytes()
    if data[:4] == b"glTF":
        json_length = struct.unpack_from("<I", data, 12)[0]
        doc = json.loads(data[20:20 + json_length])
        blob_start = 20 + json_length
        blob = data[blob_start + 8:blob_start + 8 + struct.unpack_from("<I", data, blob_start)[0]]
        return doc, blob
    doc = json.loads(data)
    uri = doc["buffers"][0]["uri"]
    if not uri.startswith("data:"):
        return doc, (Path(path).parent / uri).read_bytes()
    return doc, base64.b64decode(uri.split(",", 1)[1])


def _read_accessor(doc: dict[str, Any], blob: bytes, index: int) -> np.ndarray:
    accessor = doc["accessors"][index]
    view = doc["bufferViews"][accessor["bufferView"]]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[accessor["type"]]
    dtype = np.float32 if accessor["componentType"] == FLOAT else np.uint16
    start = view.get("byteOffset", 0) + accessor.get("byteOffset", 0)
    array = np.frombuffer(blob, dtype=dtype, count=accessor["count"] * width, offset=start)
    return array.reshape(accessor["count"], width).astype(np.float64)


def read_gltf(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Joint positions per actor id, ``{id: [T, 22, 3]}``, from a glTF/GLB written by :func:`write_gltf`
    (forward kinematics over the node hierarchy, sampled at the animation's key times)."""
    doc, blob = _load(path)
    nodes = doc["nodes"]
    joints_of: dict[str, dict[str, int]] = {}
    for i, node in enumerate(nodes):
        extras = node.get("extras", {})
        if "joint" in extras:
            joints_of.setdefault(extras["actor"], {})[extras["joint"]] = i
    animation = doc["animations"][0]
    tracks = {(c["target"]["node"], c["target"]["path"]): _read_accessor(doc, blob, animation["samplers"][
        c["sampler"]]["output"]) for c in animation["channels"]}
    frames = len(_read_accessor(doc, blob, animation["samplers"][0]["input"]))
    out = {}
    for actor, index in joints_of.items():
        order = [index[name] for name in JOINT_NAMES]
        parent_of = {child: i for i, node in enumerate(nodes) for child in node.get("children", [])}
        if any(parent_of.get(order[j]) != order[PARENTS[j]] for j in range(1, NUM_JOINTS)):
            raise ValueError(f"{path}: actor {actor!r} does not have the smpl22 hierarchy")
        offsets = np.array([nodes[n].get("translation", [0.0, 0.0, 0.0]) for n in order])
        quats = np.stack([tracks.get((n, "rotation"), np.tile(nodes[n].get("rotation", [0, 0, 0, 1]), (frames, 1)))
                          for n in order], axis=1)
        root = tracks.get((order[0], "translation"), np.tile(offsets[0], (frames, 1)))
        offsets[0] = 0.0
        out[actor] = forward_kinematics(root, quaternion_to_matrix(quats), offsets)
    return out
