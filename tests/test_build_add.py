"""``build --add``: converted clips mixed with synthetic ones, split by motion group with their augmented
copies, keeping their texts, listed in the card with their licence; and (slow) the three-command recipe of
docs/TRAINING.md end to end on fixture data: convert, build, fine-tune (SFT and LoRA) with tiny settings."""
import hashlib
import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from datasets_scripts import build, convert, synthetic
from datasets_scripts.text.describe import steps_from_labels
from datasets_scripts.text.grammar import swap_left_right
from stickgen.motion import Motion, Scene, Segment

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "data" / "real"
SOURCE, LICENCE = "mocap-lab", "CC0-1.0 (our own captures)"


def group_in(split: str, stem: str) -> str:
    """The first ``stem-k`` that the split hash puts in ``split``."""
    return next(f"{stem}-{k}" for k in range(1000) if build.split_of(f"{stem}-{k}") == split)


def exported(spec: synthetic.ClipSpec, clip_id: str, labelled: bool = True) -> Scene:
    """A generated clip as ``stick-gen`` exports it: one actor (two for a two-person action), action labels."""
    clip = synthetic.generate(spec)
    actions = [Segment(s.start, s.end, s.action) for s in steps_from_labels(clip.action_ids)] if labelled else None
    joints = [clip.joints] + ([] if clip.partner_joints is None else [clip.partner_joints])
    return Scene([Motion(j, id=f"a{i}", name=clip_id, actions=actions) for i, j in enumerate(joints)], fps=25)


def exported_folder(root: Path) -> dict[str, dict]:
    """Five exported clips and their index (texts, groups): two pieces of one take (one group, in train), a
    two-person handshake (in validation), an unlabelled clip with one text and a clip with neither texts
    nor labels."""
    take, other = group_in("train", "take"), group_in("validation", "hand")
    clips = {
        "walk_a": (synthetic.ClipSpec([synthetic.ActionStep("walk", 3.0)], seed=1), take,
                   ["a person walks forward and waves with the left hand", "someone strolls ahead"], True),
        "walk_b": (synthetic.ClipSpec([synthetic.ActionStep("walk", 2.5)], seed=2), take,
                   ["a man keeps walking"], True),
        "shake": (synthetic.ClipSpec([synthetic.ActionStep("handshake", 3.0)], seed=3), other,
                  ["two people shake hands"], True),
        "plain": (synthetic.ClipSpec([synthetic.ActionStep("idle", 2.0)], seed=4), group_in("train", "plain"),
                  ["standing still"], False),
        "mute": (synthetic.ClipSpec([synthetic.ActionStep("idle", 2.0)], seed=5), "mute", [], False),
    }
    root.mkdir(parents=True)
    index = []
    for clip_id, (spec, group, texts, labelled) in clips.items():
        exported(spec, clip_id, labelled).save(root / f"{clip_id}.motion", decimals=4)
        index.append({"id": clip_id, "file": f"{clip_id}.motion", "texts": texts, "group": group})
    (root / "index.json").write_text(json.dumps({"clips": index}))
    return {e["id"]: e for e in index}


@pytest.fixture(scope="module")
def added_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("add")
    entries = exported_folder(tmp / "exported")
    assert convert.main(["--format", "motion", "--input", str(tmp / "exported"), "--out", str(tmp / "converted"),
                         "--source", SOURCE, "--licence", LICENCE]) == 0
    assert build.main(["--add", str(tmp / "converted"), "--mix-synthetic", "8", "--out", str(tmp / "ds"),
                       "--seed", "0"]) == 0
    import datasets

    return tmp, entries, datasets.load_from_disk(str(tmp / "ds"))


def rows_by_split(dataset):
    return {split: [dict(zip(ds.column_names, values)) for values in zip(*(ds[c] for c in ds.column_names
                                                                          if c in ("id", "group", "source",
                                                                                   "augmentation", "texts",
                                                                                   "has_partner")))]
            for split, ds in dataset.items()}


