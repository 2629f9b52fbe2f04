"""The coding exercises of tutorial 02 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`RESERVOIR_STEP` -- one step of the Dale's-law rate reservoir (no leak, c = 1,
   theta = 0): excitation minus inhibition, scaled by the gain, plus the input, through a
   sigmoid (reference :func:`bioviz.reservoir.model.step`).
2. :data:`INHIBITORY_UPDATE` -- one step of the local inhibitory plasticity rule on the matrix of
   inhibitory weights (reference :func:`bioviz.reservoir.model.inhibitory_update`).

>>> _ = INHIBITORY_UPDATE.check(model.inhibitory_update)
inhibitory_update: all 4 cases pass. The rest of the notebook uses your inhibitory_update.
"""

from __future__ import annotations

import numpy as np

from bioviz.exercises import Case, Exercise, leaves_unchanged
from bioviz.reservoir import model


def _step_reference(v, r, u, A_E, A_I, w_in, J):
    """:func:`bioviz.reservoir.model.step` on these arrays (no leak, c = 1, theta = 0)."""
    res = model.EIReservoir(A_E=A_E, A_I=A_I, mask_I=A_I > 0, w_in=w_in, gain=J, slope=1.0, theta=0.0, leak=0.0)
    return model.step(res, v, r, u)


def _net(n: int, beta: float, seed: int):
    res = model.build(n, beta, 6.0, seed=seed)
    rng = np.random.default_rng(seed + 10)
    return rng.normal(0, 1, n), rng.uniform(0, 1, n), res


def _step_case(n, beta, seed, u, J=6.0):
    v, r, res = _net(n, beta, seed)
    return (v, r, u, res.A_E, res.A_I, res.w_in, J)


RESERVOIR_STEP = Exercise(
    "reservoir_step",
    _step_reference,
    names=("the new potentials v", "the new rates r"),
    cases=[
        Case(
            "a balanced reservoir, no input",
            _step_case(40, 0.0, 0, 0.0),
            hint="v_new = J * (A_E @ r[:n_exc] - A_I @ r[n_exc:]) + w_in * u: inhibition enters with a minus sign",
        ),
        Case(
            "an over-inhibited reservoir with input",
            _step_case(40, -0.6, 1, 0.7),
            hint="the input u is one number; w_in gives each neuron its own weight",
        ),
        Case("a larger gain", _step_case(60, 0.4, 2, -0.5, J=10.0), hint="J multiplies the recurrent term only"),
        Case(
            "no leak: the old potentials do not carry over",
            _step_case(40, 0.0, 3, 0.2),
            hint="the new v depends on r and u, not on the old v (Lambda = 0); r_new = 1 / (1 + exp(-v_new))",
        ),
    ],
)


def _update_case(n, beta, seed, rho, delta):
    _, r, res = _net(n, beta, seed)
    return (res.A_I, res.mask_I, r, rho, delta)


INHIBITORY_UPDATE = Exercise(
    "inhibitory_update",
    model.inhibitory_update,
    run=leaves_unchanged(0, "return a new matrix; A_I.copy() first if you change it in place"),
    names=("the updated A_I", "A_I as passed in"),
    cases=[
        Case(
            "one target for every neuron",
            _update_case(40, 0.0, 0, 0.3, 0.01),
            hint="neuron i fires above its target: more inhibition onto i; row i grows by delta * (r_i - rho_i)",
        ),
        Case(
            "a target per neuron",
            _update_case(40, 0.0, 1, np.linspace(0.1, 0.6, 40), 0.01),
            hint="rho may be an array: each row uses its own neuron's target",
        ),
        Case(
            "a large step: weights never go negative",
            _update_case(40, 0.6, 2, 0.9, 0.5),
            hint="clip at 0 (np.maximum(..., 0)): an inhibitory synapse cannot turn excitatory",
        ),
        Case(
            "missing synapses stay missing",
            _update_case(40, -0.4, 3, 0.1, 0.05),
            hint="change only the synapses that exist (mask_I); the others stay exactly 0",
        ),
    ],
)
