"""``stick-gen validate FILE [FILE ...]``: check ``.motion`` files against the v1 contract."""
from __future__ import annotations

import argparse
import sys

from .motion import MotionFormatError, Scene


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="stick-gen validate", description=__doc__)
    parser.add_argument("files", nargs="+", help=".motion files to check")
    args = parser.parse_args(argv)
    failures = 0
    for path in args.files:
        try:
            scene = Scene.load(path)
        except (MotionFormatError, OSError) as exc:
            failures += 1
            print(f"{path}: INVALID: {exc}", file=sys.stderr)
            continue
        print(f"{path}: ok ({len(scene.actors)} actor(s), {scene.num_frames} frames at {scene.fps} fps, "
              f"{scene.duration:.2f} s)")
    return 1 if failures else 0
