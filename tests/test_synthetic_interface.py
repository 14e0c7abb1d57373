"""The procedural generator's contract: specs, shapes, labels, determinism, mirroring, bad input."""
import numpy as np
import pytest

from datasets_scripts.synthetic import (
    ActionStep,
    ClipSpec,
    SyntheticClip,
    generate,
    generate_many,
    sample_spec,
    spec_for,
)
from stickgen import skeleton, vocab


def test_sample_spec_covers_every_action_with_valid_specs():
    rng = np.random.default_rng(0)
    seen, counts = set(), set()
    for _ in range(800):
        spec = sample_spec(rng, max_duration=10.0, min_duration=1.0)
        assert 1 <= len(spec.steps) <= 4
        assert 1.0 - 1e-6 <= spec.duration <= 10.0 + 0.05
        assert 1.4 <= spec.height <= 1.95
        assert sum(vocab.action_info(s.action).actors == 2 for s in spec.steps) <= 1
        seen.update(s.action for s in spec.steps)
        counts.add(len(spec.steps))
    assert seen == set(vocab.ACTION_NAMES)
    assert counts == {1, 2, 3, 4}


def test_sample_spec_rejects_bad_durations():
    with pytest.raises(ValueError, match="min_duration"):
        sample_spec(np.random.default_rng(0), max_duration=2.0, min_duration=3.0)


def test_generated_clip_shapes_labels_and_realised_params():
    spec = ClipSpec([ActionStep("walk", 2.0), ActionStep("sit", 2.5), ActionStep("talk", 1.5)], height=1.6, seed=3)
    clip = generate(spec)
    frames = 150
    assert isinstance(clip, SyntheticClip) and clip.fps == 25 and clip.num_frames == frames
    assert clip.joints.shape == (frames, 22, 3) and clip.joints.dtype == np.float64
    assert clip.contacts.shape == (frames, 4) and clip.contacts.dtype == bool
    for ids in (clip.action_ids, clip.expression_ids, clip.speech_ids):
        assert ids.shape == (frames,) and ids.dtype == np.int64
    assert clip.partner_joints is None
    walk, sit, talk = (vocab.action_id(a) for a in ("walk", "sit", "talk"))
    assert (clip.action_ids[:50] == walk).all() and (clip.action_ids[50:112] == sit).all()
    assert (clip.action_ids[113:] == talk).all()
    assert set(np.unique(clip.speech_ids[:112])) == {-1}
    assert (clip.speech_ids[112:] == vocab.speech_id("talk")).mean() > 0.5
    walk_params = clip.spec.steps[0].params
    assert 0.8 <= walk_params["speed"] <= 1.8 and 95 <= walk_params["cadence"] <= 125
    assert walk_params["stop"] is True  # a walk followed by sitting comes to a stop
    assert isinstance(walk_params["start"], bool)  # the first step may open at rest or mid-stride
    assert clip.spec.steps[1].params["height_target"] in ("ground", "chair")
    assert spec.steps[0].params == {}, "the caller's spec is not modified"


def test_given_params_are_kept():
    clip = generate(ClipSpec([ActionStep("walk", 4.0, {"speed": 1.1, "path": "straight", "start": False,
                                                        "stop": False})], seed=1))
    params = clip.spec.steps[0].params
    assert params["speed"] == 1.1 and params["path"] == "straight"
    travelled = np.linalg.norm(clip.joints[-1, 0, [0, 2]] - clip.joints[0, 0, [0, 2]])
    assert travelled == pytest.approx(1.1 * 99 / 25, rel=0.05)


def test_generate_is_deterministic_and_seeds_differ():
    spec = spec_for(5, seed=9)
    a, b = generate(spec), generate(spec)
    np.testing.assert_array_equal(a.joints, b.joints)
    np.testing.assert_array_equal(a.contacts, b.contacts)
    assert a.spec == b.spec
    other = generate(ClipSpec(spec.steps, spec.height, spec.seed + 1, spec.mirror))
    assert not np.allclose(other.joints, a.joints)


def test_generate_many_same_clips_whatever_the_workers():
    one = list(generate_many(6, seed=4, workers=1))
    two = list(generate_many(6, seed=4, workers=2))
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a.joints, b.joints)
        np.testing.assert_array_equal(a.action_ids, b.action_ids)
    assert [c.spec.seed for c in one] == [spec_for(i, 4).seed for i in range(6)]


def test_mirror_flag_mirrors_joints_and_swaps_contacts():
    steps = [ActionStep("wave", 2.0, {"handedness": "right"}), ActionStep("walk", 2.0)]
    plain = generate(ClipSpec(steps, seed=2))
    mirrored = generate(ClipSpec(steps, seed=2, mirror=True))
    np.testing.assert_allclose(mirrored.joints, skeleton.mirror(plain.joints), atol=1e-12)
    np.testing.assert_array_equal(mirrored.contacts, plain.contacts[:, [1, 0, 3, 2]])
    right, left = skeleton.JOINT_INDEX["right_wrist"], skeleton.JOINT_INDEX["left_wrist"]
    assert plain.joints[40, right, 1] > plain.joints[40, left, 1] + 0.3  # waving with the right hand
    assert mirrored.joints[40, left, 1] > mirrored.joints[40, right, 1] + 0.3


@pytest.mark.parametrize("build, message", [
    (lambda: ActionStep("moonwalk", 2.0), "unknown action"),
    (lambda: ActionStep("walk", -1.0), "duration"),
    (lambda: ClipSpec([ActionStep("walk", 2.0)], height=2.4), "height"),
    (lambda: ClipSpec([], height=1.7), "at least one step"),
    (lambda: ClipSpec([ActionStep("hug", 2.0), ActionStep("handshake", 2.0)]), "two-actor"),
    (lambda: list(generate_many(2, workers=0)), "workers"),
])
def test_bad_input_is_rejected_with_a_clear_error(build, message):
    with pytest.raises((ValueError, KeyError), match=message):
        build()


def test_to_scene_keeps_labels_and_validates(tmp_path):
    from datasets_scripts.synthetic.scene import to_scene
    from stickgen.motion import Scene

    clip = generate(ClipSpec([ActionStep("walk", 2.0, {"path": "straight"}), ActionStep("hug", 2.0),
                              ActionStep("talk", 2.0)], seed=6))
    path = to_scene(clip).save(tmp_path / "clip.motion")
    scene = Scene.load(path)
    actor, partner = scene.actors
    np.testing.assert_array_equal(actor.frame_labels("actions"), clip.action_ids)
    np.testing.assert_array_equal(actor.frame_labels("speech"), clip.speech_ids)
    np.testing.assert_allclose(partner.joints, clip.partner_joints)
    assert [s.label for s in partner.actions] == ["hug"]


def test_nothing_travels_through_the_partner():
    from datasets_scripts.synthetic.sampling import AFTER_PAIR

    rng = np.random.default_rng(3)
    for _ in range(1500):
        actions = [s.action for s in sample_spec(rng).steps]
        pairs = [i for i, a in enumerate(actions) if vocab.action_info(a).actors == 2]
        if pairs:
            assert all(a in AFTER_PAIR for a in actions[pairs[0] + 1:])
            assert all(a in AFTER_PAIR or a == "walk" for a in actions[:pairs[0]])
