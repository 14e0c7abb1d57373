"""``python -m datasets_scripts.convert`` on fixture folders in each dataset's layout (built with the converter
tests' helpers): every format writes valid ``.motion`` files, ``index.json`` and ``summary.json`` with the frame
counts worked out by hand; a folder of another dataset's layout exits 2 saying what was expected where."""
import json
import math
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_converters_bvh_style_beat_babel import (
    CM,
    MIXAMO,
    amass_npz,
    babel_files,
    beat_take,
    moving,
    style_root,
    write,
)
from test_converters_cmu import UNIT, amc_text, asf_text
from test_converters_deepmimic import rest_frame, urdf
from test_converters_kitml_ntu_interhuman import (
    approaching,
    interhuman_folder,
    kit_folder,
    skeleton_text,
    smpl_to_kit,
    walking,
)

from datasets_scripts import convert, fetch_real
from stickgen import skeleton
from stickgen.motion import Scene

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
J = skeleton.JOINT_INDEX


# ----------------------------------------------------------------------------- fixture folders, one per format


def humanml3d_folder(root, count=1):
    """``count`` clips of 41 frames at 20 fps (2 s, walking 1 m), plus the mirror ``M000001`` of the first."""
    (root / "new_joints").mkdir(parents=True)
    (root / "texts").mkdir()
    ids = [f"{i + 1:06d}" for i in range(count)] + ["M000001"]
    for clip_id in ids:
        np.save(root / "new_joints" / f"{clip_id}.npy", walking(41, 0.0, 1.0).astype(np.float32))
        (root / "texts" / f"{clip_id}.txt").write_text(
            "a person walks forward.#a/DET person/NOUN walk/VERB forward/ADV#0.0#0.0\n"
            "someone strolls ahead#someone/PRON stroll/VERB ahead/ADV#0.0#0.0\n")
    return root


def amass_folder(root, count=1):
    for i in range(count):
        amass_npz(root / "CMU" / f"{i + 1:02d}" / f"{i + 1:02d}_01_poses.npz", 241, 120.0)  # 2 s at 120 fps
    np.savez(root / "CMU" / "01" / "shape.npz", betas=np.zeros(16))  # AMASS's body shape file: no motion
    return root


def kitml_folder(root, count=1):
    root.mkdir(parents=True)
    for i in range(count):  # 4 s at 12.5 fps in millimetres
        kit_folder(root, smpl_to_kit(walking(51, math.pi / 2, 2.0)) * 1000.0, clip_id=f"{i + 1:05d}")
    return root


def babel_folder(root, count=1):
    root.mkdir(parents=True)
    babel_files(root)  # train.json here, AMASS files under root/amass; one sequence's file is missing
    return root


def beat_folder(root, count=1):
    root.mkdir(parents=True)
    for i in range(count):
        beat_take(root / "1", f"1_wayne_0_{65 + i}_{65 + i}")  # 2 s at 120 fps, happiness
    return root


def ntu_folder(root, count=1):
    root.mkdir(parents=True)
    for i in range(count):  # 2 s at 30 fps, one person waving
        body = approaching(61)
        (root / f"S001C001P001R{i + 1:03d}A023.skeleton").write_text(skeleton_text([{7: joints} for joints in body]))
    a, b, noise = approaching(61, x=0.6), approaching(61, x=-0.6), approaching(5, x=3.0)
    frames = [{11: a[i], 22: b[i], **({33: noise[i]} if i < 5 else {})} for i in range(61)]  # and a noise body
    (root / "S017C003P020R002A058.skeleton").write_text(skeleton_text(frames))  # two people shaking hands
    return root


def style100_folder(root, count=1):
    root.mkdir(parents=True)
    return style_root(root)  # Angry: 5 cut takes; Neutral is in Frame_Cuts.csv but has no folder


def interhuman_folder_of(root, count=1):
    root.mkdir(parents=True)
    for i in range(count):  # 2 s at 30 fps; person 2 stands 1.2 m in front of person 1, facing it
        interhuman_folder(root, walking(61, 0.0, 0.0), walking(61, math.pi, 0.5, start=(0.0, 0.0, 1.2)),
                          clip_id=str(i + 1))
    return root


def bvh_folder(root, count=1):
    root.mkdir(parents=True)
    for i in range(count):  # 2 s at 30 fps in centimetres, walking 1 m
        write(root / f"Walking_Backwards_{i:02d}.bvh", MIXAMO, moving(61, 30, (0, 0, 0.5)), 30, scale=CM)
    return root


