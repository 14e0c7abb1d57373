"""The Hub-format dataset build: contract, splits by group, determinism, resume, workers, mocked Hub push."""
import json
import types
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

datasets = pytest.importorskip("datasets")

from datasets_scripts import build  # noqa: E402
from datasets_scripts.rows import dataset_features  # noqa: E402
from datasets_scripts.synthetic.spec import ActionStep, ClipSpec, SyntheticClip  # noqa: E402
from stickgen import skeleton, vocab  # noqa: E402
from stickgen.motion import Scene  # noqa: E402

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
TEMPLATES = ("deepmimic_walk", "deepmimic_punch", "deepmimic_crawl")


def fake_generate(rng, count):
    """Generated-clip stand-ins cut from real template clips (seeded by ``rng`` like the real generator)."""
    clips = []
    for _ in range(count):
        actor = Scene.load(REAL / f"{TEMPLATES[int(rng.integers(len(TEMPLATES)))]}.motion").actors[0]
        start = int(rng.integers(0, 10))
        joints = actor.joints[start:start + 30]
        action = actor.actions[0].label
        frames = len(joints)
        spec = ClipSpec([ActionStep(action, frames / 25, {"handedness": "left", "energy": float(rng.random())})],
                        height=1.6, seed=int(rng.integers(1000)), mirror=bool(rng.random() < 0.5))
        partner = joints + np.array([0.0, 0.0, 1.5]) if rng.random() < 0.3 else None
        clips.append(SyntheticClip(spec, joints, partner, np.full(frames, vocab.action_id(action)),
                                   np.zeros(frames, int), np.full(frames, -1),
                                   skeleton.foot_contacts(joints, 25, speed=0.05), 25))
    return clips


@pytest.fixture
def small_build(monkeypatch):
    monkeypatch.setattr(build, "_generate_synthetic", fake_generate)
    monkeypatch.setattr(build, "SHARD_MOTIONS", 4)

    def run(out, workers=1, seed=0, num_samples=40, **kwargs):
        return build.build(num_samples, out, workers=workers, seed=seed, **kwargs)
    return run


def test_build_follows_the_row_contract(small_build, tmp_path):
    dataset = small_build(tmp_path / "ds", card=tmp_path / "CARD.md")
    assert set(dataset) == {"train", "validation", "test"}
    for split in dataset.values():
        assert split.features == dataset_features()
    rows = [r for split in dataset.values() for r in split]
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        frames = row["num_frames"]
        assert np.asarray(row["joints"]).shape == (frames, 22, 3) == np.asarray(row["partner_joints"]).shape
        assert len(row["action_ids"]) == len(row["expression_ids"]) == len(row["speech_ids"]) == frames
        assert (np.asarray(row["contacts"]).shape == (frames, 4)
                and np.asarray(row["root_velocity"]).shape == (frames, 3))
        assert len(set(row["texts"])) >= 3 and row["fps"] == 25 and 0 <= row["quality"] <= 1
        assert row["has_partner"] == bool(np.abs(row["partner_joints"]).sum() > 0)
    synthetic = [r for r in rows if r["source"] == "synthetic"]
    partnered = {r["group"] for r in synthetic if r["has_partner"]}
    report = json.loads((tmp_path / "ds" / "curation_report.json").read_text())
    dropped_variants = sum(report["variants"].values())  # re-curated warped/scaled copies that failed
    assert partnered and len(synthetic) + dropped_variants == 4 * (10 + len(partnered))  # 4 variants per actor
    assert dropped_variants <= 4
    by_id = {r["id"]: r for r in synthetic}
    for group in partnered:  # each actor of a pair is a row, with the other as its partner
        actor, other = by_id[f"{group}-0"], by_id[f"{group}p-0"]
        assert np.array_equal(actor["joints"], other["partner_joints"])
        assert np.array_equal(other["joints"], actor["partner_joints"])
        idle = vocab.action_id("idle")  # the fixture pairs single-actor actions: the partner waits
        assert other["action_ids"] == [a if vocab.ACTIONS[a].actors == 2 else idle for a in actor["action_ids"]]
        assert set(other["speech_ids"]) == {-1}
    assert {r["augmentation"] for r in synthetic} >= {"none", "mirror", "scale+heading"}
    groups = {}
    for name, split in dataset.items():
        for group in split["group"]:
            groups.setdefault(group, set()).add(name)
    assert all(len(s) == 1 for s in groups.values())  # a motion never straddles splits
    real = [r for r in rows if r["source"] != "synthetic"]
    assert len(real) == 21 and all(r["group"] in {g for g in dataset["test"]["group"]} for r in real)
    assert all(r["quality"] == 1.0 and r["augmentation"] == "none" for r in real)
    card = (tmp_path / "CARD.md").read_text()
    assert f"| train | {len(dataset['train'])} |" in card and "| test | deepmimic | 20 |" in card
    assert sum(report["kept"].values()) > 0 and (tmp_path / "ds" / "README.md").exists()
    assert not (tmp_path / "ds" / "_shards").exists()


