"""Key poses from pictures: the image encoder's pose pinned into a generated clip, seen from the picture's camera.

A picture (a render, a drawing on the app's sketch pad) becomes a :class:`KeyPose`: the body-frame pose the
image encoder reads from it (:func:`stickgen.image_pose.level_pose`: world up, facing +z, feet on y = 0),
the clip frame it belongs to, and the view it was seen from. :func:`pinned_frames` places each key pose
where the generated clip's body is at that frame (its pelvis on the ground plane, its heading, its bone
lengths), so the window sampler regenerates the clip around those frames and the text drives the rest
(``StickGenPipeline.__call__(prompt, image=..., image_time=...)``). :func:`picture_camera` is the scene
camera that shows the first key pose as the picture did: from the same side and height, the figure as tall
in the frame, following the actor.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np

from .render.camera import DEFAULT_FOV, camera_path
from .skeleton import bone_lengths, heading_angles, rotate_y

#: the share of the frame height above and below the figure the picture's camera leaves at least
MIN_FILL, MAX_FILL = 0.15, 0.9
#: the factors a key pose may be scaled by to the generated body's size (a misread, shrunken pose stays sane)
SCALE_RANGE = (0.5, 2.0)
#: seconds (Gaussian sigma) over which the world stage's change of a key frame is undone around it
KEY_BLEND_S = 0.2


@dataclass
class KeyPose:
    """One picture's pose: ``joints [22, 3]`` body frame (facing +z, feet on y = 0, metres), the model-clock
    ``frame`` it is pinned to, the picture's view (``azimuth_deg``: the camera's direction from the body
    relative to its facing, 0 in front, +90 on its left; ``elevation_deg``: the downward pitch) and ``fill``,
    the figure's height as a share of the picture's."""

    joints: np.ndarray
    frame: int
    azimuth_deg: float
    elevation_deg: float
    fill: float


def _opened(image: Any) -> Any:
    """A picture, opened when it is a file path (a clear error when it cannot be read as an image)."""
    if not isinstance(image, (str, os.PathLike)):
        return image
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(image) as opened:
            return opened.convert("RGBA")
    except (OSError, UnidentifiedImageError) as exc:
        raise ValueError(f"cannot read the picture {str(image)!r}: {exc}") from None


def key_poses(encoder: Any, images: Any, times: float | Sequence[float], fps: float, num_frames: int
              ) -> list[KeyPose]:
    """Read one key pose from each picture (a PIL image, an ``[H, W, 3]`` array or a file path; one, or a
    list) at ``times`` seconds (one number for
    every picture, or one per picture) of a clip of ``num_frames`` frames at ``fps``, sorted by frame. A
    ValueError names a time outside the clip, a count mismatch or two pictures on the same frame."""
    from .image_pose import estimate_poses, level_pose, pictures

    listed = list(images) if isinstance(images, (list, tuple)) or np.ndim(images) == 4 else [images]
    rgb = pictures([_opened(image) for image in listed])
    times = np.broadcast_to(np.asarray(times, dtype=np.float64), (len(rgb),)) if np.ndim(times) == 0 \
        else np.asarray(times, dtype=np.float64)
    if times.shape != (len(rgb),):
        raise ValueError(f"image_time: give one time or one per picture ({len(rgb)}), got {len(times)}")
    duration = (num_frames - 1) / fps
    if not np.all(np.isfinite(times)) or times.min() < 0 or times.max() > duration + 1e-9:
        raise ValueError(f"image_time must lie within the clip, 0 to {duration:.2f} s, got {times.tolist()}")
    frames = np.minimum(np.round(times * fps).astype(int), num_frames - 1)
    if len(set(frames.tolist())) < len(frames):
        raise ValueError(f"two pictures fall on the same frame (image_time {times.tolist()})")
    estimate = estimate_poses(encoder, rgb)
    poses = level_pose(estimate)
    fills = (estimate.box[:, 3] - estimate.box[:, 1]) / estimate.image_size[:, 1]
    keys = [KeyPose(poses[i], int(frames[i]), float(estimate.azimuth_deg[i]), float(estimate.elevation_deg[i]),
                    float(fills[i])) for i in range(len(rgb))]
    return sorted(keys, key=lambda key: key.frame)


def placed_pose(key: KeyPose, clip: np.ndarray) -> np.ndarray:
    """The key pose ``[22, 3]`` where ``clip [T, 22, 3]`` has its body at the key's frame: scaled to the clip's
    size (one factor: the sum of the clip's median bone lengths over the pose's, within :data:`SCALE_RANGE`,
    so the pose keeps its own proportions), turned to the clip's heading there, its pelvis above the clip's on
    the ground plane and its feet as high as the key pose's (on the clip's floor, y = 0, for a pose read from a
    picture)."""
    scale = np.median(bone_lengths(clip), axis=0).sum() / max(bone_lengths(key.joints).sum(), 1e-6)
    scale = float(np.clip(scale, *SCALE_RANGE))
    pose = (key.joints - key.joints[0]) * scale
    pose[:, 1] += key.joints[:, 1].min() - pose[:, 1].min()
    body = clip[key.frame]
    return rotate_y(pose, float(heading_angles(body))) + body[0] * np.array([1.0, 0.0, 1.0])


def pinned_frames(keys: Sequence[KeyPose], clip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(given [T, 22, 3], keep [T] bool)``: ``clip`` with each key pose placed on its frame
    (:func:`placed_pose`) and those frames marked, for ``WindowSampler.sample(given=..., keep=...)``."""
    given, keep = np.array(clip, dtype=np.float64), np.zeros(len(clip), bool)
    for key in keys:
        given[key.frame], keep[key.frame] = placed_pose(key, clip), True
    return given, keep


