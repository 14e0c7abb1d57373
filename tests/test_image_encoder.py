"""The image pose encoder: its config and network, loading a saved folder without stickgen, finding and
cropping the figure, the figure-view and level-pose geometry, the metrics, and a short training run on
frames rendered by ``datasets_scripts.parallax`` from the toy dataset."""
import csv
import json
import subprocess
import sys
import sysconfig

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from datasets_scripts import parallax
from stickgen import image_pose
from stickgen.eval import image_pose as evaluation
from stickgen.models.configuration_image_encoder import StickGenImageEncoderConfig
from stickgen.models.modeling_image_encoder import StickGenImageEncoder, StickGenImageEncoderOutput
from stickgen.render.camera import CameraPath
from stickgen.skeleton import FOOT_JOINTS, rest_pose, rotate_y, size_ratio
from training import train_image_encoder
from training.toy_data import toy_dataset

#: the shipped encoder's mean errors on the toy validation frames must stay below these (measured 54 mm, 5.4 deg)
SHIPPED_MPJPE_BOUND_MM, SHIPPED_CAMERA_BOUND_DEG = 80.0, 15.0
TINY = dict(image_size=32, embedding_size=8, hidden_sizes=[8, 16], depths=[1, 1], head_channels=4, head_size=32)

#: run with ``python -I -S``: site-packages on sys.path by hand, so ``stickgen`` is not importable
LOAD_WITHOUT_STICKGEN = """
import importlib.util, sys
sys.path[:0] = {site_packages!r}
assert importlib.util.find_spec("stickgen") is None, "stickgen must not be importable here"
import numpy as np, torch, transformers

encoder = transformers.AutoModel.from_pretrained({folder!r}, trust_remote_code=True).eval()
with torch.no_grad():
    out = encoder(torch.from_numpy(np.load({inputs!r})))
np.save({outputs!r}, out.joints.numpy())
print(type(encoder).__module__)
"""


@pytest.fixture(scope="module")
def frames_folder(tmp_path_factory):
    """A parallax DatasetDict (train 48 frames, validation 32) rendered from the toy dataset."""
    root = tmp_path_factory.mktemp("parallax")
    toy_dataset(6, 4, seed=0).save_to_disk(str(root / "toy"))
    assert parallax.main(["--dataset", str(root / "toy"), "--views-per-clip", "2", "--frames-per-view", "4",
                          "--out", str(root / "frames"), "--workers", "1"]) == 0
    return root / "frames"


@pytest.fixture(scope="module")
def frames(frames_folder):
    from datasets import load_from_disk

    return load_from_disk(str(frames_folder))


def tiny_encoder(seed: int = 0) -> StickGenImageEncoder:
    torch.manual_seed(seed)
    return StickGenImageEncoder(StickGenImageEncoderConfig(**TINY)).eval()


# ----------------------------------------------------------------------------- the model


@pytest.mark.parametrize("fields, message", [
    (dict(image_size=100), "multiple of 32"),
    (dict(image_size=0), "image_size must be a positive int"),
    (dict(hidden_sizes=[32, 64], depths=[1]), "same length"),
    (dict(depths=[1, 0, 1, 1]), "must be positive"),
    (dict(dropout=1.0), "dropout"),
    (dict(num_joints=1), "num_joints"),
])
def test_config_refuses_bad_fields(fields, message):
    with pytest.raises(ValueError, match=message):
        StickGenImageEncoderConfig(**fields)


def test_default_encoder_is_small_and_outputs_joints_with_the_pelvis_at_zero():
    encoder = StickGenImageEncoder(StickGenImageEncoderConfig())
    assert 1e6 < encoder.num_parameters() < 4e6
    with torch.no_grad():
        out = tiny_encoder()(torch.randn(3, 3, 32, 32))
    assert out.joints.shape == (3, 22, 3) and out.camera.shape == (3, 3) and out.scale.shape == (3,)
    assert torch.all(out.joints[:, 0] == 0) and out.joints[:, 1:].abs().sum() > 0
    assert torch.all(out.scale > 0)
    torch.testing.assert_close(out.joints, out.shape * out.scale[:, None, None])


