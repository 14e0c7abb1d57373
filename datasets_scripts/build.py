"""Build the Hub-format Stick-Gen dataset.

    python -m datasets_scripts.build --num-samples N --out DIR [--workers K] [--seed S]
        [--curation-config FILE.yaml] [--push-to-hub [REPO]]
    python -m datasets_scripts.build --add DIR [--add DIR2 ...] --mix-synthetic N --out DIR [...]

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

``--add DIR`` (repeatable) mixes in the clips ``python -m datasets_scripts.convert`` wrote to DIR (its
``index.json`` and ``.motion`` files); ``--mix-synthetic N`` is ``--num-samples N`` under the name that reads
well beside it (0: no synthetic clips). Added clips are measured by the same curation checks, but, being
captures like the real test clips, one that fails is kept (flagged in the report, quality 0); they are
augmented as the generated ones are (four rows per actor, both actors of a two-person clip; a warped or
scaled copy is dropped only for a check its clip passed) and split by their ``group`` with the same hash,
so a clip, its augmented copies and every clip of its group share a split.
They keep the texts they came with; fewer than three different ones are filled up with descriptions
generated from the clip's action labels, or, for a clip without labels, with its text under other
subjects ("someone walks ..."); a clip with neither is dropped and counted. They are processed in chunks
of ``SHARD_MOTIONS`` clips (in parallel with ``--workers``), each with its own seeded generator. The card
lists every source with its clip count, hours and licence. A real test clip whose group is also added
(``data/real`` converted with ``--format motion`` and added) is left out of ``test``: the added copy is
split by its group like every other added clip.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import multiprocessing
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from stickgen import skeleton, vocab
from stickgen.hub import DATASET_REPO_ID
from stickgen.motion import Scene

from . import augment, curate
from .rows import MIN_TEXTS, DataClip, estimate_height, to_row
from .text.describe import Step, describe_clip, steps_from_labels

SHARD_MOTIONS = 250
FORMAT_VERSION = 1  # of the rows this builder writes; a finished build with another version is rebuilt
SPLITS = ("train", "validation", "test")
REAL_DIR = Path(__file__).resolve().parent.parent / "data" / "real"
MIN_SECONDS, MAX_SECONDS = 1.0, 10.0
SWAPPED_SIDES = {"left": "right", "right": "left"}
ADDED_STREAM = 1 << 20  # random stream of the added clips' chunks: default_rng([seed, ADDED_STREAM, chunk])
#: subjects a label-less added clip's text is repeated with to make up its three texts
NEUTRAL_SUBJECTS = ("a person", "someone", "somebody", "a figure")


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


def converted_clip(folder: Path, entry: dict) -> DataClip:
    """One clip of a converted folder (an ``index.json`` entry and its ``.motion``): the first actor, the
    second as its partner; labels from the actors' tracks (idle, neutral, silent where none); group from the
    entry (its id when it has none). ``steps`` are the action labels' runs, empty for a clip without labels."""
    actors = Scene.load(Path(folder) / entry["file"]).actors
    actor, joints = actors[0], actors[0].joints
    action_ids = actor.frame_labels("actions", default=vocab.action_id("idle"))
    return DataClip(
        id=entry["id"], group=entry.get("group") or entry["id"], source=entry["source"], joints=joints,
        partner_joints=actors[1].joints if len(actors) > 1 else None, action_ids=action_ids,
        expression_ids=actor.frame_labels("expressions", default=vocab.expression_id("neutral")),
        speech_ids=actor.frame_labels("speech", default=-1), contacts=skeleton.foot_contacts(joints, 25),
        height=estimate_height(joints), texts=list(entry.get("texts") or []),
        steps=steps_from_labels(action_ids) if actor.actions else [])


def real_clips(real_dir: Path = REAL_DIR) -> list[DataClip]:
    """The converted real clips with their hand-written texts (``FileNotFoundError`` without an index)."""
    index = json.loads((Path(real_dir) / "index.json").read_text())["clips"]
    return [converted_clip(real_dir, entry) for entry in index]


def added_entries(folders: Sequence[Path]) -> list[tuple[Path, dict]]:
    """``(folder, index entry)`` of every clip of the converted folders, in order; ``ValueError`` for a folder
    without ``index.json`` or a clip id that two folders share."""
    entries, seen = [], {}
    for folder in map(Path, folders):
        index = folder / "index.json"
        if not index.is_file():
            raise ValueError(f"--add {folder}: expected index.json and .motion files there "
                             f"(written by python -m datasets_scripts.convert --out {folder})")
        for entry in json.loads(index.read_text())["clips"]:
            if entry["id"] in seen:
                raise ValueError(f"--add {folder}: clip id {entry['id']!r} is also in {seen[entry['id']]}")
            seen[entry["id"]] = folder
            entries.append((folder, entry))
    return entries


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


