"""The ``stick-gen`` command.

``stick-gen PROMPT -o OUT ...`` generates from text; ``stick-gen render IN.motion -o OUT ...`` renders
or converts a file; ``stick-gen validate FILE ...`` checks ``.motion`` files against the v1 contract.
Each subcommand lives in its own module and exposes ``main(argv) -> int``.
"""
from __future__ import annotations

import importlib
import sys

SUBCOMMANDS = {
    "validate": "stickgen.validate_cli",
    "render": "stickgen.render.cli",
}
GENERATE = "stickgen.generate_cli"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    module = SUBCOMMANDS.get(argv[0]) if argv else None
    if module is not None:
        argv = argv[1:]
    else:
        module = GENERATE
    try:
        entry = importlib.import_module(module).main
    except ModuleNotFoundError as exc:
        if exc.name is None or not module.startswith(exc.name):
            raise
        print(f"stick-gen: this install has no {module!r} (subcommand not available)", file=sys.stderr)
        return 2
    return entry(argv)


if __name__ == "__main__":
    sys.exit(main())
