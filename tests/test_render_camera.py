"""Camera: projection, default framing, keyframes and the seven moves."""
import numpy as np
import pytest
from test_render_fixtures import scene_of, standing, waving

from stickgen.render.camera import CameraPath, camera_path, smoothstep

SIZE = (320, 240)


def test_projection_of_known_points():
    path = CameraPath(np.array([[0.0, 1.0, 5.0]]), np.array([[0.0, 1.0, 0.0]]), np.array([90.0]))
    xy, depth = path.project(np.array([[[0.0, 1.0, 0.0], [1.0, 2.0, 4.0], [-5.0, 1.0, 0.0]]]), SIZE)
    # fov 90: focal = H / 2 = 120 px; the target lands on the centre
    np.testing.assert_allclose(xy[0, 0], [160, 120])
    np.testing.assert_allclose(depth[0], [5.0, 1.0, 5.0])
    np.testing.assert_allclose(xy[0, 1], [160 + 120 * 1.0, 120 - 120 * 1.0], atol=1e-9)  # +x: screen right
    np.testing.assert_allclose(xy[0, 2], [160 - 120, 120], atol=1e-9)


def test_default_camera_frames_all_actors_whole_clip():
    scene = scene_of(standing(10, x=-2.0), waving(10))
    path = camera_path(scene, SIZE)
    for actor in scene.actors:
        xy, depth = path.project(actor.joints, SIZE)
        assert (depth > 0).all()
        assert xy[..., 0].min() > 0 and xy[..., 0].max() < SIZE[0]
        assert xy[..., 1].min() > 0 and xy[..., 1].max() < SIZE[1]
    assert np.ptp(path.positions, axis=0).max() == 0  # static


def test_a_scene_along_the_line_of_sight_is_shot_from_the_side():
    lying = standing(10, heading=0.0)
    lying[..., 1], lying[..., 2] = 0.1, lying[..., 1].copy()  # the body laid along +z, feet toward -z, 10 cm up
    walking_at_camera = standing(100) + np.arange(100)[:, None, None] * np.array([0.0, 0.0, 0.05])
    for actors in ([lying], [walking_at_camera]):
        path = camera_path(scene_of(*actors), SIZE)
        view = path.positions[0] - path.targets[0]
        assert abs(view[0]) > 5 * abs(view[2])  # from the side
        for actor in actors:
            xy, depth = path.project(actor, SIZE)
            assert (depth > 0).all() and xy[..., 0].min() > 0 and xy[..., 0].max() < SIZE[0]
    facing_pair = scene_of(standing(10, x=-0.4, heading=np.pi / 2), standing(10, x=0.4, heading=-np.pi / 2))
    path = camera_path(facing_pair, SIZE)
    assert path.positions[0, 2] - path.targets[0, 2] > 2 and abs(path.positions[0, 0] - path.targets[0, 0]) < 1e-9
    tracked = camera_path(scene_of(walking_at_camera), SIZE, camera_move="track")  # tracked: across its way too
    assert (abs(tracked.positions[0, 0] - tracked.targets[0, 0]) > 2
            and abs(tracked.positions[0, 2] - tracked.targets[0, 2]) < 1e-6)
    orbit = camera_path(scene_of(walking_at_camera), SIZE, camera_move="orbit")
    assert orbit.positions[0, 2] - orbit.targets[0, 2] > 2  # an orbit starts in front, as before


def test_keyframes_linear_and_smooth():
    keys = [{"frame": 0, "position": [0, 1, 5], "target": [0, 1, 0], "fov": 40, "interpolation": "linear"},
            {"frame": 10, "position": [10, 1, 5], "target": [0, 1, 0], "fov": 60, "interpolation": "smooth"},
            {"frame": 20, "position": [20, 1, 5], "target": [0, 1, 0], "fov": 60}]
    path = camera_path(scene_of(standing(25), camera={"keyframes": keys}), SIZE)
    np.testing.assert_allclose(path.positions[:11, 0], np.arange(11))        # linear segment
    np.testing.assert_allclose(path.fovs[5], 50.0)
    u = np.arange(11) / 10
    np.testing.assert_allclose(path.positions[10:21, 0], 10 + 10 * smoothstep(u))  # smooth segment
    np.testing.assert_allclose(path.positions[20:, 0], 20.0)                 # held after the last key


