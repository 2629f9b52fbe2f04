"""One parallel map: the same numbers on every backend, failures named, a lost worker loses nothing."""

import os
import sys
import threading
import time

import cloudpickle
import numpy as np
import pytest

from bioviz import parallel
from bioviz.parallel import Backend, PointFailed, pmap
from bioviz.swimmer import experiments

# the helpers below travel to the workers by value (the workers need not import this file)
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _square_after(job):
    x, delay = job
    time.sleep(delay)
    return x * x


def _refuse_three(x):
    if x == 3:
        raise ValueError("three is not allowed")
    return -x


def _backend_inside(_):
    return parallel.resolve(None, "processes:2").kind


def _tiny_sweep(backend):
    return experiments.sweep("prop", [0.0, 1.0], seeds=(0, 1), n_steps=60, parallel=backend, show_progress=False)


@pytest.fixture(scope="module")
def dask_backend():
    pytest.importorskip("dask.distributed")
    backend = Backend("dask", workers=2)
    parallel.client(backend)  # start the LocalCluster once for the module
    yield backend
    parallel.shutdown()


def test_backend_strings_and_defaults(monkeypatch):
    assert Backend.parse("serial") == Backend()
    assert Backend.parse("processes:3") == Backend("processes", workers=3)
    assert Backend.parse("dask:tcp://10.0.0.1:8786") == Backend("dask", scheduler="tcp://10.0.0.1:8786")
    for bad, message in (
        ("threads", "must start with one of"),
        ("processes:0", "workers must be >= 1"),
        ("processes:many", "give a number of workers"),
        (3, "must be a string"),
    ):
        with pytest.raises((ValueError, TypeError), match=message):
            Backend.parse(bad)
    with pytest.raises(ValueError, match="needs the dask backend"):
        Backend("processes", scheduler="tcp://h:1")
    monkeypatch.delenv(parallel.ENV, raising=False)
    assert parallel.current() == Backend() and parallel.resolve(None, "processes:2").kind == "processes"
    with parallel.use("processes:4"):
        assert parallel.resolve(None, "processes:2") == Backend("processes", 4)
        assert parallel.resolve("serial") == Backend()  # an explicit choice wins
    monkeypatch.setenv(parallel.ENV, "dask:tcp://h:8786")
    assert parallel.resolve(None, "processes:2") == Backend("dask", scheduler="tcp://h:8786")


def test_serial_and_local_processes_give_the_same_sweep():
    serial = _tiny_sweep("serial")
    processes = _tiny_sweep("processes:2")
    for name in serial.keys():
        np.testing.assert_array_equal(serial[name], processes[name])
    # longest jobs first, results still in the order of the jobs
    jobs = [(x, 0.0) for x in range(6)]
    assert pmap(_square_after, jobs, parallel="processes:2", costs=[1, 5, 2, 6, 3, 4], show_progress=False) == [
        x * x for x in range(6)
    ]


@pytest.mark.parametrize("backend", ["serial", "processes:2"])
def test_a_job_runs_its_own_sweeps_where_it_is(backend, monkeypatch):
    # no nested pools: inside a job every sweep is serial, whatever the session's default
    monkeypatch.setenv(parallel.ENV, "processes:2")
    with parallel.use("processes:2"):
        assert pmap(_backend_inside, range(3), parallel=backend, show_progress=False) == ["serial"] * 3


@pytest.mark.parametrize("backend", ["serial", "processes:2"])
def test_a_failing_point_is_named(backend):
    with pytest.raises(
        PointFailed, match=r"signs: job 3 failed \(ValueError: three is not allowed\); the job was 3"
    ):
        pmap(_refuse_three, range(5), parallel=backend, desc="signs", show_progress=False)


@pytest.mark.slow
def test_dask_cluster_gives_the_serial_numbers(dask_backend):
    serial = _tiny_sweep("serial")
    on_dask = _tiny_sweep(dask_backend)
    for name in serial.keys():
        np.testing.assert_array_equal(serial[name], on_dask[name])
    with pytest.raises(PointFailed, match=r"job 3 failed \(ValueError: three is not allowed\)"):
        pmap(_refuse_three, range(5), parallel=dask_backend, show_progress=False)


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(dask_backend):
    import signal

    client = parallel.client(dask_backend)
    pids = client.run(os.getpid)  # worker address -> process id
    victim = sorted(pids.values())[0]

    def kill_soon():
        time.sleep(1.0)  # the sweep below takes about 3 s on two workers
        os.kill(victim, signal.SIGKILL)

    killer = threading.Thread(target=kill_soon)
    killer.start()
    jobs = [(x, 0.3) for x in range(20)]
    out = pmap(_square_after, jobs, parallel=dask_backend, show_progress=False)
    killer.join()
    assert out == [x * x for x in range(20)]
    assert victim not in client.run(os.getpid).values()  # it really died (its nanny started another)


def _same(a, b):
    for name in a.keys():
        if name != "seconds":  # wall time, the one thing allowed to differ
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.slow
def test_every_parallel_sweep_gives_the_serial_numbers_on_two_processes():
    from bioviz.fusion import training as fusion
    from bioviz.geometry import experiments as geometry
    from bioviz.primer import training as primer
    from bioviz.reservoir import experiments as reservoir

    def both(fn):
        return fn("serial"), fn("processes:2")

    _same(
        *both(lambda b: primer.depth_sweep(depths=(1,), surrogates={"fs": {}}, seeds=(0, 1), epochs=1, parallel=b))
    )
    _same(*both(lambda b: primer.snn_vs_ann(seeds=(0,), epochs=1, parallel=b)))
    _same(*both(lambda b: geometry.sigma_sweep((0.0, 1.0), eps_values=(0.1,), steps=2, eot=2, n=40, parallel=b)))
    r_serial, r_par = both(
        lambda b: reservoir.beta_sweep((-0.5, 0.0), modes=("static", "plastic"), n=40, steps=50, parallel=b)
    )
    for mode in ("static", "plastic"):
        np.testing.assert_array_equal(r_serial.mc[mode], r_par.mc[mode])
        np.testing.assert_array_equal(r_serial.nrmse[mode], r_par.nrmse[mode])
    from bioviz.swimmer import es

    budget = dict(iterations=2, population=4, episode_steps=40)
    e_serial, e_par = both(lambda b: es.train("ncap", **budget, parallel=b))
    assert e_serial.history == e_par.history and np.array_equal(e_serial.theta, e_par.theta)
    specs = fusion.grid(("base", "iemf"), (0.8,), seeds=(0, 1))
    f_serial, f_par = both(lambda b: fusion.train_runs(specs, epochs=2, parallel=b))
    assert [s for s in f_par.specs] == specs
    for name in ("test_acc", "k", "loss"):
        np.testing.assert_array_equal(getattr(f_serial, name), getattr(f_par, name))


def test_command_line_sweep_writes_a_file_the_report_loads(tmp_path):
    import subprocess

    from bioviz import sweeps

    out = tmp_path / "swimmer.npz"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bioviz.sweep",
            "swimmer",
            "--scale",
            "smoke",
            "--parallel",
            "processes:2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout
    loaded = sweeps.load(out)
    assert loaded.axes == {"seed": (0, 1), "period": (30, 60)} and loaded.settings["scale"] == "smoke"
    direct = experiments.sweep(
        "period", (30, 60), seeds=(0, 1), n_steps=60, parallel="serial", show_progress=False
    )
    _same(direct, loaded)
    bad = subprocess.run(
        [sys.executable, "-m", "bioviz.sweep", "swimmer", "--parallel", "threads"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "must start with one of" in bad.stderr
