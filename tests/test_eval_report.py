"""The report: systems, quality bar, files and the `python -m stickgen.eval` command end to end."""
import json

import numpy as np
import pytest
from PIL import Image
from test_eval_toy import toy_clip, toy_dataset, trained_toy_evaluator

from stickgen import vocab
from stickgen.eval import report
from stickgen.eval.__main__ import main
from stickgen.eval.plots import bar_chart
from stickgen.eval.systems import EvalCase, MeanMotionBaseline, RetrievalBaseline

TINY = {"d_model": 32, "num_layers": 1, "num_heads": 2, "ffn_dim": 64}


@pytest.fixture(scope="module")
def tiny_pipeline(tmp_path_factory):
    from stickgen.pipeline import StickGenPipeline

    folder = tmp_path_factory.mktemp("tiny-pipeline")
    StickGenPipeline.from_preset("small", planner_overrides=TINY,
                                 refiner_overrides={**TINY, "residual": False}).save_pretrained(folder)
    return folder


def _run_report(pipeline, out, suites: str) -> dict:
    evaluator, data, _ = trained_toy_evaluator()
    rc = main(["--model", str(pipeline), "--out", str(out), "--data", data, "--evaluator", evaluator,
               "--num-cases", "40", "--mm-texts", "3", "--mm-generations", "2", "--steps", "2",
               "--suites", suites, "--retrieval-rows", "60", "--cache-dir", str(out / "cache")])
    assert rc == 0
    return json.loads((out / "report.json").read_text())


@pytest.mark.slow
def test_report_runs_every_suite(tiny_pipeline, tmp_path):
    doc = _run_report(tiny_pipeline, tmp_path, "all")
    suites = {s["suite"]: s for s in doc["suites"]}
    assert len(suites) == 6 and suites["adversarial"]["total"] == 14
    items = {i["id"]: i for i in suites["adversarial"]["items"]}
    # a non-positive duration must be refused with a message by any pipeline
    assert items["zero_duration"]["outcome"] == "refused" and items["zero_duration"]["message"]
    assert all(i["outcome"] != "crashed" for s in suites.values() for i in s["items"]), "no item may crash"


def test_report_command_end_to_end(tiny_pipeline, tmp_path):
    out = tmp_path / "report"
    doc = _run_report(tiny_pipeline, out, "camera")
    assert list(doc["rows"]) == [report.REAL, report.PIPELINE, report.PLANNER, report.RETRIEVAL, report.MEAN_MOTION]
    real, pipeline = doc["rows"][report.REAL], doc["rows"][report.PIPELINE]
    assert doc["counts"]["cases"] == 40 and doc["counts"]["real_clips"] == 5
    # the trained evaluator separates the real test pairs; an untrained pipeline is near chance and far away
    assert real["r_precision_top3"]["mean"] > 0.3
    assert real["fid"] < pipeline["fid"]
    assert real["action_accuracy"] > 0.9 > pipeline["action_accuracy"]
    assert pipeline["multimodality"] > 0 and "multimodality" not in real
    assert "multimodality" not in doc["rows"][report.PLANNER]
    assert set(doc["realism"]) == {report.PIPELINE, report.PLANNER, report.RETRIEVAL, report.MEAN_MOTION}
    assert len(doc["realism"][report.PIPELINE]["per_clip"]) == 5
    checks = {c["check"]: c["passed"] for c in doc["quality_bar"]}
    assert len(checks) == 6 and checks["action-recognition accuracy of generated clips at least 90%"] is False
    camera = doc["suites"][0]
    assert camera["suite"] == "camera" and camera["total"] == 6 and 0 <= camera["passed"] <= 6
    markdown = (out / "report.md").read_text()
    assert "| real test motions |" in markdown and "## Quality bar" in markdown and "**FAIL**" in markdown
    confusion = pipeline["action_confusion"]  # an untrained pipeline misses actions, and the report lists them
    assert sum(row.get(name, 0) for name, row in confusion.items()) / sum(
        sum(row.values()) for row in confusion.values()) == pytest.approx(pipeline["action_accuracy"])
    assert "## Actions the full pipeline's clips miss" in markdown
    for name in ("fid", "r_precision_top3", "foot_skating", "jerk", "suites"):
        image = np.asarray(Image.open(out / f"{name}.png").convert("L"))
        assert image.shape[1] == 760 and (image < 128).mean() > 0.005, name


