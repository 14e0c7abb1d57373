"""The remote code shipped inside every model folder's planner (what ``AutoModel.from_pretrained(...,
trust_remote_code=True)`` runs) is the library's own: copied at save time, never edited by hand."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIES = sorted((ROOT / "models").glob("*/planner/*_stickgen.py"))


def test_every_shipped_planner_carries_its_remote_code():
    planners = sorted((ROOT / "models").glob("*/planner"))
    assert planners, "no shipped planner folder under models/"
    for planner in planners:
        assert {p.name for p in planner.glob("*_stickgen.py")} == {"configuration_stickgen.py", "modeling_stickgen.py"}


@pytest.mark.parametrize("copy", COPIES, ids=[str(p.relative_to(ROOT)) for p in COPIES])
def test_remote_code_equals_the_library(copy):
    assert copy.read_bytes() == (ROOT / "stickgen" / "models" / copy.name).read_bytes(), (
        f"{copy.relative_to(ROOT)} differs from stickgen/models/{copy.name}: save the model again "
        "(save_pretrained copies the library's files) or copy the file")
