"""Path following keeps the clip's heading relative to its travel (backwards, sideways) and the plan's
facing until the actor has moved (an interaction before walking away)."""
import numpy as np
import pytest

from stickgen import placement as L
from stickgen import skeleton as S
from stickgen.conditioning import ActorPlan


def wrap(angle):
    return np.angle(np.exp(1j * np.asarray(angle)))


def travelling(direction, frames=100, distance=4.0, still=0):
    """Rest pose facing +z whose pelvis stays put for ``still`` frames, then moves ``distance`` m toward
    ``direction`` (a heading) at constant speed: ``[still + frames, 22, 3]``."""
    clip = np.broadcast_to(S.rest_pose(), (still + frames, 22, 3)).copy()
    s = np.concatenate([np.zeros(still), np.linspace(0.0, distance, frames)])
    clip[..., 0] += (s * np.sin(direction))[:, None]
    clip[..., 2] += (s * np.cos(direction))[:, None]
    return clip


@pytest.mark.parametrize("travel", [np.pi, np.pi / 2, -np.pi / 2, 0.0],
                         ids=["backwards", "sideways_left", "sideways_right", "forwards"])
def test_heading_keeps_its_offset_from_the_travel_direction_along_a_bent_path(travel):
    path = np.array([[2.0, 0.0], [2.0, 2.0]])  # +x for 2 m, then +z
    facing = wrap(np.pi / 2 - travel)  # what the plan says at frame 0: the clip's heading on the first leg
    world = L.place_actor(travelling(travel), ActorPlan("a", "walk", np.ones(100), facing=facing, path=path))
    pelvis, heading = world[:, 0, [0, 2]], S.heading_angles(world)
    assert np.all((np.abs(pelvis[:, 1]) < 1e-9) | (np.abs(pelvis[:, 0] - 2.0) < 1e-9))  # on the path
    np.testing.assert_allclose(pelvis[-1], [2.0, 2.0], atol=1e-9)
    first, second = pelvis[:, 0] < 1.7, pelvis[:, 1] > 0.3
    np.testing.assert_allclose(wrap(heading[first] - (np.pi / 2 - travel)), 0.0, atol=1e-6)
    np.testing.assert_allclose(wrap(heading[second] - (0.0 - travel)), 0.0, atol=1e-6)
    assert np.abs(wrap(np.diff(heading))).max() < 0.2  # turns smoothly at the corner


def test_interaction_before_walking_away_faces_the_partner_until_the_actor_moves():
    clip = travelling(0.0, frames=50, distance=3.0, still=50)  # high five for 2 s, then walk ahead
    plan = ActorPlan("a", "a person gives a high five, then walks away", np.ones(100), start_position=(0.0, 0.0),
                     facing=np.pi / 2, path=np.array([[-3.0, 0.0]]))  # partner at +x, walks off toward -x
    world = L.place_actor(clip, plan)
    heading = S.heading_angles(world)
    travelled = np.abs(world[:, 0, 0])
    assert np.all(travelled[:50] < 1e-9)
    np.testing.assert_allclose(heading[travelled < L.HOLD_DISTANCE], np.pi / 2, atol=1e-9)
    np.testing.assert_allclose(wrap(heading[travelled > L.HOLD_DISTANCE + L.BLEND_DISTANCE] + np.pi / 2), 0.0,
                               atol=1e-6)
    steps = np.abs(wrap(np.diff(heading)))
    assert steps.max() < np.pi / 4 and np.count_nonzero(steps > 1e-6) >= 4  # blended over frames, no pop
    np.testing.assert_allclose(world[-1, 0, [0, 2]], [-3.0, 0.0], atol=1e-9)


def test_a_clip_that_never_moves_keeps_the_plan_facing_at_the_start():
    clip = travelling(0.0, frames=30, distance=0.0)
    world = L.place(clip, (1.0, -1.0), 0.7, np.array([[3.0, 2.0]]))
    np.testing.assert_allclose(S.heading_angles(world), 0.7, atol=1e-9)
    np.testing.assert_allclose(world[:, 0, [0, 2]], np.broadcast_to([1.0, -1.0], (30, 2)), atol=1e-9)


