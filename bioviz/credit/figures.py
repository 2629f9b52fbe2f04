"""Figures of notebook 06 (pure functions of results)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.credit import toy
from bioviz.theme import color


def _loc(row, col) -> dict:
    return dict(row=row, col=col) if row else {}


def field_panel(
    flip: str, path: toy.Path | None = None, *, n: int = 15, fig=None, row=None, col=None, show_scale=True
):
    """The update field of the two-weight network as arrows over its curl (colour), the solution
    hyperbola ``w1 w2 = 1`` (dashed) and, if given, a trajectory."""
    fig = fig or plots.new_figure()
    L = toy.LIMIT
    fine = np.linspace(-L, L, 61)
    G1, G2 = np.meshgrid(fine, fine)
    fig.add_trace(
        go.Heatmap(
            x=fine,
            y=fine,
            z=toy.curl(G1, G2, flip),
            zmid=0,
            zmin=-12,
            zmax=12,
            colorscale="RdBu",
            reversescale=True,
            showscale=show_scale,
            colorbar=dict(title="curl", len=0.8),
            hovertemplate="w1 %{x:.2f}, w2 %{y:.2f}: curl %{z:.2f}<extra></extra>",
        ),
        **_loc(row, col),
    )
    grid = np.linspace(-L * 0.93, L * 0.93, n)
    A1, A2 = np.meshgrid(grid, grid)
    F1, F2 = toy.field(A1, A2, flip)
    norm = np.sqrt(F1**2 + F2**2)
    scale = 0.8 * (grid[1] - grid[0]) / np.maximum(norm, 1e-9) * np.minimum(norm, 1.0)
    xs, ys = [], []
    for a1, a2, f1, f2, k in zip(A1.ravel(), A2.ravel(), F1.ravel(), F2.ravel(), scale.ravel(), strict=True):
        tip = (a1 + k * f1, a2 + k * f2)
        xs += [a1, tip[0], None]
        ys += [a2, tip[1], None]
        xs += [tip[0], None]  # a dot marks the arrow's head
        ys += [tip[1], None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            marker=dict(size=3, color="#1c2833"),
            line=dict(color="#1c2833", width=1),
            hoverinfo="skip",
            showlegend=False,
        ),
        **_loc(row, col),
    )
    for branch in (1, -1):
        w1 = branch * np.linspace(1 / L, L, 80)
        fig.add_trace(
            go.Scatter(
                x=w1,
                y=1 / w1,
                mode="lines",
                line=dict(color="#17a589", dash="dash", width=2),
                name="solutions w1 w2 = 1",
                showlegend=branch == 1 and row in (None, 1) and col in (None, 1),
            ),
            **_loc(row, col),
        )
    if path is not None:
        w = path.w[np.abs(path.w).max(1) <= L * 1.05]
        fig.add_trace(
            go.Scatter(
                x=w[:, 0],
                y=w[:, 1],
                mode="lines",
                line=dict(color=color("spike"), width=3),
                name="trajectory",
                showlegend=False,
            ),
            **_loc(row, col),
        )
        fig.add_trace(
            go.Scatter(
                x=w[:1, 0],
                y=w[:1, 1],
                mode="markers",
                marker=dict(size=10, color=color("spike")),
                showlegend=False,
                hoverinfo="skip",
            ),
            **_loc(row, col),
        )
    fig.update_xaxes(range=[-L, L], title_text="w1", **_loc(row, col))
    fig.update_yaxes(range=[-L, L], title_text="w2", **_loc(row, col))
    return fig


def cosine_curves(Ks, weight, node, d: int, units: int, mark: int | None = None, *, fig=None, row=None, col=None):
    """Mean cosine with the true gradient against the number of probes, for weight and node
    perturbation, with the theory :math:`\\sqrt{K/(K+d)}` for both ``d`` (weights) and the number
    of ``units`` perturbed per sample."""
    fig = fig or plots.new_figure()
    Ks = np.asarray(Ks, dtype=float)
    fine = np.geomspace(Ks.min(), Ks.max(), 60)
    for name, values, dim in (("weight perturbation", weight, d), ("node perturbation", node, units)):
        fig.add_trace(
            go.Scatter(x=Ks, y=values, mode="markers+lines", name=name, line=dict(color=color(name))),
            **_loc(row, col),
        )
        fig.add_trace(
            go.Scatter(
                x=fine,
                y=np.sqrt(fine / (fine + dim)),
                mode="lines",
                line=dict(color=color(name), dash="dot"),
                name=f"sqrt(K / (K + {dim}))",
            ),
            **_loc(row, col),
        )
    if mark is not None:
        fig.add_vline(x=mark, line=dict(color="#7f8c8d", dash="dash"), **_loc(row, col))
    fig.update_xaxes(type="log", title_text="probes K", **_loc(row, col))
    fig.update_yaxes(type="log", title_text="cosine with the true gradient", **_loc(row, col))
    return fig


def loss_curves(steps, losses: dict, *, fig=None, row=None, col=None):
    """Loss against step on a log scale, one curve per name; a diverged run's curve stops at its
    last finite value."""
    fig = fig or plots.new_figure()
    steps = np.asarray(steps)
    for name, values in losses.items():
        v = np.asarray(values, dtype=float)
        ok = np.isfinite(v) & (v < 1e30)
        fig.add_trace(
            go.Scatter(x=steps[ok], y=v[ok], mode="lines", name=name, line=dict(color=color(name))),
            **_loc(row, col),
        )
    fig.update_xaxes(title_text="step", **_loc(row, col))
    fig.update_yaxes(type="log", title_text="loss (mean squared error / 2)", **_loc(row, col))
    return fig


def accuracy_curves(runs: dict, *, x_label: str = "epoch", fig=None, row=None, col=None):
    """Test accuracy against epochs (or steps), one curve per ``name -> (x, accuracy)``."""
    fig = fig or plots.new_figure()
    for name, (x, acc) in runs.items():
        fig.add_trace(
            go.Scatter(x=x, y=acc, mode="lines+markers", name=name, line=dict(color=color(name))), **_loc(row, col)
        )
    fig.update_xaxes(title_text=x_label, **_loc(row, col))
    fig.update_yaxes(title_text="test accuracy", **_loc(row, col))
    return fig
