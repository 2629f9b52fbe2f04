"""The notebook's experiments: sweeps, the sign ablation, initialisations, length transfer.

Every function runs its episodes through :func:`bioviz.parallel.pmap` (on two local processes
unless ``parallel`` or the session's default says otherwise: see
:data:`bioviz.swimmer.rollout.PARALLEL`) and returns a :class:`~bioviz.sweeps.SweepResult` on
the grid ``seed x condition`` with values ``returns``, ``displacements``, ``speeds``, ``lags``
and ``amplitudes``; the seed sets the initial pose (and, for random initialisations, the
weights).

>>> out = sweep("period", [20, 60], seeds=(0,), n_steps=200, parallel="serial", show_progress=False)
>>> out["returns"].shape
(1, 2)
"""

from __future__ import annotations

import itertools

import numpy as np

from bioviz.parallel import Backend, pmap, resolve
from bioviz.sweeps import SweepResult, grid_points
from bioviz.swimmer import es, task
from bioviz.swimmer.ncap import DEFAULT_PERIOD, INITS, WEIGHTS
from bioviz.swimmer.rollout import PARALLEL, ncap, summary
from bioviz.validation import check_choice, check_seed

__all__ = [
    "SWEEPABLE",
    "PATTERNS",
    "sweep",
    "sign_ablation",
    "init_returns",
    "paired_difference",
    "wiring_and_start",
]

#: What :func:`sweep` can vary: a weight, the oscillator period or the number of links.
SWEEPABLE = WEIGHTS + ("period", "n_links")
#: The 16 sign patterns of (osc, prop, ipsi, contra), as +-1.
PATTERNS = tuple(itertools.product((1, -1), repeat=4))
#: Episode summary fields -> the names of the sweep values.
_FIELDS = dict(
    return_="returns", displacement="displacements", mean_speed="speeds", lag="lags", amplitude="amplitudes"
)


def _measure(axes: dict, jobs: list[dict], desc: str, parallel, show_progress, **settings) -> SweepResult:
    """Run one episode per grid point (``jobs`` in :func:`~bioviz.sweeps.grid_points` order)."""
    costs = [j["n_links"] for j in jobs]  # physics cost grows with the body
    summaries = pmap(
        summary,
        jobs,
        unpack=True,
        parallel=resolve(parallel, PARALLEL),
        desc=desc,
        show_progress=show_progress,
        costs=costs,
    )
    points = [{name: float(s[f]) for f, name in _FIELDS.items()} for s in summaries]
    return SweepResult.from_points(axes, points, settings=settings)


def sweep(
    param: str,
    values,
    *,
    seeds=(0, 1, 2),
    n_steps: int = task.EPISODE_STEPS,
    n_links: int = 6,
    period: int = DEFAULT_PERIOD,
    sign_constraints: bool = True,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
    **weights,
) -> SweepResult:
    """Episodes of the constant-init NCAP with one parameter varied, on the grid ``seed x param``.

    ``param`` is one of :data:`SWEEPABLE`; ``weights`` override the other shared weights
    (defaults +1, +1, +1, -1). With ``sign_constraints`` (default) a weight of the wrong sign
    is clamped to 0; turn them off to sweep, say, ``contra`` through positive values. Varying
    ``n_links`` reuses the same four weights on every body: zero-shot transfer.
    """
    check_choice("param", param, SWEEPABLE)
    seeds, n_steps, n_links = _check_episodes(seeds, n_steps, n_links)
    axes = {"seed": seeds, param: tuple(values)}
    controllers = {}
    for v in axes[param]:
        kw = dict(dict(osc=1.0, prop=1.0, ipsi=1.0, contra=-1.0), **weights)
        links, per = n_links, period
        if param == "n_links":
            links = task.check_n_links(v)
        elif param == "period":
            per = v
        else:
            kw[param] = float(v)
        ctrl = ncap(**kw, n_links=links, period=per, sign_constraints=sign_constraints)
        controllers[v] = dict(controller=ctrl, n_links=links)
    jobs = [dict(controllers[p[param]], n_steps=n_steps, seed=p["seed"]) for p in grid_points(axes)]
    return _measure(
        axes, jobs, f"{param} sweep", parallel, show_progress, n_steps=n_steps, sign_constraints=sign_constraints
    )


