"""Build the Hub-format Stick-Gen dataset.

    python -m datasets_scripts.build --num-samples N --out DIR [--workers K] [--seed S]
        [--curation-config FILE.yaml] [--push-to-hub [REPO]]

``N`` is about the number of synthetic rows wanted: N/4 motions are generated and curated, and each
actor of a kept motion becomes four rows (itself, its mirror, a speed- or heading-, and a
scale-augmented copy; two-actor motions give rows for both actors, and a warped or scaled copy that
fails curation is dropped and counted). The real clips of ``data/real`` are added to the test split
unaugmented. Work is cut into shards of ``SHARD_MOTIONS`` motions, each written under ``DIR/_shards``
as soon as it is done, so a rerun skips finished shards (those made with the same seed and curation
settings) and a finished build with the same settings is returned as it is (delete DIR to rebuild after
changing the generator); a shard depends only on (seed, shard index), so the result does not depend on
``--workers``. Splits are by motion group (90/5/5 by a hash of the group id). The result is a
``datasets.DatasetDict`` saved with ``save_to_disk(DIR)``, a curation report and the dataset card.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import multiprocessing
import shutil
from pathlib import Path

import numpy as np

from stickgen import skeleton, vocab
from stickgen.hub import DATASET_REPO_ID
from stickgen.motion import Scene

from . import augment, curate
from .rows import DataClip, estimate_height, to_row
from .text.describe import Step, describe_clip, steps_from_labels

SHARD_MOTIONS = 250
FORMAT_VERSION = 1  # of the rows this builder writes; a finished build with another version is rebuilt
SPLITS = ("train", "validation", "test")
REAL_DIR = Path(__file__).resolve().parent.parent / "data" / "real"
MIN_SECONDS, MAX_SECONDS = 1.0, 10.0
SWAPPED_SIDES = {"left": "right", "right": "left"}


# ----------------------------------------------------------------------------- sources


def _generate_synthetic(rng: np.random.Generator, count: int) -> list:
    """``count`` generated clips (``datasets_scripts.synthetic.SyntheticClip``) from seeded specs."""
    from . import synthetic

    return [synthetic.generate(synthetic.sample_spec(rng, max_duration=MAX_SECONDS, min_duration=MIN_SECONDS))
            for _ in range(count)]


def _steps_of(synthetic_clip) -> list[Step]:
    """Text steps of a generated clip; handedness of a mirrored clip is swapped to what is shown."""
    spec = synthetic_clip.spec
    edges = np.cumsum([0] + spec.frame_counts())
    steps = []
    for step, start, end in zip(spec.steps, edges[:-1], edges[1:]):
        params = dict(step.params)
        if spec.mirror and params.get("handedness") in SWAPPED_SIDES:
            params["handedness"] = SWAPPED_SIDES[params["handedness"]]
        if end > start:
            steps.append(Step(step.action, int(start), int(end), params))
    return steps


def from_synthetic(synthetic_clip, clip_id: str) -> DataClip:
    """Wrap a generated clip (its id doubles as the group)."""
    return DataClip(id=clip_id, group=clip_id, source="synthetic", joints=np.asarray(synthetic_clip.joints),
                    partner_joints=synthetic_clip.partner_joints, action_ids=np.asarray(synthetic_clip.action_ids),
                    expression_ids=np.asarray(synthetic_clip.expression_ids),
                    speech_ids=np.asarray(synthetic_clip.speech_ids), contacts=np.asarray(synthetic_clip.contacts),
                    height=float(synthetic_clip.spec.height), steps=_steps_of(synthetic_clip),
                    fps=int(synthetic_clip.fps))


def real_clips(real_dir: Path = REAL_DIR) -> list[DataClip]:
    """The converted real clips with their hand-written texts (``FileNotFoundError`` without an index)."""
    index = json.loads((Path(real_dir) / "index.json").read_text())["clips"]
    clips = []
    for entry in index:
        actor = Scene.load(Path(real_dir) / entry["file"]).actors[0]
        joints = actor.joints
        frames = len(joints)
        clips.append(DataClip(
            id=entry["id"], group=entry["id"], source=entry["source"], joints=joints,
            action_ids=actor.frame_labels("actions", default=vocab.action_id("idle")),
            expression_ids=np.zeros(frames, dtype=np.int64), speech_ids=np.full(frames, -1),
            contacts=skeleton.foot_contacts(joints, 25), height=estimate_height(joints), texts=entry["texts"]))
    return clips


# ----------------------------------------------------------------------------- shards


def _hash_fraction(group: str) -> float:
    return int(hashlib.sha1(group.encode()).hexdigest()[:8], 16) / 16 ** 8


def split_of(group: str) -> str:
    """Train/validation/test by a stable hash of the group id (90/5/5)."""
    fraction = _hash_fraction(group)
    return "train" if fraction < 0.90 else "validation" if fraction < 0.95 else "test"


def _fill_validation(splits: dict) -> dict:
    """A small build may hash no group into validation (and ``datasets`` cannot reload an empty split):
    then the train group with the highest hash moves there, whole."""
    if len(splits["validation"]) or not len(splits["train"]):
        return splits
    group = max(set(splits["train"]["group"]), key=_hash_fraction)
    train = splits["train"]
    splits["validation"] = train.filter(lambda g: g == group, input_columns="group")
    splits["train"] = train.filter(lambda g: g != group, input_columns="group")
    return splits


def describe(clip: DataClip, seed: int) -> DataClip:
    """The clip with freshly generated texts (from its steps, or its action labels)."""
    steps = clip.steps or steps_from_labels(clip.action_ids)
    texts = describe_clip(clip.joints, steps, fps=clip.fps, height=clip.height,
                          expression_ids=clip.expression_ids, speech_ids=clip.speech_ids, seed=seed)
    return clip.with_(texts=texts)


def partner_view(clip: DataClip) -> DataClip:
    """The other actor of a two-actor clip as a row of its own (same group, actors swapped). It takes
    part in the two-actor step and waits (idle) through the others; its contacts come from its joints,
    its face is neutral, it is silent and its handedness is unknown."""
    partner = clip.partner_joints
    together = np.array([vocab.ACTIONS[int(a)].actors == 2 for a in clip.action_ids])
    steps = [Step(s.action if vocab.action_info(s.action).actors == 2 else "idle", s.start, s.end,
                  {k: v for k, v in s.params.items() if k != "handedness"}) for s in clip.steps]
    return clip.with_(id=f"{clip.id}p", joints=partner, partner_joints=clip.joints, steps=steps,
                      action_ids=np.where(together, clip.action_ids, vocab.action_id("idle")),
                      contacts=skeleton.foot_contacts(partner, clip.fps),
                      expression_ids=np.zeros_like(clip.expression_ids),
                      speech_ids=np.full_like(clip.speech_ids, -1), height=estimate_height(partner))


def process_motions(clips: list[DataClip], rng: np.random.Generator,
                    config: curate.CurationConfig) -> tuple[list[DataClip], curate.CurationReport]:
    """Curate, describe and augment source motions: the kept rows (4 per kept actor; both actors of
    a two-actor motion) and the report. Resampled variants are curated again (a fast swinging foot can
    dip through the floor between frames); a failing variant is dropped and counted."""
    report = curate.CurationReport()
    rows = []
    for clip in clips:
        metrics = curate.clip_metrics(clip.joints, clip.contacts, clip.fps, config)
        if clip.partner_joints is not None:
            metrics["actor_gap"] = curate.actor_gap(clip.joints, clip.partner_joints)
        reasons = curate.check_clip(metrics, config)
        actors = [(clip, metrics)]
        if clip.partner_joints is not None and not reasons:
            other = partner_view(clip)
            other_metrics = curate.clip_metrics(other.joints, other.contacts, clip.fps, config)
            reasons = [f"partner_{r}" for r in curate.check_clip(other_metrics, config) if r != "foot_skate"]
            actors.append((other, other_metrics))
        report.add(clip.source, clip.action_ids, reasons)
        if reasons:
            continue
        for actor, actor_metrics in actors:
            actor = describe(actor.with_(quality=curate.quality_score(actor_metrics, config)), int(rng.integers(2**31)))
            for variant in augment.augment_four(actor, rng):
                if variant.augmentation.startswith(("speed", "scale")):
                    variant_reasons = curate.check_clip(
                        curate.clip_metrics(variant.joints, variant.contacts, variant.fps, config), config)
                    if variant_reasons:
                        report.add_variant_drop(variant.source, variant.augmentation, variant_reasons)
                        continue
                    variant = describe(variant, int(rng.integers(2**31)))
                rows.append(variant)
    return rows, report


def _shard_dir(out: Path, shard: int) -> Path:
    return out / "_shards" / f"shard-{shard:05d}"


def build_shard(out: Path, shard: int, motions: int, seed: int, config: curate.CurationConfig) -> dict:
    """Generate, curate, augment and save one shard; returns its summary (also saved as done.json)."""
    rng = np.random.default_rng([seed, shard])
    generated = _generate_synthetic(rng, motions)
    clips = [from_synthetic(g, f"syn-{seed}-{shard:05d}-{i:04d}") for i, g in enumerate(generated)]
    rows, report = process_motions(clips, rng, config)
    folder = _shard_dir(out, shard)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split in SPLITS:
        chosen = [to_row(r) for r in rows if split_of(r.group) == split]
        counts[split] = len(chosen)
        if chosen:  # an empty saved dataset cannot be loaded back
            _write_arrow(chosen, folder / f"{split}.arrow")
    summary = {"shard": shard, "rows": counts, "report": report.to_dict(), **_recipe(motions, seed, config)}
    (folder / "done.json").write_text(json.dumps(summary) + "\n")
    return summary


def _columns(rows: list[dict]) -> dict[str, list]:
    from .rows import dataset_features

    return {k: [r[k] for r in rows] for k in dataset_features()}


def _write_arrow(rows: list[dict], path: Path) -> None:
    """Rows to one Arrow file with the contract's features."""
    from datasets.arrow_writer import ArrowWriter

    from .rows import dataset_features, rows_to_table

    path.parent.mkdir(parents=True, exist_ok=True)
    with ArrowWriter(features=dataset_features(), path=str(path)) as writer:
        writer.write_table(rows_to_table(rows))
        writer.finalize()


