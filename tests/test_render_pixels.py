"""The renderer judged by its pixels: placement, depth order, widths, styles, faces, speech, orbit."""
import numpy as np
import pytest
from test_render_fixtures import BLUE, RED, face_camera, scene_of, standing, talking_scene, waving

from stickgen import vocab
from stickgen.motion import Segment
from stickgen.render import render_camera_path, render_frames
from stickgen.render.styles import hex_to_rgb
from stickgen.skeleton import JOINT_INDEX

SIZE = (256, 256)


def mask(frame: np.ndarray, color: str, tolerance: float = 40.0) -> np.ndarray:
    """Pixels within ``tolerance`` (RGB distance) of ``color``: ``[H, W]`` bool."""
    return np.linalg.norm(frame.astype(float) - hex_to_rgb(color), axis=-1) < tolerance


def one_frame(scene, **kwargs) -> np.ndarray:
    return next(render_frames(scene, size=kwargs.pop("size", SIZE), frames=[kwargs.pop("frame", 0)], **kwargs))


def test_figure_is_drawn_where_the_camera_projects_the_joints():
    scene = scene_of(standing(1, x=0.4))
    frame = one_frame(scene)
    xy, _ = render_camera_path(scene, SIZE).project(scene.actors[0].joints, SIZE)
    blue = mask(frame, BLUE)
    j = JOINT_INDEX
    for parent, child in [("left_hip", "left_knee"), ("right_knee", "right_ankle"), ("spine1", "spine2"),
                          ("left_shoulder", "left_elbow"), ("right_elbow", "right_wrist")]:
        x, y = np.round(0.5 * (xy[0, j[parent]] + xy[0, j[child]])).astype(int)
        assert blue[y - 1:y + 2, x - 1:x + 2].any(), f"no limb pixel at the {parent}-{child} midpoint"
    ys, xs = np.nonzero(blue)
    lo, hi = xy[0].min(axis=0), xy[0].max(axis=0)
    assert xs.min() > lo[0] - 15 and xs.max() < hi[0] + 15       # nothing drawn far from the figure
    assert ys.max() < hi[1] + 10 and ys.min() > lo[1] - 40       # (the head circle rises above the head joint)
    assert blue.sum() > 500


