"""One parallel map for every sweep: serial, local processes (joblib) or a Dask cluster.

The sweeps of the suite are embarrassingly parallel: every grid point carries its own seed, so
its result does not depend on where or in which order it runs. :func:`pmap` runs
``[fn(job) for job in jobs]`` on the backend you choose and returns the results in the order of
``jobs``, identical to the serial run:

- ``"serial"``: in this process (what the notebooks use, except the swimmer's physics);
- ``"processes"`` or ``"processes:4"``: local worker processes through joblib (loky);
- ``"dask"``: a ``dask.distributed`` cluster, a ``LocalCluster`` of one-thread worker
  processes started here on first use, or ``"dask:tcp://host:8786"`` to use a running one.
  Dask reruns the tasks of a worker that dies, so a lost worker loses no grid point.

Every sweep takes ``parallel=`` (a string as above or a :class:`Backend`). ``None`` means the
current default: ``"serial"``, unless set for a block with :func:`use` or for a whole session by
the environment variable ``BIOVIZ_PARALLEL`` (e.g. ``BIOVIZ_PARALLEL=dask:tcp://host:8786``).
A job that fails raises :class:`PointFailed`, which names the grid point.

>>> pmap(abs, [-2, 3, -5], show_progress=False)
[2, 3, 5]
>>> Backend.parse("processes:4")
Backend(kind='processes', workers=4, scheduler=None)
"""

from __future__ import annotations

import atexit
import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bioviz.validation import check_choice, check_int

__all__ = ["Backend", "PointFailed", "pmap", "use", "current", "configured", "resolve", "client", "shutdown"]

KINDS = ("serial", "processes", "dask")
ENV = "BIOVIZ_PARALLEL"


@dataclass(frozen=True)
class Backend:
    """Where :func:`pmap` runs.

    ``kind`` is one of ``serial``, ``processes``, ``dask``; ``workers`` the number of workers
    (``None``: one per core); ``scheduler`` a Dask scheduler address (``None``: a local cluster).
    """

    kind: str = "serial"
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self):
        check_choice("parallel backend", self.kind, KINDS)
        if self.workers is not None:
            object.__setattr__(self, "workers", check_int("workers", self.workers, low=1, high=4096))
        if self.scheduler is not None and self.kind != "dask":
            raise ValueError(f"a scheduler address needs the dask backend, not {self.kind!r}")

    @classmethod
    def parse(cls, spec: str | Backend | None) -> Backend:
        """A backend from ``"serial"``, ``"processes[:N]"``, ``"dask[:N]"`` or ``"dask:ADDRESS"``."""
        if isinstance(spec, Backend):
            return spec
        if spec is None:
            return current()
        if not isinstance(spec, str):
            raise TypeError(f"parallel must be a string such as 'processes:2' or a Backend, got {spec!r}")
        kind, _, rest = spec.strip().partition(":")
        if kind not in KINDS:
            raise ValueError(f"parallel must start with one of {KINDS}, got {spec!r}")
        if not rest:
            return cls(kind)
        if rest.isdigit():
            return cls(kind, workers=int(rest))
        if kind == "dask":
            return cls(kind, scheduler=rest)
        raise ValueError(f"after {kind!r} give a number of workers, got {spec!r}")

    @property
    def n_workers(self) -> int:
        """The number of workers this backend starts (1 when serial)."""
        if self.kind == "serial":
            return 1
        return self.workers or os.cpu_count() or 1


_default: list[Backend] = []


def current() -> Backend:
    """The backend a sweep uses when given ``parallel=None`` (see the module docstring)."""
    if _default:
        return _default[-1]
    env = os.environ.get(ENV, "").strip()
    return Backend.parse(env) if env else Backend()


def configured() -> bool:
    """Whether a default was set for this block (:func:`use`) or session (``BIOVIZ_PARALLEL``)."""
    return bool(_default) or bool(os.environ.get(ENV, "").strip())


def resolve(parallel: str | Backend | None, default: str | Backend = "serial") -> Backend:
    """The backend for a sweep: ``parallel`` if given, else the configured default, else ``default``.

    A sweep whose jobs are heavy enough to be worth two cores here (the swimmer's physics)
    passes its own ``default``; every other sweep runs serially unless told otherwise.
    """
    if parallel is not None:
        return Backend.parse(parallel)
    return current() if configured() else Backend.parse(default)


@contextlib.contextmanager
def use(parallel: str | Backend) -> Iterator[Backend]:
    """Run every sweep inside the ``with`` block on ``parallel`` unless it names its own."""
    backend = Backend.parse(parallel)
    _default.append(backend)
    try:
        yield backend
    finally:
        _default.pop()


