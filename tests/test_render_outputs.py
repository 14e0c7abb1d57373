"""Output files: MP4, GIF, PNG, PNG sequences, contact sheets, and the ``stick-gen render`` command."""
import av
import numpy as np
import pytest
from PIL import Image
from test_render_fixtures import scene_of, standing, waving

from stickgen.cli import main as stick_gen
from stickgen.export import read_bvh
from stickgen.render import contact_sheet, render, render_frames
from stickgen.render.outputs import frame_indices


@pytest.fixture(scope="module")
def scene():
    return scene_of(waving(30), standing(30, x=1.0))


def test_mp4_is_h264_yuv420p_with_every_frame(scene, tmp_path):
    path = render(scene, tmp_path / "clip.mp4", size=(160, 120))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(decoded) == 30
    assert decoded[0].shape == (120, 160, 3)
    assert float(stream.average_rate) == pytest.approx(25.0)
    expected = next(render_frames(scene, size=(160, 120), frames=[12]))
    assert np.abs(decoded[12].astype(float) - expected).mean() < 6.0     # the content survives encoding


def test_mp4_rejects_odd_sizes_and_resamples_fps(scene, tmp_path):
    with pytest.raises(ValueError, match="even width and height"):
        render(scene, tmp_path / "odd.mp4", size=(161, 120))
    assert not (tmp_path / "odd.mp4").exists()
    path = render(scene, tmp_path / "slow.mp4", size=(64, 64), fps=10)
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 12      # 30 frames at 25 fps = 1.2 s


def test_a_frame_callback_follows_the_video_and_can_stop_it(scene, tmp_path):
    seen = []
    render(scene, tmp_path / "clip.mp4", size=(64, 64), on_frame=lambda done, total: seen.append((done, total)))
    assert seen == [(k, scene.num_frames) for k in range(1, scene.num_frames + 1)]
    (tmp_path / "kept.mp4").write_bytes(b"old")

    def stop(done, total):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render(scene, tmp_path / "kept.mp4", size=(64, 64), on_frame=stop)
    assert (tmp_path / "kept.mp4").read_bytes() == b"old"  # the old file stays whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "kept.mp4"]  # no temporary file left


def test_frame_indices_pick_nearest_source_frames():
    assert frame_indices(5, 25, None) == [0, 1, 2, 3, 4]
    assert frame_indices(10, 25, 12.5) == [0, 2, 4, 6, 8]
    assert frame_indices(3, 25, 50) == [0, 1, 1, 2, 2, 2]
    with pytest.raises(ValueError, match="fps must be positive"):
        frame_indices(3, 25, -1)


def test_gif_loops_with_every_frame(scene, tmp_path):
    path = render(scene, tmp_path / "clip.gif", size=(96, 96))
    with Image.open(path) as gif:
        assert gif.info["loop"] == 0
        assert gif.n_frames == 30
        assert gif.info["duration"] == 40
        gif.seek(15)
        frame = np.asarray(gif.convert("RGB"), dtype=float)
    expected = next(render_frames(scene, size=(96, 96), frames=[15]))
    assert np.abs(frame - expected).mean() < 8.0


def test_png_frame_and_sequences(scene, tmp_path):
    single = render(scene, tmp_path / "still.png", size=(80, 60), frame=7)
    np.testing.assert_array_equal(np.asarray(Image.open(single)),
                                  next(render_frames(scene, size=(80, 60), frames=[7])))
    folder = render(scene, str(tmp_path / "seq") + "/", size=(40, 40))
    assert sorted(p.name for p in folder.iterdir())[:2] == ["frame_0000.png", "frame_0001.png"]
    assert len(list(folder.iterdir())) == 30
    render(scene, tmp_path / "pat" / "shot_%03d.png", size=(40, 40))
    assert (tmp_path / "pat" / "shot_029.png").is_file()
    with pytest.raises(ValueError, match="cannot render to"):
        render(scene, tmp_path / "clip.avi")


def test_contact_sheet_tiles_evenly_spaced_frames(scene, tmp_path):
    path = contact_sheet(scene, tmp_path / "sheet.png", num_frames=6, size=(64, 48), columns=3, labels=False)
    sheet = np.asarray(Image.open(path))
    assert sheet.shape == (96, 192, 3)
    last = next(render_frames(scene, size=(64, 48), frames=[29]))
    np.testing.assert_array_equal(sheet[48:, 128:], last)
    with pytest.raises(ValueError, match="num_frames"):
        contact_sheet(scene, tmp_path / "none.png", num_frames=0)


def test_cli_renders_and_exports_several_outputs(scene, tmp_path, capsys):
    source = tmp_path / "in.motion"
    scene.save(source)
    outputs = [tmp_path / "a.mp4", tmp_path / "a.png", tmp_path / "a.bvh", tmp_path / "a.glb", tmp_path / "b.motion"]
    args = ["render", str(source), "--size", "64x48", "--style", "neon", "--camera", "orbit"]
    assert stick_gen(args + [a for o in outputs for a in ("-o", str(o))]) == 0
    assert all(o.is_file() for o in outputs)
    assert (tmp_path / "a.a1.bvh").is_file()                     # second actor's BVH
    assert np.asarray(Image.open(tmp_path / "a.png")).shape == (48, 64, 3)
    assert read_bvh(tmp_path / "a.bvh").joints.shape == (30, 22, 3)
    assert "wrote" in capsys.readouterr().out
    assert stick_gen(["render", str(source), "-o", str(tmp_path / "x.avi")]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert stick_gen(["render", str(tmp_path / "missing.motion"), "-o", str(tmp_path / "x.mp4")]) == 1
    with pytest.raises(SystemExit):
        stick_gen(["render", str(source), "-o", str(tmp_path / "x.mp4"), "--size", "big"])


def test_prefetched_frames_keep_order_raise_producer_errors_and_stop_with_the_consumer():
    import threading
    import time

    from stickgen.render.outputs import prefetched

    assert list(prefetched(iter(range(50)), depth=3)) == list(range(50))

    def failing():
        yield 1
        raise ValueError("frame 2 failed")

    got = []
    with pytest.raises(ValueError, match="frame 2 failed"):
        for item in prefetched(failing()):
            got.append(item)
    assert got == [1]
    produced = []

    def endless():
        while True:
            produced.append(len(produced))
            yield produced[-1]

    stream = prefetched(endless(), depth=2)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()  # the consumer stops: so does the producer
    stopped = len(produced)
    time.sleep(0.2)
    assert len(produced) == stopped <= 3 + 2 + 2
    threads = {t.name for t in threading.enumerate() if t.name.startswith("stickgen-frames")}
    for _ in range(10):  # a pool: videos one after another reuse its threads
        assert list(prefetched(iter(range(5)))) == list(range(5))
    assert {t.name for t in threading.enumerate() if t.name.startswith("stickgen-frames")} <= threads | {
        f"stickgen-frames_{k}" for k in range(4)}
