"""Interactive explorers of notebook 09 (see :mod:`bioviz.explorer` for the pattern)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz import plots
from bioviz.events import denoise, figures, gestures, sensor, snn, weights
from bioviz.explorer import Choice, Explorer, Float, Int, Toggle
from bioviz.runtime import memo

#: Samples per class of the explorers' test subset (the notebooks' fixed subset has 20).
EXPLORER_PER_CLASS = 10
#: Training samples per class of the time-collapsed control in its explorer (the report uses 50).
CONTROL_TRAIN_PER_CLASS = 20


class SensorExplorer(Explorer):
    """A DVS watching one moving shape: the events in (x, t, y), coloured by polarity or label."""

    name = "events.sensor"
    title = "A DVS watching a moving shape: contrast threshold, noise and speed"
    controls = (
        Choice("kind", "bounce", options=sensor.SCENES, label="scene"),
        Float("threshold", 0.2, 0.05, 0.6, 0.05, label="contrast threshold C"),
        Float("noise_hz", 1.0, 0.0, 30.0, 0.5, label="background noise (Hz per pixel)"),
        Float("speed", 1.0, 0.0, 3.0, 0.25, label="speed (field widths per second)"),
        Toggle("hot", False, label="five hot pixels"),
        Choice("color_by", "polarity", options=("polarity", "label"), label="colour by", resimulate=False),
    )

    def simulate(self, params, seed):
        frames, dt = sensor.scene(params["kind"], size=32, duration=0.3, speed=params["speed"], seed=seed)
        return sensor.simulate(
            frames,
            dt,
            threshold=params["threshold"],
            noise_hz=params["noise_hz"],
            hot_pixels=5 if params["hot"] else 0,
            seed=seed,
        )

    def figure(self, ev, params):
        fig = figures.event_cloud(ev, by=params["color_by"])
        on = int((ev.p > 0).sum())
        fig.update_layout(
            title=f"{ev.n:,} events in 0.3 s ({ev.rate:.1f} per pixel per second): {int(ev.signal.sum()):,} from "
            f"the moving edge, {int((~ev.signal).sum()):,} noise; {on:,} ON, {ev.n - on:,} OFF",
            height=520,
        )
        return fig


@dataclass(frozen=True)
class DenoiseResult:
    events: sensor.Events
    keep_baf: np.ndarray
    keep_learned: np.ndarray
    baf: dict
    learned: dict


class DenoiseExplorer(Explorer):
    """BAF and the learned graph filter on one noisy stream: what each keeps and drops."""

    name = "events.denoise"
    title = "Denoising: the background-activity filter against the learned neighbourhood filter"
    controls = (
        Choice(
            "noise_hz", 10.0, options=(0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0), label="noise (Hz per pixel)"
        ),
        Float("window_ms", 5.0, 0.5, 50.0, 0.5, label="BAF window (ms)"),
        Int("k", denoise.K, 4, 32, label="graph neighbours k"),
    )

    def simulate(self, params, seed):
        ev = denoise.cached_stream(float(params["noise_hz"]), seed)
        keep_b = denoise.baf(ev.t, ev.x, ev.y, ev.size, 1e-3 * params["window_ms"])
        keep_l = _learned_keep(float(params["noise_hz"]), seed, params["k"])
        return DenoiseResult(
            ev, keep_b, keep_l, denoise.scores(keep_b, ev.signal), denoise.scores(keep_l, ev.signal)
        )

    def figure(self, r, params):
        fig = plots.new_figure(
            2,
            1,
            shared_xaxes=True,
            vertical_spacing=0.1,
            subplot_titles=(
                f"BAF ({params['window_ms']:g} ms): accuracy {r.baf['accuracy']:.3f}, "
                f"balanced {r.baf['balanced']:.3f}",
                f"learned (k = {params['k']}): accuracy {r.learned['accuracy']:.3f}, "
                f"balanced {r.learned['balanced']:.3f}",
            ),
        )
        figures.xt_panel(r.events, r.keep_baf, fig=fig, row=1, col=1, showlegend=True)
        figures.xt_panel(r.events, r.keep_learned, fig=fig, row=2, col=1)
        fig.update_xaxes(title_text="", row=1, col=1)
        s = int(r.events.signal.sum())
        fig.update_layout(
            title=f"{r.events.n:,} events, {s:,} signal ({s / r.events.n:.0%}); signal kept: BAF "
            f"{r.baf['signal_kept']:.0%}, learned {r.learned['signal_kept']:.0%}; noise removed: BAF "
            f"{r.baf['noise_removed']:.0%}, learned {r.learned['noise_removed']:.0%}",
            height=620,
            legend=dict(orientation="h", y=-0.12, itemsizing="constant"),
        )
        return fig


@memo(maxsize=16)
def _learned_keep(noise_hz: float, seed: int, k: int) -> np.ndarray:
    return weights.graph_filter().predict(denoise.cached_stream(noise_hz, seed), k)


@memo(maxsize=8)
def explorer_events(threshold: float, seed: int):
    """The explorers' test subset as event streams (re-binned without re-simulating)."""
    n = EXPLORER_PER_CLASS * len(gestures.CLASSES)
    first = gestures.TEST_SEED + seed * 1000
    return [gestures.events(i % len(gestures.CLASSES), first + i, threshold=threshold) for i in range(n)]


