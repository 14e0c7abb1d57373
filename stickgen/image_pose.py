"""A stick figure's pose from one picture: find the figure, crop it, run the image encoder, level the pose.

Conventions:

- **Pictures** are ``[H, W, 3]`` uint8 RGB; PIL images, greyscale and RGBA (composited on white) and
  float arrays in [0, 1] are converted by :func:`to_rgb`.
- **Box** ``(x0, y0, x1, y1)``: the pixel bounds of the figure, ``x1``/``y1`` exclusive.
- **Crop**: the square of side ``(1 + 2 * CROP_MARGIN)`` times the box's longer side, centred on the box
  (outside the picture its edge pixels repeat), resized to the encoder's ``image_size`` ``S`` and scaled
  to [-1, 1]: ``pixel_values [B, 3, S, S]``.
- **Figure view**: the encoder's joints are metres relative to the pelvis in the frame of a camera at the
  real camera's place turned, without roll, to look at the crop's centre (:func:`figure_view`): x right,
  y up, z forward (away from the camera). For a figure in the middle of the picture it is the camera's
  own frame; cropping cannot tell where in the picture the figure stood, so this is what one crop shows.
- **Camera angles**: ``azimuth_deg`` is the heading of the horizontal direction from the figure to the
  camera minus the body's heading (both as :func:`stickgen.skeleton.heading_angles`: 0 toward +z,
  positive toward +x), in (-180, 180]: 0 is a camera in front of the body, +90 on its left (the
  parallax dataset's ``azimuth``); ``elevation_deg`` is the downward pitch of the figure view's axis.

:func:`level_pose` turns an estimate into a body-frame key pose (world up, facing +z, feet on y = 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch
from PIL import Image
from scipy import ndimage

from .render.camera import CameraPath
from .skeleton import FOOT_JOINTS, heading_angles, mirror, rotate_y

CROP_MARGIN = 0.15
#: a pixel belongs to the figure when one channel differs this much from its row's median
FIGURE_CONTRAST = 40
#: strokes closer than about twice this many pixels count as one piece of the figure
GAP_PIXELS = 2
#: pieces of at least SMALL_SHARE of the largest piece's pixels, within NEAR_SHARE of its longer side
#: from its box, belong to the figure too (a head drawn apart from the body)
NEAR_SHARE, SMALL_SHARE = 0.2, 0.05
MIN_FIGURE_PIXELS = 10

Box = tuple[int, int, int, int]


@dataclass
class PoseEstimate:
    """What :func:`estimate_poses` reads from ``N`` pictures.

    ``joints [N, 22, 3]`` figure-view metres (pelvis at 0), ``azimuth_deg [N]``, ``elevation_deg [N]``,
    ``box [N, 4]`` the figure's box in each picture and ``image_size [N, 2]`` each picture's (W, H).
    """

    joints: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    box: np.ndarray
    image_size: np.ndarray


# ----------------------------------------------------------------------------- pictures


def to_rgb(image: Any) -> np.ndarray:
    """A PIL image or an array (``[H, W]``, ``[H, W, 1|3|4]``; uint8, or float in [0, 1]) as ``[H, W, 3]``
    uint8 RGB; transparency is composited on white."""
    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "PA", "P") or "transparency" in image.info:
            image = image.convert("RGBA")
        image = np.asarray(image if image.mode == "RGBA" else image.convert("RGB"))
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = np.clip(np.round(array.astype(np.float64) * 255), 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3 or array.shape[-1] not in (1, 3, 4):
        raise ValueError(f"a picture must be [H, W], [H, W, 3] or [H, W, 4], got shape {list(array.shape)}")
    if array.shape[-1] == 4:
        alpha = array[..., 3:].astype(np.float64) / 255
        array = np.round(array[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    return np.ascontiguousarray(np.broadcast_to(array, array.shape[:2] + (3,)))


def pictures(images: Any) -> list[np.ndarray]:
    """One picture, or a sequence (a list, an ``[N, H, W, 3]`` array), as a list of :func:`to_rgb` arrays."""
    if isinstance(images, Image.Image) or (isinstance(images, np.ndarray) and images.ndim <= 3):
        images = [images]
    return [to_rgb(image) for image in images]


def figure_box(image: Any) -> Box:
    """The stick figure's box ``(x0, y0, x1, y1)`` in a picture (see :func:`to_rgb` for what it takes).

    Figure pixels differ by more than ``FIGURE_CONTRAST`` from the median of their row (so a sky-to-ground
    gradient and the horizon are background; a figure never fills half a row). Pixels that touch
    after a ``GAP_PIXELS`` dilation form pieces; the figure is the largest piece and the pieces near it
    (a detached head), so floor-grid dashes and specks are left out. ``ValueError`` if the
    picture holds no piece of at least ``MIN_FIGURE_PIXELS`` pixels.
    """
    residual = to_rgb(image).astype(np.float32)
    residual -= np.median(residual, axis=1, keepdims=True)
    mask = np.abs(residual).max(axis=-1) > FIGURE_CONTRAST  # [H, W]
    labels, count = ndimage.label(ndimage.binary_dilation(mask, iterations=GAP_PIXELS))
    sizes = ndimage.sum(mask, labels, np.arange(1, count + 1)) if count else np.zeros(0)
    if not count or sizes.max() < MIN_FIGURE_PIXELS:
        raise ValueError(f"no stick figure found: no {MIN_FIGURE_PIXELS} connected pixels differ from the "
                         f"background by more than {FIGURE_CONTRAST} levels")
    pieces = ndimage.find_objects(labels)
    main = pieces[int(np.argmax(sizes))]
    reach = NEAR_SHARE * max(s.stop - s.start for s in main)
    near = [k + 1 for k, piece in enumerate(pieces) if sizes[k] >= SMALL_SHARE * sizes.max()
            and all(p.start < m.stop + reach and p.stop > m.start - reach for p, m in zip(piece, main))]
    ys, xs = np.nonzero(mask & np.isin(labels, near))
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def crop_square(image: np.ndarray, box: Sequence[float], size: int) -> np.ndarray:
    """The crop of the module docstring: ``image [H, W, 3]`` uint8 and a box -> ``[size, size, 3]`` uint8."""
    x0, y0, x1, y1 = (float(v) for v in box)
    half = 0.5 * (1 + 2 * CROP_MARGIN) * max(x1 - x0, y1 - y0, 1.0)
    cx, cy = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    left, top = cx - half, cy - half
    pad = int(np.ceil(max(0.0, -left, -top, cx + half - image.shape[1], cy + half - image.shape[0])))
    padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="edge") if pad else image
    region = (left + pad, top + pad, left + pad + 2 * half, top + pad + 2 * half)
    return np.asarray(Image.fromarray(padded).resize((size, size), Image.Resampling.BILINEAR, box=region))


def pixel_values(crops: np.ndarray) -> torch.Tensor:
    """``crops [B, S, S, 3]`` uint8 -> the encoder's input ``[B, 3, S, S]`` float32 in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(crops)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def preprocess(images: Any, image_size: int, boxes: Sequence[Sequence[float]] | None = None) -> torch.Tensor:
    """One picture or a sequence of pictures (any size, anything :func:`to_rgb` takes) -> ``pixel_values
    [B, 3, image_size, image_size]``; ``boxes [B, 4]`` default to :func:`figure_box` of each."""
    rgb = pictures(images)
    boxes = [figure_box(image) for image in rgb] if boxes is None else boxes
    return pixel_values(np.stack([crop_square(image, box, image_size) for image, box in zip(rgb, boxes)]))


