"""Every tutorial runs to the end with its exercise solutions filled in, and every checker
passes them.

The solutions come from the notebook's own Solution blocks (bioviz.notebook.with_solutions),
so the notebook and this test cannot drift apart. The untouched-stub version is what nbmake
executes (the committed notebook); the checkers' rejection of wrong answers is tested in
tests/test_exercises.py.
"""

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from bioviz import notebook as nbt

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1] / "notebooks"
TUTORIALS = [p for p in sorted(ROOT.glob("*.ipynb")) if nbt.kind(p) == "tutorial"]


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.name)
def test_tutorial_with_solutions(path):
    nb = nbformat.read(path, as_version=4)  # cell sources as strings, as nbclient expects
    names = [ex.name for ex in nbt.exercises(nb)]
    solved = nbformat.from_dict(nbt.with_solutions(nb))
    solved.cells.append(
        nbformat.v4.new_code_cell(
            "import json\nfrom bioviz.exercises import results\nprint(json.dumps(results()))"
        )
    )
    NotebookClient(
        solved, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    printed = "".join(o.get("text", "") for o in solved.cells[-1].outputs)
    results = json.loads(printed)
    assert results == {name: "passed" for name in names}, f"{path.name}: {results}"
