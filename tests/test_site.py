"""The static site builder (bioviz.site): cards, static figures and explorers, links, a small build.

The real site (every notebook, in Chromium) is tested in tests/browser/test_site_in_browser.py.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from bioviz import site

ROOT = Path(__file__).resolve().parents[1]
PLOT = {"data": [{"type": "scatter", "y": [0, 1, 2]}], "layout": {"title": {"text": "t"}}}


def _widget_nb():
    """A notebook whose one output is an explorer box, with the widget state nbclient saves."""
    state = {
        "box": {
            "model_name": "VBoxModel",
            "state": {"children": ["IPY_MODEL_title", "IPY_MODEL_row", "IPY_MODEL_plot"]},
        },
        "title": {"model_name": "HTMLModel", "state": {"value": "<b>Decay &amp; growth</b>"}},
        "row": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_label", "IPY_MODEL_slider"]}},
        "label": {"model_name": "HTMLModel", "state": {"value": "<span class='bioviz-label'>tau (ms)</span>"}},
        "slider": {"model_name": "FloatSliderModel", "state": {"value": 12.5}},
        "plot": {
            "model_name": "OutputModel",
            "state": {
                "_dom_classes": ["bioviz-figure"],
                "outputs": [{"output_type": "display_data", "data": {site.PLOTLY_MIME: PLOT}, "metadata": {}}],
            },
        },
    }
    view = new_output("display_data", data={site.WIDGET_VIEW: {"model_id": "box"}, "text/plain": "VBox()"})
    cell = new_code_cell("Decay().widget()", outputs=[view], execution_count=1)
    nb = new_notebook(cells=[new_markdown_cell("# 42 · Decay\n\nA line."), cell])
    nb.metadata["widgets"] = {site.WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    return nb


def test_the_readme_table_gives_every_committed_concept_its_card_text():
    rows = site.readme_rows((ROOT / "README.md").read_text())
    assert rows["00-spiking-primer"]["paper"] == "Eshraghian et al., Proc. IEEE 2023"
    assert rows["00-spiking-primer"]["title"] == "spiking-neuron primer"
    for key, row in rows.items():
        assert (ROOT / "notebooks" / f"{key}.ipynb").exists(), key
        assert row["title"] and row["paper"] and row["line"], key


def test_a_notebook_without_a_readme_row_falls_back_to_its_title_cell():
    tutorial = new_notebook(cells=[new_markdown_cell("# 09 · Event vision\n\n**Paper.** A. B, *Events*, 2024.")])
    report = new_notebook(cells=[new_markdown_cell("# 11 · Gaps: reproduction report")])
    bare = new_notebook(cells=[new_code_cell("1")])
    notebooks = {
        Path("09-events.ipynb"): tutorial,
        Path("reproductions/09-events.ipynb"): tutorial,
        Path("reproductions/11-gaps.ipynb"): report,
        Path("scratch.ipynb"): bare,
    }
    deck = {c.key: c for c in site.cards(notebooks, readme="")}
    assert len(deck) == 3
    events = deck["09-events"]
    assert (events.number, events.title, events.paper) == ("09", "Event vision", "A. B, Events, 2024.")
    assert (events.tutorial, events.report) == ("09-events.html", "reproductions/09-events.html")
    assert (deck["11-gaps"].title, deck["11-gaps"].tutorial) == ("Gaps", None)
    assert (deck["scratch"].title, deck["scratch"].number, deck["scratch"].thumbnail) == ("scratch", "", None)


def test_every_committed_notebook_gets_a_card_that_says_something():
    """From its README row or, before the row is written, from its title cell."""
    source = ROOT / "notebooks"
    notebooks = {rel: nbformat.read(source / rel, as_version=4) for rel in site.find_notebooks(source)}
    deck = site.cards(notebooks, (ROOT / "README.md").read_text())
    assert len(deck) == len({rel.stem for rel in notebooks})
    for card in deck:
        assert card.title and card.number and card.paper, card
        assert card.tutorial or card.report


def test_plotly_outputs_become_figures_the_page_draws():
    out = new_output("display_data", data={site.PLOTLY_MIME: PLOT, "text/plain": "<plotly figure>"})
    nb = new_notebook(cells=[new_code_cell("fig", outputs=[out], execution_count=1)])
    static = site.static_notebook(nb)
    (data,) = [o["data"] for o in static.cells[0].outputs]
    assert list(data) == ["text/html"]
    spec = re.search(r'<script type="application/json">(.*)</script>', data["text/html"]).group(1)
    assert json.loads(spec) == PLOT
    assert site.PLOTLY_MIME in nb.cells[0].outputs[0]["data"]  # the input is left as it was


def test_json_in_a_page_cannot_close_its_script_tag():
    markup = site.plot_html({"data": [{"name": "</script><script>alert(1)</script>"}]})
    assert markup.count("</script>") == 1


def test_an_explorer_becomes_its_plot_its_settings_and_the_kernel_note():
    static = site.static_notebook(_widget_nb(), number="42")
    html = static.cells[1].outputs[0]["data"]["text/html"]
    assert "make lab" in html and "make app NB=42" in html
    assert "Decay &amp; growth" in html
    assert "tau (ms) = <b>12.5</b>" in html
    assert html.count('class="bioviz-plot"') == 1
    assert "widgets" not in static.metadata  # no widget manager fetched from a CDN


def test_an_explorer_without_saved_state_still_gets_the_note():
    nb = _widget_nb()
    del nb.metadata["widgets"]
    html = site.static_notebook(nb).cells[1].outputs[0]["data"]["text/html"]
    assert "make lab" in html and "bioviz-plot" not in html


def test_a_thumbnail_comes_from_the_first_figure_even_inside_an_explorer():
    spec = json.loads(site.thumbnail(_widget_nb()))
    assert spec["data"] == PLOT["data"]
    assert spec["layout"]["title"] is None and spec["config"]["staticPlot"] is True


def test_links_to_notebooks_point_at_pages():
    md = "[report](reproductions/00-a.ipynb#claims) [web](https://x.org/y.ipynb) <a href='../00-a.ipynb'>t</a>"
    assert site.link_ipynb_to_html(md) == (
        "[report](reproductions/00-a.html#claims) [web](https://x.org/y.ipynb) <a href='../00-a.html'>t</a>"
    )


def test_a_run_is_stale_when_its_cells_differ_or_it_never_ran():
    src = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell("1")])
    run = nbformat.from_dict(json.loads(json.dumps(src)))
    assert site.is_stale(src, run)  # never ran
    run.cells[1].execution_count = 1
    assert not site.is_stale(src, run)
    run.cells[0].source = "# T, edited"
    assert site.is_stale(src, run)


@pytest.mark.slow
def test_build_executes_what_is_missing_and_writes_a_page_per_notebook(tmp_path):
    source = tmp_path / "notebooks"
    (source / "reproductions").mkdir(parents=True)
    code = "import plotly.graph_objects as go\nimport bioviz\ngo.Figure(go.Scatter(y=[1, 3, 2]))"
    tutorial = new_notebook(cells=[new_markdown_cell("# 01 · One\n\n[report](reproductions/01-one.ipynb)"),
                                   new_code_cell(code)])  # fmt: skip
    report = new_notebook(
        cells=[new_markdown_cell("# 01 · One: reproduction report\n\n[tutorial](../01-one.ipynb)")]
    )
    nbformat.write(tutorial, source / "01-one.ipynb")
    nbformat.write(report, source / "reproductions" / "01-one.ipynb")
    executed, out = tmp_path / "executed", tmp_path / "site"
    deck = site.build(source, executed, out, readme=None, log=lambda *a: None)

    assert [c.key for c in deck] == ["01-one"] and deck[0].thumbnail
    assert (executed / "01-one.ipynb").exists()  # executed here, since nothing was there
    page = (out / "01-one.html").read_text()
    assert 'href="reproductions/01-one.html"' in page and 'class="bioviz-plot"' in page
    assert 'href="../01-one.html"' in (out / "reproductions" / "01-one.html").read_text()
    for name in ("plotly.min.js", "site.js", "site.css", "mathjax/MathJax.js"):
        assert (out / "assets" / name).exists(), name
    landing = (out / "index.html").read_text()
    assert landing.count('class="bioviz-card"') == 1
    # nothing fetched from the network at view time
    for text in (page, landing):
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", text)
    # a second build finds the run up to date and executes nothing
    logged = []
    site.build(source, executed, out, readme=None, log=logged.append)
    assert not [line for line in logged if line.startswith("executing")]
