"""stickgen.key_poses: a picture's pose placed into a clip, held through the world stage, seen from its camera."""
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from stickgen import skeleton as S
from stickgen.key_poses import (
    KeyPose,
    body_frame,
    hold_key_frames,
    key_poses,
    picture_camera,
    pinned_frames,
    placed_pose,
)
from stickgen.models import StickGenImageEncoderOutput
from stickgen.motion import Motion, Scene
from stickgen.render.camera import camera_path

DRAWING = Path(__file__).resolve().parent.parent / "examples" / "pose_drawing.png"
TINY_PLANNER = dict(d_model=32, num_layers=2, num_heads=2, ffn_dim=64, max_frames=100, window_overlap=20)
TINY_REFINER = dict(d_model=32, num_layers=1, num_heads=2, ffn_dim=64, residual=False)


def walking_clip(frames: int = 100, heading: float = 0.7) -> np.ndarray:
    """A rest pose turned to ``heading`` gliding 1 m/s along it: ``[T, 22, 3]``."""
    pose = S.rotate_y(S.rest_pose(1.75), heading)
    along = np.array([np.sin(heading), 0.0, np.cos(heading)])
    return pose[None] + (np.arange(frames) / 25.0)[:, None, None] * along


def arms_up_pose() -> np.ndarray:
    """A smaller body (1.5 m) with both arms straight up, in its body frame: ``[22, 3]``."""
    pose = S.rest_pose(1.5)
    j = S.JOINT_INDEX
    for side in ("left", "right"):
        shoulder = pose[j[f"{side}_shoulder"]]
        for k, name in enumerate((f"{side}_elbow", f"{side}_wrist")):
            pose[j[name]] = shoulder + np.array([0.0, 0.27 * (k + 1), 0.0])
    return pose


def test_placed_pose_takes_the_clips_place_heading_and_size_but_keeps_its_proportions():
    clip, key = walking_clip(), KeyPose(arms_up_pose(), 40, 0.0, 0.0, 0.5)
    placed = placed_pose(key, clip)
    np.testing.assert_allclose(placed[0, [0, 2]], clip[40, 0, [0, 2]], atol=1e-9)
    assert S.heading_angles(placed) == pytest.approx(0.7, abs=1e-6)
    assert S.bone_lengths(placed).sum() == pytest.approx(np.median(S.bone_lengths(clip), axis=0).sum())
    ratio = S.bone_lengths(placed) / S.bone_lengths(key.joints)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)  # one scale for every bone
    assert placed[list(S.FOOT_JOINTS), 1].min() == pytest.approx(0.0, abs=1e-9)
    given, keep = pinned_frames([key, KeyPose(arms_up_pose(), 90, 0.0, 0.0, 0.5)], clip)
    assert np.flatnonzero(keep).tolist() == [40, 90]
    np.testing.assert_array_equal(given[41], clip[41])
    np.testing.assert_allclose(given[40], placed)


def test_hold_key_frames_puts_the_pose_back_exactly_and_leaves_far_frames_alone():
    clip, pose = walking_clip(), body_frame(S.rotate_y(arms_up_pose(), 0.3))
    held = hold_key_frames(clip, {50: pose}, fps=25)
    np.testing.assert_allclose(body_frame(held[50]), pose, atol=1e-9)
    np.testing.assert_allclose(held[50, 0, [0, 2]], clip[50, 0, [0, 2]], atol=1e-9)  # where the body was
    np.testing.assert_allclose(held[:20], clip[:20], atol=1e-6)  # 1.2 s away: untouched
    assert np.abs(held[52] - clip[52]).max() < np.abs(held[50] - clip[50]).max()  # eased around the key


def test_picture_camera_sees_the_key_frame_from_the_pictures_side_height_and_size():
    clip = walking_clip(125)
    scene = Scene([Motion(joints=clip, id="a")], fps=25)
    key = KeyPose(S.rest_pose(), 60, azimuth_deg=90.0, elevation_deg=20.0, fill=0.5)
    path = camera_path(scene.__class__(scene.actors, fps=25, camera=picture_camera(scene, key)))
    body = clip[60]
    toward = path.positions[60] - path.targets[60]
    azimuth = np.degrees(np.arctan2(toward[0], toward[2]) - S.heading_angles(body))
    assert (azimuth + 180) % 360 - 180 == pytest.approx(90.0, abs=0.5)  # on the body's left
    assert np.degrees(np.arcsin(toward[1] / np.linalg.norm(toward))) == pytest.approx(20.0, abs=0.5)
    xy, _ = path.project(clip, (512, 512))
    assert (xy[60, :, 1].max() - xy[60, :, 1].min()) / 512 == pytest.approx(0.5 * 1.75 / 2.0, rel=0.15)
    np.testing.assert_allclose(path.positions[100] - path.positions[60], clip[100, 0] - clip[60, 0], atol=0.05)