def with_subjects(text: str) -> list[str]:
    """``text`` told of each of :data:`NEUTRAL_SUBJECTS`: its own subject replaced ("a man walks" ->
    "someone walks"), else put first ("walking backwards" -> "someone walking backwards", "hand waving" ->
    "someone: hand waving")."""
    from .text.grammar import SUBJECTS

    nouns = sorted({s.noun for group in SUBJECTS.values() for s in group}, key=len, reverse=True)
    own = next((n for n in nouns if text.lower().startswith(n + " ")), None)
    if own is not None:
        return [subject + text[len(own):] for subject in NEUTRAL_SUBJECTS]
    joiner = " " if text.split()[0].lower().endswith("ing") else ": "
    return [subject + joiner + text for subject in NEUTRAL_SUBJECTS]


def fill_texts(clip: DataClip, seed: int) -> DataClip:
    """An added clip with the texts it came with, made up to ``MIN_TEXTS`` different ones when it has fewer:
    with descriptions generated from its labelled steps, else with its first text under other subjects. A clip
    that already has enough (an augmented copy) is returned as it is."""
    own = list(dict.fromkeys(t.strip() for t in clip.texts if t.strip()))
    if len(own) >= MIN_TEXTS:
        return clip.with_(texts=own)
    extra = describe(clip, seed).texts if clip.steps else with_subjects(own[0])
    return clip.with_(texts=(own + [t for t in extra if t not in own])[:MIN_TEXTS])


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


def process_motions(clips: list[DataClip], rng: np.random.Generator, config: curate.CurationConfig,
                    describe_with: Callable[[DataClip, int], DataClip] = describe, keep_anyway: bool = False,
                    ) -> tuple[list[DataClip], curate.CurationReport]:
    """Curate, describe and augment source motions: the kept rows (4 per kept actor; both actors of
    a two-actor motion) and the report. Resampled variants are curated again (a fast swinging foot can
    dip through the floor between frames); a failing variant is dropped and counted. ``describe_with``
    gives a clip and each warped or scaled copy its texts (:func:`fill_texts` for added clips).
    ``keep_anyway`` (added captures, like the real test clips the reference of realism) keeps a clip that
    fails a check, flagged in the report and with quality 0; a copy of it is dropped only for a check that
    the clip itself passed."""
    report = curate.CurationReport()
    rows = []
    for clip in clips:
        metrics = curate.clip_metrics(clip.joints, clip.contacts, clip.fps, config)
        if clip.partner_joints is not None:
            metrics["actor_gap"] = curate.actor_gap(clip.joints, clip.partner_joints)
        reasons = curate.check_clip(metrics, config)
        actors = [(clip, metrics)]
        if clip.partner_joints is not None and (keep_anyway or not reasons):
            other = partner_view(clip)
            other_metrics = curate.clip_metrics(other.joints, other.contacts, clip.fps, config)
            reasons += [f"partner_{r}" for r in curate.check_clip(other_metrics, config) if r != "foot_skate"]
            actors.append((other, other_metrics))
        report.add(clip.source, clip.action_ids, reasons, keep_anyway=keep_anyway)
        if reasons and not keep_anyway:
            continue
        for actor, actor_metrics in actors:
            tolerated = set(curate.check_clip(actor_metrics, config)) if keep_anyway else set()
            actor = describe_with(actor.with_(quality=curate.quality_score(actor_metrics, config)),
                                  int(rng.integers(2**31)))
            for variant in augment.augment_four(actor, rng):
                if variant.augmentation.startswith(("speed", "scale")):
                    variant_reasons = [r for r in curate.check_clip(curate.clip_metrics(
                        variant.joints, variant.contacts, variant.fps, config), config) if r not in tolerated]
                    if variant_reasons:
                        report.add_variant_drop(variant.source, variant.augmentation, variant_reasons)
                        continue
                    variant = describe_with(variant, int(rng.integers(2**31)))
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
    summary = {"shard": shard, "rows": _save_splits(rows, folder), "report": report.to_dict(),
               **_recipe(motions, seed, config)}
    (folder / "done.json").write_text(json.dumps(summary) + "\n")
    return summary