class PointFailed(RuntimeError):
    """A job of :func:`pmap` raised: ``index`` and ``job`` say which grid point it was."""

    def __init__(self, desc: str, index: int, job: Any, error: BaseException):
        self.index, self.job = index, job
        shown = repr(job)
        if len(shown) > 300:
            shown = shown[:297] + "..."
        super().__init__(
            f"{desc or 'sweep'}: job {index} failed ({type(error).__name__}: {error}); the job was {shown}"
        )

    def __reduce__(self):  # keep it picklable across processes
        return (_rebuild_point_failed, (str(self), self.index, self.job))


def _rebuild_point_failed(message, index, job):
    err = PointFailed.__new__(PointFailed)
    RuntimeError.__init__(err, message)
    err.index, err.job = index, job
    return err


class _Guarded:
    """``fn(job)`` (or ``fn(**job)``) that reports which job failed (picklable when ``fn`` is)."""

    def __init__(self, fn: Callable, desc: str, unpack: bool):
        self.fn, self.desc, self.unpack = fn, desc, unpack

    def __call__(self, indexed):
        index, job = indexed
        try:
            with use("serial"):  # a job that runs a sweep of its own runs it where it is
                return self.fn(**job) if self.unpack else self.fn(job)
        except PointFailed:
            raise
        except Exception as e:
            raise PointFailed(self.desc, index, job, e) from e


_clients: dict = {}


def client(backend: str | Backend):
    """The Dask client of a Dask backend, connected (or its LocalCluster started) on first use."""
    backend = Backend.parse(backend)
    if backend.kind != "dask":
        raise ValueError(f"a client needs the dask backend, not {backend.kind!r}")
    key = (backend.scheduler, backend.workers)
    found = _clients.get(key)
    if found is not None and found.status == "running":
        return found
    from dask.distributed import Client, LocalCluster

    if backend.scheduler:
        found = Client(backend.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=backend.n_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        found = Client(cluster)
    _clients[key] = found
    return found


def shutdown() -> None:
    """Close the Dask clients (and the local clusters) this process started."""
    while _clients:
        _, open_client = _clients.popitem()
        cluster = getattr(open_client, "cluster", None)
        with contextlib.suppress(Exception):
            open_client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


atexit.register(shutdown)


def pmap(
    fn: Callable,
    jobs: Sequence,
    *,
    parallel: str | Backend | None = None,
    desc: str = "",
    show_progress: bool = True,
    costs: Sequence[float] | None = None,
    unpack: bool = False,
) -> list:
    """``[fn(job) for job in jobs]`` on a backend (see the module docstring), in the order of ``jobs``.

    With ``unpack`` every job is a dict of keyword arguments: ``fn(**job)``.

    ``fn`` must be picklable for the process and Dask backends (a module-level function or a
    ``functools.partial`` of one). ``costs`` (relative run times, optional) start the longest
    jobs first, so that no worker waits alone for a long last job. A job that raises stops the
    map with :class:`PointFailed` naming it.
    """
    from bioviz.runtime import progress

    backend = Backend.parse(parallel)
    jobs = list(jobs)
    order = list(range(len(jobs)))
    if costs is not None:
        if len(costs) != len(jobs):
            raise ValueError(f"costs must have one entry per job ({len(jobs)}), got {len(costs)}")
        order.sort(key=lambda i: -costs[i])
    task = _Guarded(fn, desc, unpack)
    out: list = [None] * len(jobs)
    with progress(total=len(jobs), desc=desc, disable=not show_progress) as bar:
        if backend.kind == "serial" or len(jobs) < 2:
            for i in order:
                out[i] = task((i, jobs[i]))
                bar.update()
        elif backend.kind == "processes":
            from joblib import Parallel, delayed, parallel_config

            # one BLAS/OpenMP thread per worker: small models run 25-50x slower on two
            with parallel_config(backend="loky", inner_max_num_threads=1):
                runner = Parallel(n_jobs=min(backend.n_workers, len(jobs)), return_as="generator")
                for i, result in zip(order, runner(delayed(task)((i, jobs[i])) for i in order), strict=True):
                    out[i] = result
                    bar.update()
        else:
            from dask.distributed import as_completed

            dask_client = client(backend)
            futures = dask_client.map(task, [(i, jobs[i]) for i in order], pure=False, retries=0)
            index = {f.key: i for f, i in zip(futures, order, strict=True)}
            try:
                for future in as_completed(futures):
                    out[index[future.key]] = future.result()
                    bar.update()
            finally:
                dask_client.cancel(futures)
    return out
