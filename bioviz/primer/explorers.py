"""Interactive explorers of notebook 00 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.explorer import Choice, Explorer, Float, Int, Toggle
from bioviz.primer import encoding, lif, training
from bioviz.runtime import memo
from bioviz.theme import color

# ---------------------------------------------------------------------------------------------
# the neuron: Brian2 vs snnTorch, and the f-I curve


@dataclass(frozen=True)
class NeuronResult:
    brian2: lif.LIFRun
    stepped: lif.LIFRun
    sweep_nA: np.ndarray
    closed_form_hz: np.ndarray
    params: dict


class NeuronExplorer(Explorer):
    """One LIF neuron in Brian2 and as a discrete step, with the f-I curve against the
    closed form.

    ``NeuronExplorer(step=my_step)`` simulates a student's own ``step(u, x, beta, threshold)``
    (see :func:`bioviz.primer.lif.simulate_step`); by default the package's
    :func:`~bioviz.primer.lif.lif_step`. Reset to zero; a refractory period holds the membrane
    at 0 in both simulators.
    """

    name = "primer.neuron"
    small = {"dt_ms": 1.0}  # the fast test tier's starting point
    title = "LIF neuron: Brian2 vs the discrete step, and the f-I curve"
    stochastic = False
    SWEEP = np.round(np.linspace(0.0, 5.0, 21), 3)
    DURATION_MS = 200.0
    controls = (
        Float("tau_ms", 10.0, 2.0, 50.0, 1.0, label="tau (ms)"),
        Float("threshold_mV", 15.0, 5.0, 30.0, 1.0, label="threshold (mV above rest)"),
        Float("current_nA", 2.0, 0.0, 5.0, 0.1, label="input current (nA)"),
        Float("t_ref_ms", 0.0, 0.0, 10.0, 0.5, label="refractory period (ms)"),
        Choice("dt_ms", 0.1, options=(0.05, 0.1, 0.2, 0.5, 1.0), label="dt (ms)"),
        Toggle("show_fi", True, resimulate=False, label="show f-I curve"),
    )

    def __init__(self, step=None):
        if step is not None and not callable(step):
            raise ValueError(f"step must be a function step(u, x, beta, threshold), got {step!r}")
        self.step = step or lif.lif_step
        # a tutorial passes the name its checker returned: the reference when the exercise is
        # not done (or wrong), so label it by what it is
        self.step_label = "lif_step" if self.step is lif.lif_step else "your lif_step"

    def simulate(self, params, seed):
        common = dict(
            tau_ms=params["tau_ms"],
            threshold_mV=params["threshold_mV"],
            t_ref_ms=params["t_ref_ms"],
            dt_ms=params["dt_ms"],
            duration_ms=self.DURATION_MS,
        )
        currents = np.concatenate([[params["current_nA"]], self.SWEEP])
        return NeuronResult(
            brian2=lif.simulate_brian2(currents, **common),
            stepped=lif.simulate_step(self.step, currents, **common),
            sweep_nA=self.SWEEP,
            closed_form_hz=lif.rate_closed_form(
                self.SWEEP, params["tau_ms"], params["threshold_mV"], t_ref_ms=params["t_ref_ms"]
            ),
            params=params,
        )

    def figure(self, result, params):
        b, s = result.brian2, result.stepped
        mine = self.step_label
        match = lif.compare_spike_trains(b.spike_times[0], s.spike_times[0])
        if match.identical:
            verdict = "identical spike trains"
        elif match.n_a != match.n_b:
            verdict = f"spike trains differ: {match.n_a} vs {match.n_b} spikes"
        else:
            verdict = f"spike trains differ by up to {match.max_abs_diff_ms:.2g} ms"
        cols = 2 if params["show_fi"] else 1
        fig = plots.new_figure(
            1,
            cols,
            column_widths=[0.62, 0.38] if cols == 2 else None,
            subplot_titles=("membrane potential", "f-I curve")[:cols],
            horizontal_spacing=0.1,
        )
        plots.traces(
            b.t,
            {"brian2": b.v, mine: s.v},
            threshold=params["threshold_mV"],
            spikes={"brian2": b.spike_times[0], mine: s.spike_times[0]},
            dash={mine: "dot"},
            value_label="V - V_rest (mV)",
            fig=fig,
            row=1,
            col=1,
        )
        if cols == 2:
            fine = np.linspace(0, 5, 201)
            cf = lif.rate_closed_form(fine, params["tau_ms"], params["threshold_mV"], t_ref_ms=params["t_ref_ms"])
            fig.add_trace(
                go.Scatter(
                    x=fine,
                    y=np.where(np.isfinite(cf), cf, 0),
                    mode="lines",
                    name="closed form",
                    line=dict(color=color("closed form")),
                ),
                row=1,
                col=2,
            )
            for name, run, symbol in (("brian2", b, "circle-open"), (mine, s, "x-thin-open")):
                fig.add_trace(
                    go.Scatter(
                        x=result.sweep_nA,
                        y=run.rates_hz()[1:],
                        mode="markers",
                        name=f"{name} (simulated)",
                        marker=dict(color=color(name), symbol=symbol, size=8),
                    ),
                    row=1,
                    col=2,
                )
            op = lif.rate_closed_form(
                params["current_nA"], params["tau_ms"], params["threshold_mV"], t_ref_ms=params["t_ref_ms"]
            )
            fig.add_trace(
                go.Scatter(
                    x=[params["current_nA"]],
                    y=[float(op)],
                    mode="markers",
                    name="this current",
                    marker=dict(size=13, color=color("spike"), symbol="star"),
                ),
                row=1,
                col=2,
            )
            fig.update_xaxes(title_text="input current (nA)", row=1, col=2)
            fig.update_yaxes(title_text="rate (Hz)", row=1, col=2)
        fig.update_layout(title=f"{self.title} -- {verdict}", height=420)
        return fig


# ---------------------------------------------------------------------------------------------
# spike encodings


class EncodingExplorer(Explorer):
    """One digit encoded three ways: rate, latency (RC) and delta (of the drifting digit)."""

    name = "primer.encoding"
    title = "Spike encodings of a digit"
    controls = (
        Int("digit", 3, 0, 9, label="digit"),
        Int("num_steps", 40, 10, 100, 5, label="time steps"),
        Float("rate_gain", 0.5, 0.05, 1.0, 0.05, label="rate: gain"),
        Float("latency_tau", 5.0, 1.0, 20.0, 0.5, label="latency: tau (steps)"),
        Float("delta_threshold", 0.1, 0.05, 0.95, 0.05, label="delta: threshold"),
    )

    def simulate(self, params, seed):
        image, label = encoding.digit(encoding.first_of_class(params["digit"]))
        n = params["num_steps"]
        return dict(
            image=image,
            label=label,
            rate=encoding.rate(image, n, gain=params["rate_gain"], seed=seed),
            latency=encoding.latency(image, n, tau=params["latency_tau"]),
            delta=encoding.delta(image, n, threshold=params["delta_threshold"]),
        )

    def figure(self, result, params):
        counts = {k: int(np.abs(result[k]).sum()) for k in encoding.ENCODINGS}
        titles = [f"digit {result['label']}"] + [f"{k}: {counts[k]} spikes" for k in encoding.ENCODINGS]
        fig = plots.new_figure(
            1, 4, subplot_titles=titles, column_widths=[0.16, 0.28, 0.28, 0.28], horizontal_spacing=0.05
        )
        plots.heatmap(result["image"][::-1], fig=fig, row=1, col=1, show_scale=False, zmin=0, zmax=1)
        for col, kind in enumerate(encoding.ENCODINGS, start=2):
            steps, neurons, signs = encoding.spike_events(result[kind])
            for sign, name in ((1, "on spike"), (-1, "off spike")):
                keep = signs == sign
                if sign == -1 and kind != "delta":
                    continue
                fig.add_trace(
                    go.Scatter(
                        x=steps[keep],
                        y=neurons[keep],
                        mode="markers",
                        name=f"{kind} {name}",
                        showlegend=False,
                        marker=dict(
                            symbol="line-ns-open",
                            size=6,
                            line=dict(width=1.5),
                            color=color("excitatory" if sign > 0 else "inhibitory"),
                        ),
                    ),
                    row=1,
                    col=col,
                )
            fig.update_xaxes(title_text="step", range=[-0.5, params["num_steps"] - 0.5], row=1, col=col)
            fig.update_yaxes(
                range=[-0.5, 63.5],
                showticklabels=col == 2,
                row=1,
                col=col,
                title_text="pixel" if col == 2 else None,
            )
        fig.update_xaxes(showticklabels=False, row=1, col=1)
        fig.update_yaxes(showticklabels=False, scaleanchor="x", row=1, col=1)
        fig.update_layout(title=self.title, height=360)
        return fig


# ---------------------------------------------------------------------------------------------
# surrogate gradients


class SurrogateExplorer(Explorer):
    """The spike's true derivative (zero almost everywhere) vs two surrogates, with the peak
    and the area (the total gradient passed) of each."""

    name = "primer.surrogate"
    title = "The spike and its surrogate derivatives"
    stochastic = False
    controls = (
        Float("slope", 25.0, 1.0, 50.0, 1.0, label="fast sigmoid: slope k"),
        Float("alpha", 2.0, 0.2, 4.0, 0.1, label="arctan: alpha"),
        Float("x_range", 1.0, 0.2, 3.0, 0.1, resimulate=False, label="x range (U - threshold)"),
    )

    def simulate(self, params, seed):
        fast = training.surrogate_curves(params["slope"], x_range=3.0)
        # the arctan curve at alpha: snnTorch's atan with alpha = slope / 12.5
        atan = training.surrogate_curves(12.5 * params["alpha"], x_range=3.0)
        return dict(
            x=fast["x"],
            heaviside=fast["heaviside"],
            fast_sigmoid=fast["fast_sigmoid"],
            atan=atan["atan"],
            shapes={
                "fast_sigmoid": training.surrogate_shape("fast_sigmoid", params["slope"]),
                "atan": training.surrogate_shape("atan", 12.5 * params["alpha"]),
            },
        )

    def figure(self, result, params):
        x = result["x"]
        keep = np.abs(x) <= params["x_range"] + 1e-9
        fig = plots.new_figure(1, 2, subplot_titles=("spike S = H(U - threshold)", "dS/dU used in backprop"))
        fig.add_trace(
            go.Scatter(
                x=x[keep],
                y=result["heaviside"][keep],
                mode="lines",
                name="Heaviside",
                line=dict(color=color("output"), shape="hv"),
            ),
            row=1,
            col=1,
        )
        for name in ("fast_sigmoid", "atan"):
            shape = result["shapes"][name]
            fig.add_trace(
                go.Scatter(
                    x=x[keep],
                    y=result[name][keep],
                    mode="lines",
                    name=f"{name} (peak {shape['peak']:.2g}, area {shape['area']:.2g})",
                    line=dict(color=color(1 if name == "atan" else 0), width=2),
                ),
                row=1,
                col=2,
            )
        fig.add_trace(
            go.Scatter(
                x=x[keep],
                y=np.zeros(keep.sum()),
                mode="lines",
                name="true derivative (0, a spike at 0)",
                line=dict(color=color("output"), dash="dot"),
            ),
            row=1,
            col=2,
        )
        fig.update_xaxes(title_text="U - threshold")
        fig.update_layout(title=self.title, height=340)
        return fig


# ---------------------------------------------------------------------------------------------
# training


@memo(maxsize=16)
def _ann(n_hidden: int, hidden_layers: int, epochs: int, seed: int) -> training.TrainResult:
    return training.train("ann", n_hidden=n_hidden, hidden_layers=hidden_layers, epochs=epochs, seed=seed)


class TrainingExplorer(Explorer):
    """Train the digits SNN with a chosen surrogate; the equal ANN is the reference."""

    name = "primer.training"
    small = {"epochs": 2, "n_hidden": 16, "num_steps": 2}  # the fast test tier's starting point
    title = "Surrogate-gradient SNN vs an equal ANN on digits"
    controls = (
        Choice("surrogate", "fast_sigmoid", options=training.SURROGATES, label="surrogate"),
        Float("slope", 25.0, 2.0, 50.0, 1.0, label="surrogate slope k"),
        Float("beta", 0.9, 0.5, 0.99, 0.01, label="beta (membrane decay)"),
        Int("num_steps", 10, 2, 20, label="time steps"),
        Float("spike_penalty", 1.0, 0.0, 3.0, 0.25, label="spike penalty"),
        Int("n_hidden", 128, 16, 256, 16, label="hidden neurons"),
        Int("hidden_layers", 1, 1, 3, label="hidden spiking layers"),
        Int("epochs", 6, 2, 15, label="epochs"),
    )

    def simulate(self, params, seed):
        snn = training.train("snn", seed=seed, show_progress=True, **params)
        ann = _ann(params["n_hidden"], params["hidden_layers"], params["epochs"], seed)
        return snn, ann

    def figure(self, result, params):
        snn, ann = result
        fig = plots.new_figure(1, 2, subplot_titles=("test accuracy", "hidden spikes per test digit"))
        plots.curves(
            np.array(snn.history["epoch"]),
            {"snn": np.array(snn.history["test_acc"]), "ann": np.array(ann.history["test_acc"])},
            x_label="epoch",
            y_label="accuracy",
            fig=fig,
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Histogram(
                x=snn.hidden_counts, nbinsx=30, name="spike count", marker_color=color("snn"), showlegend=False
            ),
            row=1,
            col=2,
        )
        fig.update_xaxes(title_text="spikes (all hidden neurons, all steps)", row=1, col=2)
        fig.update_layout(
            height=380,
            margin=dict(t=80),
            title=(
                f"SNN {snn.test_acc:.1%} vs ANN {ann.test_acc:.1%} test accuracy<br>"
                f"<sup>hidden firing probability {snn.firing_prob:.3f} per step; synaptic ops per digit "
                f"{snn.synops:,.0f} (SNN) vs {ann.synops:,.0f} (ANN)</sup>"
            ),
        )
        return fig
