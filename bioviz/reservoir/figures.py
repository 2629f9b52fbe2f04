"""Figures of notebook 02 (pure functions of computed results, in the bioviz theme)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.reservoir.experiments import Sweep, percent_gain
from bioviz.theme import TEMPLATE_NAME, color

#: One colour per way of setting the balance (local to this notebook).
MODE_COLORS = {
    "static": color("base"),
    "plastic": color("fused"),
    "one-step": color("visual"),
    "intrinsic": color("audio"),
    "homogeneous": color("ours"),
    "heterogeneous": color("probe"),
}
MODE_LABELS = {
    "static": "static (globally tuned)",
    "plastic": "adapted: inhibitory plasticity",
    "one-step": "one-step design",
    "intrinsic": "intrinsic plasticity (reservoirpy)",
}
METRICS = {
    "mc": "memory capacity",
    "nrmse": "NARMA-10 NRMSE",
    "rate": "mean rate",
    "radius": "Jacobian radius",
    "lyapunov": "Lyapunov exponent (per step)",
}


def mode_color(mode: str) -> str:
    return MODE_COLORS.get(mode, color(mode))


def _gain_labels(new, old, metric):
    gain = percent_gain(new, old) if metric == "mc" else -percent_gain(new, old)
    return [f"{g:+.0f}%" if np.isfinite(g) else "" for g in gain]


def sweep_panel(
    sweep: Sweep,
    metric: str,
    *,
    modes=None,
    fig=None,
    row=None,
    col=None,
    annotate: str | None = "plastic",
    showlegend: bool = True,
    dash: str = "solid",
    suffix: str = "",
) -> go.Figure:
    """One metric of a sweep against its grid, a curve per mode; ``annotate`` writes the %
    change of that mode over ``static`` above its points (for NRMSE, positive = lower error)."""
    fig, loc = (plots.new_figure(), {}) if fig is None else (fig, {"row": row, "col": col})
    values = getattr(sweep, metric)
    for mode in modes or sweep.modes:
        fig.add_trace(
            go.Scatter(
                x=sweep.x,
                y=values[mode],
                mode="lines+markers",
                name=MODE_LABELS.get(mode, mode) + suffix,
                legendgroup=mode + suffix,
                showlegend=showlegend,
                line=dict(color=mode_color(mode), dash=dash),
            ),
            **loc,
        )
    if annotate and annotate in values and "static" in values:
        fig.add_trace(
            go.Scatter(
                x=sweep.x,
                y=values[annotate],
                mode="text",
                text=_gain_labels(values[annotate], values["static"], metric),
                textposition="top center",
                showlegend=False,
                hoverinfo="skip",
                name=f"% change {annotate}" + suffix,
                textfont=dict(size=10, color=mode_color(annotate)),
            ),
            **loc,
        )
    return fig


def sweep_figure(
    sweep: Sweep, *, modes=None, title: str | None = None, annotate: str | None = "plastic"
) -> go.Figure:
    """2 x 2: MC and NRMSE (top) and mean rate and Jacobian radius (bottom) against the grid."""
    modes = tuple(modes or sweep.modes)
    fig = plots.new_figure(
        2,
        2,
        subplot_titles=(
            "memory capacity (higher is better)",
            "NARMA-10 NRMSE (lower is better; labels: % less error)",
            "mean rate",
            "Jacobian radius c<r(1-r)> rho(W)",
        ),
        vertical_spacing=0.14,
    )
    for i, (metric, r, c) in enumerate((("mc", 1, 1), ("nrmse", 1, 2), ("rate", 2, 1), ("radius", 2, 2))):
        sweep_panel(
            sweep,
            metric,
            modes=modes,
            fig=fig,
            row=r,
            col=c,
            showlegend=i == 0,
            annotate=annotate if metric in ("mc", "nrmse") else None,
        )
    top = max(float(np.nanmax(sweep.mc[m])) for m in modes)
    fig.update_yaxes(range=[0, 1.18 * top], row=1, col=1)  # room for the labels
    if sweep.label == "beta":
        for c in (1, 2):
            fig.add_vrect(x0=-0.4, x1=0.0, fillcolor="#d5d8dc", opacity=0.25, line_width=0, row=1, col=c)
        _reference_line(fig, sweep.x, 1.0, 2, 2)
    fig.update_xaxes(title_text=sweep.label, row=2)
    fig.update_yaxes(title_text="MC", row=1, col=1)
    fig.update_yaxes(title_text="NRMSE", row=1, col=2)
    fig.update_yaxes(title_text="<r>", row=2, col=1)
    fig.update_layout(
        height=600, title=title or f"Scores against {sweep.label}", legend=dict(orientation="h", y=-0.12)
    )
    return fig


def memory_curves(
    curves: Mapping[str, np.ndarray], *, title: str = "Memory per delay", fig=None, row=None, col=None
) -> go.Figure:
    """Per-delay memory :math:`MC_k` (k = 1..k_max), one curve per name; the total in the legend."""
    fig, loc = (plots.new_figure(), {}) if fig is None else (fig, {"row": row, "col": col})
    for name, mc_k in curves.items():
        mc_k = np.asarray(mc_k, float)
        fig.add_trace(
            go.Scatter(
                x=np.arange(1, len(mc_k) + 1),
                y=mc_k,
                mode="lines",
                name=f"{name}: MC = {mc_k.sum():.1f}",
                line=dict(color=mode_color(name.split(" ")[0]), width=2),
            ),
            **loc,
        )
    if fig is not None and not loc:
        fig.update_layout(title=title)
    axis = dict(row=row, col=col) if loc else {}
    fig.update_xaxes(title_text="delay k (steps)", **axis)
    fig.update_yaxes(title_text="MC_k = corr²", range=[0, 1.05], **axis)
    return fig


def rate_histograms(
    before: np.ndarray,
    after: np.ndarray,
    rho: np.ndarray,
    *,
    n_exc: int,
    population: str = "all",
    fig=None,
    row=None,
    col=None,
    labels=("before", "after"),
) -> go.Figure:
    """Histograms of the neurons' mean rates before and after adaptation, and of the targets."""
    fig, loc = (plots.new_figure(), {}) if fig is None else (fig, {"row": row, "col": col})
    sel = {"all": slice(None), "excitatory": slice(0, n_exc), "inhibitory": slice(n_exc, None)}[population]
    bins = dict(start=0.0, end=1.0, size=0.025)
    rho = np.asarray(rho, float)[sel]
    for name, rates, c in ((labels[0], before, mode_color("static")), (labels[1], after, mode_color("plastic"))):
        fig.add_trace(
            go.Histogram(
                x=np.asarray(rates, float)[sel],
                xbins=bins,
                name=f"{name} ({population})",
                marker_color=c,
                opacity=0.6,
            ),
            **loc,
        )
    if np.ptp(rho) > 1e-9:
        fig.add_trace(
            go.Histogram(
                x=rho, xbins=bins, name="targets", opacity=0.45, marker_color=mode_color("heterogeneous")
            ),
            **loc,
        )
    else:
        fig.add_trace(
            go.Scatter(
                x=[rho[0], rho[0]],
                y=[0, len(rho)],
                mode="lines",
                name=f"target {rho[0]:.2f}",
                line=dict(color=color("output"), dash="dash"),
            ),
            **loc,
        )
    fig.update_layout(barmode="overlay")
    axis = dict(row=row, col=col) if loc else {}
    fig.update_xaxes(title_text="mean rate ⟨r_i⟩", range=[0, 1], **axis)
    fig.update_yaxes(title_text="neurons", **axis)
    return fig


