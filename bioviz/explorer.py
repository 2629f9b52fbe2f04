"""The explorer pattern shared by every notebook.

An explorer is three things:

1. ``simulate(params, seed) -> result`` -- a pure function of the parameters and the seed
   (the same seed gives the same result);
2. ``figure(result, params) -> go.Figure`` -- a pure function drawing that result;
3. a declaration of its controls (:class:`Float`, :class:`Int`, :class:`Choice`,
   :class:`Toggle`), each marked ``resimulate=True`` (changes the model: re-run ``simulate``)
   or ``False`` (changes only the view: re-draw from the cached result).

:meth:`Explorer.widget` wires ipywidgets controls to those functions and updates one
``go.FigureWidget`` in place. Controls that re-simulate use ``continuous_update=False`` so a
drag fires once, on release; view-only controls update live.

Every subclass that sets ``name`` is registered; :func:`discover` imports the ``explorers``
module of every ``bioviz`` subpackage, so tests and benchmarks find every explorer without
being edited for a new notebook.

Example
-------
>>> import numpy as np
>>> class Sine(Explorer):
...     name = "doc.sine"
...     title = "A sine"
...     stochastic = False
...     controls = (Float("freq", 1.0, 0.5, 5.0, 0.5),  # name, value, min, max, step
...                 Toggle("grid", True, resimulate=False))
...     def simulate(self, params, seed):
...         t = np.linspace(0, 1, 50)
...         return t, np.sin(2 * np.pi * params["freq"] * t)
...     def figure(self, result, params):
...         fig = new_figure()
...         fig.add_scatter(x=result[0], y=result[1])
...         fig.update_xaxes(showgrid=params["grid"])
...         return fig
>>> fig = Sine().render(freq=2.0)
>>> len(fig.data)
1
>>> _ = REGISTRY.pop("doc.sine")
"""

from __future__ import annotations

import copy
import html
import importlib
import pkgutil
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import plotly.graph_objects as go

from bioviz.plots import new_figure
from bioviz.validation import check_choice, check_int, check_range, check_seed

__all__ = [
    "Control",
    "Float",
    "Int",
    "Choice",
    "Toggle",
    "Explorer",
    "ExplorerWidget",
    "REGISTRY",
    "discover",
    "update_in_place",
    "new_figure",
]


# --------------------------------------------------------------------------------------------
# controls

#: Width of one control in an explorer's grid (px); the label sits above the widget.
CONTROL_WIDTH = 300


@dataclass(frozen=True)
class Control:
    """Base class of a declared control. Subclasses define the widget and the values to try."""

    name: str
    value: Any
    label: str | None = field(default=None, kw_only=True)
    resimulate: bool = field(default=True, kw_only=True)
    help: str = field(default="", kw_only=True)

    @property
    def description(self) -> str:
        return self.label or self.name

    def validate(self, value):  # pragma: no cover - overridden
        raise NotImplementedError

    def sample_values(self) -> list:
        """Values a test drives the control to: the extremes and the middle."""
        raise NotImplementedError  # pragma: no cover

    def random_value(self, rng: np.random.Generator):
        raise NotImplementedError  # pragma: no cover

    def make_widget(self):
        raise NotImplementedError  # pragma: no cover

    def _finish(self, widget):
        widget.add_class("bioviz-control")
        widget.add_class(f"bioviz-control-{self.name}")
        widget.add_class("bioviz-resimulate" if self.resimulate else "bioviz-replot")
        if self.help:
            widget.tooltip = self.help
        return widget

    def row(self, widget):
        """The widget as laid out in an explorer: its label on a line of its own above it, so
        a long label never squeezes a slider's track (a checkbox keeps its label beside it)."""
        import ipywidgets as w

        if isinstance(widget, w.Checkbox):
            return widget
        label = w.HTML(f"<span class='bioviz-label'>{html.escape(self.description)}</span>",
                       layout=w.Layout(width=f"{CONTROL_WIDTH}px", margin="0 0 -4px 0"))
        return w.VBox([label, widget], layout=w.Layout(width=f"{CONTROL_WIDTH}px"))


@dataclass(frozen=True)
class Float(Control):
    """A float slider from ``min`` to ``max`` in steps of ``step``."""

    min: float = 0.0
    max: float = 1.0
    step: float = 0.1
    readout_format: str = field(default=".3g", kw_only=True)

    def __post_init__(self):
        if not self.min < self.max:
            raise ValueError(f"{self.name}: min must be < max")
        if self.step <= 0:
            raise ValueError(f"{self.name}: step must be > 0")
        check_range(self.name, self.value, self.min, self.max)

    def validate(self, value):
        return check_range(self.name, value, self.min, self.max)

    def _snap(self, value: float) -> float:
        n = round((value - self.min) / self.step)
        snapped = self.min + n * self.step
        return float(min(max(snapped, self.min), self.max))

    def sample_values(self):
        return [self.min, self._snap((self.min + self.max) / 2), self.max]

    def random_value(self, rng):
        return self._snap(rng.uniform(self.min, self.max))

    def make_widget(self):
        import ipywidgets as w

        return self._finish(w.FloatSlider(
            value=self.value, min=self.min, max=self.max, step=self.step,
            continuous_update=not self.resimulate, readout_format=self.readout_format,
            layout=w.Layout(width=f"{CONTROL_WIDTH}px")))


