"""Summaries of trained ensembles: accuracy per condition, epochs to a target, ME against noise.

All take an :class:`bioviz.fusion.training.Ensemble` and return plain dicts of numpy arrays
(and :class:`Markdown` tables for the notebook); nothing here trains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.fusion.iemf import enhancement_index
from bioviz.fusion.training import epochs_to_target

TARGET_FRACTION = 0.95


@dataclass(frozen=True)
class Markdown:
    """A Markdown string that renders as such in a notebook."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def table(header, rows) -> Markdown:
    """A Markdown table from a header and rows of cells."""
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, r)) + " |" for r in rows]
    return Markdown("\n".join(lines))


def spread(x) -> str:
    """'mean ± sd [min-max]' of a sample (one value per seed)."""
    x = np.asarray(x, dtype=float)
    if x.size == 0 or np.all(np.isnan(x)):
        return "n/a"
    sd = np.nanstd(x, ddof=1) if np.sum(~np.isnan(x)) > 1 else 0.0
    return f"{np.nanmean(x):.3f} ± {sd:.3f}"


def target_for(ens, sigma: float, fraction: float = TARGET_FRACTION) -> float:
    """The target accuracy at noise ``sigma``: ``fraction`` of the best epoch of base's mean curve."""
    idx = ens.select(condition="base", sigma_v=sigma)
    if idx.size == 0:
        raise ValueError(f"sigma {sigma} has no base run in this ensemble")
    return float(fraction * ens.test_acc[idx].mean(0).max())


def condition_summary(ens, sigma: float, conditions, fraction: float = TARGET_FRACTION) -> dict:
    """Per condition at ``sigma``: final accuracies, last-epoch k and epochs to target, one per seed.

    ``epochs`` holds NaN for a run that never reaches the target within its epochs.
    """
    target = target_for(ens, sigma, fraction)
    out = {"target": target, "sigma": sigma}
    for c in conditions:
        idx = ens.select(condition=c, sigma_v=sigma)
        ep = [epochs_to_target(ens.test_acc[i], target) for i in idx]
        out[c] = dict(
            final=ens.test_acc[idx, -1],
            k=ens.k[idx, -1],
            epochs=np.array([np.nan if e is None else e for e in ep], dtype=float),
            seeds=np.array([ens.specs[i].seed for i in idx]),
        )
    return out


def conditions_table(ens, sigmas, conditions) -> Markdown:
    """Final fused test accuracy (mean ± sd over seeds) per condition and sigma, and iemf's k."""
    header = ["sigma"] + list(conditions) + ["k (iemf, last epoch)"]
    rows = []
    for s in sigmas:
        summ = condition_summary(ens, s, conditions)
        cells = [f"{s:g}"] + [spread(summ[c]["final"]) for c in conditions]
        cells.append(spread(summ["iemf"]["k"]) if "iemf" in conditions else "")
        rows.append(cells)
    return table(header, rows)


def epochs_table(ens, sigmas, conditions) -> Markdown:
    """Epochs to reach 95 % of base's best (mean ± sd over seeds; 'never' counts shown)."""
    header = ["sigma", "target acc"] + list(conditions)
    rows = []
    for s in sigmas:
        summ = condition_summary(ens, s, conditions)
        cells = [f"{s:g}", f"{summ['target']:.3f}"]
        for c in conditions:
            e = summ[c]["epochs"]
            never = int(np.isnan(e).sum())
            text = (
                "never"
                if never == e.size
                else (
                    f"{np.nanmean(e):.1f} ± {np.nanstd(e, ddof=1) if e.size - never > 1 else 0:.1f}"
                    f" [{np.nanmin(e):.0f}-{np.nanmax(e):.0f}]"
                )
            )
            if 0 < never < e.size:
                text += f" ({never} never)"
            cells.append(text)
        rows.append(cells)
    return table(header, rows)


def enhancement_vs_noise(ens, sigmas, fused: str = "base") -> dict:
    """ME (%) per sigma and seed: ``fused`` run's final accuracy against the best unimodal net.

    Also returns the ceiling bound (the largest ME an accuracy of 1 allows, given the unimodal
    accuracy) and the last-epoch k of the ``iemf`` runs (NaN where there are none).
    """
    me, ceiling, k, uni, fus = [], [], [], [], []
    for s in sigmas:
        seeds = [ens.specs[i].seed for i in ens.select(condition=fused, sigma_v=s)]
        f, best = [], []
        for seed in seeds:
            (i,) = ens.select(condition=fused, sigma_v=s, seed=seed)
            (iv,) = ens.select(condition="visual_only", sigma_v=s, seed=seed)
            (ia,) = ens.select(condition="audio_only", sigma_v=s, seed=seed)
            f.append(ens.test_acc[i, -1])
            best.append(max(ens.test_acc[iv, -1], ens.test_acc[ia, -1]))
        f, best = np.array(f), np.array(best)
        me.append(enhancement_index(f, best, best))
        ceiling.append(enhancement_index(np.ones_like(best), best, best))
        ik = ens.select(condition="iemf", sigma_v=s)
        k.append(ens.k[ik, -1] if ik.size else np.full(len(seeds), np.nan))
        uni.append(best)
        fus.append(f)
    return dict(
        sigma=np.asarray(sigmas, float),
        me=np.array(me),
        ceiling=np.array(ceiling),
        k=np.array(k),
        unimodal=np.array(uni),
        fused=np.array(fus),
    )