@memo(maxsize=16)
def explorer_set(threshold: float, bins: int, seed: int):
    evs = explorer_events(threshold, seed)
    X = np.stack([gestures.counts(e, bins) for e in evs])
    return X, np.arange(len(evs)) % len(gestures.CLASSES)


class ClassifierExplorer(Explorer):
    """The shipped spiking CNN on a test subset: accuracy, spike density and operation counts."""

    name = "events.classifier"
    title = "The sparse spiking CNN: accuracy, spikes and operations"
    controls = (
        Choice("bins", 20, options=weights.BINS, label="time bins T (one trained network each)"),
        Float("threshold", 0.2, 0.1, 0.4, 0.05, label="sensor contrast threshold C (trained at 0.2)"),
        Float("scale", 1.0, 0.25, 4.0, 0.25, label="layer-1 threshold scale"),
    )

    def simulate(self, params, seed):
        X, y = explorer_set(round(float(params["threshold"]), 3), params["bins"], seed)
        return snn.evaluate(weights.classifier(params["bins"]), X, y, scale=params["scale"])

    def figure(self, ev, params):
        fig = plots.new_figure(
            1,
            3,
            column_widths=[0.36, 0.26, 0.38],
            horizontal_spacing=0.09,
            subplot_titles=("confusion (test subset)", "spike density", "operations per sample"),
        )
        figures.confusion(ev.confusion(), gestures.CLASSES, fig=fig, row=1, col=1)
        figures.density_bars(ev.ops.density, fig=fig, row=1, col=2)
        figures.ops_bars(ev.ops, fig=fig, row=1, col=3)
        fig.update_layout(
            title=f"T = {params['bins']}: accuracy {ev.accuracy:.2f} on {len(ev.labels)} test samples; "
            f"{ev.ops.synops.sum():,.0f} synaptic operations vs {ev.ops.macs.sum():,.0f} dense MACs "
            f"({ev.ops.reduction:.1f}x fewer)",
            height=430,
            legend=dict(orientation="h", y=-0.3),
        )
        return fig


@memo(maxsize=1)
def _control_sets():
    train = gestures.dataset(CONTROL_TRAIN_PER_CLASS, bins=20, seed=0, show_progress=False)
    return train, explorer_set(0.2, 20, 0)


@memo(maxsize=8)
def control_accuracy(bins: int) -> tuple[float, int, int]:
    """The control's test accuracy, and how many of the rotating bars it labels right (of how many)."""
    (Xa, ya), (Xb, yb) = _control_sets()
    pred = gestures.control(Xa, ya, Xb, bins=bins)
    rotation = yb < 2
    return float((pred == yb).mean()), int((pred[rotation] == yb[rotation]).sum()), int(rotation.sum())


class CollapsedExplorer(Explorer):
    """The control: a linear classifier on event counts summed into a few coarse time bins."""

    name = "events.collapsed"
    title = "How much does time order matter? A linear classifier on time-collapsed counts"
    controls = (
        Choice("bins", 1, options=(1, 2, 4), label="coarse time bins"),
        Choice("sample", 0, options=tuple(range(6)), label="sample shown (one per class)", resimulate=False),
    )
    stochastic = False

    def simulate(self, params, seed):
        (_, _), (Xb, yb) = _control_sets()
        accuracy, right, rotations = control_accuracy(params["bins"])
        return dict(accuracy=accuracy, right=right, rotations=rotations, examples=Xb[:6], bins=params["bins"])

    def figure(self, r, params):
        x = r["examples"][params["sample"]]
        coarse = gestures.collapse(x[None], r["bins"]).reshape(r["bins"], 2, 32, 32)
        fig = figures.time_strip(coarse, bins_shown=r["bins"])
        fig.update_layout(
            title=f"{gestures.CLASSES[params['sample']]}, in {r['bins']} coarse bin(s) (red ON, blue OFF). "
            f"A linear classifier on these counts: test accuracy {r['accuracy']:.2f} (chance 0.17); "
            f"the sense of rotation right for {r['right']} of {r['rotations']} bars (chance: half)",
            height=330,
        )
        return fig
