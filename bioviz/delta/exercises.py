"""The coding exercises of tutorial 10 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`QUANTISE` -- ``q * round(a / q)`` with a straight-through gradient (reference
   :func:`bioviz.delta.model.quantise`).
2. :data:`DELTA_STEP` -- one frame of delta inference for one linear layer (reference
   :func:`delta_step`).

>>> _ = DELTA_STEP.check(delta_step)
delta_step: all 5 cases pass. The rest of the notebook uses your delta_step.
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


def _values_or_grad(fn, case):
    """The quantised values (``part="values"``) or the gradient of their sum with respect to the
    input (``part="gradient"``)."""
    a = torch.tensor(case.args[0], dtype=torch.float32, requires_grad=True)
    out = fn(a, case.args[1])
    if not isinstance(out, torch.Tensor):
        raise TypeError(
            f"quantise must return a torch tensor (torch.round on the tensor a), got {type(out).__name__}"
        )
    if case.kwargs.get("part") == "values":
        return out.detach().numpy() + 0.0  # + 0.0: no negative zeros in the messages
    if not out.requires_grad:
        return np.zeros(a.shape)
    out.sum().backward()
    return a.grad.numpy().copy() if a.grad is not None else np.zeros(a.shape)


def _values(kind: str):
    return {"part": kind}


QUANTISE = Exercise(
    "quantise",
    model.quantise,
    run=_values_or_grad,
    cases=[
        Case("values, steps of 0.1", ([0.04, 0.06, 0.26, 0.0], 0.1), _values("values"), hint="q * round(a / q)"),
        Case(
            "values, negative activations",
            ([-0.26, -0.04, -0.61], 0.1),
            _values("values"),
            hint="round, not floor: -0.26 is nearest to -0.3",
        ),
        Case(
            "values, a coarse step",
            ([0.3, 0.9, 1.2], 0.5),
            _values("values"),
            hint="use the q you are given, and multiply back by q",
        ),
        Case(
            "gradient: 1 everywhere (straight through)",
            ([0.12, 0.33, 0.71], 0.2),
            _values("gradient"),
            hint="torch.round has zero gradient; return a + (hard - a).detach() so the gradient is that of a",
        ),
        Case(
            "gradient, negative activations",
            ([-0.12, -0.58], 0.1),
            _values("gradient"),
            hint="the gradient is 1 whatever the value: detach only the difference (hard - a)",
        ),
    ],
)


def _step_and_state(fn, case):
    """``(z_new, delta, z after the call)``: the state passed in must not change."""
    z, a_hat, prev, W = (np.array(x, dtype=float) for x in case.args)
    before = z.copy()
    z_new, delta = fn(z, a_hat, prev, W)
    if not np.array_equal(z, before):
        raise ValueError("you changed z in place: write z_new = z + W @ delta, a new array")
    return np.array(z_new, dtype=float), np.array(delta, dtype=float), z


_W = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])

DELTA_STEP = Exercise(
    "delta_step",
    delta_step,
    names=("z_new", "delta", "z after the call (leave it unchanged: return a new array)"),
    run=_step_and_state,
    cases=[
        Case(
            "the first frame: everything is new",
            (np.array([0.5, -0.5]), np.array([1.0, 0.0, 2.0]), np.zeros(3), _W),
            hint="z starts at the bias; add W @ delta with delta = a_hat - a_hat_prev",
        ),
        Case(
            "nothing changed: z stays, delta is all zeros",
            (np.array([1.5, 1.5]), np.array([1.0, 0.0, 2.0]), np.array([1.0, 0.0, 2.0]), _W),
            hint="add W @ delta (the change), not W @ a_hat: with no change, z must stay as it is",
        ),
        Case(
            "one input went down",
            (np.array([1.5, 1.5]), np.array([1.0, 0.0, 1.0]), np.array([1.0, 0.0, 2.0]), _W),
            hint="delta = a_hat - a_hat_prev (new minus old), which is negative here",
        ),
        Case(
            "the state goes negative: no ReLU here",
            (
                np.array([0.5, 0.5]),
                np.array([0.0, 1.0, 0.0]),
                np.zeros(3),
                np.array([[1.0, -2.0, 0.0], [0.0, 1.0, 1.0]]),
            ),
            hint="z is the pre-activation; the ReLU comes after delta_step, on the accumulated z",
        ),
        Case(
            "a wider layer",
            (np.zeros(3), np.array([0.2, 0.4]), np.array([0.2, 0.0]), np.arange(6.0).reshape(3, 2)),
            hint="W has shape (outputs, inputs): W @ delta",
        ),
    ],
)
