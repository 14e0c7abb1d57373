"""training.tune_sampling: the rule that picks a checkpoint's recommended refiner settings."""
from training.tune_sampling import PLANNER, choose, jerk_ratio, row_label

REAL = {"jerk": 100.0, "jitter": 0.02}


def row(fid: float, jerk: float, jitter: float, accuracy: float = 0.5) -> dict:
    return {"fid": fid, "jerk": jerk, "jitter": jitter, "action_accuracy": accuracy}


def test_best_action_accuracy_among_settings_that_beat_the_planner_and_move_no_more_roughly_than_the_data():
    rows = {
        PLANNER: row(0.30, 90.0, 0.02, 0.40),
        "a": row(0.20, 210.0, 0.02, 0.90),   # best accuracy but jerk 2.1x the data's: rejected
        "b": row(0.25, 190.0, 0.03, 0.70),   # jerk 1.9x the data's: qualifies, the best accuracy: chosen
        "c": row(0.22, 120.0, 0.05, 0.80),   # jittery (2.5x the data's): rejected
        "d": row(0.24, 40.0, 0.04, 0.60),    # smoother than the data: qualifies, lower FID but worse actions
        "e": row(0.35, 100.0, 0.02, 0.95),   # perfect motion and accuracy, worse FID than the planner
    }
    assert jerk_ratio(rows["b"], REAL) == 1.9
    assert choose(rows, REAL) == "b"


def test_fid_decides_between_near_equal_action_accuracies():
    rows = {PLANNER: row(0.30, 90.0, 0.02), "a": row(0.25, 100.0, 0.02, 0.700), "b": row(0.21, 100.0, 0.02, 0.695),
            "c": row(0.20, 100.0, 0.02, 0.65)}
    assert choose(rows, REAL) == "b"


def test_planner_alone_when_no_setting_qualifies():
    rows = {PLANNER: row(0.30, 90.0, 0.02), "a": row(0.20, 300.0, 0.02), "b": row(0.40, 100.0, 0.02)}
    assert choose(rows, REAL) == PLANNER


def test_the_reference_row_is_named_after_the_split_it_holds():
    from stickgen.eval.report import REAL as REFERENCE

    assert row_label(REFERENCE, "validation") == "validation motions (the data)"
    assert row_label(PLANNER, "validation") == PLANNER


def test_grid_rows_name_the_root_guidance_only_when_it_is_set():
    from training.tune_sampling import setting_name

    assert setting_name(20, 1.5, None, 1.0, 3.5) == "steps 20, guidance 1.5, strength 1, lowpass 3.5 Hz"
    assert setting_name(20, 1.5, 2.0, 1.0, 3.5) == "steps 20, guidance 1.5, root 2, strength 1, lowpass 3.5 Hz"
    assert setting_name(20, 1.5, None, 1.0, 3.5, True) == "steps 20, guidance 1.5, strength 1, lowpass 3.5 Hz, paced"
    assert setting_name(20, 1.5, 2.0, 1.0, 3.5, guided_fraction=0.4) \
        == "steps 20, guidance 1.5, root 2, guided 0.4, strength 1, lowpass 3.5 Hz"

