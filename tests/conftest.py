"""Shared test setup: no Hub access, no telemetry; in CI the browser tests may not skip."""
import os
import shutil

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_sessionstart(session):
    """With STICKGEN_REQUIRE_BROWSER=1 (set by .ci/run), a missing Chromium is an error, not a skip."""
    if os.environ.get("STICKGEN_REQUIRE_BROWSER") == "1" and shutil.which("/usr/bin/chromium") is None:
        pytest.exit("STICKGEN_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing (apt-get install chromium)",
                    returncode=3)
