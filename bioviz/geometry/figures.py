"""Figures of notebook 03 (pure functions of computed results; the explorers reuse them)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.runtime import blas_threads
from bioviz.sweeps import SweepResult
from bioviz.theme import color, rgba

MEASURE_LABELS = {
    "capacity": "MFTMA capacity α",
    "radius": "MFTMA radius R",
    "dimension": "MFTMA dimension D",
    "participation_ratio": "participation ratio",
    "plain_radius": "plain radius",
}


def family(name: str) -> str:
    """Colour key of a model name: 'standard', 'stochastic' or 'adversarial'."""
    for key in ("stochastic", "adversarial", "standard"):
        if name.startswith(key):
            return key
    return name


def accuracy_figure(
    curves: dict,
    *,
    eps_mark: float | None = None,
    title: str | None = None,
    panels=(1, 8),
    fig=None,
    col0: int = 1,
) -> go.Figure:
    """Accuracy against eps: one panel per evaluation (single draw, 8-draw average).

    ``curves``: ``{model name: {"EOT": robustness dict, "no EOT": robustness dict (optional)}}``
    (see :func:`bioviz.geometry.attacks.robustness`). Deterministic models draw one line;
    stochastic ones a solid line (attack with EOT) and a dashed one (without).
    """
    titles = {1: "evaluated with one noise draw", 8: "softmax averaged over 8 draws"}
    own = fig is None
    if own:
        fig = plots.new_figure(1, len(panels), subplot_titles=[titles[p] for p in panels], horizontal_spacing=0.08)
    for k, draws in enumerate(panels):
        col = col0 + k
        for name, runs in curves.items():
            c = color(family(name))
            for attack, dash in (("EOT", "solid"), ("no EOT", "dash")):
                if attack not in runs:
                    continue
                r = runs[attack]
                label = name if len(runs) == 1 else f"{name}, attack {attack}"
                fig.add_trace(
                    go.Scatter(
                        x=r["eps"],
                        y=r["acc"][draws],
                        mode="lines+markers",
                        name=label,
                        legendgroup=label,
                        showlegend=k == 0,
                        line=dict(color=c, dash=dash, width=2),
                    ),
                    row=1,
                    col=col,
                )
        if eps_mark is not None:
            fig.add_trace(
                go.Scatter(
                    x=[eps_mark, eps_mark],
                    y=[0, 1],
                    mode="lines",
                    showlegend=False,
                    name="this eps",
                    hoverinfo="skip",
                    line=dict(color=color("threshold"), dash="dot", width=1),
                ),
                row=1,
                col=col,
            )
        fig.update_xaxes(title_text="attack budget ε (L∞, pixels in [0, 1])", row=1, col=col)
        fig.update_yaxes(title_text="accuracy" if k == 0 else None, range=[0, 1.02], row=1, col=col)
    if own:
        fig.update_layout(title=title or "Accuracy under L∞ PGD", height=400)
    return fig


def tile(images: np.ndarray, pad_value: float = 0.5) -> np.ndarray:
    """Tile an (rows, cols, 64) array of 8x8 digits into one image with 1-pixel borders."""
    rows, cols = images.shape[:2]
    out = np.full((rows * 9 + 1, cols * 9 + 1), pad_value)
    for i in range(rows):
        for j in range(cols):
            out[1 + 9 * i : 9 + 9 * i, 1 + 9 * j : 9 + 9 * j] = images[i, j].reshape(8, 8)
    return out


def digits_figure(
    clean: np.ndarray,
    adversarial: dict,
    predictions: dict,
    labels,
    *,
    eps: float,
    fig=None,
    row=None,
    col=None,
    title: str | None = None,
) -> go.Figure:
    """Clean digits (top row) and one adversarial version per model (rows below), one image.

    ``adversarial``: ``{model name: (k, 64)}``; ``predictions``: ``{model name: k labels}``,
    written in each attacked digit's corner (green right, red wrong). The y tick labels name
    the rows.
    """
    names = list(adversarial)
    stack = np.stack([clean] + [adversarial[n] for n in names])  # (1 + models, k, 64)
    img = tile(stack)
    own = fig is None
    fig, loc = (plots.new_figure(), {}) if own else (fig, {"row": row, "col": col})
    rows = ["clean"] + names
    text = np.full(img.shape, "", dtype=object)
    for i, name in enumerate(rows):
        for j in range(stack.shape[1]):
            pred = predictions.get(name, [None] * stack.shape[1])[j]
            text[1 + 9 * i : 9 + 9 * i, 1 + 9 * j : 9 + 9 * j] = f"{name}: label {labels[j]}, predicted {pred}"
    fig.add_trace(
        go.Heatmap(
            z=img[::-1],
            colorscale="Greys",
            reversescale=False,
            zmin=0,
            zmax=1,
            showscale=False,
            text=text[::-1],
            hoverinfo="text",
            name="digits",
        ),
        **loc,
    )
    # each attacked digit's predicted label in its top-right corner: green if right, red if wrong
    tx, ty, tt, tc = [], [], [], []
    for i, name in enumerate(names, start=1):
        for j, pred in enumerate(predictions[name]):
            tx.append(7.5 + 9 * j)
            ty.append(img.shape[0] - 1 - (1.2 + 9 * i))
            tt.append(str(pred))
            tc.append(color("adversarial") if pred == labels[j] else color("excitatory"))
    fig.add_trace(
        go.Scatter(
            x=tx,
            y=ty,
            mode="text",
            text=tt,
            name="predicted label",
            textfont=dict(color=tc, size=14),
            showlegend=False,
            hoverinfo="skip",
        ),
        **loc,
    )
    centres = [img.shape[0] - 1 - (5 + 9 * i) for i in range(len(rows))]
    fig.update_yaxes(
        tickvals=centres,
        ticktext=[r.replace("stochastic ", "stoch. ") for r in rows],
        showgrid=False,
        zeroline=False,
        scaleanchor="x" if own else None,
        **loc,
    )
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, **loc)
    wrong = {n: int(np.sum(np.asarray(predictions[n]) != np.asarray(labels))) for n in names}
    summary = ", ".join(f"{n.replace('stochastic ', 'stoch. ')} {wrong[n]}/{len(labels)} wrong" for n in names)
    if own:
        fig.update_layout(title=title or f"Perturbed digits at ε = {eps:g}: {summary}", height=380)
    return fig


def layer_figure(
    geoms: dict,
    measures=("capacity", "radius", "dimension", "participation_ratio"),
    *,
    title: str | None = None,
    fig=None,
    cols=None,
) -> go.Figure:
    """Measures against layer for several models: adversarial solid, clean dashed.

    ``geoms``: ``{model name: LayerGeometry}``. One panel per measure.
    """
    own = fig is None
    if own:
        fig = plots.new_figure(
            1, len(measures), subplot_titles=[MEASURE_LABELS[m] for m in measures], horizontal_spacing=0.06
        )
    cols = cols or list(range(1, len(measures) + 1))
    for k, (measure, col) in enumerate(zip(measures, cols, strict=True)):
        for name, g in geoms.items():
            c = color(family(name))
            for which, dash in (("adv", "solid"), ("clean", "dash")):
                label = f"{name}, {'adversarial' if which == 'adv' else 'clean'}"
                fig.add_trace(
                    go.Scatter(
                        x=list(g.layers),
                        y=getattr(g, which)[measure],
                        mode="lines+markers",
                        name=label,
                        legendgroup=label,
                        showlegend=k == 0,
                        line=dict(color=c, dash=dash, width=2),
                    ),
                    row=1,
                    col=col,
                )
        fig.update_xaxes(title_text="layer", row=1, col=col)
    if own:
        fig.update_layout(title=title or "Layer-wise manifold geometry", height=400)
    return fig


def _pca2(points: np.ndarray) -> np.ndarray:
    centred = points - points.mean(axis=0)
    with blas_threads(1):
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
    proj = centred @ vt[:2].T
    if proj.shape[1] < 2:
        proj = np.hstack([proj, np.zeros((len(proj), 2 - proj.shape[1]))])
    signs = np.sign(proj[np.argmax(np.abs(proj), axis=0), [0, 1]])  # a deterministic orientation
    return proj * np.where(signs == 0, 1, signs)


def _panels(titles, gap: float = 0.1) -> go.Figure:
    """A row of panels built directly (cheaper than ``make_subplots``, for live re-plots)."""
    n = len(titles)
    width = (1 - gap * (n - 1)) / n
    layout = {}
    annotations = []
    for k, text in enumerate(titles):
        sfx = "" if k == 0 else str(k + 1)
        x0 = k * (width + gap)
        layout[f"xaxis{sfx}"] = dict(domain=[x0, x0 + width], anchor=f"y{sfx}", title_text="PC 1")
        layout[f"yaxis{sfx}"] = dict(anchor=f"x{sfx}", title_text="PC 2" if k == 0 else None)
        annotations.append(
            dict(
                text=text,
                x=x0 + width / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=14),
            )
        )
    fig = plots.new_figure()
    fig.update_layout(annotations=annotations, **layout)
    return fig


def cloud_panel(
    clean: np.ndarray, adversarial: np.ndarray, *, name: str, fig, panel: int = 1, showlegend: bool = True
) -> None:
    """PCA (fitted on both) of one exemplar's clean cloud and its adversarial points."""
    proj = _pca2(np.vstack([clean, adversarial]))
    n = len(clean)
    c = color(family(name))
    axes = dict(xaxis="x" if panel == 1 else f"x{panel}", yaxis="y" if panel == 1 else f"y{panel}")
    traces = [
        go.Scatter(
            x=proj[:n, 0],
            y=proj[:n, 1],
            mode="markers",
            name="clean (noise draws)",
            legendgroup="clean",
            showlegend=showlegend,
            marker=dict(color=rgba(c, 0.35), size=7, symbol="circle"),
            **axes,
        ),
        go.Scatter(
            x=proj[n:, 0],
            y=proj[n:, 1],
            mode="markers",
            name="adversarial",
            legendgroup="adversarial",
            showlegend=showlegend,
            marker=dict(color=color("excitatory"), size=7, symbol="x"),
            **axes,
        ),
    ]
    for part, label, sym in ((proj[:n], "clean mean", "circle-open"), (proj[n:], "adversarial mean", "x-open")):
        m = part.mean(axis=0)
        traces.append(
            go.Scatter(
                x=[m[0]],
                y=[m[1]],
                mode="markers",
                name=label,
                legendgroup=label,
                showlegend=showlegend,
                marker=dict(color=color("output"), size=14, symbol=sym, line=dict(width=2)),
                **axes,
            )
        )
    fig.add_traces(traces)


