"""The shared sweep result type."""

import numpy as np
import pytest

from bioviz.sweeps import SweepResult, grid_points

AXES = {"seed": (0, 1, 2), "sigma": (0.0, 0.5, 1.0), "gated": (False, True)}


def _result():
    pts = grid_points(AXES)
    # a value that encodes its own coordinates, and one with a trailing dimension
    points = [
        dict(code=100 * p["seed"] + 10 * p["sigma"] + p["gated"], curve=[p["seed"], -p["seed"]]) for p in pts
    ]
    return SweepResult.from_points(
        AXES, points, runs=[f"run{i}" for i in range(len(pts))], settings=dict(eps=(0.1,))
    )


def test_from_points_places_every_point_at_its_coordinates():
    r = _result()
    assert r.shape == (3, 3, 2) and r.dims == ("seed", "sigma", "gated")
    assert r["curve"].shape == (3, 3, 2, 2)
    for p in r.points():
        i = tuple(r.index(a, p[a]) for a in r.dims)
        assert r["code"][i] == 100 * p["seed"] + 10 * p["sigma"] + p["gated"]
    assert r.run(seed=2, sigma=1.0, gated=True) == "run17"  # the last point
    assert r["sigma"].tolist() == [0.0, 0.5, 1.0]


def test_sel_and_at_pick_coordinates_and_keep_runs_aligned():
    r = _result()
    s = r.sel(sigma=0.5, gated=True)
    assert s.dims == ("seed",)
    np.testing.assert_array_equal(s["code"], [6, 106, 206])
    assert s.run(seed=1) == r.run(seed=1, sigma=0.5, gated=True)
    assert r.at(seed=1, sigma=1.0, gated=False)["code"] == 110
    assert r.sel(sigma=0.1 + 0.4)["code"].shape == (3, 2)  # float coordinates within 1e-9
    assert r.sel(gated=False).settings == {"eps": (0.1,)}


def test_reductions_over_seeds_and_summary_rows():
    r = _result()
    np.testing.assert_allclose(r.mean("code")[:, 0], [100, 105, 110])
    np.testing.assert_allclose(r.min("code", over=("seed", "gated")), [0, 5, 10])
    np.testing.assert_allclose(r.max("curve")[0, 0], [2, 0])
    rows = r.summary("code")
    assert len(rows) == 6
    assert rows[3] == dict(sigma=0.5, gated=True, mean=106.0, min=6.0, max=206.0, n=3)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: SweepResult({"seed": (0, 1)}, {"x": [1, 2, 3]}), "leading dimensions must be the grid's"),
        (lambda: SweepResult({}, {}), "non-empty mapping"),
        (lambda: SweepResult({"seed": ()}, {}), "has no coordinates"),
        (lambda: SweepResult({"seed": (0,)}, {"seed": [1]}), "name of an axis"),
        (lambda: SweepResult.from_points({"seed": (0, 1)}, [dict(x=1)]), "got 1 points for a grid of 2"),
        (lambda: SweepResult.from_points({"seed": (0, 1)}, [dict(x=1), dict(y=1)]), "same keys|keys"),
        (lambda: _result()["nope"], "neither a value"),
        (lambda: _result().sel(sigma=0.7), "not on axis 'sigma'"),
        (lambda: _result().sel(seed=0, sigma=0.0, gated=True), "use at()"),
        (lambda: _result().run(seed=0), "every axis"),
        (lambda: _result().mean("code", over="depth"), "no axis 'depth'"),
        (lambda: _result().summary("curve"), "not one number per grid point"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises((ValueError, KeyError), match=message):
        call()


def test_booleans_are_not_numbers_on_an_axis():
    r = SweepResult({"flag": (0, True)}, {"x": [1, 2]})
    assert r.index("flag", True) == 1 and r.index("flag", 0) == 0
    with pytest.raises(ValueError, match="not on axis"):
        r.index("flag", False)


def test_depth_figure_draws_each_model_mean_and_range_over_seeds():
    from bioviz.primer import figures

    axes = {"seed": (0, 1), "depth": (1, 2), "model": ("fs", "ANN")}
    acc = np.array([[[0.9, 0.95], [0.5, 0.94]], [[0.8, 0.93], [0.3, 0.92]]])
    fig = figures.depth_figure(SweepResult(axes, {"test_acc": acc}))
    mean = {t.name: list(t.y) for t in fig.data if t.name in ("fs", "ANN")}
    np.testing.assert_allclose(mean["fs"], [0.85, 0.4])
    np.testing.assert_allclose(mean["ANN"], [0.94, 0.93])
    assert list(fig.layout.xaxis.tickvals) == [1, 2]


def test_save_and_load_keep_values_axes_and_settings(tmp_path):
    from bioviz import sweeps

    r = _result()
    path = sweeps.save(r, tmp_path / "sub" / "r.npz")
    back = sweeps.load(path)
    assert back.axes == r.axes and back.settings == {"eps": [0.1]} and back.runs == {}
    for name in r.keys():
        np.testing.assert_array_equal(back[name], r[name])
    pattern = SweepResult({"pattern": ((1, -1), (-1, 1))}, {"x": [1.0, 2.0]})
    assert sweeps.load(sweeps.save(pattern, tmp_path / "p.npz")).axes == pattern.axes  # tuples stay tuples
    with pytest.raises(ValueError, match=".npz"):
        sweeps.save(r, tmp_path / "r.json")
    np.savez(tmp_path / "other.npz", x=np.arange(3))
    with pytest.raises(ValueError, match="not a saved sweep"):
        sweeps.load(tmp_path / "other.npz")
