"""Figures of notebook 07 (pure functions of results; see :mod:`bioviz.multitask.network`)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.multitask import network as net
from bioviz.sweeps import SweepResult
from bioviz.theme import color, rgba

#: Colours of the ranks in the raster: rank 1, 2, ... (then the cycle).
RANK_COLORS = ("#1f618d", "#ca6f1e", "#1e8449", "#7d3c98", "#c0392b", "#17a589")


def _rank_color(k: int) -> str:
    return RANK_COLORS[(k - 1) % len(RANK_COLORS)]


def magnetisation_bars(m_sorted, d: float, *, spread=None, fig=None, row=None, col=None, showlegend=True):
    """Ranked magnetisations (bars, optional error bars ``spread``) beside the hierarchical law."""
    m_sorted = np.asarray(m_sorted, dtype=float)
    K = m_sorted.size
    ranks = [f"m{k}" for k in range(1, K + 1)]
    fig = fig or plots.new_figure()
    loc = dict(row=row, col=col) if row else {}
    fig.add_trace(
        go.Bar(
            x=ranks,
            y=m_sorted,
            name="simulation",
            marker_color=color("simulation"),
            error_y=dict(type="data", array=np.asarray(spread)) if spread is not None else None,
            showlegend=showlegend,
            legendgroup="simulation",
        ),
        **loc,
    )
    fig.add_trace(
        go.Bar(
            x=ranks,
            y=net.hierarchical_law(d, K),
            name="hierarchical law (1-d) d^(k-1)",
            marker_color=rgba(color("theory"), 0.55),
            showlegend=showlegend,
            legendgroup="theory",
        ),
        **loc,
    )
    fig.update_layout(barmode="group")
    top = max(float(m_sorted.max()), float(net.hierarchical_law(d, K).max()))
    fig.update_yaxes(title_text="|m| (ranked)", range=[0, 1.1 * top + 0.01], **loc)
    return fig


def state_raster(res: net.Retrieval, *, n_show: int = 400, fig=None, col: int = 1):
    """The patterns (ranked, each times the sign of its magnetisation) and the final state over
    the first ``n_show`` neurons, sorted by the pattern each neuron serves (drawn in rows 1 and 2
    of column ``col`` of ``fig``).

    The top row colours each neuron by the rank of the pattern it serves (grey: blank in every
    pattern; black: against the pattern that should set it); the rows below show the patterns
    (blue +1, red -1, white blank) and the state.
    """
    n = min(int(n_show), res.sigma.size)
    served = res.served_by()[:n]
    key = np.where(served > 0, served, np.where(served == 0, 100, 200))  # served first, blank, wrong
    order = np.lexsort((np.arange(n), key))
    ranks = res.ranks
    signs = np.where(res.m[ranks] >= 0, 1, -1)
    rows = [signs[k] * res.xi[mu, :n][order] for k, mu in enumerate(ranks)] + [res.sigma[:n][order]]
    labels = [f"pattern {k + 1}" for k in range(len(ranks))] + ["state"]
    fig = fig or plots.new_figure(2, 1, row_heights=[0.18, 0.82], vertical_spacing=0.03, shared_xaxes=True)
    K = len(ranks)
    # served-by band: values 0 (blank), -1 (wrong), 1..K
    scale, levels = (
        [],
        [("blank", color("blank")), ("wrong", "#17202a")]
        + [(f"rank {k}", _rank_color(k)) for k in range(1, K + 1)],
    )
    n_levels = len(levels)
    for i, (_, c) in enumerate(levels):
        scale += [[i / n_levels, c], [(i + 1) / n_levels, c]]
    band = np.where(served[order] == 0, 0, np.where(served[order] < 0, 1, served[order] + 1))
    text = np.array([levels[v][0] for v in band])[None, :]
    fig.add_trace(
        go.Heatmap(
            z=band[None, :],
            zmin=-0.5,
            zmax=n_levels - 0.5,
            colorscale=scale,
            showscale=False,
            text=text,
            hovertemplate="neuron %{x}: %{text}<extra></extra>",
            y=["serves"],
        ),
        row=1,
        col=col,
    )
    fig.add_trace(
        go.Heatmap(
            z=np.array(rows, dtype=float),
            y=labels,
            zmin=-1,
            zmax=1,
            colorscale=[[0, "#c0392b"], [0.5, "#ffffff"], [1, "#1f618d"]],
            showscale=False,
            hovertemplate="%{y}, neuron %{x}: %{z}<extra></extra>",
        ),
        row=2,
        col=col,
    )
    fig.update_yaxes(autorange="reversed", row=2, col=col)
    fig.update_xaxes(showticklabels=False, row=1, col=col)
    fig.update_xaxes(title_text=f"neuron (first {n}, sorted by the pattern it serves)", row=2, col=col)
    return fig


def retrieval_figure(res: net.Retrieval, *, title: str | None = None):
    """Bars of the ranked magnetisations beside the law (left) and the raster (right)."""
    fig = plots.new_figure(
        2,
        2,
        column_widths=[0.34, 0.66],
        row_heights=[0.16, 0.84],
        specs=[[{"rowspan": 2}, {}], [None, {}]],
        horizontal_spacing=0.08,
        vertical_spacing=0.03,
        subplot_titles=("magnetisations, ranked", "who serves which neuron", ""),
    )
    magnetisation_bars(res.m_sorted, res.params["d"], fig=fig, row=1, col=1)
    state_raster(res, fig=fig, col=2)
    fig.update_layout(height=430, title=title, legend=dict(orientation="h", y=-0.15))
    return fig


def trajectory_figure(res: net.Retrieval):
    """The magnetisations of the ranked patterns over the steps of the dynamics."""
    fig = plots.new_figure()
    for k, mu in enumerate(res.ranks, start=1):
        fig.add_trace(
            go.Scatter(
                x=np.arange(res.history.shape[0]),
                y=np.abs(res.history[:, mu]),
                mode="lines+markers",
                name=f"pattern ranked {k}",
                line=dict(color=_rank_color(k)),
            )
        )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="|m|")
    return fig


def dilution_figure(sweep: SweepResult, *, title: str | None = None):
    """Ranked magnetisations against the dilution (mean and range over seeds), the law dashed,
    and the dilution where the hierarchy stops being stable."""
    ds = np.asarray(sweep.axes["d"], dtype=float)
    m = sweep["m_sorted"]  # (seed, d, K)
    K = m.shape[-1]
    fine = np.linspace(0.0, 0.97, 98)
    fig = plots.new_figure()
    for k in range(K):
        c = _rank_color(k + 1)
        fig.add_trace(
            go.Scatter(
                x=ds,
                y=m[..., k].mean(0),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=m[..., k].max(0) - m[..., k].mean(0),
                    arrayminus=m[..., k].mean(0) - m[..., k].min(0),
                ),
                mode="markers+lines",
                name=f"m{k + 1}, simulation",
                line=dict(color=c),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=fine,
                y=(1 - fine) * fine**k,
                mode="lines",
                name="hierarchical law (dashed)",
                line=dict(color=c, dash="dash", width=1),
                showlegend=k == 0,
                legendgroup="law",
            )
        )
    dc = net.critical_dilution(K)
    if dc < 1:
        fig.add_vline(x=dc, line=dict(color=color("theory"), dash="dot"))
        fig.add_annotation(
            x=dc, y=0.95, text=f"hierarchy unstable above d = {dc:.2f}", showarrow=False, xanchor="left"
        )
    fig.update_xaxes(title_text="dilution d")
    fig.update_yaxes(title_text="|m| (ranked)", range=[0, 1])
    fig.update_layout(title=title or f"K = {K} patterns: from one winner to all at once")
    return fig


def learning_figure(grid: SweepResult, *, level: float = 0.9):
    """The learning picture: overlap of the best pattern over (M, r) for each protocol
    (mean over seeds), with the majority-vote prediction's contour at ``level``."""
    protocols = list(grid.axes["protocol"])
    Ms = np.asarray(grid.axes["M"], dtype=float)
    rs = np.asarray(grid.axes["r"], dtype=float)
    mean = grid.mean("overlap")  # (protocol, M, r)
    fig = plots.new_figure(1, len(protocols), subplot_titles=protocols, horizontal_spacing=0.12)
    theory = net.learned_overlap(Ms[:, None].astype(int), rs[None, :])
    for j, name in enumerate(protocols, start=1):
        fig.add_trace(
            go.Heatmap(
                x=[f"{r:g}" for r in rs],
                y=[f"{int(M)}" for M in Ms],
                z=mean[j - 1],
                zmin=0,
                zmax=1,
                colorscale="Viridis",
                colorbar=dict(title="overlap", x=1.02) if j == len(protocols) else None,
                showscale=j == len(protocols),
                hovertemplate="r %{x}, M %{y}: overlap %{z:.2f}<extra>" + name + "</extra>",
            ),
            row=1,
            col=j,
        )
        fig.add_trace(
            go.Contour(
                x=[f"{r:g}" for r in rs],
                y=[f"{int(M)}" for M in Ms],
                z=theory,
                contours=dict(start=level, end=level, size=1, coloring="none", showlabels=True),
                line=dict(color="white", dash="dash", width=2),
                showscale=False,
                name=f"prediction = {level}",
                hoverinfo="skip",
                showlegend=False,
            ),
            row=1,
            col=j,
        )
        fig.update_xaxes(type="category", row=1, col=j)
        fig.update_yaxes(type="category", row=1, col=j)
        fig.update_xaxes(title_text="example quality r", row=1, col=j)
        fig.update_yaxes(title_text="examples per pattern M", row=1, col=j)
    fig.update_layout(title=f"How well a pattern is learned (dashed: the majority-vote prediction at {level})")
    return fig


