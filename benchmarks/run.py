#!/usr/bin/env python
"""Benchmark report: notebooks, explorer callbacks, and per-notebook extras.

    python benchmarks/run.py                      # everything (make bench)
    python benchmarks/run.py --only notebooks     # one part: notebooks | explorers | extras
    python benchmarks/run.py --match primer,00    # notebooks / explorers / extras whose name
                                                  # contains any of the comma-separated words

1. Notebooks: each executes on a fresh kernel (nbclient, the kernel a reader gets) in its own
   process; reports wall time (kernel start included) and the kernel's peak resident memory.
2. Explorers: every registered explorer (bioviz.explorer.discover) is built once; each control
   is driven through its min / middle / max and random values, and the callback time (what a
   reader waits for after releasing a slider) is summarised as median and p95 per control,
   against the target for its kind (re-plot <= 50 ms, re-simulate <= 1 s).
3. Extras: every ``benchmarks/bench_*.py`` module's ``run() -> str`` (a Markdown section), for
   measurements particular to one notebook.

Prints one Markdown report and writes it to benchmarks/results/latest.md (git-ignored).
This is a script, not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "benchmarks" / "results"
TARGET_REPLOT_S = 0.050
TARGET_RESIM_S = 1.0
os.environ.setdefault("MUJOCO_GL", "disable")


def _matches(match: str, name: str) -> bool:
    """True when ``match`` is empty or ``name`` contains one of its comma-separated words."""
    words = [w for w in match.split(",") if w]
    return not words or any(w in name for w in words)


# ---------------------------------------------------------------------------------------------
# notebooks


def execute_one(path: Path) -> dict:
    """Execute one notebook on a fresh kernel; runs in a child process (see main)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    seconds = time.perf_counter() - t0
    # the kernel is this process's child and has been waited for: its peak RSS (KiB on Linux)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_mib": peak_kib / 1024}


def bench_notebooks(match: str) -> list[dict]:
    rows = []
    paths = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(NOTEBOOKS.glob("reproductions/*.ipynb"))
    for path in paths:
        name = path.relative_to(NOTEBOOKS).as_posix()
        if not _matches(match, name):
            continue
        print(f"  executing {name} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--execute-one", str(path)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            rows.append({"notebook": name, "error": proc.stderr.strip().splitlines()[-1:]})
            continue
        rows.append({"notebook": name, **json.loads(proc.stdout.strip().splitlines()[-1])})
    return rows


def notebook_table(rows: list[dict]) -> str:
    out = ["| notebook | wall time (s) | kernel peak memory (MiB) |", "|---|---|---|"]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['notebook']} | FAILED: {r['error']} | |")
        else:
            out.append(f"| {r['notebook']} | {r['seconds']:.1f} | {r['peak_mib']:.0f} |")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# explorers


def _values_for(control, rng, n_random: int) -> list:
    values = list(control.sample_values()) + [control.random_value(rng) for _ in range(n_random)]
    # interleave with the default so that every set is a change a reader would make
    seq = []
    for v in values:
        seq += [v, control.value]
    return seq


def bench_explorers(match: str, n_random: int) -> list[dict]:
    from bioviz.explorer import discover

    rows = []
    rng = np.random.default_rng(0)
    for name, cls in discover().items():
        if not _matches(match, name):
            continue
        print(f"  driving {name} ...", file=sys.stderr, flush=True)
        with contextlib.redirect_stdout(sys.stderr):  # progress bars, not the report
            rows += _drive(name, cls, rng, n_random)
    return rows


def _drive(name, cls, rng, n_random: int) -> list[dict]:
    """Build one explorer's widget, then time every control through its values."""
    t0 = time.perf_counter()
    widget = cls().widget(seed=0)
    build = time.perf_counter() - t0
    rows = [
        {
            "explorer": name,
            "control": "(build)",
            "kind": "build",
            "n": 1,
            "median": build,
            "p95": build,
            "errors": int(widget.last_error is not None),
        }
    ]
    for control in cls.controls:
        times, errors = [], 0
        prev = control.value
        for value in _values_for(control, rng, n_random):
            if value == prev:
                continue
            widget.set(**{control.name: value})
            prev = value
            times.append(widget.last_timing["total"])
            errors += widget.last_error is not None
        kind = "re-simulate" if control.resimulate else "re-plot"
        rows.append(
            {
                "explorer": name,
                "control": control.name,
                "kind": kind,
                "n": len(times),
                "median": float(np.median(times)) if times else float("nan"),
                "p95": float(np.percentile(times, 95)) if times else float("nan"),
                "errors": errors,
            }
        )
    return rows


def explorer_table(rows: list[dict]) -> str:
    out = [
        "| explorer | control | kind | n | median (ms) | p95 (ms) | target | ok |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = {"re-plot": TARGET_REPLOT_S, "re-simulate": TARGET_RESIM_S}.get(r["kind"])
        ok = "" if target is None else ("yes" if r["median"] <= target and not r["errors"] else "NO")
        tgt = "" if target is None else f"<= {target * 1000:.0f} ms"
        err = f" ({r['errors']} errors)" if r["errors"] else ""
        out.append(
            f"| {r['explorer']} | {r['control']} | {r['kind']} | {r['n']} | "
            f"{r['median'] * 1000:.0f} | {r['p95'] * 1000:.0f} | {tgt} | {ok}{err} |"
        )
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# extras


def bench_extras(match: str) -> list[str]:
    sections = []
    for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        if not _matches(match, path.stem):
            continue
        print(f"  running {path.name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            with contextlib.redirect_stdout(sys.stderr):  # progress bars, not the report
                section = module.run()
        except Exception as err:  # one failing extra must not lose the whole report
            traceback.print_exc()
            section = f"## {path.stem}\n\nFAILED: {type(err).__name__}: {str(err).splitlines()[0]}"
        sections.append(f"{section}\n\n_({path.name}: {time.perf_counter() - t0:.1f} s)_")
    return sections


# ---------------------------------------------------------------------------------------------


def header() -> str:
    from bioviz.env import check_env

    versions = check_env(verbose=False)
    shown = ", ".join(f"{k} {v}" for k, v in versions.items() if v)
    return (
        f"# bioviz benchmark report\n\n{datetime.datetime.now():%Y-%m-%d %H:%M}; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}; {shown}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("notebooks", "explorers", "extras"))
    parser.add_argument("--match", default="", help="only names containing one of these comma-separated words")
    parser.add_argument("--random", type=int, default=3, help="random values per control")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.md")
    parser.add_argument("--execute-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.execute_one:
        print(json.dumps(execute_one(args.execute_one)))
        return 0

    parts = [header()]
    t0 = time.perf_counter()
    if args.only in (None, "notebooks"):
        parts.append("## Notebooks (fresh kernel each)\n\n" + notebook_table(bench_notebooks(args.match)))
    if args.only in (None, "explorers"):
        parts.append("## Explorer callbacks\n\n" + explorer_table(bench_explorers(args.match, args.random)))
    if args.only in (None, "extras"):
        parts += bench_extras(args.match)
    parts.append(f"_total benchmark time {time.perf_counter() - t0:.0f} s_")
    report = "\n\n".join(parts) + "\n"
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
