"""Rendering ``Scene``s: a 2.5D stick-figure renderer with faces, camera moves and four styles.

Public API: :func:`render` (MP4 / GIF / PNG / PNG sequence by extension), :func:`render_frames` (an
iterator of ``[H, W, 3]`` uint8 frames), :func:`contact_sheet`, :func:`camera_path` (a scene's own camera),
:func:`render_camera_path` (the camera the renderer uses: the scene's own, or else the automatic
director's, see ``stickgen.render.director``) and, in
``stickgen.render.web``, :func:`~stickgen.render.web.player_html` (the browser player as one HTML string).

``style`` is a name from ``vocab.RENDER_STYLES`` or a :class:`~stickgen.render.styles.Style`; for your own
background, ``dataclasses.replace(STYLES["normal"], sky_top=(20, 20, 40), sky_bottom=(60, 60, 90))``.
"""
from .camera import CameraPath, camera_path
from .director import render_camera_path
from .frames import render_frames
from .outputs import contact_sheet, render
from .styles import STYLES

__all__ = ["render", "render_frames", "contact_sheet", "camera_path", "render_camera_path", "CameraPath", "STYLES"]