def test_every_group_is_in_one_split_with_its_augmented_copies(added_build):
    _, entries, dataset = added_build
    splits_of = defaultdict(set)
    for split, ds in dataset.items():
        for group in ds["group"]:
            splits_of[group].add(split)
    assert all(len(s) == 1 for s in splits_of.values()), {g: s for g, s in splits_of.items() if len(s) > 1}
    added = [(split, i, g, a) for split, ds in dataset.items()
             for i, g, a, s in zip(ds["id"], ds["group"], ds["augmentation"], ds["source"]) if s == SOURCE]
    by_clip = defaultdict(list)
    for split, row_id, group, augmentation in added:
        by_clip[row_id.rsplit("-", 1)[0]].append((split, group, augmentation))
    assert set(by_clip) == {"walk_a", "walk_b", "shake", "shakep", "plain"}  # "mute" has no texts and no labels
    for clip_id, rows in by_clip.items():
        assert {a for _, _, a in rows} >= {"none", "mirror"} and len(rows) in (3, 4)  # a failing copy is dropped
        assert len({(split, group) for split, group, _ in rows}) == 1
        assert rows[0][1] == entries[clip_id.rstrip("p")]["group"]
    assert all(rows[0][0] == build.split_of(rows[0][1]) for rows in by_clip.values())
    assert {rows[0][0] for rows in by_clip.values()} == {"train", "validation"}
    assert by_clip["walk_a"][0][1] == by_clip["walk_b"][0][1]  # two pieces of one take, one group


def test_added_clips_keep_their_texts_filled_up_to_three(added_build):
    _, _, dataset = added_build
    texts = {i: t for ds in dataset.values() for i, t in zip(ds["id"], ds["texts"])}
    assert texts["walk_a-0"] == ["a person walks forward and waves with the left hand", "someone strolls ahead",
                                 texts["walk_a-0"][2]]
    assert texts["walk_a-1"] == [swap_left_right(t) for t in texts["walk_a-0"]]  # the mirror says right
    assert texts["walk_a-1"][0] == "a person walks forward and waves with the right hand"
    assert texts["walk_b-0"][0] == "a man keeps walking" and len(set(texts["walk_b-0"])) == 3
    assert texts["plain-0"] == ["standing still", "a person standing still", "someone standing still"]
    assert texts["shake-0"][0] == texts["shakep-0"][0] == "two people shake hands"
    assert dataset["validation"].filter(lambda i: i == "shake-0", input_columns="id")["has_partner"] == [True]
    assert build.with_subjects("a man keeps walking")[:2] == ["a person keeps walking", "someone keeps walking"]
    assert build.with_subjects("hand waving")[1] == "someone: hand waving"


def test_card_lists_the_added_source_and_licence_and_real_clips_stay_in_test(added_build):
    tmp, _, dataset = added_build
    card = (tmp / "ds" / "README.md").read_text()
    mine = [(a, n) for s in dataset.values() for x, a, n in zip(s["source"], s["augmentation"], s["num_frames"])
            if x == SOURCE]
    rows, clips, hours = len(mine), sum(a == "none" for a, _ in mine), sum(n for _, n in mine) / 25 / 3600
    assert f"| {SOURCE} | {clips} | {rows} | {hours:.2f} | {LICENCE} |" in card
    assert "| deepmimic | 20 | 20 |" in card and "license_name: mixed-see-sources-and-licences" in card
    assert f"--add {tmp / 'converted'} --mix-synthetic 8 --seed 0" in card
    report = json.loads((tmp / "ds" / "curation_report.json").read_text())
    assert report["reasons"][f"{SOURCE}/no_texts"] == 1
    test = dataset["test"]
    assert sum(s in ("deepmimic", "cmu") for s in test["source"]) == 21


