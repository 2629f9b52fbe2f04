"""The coding exercises of tutorial 05 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`JOINT_TORQUES` -- the NCAP circuit of every joint: B-neurons from their inputs,
   muscles from the B-neurons, graded (clipped) units, torque = dorsal minus ventral muscle
   (reference :func:`bioviz.swimmer.ncap.joint_torques`), checked on inputs recorded from a
   swimming body against the package's torch module.
2. :data:`ES_GRADIENT` -- one antithetic, rank-centred evolution-strategies gradient estimate
   (reference :func:`bioviz.swimmer.es.antithetic_gradient`), checked on quadratics.

>>> _ = ES_GRADIENT.check(es.antithetic_gradient)
es_gradient: all 4 cases pass. The rest of the notebook uses your es_gradient.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from bioviz.exercises import Case, Exercise
from bioviz.swimmer import es, ncap
from bioviz.swimmer import rollout as ro


@functools.cache
def _recorded(seed: int, steps: int = 90):
    """Joint angles of a swimming 6-link body (the hand-set circuit), recorded once."""
    return ro.rollout(ro.ncap(), n_links=6, n_steps=steps, seed=seed).joints


def inputs_at(joint_pos, t: int, n_joints: int, period: int = ncap.DEFAULT_PERIOD):
    """The B-neurons' inputs of every joint at control step ``t``: the oscillator's halves at the
    head, the dorsal/ventral stretch of the joint in front elsewhere (numpy arrays)."""
    q = np.clip(np.asarray(joint_pos, float) / (2 * np.pi / (n_joints + 1)), -1.0, 1.0)
    osc_d = float((t % period) < period // 2)
    in_d = np.concatenate([[osc_d], np.clip(q, 0.0, 1.0)[:-1]])
    in_v = np.concatenate([[1.0 - osc_d], np.clip(-q, 0.0, 1.0)[:-1]])
    return in_d, in_v


def _torque_case(seed, t, osc, prop, ipsi, contra):
    q = _recorded(seed)[t]
    in_d, in_v = inputs_at(q, t, len(q))
    w_b = np.where(np.arange(len(q)) == 0, osc, prop)
    return (in_d, in_v, w_b, ipsi, contra), (q, t, (osc, prop, ipsi, contra))


def _run_torques(fn, case):
    return np.asarray(fn(*case.args), dtype=float)


def module_torques(q, t, weights) -> np.ndarray:
    """The torques of the package's torch module (sign constraints off, so the weights are used
    as given) for joint angles ``q`` at step ``t``."""
    net = ncap.NCAP(len(q), sign_constraints=False)
    net.set_vector(np.asarray(weights, float))
    with torch.no_grad():
        return net(torch.tensor(np.asarray(q), dtype=torch.float32)[None], torch.tensor([t]))[0].double().numpy()


def _cases():
    specs = [
        ("the hand-set circuit, oscillator dorsal", (0, 10, 1.0, 1.0, 1.0, -1.0)),
        ("the hand-set circuit, oscillator ventral", (1, 45, 1.0, 1.0, 1.0, -1.0)),
        ("a weak proprioceptive weight", (2, 70, 1.0, 0.4, 1.0, -1.0)),
        ("an excitatory contralateral weight (it subtracts)", (3, 80, 1.0, 1.0, 1.0, 0.6)),
        ("strong B-neuron inputs, weak muscles: the B-neurons saturate", (4, 25, 3.0, 3.0, 0.3, -0.5)),
        ("strong muscles: they saturate", (0, 50, 1.0, 1.0, 3.0, -1.0)),
    ]
    hints = [
        "b = clip(w_b * input, 0, 1) for each side; "
        "muscle = clip(w_ipsi * own-side b + w_contra * other-side b, 0, 1)",
        "the ventral muscle mirrors the dorsal one: w_ipsi * b_v + w_contra * b_d",
        "the torque is the dorsal muscle minus the ventral muscle",
        "clip the muscles at 0 too: with w_contra > 0 the other side's B-neuron subtracts",
        "every unit is graded: clip each B-neuron to [0, 1] before it drives a muscle",
        "clip each muscle to [0, 1] before taking the difference",
    ]
    return [Case(name, _torque_case(*args)[0], hint=h) for (name, args), h in zip(specs, hints, strict=True)]


JOINT_TORQUES = Exercise(
    "joint_torques",
    ncap.joint_torques,
    run=_run_torques,
    cases=_cases(),
)


def _quadratic(center, scale):
    center, scale = np.asarray(center, float), np.asarray(scale, float)
    return lambda th: -float((scale * (th - center) ** 2).sum())


def _run_gradient(fn, case):
    (center, scale), theta, n_dirs, sigma, seed = case.args
    eps = np.random.default_rng(seed).standard_normal((n_dirs, len(theta)))
    return np.asarray(fn(_quadratic(center, scale), np.asarray(theta, float), eps, sigma), dtype=float)


ES_GRADIENT = Exercise(
    "es_gradient",
    es.antithetic_gradient,
    run=_run_gradient,
    cases=[
        Case(
            "two directions on a round bowl",
            (((1.0, -1.0), (1.0, 1.0)), (0.0, 0.0), 2, 0.1, 0),
            hint="evaluate f at theta + sigma * eps_j and at theta - sigma * eps_j for every direction j",
        ),
        Case(
            "four directions, a stretched bowl",
            (((0.5, 2.0, -1.0), (1.0, 10.0, 0.1)), (0.0, 0.0, 0.0), 4, 0.05, 1),
            hint="rank all 2n returns together and centre the ranks in [-0.5, 0.5]: rank / (2n - 1) - 0.5",
        ),
        Case(
            "returns on a huge scale: ranks make it irrelevant",
            (((3.0, 3.0), (1e4, 1e4)), (0.0, 1.0), 3, 0.2, 2),
            hint="use the centred ranks, not the returns themselves",
        ),
        Case(
            "eight directions",
            (((0.2, -0.3, 0.4, 0.0), (1.0, 1.0, 1.0, 1.0)), (1.0, 1.0, 1.0, 1.0), 8, 0.1, 3),
            hint="g = sum_j (F_j+ - F_j-) eps_j / (2 n sigma), with n the number of directions",
        ),
    ],
)