def there_and_back(turns_around, out=2.4, back=2.4):
    """Walk ``out`` m toward +z, then come back ``back`` m: turning round first (15 frames in place),
    or stepping backwards facing +z all the way: ``[T, 22, 3]``."""
    rest, frames = S.rest_pose(), []
    frames += [rest + [0.0, 0.0, s] for s in np.linspace(0.0, out, 60)]
    if turns_around:
        frames += [S.rotate_y(rest, a) + [0.0, 0.0, out] for a in np.linspace(0.0, np.pi, 15)]
    frames += [S.rotate_y(rest, np.pi if turns_around else 0.0) + [0.0, 0.0, out - s]
               for s in np.linspace(0.0, back, 60)[1:]]
    return np.array(frames)


@pytest.mark.parametrize("turns_around", [True, False], ids=["turns_around", "steps_back"])
def test_there_and_back_turns_where_the_path_does_without_spinning(turns_around):
    clip = there_and_back(turns_around)  # turns back after 2.4 m, the plan after 3 m
    world = L.place(clip, (0.0, 0.0), 0.0, np.array([[0.0, 3.0], [0.0, 0.0]]))
    pelvis, heading = world[:, 0, [0, 2]], S.heading_angles(world)
    np.testing.assert_allclose(pelvis[:, 0], 0.0, atol=1e-9)
    np.testing.assert_allclose(pelvis[:, 1].max(), 3.0, atol=1e-6)  # the clip's turn lands on the path's
    np.testing.assert_allclose(pelvis[-1, 1], 0.6, atol=1e-6)  # the last leg keeps the clip's length
    assert np.abs(wrap(np.diff(heading))).max() < 0.25  # only the clip's own turning (0.22 rad a frame)
    going, coming = np.diff(pelvis[:, 1]) > 1e-3, np.diff(pelvis[:, 1]) < -1e-3
    np.testing.assert_allclose(heading[1:][going], 0.0, atol=1e-6)
    np.testing.assert_allclose(wrap(heading[1:][coming] - (np.pi if turns_around else 0.0)), 0.0, atol=1e-6)


def test_swaying_on_the_spot_before_walking_keeps_the_facing_and_does_not_spin():
    clip = travelling(0.0, frames=50, distance=3.0, still=75)
    clip[:75, :, 0] += 0.03 * np.sin(np.linspace(0.0, 6 * np.pi, 75))[:, None]  # 0.36 m of swaying, 3 cm wide
    world = L.place(clip, (0.0, 0.0), np.pi / 2, np.array([[-3.0, 0.0]]))
    heading = S.heading_angles(world)
    np.testing.assert_allclose(heading[:75], np.pi / 2, atol=1e-9)
    np.testing.assert_allclose(wrap(heading[-20:] + np.pi / 2), 0.0, atol=1e-6)
    assert np.abs(wrap(np.diff(heading))).max() < np.pi / 4


def test_a_walk_shorter_than_its_path_walks_the_whole_shape_smaller():
    square = np.array([[4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]])  # 16 m round, back to the start
    clip = travelling(0.0, frames=100, distance=4.0, still=20)  # stands 20 frames, then covers 4 m
    ids = np.r_[np.zeros(20), np.ones(100)]  # idle, then walk
    world = L.place_actor(clip, ActorPlan("a", "a person walks round a square", ids, facing=np.pi / 2, path=square))
    pelvis = world[:, 0, [0, 2]]
    np.testing.assert_allclose(pelvis[-1], [0.0, 0.0], atol=1e-9)  # the square closes, at a quarter of its size
    assert np.linalg.norm(pelvis - [1.0, 0.0], axis=1).min() < 0.03  # it passes the first corner, 1 m out
    assert pelvis[:, 0].max() == pytest.approx(1.0) and pelvis[:, 1].max() == pytest.approx(1.0)
    unscaled = L.place(clip, (0.0, 0.0), np.pi / 2, square)  # no travelling frames given: the path as laid out
    np.testing.assert_allclose(unscaled[-1, 0, [0, 2]], [4.0, 0.0], atol=1e-9)
