"""Run a sweep at a chosen scale from the command line, on any backend, into a file.

The notebooks run their sweeps in miniature on two cores. This command runs the same sweeps
with more seeds, longer runs and a wider grid, on local processes or a Dask cluster, and writes
a :class:`~bioviz.sweeps.SweepResult` file that a reproduction report loads with
:func:`bioviz.sweeps.load`::

    python -m bioviz.sweep swimmer --scale paper --parallel dask:tcp://scheduler:8786 --out swimmer.npz
    python -m bioviz.sweep primer --scale paper --parallel processes:8 --out depth.npz

Scales: ``smoke`` (seconds: checks the command and the backend), ``notebook`` (what the
notebook runs) and ``paper`` (the sizes the papers report, where our models allow it; see
:data:`PRESETS`). ``--parallel`` takes what :mod:`bioviz.parallel` accepts; without it the
command uses ``BIOVIZ_PARALLEL`` or local processes on every core.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from bioviz import parallel, sweeps


def _swimmer(seeds, periods, n_steps, backend):
    from bioviz.swimmer import experiments

    return experiments.sweep("period", periods, seeds=tuple(range(seeds)), n_steps=n_steps, parallel=backend)


def _primer(seeds, depths, epochs, backend):
    from bioviz.primer import training

    return training.depth_sweep(depths=depths, seeds=tuple(range(seeds)), epochs=epochs, parallel=backend)


#: Per concept: what it sweeps, and the arguments of each scale. ``paper``: the swimmer's
#: 1000-step episodes over ten seeds and a finer clock grid (the paper's period is 60 steps);
#: the primer's surrogates at depths 1-5 over five seeds, twice the epochs.
PRESETS = {
    "swimmer": dict(
        run=_swimmer,
        what="NCAP return against the oscillator period (control steps)",
        smoke=dict(seeds=2, periods=(30, 60), n_steps=60),
        notebook=dict(seeds=3, periods=(10, 20, 30, 40, 60, 80, 100, 200), n_steps=1000),
        paper=dict(seeds=10, periods=(10, 15, 20, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200), n_steps=1000),
    ),
    "primer": dict(
        run=_primer,
        what="SNN test accuracy against depth, per surrogate gradient",
        smoke=dict(seeds=1, depths=(1,), epochs=1),
        notebook=dict(seeds=3, depths=(1, 2, 3), epochs=15),
        paper=dict(seeds=5, depths=(1, 2, 3, 4, 5), epochs=30),
    ),
}
SCALES = ("smoke", "notebook", "paper")


def main(argv=None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    ap = argparse.ArgumentParser(prog="python -m bioviz.sweep", description=__doc__.split("\n\n")[0])
    ap.add_argument("concept", choices=sorted(PRESETS))
    ap.add_argument("--scale", choices=SCALES, default="notebook")
    ap.add_argument("--parallel", default=None, help="serial, processes[:N], dask[:N] or dask:ADDRESS")
    ap.add_argument("--out", default=None, help="the .npz file to write (default: CONCEPT-SCALE.npz)")
    args = ap.parse_args(argv)
    preset = PRESETS[args.concept]
    try:
        backend = parallel.resolve(args.parallel, f"processes:{os.cpu_count() or 1}")
    except (ValueError, TypeError) as e:
        ap.error(str(e))
    out = args.out or f"{args.concept}-{args.scale}.npz"
    kwargs = preset[args.scale]
    print(f"{args.concept}, {args.scale} scale: {preset['what']}; {json.dumps(kwargs)}; on {backend}", flush=True)
    t0 = time.perf_counter()
    result = preset["run"](**kwargs, backend=backend)
    result.settings.update(concept=args.concept, scale=args.scale, parallel=str(backend))
    path = sweeps.save(result, out)
    print(f"wrote {path} ({result!r}) in {time.perf_counter() - t0:.1f} s")
    parallel.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
