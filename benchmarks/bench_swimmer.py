"""Notebook 05 (NCAP swimmer): rollout cost against bare physics stepping.

Reports, for a 1000-step episode of the 6-link swimmer (median over interleaved repeats):

- bare physics: the same torque sequence replayed open loop (``ctrl`` set, then MuJoCo's
  ``mj_step2 / mj_step / mj_step1`` as dm_control steps): the physics work of the episode and
  nothing else;
- NCAP rollout: :func:`bioviz.swimmer.rollout.rollout` with the plain-float NCAP, which also
  reads the joints, computes the torques and records states, speeds and actions
  (goal: <= 25 % over bare physics);
- for context: the same circuit as a torch module (one forward per step) and through
  dm_control's ``env.step``;
- the explorer target: a 300-step rollout from a control, figure included (<= 1 s median).

Run: ``python benchmarks/run.py --only extras --match swimmer``.
"""

from __future__ import annotations

import os
import time

import numpy as np

os.environ.setdefault("MUJOCO_GL", "disable")

REPEATS = 7


def _median(fn, repeats: int = REPEATS) -> float:
    return float(np.median([fn() for _ in range(repeats)]))


def run() -> str:
    import mujoco

    from bioviz.runtime import torch_threads
    from bioviz.swimmer import task
    from bioviz.swimmer.explorers import SwimmerExplorer
    from bioviz.swimmer.ncap import NCAP
    from bioviz.swimmer.rollout import TorchPolicy, ncap, rollout

    n_steps, seed = 1000, 0
    ctrl = ncap()
    actions = rollout(ctrl, n_steps=n_steps, seed=seed).action
    body = task.body(6)

    def bare():
        body.reset(seed)
        m, d = body.model, body.data
        t0 = time.perf_counter()
        for t in range(n_steps):
            d.ctrl[:] = actions[t]
            mujoco.mj_step2(m, d)
            mujoco.mj_step(m, d, task.N_SUB_STEPS - 1)
            mujoco.mj_step1(m, d)
        return time.perf_counter() - t0

    def ncap_float():
        t0 = time.perf_counter()
        rollout(ctrl, n_steps=n_steps, seed=seed)
        return time.perf_counter() - t0

    # interleave so that changing load hits both alike
    pairs = [(bare(), ncap_float()) for _ in range(REPEATS)]
    t_bare = float(np.median([p[0] for p in pairs]))
    t_ncap = float(np.median([p[1] for p in pairs]))
    overhead = t_ncap / t_bare - 1

    with torch_threads(1):
        policy = TorchPolicy(NCAP(5))
        t_torch = _median(lambda: _timed(lambda: rollout(policy, n_steps=n_steps, seed=seed)), 3)
    env = task.make_env(6, seed=seed, n_steps=n_steps)

    def env_loop():
        step, t = env.reset(), 0
        t0 = time.perf_counter()
        while not step.last():
            step = env.step(ctrl.torques(step.observation["joints"], t))
            t += 1
        return time.perf_counter() - t0

    t_env = _median(env_loop, 3)

    explorer = SwimmerExplorer()
    params = explorer.params(n_steps=300)
    t_explorer = _median(lambda: _timed(lambda: explorer.figure(explorer.simulate(params, 0), params)))
    load = os.getloadavg()[0]

    rows = [
        ("bare physics (same torques, open loop)", t_bare, "", ""),
        (
            "NCAP rollout, plain floats (closed loop, recorded)",
            t_ncap,
            f"{overhead:+.0%}",
            "yes" if overhead <= 0.25 else "NO",
        ),
        ("NCAP as a torch module (one forward per step)", t_torch, f"{t_torch / t_bare - 1:+.0%}", ""),
        ("NCAP through dm_control env.step", t_env, f"{t_env / t_bare - 1:+.0%}", ""),
    ]
    lines = [
        "## Swimmer (notebook 05): NCAP rollout vs bare physics",
        "",
        f"1000-step episode, 6 links, median of {REPEATS} interleaved repeats (3 for the torch and env "
        f"rows); load average {load:.2f}.",
        "",
        "| path | s per 1000 steps (= ms per step) | overhead vs bare | goal <= +25 % |",
        "|---|---|---|---|",
    ]
    for name, t, over, ok in rows:
        lines.append(f"| {name} | {t:.3f} | {over} | {ok} |")
    lines += [
        "",
        f"Explorer target: a 300-step rollout from a control, figure included: "
        f"**{t_explorer:.3f} s** median (target <= 1 s: {'yes' if t_explorer <= 1.0 else 'NO'}).",
    ]
    return "\n".join(lines)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(run())
