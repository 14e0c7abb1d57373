"""The app in headless Debian Chromium (Playwright): type a prompt, click Generate, get a video, a player that
draws the figure, and downloads."""
import os
import shutil

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


def drawn_pixels(png: bytes) -> int:
    """Pixels that differ clearly from the image's most common colour (its background)."""
    import io

    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    colours, counts = np.unique(image, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    return int((np.abs(image - background).sum(axis=1) > 60).sum())


def test_prompt_to_video_player_and_downloads(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    app, url = launch(str(save_tiny_pipeline(tmp_path / "model")))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
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
            browser.close()
    finally:
        app.close()
