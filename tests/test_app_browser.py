"""The app in headless Debian Chromium (Playwright): type a prompt, click Generate, get a video, a player that
draws the figure, and downloads."""
import os
import shutil
from contextlib import contextmanager

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from test_app_client import launch  # noqa: E402
from test_cli_generate import save_tiny_pipeline  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian chromium at /usr/bin/chromium")]


@contextmanager
def app_page(tmp_path, **page_options):
    """The app on a tiny random model and a new headless Chromium page (1280 x 1600 unless ``page_options``
    say otherwise), not loaded yet: ``(page, url)``. Browser and app are closed after."""
    from playwright.sync_api import sync_playwright

    app, url = launch(str(save_tiny_pipeline(tmp_path / "model")))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            yield browser.new_page(**(page_options or {"viewport": {"width": 1280, "height": 1600}})), url
            browser.close()
    finally:
        app.close()


def drawn_pixels(png: bytes) -> int:
    """Pixels that differ clearly from the image's most common colour (its background)."""
    import io

    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    colours, counts = np.unique(image, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    return int((np.abs(image - background).sum(axis=1) > 60).sum())


def test_prompt_to_video_player_and_downloads(tmp_path):
    from playwright.sync_api import expect

    with app_page(tmp_path) as (page, url):
        page.goto(url, wait_until="networkidle")
        prompt = page.locator("#prompt textarea")
        prompt.wait_for()
        prompt.fill("a man walks forward, then waves")
        expect(prompt).to_have_value("a man walks forward, then waves")
        page.locator("#generate").click()
        video = page.locator("#video video")
        video.wait_for(timeout=60_000)
        assert video.get_attribute("src")
        frame = page.frame_locator("#player iframe")
        frame.locator("canvas").first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)  # let the player draw a few frames
        canvas = page.locator("#player iframe")
        assert drawn_pixels(canvas.screenshot()) > 200
        links = page.locator("#downloads a")
        links.first.wait_for(timeout=30_000)
        hrefs = sorted({links.nth(k).get_attribute("href") for k in range(links.count())})
        assert sorted(h.rsplit(".", 1)[-1] for h in hrefs) == ["bvh", "gif", "glb", "motion"]
        response = page.request.get(next(h for h in hrefs if h.endswith(".motion")))
        assert response.ok and response.json()["format"] == "stickgen.motion"


def test_enter_generates_and_a_bad_script_is_said_in_the_page_losing_nothing(tmp_path):
    """Enter in the prompt generates; an invalid script run keeps the video, the downloads and the editor's
    text, says why above the video until the next run, and the editor stays editable; the page loads without
    JavaScript errors."""
    from playwright.sync_api import expect

    with app_page(tmp_path) as (page, url):
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(url, wait_until="networkidle")
        assert errors == []
        prompt = page.locator("#prompt textarea")
        prompt.fill("a person waves")
        prompt.press("Enter")
        video = page.locator("#video video")
        video.wait_for(timeout=60_000)
        first_video = video.get_attribute("src")
        page.locator("#downloads a").first.wait_for(timeout=30_000)
        page.get_by_text("Script (edit the JSON and re-run)").click()
        editor = page.locator("#script .cm-content")
        editor.wait_for(timeout=10_000)
        expect(editor).to_contain_text('"characters"', timeout=10_000)
        expect(page.locator("#understood")).to_contain_text("What I understood", timeout=30_000)
        page.wait_for_timeout(1500)  # the run's last updates land before the edit
        editor.fill('{"broken": ')
        expect(editor).to_contain_text('{"broken":')
        page.wait_for_timeout(1000)  # the editor hands its text to Gradio after a pause
        page.locator("#rerun").click()
        summary = page.locator("#understood")
        expect(summary).to_contain_text("Could not run this", timeout=30_000)
        expect(summary).to_contain_text("script")
        assert video.get_attribute("src") == first_video  # the last video stays
        assert page.locator("#downloads a").count() >= 4
        expect(editor).to_contain_text('{"broken":')
        editor.click()
        page.keyboard.press("End")
        page.keyboard.type(" more")
        expect(editor).to_contain_text("more")  # still editable
        page.wait_for_timeout(12_000)  # the message stays (Gradio's toasts vanish after about 10 s)
        expect(summary).to_contain_text("Could not run this")
        prompt.fill("a person jumps")
        page.locator("#generate").click()
        expect(summary).not_to_contain_text("Could not run this", timeout=60_000)


def test_on_a_phone_generate_scrolls_to_the_result_and_the_player_fits(tmp_path):
    from playwright.sync_api import expect

    with app_page(tmp_path, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as (page, url):
        page.goto(url, wait_until="networkidle")
        page.locator("#prompt textarea").fill("a person waves")
        page.locator("#generate").click()
        summary = page.locator("#understood")
        expect(summary).to_contain_text("What I understood", timeout=60_000)
        page.wait_for_timeout(1000)  # the smooth scroll
        box = summary.bounding_box()
        assert box is not None and -5 <= box["y"] < 844  # the result is on screen, not 800 px below
        frame = page.frame_locator("#player iframe")
        frame.locator(".sg-controls").wait_for(timeout=30_000)
        widths = frame.locator(".sg-controls").evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] <= widths[1]  # the controls wrap instead of running off the screen
        assert frame.locator(".sg-file-label").is_hidden()  # no file picker beside an embedded scene


def test_the_example_drawing_starts_the_animation_from_its_pose(tmp_path):
    """The "Start from a picture" panel: the example drawing fills the sketch pad, and Generate makes a clip whose
    scene is seen from the picture's camera (a track move in the downloaded .motion)."""
    with app_page(tmp_path) as (page, url):
        page.goto(url, wait_until="networkidle")
        page.locator("#prompt textarea").fill("a man waves")
        page.locator("#pose-panel").get_by_text("Start from a picture").click()
        page.locator("#pose-example").click()
        pad = page.locator("#pose-image canvas").first
        pad.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the drawing is loaded into the editor's canvas
        assert drawn_pixels(page.locator("#pose-image").screenshot()) > 300
        page.locator("#generate").click()
        links = page.locator("#downloads a")
        links.first.wait_for(timeout=60_000)
        href = next(links.nth(k).get_attribute("href") for k in range(links.count())
                    if links.nth(k).get_attribute("href").endswith(".motion"))
        scene = page.request.get(href).json()
        assert scene["camera"]["moves"][0]["move"] == "track"