def body_frame(pose: np.ndarray) -> np.ndarray:
    """``pose [..., 22, 3]`` (world) in its body frame: pelvis above the origin, facing +z (height kept)."""
    pose = np.asarray(pose, dtype=np.float64)
    return rotate_y(pose - pose[..., :1, :] * np.array([1.0, 0.0, 1.0]), -heading_angles(pose)[..., None])


def hold_key_frames(world: np.ndarray, poses: dict[int, np.ndarray], fps: float,
                    blend_s: float = KEY_BLEND_S) -> np.ndarray:
    """``world [T, 22, 3]`` with its body at each frame ``f`` of ``poses`` made exactly ``poses[f]`` (a body-frame
    pose ``[22, 3]``, :func:`body_frame`), kept where the world stage (foot planting, smoothing) moved it: the
    difference at ``f`` is added around it with Gaussian weights of sigma ``blend_s`` seconds (1 at ``f``)."""
    out = np.array(world, dtype=np.float64)
    frames = np.arange(len(out))
    for frame, pose in poses.items():
        body = out[frame]
        change = rotate_y(np.asarray(pose) - body_frame(body), float(heading_angles(body)))  # [22, 3] world axes
        weight = np.exp(-0.5 * ((frames - frame) / (blend_s * fps)) ** 2)
        out += weight[:, None, None] * change
    return out


def picture_camera(scene: Any, key: KeyPose, size: tuple[int, int] = (512, 512), fov: float = DEFAULT_FOV
                   ) -> dict[str, Any]:
    """A ``.motion`` camera object for ``scene`` (whose first actor holds ``key``'s pose at ``key.frame``):
    at that frame the camera looks at the actor from the picture's azimuth and elevation, from the distance
    at which the figure fills the frame height as it filled the picture (within :data:`MIN_FILL` to
    :data:`MAX_FILL`), and it follows the actor (a ``track`` move) over the whole clip."""
    joints = scene.actors[0].joints
    body = joints[key.frame]
    target = np.array([body[0, 0], 0.5 * (body[:, 1].max() + body[:, 1].min()), body[0, 2]])
    height = body[:, 1].max() - body[:, 1].min() + 0.25  # the drawn head reaches above the head joint
    fill = float(np.clip(key.fill, MIN_FILL, MAX_FILL))
    distance = height / (2.0 * np.tan(np.radians(fov) * 0.5) * fill)
    azimuth = float(heading_angles(body)) + np.radians(key.azimuth_deg)
    elevation = np.radians(key.elevation_deg)
    offset = distance * np.array([np.sin(azimuth) * np.cos(elevation), np.sin(elevation),
                                  np.cos(azimuth) * np.cos(elevation)])
    position = target + offset
    position[1] = max(position[1], 0.1)  # never below the floor
    track = {"move": "track", "start": 0, "end": len(joints), "target_actor": scene.actors[0].id}
    camera = {"keyframes": [{"frame": 0, "position": position.tolist(), "target": target.tolist(), "fov": fov}],
              "moves": [track]}
    moved = camera_path(replace(scene, camera=camera), size)  # where the track has carried it by key.frame
    shift = position - moved.positions[key.frame]
    for name, point in (("position", position), ("target", target)):
        camera["keyframes"][0][name] = (point + shift).round(5).tolist()
    return camera


def posed_scene(scene: Any, pinned: np.ndarray, keys: Sequence[KeyPose], model_fps: float) -> Any:
    """``scene`` after the world stage with its first actor's key frames held (:func:`hold_key_frames`, the
    poses of ``pinned [T', 22, 3]``, the regenerated clip on the model's clock at ``model_fps``) and seen from
    the first picture's camera (:func:`picture_camera`). Changes ``scene`` in place and returns it."""
    scale = scene.fps / model_fps
    on_scene = [replace(key, frame=min(int(round(key.frame * scale)), scene.num_frames - 1)) for key in keys]
    actor = scene.actors[0]
    actor.joints = hold_key_frames(actor.joints, {key.frame: body_frame(pinned[k.frame])
                                                  for key, k in zip(on_scene, keys)}, scene.fps)
    scene.camera = picture_camera(scene, on_scene[0])
    return scene
