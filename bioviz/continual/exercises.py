"""The coding exercises of tutorial 08 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`PROJECTED_GRADIENT` -- a linear layer's gradient with the presynaptic input projected
   out of the old tasks' subspace (reference :func:`bioviz.continual.model.projected_gradient`).
2. :data:`OJA_STEP` -- one Oja-subspace update of the new rows, the old rows frozen (reference
   :func:`bioviz.continual.model.oja_step`).

>>> _ = OJA_STEP.check(model.oja_step)
oja_step: all 5 cases pass. The rest of the notebook uses your oja_step.
"""

from __future__ import annotations

import numpy as np

from bioviz.continual import model
from bioviz.exercises import Case, Exercise, leaves_unchanged

_rng = np.random.default_rng(8)
_X = _rng.normal(size=(6, 4))
_D = _rng.normal(size=(6, 3))
_Q = np.linalg.qr(_rng.normal(size=(4, 2)))[0].T  # two orthonormal rows in 4-d


PROJECTED_GRADIENT = Exercise(
    "projected_gradient",
    model.projected_gradient,
    names=("gradient", "x after the call (leave it unchanged)"),
    run=leaves_unchanged(1, "x must stay as it is: compute x_tilde = x - ... as a new array"),
    cases=[
        Case(
            "no old subspace yet (H has no rows): the plain gradient",
            (_D, _X, np.zeros((0, 4))),
            hint=(
                "with H empty, x_tilde = x and the gradient is delta.T @ x, shape (outputs, inputs), "
                "no division by the batch size"
            ),
        ),
        Case(
            "one old direction: the first pixel",
            (np.array([[2.0]]), np.array([[3.0, 4.0]]), np.array([[1.0, 0.0]])),
            hint="remove from x its part in the old subspace: x - (x @ H.T) @ H; here the first entry goes",
        ),
        Case(
            "two orthonormal old directions in 4-d",
            (_D, _X, _Q),
            hint="x @ H.T gives each sample's coordinates in the subspace; @ H maps them back to pixels",
        ),
        Case(
            "an input inside the old subspace gives no update",
            (np.array([[1.0], [-2.0]]), np.array([[0.6, 0.8, 0.0], [1.2, 1.6, 0.0]]), np.array([[0.6, 0.8, 0.0]])),
            hint="project OUT of the subspace (x minus its projection), not onto it",
        ),
        Case(
            "a batch: sum of outer products over samples",
            (_D[:, :2], _X, _Q[:1]),
            hint="delta has one row per sample: delta.T @ x_tilde sums delta_b x_tilde_b^T over the batch",
        ),
    ],
)


OJA_STEP = Exercise(
    "oja_step",
    model.oja_step,
    names=("H_new", "H after the call (leave it unchanged: return a new array)"),
    run=leaves_unchanged(0, "H must stay as it is: start from H_new = H.copy() and update that"),
    cases=[
        Case(
            "one row, one sample (Oja's rule)",
            (np.array([[0.6, 0.0]]), np.array([[1.0, 0.0]]), 0.5, 0),
            hint="y = x @ H.T; H_new = H + rate * y.T @ (x - y @ H) / batch",
        ),
        Case(
            "a batch: average over the samples",
            (np.array([[0.5, 0.5]]), np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), 0.1, 0),
            hint="divide y.T @ (x - y @ H) by the number of samples, len(x)",
        ),
        Case(
            "two rows learn together (the subspace rule)",
            (np.array([[0.8, 0.1, 0.0], [0.1, 0.7, 0.2]]), _X[:, :3], 0.05, 0),
            hint="the reconstruction uses every row: x - y @ H, with y = x @ H.T of shape (batch, rows)",
        ),
        Case(
            "the first row is frozen (an old task)",
            (np.array([[1.0, 0.0, 0.0], [0.3, 0.6, 0.1]]), _X[:, :3], 0.05, 1),
            hint="the frozen rows stay as they are, but still take part in the reconstruction y @ H",
        ),
        Case(
            "old rows frozen, two new rows",
            (np.vstack([_Q, np.array([[0.1, 0.2, 0.3, 0.4], [0.0, -0.3, 0.2, 0.1]])]), _X, 0.05, 2),
            hint="update only H_new[n_frozen:], with y[:, n_frozen:].T @ (x - y @ H)",
        ),
    ],
)