def _distance(path):
    return np.linalg.norm(path.positions - path.targets, axis=1)


def test_moves_do_what_they_say():
    scene = scene_of(standing(50))
    base = camera_path(scene, SIZE)
    zoom = camera_path(scene, SIZE, {"move": "zoom", "factor": 2.0})
    assert zoom.fovs[0] == pytest.approx(base.fovs[0])
    ratio = np.tan(np.radians(base.fovs[-1] / 2)) / np.tan(np.radians(zoom.fovs[-1] / 2))
    assert ratio == pytest.approx(2.0, rel=0.01)
    assert np.all(np.diff(zoom.fovs) <= 1e-9)

    dolly = camera_path(scene, SIZE, {"move": "dolly", "distance": 1.0})
    assert _distance(dolly)[-1] == pytest.approx(_distance(base)[-1] - 1.0, abs=0.01)

    crane = camera_path(scene, SIZE, {"move": "crane", "height": 2.0})
    assert crane.positions[-1, 1] - base.positions[-1, 1] == pytest.approx(2.0, abs=0.01)
    np.testing.assert_allclose(crane.targets, base.targets)

    pan = camera_path(scene, SIZE, {"move": "pan", "angle": 30})
    np.testing.assert_allclose(pan.positions, base.positions)
    views = [p.targets[k] - p.positions[k] for p, k in ((pan, 0), (base, 0), (pan, -1))]
    turn = [np.degrees(np.arctan2(v[0], -v[2])) for v in views]              # + looks toward +x (screen right)
    assert turn[0] == pytest.approx(15, abs=0.1) and turn[1] == 0             # sweeps across the default shot,
    assert turn[2] == pytest.approx(-15, abs=0.5)                             # right to left

    orbit = camera_path(scene, SIZE, {"move": "orbit", "angle": 180, "start": 0, "end": 25})
    np.testing.assert_allclose(_distance(orbit), _distance(base), rtol=1e-9)    # really circles
    assert orbit.positions[30, 2] < base.targets[0, 2] < base.positions[0, 2]   # now behind the actor


def test_moves_ease_with_smoothstep_and_hold():
    scene = scene_of(standing(40))
    path = camera_path(scene, SIZE, {"move": "crane", "start": 10, "end": 30, "height": 1.0})
    rise = path.positions[:, 1] - path.positions[0, 1]
    np.testing.assert_allclose(rise[:11], 0.0, atol=1e-12)
    np.testing.assert_allclose(rise[10:31], smoothstep(np.arange(21) / 20))
    np.testing.assert_allclose(rise[30:], 1.0)


def test_track_follows_the_actor_without_jitter():
    frames = 100
    joints = standing(frames)
    t = np.arange(frames)
    joints[:, :, 0] += (1.2 * t / 25)[:, None] + 0.03 * np.sin(t * 2.5)[:, None]  # walk + step sway
    scene = scene_of(joints)
    path = camera_path(scene, SIZE, "track")
    xy, _ = path.project(joints[:, :1], SIZE)
    screen_x = xy[:, 0, 0]
    assert np.ptp(screen_x[10:-10]) < 0.1 * SIZE[0]                      # stays in shot
    camera_x = path.positions[:, 0]
    assert camera_x[-1] - camera_x[0] > 3.0                            # it moved with the actor
    jerk = np.abs(np.diff(camera_x, 2)).max()
    assert jerk < 0.2 * np.abs(np.diff(joints[:, 0, 0], 2)).max()      # the sway is smoothed away


def test_bad_moves_raise_clear_errors():
    scene = scene_of(standing(10))
    with pytest.raises(ValueError, match="unknown camera move 'spin'"):
        camera_path(scene, SIZE, "spin")
    with pytest.raises(ValueError, match="outside the clip"):
        camera_path(scene, SIZE, {"move": "pan", "start": 5, "end": 50})
    with pytest.raises(ValueError, match="no actor with id 'zz'"):
        camera_path(scene, SIZE, {"move": "track", "target_actor": "zz"})