def paired_difference(ens, sigma: float, a: str, b: str) -> np.ndarray:
    """Final accuracy of condition ``a`` minus ``b`` at ``sigma``, seed by seed (same seeds)."""
    out = []
    for i in ens.select(condition=a, sigma_v=sigma):
        seed = ens.specs[i].seed
        j = ens.select(condition=b, sigma_v=sigma, seed=seed)
        if j.size:
            out.append(ens.test_acc[i, -1] - ens.test_acc[j[0], -1])
    return np.array(out)


def paired_effect(ens, sigma: float, a: str, b: str, *, scale: float = 100.0, level: float = 0.95) -> dict:
    r"""Condition ``a`` minus ``b`` at ``sigma``, paired by seed, in points (accuracy x ``scale``).

    Returns the per-seed differences ``diff``, their ``mean``, ``sd``, standard error ``se``,
    the two-sided ``level`` confidence interval ``low``-``high`` from Student's t with n - 1
    degrees of freedom (:math:`\bar d \pm t_{n-1}\,s/\sqrt n`: with n = 3 seeds,
    :math:`t_2 = 4.30`, so the interval is wide), and the sign counts ``n_pos``/``n_neg``.
    ``sign_p`` is the chance that all n seeds share one sign when the true effect is zero
    (:math:`2 \cdot 2^{-n}`; 0.25 for n = 3): with so few seeds even a clean sign is weak evidence.
    """
    from scipy import stats

    d = paired_difference(ens, sigma, a, b) * scale
    n = d.size
    if n == 0:
        raise ValueError(f"no paired runs of {a!r} and {b!r} at sigma {sigma}")
    mean = float(d.mean())
    if n > 1:
        sd = float(d.std(ddof=1))
        se = sd / np.sqrt(n)
        half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    else:
        sd = se = half = float("nan")
    return dict(
        a=a,
        b=b,
        sigma=sigma,
        diff=d,
        n=n,
        mean=mean,
        sd=sd,
        se=se,
        low=mean - half,
        high=mean + half,
        level=level,
        n_pos=int(np.sum(d > 0)),
        n_neg=int(np.sum(d < 0)),
        sign_p=2.0 * 0.5**n,
    )


def effect_verdict(effect: dict) -> str:
    """'indistinguishable from zero' when the confidence interval holds 0, else 'positive' or
    'negative' (see :func:`paired_effect`)."""
    if not np.isfinite(effect["low"]) or effect["low"] <= 0.0 <= effect["high"]:
        return "indistinguishable from zero"
    return "positive" if effect["mean"] > 0 else "negative"


def signed(x: float, digits: int = 1) -> str:
    """``x`` with an explicit sign and ``digits`` decimals, never '-0.0'."""
    return f"{round(float(x), digits) + 0.0:+.{digits}f}"


def effect_text(effect: dict, unit: str = "points") -> str:
    """'+0.6 points (95 % CI -1.9 to +3.1; 2 of 3 seeds up)' for a :func:`paired_effect`."""
    ci = (
        f"{effect['level'] * 100:.0f} % CI {signed(effect['low'])} to {signed(effect['high'])}; "
        if np.isfinite(effect["low"])
        else ""
    )
    return (
        f"{signed(effect['mean'])} {unit} ({ci}{effect['n_pos']} of {effect['n']} "
        f"seed{'s' if effect['n'] != 1 else ''} up)"
    )


ABLATION_PAIRS = (("joint", "base"), ("iemf", "joint"), ("pcoef", "probe"), ("iemf", "base"))


def ablation_table(ens, sigmas, pairs=ABLATION_PAIRS) -> Markdown:
    """What each ingredient adds, in points of final accuracy, paired by seed: the auxiliary
    losses (joint - base), k on top of them (iemf - joint), k alone (pcoef - probe) and the
    whole of IEMF (iemf - base). Cells: mean [95 % CI] (seeds up / seeds)."""
    header = ["sigma"] + [f"{a} − {b}" for a, b in pairs]
    rows = []
    for s in sigmas:
        cells = [f"{s:g}"]
        for a, b in pairs:
            e = paired_effect(ens, s, a, b)
            ci = f" [{signed(e['low'])}, {signed(e['high'])}]" if np.isfinite(e["low"]) else ""
            cells.append(f"{signed(e['mean'])}{ci} ({e['n_pos']}/{e['n']} up)")
        rows.append(cells)
    return table(header, rows)


def mean_epochs(ens, sigma: float, conditions, fraction: float = TARGET_FRACTION) -> dict:
    """Mean epochs to the target per condition at ``sigma`` (over the seeds that reach it;
    NaN if none does)."""
    summ = condition_summary(ens, sigma, conditions, fraction)
    out = {}
    for c in conditions:
        e = summ[c]["epochs"]
        out[c] = float(np.nanmean(e)) if np.any(np.isfinite(e)) else float("nan")
    return out
