"""``stick-gen validate FILE [FILE ...]``: check ``.motion`` files against the v1 contract.

Every file gets one line: ``PATH: ok (...)`` on stdout or ``PATH: INVALID: reason`` on stderr. The exit
status is 1 when any file is invalid; one bad file never stops the check of the files after it.
"""
from __future__ import annotations

import argparse
import sys

from .motion import MotionFormatError, Scene


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="stick-gen validate", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help=".motion files to check")
    args = parser.parse_args(argv)
    failures = 0
    for path in args.files:
        try:
            scene = Scene.load(path)
        except (MotionFormatError, OSError) as exc:
            error = str(exc)
        except Exception as exc:  # a reader bug: report it like any other failure, then go on
            error = f"unexpected {type(exc).__name__}: {exc}"
        else:
            print(f"{path}: ok ({len(scene.actors)} actor(s), {scene.num_frames} frames at {scene.fps} fps, "
                  f"{scene.duration:.2f} s)")
            continue
        failures += 1
        print(f"{path}: INVALID: {_one_line(error)}", file=sys.stderr)
    return 1 if failures else 0


def _one_line(text: str, limit: int = 500) -> str:
    """``text`` on a single line of at most about ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + " ..."
