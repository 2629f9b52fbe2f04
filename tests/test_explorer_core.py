"""Tests of the explorer machinery itself (controls, registry, the plot a page draws)."""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from bioviz.explorer import (
    BUSY,
    CONTROL_WIDTH,
    PLOTLY_MIME,
    REGISTRY,
    Choice,
    Explorer,
    Float,
    Int,
    Toggle,
    discover,
    figure_output,
    wrap_title,
)
from bioviz.plots import new_figure


class _Counter(Explorer):
    """A toy explorer that counts its simulations (registered under a test-only name)."""

    name = "_test.counter"
    title = "toy"
    controls = (
        Float("amp", 1.0, 0.5, 2.0, 0.5),
        Int("n", 5, 2, 10),
        Choice("kind", "sin", options=("sin", "cos")),
        Toggle("markers", False, resimulate=False),
    )
    calls = 0

    def simulate(self, params, seed):
        type(self).calls += 1
        if params["n"] == 7:
            raise ValueError("n must not be 7 in this toy")
        rng = np.random.default_rng(seed)
        x = np.linspace(0, 1, params["n"])
        f = np.sin if params["kind"] == "sin" else np.cos
        return x, params["amp"] * f(x) + 0.01 * rng.standard_normal(x.size)

    def figure(self, result, params):
        fig = new_figure()
        fig.add_trace(
            go.Scatter(x=result[0], y=result[1], name="y", mode="lines+markers" if params["markers"] else "lines")
        )
        return fig


def test_registered_and_validated():
    assert REGISTRY["_test.counter"] is _Counter
    ex = _Counter()
    with pytest.raises(ValueError, match="amp must lie in"):
        ex.params(amp=5.0)
    with pytest.raises(ValueError, match="'nope' is not a control"):
        ex.params(nope=1)
    with pytest.raises(ValueError, match="kind must be one of"):
        ex.params(kind="tan")


def test_bad_declarations_rejected():
    with pytest.raises(ValueError, match="min must be < max"):
        Float("x", 1.0, 2.0, 1.0, 0.1)
    with pytest.raises(ValueError):
        Float("x", 5.0, 0.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="at least two options"):
        Choice("x", "a", options=("a",))
    with pytest.raises(TypeError, match="reserved"):
        type("Bad", (Explorer,), {"name": "_test.bad", "controls": (Toggle("seed", True),)})


def test_sample_values_hit_extremes():
    assert Float("x", 0.3, 0.0, 1.0, 0.25).sample_values() == [0.0, 0.5, 1.0]
    assert Int("n", 3, 2, 10, 2).sample_values() == [2, 6, 10]
    assert Choice("c", "b", options=("a", "b", "c")).sample_values() == ["a", "b", "c"]


def test_widget_resimulates_only_when_needed():
    ex = _Counter()
    w = ex.widget(seed=3)
    n0 = _Counter.calls
    w.set(markers=True)  # view-only: no new simulation
    assert _Counter.calls == n0 and w.last_timing["simulate"] == 0.0
    assert w.fig.data[0].mode == "lines+markers"
    w.controls["amp"].value = 2.0  # a reader moving the slider
    assert _Counter.calls == n0 + 1
    w.seed.value = 4
    assert _Counter.calls == n0 + 2


def test_widget_matches_pure_render_and_reports_errors():
    ex = _Counter()
    w = ex.widget(seed=1, n=9, kind="cos")
    ref = ex.render(seed=1, n=9, kind="cos")
    np.testing.assert_allclose(w.fig.data[0].y, ref.data[0].y)
    before = np.array(w.fig.data[0].y)
    w.set(n=7)
    assert w.last_error and "n must not be 7" in w.last_error
    assert "n must not be 7" in w.status.value
    np.testing.assert_allclose(w.fig.data[0].y, before)  # the last good figure stays


def test_resimulating_sliders_do_not_fire_while_dragging():
    w = _Counter().widget()
    assert w.controls["amp"].continuous_update is False
    assert w.controls["n"].continuous_update is False
    assert "bioviz-control-amp" in w.controls["amp"]._dom_classes