def test_bad_times_and_counts_are_refused_before_the_encoder_runs():
    image = np.full((64, 64, 3), 255, np.uint8)
    with pytest.raises(ValueError, match=r"image_time must lie within the clip, 0 to 3.96 s"):
        key_poses(None, image, 5.0, fps=25, num_frames=100)
    with pytest.raises(ValueError, match=r"one time or one per picture \(2\)"):
        key_poses(None, [image, image], [0.0, 1.0, 2.0], fps=25, num_frames=100)
    with pytest.raises(ValueError, match="same frame"):
        key_poses(None, [image, image], [1.0, 1.01], fps=25, num_frames=100)


class FixedPoseEncoder(torch.nn.Module):
    """Reads the same pose and camera from every picture (and their mirror images from a picture mirrored
    left-right, as a trained encoder does): the fusion's tests need a known estimate."""

    config = SimpleNamespace(image_size=64)

    def __init__(self, joints: np.ndarray, azimuth_deg: float, elevation_deg: float):
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.zeros(1))  # estimate_poses asks for the device
        self.joints = torch.as_tensor(joints - joints[0], dtype=torch.float32)
        az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
        self.camera = torch.tensor([np.sin(az), np.cos(az), el], dtype=torch.float32)
        self.last = None

    def forward(self, pixel_values):
        mirrored = self.last is not None and torch.equal(pixel_values, self.last.flip(-1))
        self.last = None if mirrored else pixel_values
        joints = torch.as_tensor(S.mirror(self.joints.numpy()), dtype=torch.float32) if mirrored else self.joints
        camera = self.camera * torch.tensor([-1.0, 1.0, 1.0]) if mirrored else self.camera
        count = len(pixel_values)
        return StickGenImageEncoderOutput(joints=joints.expand(count, -1, -1), camera=camera.expand(count, -1))


@pytest.fixture(scope="module")
def posing_pipe():
    from stickgen.pipeline import StickGenPipeline
    from stickgen.text import TextEncoder

    pipe = StickGenPipeline.from_preset("small", TextEncoder(), planner_overrides=TINY_PLANNER,
                                        refiner_overrides=TINY_REFINER, seed=0)
    pipe.image_encoder = FixedPoseEncoder(S.rotate_y(arms_up_pose(), 2.0), azimuth_deg=60.0, elevation_deg=15.0)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def similarity_error(pose: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per-joint distance (m) between two body-frame poses ``[22, 3]`` after the best uniform scale."""
    a, b = pose - pose.mean(axis=0), reference - reference.mean(axis=0)
    return np.linalg.norm(a - (a * b).sum() / (b * b).sum() * b, axis=-1)


def test_a_picture_poses_the_clip_at_its_time_and_the_camera_looks_from_its_side(posing_pipe):
    from stickgen.image_pose import estimate_poses, level_pose

    wanted = level_pose(estimate_poses(posing_pipe.image_encoder, [np.asarray(Image.open(DRAWING))]))[0]
    scene = posing_pipe("a person walks forward", duration=4.0, seed=0, image=str(DRAWING), image_time=1.0).scenes[0]
    joints = scene.actors[0].joints
    assert similarity_error(body_frame(joints[25]), wanted).max() < 0.005
    assert similarity_error(body_frame(joints[0]), wanted).max() > 0.02  # the text drives the other frames
    path = camera_path(scene)
    toward = path.positions[25] - joints[25, 0]
    azimuth = np.degrees(np.arctan2(toward[0], toward[2]) - S.heading_angles(joints[25]))
    assert (azimuth + 180) % 360 - 180 == pytest.approx(60.0, abs=3.0)
    assert scene.camera["moves"][0]["move"] == "track"
    started = posing_pipe("a person walks forward", duration=4.0, seed=0, image=Image.open(DRAWING)).scenes[0]
    assert similarity_error(body_frame(started.actors[0].joints[0]), wanted).max() < 0.005


def test_pictures_need_an_encoder_one_prompt_and_a_figure(posing_pipe):
    with pytest.raises(ValueError, match="one prompt"):
        posing_pipe(["a person waves", "a person jumps"], duration=2.0, image=str(DRAWING))
    with pytest.raises(ValueError, match="no stick figure"):
        posing_pipe("a person waves", duration=2.0, image=np.full((64, 64, 3), 255, np.uint8))
    with pytest.raises(ValueError, match="cannot read the picture"):
        posing_pipe("a person waves", duration=2.0, image=__file__)
    encoder, posing_pipe.image_encoder = posing_pipe.image_encoder, None
    try:
        with pytest.raises(ValueError, match="needs an image encoder"):
            posing_pipe("a person waves", duration=2.0, image=str(DRAWING))
    finally:
        posing_pipe.image_encoder = encoder
