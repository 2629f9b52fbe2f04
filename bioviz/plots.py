"""Shared plotly figure helpers, all in the :mod:`bioviz.theme` style.

Every helper returns a ``go.Figure``; pass ``fig``, ``row`` and ``col`` to draw into one panel
of an existing subplot figure instead. Each is a pure function of its arguments, so an
explorer's ``figure(result, params)`` stays pure too.

- :func:`new_figure` -- an empty (subplot) figure with the theme applied.
- :func:`raster` -- spike raster grouped by population, with event markers.
- :func:`traces` -- time series (membrane potentials) with a threshold line and spike markers.
- :func:`heatmap` -- a labelled matrix (weights, joint angles, ...).
- :func:`curves` -- curves with shaded error bands; :func:`band` summarises samples.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bioviz.theme import DIVERGING, SEQUENTIAL, TEMPLATE_NAME, color, rgba
from bioviz.validation import check_int

__all__ = [
    "new_figure",
    "Population",
    "raster",
    "traces",
    "heatmap",
    "curves",
    "band",
    "Band",
]


@functools.lru_cache(maxsize=64)
def _grid(rows: int, cols: int, kwargs_json: str) -> go.Figure:
    return make_subplots(rows=rows, cols=cols, **json.loads(kwargs_json))


def new_figure(
    rows: int = 1, cols: int = 1, *, title: str | None = None, height: int | None = None, **subplot_kwargs
) -> go.Figure:
    """An empty figure (``make_subplots`` when rows or cols > 1) in the bioviz theme.

    ``make_subplots`` costs tens of ms per call, too slow for a live re-plot, so each grid is
    built once per layout and copied (a few ms); ``subplot_titles`` are filled in afterwards,
    so figures whose titles change (they often show a number) share one grid.

    >>> a = new_figure(1, 2, subplot_titles=("left", "right"))
    >>> b = new_figure(1, 2, subplot_titles=("other", "right"))
    >>> [x.text for x in a.layout.annotations], [x.text for x in b.layout.annotations]
    (['left', 'right'], ['other', 'right'])
    """
    rows, cols = check_int("rows", rows, 1, 50), check_int("cols", cols, 1, 50)
    if rows == 1 and cols == 1 and not subplot_kwargs:
        fig = go.Figure()
    else:
        titles = subplot_kwargs.pop("subplot_titles", None)
        if titles is not None:  # a placeholder for each title make_subplots would draw
            subplot_kwargs["subplot_titles"] = [" " if t else "" for t in titles]
        try:
            key = json.dumps(subplot_kwargs, sort_keys=True)
        except TypeError:  # arguments JSON cannot hold: build this grid afresh
            fig = make_subplots(rows=rows, cols=cols, **subplot_kwargs)
        else:
            fig = copy.deepcopy(_grid(rows, cols, key))
        for ann, text in zip(fig.layout.annotations, [t for t in titles or () if t], strict=False):
            ann.text = text
    fig.update_layout(template=TEMPLATE_NAME, title=title, height=height)
    return fig


def _target(fig: go.Figure | None, row: int | None, col: int | None):
    """Return (figure, kwargs for add_trace) for drawing into a panel or a new figure."""
    if fig is None:
        fig = new_figure()
    loc = {} if row is None else {"row": row, "col": col or 1}
    return fig, loc


def _axis_update(fig: go.Figure, loc: dict, axis: str, **kwargs) -> None:
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(**kwargs, **loc)


@dataclass(frozen=True)
class Population:
    """Spikes of one population: spike ``times``, neuron ``ids`` (0..size-1) and ``size``."""

    times: np.ndarray
    ids: np.ndarray
    size: int
    color: str | None = None

    def __post_init__(self):
        times = np.asarray(self.times, dtype=float).ravel()
        ids = np.asarray(self.ids, dtype=int).ravel()
        if times.shape != ids.shape:
            raise ValueError(f"times and ids must have the same length, got {times.size} and {ids.size}")
        if self.size < 1:
            raise ValueError(f"size must be >= 1, got {self.size}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size - 1}]")
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "ids", ids)


def raster(
    populations: Mapping[str, Population],
    *,
    events: Sequence[tuple[float, str]] = (),
    t_max: float | None = None,
    time_label: str = "time (ms)",
    title: str | None = None,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
    marker_size: int = 7,
) -> go.Figure:
    """Spike raster with populations stacked bottom-up and labelled on the y axis.

    Parameters
    ----------
    populations : mapping name -> :class:`Population`
        Drawn in order from the bottom; colours default to :func:`bioviz.theme.color` of the name.
    events : sequence of (time, label)
        Vertical markers (operations, stimulus onsets) drawn across the raster.
    t_max : float, optional
        Right end of the time axis.
    """
    fig, loc = _target(fig, row, col)
    offset = 0
    tickvals, ticktext = [], []
    for name, pop in populations.items():
        fig.add_trace(
            go.Scatter(
                x=pop.times,
                y=pop.ids + offset,
                mode="markers",
                name=name,
                marker=dict(
                    symbol="line-ns-open", size=marker_size, color=pop.color or color(name), line=dict(width=1.5)
                ),
                customdata=pop.ids,
                hovertemplate=f"{name} #%{{customdata}}<br>t=%{{x:.2f}}<extra></extra>",
            ),
            **loc,
        )
        tickvals.append(offset + (pop.size - 1) / 2)
        ticktext.append(name)
        offset += pop.size
    # separators between populations, as one trace so the figure's data carries them
    cuts, xs = [], []
    if t_max is None:
        all_t = [p.times.max() for p in populations.values() if p.times.size]
        t_max = float(max(all_t)) if all_t else 1.0
    pos = 0
    for pop in list(populations.values())[:-1]:
        pos += pop.size
        cuts += [pos - 0.5, pos - 0.5, None]
        xs += [0, t_max, None]
    if cuts:
        fig.add_trace(
            go.Scatter(
                x=xs, y=cuts, mode="lines", showlegend=False, hoverinfo="skip", line=dict(color="#d5d8dc", width=1)
            ),
            **loc,
        )
    if events:
        ex, ey, labels = [], [], []
        for t, label in events:
            ex += [t, t, None]
            ey += [-0.5, offset - 0.5, None]
            labels.append((t, label))
        fig.add_trace(
            go.Scatter(
                x=ex,
                y=ey,
                mode="lines",
                name="events",
                hoverinfo="skip",
                line=dict(color=color("event"), width=1, dash="dot"),
            ),
            **loc,
        )
        fig.add_trace(
            go.Scatter(
                x=[t for t, _ in labels],
                y=[offset - 0.5] * len(labels),
                mode="text",
                text=[lab for _, lab in labels],
                textposition="top center",
                showlegend=False,
                hoverinfo="skip",
                textfont=dict(size=10, color=color("event")),
            ),
            **loc,
        )
    _axis_update(
        fig,
        loc,
        "y",
        tickvals=tickvals,
        ticktext=ticktext,
        range=[-0.5, offset + 0.5],
        showgrid=False,
        zeroline=False,
    )
    _axis_update(fig, loc, "x", title_text=time_label, range=[0, t_max])
    if title is not None:
        fig.update_layout(title=title)
    return fig


def traces(
    t: np.ndarray,
    series: Mapping[str, np.ndarray],
    *,
    threshold: float | None = None,
    spikes: Mapping[str, np.ndarray] | None = None,
    time_label: str = "time (ms)",
    value_label: str = "membrane potential",
    dash: Mapping[str, str] | None = None,
    title: str | None = None,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
) -> go.Figure:
    """Line traces over time with an optional threshold line and spike markers.

    ``spikes`` maps a series name to its spike times; markers sit on the threshold (or at the
    top of the traces) in the series' colour.
    """
    fig, loc = _target(fig, row, col)
    t = np.asarray(t, dtype=float)
    dash = dash or {}
    for name, y in series.items():
        fig.add_trace(
            go.Scatter(
                x=t,
                y=np.asarray(y, dtype=float),
                mode="lines",
                name=name,
                line=dict(color=color(name), width=1.6, dash=dash.get(name, "solid")),
            ),
            **loc,
        )
    top = threshold
    if top is None and series:
        top = float(max(np.nanmax(np.asarray(y, dtype=float)) for y in series.values()))
    if threshold is not None and t.size:
        fig.add_trace(
            go.Scatter(
                x=[t[0], t[-1]],
                y=[threshold, threshold],
                mode="lines",
                name="threshold",
                line=dict(color=color("threshold"), dash="dash", width=1),
            ),
            **loc,
        )
    for name, times in (spikes or {}).items():
        times = np.asarray(times, dtype=float)
        fig.add_trace(
            go.Scatter(
                x=times,
                y=np.full(times.shape, top),
                mode="markers",
                name=f"{name} spikes",
                marker=dict(symbol="triangle-down", size=8, color=color(name)),
            ),
            **loc,
        )
    _axis_update(fig, loc, "x", title_text=time_label)
    _axis_update(fig, loc, "y", title_text=value_label)
    if title is not None:
        fig.update_layout(title=title)
    return fig


def heatmap(
    z: np.ndarray,
    *,
    x: Sequence | None = None,
    y: Sequence | None = None,
    x_label: str = "",
    y_label: str = "",
    colorbar_title: str = "",
    zmin: float | None = None,
    zmax: float | None = None,
    diverging: bool = False,
    title: str | None = None,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
    show_scale: bool = True,
) -> go.Figure:
    """A labelled matrix. ``diverging=True`` centres a red/blue scale on zero."""
    fig, loc = _target(fig, row, col)
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"z must be 2-D, got shape {z.shape}")
    kwargs = {}
    if diverging:
        bound = float(np.nanmax(np.abs(z))) if z.size else 1.0
        bound = bound or 1.0
        kwargs = dict(zmid=0, zmin=-bound if zmin is None else zmin, zmax=bound if zmax is None else zmax)
    else:
        kwargs = dict(zmin=zmin, zmax=zmax)
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            colorscale=DIVERGING if diverging else SEQUENTIAL,
            showscale=show_scale,
            colorbar=dict(title=colorbar_title),
            **kwargs,
        ),
        **loc,
    )
    _axis_update(fig, loc, "x", title_text=x_label)
    _axis_update(fig, loc, "y", title_text=y_label)
    if title is not None:
        fig.update_layout(title=title)
    return fig


@dataclass(frozen=True)
class Band:
    """A curve with its error band: ``mean`` and the ``low``/``high`` edges."""

    mean: np.ndarray
    low: np.ndarray | None = None
    high: np.ndarray | None = None


def band(samples: np.ndarray, *, kind: str = "sd", axis: int = 0) -> Band:
    """Summarise repeated samples (seeds along ``axis``) as a :class:`Band`.

    ``kind`` is ``"sd"`` (mean +- 1 standard deviation), ``"sem"``, or ``"range"`` (min..max).
    """
    s = np.asarray(samples, dtype=float)
    mean = s.mean(axis=axis)
    if kind == "range":
        return Band(mean, s.min(axis=axis), s.max(axis=axis))
    if kind not in ("sd", "sem"):
        raise ValueError(f"kind must be one of ('sd', 'sem', 'range'), got {kind!r}")
    spread = s.std(axis=axis, ddof=1) if s.shape[axis] > 1 else np.zeros_like(mean)
    if kind == "sem":
        spread = spread / np.sqrt(s.shape[axis])
    return Band(mean, mean - spread, mean + spread)


def curves(
    x: np.ndarray,
    series: Mapping[str, Band | np.ndarray],
    *,
    x_label: str = "",
    y_label: str = "",
    dash: Mapping[str, str] | None = None,
    markers: bool = True,
    title: str | None = None,
    fig: go.Figure | None = None,
    row: int | None = None,
    col: int | None = None,
    secondary_y: bool | None = None,
) -> go.Figure:
    """Curves sharing an x axis; a :class:`Band` adds a translucent error band."""
    fig, loc = _target(fig, row, col)
    if secondary_y is not None:
        loc = {**loc, "secondary_y": secondary_y}
    x = np.asarray(x)
    dash = dash or {}
    for name, value in series.items():
        b = value if isinstance(value, Band) else Band(np.asarray(value, dtype=float))
        c = color(name)
        if b.low is not None and b.high is not None:
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([x, x[::-1]]),
                    y=np.concatenate([np.asarray(b.high, float), np.asarray(b.low, float)[::-1]]),
                    fill="toself",
                    fillcolor=rgba(c, 0.18),
                    line=dict(width=0),
                    mode="lines",
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{name} band",
                ),
                **loc,
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.asarray(b.mean, dtype=float),
                name=name,
                mode="lines+markers" if markers else "lines",
                line=dict(color=c, width=2, dash=dash.get(name, "solid")),
            ),
            **loc,
        )
    if secondary_y:
        fig.update_yaxes(title_text=y_label, secondary_y=True)
    else:
        _axis_update(fig, {k: v for k, v in loc.items() if k != "secondary_y"}, "y", title_text=y_label)
    _axis_update(fig, {k: v for k, v in loc.items() if k != "secondary_y"}, "x", title_text=x_label)
    if title is not None:
        fig.update_layout(title=title)
    return fig
