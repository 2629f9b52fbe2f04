"""Impossible input, table-driven, over the public functions the notebooks call.

The functions are found by reading every notebook's code cells (calls of names imported from
``bioviz``), so a new notebook's functions are covered without editing this file. For every
numeric, flag or choice parameter of each function, impossible values are tried one at a time
(the other arguments valid): NaN, inf and a string for a float; NaN, 2.5, 10**12 and a string for
an integer; a string and 2 for a flag; an unknown option for a choice; an array with a NaN and an
empty array for an array. Each call must raise ValueError or TypeError naming the parameter,
within a time limit (a call that ran on counts as a failure); so none returns NaN, none accepts
the value silently and none hangs.

A function with required arguments is probed when :data:`REQUIRED` gives valid ones; figures,
explorers (whose controls are tested in test_explorers.py) and report helpers are left out.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import math
import signal
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_MODULES = (
    ".figures.",
    ".explorers.",
    ".paper.",
    "bioviz.report",
    "bioviz.theme",
    "bioviz.runtime",
    "bioviz.plots",
)
#: Parameters that are not values of the model (progress bars, backends, labels).
SKIP_PARAMS = {"show_progress", "parallel", "title", "desc", "name", "label", "labels", "plasticity", "weights"}
#: Valid required arguments (the notebooks' own values, made small) of the functions that need them.
REQUIRED = {
    "bioviz.multitask.network.patterns": dict(N=100, K=2, d=0.3),
    "bioviz.multitask.network.examples": dict(xi=np.array([[1, 0, -1, 1]]), M=3, r=0.5),
    "bioviz.multitask.network.hierarchical_law": dict(d=0.3, K=3),
    "bioviz.multitask.network.critical_dilution": dict(K=4),
    "bioviz.multitask.network.dataset_entropy": dict(M=10, r=0.5),
    "bioviz.multitask.network.learned_overlap": dict(M=10, r=0.5),
    "bioviz.multitask.network.predicted_threshold": dict(r=0.5),
    "bioviz.primer.encoding.digit": dict(index=0),
    "bioviz.primer.encoding.first_of_class": dict(label=3),
    "bioviz.primer.encoding.encode": dict(kind="rate", image=np.full((8, 8), 0.5), num_steps=5),
    "bioviz.primer.lif.fi_curve": dict(currents_nA=np.array([2.0, 3.0]), duration_ms=50.0),
    "bioviz.primer.lif.rate_closed_form": dict(current_nA=np.array([2.0, 3.0])),
    "bioviz.primer.lif.relative_error": dict(simulated=np.array([1.0, 2.0]), reference=np.array([1.0, 2.5])),
    "bioviz.primer.training.surrogate_shape": dict(name="fast_sigmoid"),
    "bioviz.reservoir.model.input_sequence": dict(steps=50),
    "bioviz.reservoir.tasks.gaussian": dict(n=20),
    "bioviz.reservoir.tasks.orthogonal": dict(n=20),
    "bioviz.reservoir.model.spectral_radius": dict(W=np.eye(4) * 0.5),
    "bioviz.cam.hopfield.mceliece_capacity": dict(N=100),
    "bioviz.cam.network.Plasticity.from_ratio": dict(ratio=0.5),
    "bioviz.fusion.iemf.coefficient": dict(rho=np.array([0.5, 1.0])),
    "bioviz.fusion.iemf.enhancement_index": dict(cm=np.array([2.0]), sm_a=np.array([1.0]), sm_v=np.array([1.5])),
    "bioviz.swimmer.task.joint_limit": dict(n_links=6),
    "bioviz.swimmer.task.observation_size": dict(n_links=6),
    "bioviz.geometry.manifolds.separability": dict(
        clean=np.random.default_rng(0).normal(size=(8, 3)), attacked=np.random.default_rng(1).normal(size=(8, 3))
    ),
}
#: Values that are not impossible for these parameters, and why (kind: "huge", "empty" or "nan").
ACCEPTED = {
    ("bioviz.cam.hopfield.mceliece_capacity", "N", "huge"): "a closed form, defined for any N",
    ("bioviz.primer.lif.rate_closed_form", "current_nA", "empty"): "element-wise: empty in, empty out",
    ("bioviz.fusion.iemf.coefficient", "rho", "empty"): "element-wise: empty in, empty out",
    ("bioviz.fusion.iemf.enhancement_index", "cm", "empty"): "element-wise: empty in, empty out",
    ("bioviz.fusion.iemf.enhancement_index", "sm_a", "empty"): "element-wise: empty in, empty out",
    ("bioviz.fusion.iemf.enhancement_index", "sm_v", "empty"): "element-wise: empty in, empty out",
    ("bioviz.primer.lif.relative_error", "simulated", "nan"): "NaN marks a missing rate; the error is NaN there",
    ("bioviz.primer.lif.relative_error", "reference", "nan"): "NaN marks a missing rate; the error is NaN there",
}
#: String parameters that are free text, not a choice among options.
FREE_TEXT = {"dev"}
#: Seconds a call may run before it counts as running on (every refusal takes milliseconds).
LIMIT_S = 20


def notebook_calls() -> list[str]:
    """Qualified names of the ``bioviz`` callables the notebooks call (sorted)."""
    found = set()
    for path in sorted(ROOT.glob("notebooks/**/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        tree = ast.parse("\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!"))))
        names = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bioviz"):
                names.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in names:
                    found.add(f"{names[f.value.id]}.{f.attr}")
                elif isinstance(f, ast.Name) and f.id in names:
                    found.add(names[f.id])
    return sorted(found)


def _resolve(qualname: str):
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
        return obj
    return None


def _bad_values(value) -> list:
    if isinstance(value, bool):
        return ["no", 2]
    if isinstance(value, int):
        return [math.nan, 2.5, 10**12, "x"]
    if isinstance(value, float):
        return [math.nan, math.inf, "x"]
    if isinstance(value, str):
        return ["no-such-option"]
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return [np.where(np.arange(value.size).reshape(value.shape) == 0, np.nan, value), value[:0]]
    return []


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return "empty" if value.size == 0 else "nan"
    return "huge" if isinstance(value, int) and not isinstance(value, bool) and value > 10**9 else "other"


def cases() -> list:
    out = []
    for qualname in notebook_calls():
        if any(s in qualname for s in SKIP_MODULES):
            continue
        fn = _resolve(qualname)
        if not callable(fn):
            continue
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            continue
        params = [p for p in params if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        base = REQUIRED.get(qualname, {})
        if any(p.default is p.empty and p.name not in base for p in params):
            continue  # needs arguments we have no valid value for
        for p in params:
            if p.name in SKIP_PARAMS or p.name in FREE_TEXT:
                continue
            for bad in _bad_values(base.get(p.name, p.default)):
                if (qualname, p.name, _kind(bad)) in ACCEPTED:
                    continue
                out.append(
                    pytest.param(
                        qualname, p.name, bad, id=f"{qualname.removeprefix('bioviz.')}-{p.name}={bad!r:.20}"
                    )
                )
    return out


class _RanOn(Exception):
    pass


def _alarm(*_):
    raise _RanOn()


@pytest.mark.parametrize("qualname, param, bad", cases())
def test_impossible_value_is_refused_by_name(qualname, param, bad):
    fn = _resolve(qualname)
    kwargs = {**REQUIRED.get(qualname, {}), param: bad}
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(LIMIT_S)
    try:
        with pytest.raises((ValueError, TypeError)) as err:
            fn(**kwargs)
    except _RanOn:
        pytest.fail(f"{qualname}({param}={bad!r}) ran on past {LIMIT_S} s instead of refusing the value")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert param in str(err.value), (
        f"{qualname}({param}={bad!r}): the message does not name {param!r}: {err.value}"
    )


def test_the_table_covers_the_notebooks():
    # guards the discovery itself: most notebook-called model functions are probed
    probed = {c.values[0] for c in cases()}
    assert len(probed) >= 60, sorted(probed)
    assert {
        "bioviz.multitask.network.retrieve",
        "bioviz.primer.training.train",
        "bioviz.swimmer.rollout.ncap",
    } <= probed
