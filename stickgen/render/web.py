"""The browser player (``web/``) as one self-contained HTML string, for Gradio or any page.

``player_html(scene)`` inlines ``web/player.css``, ``web/player.js`` and the scene's ``.motion`` JSON, so
the result needs no server and no network. ``player_iframe(scene)`` wraps it in an ``<iframe srcdoc>``,
which is how to embed it where inline scripts do not run (``gr.HTML`` does not execute ``<script>``).
It draws in the chosen render style. A scene without a camera of its own is shown through the automatic
director's camera (:func:`stickgen.render.director.directed`, embedded as keyframes), the same camera as
the 512x512 video's.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from .director import directed
from .styles import player_style

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run")


def _asset(name: str) -> str:
    path = WEB_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"the web player's {name} is not at {path} (this install lacks the web/ folder)")
    return path.read_text()


def _inline_script(text: str) -> str:
    """Make text safe inside ``<script>``: no ``</script`` or ``<!--`` can end or confuse it."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def player_html(scene, autoplay: bool = True, decimals: int = 4, height: str = "100vh", aspect: float = 1.0,
                style: str = "normal") -> str:
    """A complete HTML document that plays ``scene`` (joints rounded to ``decimals``, 4 = 0.1 mm) drawn in
    ``style`` (:func:`stickgen.render.styles.player_style`); a scene without a camera is directed for frames
    ``aspect`` (width / height) wide, as the video of that shape."""
    motion = _inline_script(directed(scene, aspect).to_json(decimals).strip())
    look = _inline_script(json.dumps(player_style(style)))
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<link rel=\"icon\" href=\"data:,\"><title>Stick-Gen player</title>"
            f"<style>{_asset('player.css')}\nhtml, body {{ margin: 0; height: 100%; }} "
            f"#player {{ height: {height}; }}</style></head><body><div id=\"player\"></div>"
            f"<script>window.STICKGEN_MOTION = {motion};\nwindow.STICKGEN_STYLE = {look};\n"
            f"window.STICKGEN_AUTOPLAY = {str(autoplay).lower()};</script>"
            f"<script>{_inline_script(_asset('player.js'))}</script>"
            "<script>StickGenPlayer.boot(document.getElementById(\"player\"));</script></body></html>\n")


def player_iframe(scene, height: int = 480, **kwargs) -> str:
    """An ``<iframe srcdoc=...>`` element holding :func:`player_html` (``height`` in pixels)."""
    return (f'<iframe srcdoc="{html.escape(player_html(scene, **kwargs), quote=True)}" '
            f'style="width: 100%; height: {int(height)}px; border: 0;" sandbox="allow-scripts"></iframe>')


def launch_chromium(playwright):
    """Headless system Chromium through Playwright (never a downloaded browser), for tests and benchmarks."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
