"""Figures of notebook 04 (pure functions of computed results)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.fusion import iemf
from bioviz.fusion.analysis import condition_summary
from bioviz.fusion.task import spectrum
from bioviz.theme import color, rgba

#: the order in which conditions are drawn
CONDITION_ORDER = ("base", "joint", "iemf", "probe", "pcoef")


def _none_nan(x):
    """A list with NaN replaced by None (plotly draws a gap)."""
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(x, dtype=float)]


def enhancement_figure(
    resp: dict,
    measured: dict | None = None,
    *,
    subtract_spontaneous=False,
    r0: float = 0.0,
    log_x: bool = True,
    title: str | None = None,
) -> go.Figure:
    """Synthetic neuron: responses (a, v, av, additive prediction) and ME (%) against intensity."""
    x = resp["intensity"]
    base = r0 if subtract_spontaneous else 0.0
    fig = plots.new_figure(
        1, 2, subplot_titles=("mean response", "multisensory enhancement ME"), horizontal_spacing=0.12
    )
    for key, name, dash in (
        ("a", "audio", "solid"),
        ("v", "visual", "solid"),
        ("av", "fused", "solid"),
        ("additive", "a + v (additive)", "dot"),
    ):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=resp[key] - base,
                mode="lines",
                name=name if key != "av" else "audio-visual",
                line=dict(color=color("fused" if key in ("av", "additive") else name), dash=dash, width=2),
            ),
            row=1,
            col=1,
        )
    me = (
        iemf.enhancement_index(resp["av"] - base, resp["a"] - base, resp["v"] - base)
        if subtract_spontaneous
        else resp["me"]
    )
    fig.add_trace(
        go.Scatter(x=x, y=me, mode="lines", name="ME (true mean)", line=dict(color=color("fused"), width=2.5)),
        row=1,
        col=2,
    )
    if measured is not None:
        sm = np.maximum(measured["a"], measured["v"]) - base
        with np.errstate(divide="ignore", invalid="ignore"):
            me_m = np.where(sm > 0, (measured["av"] - base - sm) / np.where(sm > 0, sm, 1) * 100, np.nan)
        for key, name in (("a", "audio"), ("v", "visual"), ("av", "fused")):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=measured[key] - base,
                    mode="markers",
                    name=f"{'audio-visual' if key == 'av' else name} (measured)",
                    showlegend=False,
                    marker=dict(color=color(name), size=6, symbol="circle-open"),
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_none_nan(me_m),
                mode="markers",
                name="ME (measured)",
                marker=dict(color=color("fused"), size=7, symbol="circle-open"),
            ),
            row=1,
            col=2,
        )
    fig.add_trace(
        go.Scatter(
            x=[x[0], x[-1]],
            y=[0, 0],
            mode="lines",
            showlegend=False,
            hoverinfo="skip",
            name="zero",
            line=dict(color="#95a5a6", width=1),
        ),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="stimulus intensity", type="log" if log_x else "linear")
    fig.update_yaxes(
        title_text="spikes per trial" + (" above spontaneous" if subtract_spontaneous else ""), row=1, col=1
    )
    fig.update_yaxes(title_text="ME (%)", row=1, col=2)
    fig.update_layout(title=title, height=380)
    return fig


def regression_figure(same: dict, independent: dict) -> go.Figure:
    """ME per bin of measured unisensory response: same trials vs independent trials."""
    fig = plots.new_figure()
    for d, name, c in (
        (same, "binned on the same trials", color("excitatory")),
        (independent, "binned on independent trials", color("inhibitory")),
    ):
        fig.add_trace(
            go.Scatter(x=d["level"], y=d["me"], mode="lines+markers", name=name, line=dict(color=c, width=2))
        )
    lv = np.concatenate([same["level"], independent["level"]])
    fig.add_trace(
        go.Scatter(
            x=[lv.min(), lv.max()],
            y=[same["true_me"]] * 2,
            mode="lines",
            name="true ME (every neuron)",
            line=dict(color="#17202a", dash="dash"),
        )
    )
    fig.update_xaxes(title_text="measured best unisensory response (spikes/trial, bin mean)", type="log")
    fig.update_yaxes(title_text="ME (%)")
    fig.update_layout(
        height=360,
        title=(f"Regression to the mean: {same['n_trials']} trials per condition, no true inverse effectiveness"),
    )
    return fig


def inputs_figure(ex: dict, sigma_v: float, sigma_a: float) -> go.Figure:
    """One digit and its class spectrum, clean and noisy."""
    fig = plots.new_figure(
        1,
        3,
        subplot_titles=("visual (clean)", f"visual, σv = {sigma_v:g}", f"audio, σa = {sigma_a:g}"),
        column_widths=[0.22, 0.22, 0.56],
        horizontal_spacing=0.06,
    )
    for col, key in ((1, "visual"), (2, "visual_noisy")):  # noise beyond [0, 1] saturates
        fig.add_trace(
            go.Heatmap(
                z=ex[key].reshape(8, 8)[::-1],
                zmin=0.0,
                zmax=1.0,
                colorscale="Greys",
                reversescale=True,
                showscale=False,
                name=key,
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(showticklabels=False, row=1, col=col)
        fig.update_yaxes(showticklabels=False, scaleanchor=f"x{col}", row=1, col=col)
    bins = np.arange(ex["audio"].size)
    fig.add_trace(
        go.Scatter(
            x=bins,
            y=ex["audio_noisy"],
            mode="lines+markers",
            name="noisy",
            line=dict(color=color("audio"), width=1),
            marker=dict(size=4),
        ),
        row=1,
        col=3,
    )
    fig.add_trace(
        go.Scatter(
            x=bins, y=ex["audio"], mode="lines", name="this class (clean)", line=dict(color="#17202a", width=2)
        ),
        row=1,
        col=3,
    )
    for step, dash in ((-1, "dot"), (1, "dash")):  # fixed traces, empty at the ends: in place
        c = ex["label"] + step
        ok = 0 <= c <= 9
        fig.add_trace(
            go.Scatter(
                x=bins if ok else [],
                y=spectrum(c) if ok else [],
                mode="lines",
                name=f"class {'−' if step < 0 else '+'} 1",
                line=dict(color="#95a5a6", width=1, dash=dash),
            ),
            row=1,
            col=3,
        )
    fig.update_xaxes(title_text="frequency bin", row=1, col=3)
    fig.update_layout(height=300, title=f"Class {ex['label']}: the two modalities", legend=dict(x=1.0, y=1.0))
    return fig


def k_figure(k_scales=(1.0,), rho_max: float = 3.0) -> go.Figure:
    """The IEMF coefficient k against rho (= mean unimodal strength / fused strength)."""
    rho = np.linspace(0.0, rho_max, 301)
    fig = plots.new_figure()
    for i, s in enumerate(k_scales):
        fig.add_trace(
            go.Scatter(
                x=rho,
                y=iemf.coefficient(rho, s),
                mode="lines",
                name=f"k scale {s:g}",
                line=dict(
                    color=color("iemf") if s == 1 else color((1, 3, 4, 5)[i % 4]), width=2.5 if s == 1 else 1.5
                ),
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0, rho_max],
            y=[iemf.K_MAX] * 2,
            mode="lines",
            name="1 + tanh 1 (upper bound)",
            line=dict(color="#95a5a6", dash="dash"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[1.0],
            y=[1.0],
            mode="markers",
            name="ρ = 1: k = 1",
            marker=dict(color="#17202a", size=10, symbol="x"),
        )
    )
    fig.update_xaxes(title_text="ρ = ((s_a + s_v)/2) / s_av")
    fig.update_yaxes(title_text="k", rangemode="tozero")
    fig.update_layout(height=340, title="IEMF coefficient k = 1 + tanh(1 − ρ)")
    return fig


def conditions_figure(ens, sigmas, conditions) -> go.Figure:
    """Test accuracy per epoch (mean, range over seeds) per condition, one panel per sigma,
    with the target (95 % of base's best) and each condition's mean epochs to reach it."""
    fig = plots.new_figure(1, len(sigmas), subplot_titles=[f"σ = {s:g}" for s in sigmas], horizontal_spacing=0.06)
    x = ens.epochs
    for col, s in enumerate(sigmas, start=1):
        summ = condition_summary(ens, s, conditions)
        for c in conditions:
            idx = ens.select(condition=c, sigma_v=s)
            b = plots.band(ens.test_acc[idx], kind="range")
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([x, x[::-1]]),
                    y=np.concatenate([b.high, b.low[::-1]]),
                    fill="toself",
                    fillcolor=rgba(color(c), 0.15),
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{c} range",
                ),
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=b.mean,
                    mode="lines",
                    name=c,
                    legendgroup=c,
                    showlegend=col == 1,
                    line=dict(color=color(c), width=2, dash="dot" if c in ("probe", "pcoef") else "solid"),
                ),
                row=1,
                col=col,
            )
            ep = summ[c]["epochs"]
            if np.any(np.isfinite(ep)):
                m = float(np.nanmean(ep))
                fig.add_trace(
                    go.Scatter(
                        x=[m],
                        y=[summ["target"]],
                        mode="markers",
                        name=f"{c}: epochs to target",
                        legendgroup=c,
                        showlegend=False,
                        marker=dict(color=color(c), size=10, symbol="triangle-down"),
                    ),
                    row=1,
                    col=col,
                )
        fig.add_trace(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[summ["target"]] * 2,
                mode="lines",
                name="target (95 % of base's best)",
                showlegend=col == 1,
                line=dict(color="#95a5a6", dash="dash", width=1),
            ),
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text="epoch", row=1, col=col)
    fig.update_yaxes(title_text="fused test accuracy", row=1, col=1)
    fig.update_layout(height=400, title="Conditions: mean and range over seeds; ▼ mean epochs to target")
    return fig


def me_figure(me: dict) -> go.Figure:
    """ME (%) against noise (mean ± sd over seeds, ceiling bound) with iemf's k on a second axis."""
    fig = plots.new_figure(1, 1, specs=[[{"secondary_y": True}]])
    s = me["sigma"]
    sd = me["me"].std(1, ddof=1) if me["me"].shape[1] > 1 else np.zeros(len(s))
    fig.add_trace(
        go.Scatter(
            x=s,
            y=me["me"].mean(1),
            mode="lines+markers",
            name="ME (fused vs best unimodal)",
            error_y=dict(type="data", array=sd, visible=True),
            line=dict(color=color("fused"), width=2.5),
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=s,
            y=me["ceiling"].mean(1),
            mode="lines",
            name="ceiling: ME if fused acc = 1 (leaves the plot at the top)",
            line=dict(color="#95a5a6", dash="dash"),
        ),
        secondary_y=False,
    )
    if np.any(np.isfinite(me["k"])):
        kk = np.array([np.nanmean(row) if np.any(np.isfinite(row)) else np.nan for row in me["k"]])
        fig.add_trace(
            go.Scatter(
                x=s,
                y=_none_nan(kk),
                mode="lines+markers",
                name="k (iemf, last epoch)",
                line=dict(color=color("iemf"), dash="dot", width=2),
                marker=dict(symbol="diamond"),
            ),
            secondary_y=True,
        )
    fig.update_xaxes(title_text="noise σ (both modalities)")
    # the ceiling grows without bound as the unimodal accuracy falls: keep ME readable and let
    # the ceiling leave the plot at the top
    top = max(20.0, 1.8 * float(np.max(me["me"].mean(1) + sd)))
    low = min(-5.0, 1.2 * float(np.min(me["me"].mean(1) - sd)))
    fig.update_yaxes(title_text="ME (%)", range=[low, top], secondary_y=False)
    fig.update_yaxes(
        title_text="k",
        secondary_y=True,
        showgrid=False,
        tickmode="array",
        tickvals=[1.0, 1.25, 1.5, 1.75],
        range=[0.9, 1.8],
    )
    fig.update_layout(height=380, title="Multisensory enhancement of the network against noise, with IEMF's k")
    return fig


def epochs_figure(ens, sigmas, conditions) -> go.Figure:
    """Epochs to the target per condition (one point per seed, a bar at the mean), per sigma."""
    fig = plots.new_figure(1, len(sigmas), subplot_titles=[f"σ = {s:g}" for s in sigmas], horizontal_spacing=0.06)
    for col, s in enumerate(sigmas, start=1):
        summ = condition_summary(ens, s, conditions)
        for j, c in enumerate(conditions):
            ep = summ[c]["epochs"]
            jitter = np.linspace(-0.15, 0.15, ep.size) if ep.size > 1 else np.zeros(ep.size)
            fig.add_trace(
                go.Scatter(
                    x=j + jitter,
                    y=_none_nan(ep),
                    mode="markers",
                    name=c,
                    legendgroup=c,
                    showlegend=False,
                    marker=dict(color=color(c), size=8, opacity=0.8),
                ),
                row=1,
                col=col,
            )
            if np.any(np.isfinite(ep)):
                fig.add_trace(
                    go.Scatter(
                        x=[j],
                        y=[float(np.nanmean(ep))],
                        mode="markers",
                        name=f"{c} mean",
                        showlegend=False,
                        marker=dict(color=color(c), size=34, symbol="line-ew", line=dict(width=3, color=color(c))),
                    ),
                    row=1,
                    col=col,
                )
        fig.update_xaxes(
            tickvals=list(range(len(conditions))),
            ticktext=list(conditions),
            range=[-0.6, len(conditions) - 0.4],
            row=1,
            col=col,
        )
    fig.update_yaxes(title_text="epochs to 95 % of base's best", row=1, col=1)
    fig.update_layout(
        height=360, title=("Epochs to target (dots: seeds, bar: mean; a run that never reaches it has no dot)")
    )
    return fig


def snn_figure(snn, ann=None, slow=None, *, slow_label: str = "SNN, other lr") -> go.Figure:
    """SNN runs per condition: accuracy per epoch, spikes per test sample, final accuracy.

    ``ann`` (optional) holds ANN runs of the same conditions at the same noise (use
    ``Ensemble.subset`` to pick them out of a larger sweep), drawn dashed; ``slow`` (optional)
    a second SNN ensemble (e.g. a smaller learning rate, ``slow_label``), drawn dotted. An
    ensemble that ran longer than ``snn`` is cut at the SNN's last epoch, so the final-accuracy
    panel compares all models at the same epoch.
    """
    n_ep = snn.test_acc.shape[1]
    conditions = [c for c in CONDITION_ORDER if snn.select(condition=c).size]
    models = [("SNN", snn)] + [
        (label, e.first_epochs(min(n_ep, e.test_acc.shape[1])))
        for label, e in ((slow_label, slow), ("ANN", ann))
        if e is not None
    ]
    fig = plots.new_figure(
        1,
        3,
        subplot_titles=("fused test accuracy", "encoder spikes per test sample", f"accuracy at epoch {n_ep}"),
        column_widths=[0.42, 0.3, 0.28],
        horizontal_spacing=0.08,
    )
    dashes = {"SNN": "solid", slow_label: "dot", "ANN": "dash"}
    offsets = np.linspace(-0.25, 0.25, len(conditions)) if len(conditions) > 1 else np.zeros(1)
    for j, c in enumerate(conditions):
        for label, ens in models:
            idx = ens.select(condition=c)
            fig.add_trace(
                go.Scatter(
                    x=ens.epochs,
                    y=ens.test_acc[idx].mean(0),
                    mode="lines+markers" if label == "SNN" else "lines",
                    name=f"{label} {c}",
                    line=dict(color=color(c), dash=dashes[label], width=2 if label == "SNN" else 1.5),
                ),
                row=1,
                col=1,
            )
        idx = snn.select(condition=c)
        fig.add_trace(
            go.Histogram(
                x=snn.spike_counts[idx].ravel(),
                name=f"{c} spikes",
                nbinsx=30,
                marker_color=color(c),
                opacity=0.6,
                showlegend=False,
            ),
            row=1,
            col=2,
        )
        xs, ys = [], []
        for m, (_, ens) in enumerate(models):
            final = ens.test_acc[ens.select(condition=c), -1]
            xs += [m + offsets[j]] * final.size
            ys += final.tolist()
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                name=f"{c}: final accuracy",
                showlegend=False,
                marker=dict(color=color(c), size=9, opacity=0.85),
            ),
            row=1,
            col=3,
        )
    fig.update_layout(
        barmode="overlay",
        height=400,
        title=(
            f"Spiking encoders ({snn.config['num_steps']} steps, lr {snn.config['lr']:g}): "
            f"{snn.spikes.sum(1).mean():.0f} spikes per sample on average"
        ),
    )
    fig.update_xaxes(title_text="epoch", row=1, col=1)
    fig.update_xaxes(title_text="spikes (both encoders, all steps)", row=1, col=2)
    fig.update_xaxes(
        tickvals=list(range(len(models))),
        ticktext=[m for m, _ in models],
        range=[-0.6, len(models) - 0.4],
        zeroline=False,
        row=1,
        col=3,
    )
    fig.update_yaxes(title_text="accuracy", row=1, col=1)
    return fig
