"""Our glTF judged by other people's code: the Khronos glTF-Validator, and three.js's GLTFLoader in
headless Chromium reproducing the joint positions. Both come from npm at test time (pinned, cached in
``$STICKGEN_NPM_CACHE`` or ``~/.cache/stickgen-npm``); skipped when npm or the registry is unavailable.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_render_fixtures import scene_of, serve_folder, standing, waving

from stickgen.export import export
from stickgen.render.web import CHROMIUM, launch_chromium
from stickgen.skeleton import JOINT_NAMES

pytestmark = pytest.mark.slow
NPM_PACKAGES = ("gltf-validator@2.0.0-dev.3.10", "three@0.187.0")


@pytest.fixture(scope="module")
def node_modules() -> Path:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node/npm not installed")
    cache = Path(os.environ.get("STICKGEN_NPM_CACHE", Path.home() / ".cache" / "stickgen-npm"))
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "package.json").exists():
        (cache / "package.json").write_text('{"name": "stickgen-test-tools", "private": true}')
    wanted = {p.rsplit("@", 1)[0]: p.rsplit("@", 1)[1] for p in NPM_PACKAGES}
    have = {name: json.loads((cache / "node_modules" / name / "package.json").read_text())["version"]
            for name in wanted if (cache / "node_modules" / name / "package.json").exists()}
    if have != wanted:
        result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", *NPM_PACKAGES],
                                cwd=cache, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            pytest.skip(f"npm install failed: {result.stderr[-300:]}")
    return cache / "node_modules"


VALIDATE_JS = """
const validator = require("gltf-validator");
const fs = require("fs");
const data = new Uint8Array(fs.readFileSync(process.argv[2]));
validator.validateBytes(data).then((report) => console.log(JSON.stringify(report.issues)))
  .catch((error) => { console.error(error); process.exit(1); });
"""


@pytest.mark.parametrize("suffix", [".glb", ".gltf"])
def test_khronos_validator_finds_no_errors_or_warnings(node_modules, tmp_path, suffix):
    (path,) = export(scene_of(waving(20), standing(20, x=1.0)), tmp_path / f"clip{suffix}")
    script = tmp_path / "validate.js"
    script.write_text(VALIDATE_JS)
    result = subprocess.run(["node", str(script), str(path)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "NODE_PATH": str(node_modules)})
    assert result.returncode == 0, result.stderr
    issues = json.loads(result.stdout)
    messages = [m for m in issues["messages"] if m["severity"] <= 1]          # 0 error, 1 warning
    assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, messages


THREE_PAGE = """<!doctype html><html><head><script type="importmap">
{"imports": {"three": "/node_modules/three/build/three.module.js",
             "three/addons/": "/node_modules/three/examples/jsm/"}}</script></head><body><script type="module">
import * as THREE from "three";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";
new GLTFLoader().load("/clip.glb", (gltf) => {
  const mixer = new THREE.AnimationMixer(gltf.scene);
  const action = mixer.clipAction(gltf.animations[0]);
  action.setLoop(THREE.LoopOnce);
  action.clampWhenFinished = true;
  action.play();
  const joints = {};
  gltf.scene.traverse((o) => { if (o.userData.joint) joints[o.userData.actor + ":" + o.userData.joint] = o; });
  window.sample = (seconds) => {
    mixer.setTime(seconds);
    gltf.scene.updateMatrixWorld(true);
    const out = {};
    for (const [name, o] of Object.entries(joints)) out[name] = o.getWorldPosition(new THREE.Vector3()).toArray();
    return out;
  };
  window.meshCount = 0;
  gltf.scene.traverse((o) => { if (o.isMesh) window.meshCount++; });
}, undefined, (error) => { window.loadError = String(error); });
</script></body></html>"""


@pytest.mark.browser
def test_three_js_gltf_loader_reproduces_the_joints_in_chromium(node_modules, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    scene = scene_of(waving(25), standing(25, x=1.0))
    export(scene, tmp_path / "clip.glb")
    (tmp_path / "index.html").write_text(THREE_PAGE)
    (tmp_path / "node_modules").symlink_to(node_modules)
    with serve_folder(tmp_path) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/index.html")
        page.wait_for_function("window.sample || window.loadError", timeout=30000)
        assert page.evaluate("window.loadError || null") is None
        assert page.evaluate("window.meshCount") == 2 * 22                # 21 sticks + a head per actor
        for frame in (0, 7, 24):
            positions = page.evaluate(f"window.sample({frame / scene.fps})")
            for actor in scene.actors:
                got = np.array([positions[f"{actor.id}:{name}"] for name in JOINT_NAMES])
                assert np.abs(got - actor.joints[frame]).max() < 1e-3
        assert errors == []
        browser.close()
