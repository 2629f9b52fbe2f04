"""Figures of notebook 01 (pure functions of computed results)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.cam import hopfield
from bioviz.cam.network import CAMRun, Layout
from bioviz.sweeps import SweepResult
from bioviz.theme import color, rgba

__all__ = [
    "RASTER_GROUPS",
    "raster_populations",
    "raster_figure",
    "weights_figure",
    "spacing_figure",
    "fragment_figure",
    "forgetting_figure",
    "capacity_figure",
    "hopfield_figure",
    "op_labels",
]


def _markers(fig, events, *, y0: float, y1: float, row=None, col=None, yref_paper=False) -> None:
    """Vertical dotted lines with labels at the top, as two traces (add_vline is slow)."""
    loc = {} if row is None else {"row": row, "col": col}
    xs, ys = [], []
    for t, _ in events:
        xs += [t, t, None]
        ys += [y0, y1, None]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="operations",
            hoverinfo="skip",
            showlegend=False,
            line=dict(color=color("event"), width=1, dash="dot"),
        ),
        **loc,
    )
    fig.add_trace(
        go.Scatter(
            x=[t for t, _ in events],
            y=[y1] * len(events),
            mode="text",
            text=[lab for _, lab in events],
            textposition="top center",
            showlegend=False,
            hoverinfo="skip",
            name="operation labels",
            textfont=dict(size=10, color=color("event")),
        ),
        **loc,
    )


def _vline(
    fig, x: float, label: str, *, c: str, y0: float = 0.0, y1: float = 1.0, dash: str = "dot", row=None, col=None
) -> None:
    """One labelled vertical line as a trace."""
    loc = {} if row is None else {"row": row, "col": col}
    fig.add_trace(
        go.Scatter(
            x=[x, x, x],
            y=[y0, y1, y1 + 0.04 * (y1 - y0)],
            mode="lines+text",
            text=["", "", label],
            textposition="top center",
            showlegend=False,
            hoverinfo="skip",
            name=label,
            line=dict(color=c, width=1.2, dash=dash),
            textfont=dict(size=11, color=c),
        ),
        **loc,
    )


#: Raster rows, bottom to top: (label, population in the run's spikes, side of the memory).
RASTER_GROUPS = (
    ("in: cue", "Input", "cue"),
    ("in: content", "Input", "content"),
    ("CueCue", "CueCue", "cue"),
    ("ContCue", "ContCue", "content"),
    ("Cond", "Cond", "gate"),
    ("CondInt", "CondInt", "gate"),
    ("ContCont", "ContCont", "content"),
    ("CueCont", "CueCont", "cue"),
    ("MergeCue", "MergeCue", "cue"),
    ("MergeCont", "MergeCont", "content"),
    ("out: cue", "OutCue", "cue"),
    ("out: content", "OutCont", "content"),
)


def raster_populations(run: CAMRun) -> dict[str, plots.Population]:
    """The run's spikes as :class:`bioviz.plots.Population` rows, grouped by population."""
    lay = Layout(run.C, run.N)
    out = {}
    for label, pop, side in RASTER_GROUPS:
        t, i = run.spikes[pop]
        if pop == "Input":
            is_cue = i < run.C
            keep = is_cue if side == "cue" else ~is_cue
            t, i = t[keep], i[keep] - (0 if side == "cue" else run.C)
            size = run.C if side == "cue" else run.N
        else:
            s = lay.slices[pop]
            size = s.stop - s.start
        out[label] = plots.Population(t, i, size, color=color(side))
    return out


def op_labels(run: CAMRun) -> list[tuple[float, str]]:
    """Operation markers: L = learn, C = recall by cue, P = probe (recall by content); recalls
    get a tick or a cross for right or wrong."""
    return [(r.t_ms, r.op.label + ("" if not r.is_recall else (" ✓" if r.correct else " ✗"))) for r in run.results]


