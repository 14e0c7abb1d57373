"""Training data: reproducible batch order, window cutting, subset selection."""
import numpy as np
import pytest

from stickgen import vocab
from stickgen.features import FeatureStats
from stickgen.skeleton import JOINT_INDEX, mirror
from training.data import WindowSource, crop_row, right_handed, select_rows, stream_indices
from training.toy_data import toy_dataset, toy_rows


def test_stream_is_epochs_of_permutations_and_position_addressable():
    stream = stream_indices(7, seed=3, start=0, count=21)
    for epoch in range(3):
        assert sorted(stream[7 * epoch:7 * epoch + 7]) == list(range(7))
    assert not np.array_equal(stream[:7], stream[7:14])
    np.testing.assert_array_equal(stream_indices(7, 3, 5, 9), stream[5:14])  # any offset, across epochs
    assert not np.array_equal(stream_indices(7, 4, 0, 7), stream[:7])


def test_crop_row_cuts_every_per_frame_column():
    row = toy_rows(1, seed=0, frames=(60, 60))[0]
    cut = crop_row(row, 10, 25)
    assert cut["num_frames"] == 25
    np.testing.assert_array_equal(cut["joints"], row["joints"][10:35])
    for column in ("partner_joints", "action_ids", "contacts", "root_velocity", "speech_ids"):
        assert len(cut[column]) == 25
    assert cut["texts"] == row["texts"] and row["num_frames"] == 60


def test_select_rows_quality_or_source():
    split = toy_dataset(train=12, validation=2)["train"]
    quality = np.asarray(split["quality"])
    kept = select_rows(split, min_quality=0.7)
    assert len(kept) == int((quality >= 0.7).sum()) and min(kept["quality"]) >= 0.7
    assert len(select_rows(split, keep_sources=["synthetic"])) == 12
    assert len(select_rows(split, max_rows=5)) == 5
    with pytest.raises(ValueError, match="no rows left"):
        select_rows(split, min_quality=2.0)


def test_window_source_is_deterministic_per_position():
    split = toy_dataset(train=4, validation=1)["train"]
    texts = {t: np.full(3, i, np.float32) for i, t in enumerate(sorted({t for r in split["texts"] for t in r}))}
    source = WindowSource(split, texts, FeatureStats.identity(), crop_frames=30, known_frames=10,
                          known_prefix_prob=0.5, seed=0)
    a, b = source.example(1, position=17), source.example(1, position=17)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert len(a["features"]) == 30
    knowns = {int(source.example(0, position=p)["known_mask"].sum()) for p in range(40)}
    assert knowns == {0, 10}
    evaluation = source.example(2, position=None)
    assert not evaluation["known_mask"].any()
    np.testing.assert_array_equal(evaluation["text_embeds"], texts[split[2]["texts"][0]])
    batch = source.batch([0, 1, 2], [5, 6, 7])
    assert batch["text_embeds"].shape == (3, 3) and batch["features"].shape == (3, 30, 137)


def _waving(hand: str, frames: int = 50) -> dict:
    """A toy row whose ``hand`` wrist swings 10 cm sideways at 2 Hz while the other rests."""
    row = dict(toy_rows(1, seed=0, frames=(frames, frames))[0])
    joints = np.array(row["joints"], dtype=np.float64)
    joints[:, :, :] = joints[:1]  # a still body ...
    joints[:, JOINT_INDEX[f"{hand}_wrist"], 0] += 0.1 * np.sin(2 * np.pi * 2 * np.arange(frames) / 25)  # ... waving
    row["joints"] = joints
    row["contacts"] = np.tile([1.0, 0.0, 1.0, 0.0], (frames, 1))  # left ankle and left foot down
    row["root_velocity"] = np.tile([0.3, 0.0, 0.5], (frames, 1))
    return row


def test_a_left_handed_window_becomes_its_right_handed_mirror():
    row = _waving("left")
    window, text = right_handed(row, "a girl waves with her left hand")
    assert text == "a girl waves with her right hand"
    np.testing.assert_allclose(window["joints"], mirror(row["joints"]))
    np.testing.assert_array_equal(window["contacts"][0], [0.0, 1.0, 0.0, 1.0])  # now the right foot is down
    np.testing.assert_allclose(window["root_velocity"][0], [-0.3, 0.0, 0.5])
    swing = window["joints"][:, JOINT_INDEX["right_wrist"], 0]
    assert np.ptp(swing) > 0.19 and np.ptp(window["joints"][:, JOINT_INDEX["left_wrist"], 0]) < 1e-9


def test_only_windows_of_the_named_actions_are_mirrored():
    row = _waving("left")
    row["action_ids"] = np.full(len(row["joints"]), vocab.action_id("wave"))
    wave, point = ([vocab.action_id(name)] for name in ("wave", "point"))
    np.testing.assert_allclose(right_handed(row, "waves", wave)[0]["joints"], mirror(row["joints"]))
    assert right_handed(row, "waves with the left hand", point) == (row, "waves with the left hand")


def test_right_handed_and_two_handed_windows_are_kept():
    right = _waving("right")
    assert right_handed(right, "waves with the right hand") == (right, "waves with the right hand")
    both = _waving("right")
    both["joints"][:, JOINT_INDEX["left_wrist"]] = mirror(both["joints"])[:, JOINT_INDEX["left_wrist"]]
    assert right_handed(both, "claps")[0] is both


def test_window_source_mirrors_to_the_right_hand_only_when_asked():
    import datasets

    toy = toy_dataset(train=2, validation=1)["train"]
    rows = [dict(toy[0], joints=_waving("left", toy[0]["num_frames"])["joints"].tolist(),
                 texts=["someone waves with the left hand"]), toy[1]]
    split = datasets.Dataset.from_list(rows, features=toy.features)
    swapped = "someone waves with the right hand"
    sentences = sorted({t for r in rows for t in r["texts"]} | {swapped})
    texts = {t: np.full(3, i, np.float32) for i, t in enumerate(sentences)}
    plain, canonical = (WindowSource(split, texts, FeatureStats.identity(), crop_frames=30, known_frames=10,
                                     known_prefix_prob=0.0, seed=0, canonical_hand=flag) for flag in (False, True))
    mirrored, kept = canonical.example(0, None), canonical.example(1, None)
    assert not np.array_equal(mirrored["features"], plain.example(0, None)["features"])
    np.testing.assert_array_equal(mirrored["text_embeds"], texts[swapped])
    np.testing.assert_array_equal(kept["features"], plain.example(1, None)["features"])
    swimmers_only = WindowSource(split, texts, FeatureStats.identity(), crop_frames=30, known_frames=10,
                                 known_prefix_prob=0.0, seed=0, canonical_hand=True, hand_actions=("swimming",))
    np.testing.assert_array_equal(swimmers_only.example(0, None)["features"], plain.example(0, None)["features"])
