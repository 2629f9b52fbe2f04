"""One generic test for every explorer in the package (found by bioviz.explorer.discover).

For each explorer and each control: drive the control to its min, middle and max (and the
widget through a few random combinations) and assert
- no error, and no NaN or inf anywhere in the figure's data;
- the figure's data changes when the control moves (a dead control fails);
- the widget (its figure and the plot its page draws) shows exactly what the pure ``render``
  path gives for the same settings and seed, and rendering twice with the same settings and
  seed gives the same figure.
Every control at its max together and at its min together, one vs two BLAS and torch threads,
and a second process must give the same figure data (caches bypassed). A new notebook's
explorers are covered without editing this file.
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


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_control_at_its_max_together_and_at_its_min_together(name):
    # the corners a reader reaches by dragging everything one way; every memo is bypassed
    explorer = EXPLORERS[name]()
    for end, index in (("max", -1), ("min", 0)):
        values = {c.name: c.sample_values()[index] for c in explorer.controls}
        with no_caches():
            fig = explorer.render(seed=3, **values)
        assert_finite(fig, f"{name}: every control at its {end} {values}")
        assert fig.data, f"{name}: empty figure with every control at its {end}"


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_same_numbers_on_one_or_two_threads(name):
    import torch
    from threadpoolctl import threadpool_limits

    explorer = EXPLORERS[name]()
    figs = []
    before = torch.get_num_threads()
    try:
        for n in (1, 2):
            torch.set_num_threads(n)
            with threadpool_limits(n), no_caches():
                figs.append(data_json(explorer.render(seed=5)))
    finally:
        torch.set_num_threads(before)
    assert figs[0] == figs[1], f"{name}: the figure depends on the number of BLAS/torch threads"


_IN_ANOTHER_PROCESS = """
import hashlib, json, sys
from bioviz.explorer import discover, no_caches
from tests.test_explorers import data_json
out = {}
for name, cls in discover().items():
    with no_caches():
        out[name] = hashlib.sha256(data_json(cls().render(seed=11)).encode()).hexdigest()
print(json.dumps(out))
"""


def test_same_numbers_in_another_process():
    # a fresh interpreter (its own hash seed, imports and caches) draws every explorer at its
    # defaults; each figure's data must be bit-identical to this process's
    import hashlib
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONHASHSEED": "123", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", _IN_ANOTHER_PROCESS], capture_output=True, text=True, env=env, cwd=root, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(theirs) == set(EXPLORERS)
    for name, cls in EXPLORERS.items():
        with no_caches():
            ours = hashlib.sha256(data_json(cls().render(seed=11)).encode()).hexdigest()
        assert ours == theirs[name], f"{name}: another process draws different data"
