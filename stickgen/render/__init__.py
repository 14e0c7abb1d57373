"""Rendering ``Scene``s: a 2.5D stick-figure renderer with faces, camera moves and four styles.

Public API: :func:`render` (MP4 / GIF / PNG / PNG sequence by extension), :func:`render_frames` (an
iterator of ``[H, W, 3]`` uint8 frames), :func:`contact_sheet`, :func:`camera_path` and, in
``stickgen.render.web``, :func:`~stickgen.render.web.player_html` (the browser player as one HTML string).
"""
from .camera import CameraPath, camera_path
from .frames import render_frames
from .outputs import contact_sheet, render

__all__ = ["render", "render_frames", "contact_sheet", "camera_path", "CameraPath"]
