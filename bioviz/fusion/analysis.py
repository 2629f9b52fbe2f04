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
        out[c] = dict(final=ens.test_acc[idx, -1], k=ens.k[idx, -1],
                      epochs=np.array([np.nan if e is None else e for e in ep], dtype=float),
                      seeds=np.array([ens.specs[i].seed for i in idx]))
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
            text = "never" if never == e.size else (
                f"{np.nanmean(e):.1f} ± {np.nanstd(e, ddof=1) if e.size - never > 1 else 0:.1f}"
                f" [{np.nanmin(e):.0f}-{np.nanmax(e):.0f}]")
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
    return dict(sigma=np.asarray(sigmas, float), me=np.array(me), ceiling=np.array(ceiling),
                k=np.array(k), unimodal=np.array(uni), fused=np.array(fus))


def paired_difference(ens, sigma: float, a: str, b: str) -> np.ndarray:
    """Final accuracy of condition ``a`` minus ``b`` at ``sigma``, seed by seed (same seeds)."""
    out = []
    for i in ens.select(condition=a, sigma_v=sigma):
        seed = ens.specs[i].seed
        j = ens.select(condition=b, sigma_v=sigma, seed=seed)
        if j.size:
            out.append(ens.test_acc[i, -1] - ens.test_acc[j[0], -1])
    return np.array(out)


def ablation_table(ens, sigmas) -> Markdown:
    """What each ingredient adds (final accuracy, paired by seed, mean ± sd): the auxiliary
    losses (joint - base), k on top of them (iemf - joint), and k alone (pcoef - probe)."""
    pairs = (("joint", "base"), ("iemf", "joint"), ("pcoef", "probe"), ("iemf", "base"))
    header = ["sigma"] + [f"{a} − {b}" for a, b in pairs]
    rows = []
    for s in sigmas:
        cells = [f"{s:g}"]
        for a, b in pairs:
            d = paired_difference(ens, s, a, b)
            sd = d.std(ddof=1) if d.size > 1 else 0.0
            cells.append(f"{d.mean():+.3f} ± {sd:.3f}")
        rows.append(cells)
    return table(header, rows)