def test_deterministic_by_seed_whatever_the_workers(small_build, tmp_path):
    one = small_build(tmp_path / "a", workers=1)
    two = small_build(tmp_path / "b", workers=2)
    other = small_build(tmp_path / "c", seed=1)
    for split in ("train", "test"):
        assert sorted(one[split]["id"]) == sorted(two[split]["id"])
        by_id = {r["id"]: r for r in two[split]}
        for row in one[split]:
            assert (np.array_equal(row["joints"], by_id[row["id"]]["joints"])
                    and row["texts"] == by_id[row["id"]]["texts"])
    assert set(one["train"]["id"]) != set(other["train"]["id"])


def test_resume_skips_finished_shards(small_build, tmp_path, monkeypatch):
    first = small_build(tmp_path / "ds", keep_shards=True)
    done = sorted((tmp_path / "ds" / "_shards").glob("*/done.json"))
    assert len(done) == 3  # 10 motions in shards of 4

    def refuse(rng, count):
        raise AssertionError("a finished shard was generated again")
    monkeypatch.setattr(build, "_generate_synthetic", refuse)
    (tmp_path / "ds" / "build.json").unlink()  # as if the run had stopped after its shards
    again = small_build(tmp_path / "ds", keep_shards=True)
    assert again["train"]["id"] == first["train"]["id"]
    assert small_build(tmp_path / "ds")["train"]["id"] == first["train"]["id"]  # finished: nothing rebuilt
    with pytest.raises(AssertionError, match="generated again"):  # another seed must not reuse the shards
        small_build(tmp_path / "ds", seed=9, keep_shards=True)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="num-samples"):
        build.build(2, tmp_path / "x")
    with pytest.raises(SystemExit):
        build.main(["--out", str(tmp_path)])


def test_split_is_stable_and_roughly_90_5_5():
    names = [build.split_of(f"syn-0-{i}") for i in range(4000)]
    assert build.split_of("syn-0-7") == build.split_of("syn-0-7")
    shares = {s: names.count(s) / len(names) for s in build.SPLITS}
    assert 0.87 < shares["train"] < 0.93 and 0.03 < shares["validation"] < 0.07 and 0.03 < shares["test"] < 0.07


