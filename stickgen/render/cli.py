"""``stick-gen render IN.motion -o OUT [-o OUT ...]``: render or convert a ``.motion`` file.

Outputs by extension: ``.mp4``, ``.gif``, ``.png`` (one frame, ``--frame``), a folder ending in ``/`` or a
``name_%04d.png`` pattern (PNG sequence), and the exports ``.bvh``, ``.glb``, ``.gltf``, ``.motion``.
"""
from __future__ import annotations

import argparse
import sys
import time

from .. import vocab

EXPORT_SUFFIXES = (".bvh", ".glb", ".gltf", ".motion")


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 512x512, got {text!r}") from None
    return width, height


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stick-gen render", description=__doc__.splitlines()[0])
    parser.add_argument("input", help="a .motion file")
    parser.add_argument("-o", "--output", action="append", required=True,
                        help="output path (repeatable): .mp4 .gif .png DIR/ name_%%04d.png .bvh .glb .gltf .motion")
    parser.add_argument("--style", default="normal", choices=vocab.RENDER_STYLES)
    parser.add_argument("--size", type=_size, default=(512, 512), help="WIDTHxHEIGHT (default 512x512)")
    parser.add_argument("--fps", type=float, default=None, help="output frame rate (default: the file's)")
    parser.add_argument("--camera", default=None, choices=vocab.CAMERA_MOVES,
                        help="camera move over the whole clip, replacing the file's moves (static: one fixed wide "
                             "shot; without --camera a file with no camera is shot by the automatic director)")
    parser.add_argument("--frame", type=int, default=0, help="frame drawn into a single .png (default 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..motion import MotionFormatError, Scene
    from .outputs import FORMATS, output_kind

    for output in args.output:
        if not output.lower().endswith(EXPORT_SUFFIXES):
            try:
                output_kind(output)
            except ValueError:
                print(f"stick-gen render: cannot write {output!r}: expected {FORMATS}, or an export "
                      f"{' '.join(EXPORT_SUFFIXES)}", file=sys.stderr)
                return 2

    try:
        scene = Scene.load(args.input)
    except (OSError, MotionFormatError) as exc:
        print(f"stick-gen render: cannot read {args.input}: {exc}", file=sys.stderr)
        return 1
    for output in args.output:
        start = time.perf_counter()
        try:
            if output.lower().endswith(EXPORT_SUFFIXES):
                from ..export import export

                written = ", ".join(str(p) for p in export(scene, output))
            else:
                from . import render

                written = render(scene, output, style=args.style, size=args.size, fps=args.fps,
                                 camera_move=args.camera, frame=args.frame)
        except (OSError, ValueError) as exc:
            print(f"stick-gen render: {output}: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {written} ({time.perf_counter() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