def learning_curve_figure(curve: dict, r: float, *, M_mark: int | None = None):
    """Overlap against the number of examples for both protocols, with the prediction."""
    fig = plots.new_figure()
    Ms = np.asarray(curve["M"])
    fine = np.unique(np.round(np.geomspace(1, max(Ms.max(), 2), 60)).astype(int))
    fig.add_trace(
        go.Scatter(
            x=fine,
            y=net.learned_overlap(fine, r),
            mode="lines",
            name="majority-vote prediction",
            line=dict(color=color("theory"), dash="dash"),
        )
    )
    for name in net.PROTOCOLS:
        fig.add_trace(
            go.Scatter(x=Ms, y=curve[name], mode="markers+lines", name=name, line=dict(color=color(name)))
        )
    if M_mark is not None:
        fig.add_trace(
            go.Scatter(
                x=[M_mark],
                y=[float(net.learned_overlap(M_mark, r))],
                mode="markers",
                name=f"prediction at M = {M_mark}",
                marker=dict(color=color("theory"), size=14, symbol="star"),
            )
        )
    fig.update_xaxes(title_text="examples per pattern M", type="log")
    fig.update_yaxes(title_text="overlap of the best pattern", range=[0, 1.05])
    return fig


def hierarchy_break_figure(sweeps: dict):
    """How much more even the ranked magnetisations are than the law (min/max of the seed-mean
    magnetisations, ours minus the law's) against the dilution, one curve per number of patterns
    ``K`` (``sweeps``: K -> a :func:`~bioviz.multitask.network.dilution_sweep`), with each
    ``K``'s stability limit dotted."""
    fig = plots.new_figure()
    for i, (K, sweep) in enumerate(sorted(sweeps.items())):
        ds = np.asarray(sweep.axes["d"], dtype=float)
        mean = sweep.mean("m_sorted")  # (d, K)
        excess = [net.evenness(mean[j]) - net.evenness(net.hierarchical_law(d, K)) for j, d in enumerate(ds)]
        c = _rank_color(i + 1)
        fig.add_trace(go.Scatter(x=ds, y=excess, mode="markers+lines", name=f"K = {K}", line=dict(color=c)))
        dc = net.critical_dilution(K)
        if dc < 1:
            fig.add_vline(x=dc, line=dict(color=c, dash="dot"))
    fig.add_hline(y=0, line=dict(color=color("theory"), width=1))
    fig.update_xaxes(title_text="dilution d")
    fig.update_yaxes(title_text="min/max of the magnetisations, ours - law's")
    fig.update_layout(title="More even than the hierarchical law (dotted: where the hierarchy stops being stable)")
    return fig
