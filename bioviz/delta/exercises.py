"""The coding exercises of tutorial 10 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`QUANTISE` -- ``q * round(a / q)`` with a straight-through gradient (reference
   :func:`bioviz.delta.model.quantise`).
2. :data:`DELTA_STEP` -- one frame of delta inference for one linear layer (reference
   :func:`delta_step`).

>>> _ = DELTA_STEP.check(delta_step)
delta_step: all 4 cases pass. The rest of the notebook uses your delta_step.
"""

from __future__ import annotations

import numpy as np
import torch

from bioviz.delta import model
from bioviz.exercises import Case, Exercise


def delta_step(z, a_hat, a_hat_prev, W):
    """One frame of a linear layer driven by deltas: ``delta = a_hat - a_hat_prev`` and
    ``z_new = z + W @ delta``. Returns ``(z_new, delta)``.

    >>> delta_step(np.zeros(2), np.array([1.0, 0.0]), np.zeros(2), np.eye(2))
    (array([1., 0.]), array([1., 0.]))
    """
    delta = a_hat - a_hat_prev
    return z + W @ delta, delta


def _values_and_grad(fn, case):
    """The quantised values and the gradient of their sum with respect to the input."""
    a = torch.tensor(case.args[0], dtype=torch.float32, requires_grad=True)
    out = fn(a, case.args[1])
    if not isinstance(out, torch.Tensor):
        return np.asarray(out, dtype=float), None
    out.sum().backward()
    grad = a.grad.numpy().copy() if a.grad is not None else np.zeros(a.shape)
    return out.detach().numpy(), grad


QUANTISE = Exercise(
    "quantise",
    model.quantise,
    names=("quantised values", "gradient (straight through: 1 everywhere)"),
    run=_values_and_grad,
    cases=[
        Case(
            "steps of 0.1", ([0.04, 0.06, 0.26, 0.0], 0.1), hint="q * round(a / q): 0.06 rounds to one step, 0.1"
        ),
        Case(
            "negative activations", ([-0.26, -0.04, -0.61], 0.1), hint="round, not floor: -0.26 is nearest to -0.3"
        ),
        Case("a coarse step", ([0.3, 0.9, 1.2], 0.5), hint="use the q you are given, and multiply back by q"),
        Case(
            "the gradient passes straight through",
            ([0.12, 0.33, 0.71], 0.2),
            hint="torch.round has zero gradient; return a + (hard - a).detach() so the gradient is that of a",
        ),
    ],
)

DELTA_STEP = Exercise(
    "delta_step",
    delta_step,
    names=("z_new", "delta"),
    cases=[
        Case(
            "the first frame: everything is new",
            (
                np.array([0.5, -0.5]),
                np.array([1.0, 0.0, 2.0]),
                np.zeros(3),
                np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]]),
            ),
            hint="z starts at the bias; add W @ delta with delta = a_hat - a_hat_prev",
        ),
        Case(
            "nothing changed: z stays, delta is all zeros",
            (
                np.array([1.5, 1.5]),
                np.array([1.0, 0.0, 2.0]),
                np.array([1.0, 0.0, 2.0]),
                np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]]),
            ),
            hint="the state keeps its value when no input changed: add to z, do not recompute it",
        ),
        Case(
            "one input went down",
            (
                np.array([1.5, 1.5]),
                np.array([1.0, 0.0, 1.0]),
                np.array([1.0, 0.0, 2.0]),
                np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]]),
            ),
            hint="delta = a_hat - a_hat_prev (new minus old), which is negative here",
        ),
        Case(
            "a wider layer",
            (np.zeros(3), np.array([0.2, 0.4]), np.array([0.2, 0.0]), np.arange(6.0).reshape(3, 2)),
            hint="W has shape (outputs, inputs): W @ delta",
        ),
    ],
)