def _check_episodes(seeds, n_steps, n_links) -> tuple[tuple[int, ...], int, int]:
    """Seeds, episode length and body size, checked before any episode runs."""
    seeds = tuple(check_seed(s) for s in seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    return seeds, task.check_n_steps(n_steps), task.check_n_links(n_links)


def sign_ablation(
    *,
    seeds=(0, 1, 2),
    n_steps: int = task.EPISODE_STEPS,
    n_links: int = 6,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
) -> SweepResult:
    """All 16 sign patterns of unit weights, without sign constraints (grid ``seed x pattern``)."""
    seeds, n_steps, n_links = _check_episodes(seeds, n_steps, n_links)
    axes = {"seed": seeds, "pattern": PATTERNS}
    ctrl = {p: ncap(*p, n_links=n_links, sign_constraints=False) for p in PATTERNS}
    jobs = [
        dict(controller=ctrl[p["pattern"]], n_links=n_links, n_steps=n_steps, seed=p["seed"])
        for p in grid_points(axes)
    ]
    return _measure(axes, jobs, "sign patterns", parallel, show_progress, n_steps=n_steps)


def init_returns(
    inits=INITS,
    *,
    seeds=tuple(range(8)),
    n_steps: int = 300,
    n_links: int = 6,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
) -> SweepResult:
    """Returns of NCAP straight from each initialisation (grid ``seed x init``; seed ``s``: weights and pose).

    Signed initialisations keep the sign constraints; unsigned ones run without them.
    """
    for init in inits:
        check_choice("init", init, INITS)
    seeds, n_steps, n_links = _check_episodes(seeds, n_steps, n_links)
    axes = {"seed": seeds, "init": tuple(inits)}
    jobs = []
    for p in grid_points(axes):
        kind = "ncap_unsigned" if p["init"].startswith("unsigned") else "ncap"
        theta = es.initial_vector(kind, n_links, p["seed"], init=p["init"])
        jobs.append(
            dict(controller=es.controller(kind, theta, n_links), n_links=n_links, n_steps=n_steps, seed=p["seed"])
        )
    return _measure(axes, jobs, "initialisations", parallel, show_progress, n_steps=n_steps)


def paired_difference(a, b, level: float = 0.95) -> dict:
    """``a - b`` paired by seed: ``mean``, the two-sided Student-t interval ``low``-``high``,
    ``n`` and ``n_pos`` (how many seeds went up).

    >>> d = paired_difference([3.0, 4.0, 5.0], [1.0, 1.0, 1.0])
    >>> d["mean"], d["n_pos"], round(d["low"], 2), round(d["high"], 2)
    (3.0, 3, 0.52, 5.48)
    """
    from scipy import stats

    d = np.asarray(a, float) - np.asarray(b, float)
    if d.ndim != 1 or d.size < 2:
        raise ValueError(f"a and b must hold at least two paired values, got {d.size}")
    half = float(stats.t.ppf(0.5 + level / 2, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))
    return dict(
        mean=float(d.mean()),
        low=float(d.mean() - half),
        high=float(d.mean() + half),
        n=int(d.size),
        n_pos=int((d > 0).sum()),
    )


def wiring_and_start(seeds=(3, 4, 5, 6, 7), *, show_progress: bool = True, parallel=None, **budget) -> dict:
    """Separate what the circuit's wiring and its hand-set starting weights each buy.

    Trains (:func:`bioviz.swimmer.es.compare`, one budget) the signed circuit from random signed
    weights (``ncap``) and from the hand-set constant weights (``ncap_constant``), the unsigned
    circuit and the MLP, from the same seeds; returns ``{"runs": {kind: [ESResult]},
    "before": {kind: array}, "after": {kind: array}, "effects": {name: paired_difference}}``
    with returns on the held-out poses. The effects: ``wiring`` (trained NCAP from a random
    start minus trained MLP), ``start, untrained`` and ``start, trained`` (hand-set minus random
    start, before and after training) and ``training`` for each kind (after minus before).
    """
    kinds = ("ncap", "ncap_constant", "ncap_unsigned", "mlp")
    runs = es.compare(kinds, seeds, show_progress=show_progress, parallel=parallel, **budget)
    before = {k: np.array([r.initial_return for r in rs]) for k, rs in runs.items()}
    after = {k: np.array([r.final_return for r in rs]) for k, rs in runs.items()}
    effects = {
        "wiring: trained NCAP (random start) - trained MLP": paired_difference(after["ncap"], after["mlp"]),
        "start, untrained: hand-set - random signed": paired_difference(before["ncap_constant"], before["ncap"]),
        "start, trained: hand-set - random signed": paired_difference(after["ncap_constant"], after["ncap"]),
        "signs, trained: NCAP - unsigned NCAP": paired_difference(after["ncap"], after["ncap_unsigned"]),
    }
    for k in kinds:
        effects[f"training: {es.LABELS[k]}"] = paired_difference(after[k], before[k])
    return dict(runs=runs, before=before, after=after, effects=effects)
