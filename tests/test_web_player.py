"""The browser player in headless Chromium (Playwright): loads, draws, scrubs, orbits, embeds, no errors."""
import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_render_fixtures import scene_of, serve_folder, standing, walking

from stickgen import vocab
from stickgen.motion import Scene
from stickgen.render import camera_path, render_camera_path
from stickgen.render.web import CHROMIUM, launch_chromium, player_html, player_iframe

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
BLUE = np.array([31, 119, 180])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder with the player and example files, served over http like ``python -m http.server``."""
    folder = tmp_path_factory.mktemp("site")
    for name in ("index.html", "player.js", "player.css"):
        shutil.copy(ROOT / "web" / name, folder / name)
    shutil.copy(ROOT / "examples" / "wave.motion", folder / "wave.motion")
    shutil.copy(ROOT / "examples" / "two_actors.motion", folder / "two_actors.motion")
    (folder / "bad.motion").write_text('{"format": "something-else"}')
    with serve_folder(folder) as url:
        yield url, folder


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 480, "height": 420})
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.close()


def canvas_pixels(page) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(page.locator("canvas").screenshot())).convert("RGB"), dtype=float)


def blue_mask(pixels: np.ndarray) -> np.ndarray:
    return np.linalg.norm(pixels - BLUE, axis=-1) < 40


def open_player(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("window.stickgenPlayer && window.stickgenPlayer.doc !== null")
    page.evaluate("stickgenPlayer.pause()")


def scrub(page, frame: int) -> None:
    page.locator(".sg-scrub").evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", str(frame))


def test_loads_by_url_draws_the_figure_and_scrubbing_moves_it(site, page):
    url, _ = site
    open_player(page, f"{url}/index.html?src=wave.motion")
    scrub(page, 0)
    rest = blue_mask(canvas_pixels(page))
    assert rest.sum() > 800                                               # the figure is on the canvas
    ys, xs = np.nonzero(rest)
    assert 0.3 < xs.mean() / rest.shape[1] < 0.7                          # framed in the middle
    scrub(page, 100)                                                      # mid-wave: the arm is up
    assert page.evaluate("stickgenPlayer.frame") == 100
    assert page.locator(".sg-time").inner_text() == "4.00 s"
    waving = blue_mask(canvas_pixels(page))
    assert (waving ^ rest).sum() > 300                                    # the figure moved
    assert np.nonzero(waving)[0].min() < ys.min()                         # the hand rises above the head
    assert page.errors == []


def test_plays_at_display_rate_and_records_frame_time(site, page):
    url, _ = site
    page.goto(f"{url}/index.html?src=two_actors.motion")
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.playing")
    page.wait_for_timeout(1500)
    stats = page.evaluate("({frame: stickgenPlayer.frame, n: stickgenPlayer.stats.frames, "
                          "mean: stickgenPlayer.stats.meanMs, max: stickgenPlayer.stats.maxMs})")
    print(f"web player: {stats['n']} frames drawn, mean {stats['mean']:.2f} ms, max {stats['max']:.2f} ms")
    assert stats["n"] > 20                                                # redraws every animation frame
    assert 15 < stats["frame"] < 60                                       # ~1.5 s of a 25 fps clip
    assert stats["frame"] != int(stats["frame"])                          # interpolates between frames
    assert page.errors == []


def test_controls_speed_loop_orbit_and_file_picker(site, page):
    url, folder = site
    open_player(page, f"{url}/index.html?src=wave.motion")
    page.select_option(".sg-speed", "2")
    assert page.evaluate("stickgenPlayer.speed") == 2
    page.uncheck(".sg-loop")
    assert page.evaluate("stickgenPlayer.loop") is False
    scrub(page, 0)
    before = canvas_pixels(page)
    box = page.locator("canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 120, cy, steps=6)                                # drag: orbit the camera
    page.mouse.up()
    assert page.evaluate("stickgenPlayer.orbit.yaw") < -0.5
    assert np.abs(canvas_pixels(page) - before).mean() > 2
    page.mouse.wheel(0, 600)                                              # zoom out: figure shrinks
    page.wait_for_timeout(100)
    assert blue_mask(canvas_pixels(page)).sum() < blue_mask(before).sum()
    page.set_input_files(".sg-file", str(folder / "two_actors.motion"))
    page.wait_for_function("stickgenPlayer.doc.actors.length === 2")
    page.locator("canvas").click()
    page.keyboard.press("Space")
    assert page.evaluate("stickgenPlayer.playing") is True
    assert page.errors == []


def test_bad_file_shows_a_message(site, page):
    url, _ = site
    page.goto(f"{url}/index.html?src=bad.motion")
    page.wait_for_selector(".sg-message:not([hidden])")
    assert "format" in page.locator(".sg-message").inner_text()
    assert page.errors == []


def test_inlined_html_plays_without_a_server(page):
    scene = scene_of(standing(30), standing(30, x=1.2))
    html = player_html(scene, autoplay=False)
    assert "http" not in html.replace("http-equiv", "")                   # nothing to fetch
    page.set_content(html)
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    assert page.evaluate("stickgenPlayer.playing") is False
    assert blue_mask(canvas_pixels(page)).sum() > 300
    assert page.errors == []
    frame = player_iframe(Scene.load(ROOT / "examples" / "wave.motion"), height=300)
    page.set_content(f"<html><body>{frame}</body></html>")
    inner = page.frames[1]
    inner.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    assert inner.evaluate("stickgenPlayer.doc.num_frames") == 250
    assert page.errors == []


def test_player_vocabulary_matches_python(page):
    page.set_content(player_html(scene_of(standing(2))))
    page.wait_for_function("window.StickGenPlayer")
    expressions = page.evaluate("StickGenPlayer.EXPRESSIONS")
    assert expressions == {e.name: [e.eye_type, e.eyebrow_angle, e.mouth_shape, e.mouth_openness]
                           for e in vocab.EXPRESSIONS}
    speech = page.evaluate("StickGenPlayer.SPEECH")
    assert speech == {s.name: [s.rate_hz, s.mouth_shape, s.max_openness] for s in vocab.SPEECH_TYPES}
    from stickgen.skeleton import PARENTS

    assert page.evaluate("StickGenPlayer.PARENTS") == list(PARENTS)


def test_player_draws_expressions_and_speech(page):
    from stickgen.motion import Segment

    frames = 6 * 20
    scene = scene_of(standing(frames), expressions=[Segment(20 * i, 20 * i + 20, n)
                                                    for i, n in enumerate(vocab.EXPRESSION_NAMES)],
                     speech=[Segment(100, 120, "talk")])
    page.set_content(player_html(scene, autoplay=False))
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    page.evaluate("stickgenPlayer.takeControl(); stickgenPlayer.orbit.target = [0, 1.63, 0]; "
                  "stickgenPlayer.orbit.distance = 0.8; stickgenPlayer.orbit.pitch = 0")

    def face(frame):
        scrub(page, frame)
        pixels = canvas_pixels(page)
        h, w = pixels.shape[:2]
        return pixels[h // 4:3 * h // 4, w // 4:3 * w // 4]

    faces = [face(20 * i + 15) for i in range(5)]                       # after each 0.3 s transition
    for i in range(len(faces)):
        for k in range(i + 1, len(faces)):
            assert np.abs(faces[i] - faces[k]).mean() > 0.5
    dark = [(face(f).sum(-1) < 200).sum() for f in range(100, 108)]      # talk: 8 Hz at 25 fps
    assert dark[0] < max(dark) and len(set(dark)) > 2                      # the mouth opens and closes
    assert page.errors == []


CAMERA_SCENES = {
    "every move": {"moves": [
        {"move": "static", "start": 0, "end": 10}, {"move": "pan", "start": 0, "end": 40, "angle": 20},
        {"move": "zoom", "start": 10, "end": 60}, {"move": "track", "start": 0, "end": 100, "target_actor": "a1",
                                                   "smoothing": 0.3},
        {"move": "dolly", "start": 50, "end": 100, "distance": 1.0}, {"move": "crane", "start": 60, "end": 120},
        {"move": "orbit", "start": 80, "end": 150, "angle": -90}]},
    "keyframes and a zoom": {
        "keyframes": [{"frame": 0, "position": [0, 1.6, 6], "target": [0, 1, 0], "fov": 45},
                      {"frame": 60, "position": [3, 2.0, 4], "target": [1, 1, 0], "fov": 35, "interpolation": "linear"},
                      {"frame": 120, "position": [-2, 1.2, 5], "target": [0.5, 0.9, 0]}],
        "moves": [{"move": "zoom", "start": 100, "end": 150, "factor": 1.3}]},
}


def renderers_camera_of_loaded(page, scene: Scene):
    """Load ``scene`` in the player; the video renderer's camera of it for the player's canvas size."""
    page.set_content(player_html(scene, autoplay=False))
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    size = page.evaluate("(() => { const c = document.querySelector('canvas'); "
                         "return [c.clientWidth, c.clientHeight]; })()")
    return camera_path(Scene.from_json(scene.to_json(4)), size=tuple(size))  # the player gets 4 decimals


@pytest.mark.parametrize("name", list(CAMERA_SCENES))
def test_the_files_camera_matches_the_video_renderers(page, name):
    scene = scene_of(walking(150, 0.0, 1.2), walking(150, 1.0, 0.6), camera=CAMERA_SCENES[name])
    expected = renderers_camera_of_loaded(page, scene)
    for frame in (0, 17, 55, 99, 130, 149):
        shown = page.evaluate(f"(stickgenPlayer.seek({frame}), stickgenPlayer.camera())")
        np.testing.assert_allclose(shown["position"], expected.positions[frame], atol=1e-6)
        np.testing.assert_allclose(shown["target"], expected.targets[frame], atol=1e-6)
        assert shown["fov"] == pytest.approx(expected.fovs[frame], abs=1e-6)
    assert page.errors == []


def test_dragging_leaves_the_files_camera_and_double_click_returns_to_it(page):
    scene = scene_of(walking(100, 0.0, 1.0),
                     camera={"moves": [{"move": "orbit", "start": 0, "end": 100, "angle": 120}]})
    page.set_content(player_html(scene, autoplay=False))
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    file_camera = page.evaluate("(stickgenPlayer.seek(50), stickgenPlayer.camera())")
    box = page.locator("canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down()
    page.mouse.move(cx + 60, cy, steps=3)
    page.mouse.up()
    dragged = page.evaluate("stickgenPlayer.camera()")
    assert page.evaluate("stickgenPlayer.free") is True
    np.testing.assert_allclose(dragged["target"], file_camera["target"], atol=1e-9)   # orbits the same point
    assert np.linalg.norm(np.subtract(dragged["position"], file_camera["position"])) > 0.5
    assert page.evaluate("(stickgenPlayer.seek(90), stickgenPlayer.camera().position)") == dragged["position"]
    page.locator("canvas").dblclick()
    assert page.evaluate("stickgenPlayer.free") is False
    back = page.evaluate("(stickgenPlayer.seek(50), stickgenPlayer.camera())")
    np.testing.assert_allclose(back["position"], file_camera["position"], atol=1e-9)
    assert page.errors == []


def test_a_bad_camera_move_is_named_in_the_message(page):
    scene = scene_of(standing(20))
    page.set_content(player_html(scene, autoplay=False))
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    load = "doc => { try { stickgenPlayer.load(doc); return null; } catch (e) { return e.message; } }"
    doc = scene.to_dict(4)
    for moves, message in (([{"move": "spin", "start": 0, "end": 10}],
                            'camera.moves[0].move: unknown camera move "spin"'),
                           ([{"move": "pan", "start": 5, "end": 30}], "camera.moves[0]: frames [5, 30) are outside"),
                           ([{"move": "track", "start": 0, "end": 20, "target_actor": "b9"}],
                            'camera.moves[0].target_actor: no actor with id "b9"')):
        assert message in page.evaluate(load, doc | {"camera": {"moves": moves}})
    assert page.evaluate("stickgenPlayer.doc.num_frames") == 20                # the loaded file is kept


@pytest.mark.parametrize("move", ["zoom", "track"])
def test_a_walk_at_the_camera_is_shot_from_the_side_as_the_video_renderer_shoots_it(page, move):
    toward = standing(150) + np.arange(150)[:, None, None] * np.array([0.0, 0.0, 1.2 / 25])
    scene = scene_of(toward, camera={"moves": [{"move": move, "start": 0, "end": 150}]})
    expected = renderers_camera_of_loaded(page, scene)
    assert expected.positions[0, 0] - expected.targets[0, 0] > 2.0  # from the side (+x), not from the front
    for frame in (0, 75, 149):
        shown = page.evaluate(f"(stickgenPlayer.seek({frame}), stickgenPlayer.camera())")
        np.testing.assert_allclose(shown["position"], expected.positions[frame], atol=1e-6)
        np.testing.assert_allclose(shown["target"], expected.targets[frame], atol=1e-6)
    assert page.errors == []


def test_the_player_shows_the_directors_camera_as_the_video_renderer_does(page):
    scene = scene_of(walking(150, -4.0, 1.2), standing(150, x=4.0))           # no camera: directed
    page.set_content(player_html(scene, autoplay=False))
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    assert page.evaluate("stickgenPlayer.free") is False                       # plays the file's camera
    video = render_camera_path(scene, (512, 512))                              # the 512x512 video's camera
    assert np.ptp(video.positions[:, 0]) > 1.0                                 # it really moves
    for frame in (0, 33, 74, 120, 149):
        shown = page.evaluate(f"(stickgenPlayer.seek({frame}), stickgenPlayer.camera())")
        np.testing.assert_allclose(shown["position"], video.positions[frame], atol=1e-6)
        np.testing.assert_allclose(shown["target"], video.targets[frame], atol=1e-6)
        assert shown["fov"] == pytest.approx(video.fovs[frame], abs=1e-6)
    halfway = page.evaluate("(stickgenPlayer.seek(74.5), stickgenPlayer.camera().position)")  # between frames
    np.testing.assert_allclose(halfway, 0.5 * (video.positions[74] + video.positions[75]), atol=1e-6)
    assert page.errors == []


@pytest.mark.parametrize("style", vocab.RENDER_STYLES)
def test_the_player_draws_in_the_chosen_style_as_the_video_does(page, style):
    """The sky, the ground and the figure's colour of the player match the video renderer's frame."""
    from stickgen.render import render_frames

    scene = scene_of(standing(30))
    page.set_viewport_size({"width": 400, "height": 460})
    page.set_content(player_html(scene, autoplay=False, style=style, height="400px"))
    page.wait_for_function("window.stickgenPlayer && stickgenPlayer.doc !== null")
    shown = canvas_pixels(page).astype(int)
    video = next(render_frames(scene, style, (400, 400), frames=[0])).astype(int)
    for row in (3, shown.shape[0] - 3):  # the sky at the top, the ground at the bottom
        assert np.abs(shown[row, 3] - video[row * video.shape[0] // shown.shape[0], 3]).max() <= 12, row
    figure = np.abs(shown - shown[3, 3]).sum(axis=-1) > 60
    assert figure.sum() > 200 and page.errors == []