def test_the_loss_trains_shape_at_standard_size_and_the_size_apart():
    """A true body 1.6 m tall: its scale is 1.6 / 1.75; an answer with the right shape at standard size
    and the right scale costs nothing, a wrong size costs only through the scale term."""
    pose = rest_pose(1.6)
    pose = pose - pose[0]
    scale = size_ratio(pose[None])
    np.testing.assert_allclose(scale, [1.6 / 1.75])
    batch = {"joints": torch.tensor(pose[None]).float(), "scale": torch.tensor(scale).float(),
             "camera": torch.tensor([[0.0, 1.0, 0.2]])}
    shape = batch["joints"] / batch["scale"]

    def loss(scale_answer: float) -> dict[str, float]:
        output = StickGenImageEncoderOutput(joints=shape * scale_answer, camera=batch["camera"], shape=shape,
                                            scale=torch.tensor([scale_answer]))
        return train_image_encoder.pose_loss(output, batch, scale_weight=0.5, camera_weight=0.25)[1]

    right, too_big = loss(float(scale[0])), loss(1.0)
    assert right["loss"] == pytest.approx(0, abs=1e-6) and right["joints"] == pytest.approx(0, abs=1e-6)
    assert too_big["shape"] == pytest.approx(0, abs=1e-6)
    assert too_big["loss"] == pytest.approx(0.5 * np.log(1.75 / 1.6), rel=1e-4) and too_big["joints"] > 0.01


def test_a_saved_folder_loads_with_transformers_alone(tmp_path):
    encoder = tiny_encoder()
    encoder.save_pretrained(tmp_path / "encoder")
    assert sorted(p.name for p in (tmp_path / "encoder").glob("*.py")) == [
        "configuration_image_encoder.py", "modeling_image_encoder.py"]
    pixels = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected = encoder(pixels).joints.numpy()
        np.testing.assert_array_equal(StickGenImageEncoder.from_pretrained(tmp_path / "encoder")(pixels).joints.numpy(),
                                      expected)
    np.save(tmp_path / "inputs.npy", pixels.numpy())
    site_packages = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    script = LOAD_WITHOUT_STICKGEN.format(site_packages=site_packages, folder=str(tmp_path / "encoder"),
                                          inputs=str(tmp_path / "inputs.npy"), outputs=str(tmp_path / "out.npy"))
    env = {"HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-I", "-S", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().startswith("transformers_modules.")
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, atol=1e-5)


# ----------------------------------------------------------------------------- pictures


def test_figure_box_holds_every_projected_joint_of_rendered_frames(frames):
    split = frames["validation"]
    for row in split:
        image = np.asarray(row["image"])
        path = CameraPath(np.array([row["camera_position"]]), np.array([row["camera_target"]]), np.array([row["fov"]]))
        right, up, forward = (axis[0] for axis in path.basis())
        world = np.array(row["camera_position"]) + (np.array(row["joints_camera"]) + row["root_camera"]) @ np.stack(
            [right, up, forward])
        xy = path.project(world[None], image.shape[1::-1])[0][0]  # [22, 2]
        x0, y0, x1, y1 = image_pose.figure_box(image)
        assert x0 - 1 <= xy[:, 0].min() and xy[:, 0].max() <= x1 + 1, row["style"]
        assert y0 - 1 <= xy[:, 1].min() and xy[:, 1].max() <= y1 + 1, row["style"]
        span = xy.max(axis=0) - xy.min(axis=0)
        assert max(x1 - x0, y1 - y0) < 1.6 * span.max() + 12, row["style"]  # the head and strokes, not the floor


def sketch(size=(300, 200), mode="RGB", ink=(30, 30, 30), paper=(255, 255, 255)) -> Image.Image:
    """A pen stick figure on paper: head circle apart from the body, and a faint smudge far away."""
    picture = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((90, 40, 120, 70), outline=ink, width=3)
    for line in ((105, 78, 105, 150), (105, 95, 70, 130), (105, 95, 140, 120), (105, 150, 80, 190),
                 (105, 150, 125, 190)):
        draw.line(line, fill=ink, width=3)
    draw.point((280, 10), fill=ink)
    return picture


