"""The notebook's experiments: sweeps, the sign ablation, initialisations, length transfer.

Every function runs its episodes through :func:`bioviz.swimmer.rollout.run_many` (both cores
by default) and returns plain arrays of shape ``(seeds, conditions)``; the seed sets the
initial pose (and, for random initialisations, the weights).

>>> out = sweep("period", [20, 60], seeds=(0,), n_steps=200, processes=1, show_progress=False)
>>> out["returns"].shape
(1, 2)
"""

from __future__ import annotations

import itertools

import numpy as np

from bioviz.swimmer import es, task
from bioviz.swimmer.ncap import DEFAULT_PERIOD, INITS, WEIGHTS
from bioviz.swimmer.rollout import ncap, run_many, summary
from bioviz.validation import check_choice

__all__ = ["SWEEPABLE", "PATTERNS", "sweep", "sign_ablation", "init_returns", "tabulate"]

#: What :func:`sweep` can vary: a weight, the oscillator period or the number of links.
SWEEPABLE = WEIGHTS + ("period", "n_links")
#: The 16 sign patterns of (osc, prop, ipsi, contra), as +-1.
PATTERNS = tuple(itertools.product((1, -1), repeat=4))
_FIELDS = ("return_", "displacement", "mean_speed", "lag", "amplitude")


def tabulate(summaries: list[dict], n_seeds: int) -> dict[str, np.ndarray]:
    """Summaries listed condition-major (all seeds of a condition together) -> arrays
    ``returns``, ``displacements``, ``speeds``, ``lags``, ``amplitudes`` of shape
    ``(seeds, conditions)``."""
    names = dict(
        return_="returns", displacement="displacements", mean_speed="speeds", lag="lags", amplitude="amplitudes"
    )
    out = {}
    for field in _FIELDS:
        values = np.array([s[field] for s in summaries], dtype=float)
        out[names[field]] = values.reshape(-1, n_seeds).T
    return out


def sweep(
    param: str,
    values,
    *,
    seeds=(0, 1, 2),
    n_steps: int = task.EPISODE_STEPS,
    n_links: int = 6,
    period: int = DEFAULT_PERIOD,
    sign_constraints: bool = True,
    processes: int | None = None,
    show_progress: bool = True,
    **weights,
) -> dict:
    """Episodes of the constant-init NCAP with one parameter varied.

    ``param`` is one of :data:`SWEEPABLE`; ``weights`` override the other shared weights
    (defaults +1, +1, +1, -1). With ``sign_constraints`` (default) a weight of the wrong sign
    is clamped to 0; turn them off to sweep, say, ``contra`` through positive values. Varying
    ``n_links`` reuses the same four weights on every body: zero-shot transfer.
    """
    check_choice("param", param, SWEEPABLE)
    seeds = tuple(seeds)
    jobs = []
    for v in values:
        kw = dict(dict(osc=1.0, prop=1.0, ipsi=1.0, contra=-1.0), **weights)
        links, per = n_links, period
        if param == "n_links":
            links = task.check_n_links(v)
        elif param == "period":
            per = v
        else:
            kw[param] = float(v)
        ctrl = ncap(**kw, n_links=links, period=per, sign_constraints=sign_constraints)
        jobs += [dict(controller=ctrl, n_links=links, n_steps=n_steps, seed=s) for s in seeds]
    costs = [j["n_links"] for j in jobs]  # physics cost grows with the body
    out = tabulate(
        run_many(
            summary, jobs, processes=processes, desc=f"{param} sweep", show_progress=show_progress, costs=costs
        ),
        len(seeds),
    )
    out["values"] = np.asarray(values)
    return out


def sign_ablation(
    *,
    seeds=(0, 1, 2),
    n_steps: int = task.EPISODE_STEPS,
    n_links: int = 6,
    processes: int | None = None,
    show_progress: bool = True,
) -> dict:
    """All 16 sign patterns of unit weights, without sign constraints (``patterns`` in order)."""
    seeds = tuple(seeds)
    jobs = [
        dict(
            controller=ncap(*p, n_links=n_links, sign_constraints=False), n_links=n_links, n_steps=n_steps, seed=s
        )
        for p in PATTERNS
        for s in seeds
    ]
    out = tabulate(
        run_many(summary, jobs, processes=processes, desc="sign patterns", show_progress=show_progress), len(seeds)
    )
    out["patterns"] = PATTERNS
    return out


def init_returns(
    inits=INITS,
    *,
    seeds=tuple(range(8)),
    n_steps: int = 300,
    n_links: int = 6,
    processes: int | None = None,
    show_progress: bool = True,
) -> dict:
    """Returns of NCAP straight from each initialisation (seed ``s``: weights and pose).

    Signed initialisations keep the sign constraints; unsigned ones run without them.
    """
    seeds = tuple(seeds)
    jobs = []
    for init in inits:
        check_choice("init", init, INITS)
        kind = "ncap_unsigned" if init.startswith("unsigned") else "ncap"
        for s in seeds:
            theta = es.initial_vector(kind, n_links, s, init=init)
            jobs.append(
                dict(controller=es.controller(kind, theta, n_links), n_links=n_links, n_steps=n_steps, seed=s)
            )
    out = tabulate(
        run_many(summary, jobs, processes=processes, desc="initialisations", show_progress=show_progress),
        len(seeds),
    )
    out["inits"] = tuple(inits)
    return out
