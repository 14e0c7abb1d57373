"""Exporters: ``.motion``, BVH and glTF/GLB, chosen by the output path's extension.

``export(scene, path)`` writes and returns the written paths. A BVH holds one skeleton, so a scene with
several actors becomes ``NAME.bvh`` for the first actor and ``NAME.<actor id>.bvh`` for each other one;
glTF holds all actors in one file. Readers for the round trip: :func:`read_bvh` and :func:`read_gltf`.

Joint-rotation formats reproduce a clip exactly (to float precision) when its bones are rigid and its
hip and collar triangles keep their shape, as in mocap and SMPL data. For other clips they hold the
best fit, :func:`~stickgen.export.kinematics.fit_to_skeleton`, and ``export`` logs a warning with the
largest deviation when it exceeds ``TOLERANCE_M``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from .bvh import BvhClip, read_bvh, write_bvh
from .gltf import read_gltf, write_gltf
from .kinematics import fit_to_skeleton

TOLERANCE_M = 1e-3
log = logging.getLogger(__name__)


def _warn_if_inexact(scene, kind: str) -> None:
    for actor in scene.actors:
        error = float(np.abs(fit_to_skeleton(actor.joints) - actor.joints).max())
        if error > TOLERANCE_M:
            log.warning("%s export of actor %r deviates by up to %.1f mm: its hip/collar triangles or bone "
                        "lengths change over time (fit_to_skeleton gives the exactly exportable clip)",
                        kind, actor.id, 1000 * error)

SUFFIXES = (".motion", ".bvh", ".glb", ".gltf")


def export(scene, path: str | os.PathLike) -> list[Path]:
    """Write ``scene`` to ``path`` as ``.motion``, ``.bvh``, ``.glb`` or ``.gltf``; returns the files written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".motion":
        return [scene.save(path, decimals=5)]
    if suffix in (".bvh", ".glb", ".gltf"):
        _warn_if_inexact(scene, suffix[1:])
    if suffix == ".bvh":
        return [write_bvh(actor, path if i == 0 else path.with_name(f"{path.stem}.{actor.id}.bvh"), scene.fps)
                for i, actor in enumerate(scene.actors)]
    if suffix in (".glb", ".gltf"):
        return [write_gltf(scene, path)]
    raise ValueError(f"cannot export to {str(path)!r}: expected one of {', '.join(SUFFIXES)}")


__all__ = ["export", "read_bvh", "read_gltf", "write_bvh", "write_gltf", "BvhClip", "fit_to_skeleton"]
