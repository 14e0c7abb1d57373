"""Partners meet and keep their distance (stickgen.staging), and what the second pass shows of a partner."""
import numpy as np
import pytest

from stickgen import skeleton as S
from stickgen import vocab
from stickgen.conditioning import ActorPlan
from stickgen.staging import CLOSEST, REACH, approaches, came_to, contact_distance, interactions, partner_joints, stage

FPS = 25
WALK, IDLE, HANDSHAKE, HUG = (vocab.action_id(n) for n in ("walk", "idle", "handshake", "hug"))


def standing(frames: int, position=(0.0, 0.0), heading: float = 0.0) -> np.ndarray:
    """The rest pose at ``position`` (x, z) facing ``heading`` for ``frames`` frames: ``[T, 22, 3]``."""
    pose = S.rotate_y(S.rest_pose(), heading)
    pose[:, [0, 2]] += np.asarray(position)
    return np.repeat(pose[None], frames, axis=0)


def actor(ids, partner=None, name="a") -> ActorPlan:
    return ActorPlan(name, "a person", np.asarray(ids), partner=partner)


def pelvis_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a[:, 0, [0, 2]] - b[:, 0, [0, 2]], axis=-1)


def walk_up_scene(walked=2.0, frames=150, arrive=100):
    """The waiter stands at x = 5 facing -x; the walker starts at x = -4 facing +x and covers ``walked`` m
    (the layout expected 8.25) before their handshake at ``arrive``."""
    walker = standing(frames, (-4.0, 0.0), np.pi / 2)
    walker[..., 0] += np.minimum(np.arange(frames), arrive)[:, None] * walked / arrive
    waiter = standing(frames, (5.0, 0.0), -np.pi / 2)
    ids_walker = np.r_[np.full(arrive, WALK), np.full(frames - arrive, HANDSHAKE)]
    ids_waiter = np.r_[np.full(arrive, IDLE), np.full(frames - arrive, HANDSHAKE)]
    return [walker, waiter], [actor(ids_walker, 1, "a0"), actor(ids_waiter, 0, "a1")]


def test_interactions_and_who_came():
    clips, actors = walk_up_scene()
    assert interactions(actors) == [(0, 1, 100, 150, contact_distance("handshake"))]
    assert came_to(actors[0], 100) and not came_to(actors[1], 100)
    assert not came_to(actors[0], 150, since=100)
    assert contact_distance("hug") == 0.45 and contact_distance("wave") == contact_distance(None) == 1.0


def test_the_one_that_walked_up_stands_in_front_of_the_one_waiting():
    clips, actors = walk_up_scene()
    walker, waiter = stage(clips, actors, FPS)
    np.testing.assert_array_equal(waiter, clips[1])  # the one waiting is not moved
    assert pelvis_gap(walker, waiter)[100] == pytest.approx(0.75, abs=1e-9)
    assert walker[100, 0, 0] == pytest.approx(5.0 - 0.75)  # in front of her, where she faces
    assert S.heading_angles(walker[100]) == pytest.approx(np.pi / 2, abs=1e-6)  # facing her
    # one rigid move: the walk itself is unchanged (2 m of it, every pose the same shape)
    np.testing.assert_allclose(np.linalg.norm(walker[100, 0] - walker[0, 0]), 2.0, atol=1e-9)
    np.testing.assert_allclose(walker - walker[:, :1], clips[0] - clips[0][:, :1], atol=1e-9)


def test_partners_neither_walk_into_each_other_nor_out_of_reach_and_still_lean():
    frames = 250
    t = np.arange(frames) / FPS
    lean = 0.03 * np.sin(2 * np.pi * 2.0 * t)  # 2 Hz, in and out
    ids = np.full(frames, HANDSHAKE)
    for drift in (0.04, -0.04):  # 4 cm/s each, toward each other, then apart
        a, b = standing(frames, (-0.375, 0.0), np.pi / 2), standing(frames, (0.375, 0.0), -np.pi / 2)
        a[..., 0] += (drift * t + lean)[:, None]
        b[..., 0] -= (drift * t)[:, None]
        gap = pelvis_gap(*stage([a, b], [actor(ids, 1), actor(ids, 0)], FPS))
        raw = pelvis_gap(a, b)
        limit = CLOSEST if drift > 0 else 0.75 + REACH
        slow = np.convolve(gap, np.ones(13) / 13, mode="valid")  # the 2 Hz lean averages out over 13 frames
        assert (raw[-1] < 0.1) if drift > 0 else (raw[-1] > 1.5)  # unstaged: through each other / apart
        assert np.abs(slow[-50:] - limit).max() < 0.03  # staged: held at the limit
        inside = raw < limit if drift < 0 else raw > limit
        np.testing.assert_allclose(gap[inside][:50], raw[inside][:50], atol=1e-3)  # untouched while possible
        assert np.std(gap[-100:] - slow[-100:].mean()) > 0.8 * np.std(lean)  # the lean survives