def raster_figure(
    run: CAMRun, *, title: str | None = None, height: int = 560, t_range=None, fig=None, row=None, col=None
) -> go.Figure:
    """Spike raster of every population (cue side blue, content side orange, gate purple) with
    a marker at each operation's start."""
    t_max = run.t_end_ms if t_range is None else t_range[1]
    fig = plots.raster(
        raster_populations(run), events=op_labels(run), t_max=t_max, marker_size=6, fig=fig, row=row, col=col
    )
    rows = 5 * run.C + 6 * run.N + 1  # the raster's rows (see RASTER_GROUPS)
    fig.update_yaxes(range=[-0.5, rows + 0.04 * rows + 2], row=row, col=col)  # room for the labels
    if t_range is not None:
        fig.update_xaxes(range=list(t_range), row=row, col=col)
    if row is None:
        fig.update_layout(
            title=title
            or (
                f"Every spike: C = {run.C}, N = {run.N}, spacing "
                f"{run.spacing_ms:g} ms -- {run.n_correct}/{len(run.recalls)} "
                "recalls right"
            ),
            height=height,
            showlegend=False,
        )
    return fig


def weights_figure(
    before: tuple[np.ndarray, np.ndarray],
    after: tuple[np.ndarray, np.ndarray],
    *,
    labels=("before", "after"),
    title: str = "Plastic weights (nA)",
    height: int = 470,
    w_max: float = 6.0,
) -> go.Figure:
    """Cue->content and content->cue weights (rows: cues, columns: bits), before and after."""
    fig = plots.new_figure(
        2,
        2,
        subplot_titles=(
            f"cue → content, {labels[0]}",
            f"cue → content, {labels[1]}",
            f"content → cue, {labels[0]}",
            f"content → cue, {labels[1]}",
        ),
        horizontal_spacing=0.08,
        vertical_spacing=0.16,
    )
    for r, k in ((1, 0), (2, 1)):
        for c, w in ((1, before[k]), (2, after[k])):
            C, N = w.shape
            plots.heatmap(
                w,
                x=list(range(N)),
                y=list(range(C)),
                zmin=0,
                zmax=w_max,
                colorbar_title="nA",
                show_scale=(r, c) == (1, 2),
                fig=fig,
                row=r,
                col=c,
            )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(dtick=1, autorange="reversed")
    fig.update_xaxes(title_text="content bit", row=2)
    fig.update_yaxes(title_text="cue", col=1)
    fig.update_layout(title=title, height=height)
    return fig


def spacing_figure(
    sweep: SweepResult,
    *,
    reference: dict | None = None,
    title: str = "Stress test: recalls right against operation spacing",
) -> go.Figure:
    """Recalls right (of the stress test's recalls) against spacing, gated and not.

    ``sweep``: :func:`bioviz.cam.experiments.spacing_sweep`; optional reference points
    ``{label: (spacings, correct)}``.
    """
    n = sweep.settings["n_recalls"]
    fig = plots.new_figure()
    for gated in sweep.axes["gated"]:
        name = (
            "gated (plasticity only while learning)"
            if gated
            else "ungated (paper's circuit, our A+ = 4, A- = 9 nA)"
        )
        fig.add_trace(
            go.Scatter(
                x=sweep["spacing"],
                y=sweep.sel(gated=gated)["correct"] / n,
                mode="lines+markers",
                name=name,
                line=dict(color=color("cam"), dash="dot" if gated else "solid"),
            )
        )
    for label, (xs, ys) in (reference or {}).items():
        fig.add_trace(
            go.Scatter(
                x=list(xs),
                y=np.asarray(ys, float) / n,
                mode="markers",
                name=label,
                marker=dict(symbol="x-thin-open", size=11, color=color("paper")),
            )
        )
    fig.update_xaxes(title_text="operation spacing (ms)", dtick=1)
    fig.update_yaxes(title_text=f"fraction of the {n} recalls right", range=[-0.02, 1.05])
    fig.update_layout(title=title, height=380)
    return fig


