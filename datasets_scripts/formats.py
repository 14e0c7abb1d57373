"""The dataset formats ``datasets_scripts.convert`` reads: for each, a :class:`Format` whose ``open`` checks a
folder's layout and lists its items, and a loader that turns one item into :class:`Clip`s (canonical SMPL-22
joints at 25 fps with their texts, labels and motion group) or :class:`Skip`s saying why not.
"""
from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from stickgen import skeleton
from stickgen.motion import Motion, Scene, Segment

from . import fetch_real
from .converters import amass, babel, beat, bvh, cmu_amc, deepmimic, humanml3d, interhuman, kitml, ntu, style100

FPS = 25
DECIMALS = 4  # 0.1 mm, as data/real
MAX_EXAMPLES = 5  # skipped files quoted per reason in the summary
#: NTU RGB+D classes performed by two people (A050-A060, A106-A120)
NTU_TWO_PERSON = frozenset([*range(50, 61), *range(106, 121)])
TRACK_NAMES = ("actions", "expressions", "speech")
STANDARD_META = ("source", "original_file", "texts", "holdout", "license")


# ----------------------------------------------------------------------------- clips


@dataclass
class Clip:
    """One converted clip: ``actors`` (one, or two sharing a world) with joints ``[T, 22, 3]`` at 25 fps and
    their action/expression/speech segments; ``source``/``licence`` (a ``.motion`` file's own) give way to the
    command's, and None to the format's."""

    id: str
    actors: list[Motion]
    texts: list[str]
    group: str
    original_file: str
    holdout: bool = False
    source: str | None = None
    licence: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # format-specific labels (style, emotion, class, ...)

    @property
    def num_frames(self) -> int:
        return self.actors[0].num_frames


class Skip(NamedTuple):
    """A clip or file left out: a short ``reason`` the summary counts by and the ``detail`` it quotes (naming
    the file)."""

    reason: str
    detail: str


@dataclass(frozen=True)
class Options:
    """Format-specific inputs beside the folder."""

    amass_root: Path | None = None
    urdf: Path | None = None


Loader = Callable[[str], list]  # key -> [Clip | Skip]


@dataclass(frozen=True)
class Format:
    """A dataset: its default ``source`` name and ``licence`` note, and ``open(root, options) -> (keys, load)``,
    which checks the folder's layout (``ValueError`` saying what was expected where) and lists the items to
    load (files, clip ids, styles); ``load(key)`` converts one item into clips."""

    source: str
    licence: str
    open: Callable[[Path, Options], tuple[list[str], Loader]]


def slug(text: str) -> str:
    """A file-name-safe id: runs of other characters become ``_``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.")


def _relative(root: Path, pattern: str) -> list[str]:
    """Paths under ``root`` matching ``pattern`` (recursive glob), relative, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(pattern) if p.is_file())


def _need(keys: list[str], message: str) -> list[str]:
    if not keys:
        raise ValueError(message)
    return keys


def _one(motion_id: str, joints: np.ndarray, **tracks) -> list[Motion]:
    return [Motion(joints, id="a0", name=motion_id, **tracks)]


# ----------------------------------------------------------------------------- readers: joint-position datasets


def _open_new_joints(module, name: str) -> Callable[[Path, Options], tuple[list[str], Loader]]:
    """HumanML3D and KIT-ML share a layout: ``new_joints/<id>.npy`` and ``texts/<id>.txt``; ``M<id>`` is the
    mirror of ``<id>``, so both are one group."""
    def open_folder(root: Path, options: Options) -> tuple[list[str], Loader]:
        keys = _need(sorted(p.stem for p in (root / "new_joints").glob("*.npy")),
                     f"expected new_joints/*.npy under {root} (the {name} folder)")
        if not (root / "texts").is_dir():
            raise ValueError(f"expected texts/*.txt next to new_joints/ under {root} (the {name} folder)")

        def load(key: str) -> list:
            joints, texts = module.load_clip(root, key)
            original = key[1:] if re.fullmatch(r"M\d+", key) else key
            return [Clip(f"{name}_{key}", _one(f"{name}_{key}", joints), texts, f"{name}:{original}",
                         f"new_joints/{key}.npy")]
        return keys, load
    return open_folder


def _open_amass(root: Path, options: Options) -> tuple[list[str], Loader]:
    keys = _need(_relative(root, "*.npz"), f"expected <sub-dataset>/<subject>/*_poses.npz (AMASS files) under {root}")

    def load(key: str) -> list:
        with np.load(root / key) as npz:
            if "poses" not in npz:
                return [Skip("no poses (a shape.npz or other non-motion file)", key)]
            joints = amass.convert(npz)
        stem = re.sub(r"_poses$", "", Path(key).stem)
        clip_id = "amass_" + slug(str(Path(key).with_suffix("")))
        caption = bvh.caption_from_name(stem)
        return [Clip(clip_id, _one(clip_id, joints), [caption] if caption else [],
                     f"amass:{Path(key).parent.as_posix()}/{stem}", key)]
    return keys, load


