"""Build the example ``.motion`` files procedurally (joint rotations + forward kinematics, so bones are
rigid by construction).

    python examples/make_examples.py            # writes examples/wave.motion and examples/two_actors.motion

- ``wave.motion``: 10 s, one actor breathes, waves with the right hand while smiling, looks surprised,
  then turns a little toward the viewer's left and talks, happy.
- ``two_actors.motion``: 10 s, Alex walks up to Sam, they shake hands while Sam talks; the camera
  dollies in, then orbits.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from stickgen.export.kinematics import euler_to_matrix, forward_kinematics
from stickgen.motion import Motion, Scene, Segment
from stickgen.skeleton import JOINT_INDEX, rest_offsets

FPS = 25
J = JOINT_INDEX
HERE = Path(__file__).parent


def _ease(t: np.ndarray, start: float, end: float, ramp: float = 0.5) -> np.ndarray:
    """0 outside [start, end], 1 inside, with smoothstep ramps of ``ramp`` seconds."""
    up = np.clip((t - start) / ramp, 0, 1)
    down = np.clip((end - t) / ramp, 0, 1)
    u = np.minimum(up, down)
    return u * u * (3 - 2 * u)


class Rig:
    """Per-frame Euler angles (degrees, ZXY) for every joint, then forward kinematics."""

    def __init__(self, seconds: float, height: float = 1.75):
        self.t = np.arange(int(seconds * FPS)) / FPS
        self.angles = np.zeros((len(self.t), 22, 3))        # (z, x, y) per joint
        self.offsets = rest_offsets(height)
        self.root = np.tile(self.offsets[0], (len(self.t), 1))

    def turn(self, joint: str, z=0.0, x=0.0, y=0.0) -> None:
        self.angles[:, J[joint]] += np.stack(np.broadcast_arrays(z, x, y, self.t)[:3], axis=-1)

    def joints(self) -> np.ndarray:
        local = euler_to_matrix(self.angles, "ZXY")
        joints = forward_kinematics(self.root - self.offsets[0], local, self.offsets)
        lowest = joints[:, [J["left_foot"], J["right_foot"], J["left_ankle"], J["right_ankle"]], 1].min(axis=1)
        return joints - np.stack([np.zeros_like(lowest), lowest, np.zeros_like(lowest)], axis=-1)[:, None]


def breathe(rig: Rig, phase: float = 0.0) -> None:
    s = np.sin(2 * np.pi * 0.25 * rig.t + phase)
    rig.turn("spine3", x=1.5 * s)
    rig.turn("pelvis", z=1.0 * np.sin(2 * np.pi * 0.12 * rig.t + phase))
    rig.turn("left_shoulder", z=6.0)
    rig.turn("right_shoulder", z=-6.0)
    rig.turn("left_elbow", x=-8.0)
    rig.turn("right_elbow", x=-8.0)


def wave(rig: Rig, start: float, end: float) -> None:
    on = _ease(rig.t, start, end, 0.6)
    rig.turn("right_shoulder", z=-118.0 * on, x=-15 * on)
    rig.turn("right_elbow", z=(-55.0 + 28.0 * np.sin(2 * np.pi * 1.6 * rig.t)) * on)
    rig.turn("spine3", z=4.0 * on)
    rig.turn("head", z=-6.0 * on)


def walk(rig: Rig, start: float, end: float, speed: float, heading_deg: float, origin: tuple[float, float]) -> None:
    on = _ease(rig.t, start, end, 0.4)
    phase = 2 * np.pi * 0.9 * np.cumsum(on) / FPS
    swing = np.sin(phase)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        rig.turn(f"{side}_hip", x=-25.0 * sign * swing * on)
        rig.turn(f"{side}_knee", x=np.maximum(0, 35.0 * np.sin(phase + sign * np.pi / 2 + 0.6)) * on + 3.0)
        rig.turn(f"{side}_shoulder", x=18.0 * sign * swing * on)
        rig.turn(f"{side}_ankle", x=-8.0 * on * np.cos(phase))
    distance = speed * np.cumsum(on) / FPS
    heading = np.radians(heading_deg)
    rig.root[:, 0] = origin[0] + np.sin(heading) * distance
    rig.root[:, 2] = origin[1] + np.cos(heading) * distance
    rig.turn("pelvis", y=heading_deg)


def shake_hands(rig: Rig, start: float, end: float) -> None:
    on = _ease(rig.t, start, end, 0.5)
    rig.turn("right_shoulder", x=-50.0 * on, z=8 * on)
    rig.turn("right_elbow", x=-35.0 * on + 8.0 * np.sin(2 * np.pi * 2.0 * rig.t) * on)


def wave_scene() -> Scene:
    rig = Rig(10.0)
    breathe(rig)
    wave(rig, 1.2, 6.2)
    turned = _ease(rig.t, 7.0, 10.5, 0.8)
    rig.turn("pelvis", y=-35.0 * turned)
    rig.turn("head", y=-15.0 * turned)
    actor = Motion(rig.joints(), id="a0", name="Alex", color="#1f77b4",
                   actions=[Segment(0, 30, "idle"), Segment(30, 170, "wave"), Segment(170, 250, "talk")],
                   expressions=[Segment(0, 25, "neutral"), Segment(25, 150, "happy"),
                                Segment(150, 180, "surprised"), Segment(180, 250, "happy")],
                   speech=[Segment(185, 245, "talk", {"text": "Hi! Nice to see you."})])
    return Scene([actor], fps=FPS, meta={"prompt": "a person waves hello, smiles and says hi",
                                         "generator": "examples/make_examples.py"})


def two_actor_scene() -> Scene:
    alex, sam = Rig(10.0), Rig(10.0, height=1.68)
    breathe(alex)
    breathe(sam, phase=1.3)
    walk(alex, 0.0, 4.6, 0.95, 90.0, (-4.6, 0.0))
    sam.root[:, 0] = 0.75
    sam.turn("pelvis", y=-90.0)
    wave(sam, 0.5, 3.0)
    shake_hands(alex, 5.0, 8.0)
    shake_hands(sam, 5.0, 8.0)
    actors = [
        Motion(alex.joints(), id="a0", name="Alex", color="#1f77b4",
               actions=[Segment(0, 118, "walk"), Segment(118, 125, "idle"), Segment(125, 200, "handshake"),
                        Segment(200, 250, "idle")],
               expressions=[Segment(0, 100, "neutral"), Segment(100, 250, "happy")]),
        Motion(sam.joints(), id="a1", name="Sam", color="#d62728",
               actions=[Segment(0, 75, "wave"), Segment(75, 125, "idle"), Segment(125, 200, "handshake"),
                        Segment(200, 250, "talk")],
               expressions=[Segment(0, 75, "excited"), Segment(75, 250, "happy")],
               speech=[Segment(130, 190, "talk", {"text": "Great to meet you!"})]),
    ]
    camera = {"moves": [{"move": "dolly", "start": 0, "end": 125},
                        {"move": "orbit", "start": 150, "end": 250, "angle": -35}]}
    return Scene(actors, fps=FPS, camera=camera,
                 meta={"prompt": "Alex walks up to Sam and they shake hands", "generator": "examples/make_examples.py"})


def main() -> None:
    wave_scene().save(HERE / "wave.motion", decimals=5)
    two_actor_scene().save(HERE / "two_actors.motion", decimals=5)


if __name__ == "__main__":
    main()
