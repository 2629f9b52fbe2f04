"""Interactive explorers of notebook 07 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

from bioviz.explorer import Choice, Explorer, Float, Int, Toggle
from bioviz.multitask import figures
from bioviz.multitask import network as net


class RetrievalExplorer(Explorer):
    """One network of N = 2000 neurons: the ranked magnetisations beside the hierarchical law,
    and who serves which neuron.

    ``RetrievalExplorer(hebb=..., step=...)`` runs a student's own couplings and update
    (see :func:`bioviz.multitask.network.retrieve`); by default the package's.
    """

    name = "multitask.retrieval"
    title = "Several patterns at once: magnetisations and who serves which neuron"
    small = {"M": 5}
    N = 2000
    controls = (
        Float("d", 0.4, 0.0, 0.95, 0.05, label="dilution d"),
        Int("K", 4, 1, 6, label="patterns K"),
        Int("M", 30, 1, 100, label="examples per pattern M"),
        Float("r", 0.8, 0.05, 1.0, 0.05, label="example quality r"),
        Toggle("supervised", False, label="supervised (a teacher)"),
        Choice("init", "random", options=net.INITS, label="start from"),
        Toggle("steps", False, resimulate=False, label="show the steps"),
    )

    def __init__(self, hebb=None, step=None):
        for name, fn in (("hebb", hebb), ("step", step)):
            if fn is not None and not callable(fn):
                raise ValueError(f"{name} must be a function, got {fn!r}")
        self.hebb, self.step = hebb, step

    def simulate(self, params, seed):
        p = {k: v for k, v in params.items() if k != "steps"}
        return net.retrieve(N=self.N, seed=seed, hebb=self.hebb, step=self.step, **p)

    def figure(self, result, params):
        if params["steps"]:
            fig = figures.trajectory_figure(result)
            fig.update_layout(
                title=f"{result.steps} steps to {'a fixed point' if result.converged else 'the limit'}"
            )
            return fig
        dc = net.critical_dilution(params["K"])
        if dc >= 1:
            where = "the hierarchy never breaks"
        else:
            here = "stable" if params["d"] < dc else "unstable"
            where = f"the hierarchy is {here} here (stable below d = {dc:.2f})"
        cycle = "; the updates ended in a cycle, not a fixed point" if not result.converged else ""
        law = net.hierarchical_law(params["d"], params["K"])
        ours = result.m_sorted[0] / max(result.m_sorted[-1], 1e-9)
        law_ratio = f"{law[0] / law[-1]:.2f}" if law[-1] > 0 else "unbounded: the weakest pattern is not recalled"
        ratios = f"largest/smallest {ours:.2f} (law {law_ratio})"
        return figures.retrieval_figure(
            result, title=f"d = {params['d']:g}, K = {params['K']}: {ratios}; for perfect learning {where}{cycle}"
        )


class LearningExplorer(Explorer):
    """How well a pattern is learned against the number of examples, with and without a teacher,
    beside the majority-vote prediction (N = 1000; the examples are nested, the first M of 100)."""

    name = "multitask.learning"
    title = "Learning from noisy examples: supervised vs unsupervised"
    MS = (1, 2, 5, 10, 20, 50, 100)
    controls = (
        Float("r", 0.3, 0.05, 1.0, 0.05, label="example quality r"),
        Float("d", 0.2, 0.0, 0.9, 0.1, label="dilution d"),
        Int("K", 4, 1, 6, label="patterns K"),
        Int("M", 10, 1, 100, resimulate=False, label="mark M"),
    )

    def simulate(self, params, seed):
        return net.learning_curve(self.MS, params["r"], N=1000, K=params["K"], d=params["d"], seed=seed)

    def figure(self, result, params):
        fig = figures.learning_curve_figure(result, params["r"], M_mark=params["M"])
        rho = float(net.dataset_entropy(params["M"], params["r"]))
        fig.update_layout(
            title=f"r = {params['r']:g}; at M = {params['M']}, rho = (1 - r^2) / (M r^2) = {rho:.3g}"
        )
        return fig