def deepmimic_folder(root, count=1):
    """``pybullet_data``'s layout: the walk (a 1 s cycle, repeated to fetch_real's 4 s) and an unknown clip."""
    motions = root / "pybullet_data" / "data" / "motions"
    motions.mkdir(parents=True)
    (root / "pybullet_data" / "humanoid").mkdir()
    (root / "pybullet_data" / "humanoid" / "humanoid.urdf").write_text(urdf())
    doc = {"Loop": "wrap", "Frames": [rest_frame(root=(i / 30, 0.9, 0.0)) for i in range(31)]}
    (motions / "humanoid3d_walk.txt").write_text(json.dumps(doc))
    for i in range(count):
        (motions / f"humanoid3d_sideflip{i}.txt").write_text(json.dumps({**doc, "Loop": "none"}))
    return motions


def cmu_folder(root, count=1):
    root.mkdir(parents=True)
    (root / "01.asf").write_text(asf_text())
    for i in range(count):  # 1 s at 120 fps walking 1 m
        (root / f"01_{i + 1:02d}.amc").write_text(amc_text(121, root=lambda t: (0.0, 17.0, t / 120 / UNIT, 0, 0, 0)))
    return root


def motion_folder(root, count=1):
    root.mkdir(parents=True)
    for name in ("deepmimic_walk.motion", "cmu_01_01.motion"):
        shutil.copyfile(REAL / name, root / name)
    index = json.loads((REAL / "index.json").read_text())["clips"]
    (root / "index.json").write_text(json.dumps({"clips": [e for e in index if e["id"] in ("deepmimic_walk",
                                                                                             "cmu_01_01")]}))
    return root


#: format -> (fixture builder, extra arguments given the fixture's parent folder)
FIXTURES = {
    "amass": (amass_folder, lambda tmp: []), "humanml3d": (humanml3d_folder, lambda tmp: []),
    "kitml": (kitml_folder, lambda tmp: []), "babel": (babel_folder, lambda tmp: ["--amass-root", str(tmp / "amass")]),
    "beat": (beat_folder, lambda tmp: []), "ntu": (ntu_folder, lambda tmp: []),
    "100style": (style100_folder, lambda tmp: []), "interhuman": (interhuman_folder_of, lambda tmp: []),
    "bvh": (bvh_folder, lambda tmp: []), "deepmimic": (deepmimic_folder, lambda tmp: []),
    "cmu": (cmu_folder, lambda tmp: []), "motion": (motion_folder, lambda tmp: []),
}
#: format -> {clip id: frames at 25 fps}, worked out from each fixture's length and frame rate
EXPECTED = {
    "amass": {"amass_CMU_01_01_01_poses": 51},
    "humanml3d": {"humanml3d_000001": 51, "humanml3d_M000001": 51},
    "kitml": {"kitml_00001": 101},  # (51 - 1) * 25 / 12.5 + 1
    "babel": {"babel_1": 51, "babel_3": 26},
    "beat": {"beat_1_wayne_0_65_65": 51},
    "ntu": {"ntu_S001C001P001R001A023": 51, "ntu_S017C003P020R002A058": 51},
    "100style": {"100style_Angry_BW": 26, "100style_Angry_FW": 26, "100style_Angry_ID": 26, "100style_Angry_SW": 26,
                 "100style_Angry_TR1": 26},
    "interhuman": {"interhuman_1": 51},
    "bvh": {"bvh_Walking_Backwards_00": 51},
    "deepmimic": {"deepmimic_walk": 101, "deepmimic_sideflip0": 26},  # the walk cycle repeated to 4 s
    "cmu": {"cmu_01_01": 26},
    "motion": {"deepmimic_walk": 127, "cmu_01_01": 574},
}


def run_convert(fmt, tmp_path, *extra):
    builder, args = FIXTURES[fmt]
    source = builder(tmp_path / fmt)
    out = tmp_path / f"{fmt}-out"
    code = convert.main(["--format", fmt, "--input", str(source), "--out", str(out), *args(tmp_path / fmt), *extra])
    return code, out


def index_of(out):
    return {e["id"]: e for e in json.loads((out / "index.json").read_text())["clips"]}


# ----------------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", list(FIXTURES))
def test_each_format_writes_valid_clips_an_index_and_a_summary(fmt, tmp_path, capsys):
    code, out = run_convert(fmt, tmp_path)
    assert code == 0, capsys.readouterr().err
    index = index_of(out)
    assert {k: e["num_frames"] for k, e in index.items()} == EXPECTED[fmt]
    for entry in index.values():
        scene = Scene.load(out / entry["file"])
        assert scene.fps == 25 and scene.num_frames == entry["num_frames"] and len(scene.actors) == entry["actors"]
        assert scene.meta["texts"] == entry["texts"] and scene.meta["source"] == entry["source"]
        assert entry["licence"] and entry["group"]
        feet = np.concatenate([a.joints[:, list(skeleton.FOOT_JOINTS), 1] for a in scene.actors])
        assert feet.min() == pytest.approx(0.0, abs=1e-4)
    summary = json.loads((out / "summary.json").read_text())
    frames = sum(EXPECTED[fmt].values())
    assert summary["clips"] == len(EXPECTED[fmt]) and summary["frames"] == frames
    assert summary["hours"] == pytest.approx(frames / 25 / 3600, abs=1e-6)
    assert f"{summary['items']} items read, {len(EXPECTED[fmt])} clips written" in capsys.readouterr().out