def test_figure_box_finds_a_sketch_on_white_paper_and_refuses_a_blank_page():
    x0, y0, x1, y1 = image_pose.figure_box(np.asarray(sketch()))
    assert 68 <= x0 <= 71 and 39 <= y0 <= 41 and 140 <= x1 <= 143 and 190 <= y1 <= 193
    with pytest.raises(ValueError, match="no stick figure found"):
        image_pose.figure_box(np.full((64, 64, 3), 250, np.uint8))


def test_preprocess_takes_pil_rgba_grey_and_any_size():
    rgb = sketch()
    rgba = sketch(mode="RGBA", ink=(30, 30, 30, 255), paper=(0, 0, 0, 0))  # transparent paper: white
    grey = sketch(size=(300, 200), mode="L", ink=30, paper=255)
    big = rgb.resize((900, 600))
    pixels = image_pose.preprocess([rgb, rgba, grey, np.asarray(big), np.asarray(grey)], image_size=48)
    assert pixels.shape == (5, 3, 48, 48) and pixels.dtype == torch.float32
    assert pixels.min() >= -1 and pixels.max() <= 1
    for k in range(1, 5):
        assert (pixels[k] - pixels[0]).abs().mean() < 0.05, k
    assert pixels[0, :, 0, 0].tolist() == [1.0, 1.0, 1.0]  # the paper, ink in the middle
    assert pixels[0].mean() < 0.99
    assert image_pose.preprocess(rgb, 32, boxes=[(0, 0, 300, 200)]).shape == (1, 3, 32, 32)


# ----------------------------------------------------------------------------- geometry


def body_pose(heading: float) -> np.ndarray:
    """The rest pose with the right arm raised forward, turned to ``heading``: ``[22, 3]`` world metres."""
    pose = rest_pose(1.7)
    pose[[19, 21]] = pose[17] + np.array([[0.0, 0.1, 0.25], [0.0, 0.2, 0.5]])
    return rotate_y(pose, heading)


def camera_view(world: np.ndarray, position: np.ndarray, target: np.ndarray) -> np.ndarray:
    """World joints ``[22, 3]`` in the camera space of a camera at ``position`` looking at ``target``."""
    right, up, forward = (axis[0] for axis in CameraPath(position[None], target[None], np.array([40.0])).basis())
    return (world - world[0]) @ np.stack([right, up, forward]).T


def test_level_pose_undoes_the_camera_pitch_and_the_heading():
    joints, elevations = [], []
    for heading, position, target in [(0.7, (3.0, 2.5, 4.0), (0.0, 0.9, 0.0)),
                                      (-2.0, (-2.0, 0.3, -5.0), (0.2, 1.2, 0.1))]:
        position, target = np.array(position), np.array(target)
        joints.append(camera_view(body_pose(heading), position, target))
        elevations.append(np.degrees(np.arcsin((position - target)[1] / np.linalg.norm(position - target))))
    estimate = image_pose.PoseEstimate(np.stack(joints), np.zeros(2), np.array(elevations), np.zeros((2, 4)),
                                       np.zeros((2, 2)))
    truth = body_pose(0.0) - body_pose(0.0)[0]
    truth[:, 1] -= truth[list(FOOT_JOINTS), 1].min()
    np.testing.assert_allclose(image_pose.level_pose(estimate), np.stack([truth, truth]), atol=1e-9)


def test_figure_view_looks_at_the_crop_centre():
    size, fov = np.array([[128, 96]]), np.array([40.0])
    focal = 0.5 * 96 / np.tan(np.radians(20))
    centre = np.array([100.0, 30.0])  # pixel the box is centred on
    ray = np.array([(centre[0] - 64) / focal, -(centre[1] - 48) / focal, 1.0])
    points = np.stack([ray * 4.0, ray * 4.0 + [0.3, 0.1, -0.2]])[None]  # [1, 2, 3] camera space
    box = np.array([[centre[0] - 10, centre[1] - 20, centre[0] + 10, centre[1] + 20]])
    view, elevation = image_pose.figure_view(points, np.array([12.0]), fov, box, size)
    np.testing.assert_allclose(view[0, 0, :2], 0.0, atol=1e-9)  # the point on the ray is straight ahead
    np.testing.assert_allclose(np.linalg.norm(view, axis=-1), np.linalg.norm(points, axis=-1))
    assert 12.0 - 14 < elevation[0] < 12.0 - 5  # the box is above the middle: the view looks up more
    centred = np.array([[54.0, 28.0, 74.0, 68.0]])  # centre (64, 48): the camera's own frame
    same, pitch = image_pose.figure_view(points, np.array([12.0]), fov, centred, size)
    np.testing.assert_allclose(same, points, atol=1e-9)
    np.testing.assert_allclose(pitch, [12.0])