def _binom_err(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.sqrt(np.clip(p * (1 - p), 0, None) / np.maximum(n, 1))


def fragment_figure(
    results: dict,
    *,
    title: str = "Recall by content from fragments",
    highlight_f: int | None = None,
    fig=None,
    row=None,
    col=None,
) -> go.Figure:
    """P(probe recalls only its target) against probe size: simulated (markers, binomial error
    bars), the perfect OR memory on the same probes (open markers) and the closed form (line)."""
    own = fig is None
    fig = fig if fig is not None else plots.new_figure()
    loc = {} if row is None else {"row": row, "col": col}
    for k, (label, res) in enumerate(results.items()):
        c = color(k) if len(results) > 1 else color("cam")
        fig.add_trace(
            go.Scatter(
                x=res.f,
                y=res.closed,
                mode="lines",
                name=f"{label}: closed form",
                line=dict(color=c, width=1.5, dash="dash"),
            ),
            **loc,
        )
        fig.add_trace(
            go.Scatter(
                x=res.f,
                y=res.ideal,
                mode="markers",
                name=f"{label}: perfect OR memory",
                marker=dict(color=c, symbol="circle-open", size=13),
            ),
            **loc,
        )
        fig.add_trace(
            go.Scatter(
                x=res.f,
                y=res.sim,
                mode="lines+markers",
                name=f"{label}: spiking CAM",
                error_y=dict(type="data", array=_binom_err(res.sim, res.n_probes), visible=True, thickness=1),
                line=dict(color=c, width=2),
                marker=dict(size=7),
            ),
            **loc,
        )
        if highlight_f is not None and 1 <= highlight_f <= len(res.f):
            i = highlight_f - 1
            fig.add_trace(
                go.Scatter(
                    x=[res.f[i]],
                    y=[res.sim[i]],
                    mode="markers",
                    showlegend=False,
                    name=f"{label}: this probe size",
                    marker=dict(color=rgba(c, 0.35), size=22),
                ),
                **loc,
            )
    fig.update_xaxes(title_text="probe size f (bits of the target)", dtick=1, **loc)
    fig.update_yaxes(title_text="P(only the target recalled)", range=[-0.03, 1.05], **loc)
    if own:
        fig.update_layout(title=title, height=400)
    return fig


def forgetting_figure(
    run: CAMRun, cue: int, old_bit: int, new_bit: int, *, kept_bit: int | None = None, title: str | None = None
) -> go.Figure:
    """Weight traces during an overwrite: an old synapse (a bit only in the old content), a new
    one (only in the new content), optionally a kept one, in both directions."""
    fig = plots.new_figure(
        2,
        1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=(f"cue {cue} → content bit", f"content bit → cue {cue}"),
    )
    t = run.weights_t
    lines = [("old", old_bit, "solid"), ("new", new_bit, "dash")]
    if kept_bit is not None:
        lines.append(("kept", kept_bit, "dot"))
    for r, w in ((1, run.w_cue_content), (2, run.w_content_cue)):
        for label, b, dash in lines:
            c = color({"old": "cue", "new": "content", "kept": "cam"}[label])
            fig.add_trace(
                go.Scatter(
                    x=t,
                    y=w[:, cue, b],
                    mode="lines",
                    name=f"{label} bit {b}",
                    showlegend=r == 1,
                    line=dict(color=c, dash=dash, width=2),
                ),
                row=r,
                col=1,
            )
        _markers(fig, op_labels(run), y0=-0.3, y1=6.3, row=r, col=1)
    fig.update_yaxes(title_text="weight (nA)", range=[-0.3, 7.2])
    fig.update_xaxes(title_text="time (ms)", row=2, col=1)
    fig.update_layout(title=title or f"Forgetting by overwrite: cue {cue}", height=470)
    return fig


def capacity_figure(
    P: np.ndarray,
    cam_fraction: np.ndarray,
    C: int,
    hop: dict,
    N_hop: int,
    title: str = "Capacity: the spiking CAM against a Hopfield network",
) -> go.Figure:
    """Fraction of stored memories retrieved: the CAM against P (a cliff at P = C) and a
    Hopfield network against P (the N -> infinity limit 0.138 N marked, and where this
    network's retrieval falls below half)."""
    fig = plots.new_figure(
        1, 2, subplot_titles=(f"spiking CAM, C = {C}", f"Hopfield, N = {N_hop}"), horizontal_spacing=0.12
    )
    fig.add_trace(
        go.Scatter(
            x=P,
            y=cam_fraction,
            mode="lines+markers",
            name="CAM (simulated)",
            line=dict(color=color("cam"), width=2),
        ),
        row=1,
        col=1,
    )
    Pf = np.linspace(1, max(P), 200)
    fig.add_trace(
        go.Scatter(
            x=Pf,
            y=np.minimum(1, C / Pf),
            mode="lines",
            name="min(1, C / P)",
            line=dict(color=color("closed form"), dash="dash", width=1),
        ),
        row=1,
        col=1,
    )
    _vline(fig, C, "P = C", c=color("cam"), y1=1.02, row=1, col=1)
    fig.add_trace(
        go.Scatter(
            x=hop["P"],
            y=hop["retrieved"],
            mode="lines+markers",
            name="Hopfield (simulated)",
            line=dict(color=color("hopfield"), width=2),
        ),
        row=1,
        col=2,
    )
    _vline(fig, hopfield.ALPHA_C * N_hop, "0.138 N (N → ∞)", c=color("closed form"), y1=1.02, row=1, col=2)
    half = hopfield.half_retrieval_load(hop)
    if np.isfinite(half):
        _vline(
            fig,
            half * N_hop,
            f"< 1/2 retrieved: P = {half * N_hop:.0f}",
            c=color("hopfield"),
            y1=0.9,
            dash="solid",
            row=1,
            col=2,
        )
    fig.update_xaxes(title_text="memories stored P")
    fig.update_yaxes(title_text="fraction retrieved", range=[-0.03, 1.1], row=1, col=1)
    fig.update_yaxes(range=[-0.03, 1.1], row=1, col=2)
    fig.update_layout(title=title, height=380)
    return fig


def hopfield_figure(
    cue_res: dict,
    load_res: dict,
    N: int,
    *,
    P_cue: int,
    C: int | None = None,
    cam_cue_curve: dict | None = None,
    title: str = "Hopfield: completion against the cue and against the load",
) -> go.Figure:
    """Left: overlap after recall against the known fraction of the cue (optionally the CAM's
    P(only the target) against the probe fraction beside it). Right: against the load P / N,
    with the N -> infinity limit 0.138 and the first load where fewer than half are retrieved."""
    fig = plots.new_figure(
        1,
        2,
        subplot_titles=(f"completion vs cue fraction (P = {P_cue})", "completion vs load"),
        horizontal_spacing=0.12,
    )
    fig.add_trace(
        go.Scatter(
            x=cue_res["fraction"],
            y=cue_res["overlap"],
            mode="lines+markers",
            name="Hopfield: overlap",
            line=dict(color=color("hopfield"), width=2),
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=cue_res["fraction"],
            y=cue_res["retrieved"],
            mode="lines",
            name="Hopfield: fraction retrieved",
            line=dict(color=color("hopfield"), dash="dash"),
        ),
        row=1,
        col=1,
    )
    if cam_cue_curve is not None:
        fig.add_trace(
            go.Scatter(
                x=cam_cue_curve["fraction"],
                y=cam_cue_curve["p_only"],
                mode="lines+markers",
                name="CAM: P(only the target)",
                line=dict(color=color("cam"), width=2),
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(
            x=load_res["alpha"],
            y=load_res["overlap"],
            mode="lines+markers",
            name="Hopfield: overlap (vs load)",
            showlegend=False,
            line=dict(color=color("hopfield"), width=2),
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=load_res["alpha"],
            y=load_res["retrieved"],
            mode="lines",
            name="Hopfield: retrieved (vs load)",
            showlegend=False,
            line=dict(color=color("hopfield"), dash="dash"),
        ),
        row=1,
        col=2,
    )
    _vline(fig, hopfield.ALPHA_C, "α = 0.138 (N → ∞)", c=color("closed form"), y1=1.02, row=1, col=2)
    half = hopfield.half_retrieval_load(load_res)
    if np.isfinite(half):
        _vline(
            fig,
            half,
            f"< 1/2 retrieved: α = {half:.2f}",
            c=color("hopfield"),
            y1=0.75,
            dash="dashdot",
            row=1,
            col=2,
        )
    _vline(fig, P_cue / N, f"P/N = {P_cue / N:.3g}", c=color("hopfield"), y1=0.9, dash="solid", row=1, col=2)
    if C is not None:
        fig.add_annotation(
            x=0.98,
            y=0.05,
            xref="x2 domain",
            yref="y2 domain",
            showarrow=False,
            text=f"the CAM holds exactly C = {C} memories at any N",
        )
    fig.update_xaxes(title_text="fraction of the pattern given as cue", row=1, col=1)
    fig.update_xaxes(title_text=f"load α = P / N (N = {N})", row=1, col=2)
    fig.update_yaxes(title_text="overlap / fraction", range=[-0.03, 1.12])
    fig.update_layout(title=title, height=400)
    return fig
