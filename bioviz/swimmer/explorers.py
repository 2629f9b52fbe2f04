"""Interactive explorers of notebook 05 (see :mod:`bioviz.explorer` for the pattern).

- ``swimmer.ncap``: the circuit's knobs (oscillator period and amplitude, the four weights,
  the sign constraint), the body length and the episode length; body, circuit, wave and speed.
- ``swimmer.body``: one episode frame by frame with a time slider (a re-plot over the stored
  states), for any of the 16 sign patterns.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from bioviz.explorer import Choice, Explorer, Float, Int, Toggle
from bioviz.swimmer import figures, task
from bioviz.swimmer.ncap import SIGNS, WEIGHTS, check_period
from bioviz.swimmer.rollout import Rollout, ncap, rollout, wave_lags
from bioviz.validation import check_choice


@dataclass(frozen=True)
class SwimResult:
    """An episode, the four weights as used (after the sign constraint, if on), the wave's lag."""

    rollout: Rollout
    weights: dict
    lag: float


def _swim(weights: dict, *, period: int, n_links: int, n_steps: int, seed: int) -> SwimResult:
    period = check_period(period)
    n_links = task.check_n_links(n_links)
    n_steps = task.check_n_steps(n_steps)
    ctrl = ncap(**weights, n_links=n_links, period=period, sign_constraints=False)
    r = rollout(ctrl, n_links=n_links, n_steps=n_steps, seed=seed)
    lags = wave_lags(r, period=period)
    lag = float(lags.mean()) if lags.size and np.isfinite(lags).all() else float("nan")
    return SwimResult(rollout=r, weights=weights, lag=lag)


def _headline(result: SwimResult) -> str:
    r = result.rollout
    lag = "" if not np.isfinite(result.lag) else f", wave lag {result.lag:.1f} steps per joint"
    return (
        f"return {r.return_:.0f} of {r.n_steps}, head moved {r.displacement:.2f} m, "
        f"mean speed {r.mean_speed:+.3f} m/s{lag}"
    )


class SwimmerExplorer(Explorer):
    """Drive the swimmer with the NCAP circuit: oscillator, four weights, signs, body, episode."""

    name = "swimmer.ncap"
    title = "NCAP swimming: oscillator, circuit weights, sign constraints, body length"
    controls = (
        Int(
            "period",
            60,
            2,
            200,
            label="oscillator period (steps of 0.03 s)",
            help="the head's square wave: dorsal for half a period, ventral for the other half",
        ),
        Float("osc", 1.0, -1.0, 2.0, 0.1, label="oscillator amplitude w_osc"),
        Float("prop", 1.0, -1.0, 3.0, 0.1, label="proprioception w_prop"),
        Float("ipsi", 1.0, -2.0, 2.0, 0.1, label="same-side muscle w_ipsi"),
        Float(
            "contra",
            -1.0,
            -2.0,
            2.0,
            0.1,
            label="opposite-side muscle w_contra",
            help="any value <= 0 gives the same torques (the two B-neurons of a joint are never active "
            "together); positive values subtract from the torque",
        ),
        Toggle("sign_constraints", True, label="sign constraints (osc, prop, ipsi ≥ 0; contra ≤ 0)"),
        Int("n_links", 6, 3, 12, label="number of links"),
        Int("n_steps", 300, 30, 1000, 10, label="episode length (steps of 0.03 s)"),
    )

    def simulate(self, params, seed):
        w = {k: float(params[k]) for k in WEIGHTS}
        if params["sign_constraints"]:
            w = {k: (max(v, 0.0) if SIGNS[k] > 0 else min(v, 0.0)) for k, v in w.items()}
        return _swim(w, period=params["period"], n_links=params["n_links"], n_steps=params["n_steps"], seed=seed)

    def figure(self, result, params):
        return figures.rollout_figure(result.rollout, result.weights, title=_headline(result))


#: The 16 sign patterns of (osc, prop, ipsi, contra), the worm's first.
PATTERNS = {
    figures.pattern_label(p): p
    for p in sorted(itertools.product((1, -1), repeat=4), key=lambda p: p != (1, 1, 1, -1))
}


class BodyExplorer(Explorer):
    """One episode, frame by frame: scrub through time with the slider (no re-simulation)."""

    name = "swimmer.body"
    title = "The swimmer from above, frame by frame (unit weights with the chosen signs)"
    controls = (
        Choice("signs", "+ + + −", options=tuple(PATTERNS), label="signs of (osc, prop, ipsi, contra)"),
        Int("period", 60, 2, 200, label="oscillator period (steps)"),
        Int("n_links", 6, 3, 12, label="number of links"),
        Int("n_steps", 300, 30, 1000, 10, label="episode length (steps of 0.03 s)"),
        Float("t", 1.0, 0.0, 1.0, 0.01, resimulate=False, label="time shown (fraction of the episode)"),
    )

    def simulate(self, params, seed):
        pattern = PATTERNS[check_choice("signs", params["signs"], tuple(PATTERNS))]
        w = {k: float(s) for k, s in zip(WEIGHTS, pattern, strict=True)}
        return _swim(w, period=params["period"], n_links=params["n_links"], n_steps=params["n_steps"], seed=seed)

    def figure(self, result, params):
        r = result.rollout
        k = round(params["t"] * r.n_steps)
        return figures.body_figure(r, k, title=f"t = {k * task.CONTROL_DT:.2f} s: {_headline(result)}")