# ----------------------------------------------------------------------------- metrics


def test_mpjpe_pa_mpjpe_and_camera_angle_on_known_values():
    rng = np.random.default_rng(0)
    true = rng.normal(size=(3, 22, 3))
    np.testing.assert_allclose(evaluation.mpjpe(true + [0.03, 0.04, 0.0], true), [0.05] * 3)
    angle = 0.8
    rotation = np.array([[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]])
    moved = 1.3 * true @ rotation + [1.0, -2.0, 0.5]
    np.testing.assert_allclose(evaluation.pa_mpjpe(moved, true), 0.0, atol=1e-9)
    mirrored = true * [-1, 1, 1]  # a reflection is not a rotation: it stays an error
    assert np.all(evaluation.pa_mpjpe(mirrored, true) > 0.1)
    estimate = image_pose.PoseEstimate(np.zeros((3, 22, 3)), np.array([10.0, 170.0, 0.0]), np.array([0.0, 0.0, 30.0]),
                                       np.zeros((3, 4)), np.zeros((3, 2)))
    errors = evaluation.camera_angle_error(estimate, np.array([-20.0, -170.0, 0.0]), np.array([0.0, 0.0, -15.0]))
    np.testing.assert_allclose(errors, [30.0, 20.0, 45.0])


# ----------------------------------------------------------------------------- training and evaluation


def test_a_short_training_run_learns_and_saves_a_folder_the_evaluation_reads(frames, frames_folder, tmp_path):
    out = tmp_path / "encoder"
    summary = train_image_encoder.train(frames, out, StickGenImageEncoderConfig(**TINY), max_steps=20,
                                        batch_size=16, lr=1e-2, eval_every=10, log_every=5, log=lambda _: None)
    assert summary["steps"] == 20 and summary["best_step"] in (10, 20)
    with (out / "metrics.csv").open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["split"] == "train"]
    losses, joints = ([float(r["value"]) for r in rows if r["metric"] == name] for name in ("loss", "joints"))
    assert len(losses) == 4 and losses[-1] < 0.75 * losses[0] and joints[-1] < 0.6 * joints[0]
    saved = json.loads((out / "training_summary.json").read_text())
    assert saved["validation"]["all"]["frames"] == len(frames["validation"]) and saved["command"]
    report = tmp_path / "report.json"
    lines = []
    assert evaluation.main(["--model", str(out), "--data", str(frames_folder), "--split", "validation",
                            "--out", str(report)], log=lines.append) == 0
    groups = json.loads(report.read_text())["groups"]
    assert groups["all"] == saved["validation"]["all"]
    assert set(groups) >= {"all", "rendered", "drawn"} and "PA-MPJPE" in lines[0]
    assert groups["all"]["frames"] == groups["rendered"]["frames"] + groups["drawn"]["frames"]


def test_the_shipped_encoder_reads_poses_of_motions_it_never_saw(frames):
    """The shipped encoder on the toy clips' renders (motions and cameras outside its training data): the
    frames of every look read within a fixed bound (the parallax test split measures 61 mm, 6.5 deg)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "models" / "stickgen-small" / "image_encoder"
    encoder = StickGenImageEncoder.from_pretrained(folder)
    groups = evaluation.evaluate(encoder, evaluation.load_frames(frames["validation"], progress=False))
    assert groups["all"]["mpjpe_mm"] < SHIPPED_MPJPE_BOUND_MM, groups
    assert groups["all"]["camera_angle_deg"] < SHIPPED_CAMERA_BOUND_DEG, groups
