"""Figures of notebook 08 (pure functions of results; see :mod:`bioviz.continual.model`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.theme import color

METHOD_NAMES = {"finetune": "fine-tuning", "hlop": "HLOP (Hebbian)", "exact": "exact projection (SVD)"}


def _loc(row, col) -> dict:
    return dict(row=row, col=col) if row else {}


def task_images(images: np.ndarray, titles, *, fig=None, row: int = 1, cols=None) -> go.Figure:
    """One 8x8 image per panel (the same digit as each task shows it)."""
    cols = cols or tuple(range(1, len(images) + 1))
    fig = fig or plots.new_figure(1, len(images), subplot_titles=tuple(titles), horizontal_spacing=0.03)
    for img, c in zip(images, cols, strict=True):
        fig.add_trace(
            go.Heatmap(z=np.asarray(img).reshape(8, 8)[::-1], colorscale="Greys", showscale=False, zmin=0, zmax=1),
            row=row,
            col=c,
        )
        fig.update_xaxes(visible=False, row=row, col=c)
        fig.update_yaxes(visible=False, scaleanchor=f"x{'' if c == 1 else c}", row=row, col=c)
    return fig


def accuracy_matrix(R: np.ndarray, *, fig=None, row=None, col=None, show_scale: bool = True) -> go.Figure:
    """``R[i, j]``: accuracy on task ``j`` (columns) after training task ``i`` (rows, top down),
    the number written in each cell; above the diagonal: tasks not trained yet."""
    R = np.asarray(R, dtype=float)
    T = len(R)
    labels = [f"task {t}" for t in range(T)]
    fig = fig or plots.new_figure()
    fig.add_trace(
        go.Heatmap(
            z=R,
            x=labels,
            y=[f"after {t}" for t in range(T)],
            zmin=0,
            zmax=1,
            colorscale="Viridis",
            showscale=show_scale,
            colorbar=dict(title="accuracy", len=0.8),
            text=[[f"{v:.2f}" for v in r] for r in R],
            texttemplate="%{text}",
            hovertemplate="%{y}, tested on %{x}: %{z:.3f}<extra></extra>",
        ),
        **_loc(row, col),
    )
    fig.update_yaxes(autorange="reversed", title_text="trained up to", **_loc(row, col))
    fig.update_xaxes(title_text="tested on", **_loc(row, col))
    return fig


def final_bars(runs: dict, *, fig=None, row=None, col=None) -> go.Figure:
    """For each run (name -> Sequence): accuracy on every task right after learning it (hollow)
    and at the end of the sequence (filled)."""
    fig = fig or plots.new_figure()
    for name, r in runs.items():
        T = len(r.R)
        x = [f"task {t}" for t in range(T)]
        fig.add_trace(
            go.Bar(x=x, y=r.R[-1], name=f"{name}: at the end", marker_color=color(name), opacity=0.9),
            **_loc(row, col),
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.diag(r.R),
                mode="markers",
                name=f"{name}: just learned",
                marker=dict(symbol="line-ew-open", size=26, line=dict(width=3, color=color(name))),
            ),
            **_loc(row, col),
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text="test accuracy", range=[0, 1.02], **_loc(row, col))
    return fig


def angles(learned: np.ndarray, *, fig=None, row=None, col=None) -> go.Figure:
    """The principal angles between the learned rows and the exact principal subspace."""
    fig = fig or plots.new_figure()
    fig.add_trace(
        go.Bar(x=np.arange(1, len(learned) + 1), y=learned, marker_color=color("HLOP (Hebbian)"), name="angle"),
        **_loc(row, col),
    )
    fig.update_xaxes(title_text="principal angle (ascending)", **_loc(row, col))
    fig.update_yaxes(title_text="degrees", range=[0, 90], **_loc(row, col))
    return fig


def captured(iters: np.ndarray, hebbian: np.ndarray, exact: float, *, fig=None, row=None, col=None) -> go.Figure:
    """The fraction of the inputs' energy the rows capture, during Hebbian learning and for the
    exact subspace of the same size."""
    fig = fig or plots.new_figure()
    fig.add_trace(
        go.Scatter(
            x=iters, y=hebbian, mode="lines+markers", name="Hebbian rows", line=dict(color=color("HLOP (Hebbian)"))
        ),
        **_loc(row, col),
    )
    fig.add_trace(
        go.Scatter(
            x=[iters[0], iters[-1]],
            y=[exact, exact],
            mode="lines",
            name="exact principal subspace",
            line=dict(color=color("exact projection (SVD)"), dash="dash"),
        ),
        **_loc(row, col),
    )
    fig.update_xaxes(title_text="Hebbian mini-batches", **_loc(row, col))
    fig.update_yaxes(title_text="fraction of the inputs' energy captured", **_loc(row, col))
    return fig
