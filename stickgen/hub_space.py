"""Upload the Gradio Space: ``app.py``, the ``stickgen`` package, ``web/``, the model (or a reference to its
Hub repository), a lean ``requirements.txt`` worked out from the app's own imports, and a README with the
Space metadata of docs/SPACE.md; one commit through :func:`stickgen.hub.commit_files`.
"""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from huggingface_hub import HfApi

from .hub import (
    DATASET_REPO_ID,
    DEFAULT_MODEL_NAME,
    GITATTRIBUTES,
    MODEL_REPO_ID,
    PIPELINE_RUNTIME,
    REPO_ROOT,
    SPACE_REPO_ID,
    Files,
    check_hub_id,
    check_pipeline_folder,
    commit_files,
    folder_files,
    front_matter,
)

#: third-party imports of the app's modules that the Space does not install, and why
SPACE_OPTIONAL = {
    "peft": "LoRA adapters (pipe.load_lora); the app loads none",
    "onnxruntime": "the onnx backend; the app runs the pytorch one",
    "optimum": "exporting the ONNX tier (stickgen.onnx_export.cached_onnx); the app runs the pytorch backend",
    "datasets": "stickgen.text.add_embedding_column, used by training only",
}
#: never in the Space's requirements (test, lint and training tools)
SPACE_EXCLUDED = ("pytest", "pytest-timeout", "hypothesis", "playwright", "ruff", "tensorboard")
#: the Space README header documented in docs/SPACE.md (the repository README's own header overrides it)
SPACE_HEADER = {"title": "Stick-Gen", "emoji": "🕺", "colorFrom": "blue", "colorTo": "indigo", "sdk": "gradio",
                "sdk_version": None, "python_version": "3.11", "app_file": "app.py", "pinned": False,
                "license": "apache-2.0",
                "short_description": "Text to stick-figure animation, MP4/BVH/glTF, on CPU"}

# ----------------------------------------------------------------------------- Space


def _module_map(root: Path) -> dict[str, Path]:
    package = root / "stickgen"
    out = {}
    for path in package.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def third_party_imports(root: str | Path = REPO_ROOT, entry: str = "stickgen.app") -> dict[str, list[str]]:
    """``{top-level module: [stickgen modules importing it]}`` for every non-stdlib import reached from
    ``entry`` through stickgen's own imports, imports inside functions included."""
    modules = _module_map(Path(root))
    if entry not in modules:
        raise ValueError(f"{root}: no module {entry} (the Space's app)")
    found: dict[str, set[str]] = {}
    todo, seen = [entry], set()
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages run first
        path = modules[name]
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
                target = ".".join(filter(None, [base, node.module]))
                todo += [target] + [f"{target}.{alias.name}" for alias in node.names]
                continue
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for full in names:
                top = full.split(".")[0]
                if top == "stickgen":
                    todo += [full] + ([f"{full}.{a.name}" for a in node.names]
                                      if isinstance(node, ast.ImportFrom) else [])
                elif top and top != "__future__" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(name)
    return {top: sorted(users) for top, users in sorted(found.items())}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: Path) -> dict[str, str]:
    """``{normalised name: 'Name==version'}`` of the ``==`` pins in a requirements file (extras dropped)."""
    pins = {}
    if requirements.is_file():
        for line in requirements.read_text().splitlines():
            found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)", line)
            if found:
                pins[_normalise(found.group(1))] = f"{found.group(1)}=={found.group(3)}"
    return pins


def space_requirements(root: str | Path = REPO_ROOT, gradio_version: str | None = None) -> str:
    """The Space's ``requirements.txt``: one pinned line per package the app imports (:func:`third_party_imports`
    less :data:`SPACE_OPTIONAL`), torch first, pinned as in ``root/requirements.txt`` (else the installed
    version); gradio at the Space's ``sdk_version``. No test, lint or training tool."""
    from importlib import metadata

    root = Path(root)
    distributions = metadata.packages_distributions()
    pins = _pins(root / "requirements.txt")
    lines = {}
    for module, users in third_party_imports(root).items():
        if module in SPACE_OPTIONAL:
            continue
        dists = distributions.get(module)
        if not dists:
            raise ValueError(f"{module} (imported by {', '.join(users)}) is not an installed package; install it "
                             "or list it in stickgen.hub.SPACE_OPTIONAL")
        dist = dists[0]
        key = _normalise(dist)
        if key in {_normalise(n) for n in SPACE_EXCLUDED}:
            raise ValueError(f"{dist} (imported by {', '.join(users)}) is a test/tool package; the app must not "
                             "import it")
        if key == "gradio":
            lines[key] = f"gradio=={gradio_version or metadata.version('gradio')}"
        else:
            lines[key] = pins.get(key) or f"{dist}=={metadata.version(dist)}"
    order = sorted(lines, key=lambda k: (k != "torch", k))
    return ("# The Space's runtime packages: the third-party imports of stickgen.app and the modules it reaches\n"
            "# (written by stickgen.hub.space_requirements; torch first, the CPU wheel on Spaces' CPU hardware).\n"
            + "".join(lines[k] + "\n" for k in order))


