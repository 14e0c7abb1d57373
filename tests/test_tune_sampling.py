"""training.tune_sampling: the rule that picks a checkpoint's recommended refiner settings."""
from training.tune_sampling import PLANNER, choose, jerk_distance

REAL = {"jerk": 100.0}


def test_lowest_fid_among_settings_that_beat_the_planner_in_fid_and_jerk():
    rows = {
        PLANNER: {"fid": 0.30, "jerk": 40.0},          # too smooth: 0.60 from the real jerk
        "a": {"fid": 0.20, "jerk": 300.0},            # better FID but jittery (2.0 away): rejected
        "b": {"fid": 0.25, "jerk": 80.0},             # better on both
        "c": {"fid": 0.22, "jerk": 130.0},            # better on both, lower FID: chosen
        "d": {"fid": 0.35, "jerk": 100.0},            # perfect jerk, worse FID: rejected
    }
    assert jerk_distance(rows["c"], REAL) == 0.3
    assert choose(rows, REAL) == "c"


def test_planner_alone_when_no_setting_improves_on_it():
    rows = {PLANNER: {"fid": 0.30, "jerk": 90.0}, "a": {"fid": 0.20, "jerk": 300.0}, "b": {"fid": 0.40, "jerk": 100.0}}
    assert choose(rows, REAL) == PLANNER
