"""Interactive explorers of notebook 02 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

from bioviz.explorer import Choice, Explorer, Float, Int
from bioviz.reservoir import experiments, figures

# ---------------------------------------------------------------------------------------------
# one configuration: build, adapt, evaluate


class ConfigurationExplorer(Explorer):
    """One reservoir before and after its adaptation: memory per delay, rates, convergence."""

    name = "reservoir.config"
    small = {"steps": 100}  # the fast test tier's starting point
    title = "One E/I reservoir: static vs adapted (build, adapt, evaluate)"
    controls = (
        Float("beta", 0.4, -1.0, 1.0, 0.1, label="balance beta (row sum of A_E - A_I)"),
        Float("gain", 6.0, 1.0, 12.0, 0.5, label="gain J"),
        Float("input_scaling", 1.0, 0.1, 2.0, 0.1, label="input scaling"),
        Float("rho", 0.3, 0.05, 0.95, 0.05, label="target rate (mean)"),
        Float("heterogeneity", 0.0, 0.0, 0.9, 0.1, label="target heterogeneity h"),
        Float("delta", 2e-3, 0.0, 1e-2, 5e-4, label="adaptation rate delta", readout_format=".4f"),
        Int("steps", 0, 0, 8000, 100, label="adaptation steps (0: until the balance settles)"),
        Choice("n", 200, options=(100, 200, 400), label="neurons N"),
        Choice("mode", "plastic", options=experiments.MODES, label="mode"),
        Choice(
            "population", "all", options=("all", "excitatory", "inhibitory"), resimulate=False, label="rates of"
        ),
    )

    def simulate(self, params, seed):
        return experiments.configuration(
            beta=params["beta"],
            gain=params["gain"],
            input_scaling=params["input_scaling"],
            rho=params["rho"],
            heterogeneity=params["heterogeneity"],
            delta=params["delta"],
            steps=params["steps"] or None,
            mode=params["mode"],
            n=params["n"],
            seed=seed,
        )

    def figure(self, result, params):
        return figures.configuration_figure(result, population=params["population"])


# ---------------------------------------------------------------------------------------------
# the beta sweep for a chosen gain, target and adaptation


class SweepExplorer(Explorer):
    """MC or NRMSE against beta for one gain: static vs an adaptation mode, % change annotated.

    Sweeps are cached per process (:func:`bioviz.reservoir.experiments.cached_sweep`, shared
    with the notebook): a setting seen before redraws at once.
    """

    name = "reservoir.sweep"
    title = "Balance sweep: globally tuned vs adapted"
    controls = (
        Choice("gain", 6.0, options=(3.0, 6.0, 10.0), label="gain J"),
        Choice("rho", 0.3, options=(0.1, 0.3, 0.5, 0.7), label="target rate"),
        Choice("mode", "plastic", options=("plastic", "one-step", "intrinsic"), label="adaptation"),
        Choice("n", 200, options=(200, 400), label="neurons N"),
        Choice(
            "metric", "mc", options=("mc", "nrmse", "rate", "radius", "lyapunov"), resimulate=False, label="show"
        ),
    )

    def simulate(self, params, seed):
        return experiments.sweep_modes(
            ("static", params["mode"]),
            gain=params["gain"],
            rho=params["rho"],
            seed=seed,
            n=params["n"],
            show_progress=False,
        )

    def figure(self, result, params):
        metric = params["metric"]
        fig = figures.sweep_panel(result, metric, annotate=params["mode"] if metric in ("mc", "nrmse") else None)
        x_best, y_best = result.best("static", "mc" if metric != "nrmse" else "nrmse")
        fig.update_xaxes(title_text="beta (initial balance)")
        fig.update_yaxes(title_text=figures.METRICS[metric])
        fig.update_layout(
            height=400,
            title=(
                f"N = {params['n']}, J = {params['gain']:g}, target {params['rho']:g}: "
                f"best static beta {x_best:+.2f}; "
                f"% = change of {params['mode']} over static"
            ),
        )
        return fig
