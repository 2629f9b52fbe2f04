"""One generic test for every explorer in the package (found by bioviz.explorer.discover).

For each explorer and each control: drive the control to its min, middle and max (and the
widget through a few random combinations) and assert
- no error, and no NaN or inf anywhere in the figure's data;
- the figure's data changes when the control moves (a dead control fails);
- the widget (its figure and the plot its page draws) shows exactly what the pure ``render``
  path gives for the same settings and seed, and rendering twice with the same settings and
  seed gives the same figure.
A new notebook's explorers are covered without editing this file.
"""

import json
import numbers

import numpy as np
import pytest
from plotly.utils import PlotlyJSONEncoder

from bioviz.explorer import PLOTLY_MIME, discover, figure_output, no_caches

pytestmark = pytest.mark.slow
EXPLORERS = discover()
N_RANDOM = 3


def data_json(fig) -> str:
    """The figure's data (not layout), as canonical JSON."""
    traces = [{k: v for k, v in t.to_plotly_json().items() if k != "uid"} for t in fig.data]
    return json.dumps({"data": traces}, cls=PlotlyJSONEncoder, sort_keys=True)


def _walk_numbers(obj, path="data"):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_numbers(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _walk_numbers(v, f"{path}[{i}]")
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            yield path, obj
        elif obj.dtype == object:
            for i, v in enumerate(obj.ravel()):
                yield from _walk_numbers(v, f"{path}[{i}]")
    elif isinstance(obj, numbers.Real) and not isinstance(obj, bool):
        yield path, np.asarray(float(obj))


def assert_finite(fig, where):
    for trace in fig.data:
        for path, values in _walk_numbers(trace.to_plotly_json(), f"{trace.type}:{trace.name}"):
            assert np.all(np.isfinite(values)), f"{where}: NaN/inf in {path}"


def _changed_somewhere(explorer, control, rng) -> bool:
    """Does moving ``control`` change the figure's data at some random base (the defaults were
    already tried through the widget)?"""
    bases = []
    others = [c for c in explorer.controls if c.name != control.name]
    for _ in range(4):
        bases.append({**explorer.defaults(), **{c.name: c.random_value(rng) for c in others}})
    for base in bases:
        figs = set()
        for value in control.sample_values():
            figs.add(data_json(explorer.render(seed=0, **{**base, control.name: value})))
        if len(figs) > 1:
            return True
    return False


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_explorer_controls(name):
    explorer = EXPLORERS[name]()
    widget = explorer.widget(seed=0)
    assert widget.last_error is None, widget.last_error
    assert_finite(widget.fig, f"{name} defaults")
    rng = np.random.default_rng(0)
    for control in explorer.controls:
        seen = set()
        for value in control.sample_values():
            widget.set(**{control.name: value})
            where = f"{name}: {control.name}={value!r}"
            assert widget.last_error is None, f"{where}: {widget.last_error}"
            assert_finite(widget.fig, where)
            seen.add(data_json(widget.fig))
        widget.set(**{control.name: control.value})
        assert len(seen) > 1 or _changed_somewhere(explorer, control, rng), (
            f"{name}: moving {control.name!r} never changes the figure's data"
        )
    for i in range(N_RANDOM):
        values = {c.name: c.random_value(rng) for c in explorer.controls}
        widget.set(**values)
        where = f"{name}: random combination {i} {values}"
        assert widget.last_error is None, f"{where}: {widget.last_error}"
        assert_finite(widget.fig, where)
        # the widget shows exactly what a fresh render gives, and so does its plot on the page
        fresh = explorer.render(seed=0, **values)
        assert data_json(widget.fig) == data_json(fresh), where
        shown = widget.plot.outputs[0]["data"][PLOTLY_MIME]["data"]
        assert shown == figure_output(fresh)["data"][PLOTLY_MIME]["data"], where


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_explorer_is_deterministic(name):
    # two computations, not one cached object compared with itself: every memo is bypassed
    explorer = EXPLORERS[name]()
    with no_caches():
        a = explorer.render(seed=7)
        b = explorer.render(seed=7)
    assert data_json(a) == data_json(b)
    assert json.loads(data_json(a))["data"], f"{name}: empty figure"
    assert data_json(explorer.render(seed=7)) == data_json(a)  # the cached path agrees