def test_labels_groups_and_skips_per_format(tmp_path, capsys):
    humanml3d = index_of(run_convert("humanml3d", tmp_path)[1])
    assert humanml3d["humanml3d_M000001"]["group"] == humanml3d["humanml3d_000001"]["group"] == "humanml3d:000001"
    assert humanml3d["humanml3d_000001"]["texts"] == ["a person walks forward.", "someone strolls ahead"]

    _, out = run_convert("ntu", tmp_path)
    pair = Scene.load(out / "ntu_S017C003P020R002A058.motion")
    a, b = (actor.joints for actor in pair.actors)
    assert np.linalg.norm(a[0, 0] - b[0, 0]) == pytest.approx(1.2, abs=1e-6)  # one world, their gap kept
    assert index_of(out)["ntu_S017C003P020R002A058"]["group"] == "ntu:S017P020R002A058"  # any camera, one group
    assert [s.label for s in pair.actors[0].actions] == ["handshake"]
    assert index_of(out)["ntu_S017C003P020R002A058"]["texts"] == ["handshaking"]
    assert json.loads((out / "summary.json").read_text())["skipped_examples"] == {
        "NTU body seen in too few frames": ["S017C003P020R002A058.skeleton: body 33 skipped: in 5 of 61 frames, "
                                            "not one of the two people"]}

    _, out = run_convert("beat", tmp_path)
    actor = Scene.load(out / "beat_1_wayne_0_65_65.motion").actors[0]
    assert [(s.start, s.end, s.extra["text"]) for s in actor.speech] == [(13, 33, "hello there"), (46, 50, "friend")]
    assert [s.label for s in actor.expressions] == ["happy"]

    code, out = run_convert("babel", tmp_path)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped"] == {"AMASS file not under the AMASS root": 1}
    assert index_of(out)["babel_1"]["texts"] == ["walk and wave right hand, then turn around"]
    assert [(s.start, s.end, s.label) for s in Scene.load(out / "babel_1.motion").actors[0].actions] == [
        (0, 25, "walk"), (16, 35, "wave")]

    _, out = run_convert("100style", tmp_path)
    skipped = json.loads((out / "summary.json").read_text())
    assert skipped["skipped"] == {"conversion failed": 1}
    assert "expected the folder Neutral/" in skipped["skipped_examples"]["conversion failed"][0]
    forward = index_of(out)["100style_Angry_FW"]
    assert forward["texts"] == ["a person walks forward in an angry style"] and forward["group"] == "100style:Angry"

    _, out = run_convert("amass", tmp_path)
    assert json.loads((out / "summary.json").read_text())["skipped"] == {
        "no poses (a shape.npz or other non-motion file)": 1}
    assert "skipped 1: no poses" in capsys.readouterr().out


def test_shipped_formats_write_what_fetch_real_writes(tmp_path):
    """deepmimic and cmu clips the fetch table knows get its ids, labels, texts and holdout, byte for byte the
    .motion that fetch_real writes for the same joints; the index adds licence, group and actors."""
    from datasets_scripts.converters import deepmimic

    _, out = run_convert("deepmimic", tmp_path)
    motions = tmp_path / "deepmimic" / "pybullet_data" / "data" / "motions"
    offsets = deepmimic.parse_urdf_offsets(urdf())
    walk = next(c for c in fetch_real.CLIPS if c.id == "deepmimic_walk")
    joints = deepmimic.convert((motions / walk.file).read_text(), offsets, min_seconds=walk.min_seconds)
    (tmp_path / "fetched").mkdir()
    entry = fetch_real._save(walk, joints, tmp_path / "fetched")
    assert (out / "deepmimic_walk.motion").read_bytes() == (tmp_path / "fetched" / "deepmimic_walk.motion").read_bytes()
    written = index_of(out)["deepmimic_walk"]
    assert {k: written[k] for k in entry} == entry
    assert (written["licence"], written["group"], written["actors"]) == ("zlib", "deepmimic_walk", 1)
    committed = index_of(REAL)["deepmimic_walk"]
    assert {k: v for k, v in committed.items() if k != "num_frames"} == {k: v for k, v in entry.items()
                                                                         if k != "num_frames"}
    unknown = index_of(out)["deepmimic_sideflip0"]
    assert unknown["texts"] == ["sideflip"] and not unknown["holdout"]

    _, out = run_convert("cmu", tmp_path)
    clip = index_of(out)["cmu_01_01"]
    assert clip["texts"] == index_of(REAL)["cmu_01_01"]["texts"] and clip["holdout"]
    assert clip["licence"] == "CMU mocap, free for all uses"


