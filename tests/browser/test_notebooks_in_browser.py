"""Every notebook with an explorer (tutorials and reports), run in JupyterLab in a real Chromium.

For each notebook: open it, Run All, wait until every cell has run and the kernel is idle, and
assert there is no stderr or error output, no widget that failed to render, and no page error.
Then, for every explorer on the page, operate one control the way a reader would (a slider by
the keyboard, preferring sliders; an explorer made only of drop-downs by choosing another option)
and assert that the plot in the page changed. Screenshots before and
after go to artifacts/browser/<notebook>/ (git-ignored); in-page latencies (key press to changed
plot data) to artifacts/browser/latency.json. New notebooks are covered without editing this file.
"""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from labdriver import NOTEBOOK_DIR, NotebookPage, explorer_notebooks  # noqa: E402

pytestmark = pytest.mark.browser
NOTEBOOKS = explorer_notebooks()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_browser(name, lab, page, artifacts):
    nb = NotebookPage(page, lab, name)
    nb.open()
    seconds = nb.run_all(timeout_s=400)
    errors = nb.errors()
    shots = artifacts / Path(name).stem
    shots.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-NotebookPanel").screenshot(path=str(shots / "notebook.png"))
    assert not errors, f"{name}: " + "\n".join(errors)

    explorers = nb.explorer_names()
    code = json.loads((NOTEBOOK_DIR / name).read_text())
    expected = sum("".join(c["source"]).count(".widget(") for c in code["cells"]
                   if c["cell_type"] == "code")
    assert len(explorers) == expected, f"{name}: {expected} explorer cells, {len(explorers)} rendered"

    moves = []
    for i in range(len(explorers)):
        move = nb.move_control(i, presses=1, shots=shots)
        moves.append(move)
        assert move.latencies_ms, f"{name}: {move.explorer} did not change"
    assert not nb.errors(), f"{name} after moving controls: " + "\n".join(nb.errors())

    record = artifacts / "latency.json"
    data = json.loads(record.read_text()) if record.exists() else {}
    data[name] = {"run_all_s": seconds, "moves": [m.__dict__ for m in moves]}
    record.write_text(json.dumps(data, indent=1))