def adaptation_figure(adaptations: Mapping[str, object], *, title: str = "Adaptation converging") -> go.Figure:
    """|<r_i> - rho_i| and the global balance during adaptation, one curve per run, plus a few
    inhibitory weights of the first run."""
    fig = plots.new_figure(
        1, 3, subplot_titles=("mean |⟨r_i⟩ - rho_i|", "global balance beta", "some inhibitory weights (first run)")
    )
    for i, (name, a) in enumerate(adaptations.items()):
        c = color(i)
        fig.add_trace(
            go.Scatter(
                x=a.steps_recorded, y=a.error, mode="lines", name=name, legendgroup=name, line=dict(color=c)
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=a.steps_recorded,
                y=a.beta_trace,
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=False,
                line=dict(color=c),
            ),
            row=1,
            col=2,
        )
    first = next(iter(adaptations.values()))
    for j in range(first.weights.shape[1]):
        fig.add_trace(
            go.Scatter(
                x=first.steps_recorded,
                y=first.weights[:, j],
                mode="lines",
                showlegend=False,
                name=f"w{j}",
                line=dict(color=color("inhibitory"), width=1),
            ),
            row=1,
            col=3,
        )
    fig.update_xaxes(title_text="adaptation step")
    fig.update_yaxes(type="log", row=1, col=1)
    fig.update_layout(height=360, title=title)
    return fig


