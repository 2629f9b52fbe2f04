"""Figures of notebook 09 (pure functions of results)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.events.sensor import Events
from bioviz.theme import color

#: At most this many points in a 3-D scatter (a browser draws more slowly beyond).
MAX_POINTS = 6000


def _subsample(n: int, max_points: int, seed: int = 0) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, max_points, replace=False))


#: What a filter did with each event, and the colour each outcome is drawn in.
OUTCOME_COLORS = {
    "signal kept": None,  # the theme's "signal" colour, looked up when drawn
    "signal lost": "#f1c40f",
    "noise kept": "#c0392b",
    "noise removed": "#d5d8dc",
}


def outcomes(signal, keep) -> dict:
    """``outcome -> (mask, colour)`` for the four outcomes of a filter."""
    signal, keep = np.asarray(signal, bool), np.asarray(keep, bool)
    masks = (signal & keep, signal & ~keep, ~signal & keep, ~signal & ~keep)
    return {
        name: (mask, c or color("signal")) for (name, c), mask in zip(OUTCOME_COLORS.items(), masks, strict=True)
    }


def event_cloud(events: Events, *, by: str = "polarity", keep=None, fig=None, max_points: int = MAX_POINTS):
    """The events in (x, time, y): coloured by polarity, by true label, or (``by="filter"`` with
    ``keep``) by what a filter did: signal kept, signal lost, noise kept, noise removed."""
    fig = fig or plots.new_figure()
    idx = _subsample(events.n, max_points)
    ev = events
    if by == "polarity":
        groups = {"ON": ev.p > 0, "OFF": ev.p < 0}
        colors = {"ON": color("ON"), "OFF": color("OFF")}
    elif by == "label":
        groups = {"signal": ev.signal, "noise": ~ev.signal}
        colors = {"signal": color("signal"), "noise": color("noise")}
    elif by == "filter":
        found = outcomes(ev.signal, keep)
        groups = {name: mask for name, (mask, _) in found.items()}
        colors = {name: c for name, (_, c) in found.items()}
    else:
        raise ValueError(f"by must be 'polarity', 'label' or 'filter', got {by!r}")
    shown = np.zeros(events.n, bool)
    shown[idx] = True
    for name, mask in groups.items():
        draw = mask & shown  # counts in the legend are exact; at most max_points are drawn
        fig.add_trace(
            go.Scatter3d(
                x=ev.x[draw],
                y=1e3 * ev.t[draw],
                z=ev.y[draw],
                mode="markers",
                name=f"{name} ({int(mask.sum()):,})",
                marker=dict(size=1.8, color=colors[name], opacity=0.35 if name == "noise removed" else 0.8),
            )
        )
    fig.update_layout(
        scene=dict(
            xaxis_title="x (pixel)",
            yaxis_title="time (ms)",
            zaxis=dict(title="y (pixel)", autorange="reversed"),
            aspectmode="manual",
            aspectratio=dict(x=1, y=1.6, z=1),
            camera=dict(eye=dict(x=1.6, y=-1.4, z=0.8)),
        ),
        legend=dict(itemsizing="constant"),
        margin=dict(l=0, r=0, t=60, b=0),
    )
    return fig


def xt_panel(events: Events, keep, *, fig, row: int, col: int, showlegend: bool = False):
    """Events in (time, x) coloured by what the filter did (2-D, fast), as in :func:`event_cloud`."""
    for name, (mask, c) in outcomes(events.signal, keep).items():
        fig.add_trace(
            go.Scattergl(
                x=1e3 * events.t[mask],
                y=events.x[mask],
                mode="markers",
                marker=dict(size=2.5, color=c),
                name=name,
                legendgroup=name,
                showlegend=showlegend,
            ),
            row=row,
            col=col,
        )
    fig.update_xaxes(title_text="time (ms)", row=row, col=col)
    fig.update_yaxes(title_text="x (pixel)", row=row, col=col)
    return fig


def filter_scores(noise, baf, learned, *, fig=None, row=None, col=None, metric: str = "balanced"):
    """A metric of both filters against the noise rate (log axis)."""
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    names = {"balanced": "balanced accuracy", "accuracy": "accuracy"}
    for name, rows, dash in (("BAF", baf, "dash"), ("learned (kNN graph)", learned, "solid")):
        fig.add_trace(
            go.Scatter(
                x=list(noise),
                y=[r[metric] for r in rows],
                mode="lines+markers",
                name=f"{name}",
                legendgroup=name,
                showlegend=metric == "balanced",
                line=dict(color=color(name), dash=dash),
            ),
            **loc,
        )
    fig.update_xaxes(type="log", title_text="noise (Hz per pixel)", **loc)
    fig.update_yaxes(title_text=names[metric], range=[0.3, 1.02], **loc)
    return fig


def time_strip(x: np.ndarray, bins_shown: int = 5, *, fig=None, row: int = 1, title: str = ""):
    """A few time bins of one sample, ON minus OFF, left to right."""
    x = np.asarray(x, dtype=float)
    T = len(x)
    pick = np.linspace(0, T - 1, min(bins_shown, T)).astype(int)
    fig = fig or plots.new_figure(
        1, len(pick), subplot_titles=tuple(f"bin {b + 1} of {T}" for b in pick), horizontal_spacing=0.02
    )
    lim = max(float(np.abs(x[:, 1] - x[:, 0]).max()), 1.0)
    for j, b in enumerate(pick):
        fig.add_trace(
            go.Heatmap(z=x[b, 1] - x[b, 0], colorscale="RdBu_r", zmin=-lim, zmax=lim, showscale=False),
            row=row,
            col=j + 1,
        )
        fig.update_xaxes(visible=False, row=row, col=j + 1)
        fig.update_yaxes(
            visible=False, autorange="reversed", scaleanchor=f"x{'' if j == 0 else j + 1}", row=row, col=j + 1
        )
    if title:
        fig.update_layout(title=title)
    return fig


def ops_bars(ops, *, fig=None, row=None, col=None):
    """Synaptic operations (event-driven) and MACs (dense) per layer, per sample (log axis)."""
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    layers = ["conv 1", "conv 2", "conv 3", "readout"]
    fig.add_trace(go.Bar(x=layers, y=ops.macs, name="dense MACs", marker_color="#7f8c8d"), **loc)
    fig.add_trace(go.Bar(x=layers, y=ops.synops, name="synaptic operations", marker_color=color("ON")), **loc)
    fig.update_yaxes(type="log", title_text="operations per sample", **loc)
    return fig


def density_bars(density, *, fig=None, row=None, col=None):
    """Fraction of neuron-steps that spike, per conv layer."""
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    fig.add_trace(
        go.Bar(
            x=["conv 1", "conv 2", "conv 3"],
            y=100 * np.asarray(density),
            marker_color=color("OFF"),
            name="spike density",
            showlegend=False,
            text=[f"{100 * d:.1f}%" for d in density],
            textposition="outside",
        ),
        **loc,
    )
    fig.update_yaxes(title_text="spike density (%)", range=[0, max(30, 110 * float(np.max(density)))], **loc)
    return fig


def confusion(matrix, classes, *, fig=None, row=None, col=None):
    """A confusion matrix (rows: true class, columns: predicted), counts written in the cells."""
    m = np.asarray(matrix)
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    short = [c.replace("disc ", "").replace("bar turning ", "bar ") for c in classes]
    fig.add_trace(
        go.Heatmap(
            z=m,
            x=short,
            y=short,
            colorscale="Blues",
            showscale=False,
            text=m,
            texttemplate="%{text}",
        ),
        **loc,
    )
    fig.update_yaxes(autorange="reversed", title_text="true", **loc)
    fig.update_xaxes(title_text="predicted", **loc)
    return fig
