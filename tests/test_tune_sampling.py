"""training.tune_sampling: the rule that picks a checkpoint's recommended refiner settings."""
from training.tune_sampling import PLANNER, choose, jerk_distance

REAL = {"jerk": 100.0, "jitter": 0.02}


def test_lowest_fid_among_settings_that_beat_the_planner_and_move_like_real_motion():
    rows = {
        PLANNER: {"fid": 0.30, "jerk": 90.0, "jitter": 0.02},
        "a": {"fid": 0.20, "jerk": 300.0, "jitter": 0.02},   # better FID but jerk 2.0 away: rejected
        "b": {"fid": 0.25, "jerk": 140.0, "jitter": 0.03},   # qualifies
        "c": {"fid": 0.22, "jerk": 120.0, "jitter": 0.05},   # better FID but jittery (2.5x real): rejected
        "d": {"fid": 0.24, "jerk": 60.0, "jitter": 0.04},    # qualifies, lowest FID of those: chosen
        "e": {"fid": 0.35, "jerk": 100.0, "jitter": 0.02},   # perfect motion, worse FID than the planner
    }
    assert jerk_distance(rows["b"], REAL) == 0.4
    assert choose(rows, REAL) == "d"


def test_planner_alone_when_no_setting_qualifies():
    rows = {PLANNER: {"fid": 0.30, "jerk": 90.0, "jitter": 0.02}, "a": {"fid": 0.20, "jerk": 300.0, "jitter": 0.02},
            "b": {"fid": 0.40, "jerk": 100.0, "jitter": 0.02}}
    assert choose(rows, REAL) == PLANNER
