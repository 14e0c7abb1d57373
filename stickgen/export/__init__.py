"""Exporters: ``.motion``, BVH and glTF/GLB, chosen by the output path's extension.

``export(scene, path)`` writes and returns the written paths. A BVH holds one skeleton, so a scene with
several actors becomes ``NAME.bvh`` for the first actor and ``NAME.<actor id>.bvh`` for each other one;
glTF holds all actors in one file. Readers for the round trip: :func:`read_bvh` and :func:`read_gltf`.
"""
from __future__ import annotations

import os
from pathlib import Path

from .bvh import BvhClip, read_bvh, write_bvh
from .gltf import read_gltf, write_gltf

SUFFIXES = (".motion", ".bvh", ".glb", ".gltf")


def export(scene, path: str | os.PathLike) -> list[Path]:
    """Write ``scene`` to ``path`` as ``.motion``, ``.bvh``, ``.glb`` or ``.gltf``; returns the files written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".motion":
        return [scene.save(path, decimals=5)]
    if suffix == ".bvh":
        return [write_bvh(actor, path if i == 0 else path.with_name(f"{path.stem}.{actor.id}.bvh"), scene.fps)
                for i, actor in enumerate(scene.actors)]
    if suffix in (".glb", ".gltf"):
        return [write_gltf(scene, path)]
    raise ValueError(f"cannot export to {str(path)!r}: expected one of {', '.join(SUFFIXES)}")


__all__ = ["export", "read_bvh", "read_gltf", "write_bvh", "write_gltf", "BvhClip"]
