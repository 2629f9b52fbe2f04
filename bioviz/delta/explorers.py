"""Interactive explorers of notebook 10 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from bioviz import plots
from bioviz.delta import figures, video
from bioviz.delta import model as M
from bioviz.explorer import Choice, Explorer, Float, Int

Q_CHOICES = (0.025, 0.05, 0.1, 0.2, 0.4, 0.8)
LAYERS = {"input pixels": 0, "hidden layer 1": 1, "hidden layer 2": 2}


def _network(lam: float, seed: int) -> M.MLP:
    return M.trained(seed) if lam < 0 else M.fine_tuned(lam, 0.1, seed)


def _one_video_deltas(net: M.MLP, v: np.ndarray, q: float) -> list[np.ndarray]:
    x = torch.tensor(np.asarray(v, dtype=np.float32).reshape(1, v.shape[0], -1))
    return [d[0].numpy() for d in M.delta_forward(net, x, q).deltas]


@dataclass(frozen=True)
class QResult:
    curves: dict
    reference: float
    deltas: list


class QExplorer(Explorer):
    """Accuracy against sparsity for every step q (float network, and a network fine-tuned with
    the delta penalty), and the deltas of one test video at this q."""

    name = "delta.q"
    title = "The delta layer: accuracy vs non-zero values, and the deltas of one video"
    stochastic = False
    controls = (
        Choice("q", 0.1, options=Q_CHOICES, label="quantisation step q"),
        Choice("lam", -1.0, options=(-1.0,) + M.LAMBDAS, label="fine-tuned with penalty (-1: not fine-tuned)"),
        Choice("layer", "hidden layer 1", options=tuple(LAYERS), resimulate=False, label="layer shown"),
        Int("video", 0, 0, 20, label="test video"),
    )

    def simulate(self, params, seed):
        curves = {"float network": M.test_curve(-1.0, Q_CHOICES, seed)}
        net = M.trained(seed)
        if params["lam"] >= 0:
            net = _network(params["lam"], seed)
            curves["fine-tuned"] = M.test_curve(params["lam"], Q_CHOICES, seed)
        reference = curves["float network"][0].nonzero_dense
        v, _ = video.videos("test")
        return QResult(curves, reference, _one_video_deltas(net, v[params["video"]], params["q"]))

    def figure(self, result, params):
        fig = plots.new_figure(
            1, 2, column_widths=[0.5, 0.5], subplot_titles=("accuracy vs sparsity", "deltas of one video")
        )
        name = "fine-tuned" if params["lam"] >= 0 else "float network"
        figures.pareto(result.curves, reference=result.reference, mark=(name, params["q"]), fig=fig, row=1, col=1)
        figures.delta_map(result.deltas[LAYERS[params["layer"]]], fig=fig, row=1, col=2)
        c = next(c for c in result.curves[name] if c.q == params["q"])
        fig.update_layout(
            title=f"q = {params['q']:g}: {result.reference / c.nonzero_delta:.2f}x fewer non-zero values than the "
            f"float network ({c.temporal_reduction:.2f}x from the deltas alone), accuracy {c.accuracy:.3f} "
            f"(float {result.curves['float network'][0].float_accuracy:.3f})"
        )
        return fig


@dataclass(frozen=True)
class DataResult:
    counts: M.Counts
    sample: np.ndarray


class DataExplorer(Explorer):
    """The same float network on test videos with more or less temporal redundancy."""

    name = "delta.data"
    title = "Temporal sparsity is a property of the input: drift, clutter and noise"
    stochastic = False
    controls = (
        Float("drift", 0.25, 0.0, 2.0, 0.25, label="drift (pixels per frame)"),
        Float("clutter", 0.08, 0.0, 0.3, 0.02, label="static clutter (fraction)"),
        Float("noise", 0.02, 0.0, 0.2, 0.02, label="pixel noise (sd)"),
        Choice("q", 0.1, options=Q_CHOICES, label="quantisation step q"),
    )

    def simulate(self, params, seed):
        v, y = video.videos("test", drift=params["drift"], clutter=params["clutter"], noise=params["noise"])
        net = M.trained(seed)
        return DataResult(M.count(net, v, y, params["q"]), np.asarray(v[0]))

    def figure(self, result, params):
        fig = plots.new_figure(1, 4, column_widths=[0.16, 0.16, 0.16, 0.52], horizontal_spacing=0.04)
        figures.frames(result.sample, fig=fig, row=1, cols=(1, 2, 3))
        figures.layer_bars(result.counts, fig=fig, row=1, col=4)
        c = result.counts
        fig.update_layout(
            title=f"{c.reduction:.2f}x fewer non-zero values than float "
            f"({c.temporal_reduction:.2f}x from the deltas alone) at q = {c.q:g}; accuracy {c.accuracy:.3f}"
        )
        return fig
