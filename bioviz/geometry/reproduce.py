"""The spec's checks, computed from results (the notebook's table, the tests and the report share them).

>>> EPS_CURVE
(0.0, 0.025, 0.05, 0.075, 0.1, 0.15)
"""

from __future__ import annotations

import numpy as np

from bioviz.geometry import attacks, manifolds
from bioviz.report import Comparison
from bioviz.runtime import progress

#: The eps grid of the accuracy curves.
EPS_CURVE = (0.0, 0.025, 0.05, 0.075, 0.1, 0.15)


def accuracy_curves(model_list, eps_values=EPS_CURVE, *, steps: int = 20, eot: int = 8,
                    n: int | None = None, seed: int = 0, show_progress: bool = True) -> dict:
    """``{model name: {"EOT": curve, "no EOT": curve}}`` (no-EOT only for stochastic models).

    Each curve is :func:`bioviz.geometry.attacks.robustness` on the test set (first ``n``).
    """
    out = {}
    for m in progress(model_list, desc="attacks", disable=not show_progress):
        runs = {"EOT": attacks.robustness(m, eps_values, steps=steps, eot=eot, n=n, seed=seed)}
        if m.stochastic:
            runs["no EOT"] = attacks.robustness(m, eps_values, steps=steps, eot=1, n=n, seed=seed)
        out[m.name] = runs
    return out


def _at(curve: dict, eps: float, draws: int) -> float:
    i = int(np.argmin(np.abs(curve["eps"] - eps)))
    if abs(curve["eps"][i] - eps) > 1e-9:
        raise ValueError(f"eps {eps} is not on the curve's grid {curve['eps'].tolist()}")
    return float(curve["acc"][draws][i])


def spec_values(curves: dict, geoms: dict, sweep: dict, *, standard: str = "standard",
                stochastic: str = "stochastic σ=1", adversarial: str = "adversarial") -> dict:
    """Every quantity the spec's checks need, from the notebook's results.

    ``curves``: :func:`accuracy_curves`; ``geoms``: ``{name: LayerGeometry}`` of exemplar
    manifolds (layers pixels..logits); ``sweep``: :func:`bioviz.geometry.experiments.sigma_sweep`.
    """
    std, sto, at = (curves[k]["EOT"] for k in (standard, stochastic, adversarial))
    no_eot = curves[stochastic]["no EOT"]
    excess = max(_at(sto, e, d) - _at(no_eot, e, d) for e in sto["eps"] if e > 0 for d in (1, 8))
    rises = []
    for runs in curves.values():
        for r in runs.values():
            for d in r["acc"]:
                rises.append(float(np.max(np.diff(r["acc"][d]))))
    ratio = {k: geoms[k].adv["plain_radius"][-1] / geoms[k].adv["plain_radius"][0]
             for k in (standard, adversarial)}
    ratio_mftma = {k: geoms[k].adv["radius"][-1] / geoms[k].adv["radius"][0]
                   for k in (standard, adversarial)}
    logits_overlap = sweep["overlap"][:, sweep["sigmas"] > 0, 1].mean(axis=0)  # sigma 0: no cloud
    front = geoms[stochastic].overlap[list(geoms[stochastic].layers).index("front")]
    return {
        "clean_standard": _at(std, 0.0, 1),
        "clean_stochastic_single": _at(sto, 0.0, 1),
        "clean_stochastic_avg": _at(sto, 0.0, 8),
        "eps01_standard": _at(std, 0.1, 1),
        "eps01_stochastic_avg": _at(sto, 0.1, 8),
        "eps01_stochastic_single": _at(sto, 0.1, 1),
        "eps01_adversarial": _at(at, 0.1, 1),
        "eps005_standard": _at(std, 0.05, 1),
        "eps005_stochastic_single": _at(sto, 0.05, 1),
        "eps01_stochastic_avg_no_eot": _at(no_eot, 0.1, 8),
        "eot_excess": float(excess),
        "max_rise": float(max(rises)),
        "radius_ratio_standard": float(ratio[standard]),
        "radius_ratio_adversarial": float(ratio[adversarial]),
        "mftma_radius_ratio_standard": float(ratio_mftma[standard]),
        "mftma_radius_ratio_adversarial": float(ratio_mftma[adversarial]),
        "overlap_front": float(front),
        "overlap_logits_by_sigma": logits_overlap,
        "overlap_logits_max_step": float(np.max(np.diff(logits_overlap))),
    }


