"""Figures of notebook 10 (pure functions of results; see :mod:`bioviz.delta.model`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.delta import model as M
from bioviz.theme import color

LAYER_NAMES = ("input pixels", "hidden layer 1", "hidden layer 2")


def pareto(curves: dict, *, reference: float, mark: tuple[str, float] | None = None, fig=None, row=None, col=None):
    """Accuracy against the reduction of non-zero values (relative to ``reference``, the float
    network's non-zero activations per frame), one curve per network, one point per step q."""
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    for name, counts in curves.items():
        fig.add_trace(
            go.Scatter(
                x=[reference / c.nonzero_delta for c in counts],
                y=[c.accuracy for c in counts],
                mode="lines+markers",
                text=[f"q = {c.q:g}" for c in counts],
                hovertemplate="%{text}: %{x:.2f}x fewer, accuracy %{y:.3f}<extra>" + name + "</extra>",
                name=name,
                line=dict(color=color(name)),
            ),
            **loc,
        )
    if mark is not None:
        name, q = mark
        c = next(c for c in curves[name] if c.q == q)
        fig.add_trace(
            go.Scatter(
                x=[reference / c.nonzero_delta],
                y=[c.accuracy],
                mode="markers",
                name=f"this q ({q:g})",
                marker=dict(size=16, symbol="star", color=color("spike")),
            ),
            **loc,
        )
    fig.update_xaxes(title_text="x fewer non-zero values than the float network", **loc)
    fig.update_yaxes(title_text="test accuracy", **loc)
    return fig


def delta_map(deltas: np.ndarray, *, title: str = "", fig=None, row=None, col=None):
    """The deltas of one layer over the frames of one video (frames x units); zeros are white."""
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    lim = float(np.abs(deltas).max()) or 1.0
    fig.add_trace(
        go.Heatmap(
            z=deltas,
            zmid=0.0,
            zmin=-lim,
            zmax=lim,
            colorscale=[[0, "#c0392b"], [0.5, "#ffffff"], [1, "#1f618d"]],
            showscale=False,
            hovertemplate="frame %{y}, unit %{x}: %{z:.3g}<extra></extra>",
        ),
        **loc,
    )
    fig.update_xaxes(title_text="unit", **loc)
    fig.update_yaxes(title_text="frame", autorange="reversed", **loc)
    return fig


def frames(video: np.ndarray, which=(0, 5, 11), *, fig=None, row=1, cols=(1, 2, 3)):
    """Some frames of one video (14 x 14) side by side."""
    fig = fig or plots.new_figure(1, len(which))
    for t, col in zip(which, cols, strict=True):
        fig.add_trace(
            go.Heatmap(
                z=video[t],
                colorscale="Greys",
                zmin=0,
                zmax=1,
                showscale=False,
                hovertemplate="%{z:.2f}<extra></extra>",
            ),
            row=row,
            col=col,
        )
        fig.update_yaxes(autorange="reversed", showticklabels=False, row=row, col=col)
        fig.update_xaxes(showticklabels=False, title_text=f"frame {t}", row=row, col=col)
    return fig


def layer_bars(counts: M.Counts, *, fig=None, row=None, col=None):
    """Non-zero values per frame in each layer: the float network's activations vs the deltas."""
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    fig.add_trace(
        go.Bar(
            x=list(LAYER_NAMES),
            y=list(counts.per_layer_dense),
            name="activations (float)",
            marker_color=color("float activations"),
        ),
        **loc,
    )
    fig.add_trace(
        go.Bar(
            x=list(LAYER_NAMES),
            y=list(counts.per_layer_delta),
            name=f"deltas (q = {counts.q:g})",
            marker_color=color("quantised deltas"),
        ),
        **loc,
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="non-zero values per frame", **loc)
    return fig