def target_figure(
    homogeneous: Sweep, heterogeneous: Sweep, *, mode: str = "plastic", static_best: float | None = None
) -> go.Figure:
    """MC and NRMSE against the mean target rate, homogeneous vs heterogeneous targets."""
    fig = plots.new_figure(1, 2, subplot_titles=("memory capacity", "NARMA-10 NRMSE"))
    h = heterogeneous.settings["heterogeneity"]
    for sweep, name in ((homogeneous, "homogeneous"), (heterogeneous, "heterogeneous")):
        label = name if name == "homogeneous" else f"heterogeneous (h = {h:g})"
        for c, metric in ((1, "mc"), (2, "nrmse")):
            fig.add_trace(
                go.Scatter(
                    x=sweep.x,
                    y=getattr(sweep, metric)[mode],
                    mode="lines+markers",
                    name=label,
                    legendgroup=name,
                    showlegend=c == 1,
                    line=dict(color=mode_color(name)),
                ),
                row=1,
                col=c,
            )
    if static_best is not None:
        fig.add_trace(
            go.Scatter(
                x=[homogeneous.x[0], homogeneous.x[-1]],
                y=[static_best] * 2,
                mode="lines",
                name="best static beta",
                line=dict(color=mode_color("static"), dash="dash"),
            ),
            row=1,
            col=1,
        )
    fig.update_xaxes(title_text="mean target rate")
    fig.update_layout(height=380, title="Homogeneous vs heterogeneous target rates")
    return fig


def _reference_line(fig, x, y, row, col):
    fig.add_trace(
        go.Scatter(
            x=[x[0], x[-1]],
            y=[y, y],
            mode="lines",
            showlegend=False,
            name=f"reference {y:g}",
            line=dict(color=color("threshold"), dash="dot"),
        ),
        row=row,
        col=col,
    )


def gain_figure(
    sweeps: Mapping[float, Sweep], *, metric: str = "mc", modes=("static", "plastic"), lyapunov_floor: float = -1.0
) -> go.Figure:
    """One column per gain J: static vs adapted against beta (top), the Jacobian radius
    (middle) and the largest Lyapunov exponent (bottom; above 0 = chaos; the axis is cut at
    ``lyapunov_floor`` so that the region near 0 stays visible)."""
    gains = list(sweeps)
    fig = plots.new_figure(3, len(gains), subplot_titles=[f"J = {g:g}" for g in gains], vertical_spacing=0.08)
    for c, g in enumerate(gains, start=1):
        s = sweeps[g]
        sweep_panel(s, metric, modes=modes, fig=fig, row=1, col=c, showlegend=c == 1, annotate=None)
        sweep_panel(s, "radius", modes=modes, fig=fig, row=2, col=c, showlegend=False, annotate=None)
        sweep_panel(s, "lyapunov", modes=modes, fig=fig, row=3, col=c, showlegend=False, annotate=None)
        _reference_line(fig, s.x, 1.0, 2, c)
        _reference_line(fig, s.x, 0.0, 3, c)
    fig.update_xaxes(title_text="beta", row=3)
    fig.update_yaxes(title_text=METRICS[metric], row=1, col=1)
    fig.update_yaxes(title_text="Jacobian radius", row=2, col=1)
    fig.update_yaxes(title_text=f"Lyapunov exp. (cut at {lyapunov_floor:g})", row=3, col=1)
    top = max(0.2, max(float(np.nanmax(sweeps[g].lyapunov[m])) for g in gains for m in modes) + 0.05)
    fig.update_yaxes(range=[lyapunov_floor, top], row=3)
    fig.update_layout(
        height=760,
        title="The gain caveat: where the best balance lies depends on J",
        legend=dict(orientation="h", y=-0.08),
    )
    return fig


def crosscheck_figure(check: dict) -> go.Figure:
    """Our per-delay memory against reservoirpy's ``memory_capacity`` on the same ESN."""
    fig = plots.new_figure()
    k = np.arange(1, check["k_max"] + 1)
    fig.add_trace(
        go.Scatter(
            x=k,
            y=check["reservoirpy_k"],
            mode="lines",
            name=(f"reservoirpy memory_capacity: {check['reservoirpy']:.3f}"),
            line=dict(color=color("paper"), width=4),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=k,
            y=check["ours_k"],
            mode="lines",
            name=(f"bioviz memory_capacity: {check['ours']:.3f}"),
            line=dict(color=color("ours"), dash="dot", width=2),
        )
    )
    fig.update_xaxes(title_text="delay k")
    fig.update_yaxes(title_text="MC_k")
    fig.update_layout(
        height=340, title=(f"Cross-check on a plain tanh ESN (N = {check['n']}, spectral radius {check['sr']:g})")
    )
    return fig


def _row_layout(titles, widths, gap=0.09, **layout):
    """A layout dict for one row of panels (x, x2, x3 ...), built without ``make_subplots``:
    the explorer redraws it on every slider move and this is several times faster."""
    total = 1.0 - gap * (len(widths) - 1)
    out, left, notes = {}, 0.0, []
    for k, (title, w) in enumerate(zip(titles, widths, strict=True), start=1):
        sfx = "" if k == 1 else str(k)
        right = left + w / sum(widths) * total
        out[f"xaxis{sfx}"] = dict(domain=[left, right], anchor=f"y{sfx}")
        out[f"yaxis{sfx}"] = dict(anchor=f"x{sfx}")
        notes.append(
            dict(
                text=title,
                x=(left + right) / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                showarrow=False,
                xanchor="center",
                yanchor="bottom",
                font=dict(size=14),
            )
        )
        left = right + gap
    return dict(template=TEMPLATE_NAME, annotations=notes, **out, **layout)