def test_an_added_copy_of_a_real_clip_replaces_it_in_test(tmp_path):
    (tmp_path / "real").mkdir()
    for name in ("deepmimic_walk.motion", "deepmimic_jump.motion"):
        shutil.copyfile(REAL / name, tmp_path / "real" / name)
    index = [e for e in json.loads((REAL / "index.json").read_text())["clips"]
             if e["id"] in ("deepmimic_walk", "deepmimic_jump")]
    (tmp_path / "real" / "index.json").write_text(json.dumps({"clips": index}))
    assert convert.main(["--format", "motion", "--input", str(tmp_path / "real"), "--out", str(tmp_path / "c")]) == 0
    dataset = build.build(8, tmp_path / "ds", added=[tmp_path / "c"])
    rows = defaultdict(list)
    for split, ds in dataset.items():
        for group, augmentation in zip(ds["group"], ds["augmentation"]):
            rows[group].append((split, augmentation))
    for name in ("deepmimic_walk", "deepmimic_jump"):
        assert len({split for split, _ in rows[name]}) == 1 and len(rows[name]) >= 3  # augmented, in one split
        assert [a for _, a in rows[name]].count("none") == 1  # the real test copy left out
    assert sum(s in ("deepmimic", "cmu") for s in dataset["test"]["source"]) >= 19
    with pytest.raises(ValueError, match="the test split would be empty"):
        build.build(0, tmp_path / "only", real_dir=tmp_path / "real", added=[tmp_path / "c"])


def test_add_needs_a_converted_folder_and_duplicate_ids_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        build.main(["--add", str(tmp_path), "--out", str(tmp_path / "ds")])
    assert "expected index.json and .motion files there" in capsys.readouterr().err
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.json").write_text(json.dumps({"clips": [{"id": "x", "file": "x.motion",
                                                                        "source": "s"}]}))
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    with pytest.raises(ValueError, match="clip id 'x' is also in"):
        build.added_entries([tmp_path / "a", tmp_path / "b"])
    with pytest.raises(ValueError, match="or 0: only the added clips"):
        build.build(2, tmp_path / "ds", added=[tmp_path / "a"])


# ----------------------------------------------------------------------------- the recipe, end to end


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def run(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]


@pytest.mark.slow
def test_recipe_convert_build_sft_and_lora_leave_the_base_untouched(tmp_path):
    """docs/TRAINING.md's commands on a BVH fixture folder, with a tiny base and a few steps instead of
    models/stickgen-small and the configs' 500."""
    from test_convert_cli import bvh_folder
    from test_training_run import TINY, TINY_REFINER

    bvh_folder(tmp_path / "my_bvh", count=3)
    run("datasets_scripts.convert", "--format", "bvh", "--input", str(tmp_path / "my_bvh"), "--out",
        str(tmp_path / "converted"), "--source", "mine", "--licence", "CC-BY-4.0")
    run("datasets_scripts.build", "--add", str(tmp_path / "converted"), "--mix-synthetic", "40", "--out",
        str(tmp_path / "dataset"))
    tiny = [f"--set=model.planner={json.dumps(TINY)}", f"--set=model.refiner={json.dumps(TINY_REFINER)}",
            "--set=data.crop_frames=40", "--set=data.stats_rows=24", f"--set=data.text_cache={tmp_path / 'cache'}",
            "--set=optim.micro_batch_size=4", "--set=optim.warmup_steps=1", "--set=run.eval_every=2",
            "--set=run.checkpoint_every=2", "--set=run.tensorboard=false", "--set=run.mixed_precision=no"]
    data = f"--set=data.path={tmp_path / 'dataset'}"
    run("training.train", "--config", "small", data, *tiny, "--set=optim.max_steps=4",
        f"--set=run.out={tmp_path / 'base'}")
    base = tmp_path / "base" / "model"
    before = folder_digest(base)
    run("training.train", "--config", "sft_small", data, *tiny, "--set=optim.max_steps=2",
        f"--set=run.init_from={base}", "--set=data.keep_sources=[mine]", f"--set=run.out={tmp_path / 'sft'}")
    assert (tmp_path / "sft" / "model" / "planner" / "model.safetensors").exists()
    summary = json.loads((tmp_path / "sft" / "model" / "training_summary.json").read_text())
    assert summary["stage"] == "sft" and summary["train_rows"] > 0
    run("training.train", "--config", "lora_small", data, *tiny, "--set=optim.max_steps=2",
        f"--set=run.init_from={base}", "--set=lora.r=4", f"--set=run.out={tmp_path / 'lora'}")
    assert (tmp_path / "lora" / "model" / "adapter_config.json").exists()
    assert folder_digest(base) == before  # the LoRA run left the base folder as it was

    from stickgen.pipeline import StickGenPipeline

    pipe = StickGenPipeline.from_pretrained(base)
    pipe.load_lora(tmp_path / "lora" / "model")  # the adapter fits the untouched base