def _save_splits(rows: list[DataClip], folder: Path) -> dict[str, int]:
    """Write each split's rows to ``folder/<split>.arrow`` (split by group); the row count per split."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split in SPLITS:
        chosen = [to_row(r) for r in rows if split_of(r.group) == split]
        counts[split] = len(chosen)
        if chosen:  # an empty saved dataset cannot be loaded back
            _write_arrow(chosen, folder / f"{split}.arrow")
    return counts


def build_added_chunk(out: Path, chunk: int, items: list[tuple[Path, dict]], seed: int,
                      config: curate.CurationConfig) -> dict:
    """Curate, describe and augment one chunk of added clips (``(folder, index entry)``) into
    ``out/_added/chunk-<k>``; its summary. A clip without texts or action labels is dropped as ``no_texts``."""
    rng = np.random.default_rng([seed, ADDED_STREAM, chunk])
    report = curate.CurationReport()
    clips = []
    for folder, entry in items:
        clip = converted_clip(folder, entry)
        if any(t.strip() for t in clip.texts) or clip.steps:
            clips.append(clip)
        else:
            report.add(clip.source, clip.action_ids, ["no_texts"])
    rows, processed = process_motions(clips, rng, config, describe_with=fill_texts, keep_anyway=True)
    report.merge(processed)
    summary = {"chunk": chunk, "motions": len(items), "rows": _save_splits(rows, _added_dir(out, chunk)),
               "report": report.to_dict()}
    (_added_dir(out, chunk) / "done.json").write_text(json.dumps(summary) + "\n")
    return summary


def _added_dir(out: Path, chunk: int) -> Path:
    return out / "_added" / f"chunk-{chunk:05d}"


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


def _call(task: tuple[Callable[..., dict], tuple]) -> dict:
    function, args = task
    return function(*args)


def _added_recipe(entries: list[tuple[Path, dict]]) -> list[dict]:
    """What the added clips depend on: per folder, a hash of its index and of its clips' sizes and times."""
    digests: dict = {}  # folder -> sha1
    for folder, entry in entries:
        digest = digests.setdefault(str(Path(folder).resolve()), hashlib.sha1((folder / "index.json").read_bytes()))
        stat = (folder / entry["file"]).stat()
        digest.update(f"{entry['file']} {stat.st_size} {stat.st_mtime_ns}".encode())
    return [{"path": path, "digest": digest.hexdigest()} for path, digest in digests.items()]


def _command(num_samples: int, seed: int, added: Sequence[Path]) -> str:
    if not added:
        return f"--num-samples {num_samples} --seed {seed}"
    return " ".join(f"--add {folder}" for folder in added) + f" --mix-synthetic {num_samples} --seed {seed}"


