"""stickgen.sampling: the refiner settings a call names, a checkpoint recommends, and the CLI options."""
import argparse

import numpy as np
import pytest

from stickgen.features import ROOT_VELOCITY
from stickgen.sampling import DEFAULT_SAMPLING, add_arguments, check_recommendation, from_arguments, resolve


def test_cli_options_become_pipeline_keywords_and_unnamed_ones_fall_back():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    named = from_arguments(parser.parse_args(["--root-guidance-scale", "3", "--lowpass-hz", "2"]))
    assert set(named) == set(DEFAULT_SAMPLING) and named["strength"] is None
    chosen = resolve({**DEFAULT_SAMPLING, "guidance_scale": 1.5}, 25, **named)
    assert (chosen.guidance_scale, chosen.root_guidance_scale, chosen.lowpass_hz) == (1.5, 3.0, 2.0)
    scales = chosen.guidance()
    assert scales.shape == (137,) and np.all(scales[ROOT_VELOCITY] == 3.0) and np.sum(scales == 1.5) == 135


def test_root_guidance_follows_the_guidance_scale_unless_set():
    assert resolve(DEFAULT_SAMPLING, 25).root_guidance_scale == DEFAULT_SAMPLING["guidance_scale"]
    assert resolve(DEFAULT_SAMPLING, 25, guidance_scale=1.2).root_guidance_scale == 1.2


def test_bad_settings_are_refused_with_their_names():
    with pytest.raises(ValueError, match="unknown sampling setting.*guidance"):
        resolve(DEFAULT_SAMPLING, 25, guidance=2.0)
    with pytest.raises(ValueError, match="unknown setting.*smoothing"):
        check_recommendation({"smoothing": 2.0})
    with pytest.raises(ValueError, match=r"lowpass_hz in \[0, 15\)"):
        resolve(DEFAULT_SAMPLING, 30, lowpass_hz=15.0)


def test_pace_is_off_unless_recommended_or_asked_for():
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert from_arguments(parser.parse_args([]))["pace"] is None
    assert from_arguments(parser.parse_args(["--pace"]))["pace"] is True
    assert resolve(DEFAULT_SAMPLING, 25).pace is False
    recommended = check_recommendation({"pace": True})
    assert resolve(recommended, 25).pace is True and resolve(recommended, 25).meta()["pace"] is True
    assert resolve(recommended, 25, **from_arguments(parser.parse_args(["--no-pace"]))).pace is False
    with pytest.raises(ValueError, match="pace must be True or False, got 1"):
        resolve(DEFAULT_SAMPLING, 25, pace=1)


def test_a_recommendation_saved_before_a_setting_existed_takes_its_default():
    older = {"num_inference_steps": 20, "guidance_scale": 1.5, "root_guidance_scale": 2.0, "strength": 1.0,
             "lowpass_hz": 3.5}  # a model_index.json "sampling" written before pace
    chosen = resolve(older, 25)
    assert chosen.pace is False and (chosen.num_inference_steps, chosen.root_guidance_scale) == (20, 2.0)
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['smoothing'\]"):
        resolve({**older, "smoothing": 2.0}, 25)