def configuration_figure(cfg, *, population: str = "all") -> go.Figure:
    """The explorer's view of one :class:`~bioviz.reservoir.experiments.Configuration`: memory
    per delay, histograms of the mean rates before and after, and the adaptation's progress."""
    mode = cfg.params["mode"]
    label = "static" if mode == "static" else mode
    s, a = cfg.static, cfg.adapted
    k = np.arange(1, len(s.mc_k) + 1)
    data = [
        dict(
            type="scatter",
            x=k,
            y=s.mc_k,
            mode="lines",
            name=f"static: MC = {s.mc:.1f}",
            line=dict(color=mode_color("static"), width=2),
        ),
        dict(
            type="scatter",
            x=k,
            y=a.mc_k,
            mode="lines",
            name=f"{label} (after): MC = {a.mc:.1f}",
            line=dict(color=mode_color(mode), width=2),
        ),
    ]
    sel = {
        "all": slice(None),
        "excitatory": slice(0, cfg.before.n_exc),
        "inhibitory": slice(cfg.before.n_exc, None),
    }[population]
    bins = dict(start=0.0, end=1.0, size=0.025)
    for name, ev, c in (("before", s, mode_color("static")), ("after", a, mode_color(mode))):
        data.append(
            dict(
                type="histogram",
                x=ev.mean_rates[sel],
                xbins=bins,
                name=f"{name} ({population})",
                marker=dict(color=c),
                opacity=0.6,
                xaxis="x2",
                yaxis="y2",
            )
        )
    rho = cfg.rho[sel]
    if np.ptp(rho) > 1e-9:
        data.append(
            dict(
                type="histogram",
                x=rho,
                xbins=bins,
                name="targets",
                opacity=0.45,
                marker=dict(color=mode_color("heterogeneous")),
                xaxis="x2",
                yaxis="y2",
            )
        )
    else:
        data.append(
            dict(
                type="scatter",
                x=[rho[0], rho[0]],
                y=[0, len(rho)],
                mode="lines",
                name=f"target {rho[0]:.2f}",
                line=dict(color=color("output"), dash="dash"),
                xaxis="x2",
                yaxis="y2",
            )
        )
    if cfg.adaptation is not None:
        ad = cfg.adaptation
        data.append(
            dict(
                type="scatter",
                x=ad.steps_recorded,
                y=ad.error,
                mode="lines",
                name="|⟨r_i⟩ - rho_i|",
                line=dict(color=mode_color("plastic")),
                xaxis="x3",
                yaxis="y3",
            )
        )
        x3 = dict(title=dict(text="adaptation step"))
        y3 = dict(type="log")
    else:  # no trajectory: compare the rate errors before and after
        err = [float(np.abs(e.mean_rates - cfg.rho).mean()) for e in (s, a)]
        data.append(
            dict(
                type="bar",
                x=["before", "after"],
                y=err,
                name="|⟨r_i⟩ - rho_i|",
                marker=dict(color=[mode_color("static"), mode_color(mode)]),
                xaxis="x3",
                yaxis="y3",
            )
        )
        x3, y3 = {}, {}
    title = (
        f"MC {s.mc:.1f} → {a.mc:.1f} ({cfg.mc_gain_percent:+.0f}%), NRMSE {s.nrmse:.2f} → "
        f"{a.nrmse:.2f}; beta {cfg.before.beta:+.2f} → {cfg.beta_after:+.2f}; "
        f"Jacobian radius {s.radius:.2f} → {a.radius:.2f}; Lyapunov {s.lyapunov:+.2f} → {a.lyapunov:+.2f}"
    )
    layout = _row_layout(
        ("memory per delay", "mean rates", "adaptation"),
        (0.36, 0.34, 0.30),
        height=420,
        barmode="overlay",
        title=dict(text=title, font=dict(size=12)),
        legend=dict(orientation="h", y=-0.22),
    )
    layout["xaxis"].update(title=dict(text="delay k (steps)"))
    layout["yaxis"].update(title=dict(text="MC_k = corr²"), range=[0, 1.05])
    layout["xaxis2"].update(title=dict(text="mean rate ⟨r_i⟩"), range=[0, 1])
    layout["yaxis2"].update(title=dict(text="neurons"))
    layout["xaxis3"].update(x3)
    layout["yaxis3"].update(title=dict(text="mean |⟨r_i⟩ - rho_i|"), **y3)
    return go.Figure(data=data, layout=layout)