def _to_dataset(rows: list[dict]):
    import datasets

    from .rows import dataset_features

    return datasets.Dataset.from_dict(_columns(rows), features=dataset_features())


def _recipe(motions: int, seed: int, config: curate.CurationConfig) -> dict:
    """What a shard's content depends on; a finished shard is reused only when its recipe matches."""
    return {"motions": motions, "seed": seed, "config": dataclasses.asdict(config)}


def _finished(out: Path, shard: int, motions: int, seed: int, config: curate.CurationConfig) -> bool:
    done = _shard_dir(out, shard) / "done.json"
    return done.exists() and {k: v for k, v in json.loads(done.read_text()).items()
                              if k in ("motions", "seed", "config")} == _recipe(motions, seed, config)


def _build_shard_star(args):
    return build_shard(*args)


def build(num_samples: int, out: str | Path, workers: int = 1, seed: int = 0,
          config: curate.CurationConfig = curate.DEFAULT_CONFIG, real_dir: Path = REAL_DIR,
          keep_shards: bool = False, card: Path | None = None):
    """Build and save the DatasetDict at ``out``; returns it. See the module docstring."""
    import datasets
    from tqdm import tqdm

    if num_samples < 4:
        raise ValueError(f"--num-samples must be at least 4 (one motion and its 3 variants), got {num_samples}")
    out = Path(out)
    recipe = {"num_samples": num_samples, "seed": seed, "config": dataclasses.asdict(config), "version": FORMAT_VERSION}
    if (out / "build.json").exists() and json.loads((out / "build.json").read_text()) == recipe:
        return datasets.load_from_disk(str(out))  # already built with these settings
    motions = math.ceil(num_samples / 4)
    shards = [(i, min(SHARD_MOTIONS, motions - i * SHARD_MOTIONS)) for i in range(math.ceil(motions / SHARD_MOTIONS))]
    todo = [(out, i, n, seed, config) for i, n in shards if not _finished(out, i, n, seed, config)]
    with tqdm(total=motions, initial=motions - sum(t[2] for t in todo), unit="motion", desc="building") as bar:
        if workers > 1 and len(todo) > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for summary in pool.imap_unordered(_build_shard_star, todo):
                    bar.update(summary["motions"])
        else:
            for task in todo:
                bar.update(build_shard(*task)["motions"])
    report = curate.CurationReport()
    summaries = [json.loads((_shard_dir(out, i) / "done.json").read_text()) for i, _ in shards]
    for summary in summaries:
        report.merge(curate.CurationReport.from_dict(summary["report"]))
    real = real_clips(real_dir)
    for clip in real:
        metrics = curate.clip_metrics(clip.joints, clip.contacts, clip.fps, config)
        report.add(clip.source, clip.action_ids, curate.check_clip(metrics, config), keep_anyway=True)
    splits = {}
    for split in SPLITS:
        parts = [datasets.Dataset.from_file(str(_shard_dir(out, s["shard"]) / f"{split}.arrow"))
                 for s in summaries if s["rows"][split]]
        if split == "test":
            parts.append(_to_dataset([to_row(c) for c in real]))
        splits[split] = datasets.concatenate_datasets(parts) if parts else _to_dataset([])
    dataset = datasets.DatasetDict(_fill_validation(splits))
    shutil.rmtree(out / "dataset_dict.tmp", ignore_errors=True)  # left by an interrupted run
    dataset.save_to_disk(str(out / "dataset_dict.tmp"))
    for split in SPLITS:  # swap the finished folders in only after the whole save succeeded
        shutil.rmtree(out / split, ignore_errors=True)
        (out / "dataset_dict.tmp" / split).rename(out / split)
    (out / "dataset_dict.tmp" / "dataset_dict.json").replace(out / "dataset_dict.json")
    shutil.rmtree(out / "dataset_dict.tmp")
    report.save(out)
    from .card import write_card

    for path in (out / "README.md", card):
        if path is not None:
            write_card(dataset, report, path, command=f"--num-samples {num_samples} --seed {seed}")
    (out / "build.json").write_text(json.dumps(recipe) + "\n")
    if not keep_shards:
        shutil.rmtree(out / "_shards")
    return datasets.load_from_disk(str(out))


