"""Interactive explorers of notebook 08 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz import plots
from bioviz.continual import figures
from bioviz.continual import model as M
from bioviz.explorer import Choice, Explorer, Int, Toggle

METHODS = {name: key for key, name in figures.METHOD_NAMES.items()}


@dataclass(frozen=True)
class SequenceResult:
    run: M.Sequence
    baseline: M.Sequence


class SequenceExplorer(Explorer):
    """A task sequence trained with one method, its accuracy matrix, and each task's accuracy
    when learned and at the end, beside plain fine-tuning."""

    name = "continual.sequence"
    title = "Learning tasks one after another: what is remembered at the end"
    controls = (
        Choice("method", "HLOP (Hebbian)", options=tuple(METHODS), label="method"),
        Int("rows", M.ROWS[0], 0, 10, label="subspace rows per task (input layer; hidden: 3x)"),
        Int("n_tasks", 4, 2, 6, label="number of tasks"),
        Toggle("project_input", True, label="project the input layer"),
        Toggle("project_hidden", True, label="project the hidden layer"),
    )

    def simulate(self, params, seed):
        project = (params["project_input"], params["project_hidden"])
        run = M.sequence(METHODS[params["method"]], params["n_tasks"], params["rows"], project, seed)
        return SequenceResult(run, M.sequence("finetune", params["n_tasks"], 0, (True, True), seed))

    def figure(self, result, params):
        fig = plots.new_figure(
            1,
            2,
            column_widths=[0.45, 0.55],
            horizontal_spacing=0.14,
            subplot_titles=(f"{params['method']}: accuracy matrix", "each task when learned, and at the end"),
        )
        figures.accuracy_matrix(result.run.R, fig=fig, row=1, col=1, show_scale=False)
        runs = {"fine-tuning": result.baseline}
        if params["method"] != "fine-tuning":
            runs[params["method"]] = result.run
        figures.final_bars(runs, fig=fig, row=1, col=2)
        r, b = result.run, result.baseline
        fig.update_layout(
            title=f"{params['method']}: ACC {r.acc:.3f}, BWT {r.bwt:+.3f}, new tasks learned to {r.learned:.3f} "
            f"(fine-tuning: ACC {b.acc:.3f}, BWT {b.bwt:+.3f}, learned to {b.learned:.3f})",
            legend=dict(orientation="h", y=-0.25),
        )
        return fig


class HebbianExplorer(Explorer):
    """Hebbian rows learning the principal subspace of task 0's inputs to one layer."""

    name = "continual.hebbian"
    title = "The Oja-subspace rule against the exact principal subspace"
    controls = (
        Choice("layer", "input", options=M.LAYERS, label="layer"),
        Int("rows", M.ROWS[0], 2, 20, label="rows"),
        Choice("rate", M.OJA_RATE, options=(0.05, 0.1, 0.2, 0.5, 1.0, 1.5), label="rate (times 1 / E||x||^2)"),
        Choice("iters", M.OJA_ITERS, options=(100, 200, 500, 1000, 2000, 4000), label="Hebbian mini-batches"),
    )
    stochastic = True

    def simulate(self, params, seed):
        return M.subspace_fit(params["layer"], params["rows"], params["rate"], params["iters"], seed)

    def figure(self, result, params):
        fig = plots.new_figure(
            1,
            2,
            horizontal_spacing=0.12,
            subplot_titles=("energy captured while learning", "principal angles to the exact subspace"),
        )
        figures.captured(result.iters, result.energy, result.exact_energy, fig=fig, row=1, col=1)
        figures.angles(result.angles, fig=fig, row=1, col=2)
        fig.update_layout(
            title=f"{params['rows']} Hebbian rows capture {result.energy[-1]:.3f} of the energy (exact: "
            f"{result.exact_energy:.3f}); median angle {float(np.median(result.angles)):.0f} deg; "
            f"max |H H^T - I| = {result.orthonormality:.3f}",
            legend=dict(orientation="h", y=-0.25),
            showlegend=True,
        )
        return fig