def build(num_samples: int, out: str | Path, workers: int = 1, seed: int = 0,
          config: curate.CurationConfig = curate.DEFAULT_CONFIG, real_dir: Path = REAL_DIR,
          keep_shards: bool = False, card: Path | None = None, added: Sequence[Path] = ()):
    """Build and save the DatasetDict at ``out``; returns it. See the module docstring. ``added``: folders
    written by ``datasets_scripts.convert`` (``ValueError`` naming one without an index); with them
    ``num_samples`` may be 0."""
    import datasets
    from tqdm import tqdm

    if num_samples < 4 and not (added and num_samples == 0):
        raise ValueError(f"--num-samples must be at least 4 (one motion and its 3 variants), got {num_samples}"
                         + (" (or 0: only the added clips)" if added else ""))
    out = Path(out)
    entries = added_entries(added)
    recipe = {"num_samples": num_samples, "seed": seed, "config": dataclasses.asdict(config), "version": FORMAT_VERSION}
    if added:
        recipe["added"] = _added_recipe(entries)
    if (out / "build.json").exists() and json.loads((out / "build.json").read_text()) == recipe:
        return datasets.load_from_disk(str(out))  # already built with these settings
    motions = math.ceil(num_samples / 4)
    shards = [(i, min(SHARD_MOTIONS, motions - i * SHARD_MOTIONS)) for i in range(math.ceil(motions / SHARD_MOTIONS))]
    shard_todo = [(out, i, n, seed, config) for i, n in shards if not _finished(out, i, n, seed, config)]
    shutil.rmtree(out / "_added", ignore_errors=True)  # added clips are processed on every build
    chunks = [entries[k:k + SHARD_MOTIONS] for k in range(0, len(entries), SHARD_MOTIONS)]
    todo = ([(build_shard, task) for task in shard_todo]
            + [(build_added_chunk, (out, k, chunk, seed, config)) for k, chunk in enumerate(chunks)])
    with tqdm(total=motions + len(entries), initial=motions - sum(t[2] for t in shard_todo), unit="motion",
              desc="building") as bar:
        if workers > 1 and len(todo) > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for summary in pool.imap_unordered(_call, todo):
                    bar.update(summary["motions"])
        else:
            for task in todo:
                bar.update(_call(task)["motions"])
    report = curate.CurationReport()
    summaries = [json.loads((_shard_dir(out, i) / "done.json").read_text()) for i, _ in shards]
    added_summaries = [json.loads((_added_dir(out, k) / "done.json").read_text()) for k in range(len(chunks))]
    for summary in summaries + added_summaries:
        report.merge(curate.CurationReport.from_dict(summary["report"]))
    added_groups = {entry.get("group") or entry["id"] for _, entry in entries}
    real = [clip for clip in real_clips(real_dir) if clip.group not in added_groups]  # an added copy wins
    for clip in real:
        metrics = curate.clip_metrics(clip.joints, clip.contacts, clip.fps, config)
        report.add(clip.source, clip.action_ids, curate.check_clip(metrics, config), keep_anyway=True)
    splits = {}
    for split in SPLITS:
        parts = [datasets.Dataset.from_file(str(_shard_dir(out, s["shard"]) / f"{split}.arrow"))
                 for s in summaries if s["rows"][split]]
        parts += [datasets.Dataset.from_file(str(_added_dir(out, s["chunk"]) / f"{split}.arrow"))
                  for s in added_summaries if s["rows"][split]]
        if split == "test":
            parts.append(_to_dataset([to_row(c) for c in real]))
        splits[split] = datasets.concatenate_datasets(parts) if parts else _to_dataset([])
    dataset = datasets.DatasetDict(_fill_validation(splits))
    empty = [split for split in SPLITS if not len(dataset[split])]
    if empty:  # datasets cannot load an empty split back
        raise ValueError(f"the {' and '.join(empty)} split would be empty ({ {k: len(v) for k, v in dataset.items()} } "
                         f"rows): add clips of more groups or synthetic ones (--mix-synthetic N)")
    shutil.rmtree(out / "dataset_dict.tmp", ignore_errors=True)  # left by an interrupted run
    dataset.save_to_disk(str(out / "dataset_dict.tmp"))
    for split in SPLITS:  # swap the finished folders in only after the whole save succeeded
        shutil.rmtree(out / split, ignore_errors=True)
        (out / "dataset_dict.tmp" / split).rename(out / split)
    (out / "dataset_dict.tmp" / "dataset_dict.json").replace(out / "dataset_dict.json")
    shutil.rmtree(out / "dataset_dict.tmp")
    report.save(out)
    from .card import write_card

    licences: dict[str, set] = {}
    for _, entry in entries:
        licences.setdefault(entry["source"], set()).add(entry.get("licence") or "not given")
    for path in (out / "README.md", card):
        if path is not None:
            write_card(dataset, report, path, command=_command(num_samples, seed, added),
                       licences={source: "; ".join(sorted(notes)) for source, notes in licences.items()})
    (out / "build.json").write_text(json.dumps(recipe) + "\n")
    if not keep_shards:
        shutil.rmtree(out / "_shards", ignore_errors=True)
        shutil.rmtree(out / "_added", ignore_errors=True)
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
    parser.add_argument("--num-samples", "--mix-synthetic", dest="num_samples", type=int,
                        help="about N synthetic rows: N/4 generated motions, 4 rows per actor (--mix-synthetic: "
                             "the same beside --add; 0 for none)")
    parser.add_argument("--add", type=Path, action="append", default=[], metavar="DIR",
                        help="a folder written by python -m datasets_scripts.convert (repeatable)")
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
    if args.num_samples is None and not args.add:
        parser.error("give --num-samples N (or --add DIR [--mix-synthetic N])")
    config = curate.CurationConfig.from_yaml(args.curation_config) if args.curation_config else curate.CurationConfig()
    try:
        dataset = build(args.num_samples or 0, args.out, args.workers, args.seed, config, args.real_dir,
                        args.keep_shards, args.card, args.add)
    except ValueError as exc:
        parser.error(str(exc))
    print({split: len(ds) for split, ds in dataset.items()})
    if args.push_to_hub:
        push_to_hub(dataset, args.push_to_hub, card=args.out / "README.md", private=args.private)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
