"""The parallax dataset (datasets_scripts.parallax): stored cameras reproduce the drawings, views and looks."""
import json
from dataclasses import replace

import numpy as np
import pytest
from datasets import Image, load_from_disk

from datasets_scripts import parallax
from datasets_scripts.parallax_camera import View, draw_view, sample_look, sample_view, view_angles, view_scene
from stickgen.render import CameraPath, render_camera_path, render_frames
from stickgen.render.geometry import actor_geometry
from stickgen.skeleton import JOINT_INDEX, rest_pose, rotate_y
from training.toy_data import toy_dataset

SIZE = 128
ARGS = ["--views-per-clip", "2", "--frames-per-view", "3", "--size", str(SIZE), "--seed", "3"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``(source, {workers: out folder})``: the toy dataset rendered with one and with two workers."""
    root = tmp_path_factory.mktemp("parallax")
    source = toy_dataset(train=6, validation=3, frames=(30, 40))
    source.save_to_disk(str(root / "source"))
    outs = {}
    for workers in (1, 2):
        outs[workers] = root / f"out{workers}"
        assert parallax.main(["--dataset", str(root / "source"), "--out", str(outs[workers]), *ARGS,
                              "--workers", str(workers)]) == 0
    return source, outs


def _rows(out):
    return [row for split in ("train", "validation") for row in load_from_disk(str(out))[split].with_format("numpy")]


def _world_joints(source, row) -> np.ndarray:
    """The source joints ``[22, 3]`` of a row's frame."""
    for split in source.values():
        ids = split["id"]
        if row["clip_id"] in ids:
            return np.asarray(split[ids.index(row["clip_id"])]["joints"])[row["frame"]]
    raise KeyError(row["clip_id"])


def _project(row) -> np.ndarray:
    """Pixels ``[22, 2]`` of ``joints_camera + root_camera`` through the stored fov."""
    points = row["joints_camera"] + row["root_camera"]
    focal = 0.5 * SIZE / np.tan(np.radians(row["fov"]) / 2)
    return np.stack([SIZE / 2 + focal * points[:, 0] / points[:, 2], SIZE / 2 - focal * points[:, 1] / points[:, 2]], 1)


def test_stored_camera_reproduces_the_projection_and_the_drawing(built):
    source, outs = built
    rows = _rows(outs[1])
    assert len(rows) == (6 + 3) * 2 * 3
    assert {r["style"] for r in rows} >= {"drawn"}
    drawn_hits = []
    for row in rows:
        assert row["image"].shape == (SIZE, SIZE, 3)
        assert np.all(row["joints_camera"][0] == 0)
        assert row["distance"] == pytest.approx(np.linalg.norm(row["camera_position"] - row["camera_target"]), 1e-5)
        world = _world_joints(source, row).astype(np.float64)
        path = CameraPath(row["camera_position"][None].astype(float), row["camera_target"][None].astype(float),
                          np.array([row["fov"]], dtype=float))
        xy = _project(row)
        np.testing.assert_allclose(xy, path.project(world[None], (SIZE, SIZE))[0][0], atol=0.02)
        assert xy.min() > 0 and xy.max() < SIZE                         # every joint inside the image
        if row["style"] == "drawn":                                       # dark pen on paper: joints on ink
            image = np.asarray(row["image"]).astype(int)
            paper = image[0, 0]
            ink = np.abs(image - paper).max(axis=-1) > 40
            x, y = np.round(xy).astype(int).T
            drawn_hits += [ink[max(b - 1, 0):b + 2, max(a - 1, 0):a + 2].any() for a, b in zip(x, y)]
    assert np.mean(drawn_hits) > 0.9


def test_drawn_frames_have_paper_background_no_floor_and_the_figure_inside(built):
    rows = [r for r in _rows(built[1][1]) if r["style"] == "drawn"]
    assert rows
    for row in rows:
        image = np.asarray(row["image"]).astype(int)
        assert not row["faces"]
        assert image[0, 0].min() >= 238                                   # near-white paper
        border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
        assert np.abs(border - image[0, 0]).max() <= 2                    # nothing drawn touches the edge
        assert (np.abs(image - image[0, 0]).max(axis=-1) > 40).sum() > 20  # ... but a figure is drawn


def test_same_seed_same_rows_with_one_or_two_workers(built):
    source, outs = built
    one, two = (load_from_disk(str(outs[w])) for w in (1, 2))
    assert list(one) == list(two) == ["train", "validation"]
    for split in one:
        a, b = one[split].with_format("arrow")[:], two[split].with_format("arrow")[:]
        assert a.equals(b), split
    build = json.loads((outs[2] / "build.json").read_text())
    assert build["splits"]["train"] == {"clips": 6, "frames": 36} and build["frames_per_second"] > 0


def test_card_is_written_with_metadata(built):
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(built[1][2] / "README.md")
    assert card.data.license == "other"
    assert "keypoint-detection" in card.data.task_categories
    assert [f["split"] for f in card.data.configs[0]["data_files"]] == ["train", "validation"]
    assert "--views-per-clip 2" in card.text and "| `joints_camera` |" in card.text
    stored = load_from_disk(str(built[1][2]))["train"].cast_column("image", Image(decode=False))[0]["image"]
    assert stored["bytes"].startswith(b"\x89PNG\r\n\x1a\n")


def test_max_clips_picks_a_seeded_subset(tmp_path):
    toy_dataset(train=5, validation=2, frames=(30, 35)).save_to_disk(str(tmp_path / "src"))
    out = tmp_path / "out"
    parallax.main(["--dataset", str(tmp_path / "src"), "--out", str(out), "--views-per-clip", "1",
                   "--frames-per-view", "1", "--max-clips", "train=2", "--workers", "1"])
    result = load_from_disk(str(out))
    assert result.num_rows == {"train": 2, "validation": 2}
    assert parallax.choose_clips(5, 2, 0, "train") == parallax.choose_clips(5, 2, 0, "train")
    assert len(set(parallax.choose_clips(5, 4, 0, "train"))) == 4


@pytest.mark.parametrize("change, message", [
    ({"--dataset": "/nonexistent/parallax"}, "no DatasetDict"),
    ({"--views-per-clip": "0"}, "--views-per-clip must be at least 1"),
    ({"--frames-per-view": "0"}, "--frames-per-view must be at least 1"),
    ({"--max-clips": "train=lots"}, "expected N or split=N"),
    ({"--max-clips": "tset=3"}, "unknown split 'tset'"),
])
def test_bad_arguments_give_clear_errors(built, tmp_path, capsys, change, message):
    args = {"--dataset": str(built[1][1].parent / "source"), "--out": str(tmp_path / "o"),
            "--views-per-clip": "1", "--frames-per-view": "1", **change}
    with pytest.raises(SystemExit) as exc:
        parallax.main([x for pair in args.items() for x in pair])
    assert exc.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_short_clips_give_the_frames_they_have():
    joints = np.repeat(rest_pose()[None], 2, axis=0)
    rows = parallax.render_clip("short", joints, np.random.default_rng(0), views=2, frames=4, size=64)
    assert len(rows) == 4 and sorted({r["frame"] for r in rows}) == [0, 1]


# ----------------------------------------------------------------------------- cameras and looks


def _posed(heading: float = 0.0, frames: int = 1) -> np.ndarray:
    return np.repeat(rotate_y(rest_pose(), heading)[None], frames, axis=0)


def test_view_angles_follow_the_body_facing():
    body = _posed()                                              # faces +z, its left toward +x
    pelvis = body[0, 0]
    for offset, azimuth, elevation in [((0, 0, 4), 0, 0), ((4, 0, 0), 90, 0), ((-4, 0, 0), -90, 0),
                                       ((0, 0, -4), 180, 0), ((0, 3, 4), 0, 36.87)]:
        view = View(pelvis[None] + np.array(offset, float), pelvis[None], 40.0)
        got = view_angles(view, body)
        assert got[0][0] == pytest.approx(azimuth, abs=1e-6) and got[1][0] == pytest.approx(elevation, abs=0.01)
    turned = _posed(np.pi / 2)                                   # faces +x: a camera at +x is in front
    assert view_angles(View(pelvis[None] + [4.0, 0, 0], pelvis[None], 40.0), turned)[0][0] == pytest.approx(0)


def test_drawn_view_has_the_sampled_angles_and_follows_the_actor():
    body = np.stack([rotate_y(rest_pose(), h) + [x, 0, 0] for h, x in ((0.0, 0.0), (1.0, 2.0), (2.5, -1.0))])
    rng = np.random.default_rng(5)
    azimuth, elevation, distance = rng.uniform(-180, 180), rng.uniform(-5, 40), rng.uniform(2.5, 7)
    view = draw_view(np.random.default_rng(5), body)
    got = view_angles(view, body)
    np.testing.assert_allclose(got[0], azimuth, atol=1e-6)
    np.testing.assert_allclose(got[1], elevation, atol=1e-6)
    np.testing.assert_allclose(got[2], distance, atol=1e-9)
    assert np.abs(view.targets - body[:, 0]).max() <= 0.3        # aims near each frame's pelvis


def test_every_frame_is_seen_exactly_through_its_own_keyframe():
    body = _posed(frames=4) + np.arange(4)[:, None, None] * np.array([0.5, 0.0, 0.2])
    view = sample_view(np.random.default_rng(1), body, SIZE, 0.04)
    path = render_camera_path(view_scene(body, view, "#123456"), (SIZE, SIZE))
    assert np.array_equal(path.positions, view.positions) and np.array_equal(path.targets, view.targets)
    assert np.array_equal(path.fovs, np.full(4, view.fov))


def _front_view(body: np.ndarray) -> View:
    head = body[:, JOINT_INDEX["head"]]
    return View(head + [0.0, 0.0, 1.6], head.copy(), 40.0)


def _head_disc(body: np.ndarray, view: View, fraction: float) -> np.ndarray:
    """``[H, W]`` bool: within ``fraction`` of the drawn head circle's radius of its centre."""
    g = actor_geometry(body, view.path(), (SIZE, SIZE), 0.04)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    return np.hypot(xx + 0.5 - g.head_xy[0, 0], yy + 0.5 - g.head_xy[0, 1]) < fraction * g.head_radius[0]


def test_faces_false_removes_the_face_and_nothing_else():
    body, style = _posed(), parallax_style("normal")
    view = _front_view(body)
    on, off = (next(render_frames(view_scene(body, view, "#1f77b4"), replace(style, faces=flag), (SIZE, SIZE)))
               for flag in (True, False))
    changed = np.abs(on.astype(int) - off.astype(int)).max(axis=-1) > 0
    assert changed.sum() > 20                                    # the face was there ...
    assert not (changed & ~_head_disc(body, view, 1.0)).any()    # ... and only the face went


def test_drawn_look_has_no_face():
    body, style = _posed(), parallax_style("drawn")
    view = _front_view(body)
    eyes = np.round(actor_geometry(body, view.path(), (SIZE, SIZE), 0.04).eyes_xy[0]).astype(int)   # [2, 2]
    for flag, has_face in ((style.faces, False), (True, True)):
        frame = next(render_frames(view_scene(body, view, "#202020"), replace(style, faces=flag), (SIZE, SIZE)))
        ink = np.abs(frame.astype(int) - frame[0, 0]).max(axis=-1) > 40
        assert [ink[y - 1:y + 2, x - 1:x + 2].any() for x, y in eyes] == [has_face] * 2


def parallax_style(name: str):
    """The first look :func:`sample_look` gives with this style name."""
    for seed in range(100):
        style, _ = sample_look(np.random.default_rng(seed))
        if style.name == name:
            return style
    raise AssertionError(name)