# ----------------------------------------------------------------------------- geometry


def camera_axes(forward: np.ndarray) -> np.ndarray:
    """World axes of unrolled cameras looking along ``forward [N, 3]``: ``[N, 3, 3]``, rows right, up,
    forward (the renderer's :meth:`~stickgen.render.camera.CameraPath.basis`)."""
    forward = np.asarray(forward, dtype=np.float64)
    return np.stack(CameraPath(np.zeros_like(forward), forward, np.zeros(len(forward))).basis(), axis=1)


def pitched_axes(elevation_deg: np.ndarray) -> np.ndarray:
    """:func:`camera_axes` of cameras looking toward +z pitched down by ``elevation_deg [N]``: ``[N, 3, 3]``."""
    pitch = np.radians(np.asarray(elevation_deg, dtype=np.float64))
    return camera_axes(np.stack([np.zeros_like(pitch), -np.sin(pitch), np.cos(pitch)], axis=-1))


def figure_view(joints_camera: np.ndarray, elevation_deg: np.ndarray, fov_deg: np.ndarray, box: np.ndarray,
                image_size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Camera-space joints -> figure-view joints (module docstring) and the figure view's elevation.

    ``joints_camera [N, 22, 3]`` (x right, y up, z forward), ``elevation_deg [N]`` the camera's downward
    pitch, ``fov_deg [N]`` its vertical field of view, ``box [N, 4]`` the figure's box, ``image_size
    [N, 2]`` (W, H) -> ``joints [N, 22, 3]``, ``elevation_deg [N]``.
    """
    axes = pitched_axes(elevation_deg)  # [N, 3, 3]
    world = np.einsum("njk,nkd->njd", joints_camera, axes)
    box, size = np.asarray(box, dtype=np.float64), np.asarray(image_size, dtype=np.float64)
    focal = 0.5 * size[:, 1] / np.tan(0.5 * np.radians(fov_deg))
    across = (0.5 * (box[:, 0] + box[:, 2]) - 0.5 * size[:, 0]) / focal
    down = (0.5 * (box[:, 1] + box[:, 3]) - 0.5 * size[:, 1]) / focal
    view = camera_axes(axes[:, 2] + across[:, None] * axes[:, 0] - down[:, None] * axes[:, 1])
    return np.einsum("njd,nkd->njk", world, view), np.degrees(np.arcsin(-view[:, 2, 1]))


def level_pose(estimate: PoseEstimate) -> np.ndarray:
    """The estimate's body-frame key poses ``[N, 22, 3]``: the view's pitch undone (y up is world up),
    turned to face +z (heading 0), pelvis above the origin and the lowest foot joint on y = 0."""
    world = np.einsum("njk,nkd->njd", estimate.joints, pitched_axes(estimate.elevation_deg))
    world = rotate_y(world, -heading_angles(world)[:, None])
    return world - np.array([0.0, 1.0, 0.0]) * world[:, list(FOOT_JOINTS), 1].min(axis=1)[:, None, None]


# ----------------------------------------------------------------------------- the encoder


@torch.no_grad()
def estimate_poses(encoder: torch.nn.Module, images: Any, boxes: Sequence[Sequence[float]] | None = None,
                   batch_size: int = 64, flip: bool = True) -> PoseEstimate:
    """Run a ``StickGenImageEncoder`` on pictures (as :func:`preprocess` takes them; ``boxes`` default
    to :func:`figure_box`) in eval mode on its device, ``batch_size`` crops at a time. With ``flip`` each
    crop is also read mirrored left-right and the two readings averaged (the mirrored one's skeleton
    mirrored back and its azimuth negated, as training flips them)."""
    rgb = pictures(images)
    boxes = np.array([figure_box(image) for image in rgb] if boxes is None else boxes, dtype=np.float64)
    encoder.eval()
    device = next(encoder.parameters()).device
    joints, camera = [], []
    for start in range(0, len(rgb), batch_size):
        chunk = slice(start, start + batch_size)
        pixels = preprocess(rgb[chunk], encoder.config.image_size, boxes[chunk]).to(device)
        out = encoder(pixels)
        joints.append(out.joints.float().cpu().numpy())
        camera.append(out.camera.float().cpu().numpy())
        if flip:
            mirrored = encoder(pixels.flip(-1))
            joints[-1] = 0.5 * (joints[-1] + mirror(mirrored.joints.float().cpu().numpy()))
            camera[-1] = 0.5 * (camera[-1] + mirrored.camera.float().cpu().numpy() * np.array([-1.0, 1.0, 1.0]))
    camera = np.concatenate(camera)
    return PoseEstimate(joints=np.concatenate(joints), azimuth_deg=np.degrees(np.arctan2(camera[:, 0], camera[:, 1])),
                        elevation_deg=np.degrees(camera[:, 2]), box=boxes,
                        image_size=np.array([[im.shape[1], im.shape[0]] for im in rgb]))