def cloud_figure(clouds: dict, *, layer: str, title: str | None = None) -> go.Figure:
    """One panel per model: ``clouds = {model name: (clean (M, N), adversarial (M, N))}``."""
    names = list(clouds)
    fig = _panels(names)
    for k, name in enumerate(names):
        cloud_panel(*clouds[name], name=name, fig=fig, panel=k + 1, showlegend=k == 0)
    fig.update_layout(
        title=title or f"One exemplar at the {layer} layer (PCA of clean and adversarial points)", height=400
    )
    return fig


def sigma_figure(sweep: SweepResult, *, title: str | None = None) -> go.Figure:
    """Accuracy (clean and at the largest eps) and overlap ratios against sigma, range over seeds.

    Overlap: corrected for its sampling floor (solid), raw (dotted), and the raw ratio with no
    attack (dashed grey, the floor), when the sweep has them.
    """
    s = sweep["sigma"]
    fig = plots.new_figure(
        1,
        2,
        subplot_titles=("accuracy (range over seeds)", "overlap ratio (adversarial vs noise cloud)"),
        horizontal_spacing=0.1,
    )
    eps_max = sweep.settings["eps"][-1]
    series = {
        "clean, one draw": sweep["acc1"][:, :, 0],
        "clean, 8-draw average": sweep["acc8"][:, :, 0],
        f"ε = {eps_max:g}, one draw": sweep["acc1"][:, :, -1],
        f"ε = {eps_max:g}, 8-draw average": sweep["acc8"][:, :, -1],
    }
    dash = {k: ("dot" if "one draw" in k else "solid") for k in series}
    plots.curves(
        s,
        {k: plots.band(v, kind="range") for k, v in series.items()},
        dash=dash,
        x_label="noise σ (0 = standard)",
        y_label="accuracy",
        fig=fig,
        row=1,
        col=1,
    )
    has = s > 0

    def ranged(name, v, c, dash):  # mean over seeds, error bars spanning the range
        v = np.asarray(v, dtype=float)
        mean = v.mean(axis=0)
        fig.add_trace(
            go.Scatter(
                x=s[has],
                y=mean,
                name=name,
                mode="lines+markers",
                line=dict(color=c, dash=dash, width=2),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=v.max(axis=0) - mean,
                    arrayminus=mean - v.min(axis=0),
                    thickness=1,
                ),
            ),
            row=1,
            col=2,
        )

    for j, layer in enumerate(("front", "logits")):
        c = color((0, 4)[j])
        ranged(f"{layer} layer (corrected)", sweep["overlap"][:, has, j], c, "solid")
        if "overlap_raw" in sweep:
            ranged(f"{layer} layer, raw", sweep["overlap_raw"][:, has, j], c, "dot")
    if "overlap_null_raw" in sweep:
        ranged(
            "raw with no attack (the floor)",
            sweep["overlap_null_raw"][:, has, :].mean(axis=2),
            color("threshold"),
            "dash",
        )
    fig.update_xaxes(title_text="noise σ", row=1, col=2)
    fig.update_yaxes(title_text="‖mean adv − mean clean‖ / RMS noise radius", rangemode="tozero", row=1, col=2)
    fig.add_hline(y=1.0, line=dict(color=color("threshold"), dash="dash"), row=1, col=2)
    fig.update_layout(title=title or "More noise: less clean accuracy, more overlap", height=400)
    return fig


