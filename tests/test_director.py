"""The automatic director: framing, tracking with lead room, held gestures, the 180-degree rule, explicit
cameras kept, determinism, and keyframes that survive a .motion round trip."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from test_render_fixtures import scene_of, standing, walking

from stickgen.motion import Motion, Scene, Segment
from stickgen.render import camera_path, render_camera_path
from stickgen.render.director import SMOOTHING_S, direct, directed
from stickgen.skeleton import JOINT_INDEX, rotate_y

SPEC = importlib.util.spec_from_file_location(
    "bench_director", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_director.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

SIZE = (512, 512)
EASE = 2 * (int(3 * SMOOTHING_S * 25) + 1)  # frames around a beat within which the camera may still ease


def measures(scene, camera_move=None) -> dict:
    return bench.shot_measures(scene, render_camera_path(scene, SIZE, camera_move), SIZE)


def waving_arm(frames: int) -> np.ndarray:
    """A standing figure whose right hand is raised above its head and swung: ``[frames, 22, 3]``."""
    joints = standing(frames)
    sway = 0.15 * np.sin(np.arange(frames) * 2 * np.pi * 2 / 25)
    for name, lift in (("right_elbow", 0.35), ("right_wrist", 0.75)):
        joints[:, JOINT_INDEX[name], 1] = joints[0, JOINT_INDEX["right_shoulder"], 1] + lift
        joints[:, JOINT_INDEX[name], 0] += sway * lift
    return joints


def segments(*spans) -> list[Segment]:
    return [Segment(start, end, label) for start, end, label in spans]


def test_one_actor_fills_55_to_80_percent_with_head_room():
    joints = np.concatenate([standing(60), waving_arm(100), standing(40)])
    scene = Scene([Motion(joints, actions=segments((0, 60, "idle"), (60, 160, "wave"), (160, 200, "idle")))])
    got = measures(scene)
    assert got["whole"].all()
    assert ((got["height"] >= 0.55) & (got["height"] <= 0.80)).all(), got["height"].min()
    assert got["head_room"].min() > 0.05 * SIZE[1]                      # the head never touches the top


def test_a_jump_stays_whole_and_large():
    joints = standing(100)
    t = np.arange(100)
    joints[..., 1] += np.where((t > 30) & (t < 55), 0.5 * np.sin(np.pi * (t - 30) / 25), 0.0)[:, None]
    got = measures(scene_of(joints))
    assert got["whole"].all() and got["head_room"].min() > 0
    assert np.median(got["height"]) > 0.6


def test_two_actors_8_m_apart_stay_in_frame_and_get_closer_as_they_meet():
    frames, meet = 250, 150
    approach = np.clip(np.arange(frames) / meet, 0.0, 1.0) * 3.6
    a = standing(frames, x=-4.0, heading=np.pi / 2) + approach[:, None, None] * np.array([1.0, 0, 0])
    b = standing(frames, x=4.0, heading=-np.pi / 2) - approach[:, None, None] * np.array([1.0, 0, 0])
    acts = segments((0, meet, "walk"), (meet, frames, "handshake"))
    scene = Scene([Motion(a, id="a0", actions=acts), Motion(b, id="a1", actions=acts)])
    got, fixed = measures(scene), measures(scene, "static")
    assert got["whole"].all()
    assert got["height"][0] > 0.1                                       # 8 m apart: as large as they fit
    handshake = slice(meet + EASE, frames)
    assert (got["height"][handshake] > 0.55).all()                      # then a close two-shot
    assert np.median(got["height"][handshake]) > 3 * np.median(fixed["height"][handshake])


def test_a_walker_is_tracked_smoothly_with_lead_room():
    frames = 250
    joints = walking(frames, x=-6.0, speed=1.2)
    t = np.arange(frames)
    joints[..., 0] += 0.03 * np.sin(t * 2 * np.pi * 2 / 25)[:, None]     # sway at the step rate
    joints[..., 1] += 0.02 * np.sin(t * 2 * np.pi * 2 / 25)[:, None]     # and bob
    scene = Scene([Motion(joints, actions=segments((0, frames, "walk")))])
    path = render_camera_path(scene, SIZE)
    got = bench.shot_measures(scene, path, SIZE)
    assert got["whole"].all() and ((got["height"] > 0.55) & (got["height"] < 0.8)).all()
    assert path.positions[-1, 0] - path.positions[0, 0] > 10                # it follows the walk
    xy, _ = path.project(joints[:, :1], SIZE)
    middle = xy[EASE:-EASE, 0, 0] / SIZE[0]
    assert (middle < 0.45).all() and (middle > 0.25).all()                 # behind the centre: room ahead
    assert got["jerk"].max() < 5                                             # m/s^3: the sway is smoothed away
    walker_jerk = np.linalg.norm(np.diff(joints[:, 0], 3, axis=0), axis=1) * 25 ** 3
    assert got["jerk"].max() < 0.1 * walker_jerk.max()


def test_gestures_are_held_and_the_camera_never_cuts():
    joints = np.concatenate([standing(60), waving_arm(100), standing(60)])
    scene = Scene([Motion(joints, actions=segments((0, 60, "idle"), (60, 160, "wave"), (160, 220, "idle")))])
    path = render_camera_path(scene, SIZE)
    for part in (path.positions, path.targets):
        assert np.ptp(part[60 + EASE:160 - EASE], axis=0).max() < 1e-12    # one still shot of the wave
        assert np.ptp(part[:60 - EASE], axis=0).max() < 1e-12              # the idle shot before is held too
    assert not np.allclose(path.positions[0], path.positions[100])         # and it is another shot
    steps = np.linalg.norm(np.diff(path.positions, axis=0), axis=1)
    assert (steps < 0.02 * _distance(path)[1:]).all()                       # no cut: no jump between frames


def test_the_camera_keeps_one_side_of_the_line_between_two_actors():
    frames = 200
    angle = np.linspace(0.0, np.radians(70), frames)                       # the pair turns as they fight
    centre = np.array([1.0, 0.0, -2.0])
    a = np.stack([rotate_y(standing(1, x=-0.7, heading=np.pi / 2)[0], w) for w in angle]) + centre
    b = np.stack([rotate_y(standing(1, x=0.7, heading=-np.pi / 2)[0], w) for w in angle]) + centre
    acts = segments((0, 100, "fight"), (100, frames, "hug"))
    scene = Scene([Motion(a, id="a0", actions=acts), Motion(b, id="a1", actions=acts)])
    path = render_camera_path(scene, SIZE)
    line = (b - a)[:, 0, [0, 2]]
    to_camera = (path.positions - a[:, 0])[:, [0, 2]]
    side = line[:, 0] * to_camera[:, 1] - line[:, 1] * to_camera[:, 0]
    assert (side > 0).all() or (side < 0).all()
    assert np.abs(side).min() > 0.5                                         # well off the line, too
    assert measures(scene)["whole"].all()


def test_an_explicit_camera_is_kept_exactly():
    keys = {"keyframes": [{"frame": 0, "position": [0, 1.6, 6], "target": [0, 1, 0], "fov": 45},
                          {"frame": 40, "position": [2, 1.6, 5], "target": [0, 1, 0], "fov": 35}]}
    moves = {"moves": [{"move": "orbit", "start": 0, "end": 50, "angle": 90}]}
    for camera in (keys, moves):
        scene = scene_of(walking(50), camera=camera)
        assert directed(scene) is scene
        mine, its = render_camera_path(scene, SIZE), camera_path(scene, SIZE)
        for name in ("positions", "targets", "fovs"):
            np.testing.assert_array_equal(getattr(mine, name), getattr(its, name))
    scene = scene_of(walking(50))
    static = render_camera_path(scene, SIZE, "static")                      # the director turned off
    assert np.ptp(static.positions, axis=0).max() == 0
    assert np.ptp(render_camera_path(scene, SIZE).positions, axis=0).max() > 0.5


def test_deterministic_and_round_trips_through_a_motion_file():
    joints = np.concatenate([standing(40), waving_arm(60)])
    scene = Scene([Motion(joints, actions=segments((0, 40, "idle"), (40, 100, "wave"))),
                   Motion(walking(100, x=2.0, speed=-0.8), id="a1")])
    first = direct(scene)
    assert direct(scene) == first and direct(Scene.from_json(scene.to_json())) == first
    assert first["keyframes"][0]["frame"] == 0 and first["keyframes"][-1]["frame"] == 99
    loaded = Scene.from_json(directed(scene).to_json())                     # what the player and a file get
    np.testing.assert_allclose(camera_path(loaded, SIZE).positions, render_camera_path(scene, SIZE).positions)
    pair = scene_of(standing(10, x=-2.0), standing(10, x=2.0))
    square, wide = (render_camera_path(pair, size) for size in ((360, 360), (640, 360)))
    assert _distance(wide)[0] < 0.7 * _distance(square)[0]                  # framed for the frame's shape


def _distance(path) -> np.ndarray:
    return np.linalg.norm(path.positions - path.targets, axis=1)


def test_a_long_travelling_clip_stays_within_the_keyframe_limit():
    from stickgen.motion_checks import MAX_CAMERA_KEYFRAMES

    scene = scene_of(walking(5000, x=-100.0, speed=1.0))                   # 200 s of moving camera
    camera = directed(scene)
    assert len(camera.camera["keyframes"]) <= MAX_CAMERA_KEYFRAMES
    Scene.from_json(camera.to_json(4))                                      # a valid .motion
    path = render_camera_path(scene, SIZE)
    assert bench.shot_measures(scene, path, SIZE)["whole"].all()


@pytest.mark.parametrize("aspect", [0.75, 1.0, 16 / 9])
def test_every_aspect_keeps_the_actors_whole(aspect):
    size = (int(round(360 * aspect)) // 2 * 2, 360)
    scene = scene_of(walking(120, x=-3.0, speed=1.5), standing(120, x=2.0))
    got = bench.shot_measures(scene, render_camera_path(scene, size), size)
    assert got["whole"].all()