@dataclass(frozen=True)
class Int(Control):
    """An integer slider from ``min`` to ``max``."""

    min: int = 0
    max: int = 10
    step: int = 1

    def __post_init__(self):
        if not self.min < self.max:
            raise ValueError(f"{self.name}: min must be < max")
        check_int(self.name, self.value, self.min, self.max)

    def validate(self, value):
        return check_int(self.name, value, self.min, self.max)

    def sample_values(self):
        mid = self.min + ((self.max - self.min) // 2 // self.step) * self.step
        return [self.min, mid, self.max]

    def random_value(self, rng):
        return int(self.min + self.step * rng.integers(0, (self.max - self.min) // self.step + 1))

    def make_widget(self):
        import ipywidgets as w

        return self._finish(w.IntSlider(
            value=self.value, min=self.min, max=self.max, step=self.step,
            continuous_update=not self.resimulate, layout=w.Layout(width=f"{CONTROL_WIDTH}px")))


@dataclass(frozen=True)
class Choice(Control):
    """A drop-down over ``options``."""

    options: tuple = ()

    def __post_init__(self):
        if len(self.options) < 2:
            raise ValueError(f"{self.name}: a choice needs at least two options")
        check_choice(self.name, self.value, self.options)

    def validate(self, value):
        return check_choice(self.name, value, self.options)

    def sample_values(self):
        return [self.options[0], self.options[len(self.options) // 2], self.options[-1]]

    def random_value(self, rng):
        return self.options[int(rng.integers(0, len(self.options)))]

    def make_widget(self):
        import ipywidgets as w

        return self._finish(w.Dropdown(
            options=list(self.options), value=self.value,
            layout=w.Layout(width=f"{CONTROL_WIDTH}px")))


@dataclass(frozen=True)
class Toggle(Control):
    """An on/off checkbox."""

    def __post_init__(self):
        if not isinstance(self.value, bool):
            raise ValueError(f"{self.name}: a toggle's value must be a bool")

    def validate(self, value):
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{self.name} must be True or False, got {value!r}")
        return bool(value)

    def sample_values(self):
        return [False, True]

    def random_value(self, rng):
        return bool(rng.integers(0, 2))

    def make_widget(self):
        import ipywidgets as w

        return self._finish(w.Checkbox(value=self.value, description=self.description,
                                       indent=False, layout=w.Layout(width=f"{CONTROL_WIDTH}px")))


# --------------------------------------------------------------------------------------------
# explorers and their registry

#: name -> Explorer subclass, filled as subclasses are defined.
REGISTRY: dict[str, type[Explorer]] = {}


class Explorer:
    """Base class: declare ``name``, ``title``, ``controls``; implement ``simulate``/``figure``.

    ``stochastic = True`` adds a seed box to the widget. ``simulate`` must be deterministic
    given ``(params, seed)``; ``figure`` must be a pure function of ``(result, params)``.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    controls: ClassVar[tuple[Control, ...]] = ()
    stochastic: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            names = [c.name for c in cls.controls]
            if len(set(names)) != len(names):
                raise TypeError(f"{cls.__name__}: duplicate control names {names}")
            if "seed" in names:
                raise TypeError(f"{cls.__name__}: 'seed' is reserved")
            REGISTRY[cls.name] = cls

    # -- the two pure functions -----------------------------------------------------------
    def simulate(self, params: dict, seed: int):
        raise NotImplementedError

    def figure(self, result, params: dict) -> go.Figure:
        raise NotImplementedError

    # -- parameters -----------------------------------------------------------------------
    def control(self, name: str) -> Control:
        for c in self.controls:
            if c.name == name:
                return c
        raise ValueError(f"{name!r} is not a control of {self.name}; "
                         f"known: {[c.name for c in self.controls]}")

    def defaults(self) -> dict:
        return {c.name: c.value for c in self.controls}

    def params(self, **overrides) -> dict:
        """Defaults updated by ``overrides``, each validated by its control."""
        params = self.defaults()
        for key, value in overrides.items():
            params[key] = self.control(key).validate(value)
        return params

    def sim_key(self, params: dict, seed: int) -> tuple:
        """What ``simulate`` depends on: the re-simulating controls and the seed."""
        return (seed,) + tuple(params[c.name] for c in self.controls if c.resimulate)

    def render(self, seed: int = 0, **overrides) -> go.Figure:
        """``figure(simulate(params, seed), params)`` without any widget."""
        params = self.params(**overrides)
        fig = self.figure(self.simulate(params, check_seed(seed)), params)
        fit_title(fig)
        return fig

    def widget(self, seed: int = 0, **overrides) -> ExplorerWidget:
        """The interactive explorer: controls above a FigureWidget updated in place."""
        return ExplorerWidget(self, seed=seed, **overrides)


def discover() -> dict[str, type[Explorer]]:
    """Import every ``bioviz.<subpackage>.explorers`` module; return the package's explorers.

    Explorers defined outside the package (in a notebook or a test) stay in :data:`REGISTRY`
    but are not returned.
    """
    import bioviz

    for mod in pkgutil.iter_modules(bioviz.__path__):
        if mod.ispkg:
            try:
                importlib.import_module(f"bioviz.{mod.name}.explorers")
            except ModuleNotFoundError as err:
                if err.name != f"bioviz.{mod.name}.explorers":
                    raise
    return {name: cls for name, cls in sorted(REGISTRY.items())
            if cls.__module__.startswith("bioviz.")}


# --------------------------------------------------------------------------------------------
# the widget


def _same_structure(a: Sequence, b: Sequence) -> bool:
    return len(a) == len(b) and all(
        x.type == y.type and x.name == y.name for x, y in zip(a, b, strict=True))


def _equal(a, b) -> bool:
    """Deep equality of plotly JSON values (dicts, lists, numpy arrays, scalars)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        except TypeError:  # object arrays with None gaps
            return np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _changes(old: dict, new: dict, skip=("uid",)) -> dict:
    """Top-level properties of ``new`` that differ from ``old`` (removed ones map to None)."""
    out = {k: v for k, v in new.items() if k not in skip and not _equal(old.get(k), v)}
    out.update({k: None for k in old if k not in new and k not in skip})
    return out


def update_in_place(target: go.Figure, new: go.Figure) -> None:
    """Make ``target`` (usually a FigureWidget) show ``new`` with one batched update.

    When the structure (trace types and names) is unchanged, only the properties that differ
    are sent: plotly validates every property it sets, so a re-plot that changes one axis range
    or one trace costs a fraction of a full redraw. Otherwise the traces are replaced.
    """
    new_layout = new.layout.to_plotly_json()
    themed = target.layout.template.layout.font.family is not None
    # once the theme is in place (all our figures share it), re-validating it costs ms
    new_layout.pop("template", None)
    with target.batch_update():
        if not themed:
            target.layout.template = new.layout.template
        if _same_structure(target.data, new.data):
            for old, fresh in zip(target.data, new.data, strict=True):
                changes = _changes(old.to_plotly_json(), fresh.to_plotly_json())
                if changes:
                    old.update(changes, overwrite=True)
        else:
            target.data = ()
            target.add_traces(list(new.data))
        old_layout = target.layout.to_plotly_json()
        old_layout.pop("template", None)
        changes = _changes(old_layout, new_layout, skip=("template",))
        if changes:
            target.layout.update(changes, overwrite=True)


def sync_widget_state(fig) -> None:
    """Copy a FigureWidget's figure into its synced widget state.

    plotly's FigureWidget sends edits to the page as ``_py2js_*`` messages, which a view
    applies only if it already exists and its JavaScript has loaded; a view created later (a
    page reload, a second display, a model whose code loaded after the messages) draws from
    the synced ``_widget_data`` / ``_widget_layout`` traits. plotly copies the figure into them
    only in ``__init__`` and ``_repr_mimebundle_``, which never runs for a FigureWidget inside
    a VBox, so without this such a view shows an empty plot. Existing views ignore a change of
    these traits, so nothing is drawn twice.
    """
    fig._widget_layout = copy.deepcopy(fig._layout_obj._props)
    fig._widget_data = copy.deepcopy(fig._data)


def fit_title(fig, width: int = 90) -> None:
    """Wrap a figure's long title (:func:`wrap_title`) and make room for its lines above the
    plot, so it overlaps neither the subplot titles nor the plot."""
    text = wrap_title(fig.layout.title.text, width)
    fig.layout.title.text = text
    lines = text.count("<br>") + 1 if text else 0
    if lines > 1:
        top = fig.layout.margin.t if fig.layout.margin.t is not None else 60
        fig.layout.margin.t = max(top, 40 + 22 * lines)  # plotly centres the title in it


def wrap_title(text: str | None, width: int = 90) -> str | None:
    """Break a long plot title into lines of at most ``width`` characters (``<br>``), so it is
    not cut off on a laptop screen; titles that already contain ``<br>`` are left alone.

    >>> wrap_title("a " * 60, width=40).count("<br>")
    2
    """
    if not text or "<br>" in text or len(text) <= width:
        return text
    return "<br>".join(textwrap.wrap(text, width))


#: The status line while a re-simulation runs.
BUSY = "<span class='bioviz-busy' style='color:#7f8c8d'>&#8987; computing&hellip;</span>"


class ExplorerWidget:
    """Controls, a status line and a FigureWidget for one explorer.

    Drive it from Python the way a reader does: ``w.set(name=value)`` (or set
    ``w.controls[name].value``) and read ``w.fig``. ``last_timing`` holds the seconds spent in
    the last callback (``simulate``, ``figure``, ``total``); ``last_error`` the last error shown.
    Display it in a notebook by leaving it as the last expression of a cell.
    """

    #: Plot width in pixels when the figure sets none: fits a JupyterLab notebook column on a
    #: 1280 px laptop screen with the file browser open.
    width = 820

    def __init__(self, explorer: Explorer, seed: int = 0, **overrides):
        import ipywidgets as w

        self.explorer = explorer
        params = explorer.params(**overrides)
        self.controls = {c.name: c.make_widget() for c in explorer.controls}
        for name, value in params.items():
            self.controls[name].value = value
        self.seed = None
        if explorer.stochastic:
            self.seed = w.BoundedIntText(value=check_seed(seed), min=0, max=2**31 - 1,
                                         description="seed", continuous_update=False,
                                         layout=w.Layout(width="160px"))
            self.seed.add_class("bioviz-control")
            self.seed.add_class("bioviz-control-seed")
        self.status = w.HTML()
        self.status.add_class("bioviz-status")
        self.output = w.Output()
        self._key = None
        self._result = None
        self.last_timing: dict[str, float] = {}
        self.last_error: str | None = None
        self.fig = None
        self._refresh()  # first draw: builds self.fig from the first figure (theme included)
        if self.fig is None:  # the first settings were impossible: an empty plot, and why
            self.fig = go.FigureWidget()
        slug = explorer.name.replace(".", "-")
        fig_box = w.VBox([self.fig], layout=w.Layout(width="100%"))  # stretch the plot to the cell
        fig_box.add_class("bioviz-figure")
        inputs = list(self.controls.values()) + ([self.seed] if self.seed is not None else [])
        rows = [c.row(self.controls[c.name]) for c in explorer.controls]
        rows += [self.seed] if self.seed is not None else []
        grid = w.GridBox(rows, layout=w.Layout(
            grid_template_columns=f"repeat(auto-fill, {CONTROL_WIDTH + 16}px)", grid_gap="2px 8px"))
        title = w.HTML(f"<b>{explorer.title}</b>")
        self.box = w.VBox([title, grid, self.status, fig_box, self.output])
        self.box.add_class("bioviz-explorer")
        self.box.add_class(f"bioviz-explorer-{slug}")
        for widget in inputs:
            widget.observe(self._on_change, names="value")

    # display hook: a cell ending in an ExplorerWidget shows its box
    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)

    def values(self) -> dict:
        return {name: widget.value for name, widget in self.controls.items()}

    def set(self, **values) -> None:
        """Set several controls at once, then update once (as a reader would, one by one)."""
        for name, value in values.items():
            target = self.seed if name == "seed" else self.controls[name]
            target.unobserve(self._on_change, names="value")
            try:
                target.value = value
            finally:
                target.observe(self._on_change, names="value")
        self._refresh()

    def _on_change(self, change) -> None:
        self._refresh()

    def _refresh(self) -> None:
        t0 = time.perf_counter()
        timing = {"simulate": 0.0, "figure": 0.0}
        try:
            params = self.explorer.params(**self.values())
            seed = check_seed(self.seed.value) if self.seed is not None else 0
            key = self.explorer.sim_key(params, seed)
            if key != self._key:
                self.status.value = BUSY  # sent to the page at once, before the work starts
                self.output.clear_output()
                with self.output:
                    result = self.explorer.simulate(params, seed)
                self._result, self._key = result, key
                timing["simulate"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            fig = self.explorer.figure(self._result, params)
            if fig.layout.width is None:
                # plotly's FigureWidget does not autosize to its cell when first drawn
                fig.layout.width = self.width
            fit_title(fig)
            if self.fig is None:
                self.fig = go.FigureWidget(fig)
            else:
                update_in_place(self.fig, fig)
            sync_widget_state(self.fig)
            timing["figure"] = time.perf_counter() - t1
            self.last_error = None
            self.status.value = ""
        except ValueError as err:  # impossible combination: say which parameter, keep the plot
            self.last_error = str(err)
            self.status.value = f"<span style='color:#c0392b'>&#9888; {err}</span>"
        timing["total"] = time.perf_counter() - t0
        self.last_timing = timing

