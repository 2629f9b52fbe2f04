"""The explorer pattern shared by every notebook.

An explorer is three things:

1. ``simulate(params, seed) -> result`` -- a pure function of the parameters and the seed
   (the same seed gives the same result);
2. ``figure(result, params) -> go.Figure`` -- a pure function drawing that result;
3. a declaration of its controls (:class:`Float`, :class:`Int`, :class:`Choice`,
   :class:`Toggle`), each marked ``resimulate=True`` (changes the model: re-run ``simulate``)
   or ``False`` (changes only the view: re-draw from the cached result).

:meth:`Explorer.widget` wires ipywidgets controls to those functions and shows the figure in
an ``ipywidgets.Output`` (:func:`figure_output`). Controls that re-simulate use
``continuous_update=False`` so a drag fires once, on release; view-only controls update live.

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

import html
import importlib
import json
import pkgutil
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from typing_extensions import override

from bioviz.plots import new_figure
from bioviz.runtime import memo, no_caches
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
    "memo",
    "no_caches",
    "figure_output",
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
        """The text shown above the control: its label, else its name."""
        return self.label or self.name

    def validate(self, value):  # pragma: no cover - overridden
        """Return ``value`` as the control's type, or raise a ValueError naming the control."""
        raise NotImplementedError

    def sample_values(self) -> list:
        """Values a test drives the control to: the extremes and the middle."""
        raise NotImplementedError  # pragma: no cover

    def random_value(self, rng: np.random.Generator):
        """One valid value drawn with ``rng`` (for random combinations in tests)."""
        raise NotImplementedError  # pragma: no cover

    def make_widget(self):
        """The ipywidgets control, with the classes tests and the browser suite look for."""
        raise NotImplementedError  # pragma: no cover

    def _finish(self, widget):
        widget.add_class("bioviz-control")
        widget.add_class(f"bioviz-control-{self.name}")
        widget.add_class("bioviz-resimulate" if self.resimulate else "bioviz-replot")
        if self.help:
            widget.tooltip = self.help
        return widget

    def row(self, widget):
        """Lay out ``widget`` for an explorer's grid, its label on a line above it.

        A long label then never squeezes a slider's track; a checkbox keeps its label beside it.
        """
        import ipywidgets as w

        if isinstance(widget, w.Checkbox):
            return widget
        label = w.HTML(
            f"<span class='bioviz-label'>{html.escape(self.description)}</span>",
            layout=w.Layout(width=f"{CONTROL_WIDTH}px", margin="0 0 -4px 0"),
        )
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

    @override
    def validate(self, value):
        return check_range(self.name, value, self.min, self.max)

    def _snap(self, value: float) -> float:
        n = round((value - self.min) / self.step)
        snapped = self.min + n * self.step
        return float(min(max(snapped, self.min), self.max))

    @override
    def sample_values(self):
        return [self.min, self._snap((self.min + self.max) / 2), self.max]

    @override
    def random_value(self, rng):
        return self._snap(rng.uniform(self.min, self.max))

    @override
    def make_widget(self):
        import ipywidgets as w

        return self._finish(
            w.FloatSlider(
                value=self.value,
                min=self.min,
                max=self.max,
                step=self.step,
                continuous_update=not self.resimulate,
                readout_format=self.readout_format,
                layout=w.Layout(width=f"{CONTROL_WIDTH}px"),
            )
        )


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

    @override
    def validate(self, value):
        return check_int(self.name, value, self.min, self.max)

    @override
    def sample_values(self):
        mid = self.min + ((self.max - self.min) // 2 // self.step) * self.step
        return [self.min, mid, self.max]

    @override
    def random_value(self, rng):
        return int(self.min + self.step * rng.integers(0, (self.max - self.min) // self.step + 1))

    @override
    def make_widget(self):
        import ipywidgets as w

        return self._finish(
            w.IntSlider(
                value=self.value,
                min=self.min,
                max=self.max,
                step=self.step,
                continuous_update=not self.resimulate,
                layout=w.Layout(width=f"{CONTROL_WIDTH}px"),
            )
        )


@dataclass(frozen=True)
class Choice(Control):
    """A drop-down over ``options``."""

    options: tuple = ()

    def __post_init__(self):
        if len(self.options) < 2:
            raise ValueError(f"{self.name}: a choice needs at least two options")
        check_choice(self.name, self.value, self.options)

    @override
    def validate(self, value):
        return check_choice(self.name, value, self.options)

    @override
    def sample_values(self):
        return [self.options[0], self.options[len(self.options) // 2], self.options[-1]]

    @override
    def random_value(self, rng):
        return self.options[int(rng.integers(0, len(self.options)))]

    @override
    def make_widget(self):
        import ipywidgets as w

        return self._finish(
            w.Dropdown(options=list(self.options), value=self.value, layout=w.Layout(width=f"{CONTROL_WIDTH}px"))
        )


@dataclass(frozen=True)
class Toggle(Control):
    """An on/off checkbox."""

    def __post_init__(self):
        if not isinstance(self.value, bool):
            raise ValueError(f"{self.name}: a toggle's value must be a bool")

    @override
    def validate(self, value):
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{self.name} must be True or False, got {value!r}")
        return bool(value)

    @override
    def sample_values(self):
        return [False, True]

    @override
    def random_value(self, rng):
        return bool(rng.integers(0, 2))

    @override
    def make_widget(self):
        import ipywidgets as w

        return self._finish(
            w.Checkbox(
                value=self.value,
                description=self.description,
                indent=False,
                layout=w.Layout(width=f"{CONTROL_WIDTH}px"),
            )
        )


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
    #: Cheap settings of the costly controls (e.g. one training epoch), from which the fast
    #: test tier moves every control to its ends; the defaults are what a reader sees.
    small: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            names = [c.name for c in cls.controls]
            if len(set(names)) != len(names):
                raise TypeError(f"{cls.__name__}: duplicate control names {names}")
            if "seed" in names:
                raise TypeError(f"{cls.__name__}: 'seed' is reserved")
            controls = {c.name: c for c in cls.controls}
            for key, value in cls.small.items():
                if key not in controls:
                    raise TypeError(f"{cls.__name__}.small: {key!r} is not a control")
                controls[key].validate(value)
            REGISTRY[cls.name] = cls

    # -- the two pure functions -----------------------------------------------------------
    def simulate(self, params: dict, seed: int):
        """Run the model for ``params`` and ``seed``; the same arguments give the same result."""
        raise NotImplementedError

    def figure(self, result, params: dict) -> go.Figure:
        """Draw ``result``: a pure function of the result and the parameters."""
        raise NotImplementedError

    # -- parameters -----------------------------------------------------------------------
    def control(self, name: str) -> Control:
        """The declared control called ``name`` (a ValueError lists the known names)."""
        for c in self.controls:
            if c.name == name:
                return c
        raise ValueError(f"{name!r} is not a control of {self.name}; known: {[c.name for c in self.controls]}")

    def defaults(self) -> dict:
        """Every control's default value, by name."""
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
        """The interactive explorer: controls above its plot, redrawn as they move."""
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
    return {name: cls for name, cls in sorted(REGISTRY.items()) if cls.__module__.startswith("bioviz.")}


# --------------------------------------------------------------------------------------------
# the widget


#: The MIME type of plotly's JupyterLab renderer (the ``jupyterlab-plotly`` extension that
#: ships with the plotly package).
PLOTLY_MIME = "application/vnd.plotly.v1+json"

#: plotly.js options of every explorer plot (no plotly logo in the mode bar).
PLOT_CONFIG = {"displaylogo": False}


def figure_output(fig: go.Figure) -> dict:
    """``fig`` as one notebook ``display_data`` output, drawn by plotly's MIME renderer.

    An explorer shows its plot as this output inside an ``ipywidgets.Output``: the widget's
    synced state is the figure itself (a few kB to a few hundred kB of JSON), so a page reload,
    a second view or a view created before plotly.js has loaded always draws the current plot.
    plotly's ``FigureWidget`` instead keeps the figure in edit messages that a view created
    later never sees, and its state carries plotly's ~5 MB JavaScript bundle, which anywidget
    must load within 2 s per widget when a page is restored.

    Numeric arrays travel as plotly's base64 typed arrays (``{"dtype", "bdata"}``), which
    plotly.js decodes: a third of the size of a JSON list of numbers.

    >>> out = figure_output(new_figure().add_scatter(y=[0, 1, 2]))
    >>> out["data"][PLOTLY_MIME]["data"][0]["y"], sorted(out["data"])
    ([0, 1, 2], ['application/vnd.plotly.v1+json', 'text/plain'])
    """
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["config"] = dict(PLOT_CONFIG)
    title = fig.layout.title.text or "plot"
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {PLOTLY_MIME: spec, "text/plain": f"<plotly figure: {title}>"},
    }


def fit_title(fig, width: int = 90) -> None:
    """Wrap a figure's long title and make room for its lines above the plot.

    The title (:func:`wrap_title`) then overlaps neither the subplot titles nor the plot.
    """
    text = wrap_title(fig.layout.title.text, width)
    fig.layout.title.text = text
    lines = text.count("<br>") + 1 if text else 0
    if lines > 1:
        top = fig.layout.margin.t if fig.layout.margin.t is not None else 60
        fig.layout.margin.t = max(top, 40 + 22 * lines)  # plotly centres the title in it


def wrap_title(text: str | None, width: int = 90) -> str | None:
    """Break a long plot title into lines of at most ``width`` characters (``<br>``).

    A long title is then not cut off on a laptop screen; titles that already contain ``<br>``
    are left alone.

    >>> wrap_title("a " * 60, width=40).count("<br>")
    2
    """
    if not text or "<br>" in text or len(text) <= width:
        return text
    return "<br>".join(textwrap.wrap(text, width))


#: The status line while a re-simulation runs.
BUSY = "<span class='bioviz-busy' style='color:#7f8c8d'>&#8987; computing&hellip;</span>"


class ExplorerWidget:
    """Controls, a status line and a plot for one explorer.

    The plot is an ``ipywidgets.Output`` (``w.plot``) holding :func:`figure_output` of the
    current figure. Drive it from Python the way a reader does: ``w.set(name=value)`` (or set
    ``w.controls[name].value``) and read ``w.fig``, the ``go.Figure`` shown. ``last_timing``
    holds the seconds spent in the last callback (``simulate``, ``figure``, ``total``);
    ``last_error`` the last error shown.
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
            self.seed = w.BoundedIntText(
                value=check_seed(seed),
                min=0,
                max=2**31 - 1,
                description="seed",
                continuous_update=False,
                layout=w.Layout(width="160px"),
            )
            self.seed.add_class("bioviz-control")
            self.seed.add_class("bioviz-control-seed")
        self.status = w.HTML()
        self.status.add_class("bioviz-status")
        self.output = w.Output()
        self._key = None
        self._result = None
        self.last_timing: dict[str, float] = {}
        self.last_error: str | None = None
        self.fig: go.Figure | None = None
        self.plot = w.Output(layout=w.Layout(width="100%"))
        self.plot.add_class("bioviz-figure")
        self._refresh()  # first draw
        if self.fig is None:  # the first settings were impossible: an empty plot, and why
            self.fig = new_figure()
            self.plot.outputs = (figure_output(self.fig),)
        slug = explorer.name.replace(".", "-")
        inputs = list(self.controls.values()) + ([self.seed] if self.seed is not None else [])
        rows = [c.row(self.controls[c.name]) for c in explorer.controls]
        rows += [self.seed] if self.seed is not None else []
        grid = w.GridBox(
            rows,
            layout=w.Layout(
                grid_template_columns=f"repeat(auto-fill, {CONTROL_WIDTH + 16}px)", grid_gap="2px 8px"
            ),
        )
        title = w.HTML(f"<b>{explorer.title}</b>")
        self.box = w.VBox([title, grid, self.status, self.plot, self.output])
        self.box.add_class("bioviz-explorer")
        self.box.add_class(f"bioviz-explorer-{slug}")
        for widget in inputs:
            widget.observe(self._on_change, names="value")

    # display hook: a cell ending in an ExplorerWidget shows its box
    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)

    def values(self) -> dict:
        """The controls' current values, by name (the seed not included)."""
        return {name: widget.value for name, widget in self.controls.items()}

    def set(self, **values) -> None:
        """Set several controls at once, then update once (as a reader would, one by one).

        A value outside a control's range, or of the wrong type, raises a ValueError naming the
        control (a slider would silently clamp it).
        """
        checked = {}
        for name, value in values.items():
            if name == "seed" and self.seed is not None:
                checked[name] = check_seed(value)
            else:
                checked[name] = self.explorer.control(name).validate(value)
        for name, value in checked.items():
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
            if fig.layout.width is None:  # a fixed width: the plot never overflows its cell
                fig.layout.width = self.width
            fit_title(fig)
            self.plot.outputs = (figure_output(fig),)  # one message; the page redraws the plot
            self.fig = fig
            timing["figure"] = time.perf_counter() - t1
            self.last_error = None
            self.status.value = ""
        except ValueError as err:  # impossible combination: say which parameter, keep the plot
            self.last_error = str(err)
            self.status.value = f"<span style='color:#c0392b'>&#9888; {err}</span>"
        timing["total"] = time.perf_counter() - t0
        self.last_timing = timing