def _open_babel(root: Path, options: Options) -> tuple[list[str], Loader]:
    files = _need([p for p in (root / "train.json", root / "val.json") if p.is_file()],
                  f"expected train.json or val.json (BABEL annotations) under {root}")
    amass_root = options.amass_root or root
    if not amass_root.is_dir():
        raise ValueError(f"expected the AMASS sub-dataset folders (CMU/, BMLrub/, ...) under {amass_root}")
    entries = {f"{path.stem}/{sid}": entry for path in files for sid, entry in babel.load_annotations(path).items()}

    def load(key: str) -> list:
        entry = entries[key]
        path = babel._amass_path(amass_root, entry["feat_p"])
        if path is None:
            return [Skip("AMASS file not under the AMASS root",
                         f"{entry['feat_p']} not under {amass_root}")]
        with np.load(path) as npz:
            joints = amass.convert(npz)
        clip_id = f"babel_{slug(key.split('/')[1])}"
        actions = babel.segments_of(entry, FPS, len(joints))
        text = babel.text_of(entry)
        return [Clip(clip_id, _one(clip_id, joints, actions=actions), [text] if text else [],
                     f"babel:{entry['feat_p']}", entry["feat_p"])]
    return list(entries), load


def _ntu_pair(path: Path) -> tuple[list[np.ndarray], list[Skip]] | None:
    """The two bodies seen most often in a two-person NTU file in one world (their relative placement kept),
    ``[[T, 22, 3], [T, 22, 3]]`` over the frames from the first to the last where both are seen, and the other
    bodies as skipped; None when the second is seen in fewer frames than :func:`.ntu.convert_file` keeps a
    body for."""
    frames = ntu.parse_skeleton(path.read_text())
    seen = Counter(body for bodies in frames for body in bodies)
    needed = max(ntu.MIN_FRAMES, (len(frames) + 1) // 2)
    pair = [body for body, count in seen.most_common(2) if count >= needed]
    if len(pair) < 2:
        return None
    both = [i for i, bodies in enumerate(frames) if all(body in bodies for body in pair)]
    span = frames[both[0]:both[-1] + 1]
    people = [skeleton.resample(skeleton.make_rigid(ntu.kinect_to_smpl22(ntu._track(span, body))), ntu.NTU_FPS, FPS)
              for body in pair]
    others = [Skip("NTU body seen in too few frames", f"{path.name}: body {body} skipped: in {count} of "
                                                      f"{len(frames)} frames, not one of the two people")
              for body, count in seen.items() if body not in pair]
    return list(interhuman.place_pair(*people)), others


def _open_ntu(root: Path, options: Options) -> tuple[list[str], Loader]:
    keys = _need(_relative(root, "*.skeleton"),
                 f"expected *.skeleton files (NTU RGB+D: S001C001P001R001A001.skeleton) under {root}")

    def load(key: str) -> list:
        path = root / key
        number, name, action = ntu.action_of(path)
        group = "ntu:" + re.sub(r"C\d{3}", "", path.stem)  # the three cameras filmed one performance
        meta = {"ntu_class": number}
        pair = _ntu_pair(path) if number in NTU_TWO_PERSON else None
        if pair is not None:
            clip_id = f"ntu_{path.stem}"
            actions = [Segment(0, len(pair[0][0]), action)] if action else None
            actors = [Motion(joints, id=f"a{i}", name=clip_id, actions=actions) for i, joints in enumerate(pair[0])]
            return [Clip(clip_id, actors, [name], group, key, meta=meta), *pair[1]]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bodies = ntu.convert_file(path)
        out: list = [Skip("NTU body seen in too few frames", str(w.message)) for w in caught]
        for k, (joints, text, _) in enumerate(bodies):
            clip_id = f"ntu_{path.stem}" + (f"_b{k}" if len(bodies) > 1 else "")
            actions = [Segment(0, len(joints), action)] if action else None
            out.append(Clip(clip_id, _one(clip_id, joints, actions=actions), [text], group, key, meta=meta))
        return out
    return keys, load


def _open_interhuman(root: Path, options: Options) -> tuple[list[str], Loader]:
    keys = _need(interhuman.clip_ids(root), f"expected {interhuman.MOTIONS}/person1/*.npy under {root}")

    def load(key: str) -> list:
        joints_a, joints_b, texts = interhuman.load_pair(root, key)
        clip_id = f"interhuman_{key}"
        actors = [Motion(joints, id=f"a{i}", name=clip_id) for i, joints in enumerate((joints_a, joints_b))]
        return [Clip(clip_id, actors, texts, f"interhuman:{key}", f"{interhuman.MOTIONS}/person1/{key}.npy")]
    return keys, load


# ----------------------------------------------------------------------------- readers: BVH datasets


def _open_bvh(root: Path, options: Options) -> tuple[list[str], Loader]:
    captions = bvh.captions_for(root)  # ValueError "expected .bvh files under ROOT"
    files = {p.stem: p.name for p in root.iterdir() if p.suffix.lower() == ".bvh"}

    def load(key: str) -> list:
        clip_id = f"bvh_{slug(key)}"
        return [Clip(clip_id, _one(clip_id, bvh.convert_file(root / files[key])), captions[key], f"bvh:{key}",
                     files[key])]
    return list(captions), load


def _open_style100(root: Path, options: Options) -> tuple[list[str], Loader]:
    cuts = root / "Frame_Cuts.csv"
    if not cuts.is_file():
        raise ValueError(f"expected Frame_Cuts.csv and <Style>/<Style>_<Type>.bvh under {root} (the 100STYLE folder)")
    styles = list(style100.read_frame_cuts(cuts))

    def load(style: str) -> list:
        clips = []
        for clip in style100.convert_style(root, style):
            clip_id = f"100style_{clip.name}"
            clips.append(Clip(clip_id, _one(clip_id, clip.joints, actions=clip.actions or None), [clip.text],
                              f"100style:{style}", f"{style}/{clip.name}.bvh",
                              meta={"style": clip.style, "direction": clip.direction}))
        return clips
    return styles, load


def _open_beat(root: Path, options: Options) -> tuple[list[str], Loader]:
    keys = _need(_relative(root, "*.bvh"), f"expected <speaker>/<take>.bvh with <take>.TextGrid (BEAT) under {root}")

    def load(key: str) -> list:
        take = beat.convert_take(root / key)
        name = Path(key).stem
        clip_id = f"beat_{slug(name)}"
        expressions = [Segment(0, len(take.joints), take.expression)] if take.expression else None
        actor = _one(clip_id, take.joints, expressions=expressions, speech=take.speech or None)
        return [Clip(clip_id, actor, [take.text], f"beat:{name}", key, meta={"emotion": beat.emotion_of(name)})]
    return keys, load


# ----------------------------------------------------------------------------- readers: the shipped real clips


def _known(source: str) -> dict[str, fetch_real.RealClip]:
    """The clips of ``fetch_real.CLIPS`` from ``source`` by their original file: their ids, labels and texts."""
    return {clip.file: clip for clip in fetch_real.CLIPS if clip.source == source}


def _real_clip(known: fetch_real.RealClip | None, clip_id: str, joints: np.ndarray, key: str) -> Clip:
    """A clip of the shipped sources as ``fetch_real`` writes it (its id, labels, texts, holdout; its id is its
    group, as in ``data/real``) when the table knows it, else ``clip_id`` captioned from its name."""
    if known is None:
        caption = bvh.caption_from_name(clip_id.split("_", 1)[1])
        return Clip(clip_id, _one(clip_id, joints), [caption] if caption else [], clip_id, key)
    actor = _one(known.id, joints, actions=fetch_real._segments(known.labels, len(joints)))
    return Clip(known.id, actor, list(known.texts), known.id, known.file, holdout=known.holdout)


def _urdf(root: Path, options: Options) -> Path:
    path = options.urdf or root.parent.parent / "humanoid" / "humanoid.urdf"
    if not path.is_file():
        raise ValueError(f"expected the humanoid URDF at {path} (pybullet_data/humanoid/humanoid.urdf two folders "
                         f"above pybullet_data/data/motions, or give --urdf FILE)")
    return path


def _open_deepmimic(root: Path, options: Options) -> tuple[list[str], Loader]:
    keys = _need(_relative(root, "*.txt"), f"expected humanoid3d_*.txt DeepMimic motions under {root} "
                                           f"(pybullet_data/data/motions)")
    offsets = deepmimic.parse_urdf_offsets(_urdf(root, options).read_text())
    known = _known("deepmimic")

    def load(key: str) -> list:
        clip = known.get(key)
        joints = deepmimic.convert((root / key).read_text(), offsets, min_seconds=clip.min_seconds if clip else 0.0)
        clip_id = "deepmimic_" + slug(re.sub(r"^humanoid3d_", "", str(Path(key).with_suffix(""))))
        return [_real_clip(clip, clip_id, joints, key)]
    return keys, load


def _asf_for(amc: Path) -> Path:
    """The skeleton of a trial: ``<trial>.asf``, the subject's ``<subject>.asf`` (CMU: ``01.asf`` for
    ``01_01.amc``) or the folder's only ``.asf``."""
    candidates = [amc.with_suffix(".asf"), amc.with_name(amc.stem.split("_")[0] + ".asf")]
    found = next((p for p in candidates if p.is_file()), None)
    others = sorted(amc.parent.glob("*.asf"))
    if found is None and len(others) != 1:
        raise ValueError(f"expected {candidates[1].name} or {candidates[0].name} (the ASF skeleton) beside {amc.name}")
    return found or others[0]


def _open_cmu(root: Path, options: Options) -> tuple[list[str], Loader]:
    keys = _need(_relative(root, "*.amc"), f"expected *.amc trials with their .asf skeleton (CMU, subjects/01/01.asf "
                                           f"and 01_01.amc) under {root}")
    known = _known("cmu")

    def load(key: str) -> list:
        amc = root / key
        joints = cmu_amc.convert(_asf_for(amc).read_text(), amc.read_text())
        return [_real_clip(known.get(amc.stem), f"cmu_{slug(amc.stem)}", joints, key)]
    return keys, load


# ----------------------------------------------------------------------------- readers: .motion files


def _open_motion(root: Path, options: Options) -> tuple[list[str], Loader]:
    index = root / "index.json"
    entries = {e["file"]: e for e in json.loads(index.read_text())["clips"]} if index.is_file() else {}
    keys = _need(list(entries) or _relative(root, "*.motion"), f"expected *.motion files (or an index.json listing "
                                                                 f"them) under {root}")

    def load(key: str) -> list:
        scene = Scene.load(root / key)
        if scene.fps != FPS or len(scene.actors) > 2:
            return [Skip("not 25 fps or more than two actors",
                         f"{key}: {scene.fps} fps, {len(scene.actors)} actors (build reads one or two at 25 fps)")]
        meta, entry = scene.meta or {}, entries.get(key, {})
        clip_id = entry.get("id") or Path(key).stem
        prompt = [meta["prompt"]] if isinstance(meta.get("prompt"), str) else []  # a stick-gen export's
        return [Clip(clip_id, scene.actors, list(entry.get("texts") or meta.get("texts") or prompt),
                     entry.get("group") or clip_id, entry.get("original_file") or meta.get("original_file") or key,
                     bool(entry.get("holdout", meta.get("holdout", False))), entry.get("source") or meta.get("source"),
                     entry.get("licence") or meta.get("license") or meta.get("licence"),
                     {k: v for k, v in meta.items() if k not in STANDARD_META + ("licence", "group")})]
    return keys, load


LICENCE_UNKNOWN = "unknown (give it with --licence)"
FORMATS: dict[str, Format] = {
    "amass": Format("amass", "AMASS licence: non-commercial scientific research (amass.is.tue.mpg.de)", _open_amass),
    "humanml3d": Format("humanml3d", "HumanML3D texts over AMASS/HumanAct12 motion: their licences, non-commercial "
                                     "research (github.com/EricGuo5513/HumanML3D)",
                        _open_new_joints(humanml3d, "humanml3d")),
    "kitml": Format("kitml", "KIT Whole-Body Human Motion Database terms (motion-database.humanoids.kit.edu)",
                    _open_new_joints(kitml, "kitml")),
    "babel": Format("babel", "BABEL labels and AMASS motion: non-commercial scientific research (babel.is.tue.mpg.de)",
                    _open_babel),
    "beat": Format("beat", "BEAT release terms: non-commercial research (pantomatrix.github.io/BEAT)", _open_beat),
    "ntu": Format("ntu", "NTU RGB+D release agreement: non-commercial research (rose1.ntu.edu.sg)", _open_ntu),
    "100style": Format("100style", "CC BY 4.0 (100STYLE, Mason, Starke and Komura 2022)", _open_style100),
    "interhuman": Format("interhuman", "InterHuman licence: non-commercial research (tr3e.github.io/intergen-page)",
                         _open_interhuman),
    "bvh": Format("bvh", LICENCE_UNKNOWN, _open_bvh),
    "deepmimic": Format("deepmimic", "zlib", _open_deepmimic),
    "cmu": Format("cmu", "CMU mocap, free for all uses", _open_cmu),
    "motion": Format("motion", LICENCE_UNKNOWN, _open_motion),
}