def test_report_command_explains_a_missing_dataset(tmp_path, capsys):
    assert main(["--model", str(tmp_path), "--out", str(tmp_path / "o"), "--data", str(tmp_path / "none")]) == 2
    assert "datasets_scripts.build" in capsys.readouterr().err


def test_quality_bar_verdicts_by_hand():
    rows = {
        report.REAL: {"r_precision_top3": {"mean": 0.70, "ci95": 0.01}, "foot_skating_ratio": 0.05, "jerk": 42.0},
        report.PIPELINE: {"r_precision_top3": {"mean": 0.66, "ci95": 0.01}, "fid": 1.0, "jerk": 50.0,
                          "foot_skating_ratio": 0.08, "bone_length_deviation": 0.0002, "action_accuracy": 0.95},
        report.PLANNER: {"fid": 1.5, "jerk": 40.0},
        report.RETRIEVAL: {"fid": 2.0},
        report.MEAN_MOTION: {"fid": 9.0},
    }
    verdicts = [c["passed"] for c in report.quality_bar(rows)]
    # top-3 ok (0.66 >= 0.65); FID ok (1.0 <= 1.6); jerk further from the real 42 than the planner's 40;
    # skating 0.08 > 0.07
    assert verdicts == [True, True, False, False, True, True]
    rows[report.REAL]["jerk"] = 60.0  # now the pipeline's 50 is closer to real than the planner's 40
    assert report.quality_bar(rows)[2]["passed"] is True
    del rows[report.RETRIEVAL], rows[report.MEAN_MOTION]
    assert report.quality_bar(rows)[1]["passed"] is None  # not measured, not passed


def _case(action: str, text: str, frames: int = 50) -> EvalCase:
    return EvalCase("c", text, toy_clip(action, frames), np.full(frames, vocab.action_id(action)), 25, "synthetic")


def test_baselines_retrieve_by_text_and_average_by_action():
    evaluator_folder, data, _ = trained_toy_evaluator()
    from datasets import load_from_disk

    from stickgen.eval.evaluator import MotionTextEvaluator

    train = load_from_disk(data)["train"]
    encoder = MotionTextEvaluator.from_pretrained(evaluator_folder).sentence_encoder
    retrieval = RetrievalBaseline(train, encoder, max_rows=30, cache_dir=None)
    (clip,) = retrieval([_case("wave", "somebody is waving their hand at a friend")])
    owner = next(i for i in range(30) if np.allclose(np.asarray(train[i]["joints"]), clip))
    assert train[owner]["action_ids"][0] == vocab.action_id("wave")
    mean = MeanMotionBaseline(train, max_rows=50)
    walk, idle = mean([_case("walk", "x", 50), _case("idle", "y", 50)])
    assert walk.shape == (50, 22, 3) and abs(walk[..., 1].min()) < 1e-9
    assert walk[-1, 0, 2] - walk[0, 0, 2] > 1.0  # the mean walk moves forward
    assert np.linalg.norm(idle[-1, 0, [0, 2]] - idle[0, 0, [0, 2]]) < 0.1


def test_bar_chart_draws_values_and_gaps(tmp_path):
    path = bar_chart("t", ["a", "b", "c"], [1.0, None, 0.5], tmp_path / "c.png", errors=[0.1, 0, 0.1],
                     reference=0.8, reference_label="ref")
    image = Image.open(path)
    assert image.size[0] == 760 and image.getextrema() != ((255, 255), (255, 255), (255, 255))
    with pytest.raises(ValueError):
        bar_chart("t", ["a"], [], tmp_path / "d.png")


