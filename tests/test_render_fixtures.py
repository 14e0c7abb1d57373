"""Small scenes shared by the render, export and web tests (imported, not collected: no tests here)."""
from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager

import numpy as np

from stickgen.motion import Motion, Scene, Segment
from stickgen.skeleton import JOINT_INDEX, rest_pose, rotate_y

BLUE, RED = "#1f77b4", "#d62728"


def standing(frames: int = 25, x: float = 0.0, z: float = 0.0, heading: float = 0.0, height: float = 1.75
             ) -> np.ndarray:
    """A figure standing still at (x, z), turned ``heading`` radians from +z: ``[frames, 22, 3]``."""
    pose = rotate_y(rest_pose(height), heading) + np.array([x, 0.0, z])
    return np.repeat(pose[None], frames, axis=0)


def walking(frames: int, x: float = 0.0, speed: float = 1.2) -> np.ndarray:
    """The standing figure carried along +x at ``speed`` m/s (25 fps): ``[frames, 22, 3]``."""
    return standing(frames, x=x) + np.arange(frames)[:, None, None] * np.array([speed / 25, 0.0, 0.0])


def scene_of(*actors: np.ndarray, colors=(BLUE, RED), fps: float = 25, camera=None, **tracks) -> Scene:
    """A scene from joint arrays; ``tracks`` (expressions=, speech=) go to the first actor."""
    motions = [Motion(joints, id=f"a{i}", color=colors[i % len(colors)], **(tracks if i == 0 else {}))
               for i, joints in enumerate(actors)]
    return Scene(motions, fps=fps, camera=camera)


def face_camera(frames: int, distance: float = 0.9) -> dict:
    """Camera keyframe for a close-up of the default standing figure's face."""
    head = rest_pose()[JOINT_INDEX["head"]] + np.array([0.0, 0.06, 0.0])
    return {"keyframes": [{"frame": 0, "position": [0.0, float(head[1]), distance],
                           "target": head.tolist(), "fov": 30.0}]}


def talking_scene(speech: str, frames: int = 100) -> Scene:
    """One actor facing the camera in close-up, speaking ``speech`` for the whole clip."""
    return scene_of(standing(frames), camera=face_camera(frames), speech=[Segment(0, frames, speech)])


def waving(frames: int = 50, seed: int = 0) -> np.ndarray:
    """A rigid clip that moves every joint (random smooth rotations via forward kinematics): ``[T, 22, 3]``."""
    from stickgen.export.kinematics import euler_to_matrix, forward_kinematics
    from stickgen.skeleton import rest_offsets

    rng = np.random.default_rng(seed)
    t = np.arange(frames)[:, None, None] / 25.0
    amplitude = rng.uniform(5, 40, (1, 22, 3))
    phase = rng.uniform(0, 2 * np.pi, (1, 22, 3))
    angles = amplitude * np.sin(2 * np.pi * 0.7 * t + phase)
    root = np.stack([np.linspace(0, 1.5, frames), 0.95 + 0.02 * np.sin(t[:, 0, 0] * 6), np.zeros(frames)], axis=1)
    return forward_kinematics(root - rest_offsets()[0], euler_to_matrix(angles, "ZXY"), rest_offsets())


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve_folder(folder):
    """Serve ``folder`` over http on a free local port (like ``python -m http.server``); yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