def test_motion_format_round_trips_the_real_clips(tmp_path):
    _, out = run_convert("motion", tmp_path)
    for name in ("deepmimic_walk", "cmu_01_01"):
        assert (out / f"{name}.motion").read_bytes() == (REAL / f"{name}.motion").read_bytes()
        written, committed = index_of(out)[name], index_of(REAL)[name]
        assert {k: written[k] for k in committed} == committed
    assert index_of(out)["cmu_01_01"]["licence"] == "CMU mocap, free for all uses"
    again = tmp_path / "again"
    assert convert.main(["--format", "motion", "--input", str(out), "--out", str(again), "--max-seconds", "10"]) == 0
    pieces = index_of(again)
    assert [(k, e["num_frames"]) for k, e in pieces.items() if k.startswith("cmu")] == [
        ("cmu_01_01_p00", 191), ("cmu_01_01_p01", 192), ("cmu_01_01_p02", 191)]  # 574 frames: cuts at 191, 383
    assert {e["group"] for k, e in pieces.items() if k.startswith("cmu")} == {"cmu_01_01"}
    piece = Scene.load(again / "cmu_01_01_p01.motion").actors[0]
    assert [(s.start, s.end, s.label) for s in piece.actions] == [(0, 21, "jump"), (21, 67, "walk"), (67, 192, "jump")]
    assert abs(skeleton.heading_angles(piece.joints[0])) < 1e-3 and np.abs(piece.joints[0, 0, [0, 2]]).max() < 1e-3
    exports = tmp_path / "exports"  # stick-gen exports: no index, the prompt in meta; one at 30 fps
    walk = Scene.load(REAL / "deepmimic_walk.motion")
    Scene(walk.actors, fps=25, meta={"prompt": "a man walks"}).save(exports / "walk.motion")
    Scene(walk.actors, fps=30, meta={"prompt": "a man walks fast"}).save(exports / "fast.motion")
    assert convert.main(["--format", "motion", "--input", str(exports), "--out", str(tmp_path / "e"),
                         "--source", "exports", "--licence", "CC0-1.0"]) == 0
    assert [(e["id"], e["texts"], e["source"], e["licence"]) for e in index_of(tmp_path / "e").values()] == [
        ("walk", ["a man walks"], "exports", "CC0-1.0")]
    assert json.loads((tmp_path / "e" / "summary.json").read_text())["skipped"] == {
        "not 25 fps or more than two actors": 1}


# ----------------------------------------------------------------------------- wrong layouts


@pytest.mark.parametrize("fixture, fmt, message", [
    ("kitml", "humanml3d", r"no clip converted .* expected joints \[T >= 2, 22, 3\], got \[51, 21, 3\]"),
    ("humanml3d", "kitml", r"expected KIT-ML joints \[T >= 2, 21, 3\], got \[41, 22, 3\]"),
    ("bvh", "humanml3d", r"expected new_joints/\*\.npy under .*bvh"),
    ("humanml3d", "interhuman", r"expected motions_processed/person1/\*\.npy .*under"),
    ("humanml3d", "ntu", r"expected \*\.skeleton files"),
    ("amass", "babel", r"expected train\.json or val\.json \(BABEL annotations\) under"),
    ("100style", "bvh", r"expected \.bvh files under"),
    ("bvh", "beat", r"expected a BEAT take name"),
    ("bvh", "100style", r"expected Frame_Cuts\.csv"),
    ("bvh", "deepmimic", r"expected humanoid3d_\*\.txt"),
    ("bvh", "cmu", r"expected \*\.amc trials"),
    ("bvh", "motion", r"expected \*\.motion files"),
    ("humanml3d", "amass", r"expected <sub-dataset>/<subject>/\*_poses\.npz"),
])
def test_another_datasets_layout_exits_2_saying_what_was_expected(fixture, fmt, message, tmp_path, capsys):
    source = FIXTURES[fixture][0](tmp_path / fixture)
    assert convert.main(["--format", fmt, "--input", str(source), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert re.search("error: .*" + message, err), err
    assert not (tmp_path / "out" / "index.json").exists()


def test_command_line_exit_status_and_message(tmp_path):
    bvh_folder(tmp_path / "bvh")
    result = subprocess.run([sys.executable, "-m", "datasets_scripts.convert", "--format", "humanml3d", "--input",
                             str(tmp_path / "bvh"), "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 2 and f"expected new_joints/*.npy under {tmp_path / 'bvh'}" in result.stderr


def test_conversion_reads_no_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("datasets_scripts.convert opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for fmt in ("bvh", "deepmimic", "motion"):
        assert run_convert(fmt, tmp_path)[0] == 0