def test_discover_finds_the_package_explorers_only():
    found = discover()
    assert {"primer.neuron", "primer.encoding", "primer.surrogate", "primer.training"} <= set(found)
    assert "_test.counter" not in found  # defined outside the package: not part of the suite


def _array(value) -> np.ndarray:
    """A plotly JSON array (a list, or a base64 typed array as plotly.js receives it)."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape(value["shape"]) if "shape" in value else flat
    return np.asarray(value, dtype=float)


def _shown(w) -> dict:
    """What a view of the widget draws, now or after a page reload: the Output's synced state,
    sent through the same JSON a comm message uses."""
    (output,) = json.loads(json.dumps(w.plot.get_state()["outputs"]))
    assert output["output_type"] == "display_data"
    return output["data"][PLOTLY_MIME]


def test_the_synced_plot_follows_every_update():
    # a view created after the first draw (a page reload, a second view) draws from this
    # state; an empty or stale state would be a blank or wrong explorer
    w = _Counter().widget(seed=2)
    spec = _shown(w)
    assert len(spec["data"]) == 1
    np.testing.assert_allclose(_array(spec["data"][0]["y"]), w.fig.data[0].y)
    assert spec["layout"]["template"]["layout"]["font"]["family"]  # the project theme
    assert spec["layout"]["width"] == w.width and spec["config"]["displaylogo"] is False
    w.controls["amp"].value = 2.0
    w.set(markers=True)
    spec = _shown(w)
    np.testing.assert_allclose(_array(spec["data"][0]["y"]), w.fig.data[0].y)
    assert spec["data"][0]["mode"] == "lines+markers"
    assert np.max(np.abs(_array(spec["data"][0]["y"]))) > 1.5  # amp 2, not the first draw's amp 1
    w.set(n=7)  # an impossible setting keeps the last good plot
    assert _shown(w) == spec


def test_figure_output_is_strict_json():
    fig = new_figure()
    fig.add_scatter(x=np.arange(3.0), y=np.array([1.0, np.nan, 3.0]), name="gap")
    fig.add_scatter(x=[0, 1], y=[2.0, float("nan")], name="list")
    out = figure_output(fig)
    text = json.dumps(out, allow_nan=False)  # a NaN would make the comm message invalid JSON
    data = json.loads(text)["data"][PLOTLY_MIME]["data"]
    np.testing.assert_array_equal(_array(data[0]["y"]), [1.0, np.nan, 3.0])  # a gap kept
    assert data[1]["y"] == [2.0, None]
    assert out["data"]["text/plain"] == "<plotly figure: plot>"


def test_busy_state_is_shown_while_simulating():
    seen = []

    class Watch(_Counter):
        name = ""  # not registered

        def simulate(self, params, seed):
            if hasattr(self, "_widget"):
                seen.append(self._widget.status.value)
            return super().simulate(params, seed)

    ex = Watch()
    w = ex.widget()
    ex._widget = w
    w.controls["amp"].value = 1.5
    assert seen[-1] == BUSY and w.status.value == ""


def test_labels_sit_above_controls_and_long_titles_wrap():
    ex = _Counter()
    w = ex.widget()
    slider = w.controls["amp"]
    assert slider.description == "" and slider.layout.width == f"{CONTROL_WIDTH}px"
    row = ex.control("amp").row(slider)
    assert row.children[1] is slider and "amp" in row.children[0].value
    checkbox = w.controls["markers"]
    assert ex.control("markers").row(checkbox) is checkbox and checkbox.description == "markers"
    tagged = Float("r", 0.5, 0.0, 1.0, 0.1, label="mean rate <r_i>")
    assert "&lt;r_i&gt;" in tagged.row(tagged.make_widget()).children[0].value
    long = "word " * 40
    assert "<br>" in wrap_title(long) and wrap_title("short") == "short"
    assert wrap_title("a<br>" + long) == "a<br>" + long