def test_split_keeps_groups_apart_and_real_clips_in_the_cases():
    test = toy_dataset(train=2, validation=2, test=30, frames=30)["test"]
    reference, evaluation, real = report.split_test(test, report.EvalSettings(num_cases=10))
    groups = test["group"]
    assert not {groups[i] for i in reference} & {groups[i] for i in evaluation}
    assert set(real) <= set(evaluation) and len(real) == 5 and len(evaluation) == 10
    assert len(reference) == 12  # half of the 25 synthetic groups (real clips are never reference)


def test_pipeline_system_batches_by_length_and_scores_refusals_as_still_clips():
    from stickgen import vocab
    from stickgen.eval.systems import PipelineSystem
    from stickgen.motion import Motion, Scene, Segment
    from stickgen.pipeline import StickGenPipelineOutput

    calls = []

    def fake_pipe(inputs, duration, seed, fps, **sampling):
        calls.append((len(inputs), duration))
        assert sampling == {"num_inference_steps": 0}
        if any("bad" in text for text in inputs):
            raise ValueError("cannot parse")
        frames = int(round(duration * fps))
        return StickGenPipelineOutput([Scene([Motion(toy_clip("walk", frames), actions=[Segment(0, frames, "walk")])])
                                       for _ in inputs])

    system = PipelineSystem(fake_pipe, batch_size=2, num_inference_steps=0)
    cases = [_case("walk", "good", 50), _case("walk", "bad", 50), _case("walk", "good", 40)]
    clips = system(cases)
    assert [len(c) for c in clips] == [50, 50, 40]
    assert system.failures == ["c"] and np.ptp(clips[1], axis=0).max() == 0.0  # refused -> motionless
    walk = vocab.action_id("walk")
    assert system.planned[0].tolist() == [walk] * 50 and system.planned[1] is None  # the plan's labels
    assert calls == [(1, 1.6), (2, 2.0), (1, 2.0), (1, 2.0)]
    with pytest.raises(ValueError, match="conditioning"):
        PipelineSystem(fake_pipe, conditioning="script")


def test_sentence_vector_cache_round_trip(tmp_path):
    from stickgen.eval.text_cache import cached_sentence_vectors

    class CountingEncoder:
        name, dim = "toy-encoder", 2

        def __init__(self):
            self.seen = []

        def encode(self, texts, batch_size=128):
            self.seen += texts
            return np.array([[len(t), 1.0] for t in texts], np.float32)

    first = CountingEncoder()
    vectors = cached_sentence_vectors(first, ["a", "bb", "a"], tmp_path)
    assert vectors.tolist() == [[1, 1], [2, 1], [1, 1]] and first.seen == ["a", "bb"]
    second = CountingEncoder()
    assert cached_sentence_vectors(second, ["bb", "ccc"], tmp_path).tolist() == [[2, 1], [3, 1]]
    assert second.seen == ["ccc"]  # "bb" came from the cache
    other = CountingEncoder()
    other.name = "another-encoder"
    cached_sentence_vectors(other, ["bb"], tmp_path)
    assert other.seen == ["bb"]  # a cache of another encoder is not used


def test_critic_flag_rate_judges_each_clip_by_its_own_actions():
    hovering = np.zeros((75, 22, 3))
    hovering[..., 1] = np.linspace(0.5, 1.7, 22)  # 3 s with every joint half a metre above the floor
    hovering[:, :, 2] = np.linspace(0.0, 2.0, 75)[:, None]  # gliding forward: not frozen, rigid bones
    def case(action: str) -> EvalCase:
        return EvalCase(id=action, text=action, joints=hovering, action_ids=np.full(75, vocab.action_id(action)),
                        fps=25, source="synthetic")

    assert report.critic_flag_rate([hovering, hovering], [case("flying"), case("walk")]) == 0.5
