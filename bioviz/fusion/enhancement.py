r"""A synthetic multisensory neuron: inverse effectiveness, and how measurement can fake it.

**The neuron.** A stimulus of intensity :math:`I` in modality :math:`m` gives a drive
:math:`u_m = g_m I`; a multisensory stimulus gives the summed drive :math:`u_a + u_v`. The mean
response (spikes per trial) is a saturating, expansive-then-compressive function of the drive
(a Naka-Rushton / Hill curve) above a spontaneous rate :math:`r_0`:

.. math:: R(u) = r_0 + (r_\max - r_0)\,\frac{u^n}{u^n + c^n}.

For :math:`n > 1` the curve is expansive for weak drive, so summing two weak drives gives more
than the sum of the two responses (*superadditive*) and a large enhancement
:math:`ME = (R_{av} - \max(R_a, R_v)) / \max(R_a, R_v)`; near the ceiling :math:`r_\max` the
curve saturates and the combination is additive or *subadditive*: the principle of inverse
effectiveness (Meredith & Stein 1986; Stanford, Quessy & Stein 2005) falls out of one
nonlinearity.

**Measuring it.** A real experiment counts spikes over a few trials (Poisson here).
Holmes (2009) showed that such measurements can create or hide the effect: floors and ceilings
bound what ME can be, and *regression to the mean* makes conditions classified as "weak" by a
noisy unisensory measurement look more enhanced. :func:`regression_demo` shows it on a
population of neurons whose true ME is the same for all.

Example
-------
>>> r = neuron_responses(np.array([0.2, 1.0]), exponent=2.0, semi_saturation=1.0)
>>> bool(r["me"][0] > r["me"][1])     # weaker stimulus, larger enhancement
True
"""

from __future__ import annotations

import numpy as np

from bioviz.fusion.iemf import enhancement_index
from bioviz.validation import check_bool, check_int, check_positive, check_range, check_seed


def response(drive, *, exponent: float = 2.0, semi_saturation: float = 1.0, r_max: float = 20.0, r0: float = 0.5):
    """Mean response R(u) = r0 + (r_max - r0) u^n / (u^n + c^n) (spikes per trial)."""
    u = np.maximum(np.asarray(drive, dtype=float), 0.0)
    un = u**exponent
    return r0 + (r_max - r0) * un / (un + semi_saturation**exponent)


def neuron_responses(
    intensity,
    *,
    exponent: float = 2.0,
    semi_saturation: float = 1.0,
    r_max: float = 20.0,
    r0: float = 0.5,
    gain_a: float = 1.0,
    gain_v: float = 1.0,
) -> dict:
    """Mean unisensory (a, v), multisensory (av) responses, the additive prediction and ME (%).

    ``intensity`` is an array of stimulus intensities (arbitrary units, > 0).
    """
    exponent = check_range("exponent", exponent, 0.5, 8.0)
    semi_saturation = check_positive("semi_saturation", semi_saturation)
    r0 = check_positive("r0", r0, allow_zero=True)
    r_max = check_positive("r_max", r_max)
    if r_max <= r0:
        raise ValueError(f"r_max must be > r0, got r_max={r_max} and r0={r0}")
    gain_a, gain_v = check_positive("gain_a", gain_a), check_positive("gain_v", gain_v)
    x = np.asarray(intensity, dtype=float)
    if np.any(x <= 0):
        raise ValueError("intensity must be > 0")
    kw = dict(exponent=exponent, semi_saturation=semi_saturation, r_max=r_max, r0=r0)
    a, v = response(gain_a * x, **kw), response(gain_v * x, **kw)
    av = response((gain_a + gain_v) * x, **kw)
    return dict(intensity=x, a=a, v=v, av=av, additive=a + v - r0, me=enhancement_index(av, a, v))


def measure(means: dict, n_trials: int, seed: int = 0) -> dict:
    """Poisson spike counts over ``n_trials`` trials per condition: measured means and ME (%).

    ME is undefined where the best measured unisensory response is 0 (returned as NaN).
    """
    n_trials = check_int("n_trials", n_trials, 1)
    rng = np.random.default_rng(check_seed(seed))
    out = {}
    for key in ("a", "v", "av"):
        lam = np.asarray(means[key], dtype=float)
        out[key] = rng.poisson(lam[:, None] * np.ones(n_trials)).mean(1)
    sm = np.maximum(out["a"], out["v"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["me"] = np.where(sm > 0, (out["av"] - sm) / np.where(sm > 0, sm, 1) * 100, np.nan)
    return out


def regression_demo(
    *,
    n_neurons: int = 1000,
    n_trials: int = 5,
    true_me: float = 50.0,
    n_bins: int = 5,
    independent: bool = False,
    seed: int = 0,
) -> dict:
    """Regression to the mean: apparent inverse effectiveness in a population without it.

    Every neuron has the same true enhancement ``true_me`` (%): its multisensory mean is
    (1 + ME/100) times its best unisensory mean, which ranges log-uniformly over 0.5..20
    spikes per trial. Counts are Poisson over ``n_trials`` trials. Neurons are sorted into
    ``n_bins`` quantile bins of their *measured* best unisensory response, and ME is computed
    per bin. If the same trials serve for binning and for ME (``independent=False``), the
    "weak" bin collects neurons whose unisensory counts came out low by chance and ME there is
    inflated; with a separate set of trials for the binning (``independent=True``) the bias
    disappears. Returns the bins' mean measured response and ME (%) and the true ME.
    """
    independent = check_bool("independent", independent)
    n_neurons = check_int("n_neurons", n_neurons, 1, 100_000)
    n_trials = check_int("n_trials", n_trials, 1, 10_000)
    n_neurons = check_int("n_neurons", n_neurons, 10)
    n_trials = check_int("n_trials", n_trials, 1)
    true_me = check_range("true_me", true_me, -100.0, 1000.0)
    n_bins = check_int("n_bins", n_bins, 2, n_neurons // 2)
    rng = np.random.default_rng(check_seed(seed))
    best = np.exp(rng.uniform(np.log(0.5), np.log(20.0), n_neurons))
    other = best * rng.uniform(0.2, 0.6, n_neurons)
    cm = best * (1 + true_me / 100)

    def counts(lam):
        return rng.poisson(lam[:, None] * np.ones(n_trials)).mean(1)

    a, v, av = counts(best), counts(other), counts(cm)
    sm = np.maximum(a, v)
    sort_by = np.maximum(counts(best), counts(other)) if independent else sm
    order = np.argsort(sort_by, kind="stable")
    bins = np.array_split(order, n_bins)
    level = np.array([sort_by[b].mean() for b in bins])
    me = np.array([(av[b].mean() - sm[b].mean()) / max(sm[b].mean(), 1e-9) * 100 for b in bins])
    return dict(level=level, me=me, true_me=float(true_me), n_trials=n_trials)
