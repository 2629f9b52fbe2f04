"""Static figures of notebook 00 (pure functions of computed results)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.primer import lif
from bioviz.sweeps import SweepResult
from bioviz.theme import color


def fi_figure(
    currents_nA,
    rates: dict,
    *,
    tau_ms=10.0,
    threshold_mV=15.0,
    t_ref_ms=0.0,
    title="f-I curve: closed form vs simulation",
) -> go.Figure:
    """Closed-form f-I curve (line) with simulated rates (markers) and their relative error."""
    currents_nA = np.asarray(currents_nA, float)
    fine = np.linspace(0, currents_nA.max(), 300)
    closed = lif.rate_closed_form(fine, tau_ms, threshold_mV, t_ref_ms=t_ref_ms)
    closed_at = lif.rate_closed_form(currents_nA, tau_ms, threshold_mV, t_ref_ms=t_ref_ms)
    fig = plots.new_figure(
        1, 2, subplot_titles=("rate", "relative error vs closed form"), column_widths=[0.6, 0.4]
    )
    fig.add_trace(
        go.Scatter(
            x=fine,
            y=np.where(np.isfinite(closed), closed, 0),
            mode="lines",
            name="closed form",
            line=dict(color=color("closed form")),
        ),
        row=1,
        col=1,
    )
    for (name, r), symbol in zip(rates.items(), ("circle-open", "x-thin-open"), strict=False):
        fig.add_trace(
            go.Scatter(
                x=currents_nA,
                y=r,
                mode="markers",
                name=name,
                marker=dict(color=color(name), symbol=symbol, size=9),
            ),
            row=1,
            col=1,
        )
        err = lif.relative_error(r, closed_at)
        ok = np.isfinite(err)
        fig.add_trace(
            go.Scatter(
                x=currents_nA[ok],
                y=100 * err[ok],
                mode="lines+markers",
                name=f"{name} error",
                marker=dict(color=color(name), symbol=symbol),
                showlegend=False,
            ),
            row=1,
            col=2,
        )
    rheo = lif.rheobase_nA(threshold_mV)
    fig.add_vline(x=rheo, line=dict(dash="dot", color=color("threshold")), row=1, col=1)
    fig.update_xaxes(title_text="input current (nA)")
    fig.update_yaxes(title_text="rate (Hz)", row=1, col=1)
    fig.update_yaxes(title_text="error (%)", row=1, col=2)
    fig.update_layout(title=title, height=380)
    return fig


def training_figure(results: dict) -> go.Figure:
    """Accuracy per epoch (mean and range over seeds), final accuracy, and SNN spike counts."""
    fig = plots.new_figure(
        1,
        3,
        subplot_titles=(
            "test accuracy per epoch (range over seeds)",
            "final test accuracy",
            "hidden spikes per digit",
        ),
        column_widths=[0.42, 0.23, 0.35],
    )
    for kind, runs in results.items():
        acc = np.array([r.history["test_acc"] for r in runs])
        plots.curves(
            np.array(runs[0].history["epoch"]),
            {kind: plots.band(acc, kind="range")},
            x_label="epoch",
            y_label="accuracy",
            fig=fig,
            row=1,
            col=1,
        )
        finals = [r.test_acc for r in runs]
        fig.add_trace(
            go.Box(y=finals, name=kind, boxpoints="all", marker_color=color(kind), showlegend=False), row=1, col=2
        )
    counts = np.concatenate([r.hidden_counts for r in results["snn"]])
    fig.add_trace(
        go.Histogram(x=counts, nbinsx=40, marker_color=color("snn"), name="snn spikes", showlegend=False),
        row=1,
        col=3,
    )
    fig.update_xaxes(title_text="spikes (all hidden neurons, all steps)", row=1, col=3)
    fig.update_layout(height=380, title="Surrogate-gradient SNN vs equal ANN on sklearn digits")
    return fig


def _chance(fig: go.Figure) -> None:
    """A dotted line at chance accuracy (10 classes)."""
    fig.add_hline(
        y=0.1,
        line=dict(dash="dot", color=color("threshold")),
        annotation_text="chance",
        annotation_position="bottom right",
    )


def learning_curves(runs: dict, title: str = "Test accuracy while training") -> go.Figure:
    """Test accuracy per epoch of named runs (``{label: TrainResult}``), one curve each."""
    fig = plots.new_figure(1, 1)
    for label, run in runs.items():
        plots.curves(
            np.array(run.history["epoch"]),
            {label: np.array(run.history["test_acc"])},
            x_label="epoch",
            y_label="test accuracy",
            fig=fig,
        )
    _chance(fig)
    fig.update_layout(title=title, height=360)
    return fig


def depth_figure(sweep: SweepResult) -> go.Figure:
    """Test accuracy (mean and range over seeds) against the number of hidden layers.

    One curve per model of :func:`bioviz.primer.training.depth_sweep`.
    """
    fig = plots.new_figure(1, 1)
    depths = [int(d) for d in sweep["depth"]]
    for model in sweep.axes["model"]:
        one = sweep.sel(model=model)
        plots.curves(
            np.array(depths),
            {model: plots.band(one["test_acc"], kind="range")},
            x_label="hidden spiking layers",
            y_label="test accuracy (mean, range over seeds)",
            fig=fig,
        )
    _chance(fig)
    fig.update_xaxes(tickvals=depths)
    fig.update_layout(title="Which surrogates train deeper SNNs", height=400)
    return fig
