"""Interactive explorers of notebook 04 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from bioviz import plots
from bioviz.explorer import Choice, Explorer, Float, Int, Toggle
from bioviz.fusion import enhancement, figures, task, training
from bioviz.fusion.training import RunSpec, epochs_to_target
from bioviz.runtime import memo
from bioviz.theme import color

INTENSITIES = np.geomspace(0.05, 5.0, 25)

# ---------------------------------------------------------------------------------------------
# the neuroscience: a synthetic multisensory neuron


class EnhancementExplorer(Explorer):
    """A multisensory neuron with a saturating nonlinearity: responses and ME against intensity."""

    name = "fusion.enhancement"
    title = "Inverse effectiveness in a synthetic multisensory neuron"
    controls = (
        Float("exponent", 2.0, 1.0, 4.0, 0.25, label="nonlinearity exponent n"),
        Float("semi_saturation", 1.0, 0.25, 4.0, 0.25, label="semi-saturation drive c"),
        Float("r_max", 20.0, 4.0, 50.0, 1.0, label="ceiling r_max (spikes/trial)"),
        Float("r0", 0.5, 0.0, 2.0, 0.25, label="spontaneous rate r0 (floor)"),
        Float("gain_v", 1.0, 0.25, 2.0, 0.05, label="visual gain (audio = 1)"),
        Int("n_trials", 10, 1, 50, label="trials per condition (measured points)"),
        Toggle("subtract_spontaneous", False, resimulate=False, label="subtract spontaneous rate"),
    )

    def simulate(self, params, seed):
        resp = enhancement.neuron_responses(
            INTENSITIES,
            exponent=params["exponent"],
            semi_saturation=params["semi_saturation"],
            r_max=params["r_max"],
            r0=params["r0"],
            gain_v=params["gain_v"],
        )
        return resp, enhancement.measure(resp, params["n_trials"], seed=seed)

    def figure(self, result, params):
        resp, measured = result
        peak = int(np.argmax(resp["me"]))
        return figures.enhancement_figure(
            resp,
            measured,
            subtract_spontaneous=params["subtract_spontaneous"],
            r0=params["r0"],
            title=(
                f"{self.title}: ME peaks at {resp['me'][peak]:.0f} % (intensity "
                f"{resp['intensity'][peak]:.2g}), {resp['me'][-1]:.0f} % at the strongest"
            ),
        )


class RegressionExplorer(Explorer):
    """Regression to the mean: a population with constant ME looks inversely effective."""

    name = "fusion.regression"
    title = "Caveat: regression to the mean (Holmes 2009)"
    controls = (
        Int("n_trials", 5, 1, 40, label="trials per condition"),
        Float("true_me", 50.0, 0.0, 200.0, 10.0, label="true ME of every neuron (%)"),
        Int("n_neurons", 1000, 200, 3000, 100, label="neurons"),
        Int("n_bins", 5, 3, 10, label="bins"),
    )

    def simulate(self, params, seed):
        kw = dict(
            n_neurons=params["n_neurons"],
            n_trials=params["n_trials"],
            true_me=params["true_me"],
            n_bins=params["n_bins"],
            seed=seed,
        )
        return (
            enhancement.regression_demo(independent=False, **kw),
            enhancement.regression_demo(independent=True, **kw),
        )

    def figure(self, result, params):
        return figures.regression_figure(*result)


# ---------------------------------------------------------------------------------------------
# the task


class InputsExplorer(Explorer):
    """One sample of each modality, clean and at the chosen noise levels."""

    name = "fusion.inputs"
    title = "The two modalities and their noise"
    controls = (
        Int("label", 3, 0, 9, label="class"),
        Float("sigma_v", 0.8, 0.0, 1.5, 0.1, label="visual noise σv"),
        Float("sigma_a", 0.8, 0.0, 1.5, 0.1, label="audio noise σa"),
    )

    def simulate(self, params, seed):
        return task.examples(params["sigma_v"], params["sigma_a"], params["label"], seed=seed)

    def figure(self, result, params):
        return figures.inputs_figure(result, params["sigma_v"], params["sigma_a"])


# ---------------------------------------------------------------------------------------------
# training the ANN: what k does, and what the auxiliary heads do


_TWIN_COLOR = {"attached": "joint", "detached": "probe", "none": "base"}
_K_COLOR = {"attached": "iemf", "detached": "pcoef", "none": "iemf"}


class TrainingExplorer(Explorer):
    """Three ANN runs with the same seed: base, the chosen auxiliary heads without k, and with k."""

    name = "fusion.training"
    small = {"epochs": 5}  # the fast test tier's starting point
    title = "IEMF on the ANN: base vs auxiliary heads, without and with k"
    controls = (
        Float("sigma_v", 0.8, 0.0, 1.5, 0.1, label="visual noise σv"),
        Float("sigma_a", 0.8, 0.0, 1.5, 0.1, label="audio noise σa"),
        Float("k_scale", 1.0, 0.1, 5.0, 0.1, label="k scale"),
        Int("iemf_start", 0, 0, 20, label="IEMF start epoch"),
        Toggle("grad_noise", False, label="gradient noise (OGM-GE)"),
        Choice("aux", "attached", options=training.AUX_MODES, label="auxiliary heads"),
        Choice("optimizer", "sgd", options=training.OPTIMIZERS, label="optimizer"),
        Int("epochs", 20, 5, 25, 5, label="epochs"),
    )

    @staticmethod
    def specs(params, seed):
        sv, sa = params["sigma_v"], params["sigma_a"]
        base = RunSpec("base", sv, sa, seed)
        twin = RunSpec("joint", sv, sa, seed, aux=params["aux"], use_k=False)
        withk = RunSpec(
            "iemf",
            sv,
            sa,
            seed,
            k_scale=params["k_scale"],
            iemf_start=params["iemf_start"],
            grad_noise=params["grad_noise"],
            aux=params["aux"],
            use_k=True,
        )
        return base, twin, withk

    def simulate(self, params, seed):
        base, twin, withk = self.specs(params, seed)
        same = params["aux"] == "none"  # then the twin is the base run itself
        specs = [base, withk] if same else [base, twin, withk]
        ens = training.train_runs(specs, epochs=params["epochs"], optimizer=params["optimizer"])
        runs = [ens.run(i) for i in range(len(specs))]
        return (runs[0], runs[0], runs[1]) if same else tuple(runs)

    def figure(self, result, params):
        base, twin, withk = result
        aux = params["aux"]
        names = ("base", "heads, no k", "heads + k")  # fixed names: traces update in place
        colors = (color("base"), color(_TWIN_COLOR[aux]), color(_K_COLOR[aux]))
        x = np.array(base.history["epoch"])
        target = 0.95 * max(base.history["test_acc"])
        fig = plots.new_figure(
            1,
            3,
            subplot_titles=("fused test accuracy", "IEMF coefficient k", "unimodal heads (+ k run)"),
            column_widths=[0.45, 0.3, 0.25],
            horizontal_spacing=0.08,
        )
        reached = []
        for run, name, c, dash in zip((base, twin, withk), names, colors, ("solid", "dash", "solid"), strict=True):
            fig.add_trace(
                go.Scatter(
                    x=x, y=run.history["test_acc"], mode="lines", name=name, line=dict(color=c, width=2, dash=dash)
                ),
                row=1,
                col=1,
            )
            ep = epochs_to_target(run.history["test_acc"], target)
            reached.append(ep)
            fig.add_trace(
                go.Scatter(
                    x=[] if ep is None else [ep],
                    y=[] if ep is None else [target],
                    mode="markers",
                    name=f"{name}: target reached",
                    showlegend=False,
                    marker=dict(color=c, size=11, symbol="triangle-down"),
                ),
                row=1,
                col=1,
            )
        fig.add_trace(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[target, target],
                mode="lines",
                name="target: 95 % of base's best",
                line=dict(color="#95a5a6", dash="dot", width=1),
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=x, y=withk.history["k"], mode="lines", name="k (computed)", line=dict(color=colors[2], width=2)
            ),
            row=1,
            col=2,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=withk.history["k_applied"],
                mode="lines",
                name="k applied",
                line=dict(color="#17202a", width=1.5, dash="dot"),
            ),
            row=1,
            col=2,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=twin.history["k"],
                mode="lines",
                name="k of the no-k run (not applied)",
                line=dict(color=colors[1], width=1.5, dash="dash"),
            ),
            row=1,
            col=2,
        )
        for key, m in (("acc_a", "audio"), ("acc_v", "visual")):
            fig.add_trace(
                go.Scatter(
                    x=x, y=withk.history[key], mode="lines", name=f"{m} head", line=dict(color=color(m), width=2)
                ),
                row=1,
                col=3,
            )
        fig.update_xaxes(title_text="epoch")
        fig.update_yaxes(title_text="accuracy", row=1, col=1)
        fig.update_yaxes(title_text="accuracy", row=1, col=3)
        ep_text = ", ".join(f"{'never' if e is None else e}" for e in reached)
        fig.update_layout(
            height=400,
            title=(
                f"{aux} auxiliary heads, {params['optimizer']}: final {base.test_acc:.3f} / "
                f"{twin.test_acc:.3f} / {withk.test_acc:.3f} (base / no k / + k); "
                f"epochs to target: {ep_text}"
            ),
        )
        return fig


# ---------------------------------------------------------------------------------------------
# the SNN


@memo(maxsize=8)
def _ann_reference(sigma: float, epochs: int, seed: int):
    specs = [RunSpec("base", sigma, sigma, seed), RunSpec("iemf", sigma, sigma, seed)]
    return training.train_runs(specs, epochs=epochs)


class SNNExplorer(Explorer):
    """Spiking encoders (snnTorch), base vs iemf, with the ANN of the same settings dashed."""

    name = "fusion.snn"
    small = {"epochs": 2, "num_steps": 2}  # the fast test tier's starting point
    title = "IEMF with spiking encoders"
    controls = (
        Float("sigma", 0.8, 0.0, 1.5, 0.1, label="noise σ (both modalities)"),
        Int("num_steps", 6, 2, 8, label="SNN time steps"),
        Float("beta", 0.9, 0.5, 0.95, 0.05, label="membrane decay β"),
        Int("epochs", 5, 2, 8, label="epochs"),
    )

    def simulate(self, params, seed):
        s = params["sigma"]
        specs = [RunSpec("base", s, s, seed), RunSpec("iemf", s, s, seed)]
        snn = training.train_runs(
            specs,
            kind="snn",
            epochs=params["epochs"],
            num_steps=params["num_steps"],
            beta=params["beta"],
            show_progress=True,
            desc="training the SNNs",
        )
        return snn, _ann_reference(s, params["epochs"], seed)

    def figure(self, result, params):
        snn, ann = result
        fig = figures.snn_figure(snn, ann)
        acc = snn.test_acc[:, -1]
        fig.update_layout(
            title=(
                f"SNN base {acc[0]:.3f} vs iemf {acc[1]:.3f} (k {snn.k[1, -1]:.2f}); spikes per sample "
                f"{snn.spikes[0].sum():.0f} vs {snn.spikes[1].sum():.0f}; firing probability "
                f"{snn.firing_prob.mean():.3f} per neuron per step"
            )
        )
        return fig