def push_to_hub(dataset, repo: str, token: str | None = None, card: Path | None = None, private: bool = False) -> None:
    """Upload the DatasetDict to the Hub dataset repository ``repo``. The card goes up first as
    README.md so that ``DatasetDict.push_to_hub`` adds its ``dataset_info`` to it rather than replacing it."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo, repo_type="dataset", exist_ok=True, private=private)
    if card is not None and Path(card).exists():
        api.upload_file(path_or_fileobj=str(card), path_in_repo="README.md", repo_id=repo, repo_type="dataset")
    dataset.push_to_hub(repo, token=token)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--num-samples", type=int, required=True,
                        help="about N synthetic rows: N/4 generated motions, 4 rows per actor")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--curation-config", type=Path, help="YAML overriding curate.CurationConfig thresholds")
    parser.add_argument("--real-dir", type=Path, default=REAL_DIR)
    parser.add_argument("--keep-shards", action="store_true")
    parser.add_argument("--card", type=Path,
                        help="also write the dataset card here (e.g. datasets_scripts/DATASET_CARD.md)")
    parser.add_argument("--push-to-hub", metavar="REPO", nargs="?", const=DATASET_REPO_ID,
                        help=f"upload to this Hub dataset repo (default {DATASET_REPO_ID}, the id the model cards "
                             "name; token: HF_TOKEN or login)")
    parser.add_argument("--private", action="store_true", help="with --push-to-hub: create the repo private")
    args = parser.parse_args(argv)
    config = curate.CurationConfig.from_yaml(args.curation_config) if args.curation_config else curate.CurationConfig()
    dataset = build(args.num_samples, args.out, args.workers, args.seed, config, args.real_dir, args.keep_shards,
                    args.card)
    print({split: len(ds) for split, ds in dataset.items()})
    if args.push_to_hub:
        push_to_hub(dataset, args.push_to_hub, card=args.out / "README.md", private=args.private)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