def _run_width(row: np.ndarray) -> int:
    """Longest run of True in a 1D mask."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(np.int8), [0]])))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0


def test_near_limbs_are_wider_and_cover_far_ones():
    size = (512, 512)
    near, far = standing(1, x=0.0, z=0.0), standing(1, x=0.02, z=-2.5)
    camera = {"keyframes": [{"frame": 0, "position": [0, 0.9, 2.5], "target": [0, 0.9, 0], "fov": 40}]}
    for order in ((near, far), (far, near)):                     # list order must not matter
        colors = (BLUE, RED) if order[0] is near else (RED, BLUE)
        scene = scene_of(*order, colors=colors, camera=camera)
        frame = one_frame(scene, size=size)
        xy, depth = render_camera_path(scene, size).project(np.stack([near[0], far[0]]), size)
        x, y = np.round(xy[0, JOINT_INDEX["spine2"]]).astype(int)
        assert mask(frame, BLUE)[y, x] and not mask(frame, RED)[y, x], "the near body must cover the far one"
    knee, ankle = JOINT_INDEX["left_knee"], JOINT_INDEX["left_ankle"]
    widths = []
    for k, color in ((0, BLUE), (1, RED)):
        x, y = np.round(0.5 * (xy[k, knee] + xy[k, ankle])).astype(int)
        widths.append(_run_width(mask(frame, color)[y, x - 30:x + 31]))
    expected = depth[1, knee] / depth[0, knee]                   # perspective: width ~ 1 / depth
    assert widths[0] > 1.5 * widths[1] > 0
    assert widths[0] / widths[1] == pytest.approx(expected, rel=0.25)


def _thigh_width(frame: np.ndarray, scene, size) -> int:
    """Stroke width across the left thigh, near the hip (where an ink stroke is widest)."""
    xy, _ = render_camera_path(scene, size).project(scene.actors[0].joints, size)
    x, y = np.round(0.85 * xy[0, JOINT_INDEX["left_hip"]] + 0.15 * xy[0, JOINT_INDEX["left_knee"]]).astype(int)
    background = frame[y, x - 30].astype(float)
    return _run_width(np.abs(frame[y, x - 30:x + 31].astype(float) - background).sum(-1) > 60)


def test_each_style_looks_different():
    scene = scene_of(standing(1))
    frames = {s: one_frame(scene, style=s, size=(128, 128)).astype(float) for s in vocab.RENDER_STYLES}
    for i, a in enumerate(vocab.RENDER_STYLES):
        for b in vocab.RENDER_STYLES[i + 1:]:
            assert np.abs(frames[a] - frames[b]).mean() > 4.0, f"{a} and {b} look the same"
    assert frames["neon"].mean() < 60 < 150 < frames["normal"].mean()            # dark vs light background
    widths = {s: _thigh_width(one_frame(scene, style=s, size=(512, 512)), scene, (512, 512)) for s in ("normal", "ink")}
    assert 0 < 1.2 * widths["normal"] < widths["ink"]                          # heavy ink strokes


def _face_crop(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[int(0.2 * h):int(0.8 * h), int(0.2 * w):int(0.8 * w)].astype(float)


def test_expressions_look_different():
    names = vocab.EXPRESSION_NAMES
    frames = 20 * len(names)
    scene = scene_of(standing(frames), camera=face_camera(frames),
                     expressions=[Segment(20 * i, 20 * i + 20, n) for i, n in enumerate(names)])
    crops = [_face_crop(f) for f in render_frames(scene, size=(128, 128), frames=[20 * i + 15 for i in range(6)])]
    for i in range(len(names)):
        for k in range(i + 1, len(names)):
            assert np.abs(crops[i] - crops[k]).mean() > 0.8, f"{names[i]} and {names[k]} look alike"


def _dark(frame: np.ndarray) -> np.ndarray:
    return frame.astype(float).sum(-1) < 200


def test_face_turns_away_with_the_head():
    frames = {}
    for name, heading in (("front", 0.0), ("away", np.pi)):
        frames[name] = one_frame(scene_of(standing(1, heading=heading), camera=face_camera(1)), size=(128, 128))
    assert _dark(_face_crop(frames["front"])).sum() > 30
    assert _dark(_face_crop(frames["away"])).sum() == 0


def test_face_shows_in_profile_when_the_figure_faces_sideways():
    from stickgen.render.geometry import actor_geometry

    scene = scene_of(standing(1), standing(1, heading=np.pi / 2), standing(1, heading=np.pi))
    path = render_camera_path(scene, SIZE)
    visible = [actor_geometry(a.joints, path, SIZE, 0.04).eyes_visible[0].sum() for a in scene.actors]
    assert visible == [2, 1, 0]                                   # front, profile, back
    crops = {}
    for name, heading in (("front", 0.0), ("profile", np.pi / 2)):
        frame = one_frame(scene_of(standing(1, heading=heading), camera=face_camera(1)), size=(128, 128))
        crops[name] = _dark(_face_crop(frame))
    front_x = np.nonzero(crops["front"])[1].mean()
    profile_x = np.nonzero(crops["profile"])[1].mean()
    assert 0 < crops["profile"].sum() < crops["front"].sum()
    assert profile_x > front_x + 5                                # facing +x: the face slides to screen right


@pytest.mark.parametrize("speech", vocab.SPEECH_NAMES)
def test_mouth_openness_oscillates_at_the_speech_rate(speech):
    frames = 100
    scene = talking_scene(speech, frames)
    head = scene.actors[0].joints[0, JOINT_INDEX["head"]]
    path = render_camera_path(scene, (128, 128))
    mouth, _ = path.project(np.array([[head + [0.0, 0.0, 0.11]]]), (128, 128))
    x, y = np.round(mouth[0, 0]).astype(int)
    openness = np.array([_dark(f[y - 14:y + 14, x - 16:x + 17]).sum()
                         for f in render_frames(scene, size=(128, 128))], dtype=float)
    spectrum = np.abs(np.fft.rfft(openness - openness.mean()))
    freqs = np.fft.rfftfreq(frames, 1 / scene.fps)
    assert freqs[np.argmax(spectrum)] == pytest.approx(vocab.speech_info(speech).rate_hz, abs=0.3)
    assert np.ptp(openness) > 5


def test_orbit_moves_the_figures_across_the_screen():
    scene = scene_of(standing(40, x=-1.0), standing(40, x=1.0))
    frames = list(render_frames(scene, size=(160, 120), camera_move={"move": "orbit", "angle": 180},
                                frames=[0, 20, 39]))

    def centre_x(frame, color):
        return np.nonzero(mask(frame, color))[1].mean()

    assert centre_x(frames[0], BLUE) < 80 < centre_x(frames[0], RED)          # blue on the left
    assert abs(centre_x(frames[1], BLUE) - centre_x(frames[1], RED)) < 15      # a quarter turn: in line
    assert centre_x(frames[2], RED) < 80 < centre_x(frames[2], BLUE)          # half-way round: swapped


def test_render_frames_rejects_bad_arguments():
    scene = scene_of(standing(5))
    with pytest.raises(ValueError, match="outside the clip"):
        list(render_frames(scene, frames=[7]))
    with pytest.raises(ValueError, match="unknown render style 'fancy'"):
        list(render_frames(scene, style="fancy"))
    with pytest.raises(ValueError, match="size must be"):
        list(render_frames(scene, size=(4, 4)))


@pytest.mark.parametrize("camera", ["static", "orbit"])
def test_redrawing_only_around_the_actors_draws_the_same_frames(camera):
    """Each frame redraws and filters only the box around the actors: the same pixels as the whole canvas,
    with a still camera (the floor drawn once) and a moving one (the floor drawn every frame)."""
    from stickgen.render.frames import draw_frame, plan_scene

    scene = scene_of(waving(30), standing(30, x=1.5, z=-1.0))
    for style in vocab.RENDER_STYLES:
        fast = plan_scene(scene, style, (160, 120), camera)
        full = plan_scene(scene, style, (160, 120), camera)
        full.regions = np.tile([0, 0, *full.canvas], (len(full.regions), 1))
        assert fast.static_floor == (camera == "static")
        assert (fast.regions[:, 2:] - fast.regions[:, :2]).prod(axis=1).max() < 0.5 * np.prod(fast.canvas)
        for t in range(0, 30, 4):
            np.testing.assert_array_equal(draw_frame(fast, t), draw_frame(full, t))