def comparison(v: dict, anchors: dict) -> Comparison:
    """The notebook's "spec vs ours" table from :func:`spec_values` and the MFTMA ``anchors``
    (``points``: capacity of points; ``readme``: the README random-data MFTMA; ``pr``: participation
    ratio of isotropic data with its dimension ``pr_d``)."""
    c = Comparison("Notebook 03: spec (prototype) and reference checks vs ours", reference_label="spec")
    c.add("clean accuracy, standard", 0.95, v["clean_standard"], rule="at_least")
    c.add("clean accuracy, σ = 1, one draw", 0.85, v["clean_stochastic_single"], rule="at_least")
    c.add("ε = 0.1 with EOT: σ = 1 (8-draw average) − standard", 0.05,
          v["eps01_stochastic_avg"] - v["eps01_standard"], rule="at_least")
    c.add("ε = 0.1: adversarially trained − standard", 0.2,
          v["eps01_adversarial"] - v["eps01_standard"], rule="at_least")
    c.add("EOT accuracy − no-EOT accuracy (σ = 1, worst over ε and evaluations)", 0.03,
          v["eot_excess"], rule="at_most", note="EOT must not be a weaker attack")
    c.add("largest rise of accuracy with ε (any curve)", 0.0, v["max_rise"], rule="at_most",
          tolerance=0.02, note="non-increasing, up to ±0.02 sampling noise")
    c.add("perturbation radius logits / pixels, standard", 1.3, v["radius_ratio_standard"],
          rule="at_least", note="plain radius of exemplar manifolds (16 digits x 16 attacks)")
    c.add("perturbation radius logits / pixels, adversarially trained", 1.0,
          v["radius_ratio_adversarial"], rule="at_most")
    c.add("overlap ratio at the front layer, σ = 1", 1.0, v["overlap_front"], rule="at_most")
    c.add("overlap ratio at the logits: largest step up as σ grows", 0.0,
          v["overlap_logits_max_step"], rule="at_most", note="decreasing in σ")
    c.add("MFTMA capacity of points (κ = 0)", 2.0, anchors["points"], rule="approx", tolerance=0.1,
          note="Cover's 2; sampling noise of n_t Gaussian vectors")
    r = anchors["readme"]
    c.add("README random data: capacity", 0.04, r.capacity, rule="approx", tolerance=0.002)
    c.add("README random data: radius", 1.47, r.radius, rule="approx", tolerance=0.02,
          note="the README prints 1.48 in one version, the spec 1.47")
    c.add("README random data: dimension", 36.2, r.dimension, rule="approx", tolerance=0.5,
          note="36.17 in the README")
    c.add(f"participation ratio of isotropic {anchors['pr_d']}-d data", anchors["pr_d"], anchors["pr"],
          rule="approx", tolerance=0.05, relative=True)
    return c


def anchors(seed: int = 0, n_t: int = 200) -> dict:
    """The MFTMA sanity anchors: points, the README random-data example, PR of isotropic data."""
    rng = np.random.default_rng(seed)
    points = [np.tile(rng.standard_normal(64), (8, 1)) for _ in range(20)]
    return {"points": manifolds.mftma(points, n_t=1000, seed=seed).capacity,
            "readme": manifolds.readme_example(seed=seed, n_t=n_t),
            "pr": manifolds.participation_ratio(rng.standard_normal((5000, 20))), "pr_d": 20}


__all__ = ["EPS_CURVE", "accuracy_curves", "spec_values", "comparison", "anchors"]