def space_readme(root: str | Path = REPO_ROOT, model_repo_id: str = MODEL_REPO_ID,
                 dataset_repo_id: str = DATASET_REPO_ID, gradio_version: str | None = None,
                 shipped_model: str | None = None) -> str:
    """The Space's README.md: the header of docs/SPACE.md (as the repository README has it) with
    ``sdk_version`` the installed gradio, ``app_file: app.py``, and ``models:``/``datasets:`` linking the
    Hub repositories."""
    from importlib import metadata

    from huggingface_hub.repocard import metadata_load

    readme = Path(root) / "README.md"
    header = {**SPACE_HEADER, **((metadata_load(readme) or {}) if readme.is_file() else {})}
    header.update(sdk="gradio", sdk_version=gradio_version or metadata.version("gradio"), app_file="app.py",
                  models=[model_repo_id], datasets=[dataset_repo_id])
    where = f"shipped in `models/{shipped_model}/`" if shipped_model else "downloaded from the Hub at start-up"
    body = (f"# {header['title']}\n\nType a sentence, get a stick-figure animation: an MP4, the 60 fps web player, "
            "and `.motion`, BVH, glTF and GIF downloads. A transformer motion planner and a diffusion refiner over "
            "SMPL-22 joints, on CPU.\n\n"
            f"- model: [{model_repo_id}](https://huggingface.co/{model_repo_id}) ({where})\n"
            f"- training data: [{dataset_repo_id}](https://huggingface.co/datasets/{dataset_repo_id})\n"
            "- API: both buttons are `gradio_client` endpoints (`/generate`, `/run_script`); see *Use via API*.\n")
    return front_matter(header, body)


def space_app(model: str) -> str:
    """An ``app.py`` that launches the app with ``STICKGEN_MODEL`` defaulting to ``model``."""
    return ('"""Hugging Face Space entry point: launches the Stick-Gen app (stickgen/app.py) with the model below."""\n'
            "import os\n\n"
            f'os.environ.setdefault("STICKGEN_MODEL", {json.dumps(model)})\n\n'
            "from stickgen.app import main  # noqa: E402\n\n"
            'if __name__ == "__main__":\n    main()\n')


def space_files(root: str | Path = REPO_ROOT, model_repo_id: str = MODEL_REPO_ID,
                model_folder: str | Path | None = None, ship_model: bool = True,
                dataset_repo_id: str = DATASET_REPO_ID) -> Files:
    """What :func:`push_space` commits: ``app.py``, ``stickgen/`` (sources and package data), ``web/`` (the
    player), the model (``models/NAME/`` runtime files when ``ship_model``, default the repository's
    ``models/stickgen-small``; else ``app.py`` loads ``model_repo_id``), ``requirements.txt``, ``README.md``
    and ``.gitattributes``."""
    from importlib import metadata

    root = Path(root)
    check_hub_id(model_repo_id, "model_repo_id")
    check_hub_id(dataset_repo_id, "dataset_repo_id")
    for needed in ("stickgen/app.py", "web"):
        if not (root / needed).exists():
            raise ValueError(f"{root}: {needed} is missing; the Space needs the app and the web player")
    files: Files = {}
    shipped = None
    if ship_model:
        folder = check_pipeline_folder(model_folder or root / "models" / DEFAULT_MODEL_NAME)
        shipped = folder.name
        for part in PIPELINE_RUNTIME:
            if (folder / part).is_dir():
                files.update(folder_files(folder / part, f"models/{shipped}/{part}/"))
            elif (folder / part).is_file():
                files[f"models/{shipped}/{part}"] = folder / part
    if shipped == DEFAULT_MODEL_NAME and (root / "app.py").is_file():
        files["app.py"] = root / "app.py"
    else:
        files["app.py"] = space_app(f"models/{shipped}" if shipped else model_repo_id).encode()
    files.update(folder_files(root / "stickgen", "stickgen/"))
    files.update(folder_files(root / "web", "web/"))
    gradio_version = metadata.version("gradio")
    files["requirements.txt"] = space_requirements(root, gradio_version).encode()
    files["README.md"] = space_readme(root, model_repo_id, dataset_repo_id, gradio_version, shipped).encode()
    files[".gitattributes"] = GITATTRIBUTES.encode()
    return files


def push_space(repo_id: str = SPACE_REPO_ID, *, model_repo_id: str = MODEL_REPO_ID,
               model_folder: str | Path | None = None, ship_model: bool = True,
               dataset_repo_id: str = DATASET_REPO_ID, root: str | Path = REPO_ROOT, api: HfApi | None = None,
               token: str | None = None, private: bool = False, commit_message: str = "Upload the Stick-Gen Space"):
    """Upload the Gradio Space (:func:`space_files`) to ``repo_id`` (``repo_type="space"``, sdk gradio)."""
    files = space_files(root, model_repo_id, model_folder, ship_model, dataset_repo_id)
    return commit_files(repo_id, files, repo_type="space", api=api, token=token, private=private,
                        commit_message=commit_message, space_sdk="gradio")
