"""Interactive explorers of notebook 06 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

import numpy as np

from bioviz import plots
from bioviz.credit import ccl, curl, figures, toy, zo
from bioviz.explorer import Choice, Explorer, Float, Int
from bioviz.theme import color

FLIP_NAMES = {"none (gradient descent)": "none", "w1 flipped": "w1", "w2 flipped": "w2"}


class FieldExplorer(Explorer):
    """The two-weight network's update field, with or without one weight's plasticity flipped."""

    name = "credit.field"
    title = "Flipping one synapse's plasticity: the update field gains curl"
    stochastic = False
    controls = (
        Choice("flip", "w2 flipped", options=tuple(FLIP_NAMES), label="plasticity"),
        Float("w1", 2.0, -2.8, 2.8, 0.2, label="start w1"),
        Float("w2", 0.4, -2.8, 2.8, 0.2, label="start w2"),
    )

    def simulate(self, params, seed):
        flip = FLIP_NAMES[params["flip"]]
        return flip, toy.trajectory((params["w1"], params["w2"]), flip, steps=600)

    def figure(self, result, params):
        flip, path = result
        fig = plots.new_figure(
            1,
            2,
            column_widths=[0.55, 0.45],
            horizontal_spacing=0.12,
            subplot_titles=("update field and its curl", "loss along the trajectory"),
        )
        figures.field_panel(flip, path, fig=fig, row=1, col=1)
        fig.add_scatter(
            x=np.arange(len(path.loss)),
            y=np.maximum(path.loss, 1e-12),
            mode="lines",
            line=dict(color="#c0392b"),
            showlegend=False,
            row=1,
            col=2,
        )
        fig.update_yaxes(type="log", title_text="loss", row=1, col=2)
        fig.update_xaxes(title_text="step", row=1, col=2)
        end = path.w[-1]
        fig.update_layout(
            title=f"{params['flip']}: from ({params['w1']:g}, {params['w2']:g}) to ({end[0]:.2f}, {end[1]:.2f}), "
            f"loss {path.loss[-1]:.1e} after {len(path.loss) - 1} steps",
            height=460,
        )
        return fig


class ZOExplorer(Explorer):
    """How good is a gradient estimate built from loss values alone?"""

    name = "credit.zo"
    title = "Zeroth-order estimates: cosine with the true gradient against the number of probes"
    controls = (
        Choice("K", 8, options=zo.PROBES, resimulate=False, label="probes K (marked)"),
        Choice("s", 1e-3, options=(1e-4, 1e-3, 1e-2, 1e-1, 1.0), label="perturbation size s"),
        Choice("hidden", zo.HIDDEN, options=(8, 16, 32, 64, 128), label="hidden width"),
    )

    def simulate(self, params, seed):
        return zo.cosine_curve(params["s"], params["hidden"], seed)

    def figure(self, result, params):
        fig = plots.new_figure(
            1,
            2,
            column_widths=[0.6, 0.4],
            horizontal_spacing=0.12,
            subplot_titles=("mean cosine over 5 estimates", f"each estimate at K = {params['K']}"),
        )
        figures.cosine_curves(
            result.Ks, result.weight, result.node, result.d, result.units, mark=params["K"], fig=fig, row=1, col=1
        )
        for name, values in result.spread.items():
            v = values[params["K"]]
            fig.add_scatter(
                x=[name] * len(v),
                y=v,
                mode="markers",
                marker=dict(size=9, color=color(name)),
                showlegend=False,
                row=1,
                col=2,
            )
        fig.update_yaxes(title_text="cosine", row=1, col=2)
        i = result.Ks.index(params["K"])
        fig.update_layout(
            title=f"d = {result.d} weights: weight perturbation's cosine {result.weight[i]:.3f} "
            f"at K = {params['K']} (theory {float(zo.theory(params['K'], result.d)):.3f}); "
            f"node perturbation {result.node[i]:.3f}",
            legend=dict(orientation="h", y=-0.25),
        )
        return fig


class CurlExplorer(Explorer):
    """A teacher-student network with some synapses' plasticity flipped."""

    name = "credit.curl"
    title = "Flipped plasticity in the hidden layer or in the readout"
    controls = (
        Float("hidden_flip", 0.3, 0.0, 0.5, 0.05, label="fraction flipped: hidden layer (input neurons)"),
        Float("readout_flip", 0.0, 0.0, 0.5, 0.05, label="fraction flipped: readout (hidden neurons)"),
        Choice("expansion", 3.0, options=(1.0, 2.0, 3.0, 5.0, 10.0), label="expansion ratio (hidden / input)"),
    )

    def simulate(self, params, seed):
        return curl.run(params["hidden_flip"], params["readout_flip"], params["expansion"], seed)

    def figure(self, result, params):
        fig = plots.new_figure()
        figures.loss_curves(
            result.steps, {"gradient descent": result.loss[:, 0], "flipped plasticity": result.loss[:, 1]}, fig=fig
        )
        gd, fl = result.final
        outcome = (
            f"final loss {fl:.2e} ({fl / gd:.3g}x gradient descent's)"
            if np.isfinite(fl) and fl < 1e30
            else "the student diverged (its curve stops at its last finite loss)"
        )
        fig.update_layout(
            title=f"{params['hidden_flip']:.0%} of the input neurons' and {params['readout_flip']:.0%} "
            f"of the hidden neurons' plasticity flipped: {outcome}",
            height=420,
        )
        return fig


METHOD_NAMES = {"bp": "back-propagation", "ccl": "counter-current", "readout": "readout only"}


class CCLExplorer(Explorer):
    """Counter-current learning beside back-propagation and the readout-only control."""

    name = "credit.ccl"
    title = "Counter-current learning: local losses against a feedback network's class codes"
    controls = (
        Choice("local_weight", 1.0, options=(0.0, 0.1, 0.3, 1.0, 3.0), label="weight of the local losses"),
        Choice("feedback", "trained", options=("trained", "frozen"), label="feedback network"),
        Int("depth", 2, 1, 4, label="hidden layers"),
    )
    small = {"depth": 1}

    def simulate(self, params, seed):
        fb_lr = ccl.LR if params["feedback"] == "trained" else 0.0
        runs = {
            "back-propagation": ccl.train("bp", depth=params["depth"], seed=seed, show_progress=False),
            "counter-current": ccl.train(
                "ccl",
                depth=params["depth"],
                local_weight=params["local_weight"],
                feedback_lr=fb_lr,
                seed=seed,
                show_progress=False,
            ),
            "readout only": ccl.train("readout", depth=params["depth"], seed=seed, show_progress=False),
        }
        return runs

    def figure(self, result, params):
        fig = plots.new_figure()
        figures.accuracy_curves({k: (np.arange(len(r.accuracy)), r.accuracy) for k, r in result.items()}, fig=fig)
        acc = {k: r.accuracy[-1] for k, r in result.items()}
        fig.update_yaxes(range=[0.5, 1.0])
        fig.update_layout(
            title=f"{params['depth']} hidden layers, local-loss weight {params['local_weight']:g}, "
            f"{params['feedback']} feedback: counter-current {acc['counter-current']:.3f}, "
            f"back-propagation {acc['back-propagation']:.3f}, "
            f"readout only {acc['readout only']:.3f}",
            height=420,
        )
        return fig
