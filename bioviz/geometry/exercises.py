"""The coding exercises of tutorial 03 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`POISSON_NOISE` -- Poisson-like noise on the front end's rates, variance growing with
   the mean (reference :func:`bioviz.geometry.models.poisson_like`).
2. :data:`PGD_STEP` -- one step of PGD with expectation over transformation: the loss over
   several noise draws, a step along the sign of its gradient, projection back into the
   eps-ball and the pixel range (reference :func:`bioviz.geometry.attacks.pgd_step`).
3. :data:`DPRIME` -- d' between a clean and an attacked cloud along the shift of their means,
   on held-out points (reference :func:`bioviz.geometry.manifolds.dprime`).

>>> _ = DPRIME.check(manifolds.dprime)
dprime: all 4 cases pass. The rest of the notebook uses your dprime.
"""

from __future__ import annotations

import numpy as np
import torch

from bioviz.exercises import Case, Exercise, compare_close
from bioviz.geometry import attacks, manifolds, models

_rng = np.random.default_rng(3)
_RATES = np.abs(_rng.normal(1.0, 1.5, size=(4, 6)))
_RATES[0, :2] = 0.0
_XI = _rng.normal(size=(4, 6))


def _run_noise(fn, case):
    """The noisy rates for the given draws, and the mean and variance over many draws."""
    a, sigma, seed = case.args
    a = np.asarray(a, dtype=float)
    xi = np.random.default_rng(seed).normal(size=(20_000, *a.shape))
    noisy = np.asarray(fn(a, sigma, _XI[: a.shape[0], : a.shape[1]] if a.ndim == 2 else _XI[0, : a.size]))
    many = np.asarray(fn(np.broadcast_to(a, xi.shape), sigma, xi), dtype=float)
    return noisy, many.mean(0), many.var(0)


def _noise_compare(expected, got):
    """Exact on the given draws; the mean and variance over 20,000 draws within 2%."""
    why = compare_close(expected[0], got[0], atol=1e-6, rtol=1e-6)
    if why:
        return f"the noisy rates: {why}"
    for label, e, g in (("mean", expected[1], got[1]), ("variance", expected[2], got[2])):
        why = compare_close(e, g, atol=2e-2, rtol=2e-2)
        if why:
            return f"the {label} over 20,000 draws: {why}"
    return None


POISSON_NOISE = Exercise(
    "poisson_noise",
    lambda a, sigma, xi: models.poisson_like(a, sigma, xi),
    run=_run_noise,
    compare=_noise_compare,
    cases=[
        Case(
            "no noise (sigma = 0) leaves the rates as they are",
            (_RATES, 0.0, 0),
            hint="with sigma = 0 the result is [a]_+, the rates themselves",
        ),
        Case(
            "sigma = 1: the variance grows with the rate",
            (_RATES, 1.0, 1),
            hint="the standard deviation is sigma * sqrt([a]_+ + c), with c = 0.1 (POISSON_OFFSET)",
        ),
        Case(
            "silent units (rate 0) still fluctuate, by sigma * sqrt(c)",
            (np.zeros((2, 3)), 1.0, 2),
            hint="keep the offset c inside the square root, and rectify the result: rates are never negative",
        ),
        Case(
            "a larger sigma",
            (_RATES, 2.0, 3),
            hint="sigma multiplies the whole noise term sqrt([a]_+ + c) * xi",
        ),
    ],
)


def _net(sigma: float, seed: int = 0):
    torch.manual_seed(seed)
    return models.Net(models.config("stochastic" if sigma > 0 else "standard", sigma or None, seed=seed))


_X = torch.tensor(np.random.default_rng(5).uniform(0, 1, size=(6, 64)), dtype=torch.float32)
_X[:, :8] = 0.0  # background pixels: they can only move up
_Y = torch.tensor([0, 1, 2, 3, 4, 5])


def _run_step(fn, case):
    """The step's output from the same starting point and the same noise draws."""
    sigma, eot, eps, step, seed = case.args
    net = _net(sigma, seed)
    x0 = _X.clone()
    xa = (x0 + 0.5 * eps * torch.sign(torch.sin(torch.arange(64.0) * (seed + 1)))).clamp(0.0, 1.0)
    gen = torch.Generator().manual_seed(seed)
    out = fn(net, x0, xa.clone(), _Y, eps, step, eot, gen)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"return a torch tensor like x0, got {type(out).__name__}")
    return out.detach().numpy()


PGD_STEP = Exercise(
    "pgd_step",
    attacks.pgd_step,
    run=_run_step,
    cases=[
        Case(
            "a deterministic network: one signed-gradient step",
            (0.0, 1, 0.1, 0.02, 0),
            hint="xa + step_size * grad.sign(), where grad is the gradient of the loss with respect to xa",
        ),
        Case(
            "a large step: the projection keeps every pixel within eps of x0",
            (0.0, 1, 0.05, 0.2, 1),
            hint="clip to [x0 - eps, x0 + eps] with torch.minimum/torch.maximum, then clamp to [0, 1]",
        ),
        Case(
            "a stochastic network, 8 noise draws per step (EOT)",
            (1.0, 8, 0.1, 0.02, 2),
            hint="stack eot copies (xa.repeat(eot, 1)), one call net(batch, gen), and the cross-entropy "
            "against y.repeat(eot): one call draws fresh noise for every row",
        ),
        Case(
            "EOT with a single draw",
            (1.0, 1, 0.1, 0.05, 3),
            hint="the same code: eot = 1 is one noise draw per image",
        ),
    ],
)


def _clouds(seed: int, d: float, n: int = 200, dims: int = 20):
    rng = np.random.default_rng(seed)
    c, a = rng.normal(size=(n, dims)), rng.normal(size=(n, dims))
    a[:, 1] += d
    return c[: n // 2], a[: n // 2], c[n // 2 :], a[n // 2 :]


_TILTED = _clouds(7, 1.5)

DPRIME = Exercise(
    "dprime",
    manifolds.dprime,
    cases=[
        Case(
            "two Gaussian clouds, true d' = 2 along one axis (the estimate is lower)",
            _clouds(0, 2.0),
            hint="project the test points on the unit vector from the clean fit mean to the attacked fit mean",
        ),
        Case(
            "no shift at all: d' near 0",
            _clouds(1, 0.0),
            hint="the direction still comes from the fit halves; the test halves give the number",
        ),
        Case(
            "a wide cloud along the shift",
            (_TILTED[0] * 3.0, _TILTED[1] * 3.0, _TILTED[2] * 3.0, _TILTED[3] * 3.0),
            hint="divide by the pooled standard deviation sqrt((var_c + var_a) / 2), sample variances (ddof=1)",
        ),
        Case(
            "a small cloud of 4 test points each",
            (*_clouds(2, 1.0, n=8, dims=3),),
            hint="use the sample variance (ddof=1) of each projected test half",
        ),
    ],
)