def test_actors_without_an_interaction_are_untouched():
    a, b = standing(50), standing(50, (3.0, 0.0))
    walking = actor(np.full(50, WALK), 1)
    staged = stage([a, b], [walking, actor(np.full(50, WALK), 0)], FPS)
    np.testing.assert_array_equal(staged[0], a)
    np.testing.assert_array_equal(staged[1], b)


def test_a_second_meeting_eases_in_after_the_first():
    """Shake hands, walk 1 m off and back short, shake hands again: the first handshake stays as it was."""
    a, b = standing(130, (-0.375, 0.0), np.pi / 2), standing(130, (0.375, 0.0), -np.pi / 2)
    away = np.clip((np.arange(130) - 30) / 50, 0, 1)
    a[..., 0] -= away[:, None] * 1.0
    ids_a = np.r_[np.full(30, HANDSHAKE), np.full(50, WALK), np.full(50, HANDSHAKE)]
    ids_b = np.r_[np.full(30, HANDSHAKE), np.full(50, IDLE), np.full(50, HANDSHAKE)]
    staged = stage([a, b], [actor(ids_a, 1), actor(ids_b, 0)], FPS)
    np.testing.assert_allclose(staged[0][:30], a[:30], atol=1e-9)
    np.testing.assert_array_equal(staged[1], b)
    assert pelvis_gap(*staged)[80] == pytest.approx(0.75, abs=1e-6)


def test_the_second_pass_shows_a_waiting_actor_its_partner_standing_in_front():
    canonical = [S.normalize_heading(clip) for clip in walk_up_scene()[0]]
    _, actors = walk_up_scene()
    actors = [ActorPlan(a.id, a.text, a.action_ids, partner=a.partner, start_position=start, facing=facing)
              for a, start, facing in zip(actors, [(-4.0, 0.0), (5.0, 0.0)], [np.pi / 2, -np.pi / 2])]
    partners = partner_joints(actors, canonical, FPS)
    seen_by_waiter, seen_by_walker = partners[1], partners[0]
    np.testing.assert_allclose(seen_by_waiter[:100], np.repeat(seen_by_waiter[100:101], 100, 0), atol=1e-9)
    np.testing.assert_allclose(seen_by_waiter[0, 0, [0, 2]], [0.0, 0.75], atol=1e-6)  # in front, as met
    np.testing.assert_allclose(seen_by_walker[:, 0, [0, 2]], np.tile([0.0, 9.0], (150, 1)), atol=1e-6)  # as planned


def test_the_second_pass_keeps_a_leaving_partner_where_the_actor_last_met_it():
    frames = 120
    stayer, leaver = standing(frames, (0.0, 0.0)), standing(frames, (0.0, 0.75), np.pi)
    leaver[60:, :, 2] += np.arange(frames - 60)[:, None] * 0.05
    ids_stayer = np.r_[np.full(60, HUG), np.full(60, IDLE)]
    ids_leaver = np.r_[np.full(60, HUG), np.full(60, WALK)]
    actors = [ActorPlan("a0", "a person", ids_stayer, partner=1),
              ActorPlan("a1", "a person", ids_leaver, partner=0, start_position=(0.0, 0.75), facing=np.pi)]
    partners = partner_joints(actors, [S.normalize_heading(c) for c in (stayer, leaver)], FPS)
    np.testing.assert_allclose(partners[0][60:], np.repeat(partners[0][59:60], 60, 0), atol=1e-9)
    np.testing.assert_allclose(partners[1][:, 0, [0, 2]], np.tile([0.0, 0.75], (frames, 1)), atol=1e-6)  # as placed


def test_a_walk_the_layout_planned_up_to_someone_ends_in_front_of_them():
    clips, actors = walk_up_scene()  # the walker covers 2 m, then stands; the layout wanted 8.25 m
    ids_walker = np.r_[np.full(100, WALK), np.full(50, IDLE)]
    toward = [ActorPlan("a0", "a person walks toward someone", ids_walker, meets=[(100, 1, 0.8)]),
              ActorPlan("a1", "a person stands still", np.full(150, IDLE))]
    walker, waiter = stage(clips, toward, FPS)
    np.testing.assert_array_equal(waiter, clips[1])
    assert pelvis_gap(walker, waiter)[100] == pytest.approx(0.8, abs=1e-9)
    assert pelvis_gap(walker, waiter)[149] == pytest.approx(0.8, abs=1e-9)  # no hold, and none needed: both stand
    np.testing.assert_allclose(walker - walker[:, :1], clips[0] - clips[0][:, :1], atol=1e-9)  # the same walk
    assert approaches(toward, 150) == [(0, 1, 100, 0.8)]
    assert approaches([ActorPlan("a0", "x", ids_walker, meets=[(150, 1, 0.8)]), toward[1]], 150) == [(0, 1, 149, 0.8)]
