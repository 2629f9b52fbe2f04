"""Every notebook with an explorer (tutorials and reports), run in JupyterLab in a real Chromium.

For each notebook, in a 1280x800 window: open it, Run All, wait until every cell has run and
the kernel is idle, and assert
- no stderr or error output, no widget that failed to render, no page error;
- every explorer shows its plot (a plot with no trace is the "blank explorer" failure);
- every slider's track is at least 150 px wide (long labels once squeezed them to 10-50 px);
- one control per explorer operated from the keyboard changes the plot (latency recorded);
- a mouse drag on every slider leaves a finite value in its readout and changes the plot (each
  drag starts from the notebook's settings: the slider is typed back through its readout).
Screenshots of every explorer go to artifacts/browser/<notebook>/ (git-ignored), in-page
latencies to artifacts/browser/latency.json. New notebooks are covered without editing this file.

A second test runs the tutorial of notebook 00 as a reader on a busy laptop would: JupyterLab's
default settings (windowing "contentVisibility"), two competing CPU-bound processes during Run
All, then a save (what autosave does) and a reload of the tab; every explorer must show its plot
after Run All and again after the reload.
The server always runs on a temporary copy of notebooks/, so no test writes outputs into the
working copy.
"""

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from labdriver import DEFAULT_SETTINGS, NOTEBOOK_DIR, LabServer, NotebookPage, cpu_load, explorer_notebooks  # noqa: E402

pytestmark = pytest.mark.browser
NOTEBOOKS = explorer_notebooks()
MIN_TRACK_PX = 150


def expected_explorers(name: str) -> int:
    cells = json.loads((NOTEBOOK_DIR / name).read_text())["cells"]
    return sum("".join(c["source"]).count(".widget(") for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_browser(name, lab, page, artifacts):
    nb = NotebookPage(page, lab, name)
    nb.open()
    seconds = nb.run_all(timeout_s=400)
    errors = nb.errors()
    shots = artifacts / Path(name).with_suffix("").as_posix().replace("/", "-")
    shots.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-NotebookPanel").screenshot(path=str(shots / "notebook.png"))
    assert not errors, f"{name}: " + "\n".join(errors)

    expected = expected_explorers(name)
    blank = nb.wait_for_plots(expected, timeout_s=30)
    assert not blank, f"{name}: explorers without a plot after Run All: {blank}"
    explorers = nb.explorer_names()
    assert len(explorers) == expected, f"{name}: {expected} explorer cells, {len(explorers)} rendered"
    nb.screenshot_explorers(shots)

    narrow = [
        (explorers[i], t["control"], round(t["width"]))
        for i in range(len(explorers))
        for t in nb.slider_tracks(i)
        if t["width"] < MIN_TRACK_PX
    ]
    assert not narrow, f"{name}: slider tracks narrower than {MIN_TRACK_PX} px: {narrow}"

    moves = []
    for i in range(len(explorers)):
        move = nb.move_control(i, presses=1, shots=shots)
        moves.append(move)
        assert move.latencies_ms, f"{name}: {move.explorer} did not change"

    bad_drags = []
    for i, explorer in enumerate(explorers):
        for track in nb.slider_tracks(i):
            value, changed = nb.drag_slider(i, track["control"])
            if not (math.isfinite(value) and changed):
                bad_drags.append((explorer, track["control"], value, changed))
    assert not bad_drags, f"{name}: drags giving a non-finite value or no change: {bad_drags}"
    assert not nb.errors(), f"{name} after moving controls: " + "\n".join(nb.errors())

    record = artifacts / "latency.json"
    data = json.loads(record.read_text()) if record.exists() else {}
    data[name] = {"run_all_s": seconds, "moves": [m.__dict__ for m in moves]}
    record.write_text(json.dumps(data, indent=1))


LOADED = "00-spiking-primer.ipynb"


def test_explorers_render_under_load_with_default_settings_and_after_reload(chromium, artifacts):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(180_000)
    try:
        with LabServer(settings=DEFAULT_SETTINGS) as lab:
            nb = NotebookPage(page, lab, LOADED)
            nb.open()
            expected = expected_explorers(LOADED)
            with cpu_load(processes=2, limit_s=600):
                nb.run_all(timeout_s=500)
                blank = nb.wait_for_plots(expected, timeout_s=60)
            shots = artifacts / "under-load"
            nb.screenshot_explorers(shots / "after-run-all")
            assert not blank, f"{LOADED} under CPU load: explorers without a plot: {blank}"
            assert not nb.errors(), "\n".join(nb.errors())

            nb.save(widgets=expected)  # what autosave does for a reader (on a copy)
            nb.reload()
            blank = nb.wait_for_plots(expected, timeout_s=60)
            nb.screenshot_explorers(shots / "after-reload")
            assert not blank, f"{LOADED} after a reload: explorers without a plot: {blank}; page: {nb.errors()}"
    finally:
        context.close()
