"""benchmarks/bench_parser.py: action runs, per-description scores and the report over a small saved dataset."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from stickgen import vocab

SPEC = importlib.util.spec_from_file_location(
    "bench_parser", Path(__file__).resolve().parents[1] / "benchmarks" / "bench_parser.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def ids(*runs):
    """[(action, frames), ...] -> per-frame ids."""
    return np.concatenate([np.full(n, vocab.action_id(a)) for a, n in runs])


def test_runs_merge_equal_neighbours():
    assert bench.runs(ids(("walk", 3), ("run", 2), ("walk", 1))) == ("walk", "run", "walk")
    assert bench.runs([]) == ()


def test_score_text_compares_sequence_and_frames():
    truth = ids(("walk", 100), ("wave", 50))
    match, agreement, parsed = bench.score_text("A man walks, then waves.", truth, 25)
    assert match and parsed == ("walk", "wave") and 0.8 < agreement <= 1.0
    match, agreement, parsed = bench.score_text("A man jumps.", truth, 25)
    assert not match and parsed == ("jump",) and agreement == 0.0


def test_evaluate_reports_rates_by_length_and_failures(tmp_path):
    datasets = pytest.importorskip("datasets")
    rows = {"texts": [["A man walks, then waves.", "A man jumps."], ["A woman sits."]],
            "action_ids": [ids(("walk", 100), ("wave", 50)).tolist(), ids(("sit", 75)).tolist()],
            "fps": [25, 25]}
    split = datasets.Dataset.from_dict(rows)
    datasets.DatasetDict({"validation": split}).save_to_disk(str(tmp_path / "dataset"))
    result = bench.evaluate("validation", 5, 0, dataset=tmp_path / "dataset")
    assert (result["rows"], result["descriptions"]) == (2, 3)
    assert result["sequence_match"] == pytest.approx(2 / 3)
    assert result["by_actions"] == {"1": {"descriptions": 1, "sequence_match": 1.0},
                                    "2": {"descriptions": 2, "sequence_match": 0.5}}
    assert result["failures"] == [{"expected": "walk > wave", "parsed": "jump", "count": 1, "example": "A man jumps."}]
    json.dumps(result)
    with pytest.raises(ValueError, match="--rows"):
        bench.evaluate("validation", 0, 0, dataset=tmp_path / "dataset")
