"""Notebook 03 extras: training, attack and geometry time per model, and the MFTMA anchors.

    python benchmarks/run.py --only extras --match geometry

Per model (fresh training, no cache): training time (20 epochs; AT with 5-step PGD), the
notebook's attack (accuracy against 6 budgets on 540 test digits, 20-step PGD, EOT 8 and, for
the stochastic model, the same without EOT), and the geometry (16 exemplars x 16 attacks, then
MFTMA with n_t = 100, participation ratio and plain radius at 4 layers, clean and adversarial).
Then one explorer-sized "attack + geometry" call (10 x 10 exemplar manifolds, n_t = 40) and the
README random-data MFTMA example.
"""

from __future__ import annotations

import os
import time


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run() -> str:
    from bioviz.geometry import experiments, manifolds, models, reproduce
    from bioviz.geometry.explorers import M_EXEMPLAR, N_T, P_EXEMPLAR
    from bioviz.geometry.paper import PAPER

    models.train(models.config("standard", epochs=1))  # warm-up: data, torch start-up
    rows = [
        "| model | training (s) | attacks (s) | geometry (s) | attack + geometry, explorer size (s) "
        "| clean acc | acc at ε 0.1 (EOT) |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, sigma in (("standard", None), ("stochastic", 1.0), ("adversarial", None)):
        model, t_train = _timed(lambda k=kind, s=sigma: models.train(models.config(k, s)))
        curves, t_attack = _timed(lambda m=model: reproduce.accuracy_curves([m], show_progress=False))
        ms, t_man = _timed(lambda m=model: experiments.exemplar_manifolds(m, P=16, M=16, eps=0.1))
        _, t_geom = _timed(lambda s=ms: experiments.layer_geometry(s, n_t=100))

        def small(m=model):
            s = experiments.exemplar_manifolds(m, P=P_EXEMPLAR, M=M_EXEMPLAR, eps=0.1, seed=1)
            return experiments.layer_geometry(s, n_t=N_T)

        _, t_small = _timed(small)
        acc = curves[model.name]["EOT"]["acc"][8]
        i01 = reproduce.EPS_CURVE.index(0.1)
        rows.append(
            f"| {model.name} | {t_train:.2f} | {t_attack:.2f} | {t_man + t_geom:.2f} "
            f"(attacks {t_man:.2f} + measures {t_geom:.2f}) | {t_small:.2f} | {acc[0]:.3f} | "
            f"{acc[i01]:.3f} |"
        )
    readme, t_readme = _timed(lambda: manifolds.readme_example(seed=0))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "\n".join(
        [
            "## Notebook 03: population geometry (bench_geometry)",
            "",
            f"Device: {models.device()}; load average at the end: {load:.2f}.",
            "",
            *rows,
            "",
            f"README random-data MFTMA example (P = 100, M = 50, N = 5000, n_t = 200): {t_readme:.2f} s; "
            f"capacity {readme.capacity:.4f}, radius {readme.radius:.3f}, dimension {readme.dimension:.2f} "
            "(README: {}, {}, {}).".format(
                *(PAPER[f"mftma_readme_{k}"] for k in ("capacity", "radius", "dimension"))
            ),
        ]
    )


if __name__ == "__main__":
    print(run())