def test_push_to_hub_against_a_mocked_hub(tmp_path):
    import pyarrow.parquet as pq
    from fsspec.implementations.memory import MemoryFileSystem
    from huggingface_hub import HfApi

    dataset = datasets.DatasetDict({"train": datasets.Dataset.from_dict({"a": [1, 2, 3]}),
                                    "test": datasets.Dataset.from_dict({"a": [4]})})
    card = tmp_path / "README.md"
    card.write_text("# card\n")
    calls = {"repo": [], "upload": [], "rows": {}, "commit": []}

    def preupload(self, repo_id, additions, **kwargs):
        for op in additions:  # the parquet files exist while they are being uploaded
            calls["rows"][op.path_in_repo] = pq.read_table(op.path_or_fileobj).num_rows

    with mock.patch.object(HfApi, "create_repo", lambda self, repo_id, **k: calls["repo"].append((repo_id, k))
                           or types.SimpleNamespace(repo_id=repo_id)), \
         mock.patch.object(HfApi, "upload_file", lambda self, **k: calls["upload"].append(k)), \
         mock.patch.object(HfApi, "repo_info",
                           lambda self, *a, **k: types.SimpleNamespace(id="me/motion", sha="0" * 40)), \
         mock.patch.object(HfApi, "preupload_lfs_files", preupload), \
         mock.patch.object(HfApi, "create_commit", lambda self, repo_id, **k: calls["commit"].append(k)
                           or types.SimpleNamespace(oid="1" * 40, commit_url="u", pr_url=None)), \
         mock.patch("datasets.dataset_dict.HfFileSystem", lambda **k: MemoryFileSystem()):
        build.push_to_hub(dataset, "me/motion", token="hf_test", card=card)
    assert calls["repo"][0][0] == "me/motion" and calls["repo"][0][1]["repo_type"] == "dataset"
    assert calls["upload"][0]["path_in_repo"] == "README.md" and calls["upload"][0]["repo_type"] == "dataset"
    assert calls["rows"] == {"data/train-00000-of-00001.parquet": 3, "data/test-00000-of-00001.parquet": 1}
    committed = {op.path_in_repo for c in calls["commit"] for op in c["operations"]}
    assert {"README.md", "data/train-00000-of-00001.parquet"} <= committed


def test_real_generator_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "SHARD_MOTIONS", 6)
    dataset = build.build(24, tmp_path / "ds", seed=3)
    rows = [r for split in dataset.values() for r in split if r["source"] == "synthetic"]
    assert len(rows) >= 20
    for row in rows:
        joints = np.asarray(row["joints"])
        assert joints[..., 1].min() > -0.021 and len(set(row["texts"])) >= 3


def test_arrow_table_matches_from_dict(tmp_path):
    rng = np.random.default_rng(0)
    rows = [build.to_row(c) for c in build.process_motions(
        [build.from_synthetic(g, f"t-{i}") for i, g in enumerate(fake_generate(rng, 3))], rng,
        build.curate.CurationConfig())[0]]
    build._write_arrow(rows, tmp_path / "x.arrow")
    fast, slow = datasets.Dataset.from_file(str(tmp_path / "x.arrow")), build._to_dataset(rows)
    assert fast.features == slow.features == dataset_features() and len(fast) == len(slow) == len(rows) >= 12
    for a, b in zip(fast, slow):
        for key in a:
            assert np.array_equal(np.asarray(a[key]), np.asarray(b[key])), key


@pytest.mark.parametrize("mirror", [False, True])
def test_text_names_the_hand_the_generated_clip_raises(mirror):
    synthetic = pytest.importorskip("datasets_scripts.synthetic")
    clip = synthetic.generate(synthetic.ClipSpec([synthetic.ActionStep("wave", 3.0, {"handedness": "right"})],
                                                 seed=1, mirror=mirror))
    wrists = clip.joints[:, [skeleton.JOINT_INDEX["left_wrist"], skeleton.JOINT_INDEX["right_wrist"]], 1].max(axis=0)
    raised = "left" if wrists[0] > wrists[1] else "right"
    texts = build.describe(build.from_synthetic(clip, "w"), seed=0).texts
    assert all(f"{raised} hand" in t for t in texts) and raised == ("left" if mirror else "right")


def test_cli_builds_and_pushes(small_build, tmp_path, monkeypatch):
    pushed = []
    monkeypatch.setattr(build, "push_to_hub", lambda dataset, repo, **k: pushed.append((len(dataset["test"]), repo, k)))
    assert build.main(["--num-samples", "8", "--out", str(tmp_path / "ds"),
                       "--push-to-hub", "me/motion", "--private"]) == 0
    assert pushed[0][1] == "me/motion" and pushed[0][2]["private"] and pushed[0][2]["card"].name == "README.md"
    assert pushed[0][0] >= 21  # the real clips are in test