def spread_figure(spread: dict, *, title: str | None = None) -> go.Figure:
    """Box plots of MFTMA capacity, radius and dimension over image samples, one box per M."""
    keys = ("capacity", "radius", "dimension")
    fig = plots.new_figure(1, 3, subplot_titles=[MEASURE_LABELS[k] for k in keys], horizontal_spacing=0.08)
    for col, key in enumerate(keys, start=1):
        for i, M in enumerate(spread["M"]):
            fig.add_trace(
                go.Box(
                    y=spread[key][i], name=f"M = {M}", boxpoints="all", marker_color=color(i), showlegend=False
                ),
                row=1,
                col=col,
            )
        fig.update_xaxes(title_text="points per class manifold", row=1, col=col)
    fig.update_layout(title=title or "MFTMA with 10 classes: values move with M and with the sample", height=360)
    return fig


def capacity_curves_figure(curves: dict, *, title: str | None = None) -> go.Figure:
    """The fraction of separable dichotomies against P/N (:func:`~bioviz.geometry.manifolds.capacity_curves`):
    one line per manifold radius, Cover's formula dashed, 1/2 dotted."""
    fig = plots.new_figure()
    alpha = curves["P"] / curves["N"]
    fig.add_scatter(
        x=alpha,
        y=curves["cover"],
        mode="lines",
        name="points: Cover's formula",
        line=dict(color="#888888", dash="dash"),
    )
    shades = ("#34495e", "#e67e22", "#c0392b", "#8e44ad")
    for (r, frac), c in zip(curves["fractions"].items(), shades, strict=False):
        label = "points (radius 0)" if r == 0 else f"manifolds, radius {r:g}"
        fig.add_scatter(x=alpha, y=frac, mode="lines+markers", name=label, line=dict(color=c))
    fig.add_hline(y=0.5, line=dict(color="#bbbbbb", dash="dot"))
    fig.update_xaxes(title_text="P / N (manifolds per neuron)")
    fig.update_yaxes(title_text="fraction of dichotomies separable", range=[-0.03, 1.03])
    fig.update_layout(
        title=title or f"Random dichotomies in N = {curves['N']} dimensions: capacity is where a line crosses 1/2",
        height=360,
    )
    return fig
