"""Hand-computed cases for the text-motion metrics (stickgen.eval.metrics)."""
import numpy as np
import pytest

from stickgen import vocab
from stickgen.eval import metrics


def _paired(n=256, d=16, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    motion = rng.normal(size=(n, d))
    return motion + noise * rng.normal(size=(n, d)), motion


def test_r_precision_is_perfect_for_matched_pairs_and_chance_when_shuffled():
    text, motion = _paired()
    top = metrics.r_precision(text, motion)
    assert [round(t.mean, 3) for t in top] == [1.0, 1.0, 1.0]
    shuffled = motion[np.random.default_rng(1).permutation(len(motion))]
    top = metrics.r_precision(text, shuffled, repeats=20)
    for k, interval in enumerate(top, start=1):
        assert abs(interval.mean - k / 32) < 0.03, (k, interval)
        assert interval.ci95 > 0


def test_r_precision_counts_ranks_by_hand():
    # 2 pairs per batch: text 0 is nearest its own motion, text 1 is nearest motion 0
    text = np.array([[0.0], [0.9]])
    motion = np.array([[0.0], [2.0]])
    top1, top2 = metrics.r_precision(text, motion, top_k=2, batch_size=2, repeats=3)
    assert top1.mean == pytest.approx(0.5) and top1.ci95 == 0.0
    assert top2.mean == pytest.approx(1.0)


def test_r_precision_rejects_too_few_pairs():
    with pytest.raises(ValueError, match="at least batch_size"):
        metrics.r_precision(np.zeros((10, 4)), np.zeros((10, 4)))


def test_matching_distance_by_hand():
    assert metrics.matching_distance(np.array([[0, 0], [1, 1]]), np.array([[3, 4], [1, 1]])) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="paired"):
        metrics.matching_distance(np.zeros((3, 2)), np.zeros((4, 2)))


def test_fid_zero_for_identical_sets_and_exact_for_gaussians():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 8))
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    # shifted copy: only the mean term remains, |shift|^2
    assert metrics.frechet_distance(a, a + 0.5) == pytest.approx(8 * 0.25, rel=1e-6)
    # scaled copy: covariance term tr(S + 4S - 2*2S) = tr(S)
    cov = np.cov(a, rowvar=False)
    scaled = (a - a.mean(0)) * 2 + a.mean(0)
    assert metrics.frechet_distance(a, scaled) == pytest.approx(np.trace(cov), rel=1e-6)


def test_fid_uses_full_matrix_square_root():
    # correlated covariances where a diagonal/trace shortcut gives a different answer
    s1 = np.array([[2.0, 1.5], [1.5, 2.0]])
    s2 = np.array([[2.0, -1.5], [-1.5, 2.0]])
    from scipy.linalg import sqrtm
    exact = np.trace(s1 + s2 - 2 * sqrtm(s1 @ s2).real)
    rng = np.random.default_rng(0)
    a = rng.multivariate_normal([0, 0], s1, size=200_000)
    b = rng.multivariate_normal([0, 0], s2, size=200_000)
    assert metrics.frechet_distance(a, b) == pytest.approx(exact, rel=0.02)
    assert exact > 1.0


def test_fid_handles_fewer_samples_than_dimensions():
    rng = np.random.default_rng(0)
    value = metrics.frechet_distance(rng.normal(size=(5, 32)), rng.normal(size=(6, 32)))
    assert np.isfinite(value) and value > 0
    with pytest.raises(ValueError):
        metrics.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))


def test_diversity_and_multimodality_by_hand():
    points = np.array([[0.0, 0.0], [3.0, 4.0]])
    # pairs are drawn with replacement from 2 points: distance is 0 or 5, about half each
    assert 1.5 < metrics.diversity(points, num_pairs=300) < 3.5
    assert metrics.diversity(np.ones((50, 3))) == 0.0
    same = np.repeat(np.arange(4.0)[:, None, None], 30, axis=1) * np.ones((1, 1, 5))
    assert metrics.multimodality(same) == 0.0
    spread = np.zeros((2, 30, 1))
    spread[:, ::2] = 1.0
    # half the generations at 1, half at 0: a random pair differs with probability 1/2
    assert metrics.multimodality(spread, num_pairs=4000) == pytest.approx(0.5, abs=0.03)
    with pytest.raises(ValueError):
        metrics.multimodality(np.zeros((4, 5)))


def test_action_accuracy_counts_segments_by_majority():
    labels = [np.array([1, 1, 1, 1, 2, 2, 2]), np.array([3, 3])]
    predicted = [np.array([1, 1, 5, 1, 2, 4, 4]), np.array([3, 0])]
    # segments: (1 -> 1 ok), (2 -> 4 wrong), (3 -> tie 0/3: bincount argmax picks 0, wrong)
    assert metrics.action_accuracy(labels, predicted) == pytest.approx(1 / 3)
    intended, recognised = metrics.segment_majority(labels[0], predicted[0])
    assert intended.tolist() == [1, 2] and recognised.tolist() == [1, 4]
    with pytest.raises(ValueError):
        metrics.action_accuracy([np.array([1])], [])


def test_generated_clips_are_judged_with_their_own_timing_only_when_the_action_order_is_right():
    row = np.array([4, 4, 4, 7, 7, 7, 7, 7])            # walk-like 3 frames, then another action 5
    planned = np.array([4, 4, 4, 4, 4, 7, 7, 7, 7, 7])  # the same order, the plan's own timing and length
    assert metrics.action_sequence(row) == [4, 7] and metrics.action_sequence(np.array([], int)) == []
    assert metrics.scoring_labels(row, planned) is not row and metrics.scoring_labels(row, planned).tolist() == \
        planned.tolist()
    wrong_order = np.array([7, 7, 7, 4, 4, 4, 4, 4])
    missing = np.array([4] * 8)
    for plan in (wrong_order, missing, None):
        assert metrics.scoring_labels(row, plan).tolist() == row.tolist()


def test_r_precision_does_not_reward_duplicate_motions():
    # every text gets the same motion: all distances tie, so top-k is k/batch_size exactly
    text = np.random.default_rng(0).normal(size=(64, 4))
    motion = np.zeros((64, 4))
    top = metrics.r_precision(text, motion, batch_size=32, repeats=2)
    assert [t.mean for t in top] == pytest.approx([1 / 32, 2 / 32, 3 / 32])


def test_action_confusion_counts_what_each_action_is_read_as():
    walk, wave, idle = (vocab.action_id(n) for n in ("walk", "wave", "idle"))
    labels = [np.array([walk] * 4 + [wave] * 4), np.array([wave] * 6)]
    predicted = [np.array([walk] * 4 + [idle] * 3 + [wave]), np.array([wave] * 4 + [idle] * 2)]
    assert metrics.action_confusion(labels, predicted) == {"walk": {"walk": 1}, "wave": {"idle": 1, "wave": 1}}
    assert metrics.action_accuracy(labels, predicted) == pytest.approx(2 / 3)
