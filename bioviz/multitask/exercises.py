"""The coding exercises of tutorial 07 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`HEBBIAN_COUPLINGS` -- the supervised and unsupervised Hebbian couplings from examples
   (reference :func:`bioviz.multitask.network.couplings`).
2. :data:`SYNC_STEP` -- one zero-temperature update of every neuron, ties keep their state
   (reference :func:`bioviz.multitask.network.sync_step`).
3. :data:`MAGNETISATIONS` -- the Mattis magnetisations (reference
   :func:`bioviz.multitask.network.magnetisations`).

>>> _ = HEBBIAN_COUPLINGS.check(network.couplings)
hebbian_couplings: all 5 cases pass. The rest of the notebook uses your hebbian_couplings.
"""

from __future__ import annotations

import numpy as np

from bioviz.exercises import Case, Exercise
from bioviz.multitask import network


def _examples(K, M, N, r, seed):
    xi = network.patterns(N, K, 0.3, seed=seed)
    return network.examples(xi, M, r, seed=seed + 1)


def _compare_couplings(expected: np.ndarray, got) -> str | None:
    """None when ``got`` is the expected coupling matrix; otherwise what is wrong with it."""
    got = np.asarray(got, dtype=float) if np.ndim(got) == 2 else got
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        shape = getattr(got, "shape", None)
        return f"expected an (N, N) = {expected.shape} matrix, got {'shape ' + str(shape) if shape else repr(got)}"
    if np.allclose(got, expected, atol=1e-9, rtol=1e-9):
        return None
    off = ~np.eye(expected.shape[0], dtype=bool)
    if np.allclose(got[off], expected[off], atol=1e-9, rtol=1e-9):
        return "the off-diagonal couplings are right, but the diagonal must be 0 (J_ii = 0)"
    big = np.abs(expected[off]) > 1e-12
    if big.any():
        ratio = got[off][big] / expected[off][big]
        if np.allclose(ratio, ratio[0], rtol=1e-6) and abs(ratio[0] - 1) > 1e-6:
            return f"every coupling is {ratio[0]:.4g} times the expected one: check the normalisation"
    corner = np.round(expected[:3, :3], 4).tolist(), np.round(got[:3, :3], 4).tolist()
    return f"expected (top-left corner) {corner[0]}, got {corner[1]}"


HEBBIAN_COUPLINGS = Exercise(
    "hebbian_couplings",
    network.couplings,
    cases=[
        Case(
            "one example of one pattern, perfect quality",
            (np.array([[[1, -1, 1, 0]]], dtype=np.int8), 1.0, False),
            hint="J = X.T @ X / N for a single example; the diagonal is set to 0",
        ),
        Case(
            "unsupervised: two patterns, three examples each",
            (_examples(2, 3, 8, 0.6, seed=0), 0.6, False),
            hint="stack every example as a row (K * M rows), then divide by N * M * r**2",
        ),
        Case(
            "supervised: the same examples, averaged per pattern first",
            (_examples(2, 3, 8, 0.6, seed=0), 0.6, True),
            hint="average over the examples axis (axis=1) before the product; divide by N * r**2",
        ),
        Case(
            "supervised with many examples (check the normalisation)",
            (_examples(3, 20, 12, 0.5, seed=4), 0.5, True),
            hint="with the mean of the examples, only N and r**2 remain in the denominator",
        ),
        Case(
            "int8 examples: no overflow",
            (np.ones((1, 200, 5), dtype=np.int8), 1.0, False),
            hint="convert the examples to float before multiplying (int8 sums wrap around at 127)",
        ),
    ],
    compare=lambda e, g: _compare_couplings(e, g),
)


def _run_step(fn, case):
    """The new state, and the state passed in after the call (it must not change)."""
    J, sigma = (np.array(a, dtype=float) for a in case.args)
    before = sigma.copy()
    new = fn(J, sigma)
    if not np.array_equal(sigma, before):
        raise ValueError("you changed sigma in place: compute the new state into a new array (e.g. with np.where)")
    return np.array(new, dtype=float), sigma


SYNC_STEP = Exercise(
    "sync_step",
    network.sync_step,
    names=("new state", "sigma after the call (leave the old state unchanged; return a new array)"),
    run=_run_step,
    cases=[
        Case(
            "fields of both signs",
            (np.array([[0.0, 0.5, -0.2], [0.5, 0.0, 0.1], [-0.2, 0.1, 0.0]]), np.array([1.0, 1.0, 1.0])),
            hint="each neuron takes the sign of its field h = J @ sigma",
        ),
        Case(
            "a zero field keeps the neuron's state",
            (np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]), np.array([-1.0, 1.0, 1.0])),
            hint="np.sign gives 0 where h = 0; a spin must stay -1 or +1: keep its old value there",
        ),
        Case(
            "a zero field keeps a +1 too",
            (np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]), np.array([1.0, 1.0, 1.0])),
            hint="where h == 0 the neuron keeps its old value, +1 or -1 alike",
        ),
        Case(
            "a zero field keeps a +1 too",
            (np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]), np.array([1.0, 1.0, 1.0])),
            hint="where h == 0 the neuron keeps its old value, +1 or -1 alike",
        ),
        Case(
            "every neuron at once (synchronous)",
            (np.array([[0.0, -1.0], [-1.0, 0.0]]), np.array([1.0, 1.0])),
            hint="compute every field from the old state first, then update all neurons together",
        ),
    ],
)

MAGNETISATIONS = Exercise(
    "magnetisations",
    network.magnetisations,
    cases=[
        Case(
            "two patterns, both fully retrieved",
            (np.array([[1, -1, 1, -1], [1, 1, -1, -1]]), np.array([1.0, -1.0, 1.0, -1.0])),
            hint="one value per pattern: divide by the number of neurons N = xi.shape[1], not by xi.size",
        ),
        Case(
            "one pattern, fully retrieved",
            (np.array([[1, -1, 1, -1]]), np.array([1.0, -1.0, 1.0, -1.0])),
            hint="m = xi . sigma / N",
        ),
        Case(
            "a diluted pattern: blanks count in N",
            (np.array([[1, 0, 0, -1]]), np.array([1.0, 1.0, -1.0, -1.0])),
            hint="divide by the number of neurons N, not by the number of non-blank entries",
        ),
        Case(
            "two patterns, one anti-aligned",
            (np.array([[1, 1, 0, 0], [0, 0, 1, -1]]), np.array([1.0, 1.0, -1.0, 1.0])),
            hint="keep the sign: a mirror image has m < 0 (one value per pattern, xi @ sigma / N)",
        ),
    ],
)
