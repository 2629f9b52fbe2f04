"""Unit tests of the shared core: validation, theme, plots, report, data, env."""

import hashlib
import warnings

import numpy as np
import pytest

from bioviz import data, plots, report, validation
from bioviz.env import EnvironmentWarning, check_env, known_problems
from bioviz.theme import COLORS, color, rgba


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: validation.check_positive("tau_ms", -1), "tau_ms must be > 0"),
        (lambda: validation.check_positive("tau_ms", 0), "tau_ms must be > 0"),
        (lambda: validation.check_positive("x", float("nan")), "x must be finite"),
        (lambda: validation.check_range("rho", 1.0, 0, 1, high_open=True), r"rho must lie in \[0, 1\)"),
        (lambda: validation.check_int("C", 0, low=1), "C must be >= 1"),
        (lambda: validation.check_int("C", 2.5), "C must be an integer"),
        (lambda: validation.check_int("C", True), "C must be an integer"),
        (lambda: validation.check_choice("mode", "x", ("a", "b")), "mode must be one of"),
        (lambda: validation.check_seed(-1), "seed must be >= 0"),
        (lambda: validation.check_number("gain", "3"), "gain must be a number"),
    ],
)
def test_validation_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_validation_passes_good_values():
    assert validation.check_positive("a", 0, allow_zero=True) == 0.0
    assert validation.check_range("a", 0.5, 0, 1) == 0.5
    assert validation.check_int("n", 3.0) == 3
    assert validation.check_choice("m", "b", ("a", "b")) == "b"


# -- theme --------------------------------------------------------------------------------------
def test_colors_are_fixed_and_stable():
    assert color("excitatory") != color("inhibitory")
    assert color("Excitatory") == COLORS["excitatory"]
    assert color("some new thing") == color("some new thing")
    assert rgba("#ff0000", 0.5) == "rgba(255,0,0,0.5)"


# -- plots --------------------------------------------------------------------------------------
def test_raster_stacks_populations_and_marks_events():
    pops = {
        "E": plots.Population([1.0, 2.0], [0, 3], size=4),
        "I": plots.Population([1.5], [1], size=2),
    }
    fig = plots.raster(pops, events=[(1.0, "learn")], t_max=5)
    e, i = fig.data[0], fig.data[1]
    assert list(e.y) == [0, 3]
    assert list(i.y) == [5]  # offset by the 4 E cells
    assert fig.layout.yaxis.ticktext == ("E", "I")
    assert any(t.name == "events" for t in fig.data)
    assert e.marker.color == color("E")


def test_population_rejects_bad_ids():
    with pytest.raises(ValueError, match="ids must lie in"):
        plots.Population([1.0], [5], size=3)
    with pytest.raises(ValueError, match="same length"):
        plots.Population([1.0, 2.0], [0], size=3)


def test_traces_threshold_and_spike_markers():
    t = np.linspace(0, 10, 11)
    fig = plots.traces(t, {"brian2": np.sin(t)}, threshold=0.5, spikes={"brian2": [2.0, 4.0]})
    names = [tr.name for tr in fig.data]
    assert names == ["brian2", "threshold", "brian2 spikes"]
    assert list(fig.data[2].y) == [0.5, 0.5]


def test_heatmap_diverging_is_centred():
    fig = plots.heatmap(np.array([[-2.0, 1.0], [0.5, 0.0]]), diverging=True)
    assert fig.data[0].zmid == 0 and fig.data[0].zmin == -2 and fig.data[0].zmax == 2
    with pytest.raises(ValueError, match="z must be 2-D"):
        plots.heatmap(np.zeros(3))


def test_curves_with_band():
    samples = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])
    b = plots.band(samples, kind="range")
    np.testing.assert_allclose(b.mean, [2, 3, 4])
    np.testing.assert_allclose(b.low, [1, 2, 3])
    fig = plots.curves(np.arange(3), {"iemf": b, "base": np.ones(3)})
    assert [tr.name for tr in fig.data] == ["iemf band", "iemf", "base"]
    assert fig.data[0].fill == "toself" and fig.data[0].mode == "lines"  # no vertex markers
    sd = plots.band(samples, kind="sd")
    np.testing.assert_allclose(sd.high - sd.mean, np.std(samples, axis=0, ddof=1))
    with pytest.raises(ValueError, match="kind must be one of"):
        plots.band(samples, kind="iqr")


def test_subplot_targeting():
    fig = plots.new_figure(1, 2)
    plots.curves([0, 1], {"a": [0, 1]}, fig=fig, row=1, col=2)
    assert fig.data[0].xaxis == "x2"


# -- report -------------------------------------------------------------------------------------
def test_comparison_verdicts():
    c = report.Comparison("t")
    c.add("a", reference=100.0, ours=104.0, rule="approx", tolerance=0.05, relative=True)
    c.add("b", reference=1.0, ours=1.5, rule="approx", tolerance=0.2)
    c.add("c", reference=0.9, ours=0.95, rule="at_least")
    c.add("d", reference=0.9, ours=0.85, rule="at_least")
    c.add("e", reference=0.5, ours=0.6, rule="at_most")
    c.add("f|g", reference="exact", ours="exact")
    assert [r["verdict"] for r in c.rows] == ["agrees", "differs", "meets", "falls short", "exceeds", "see note"]
    md = c.to_markdown()
    assert "| a | 100 ± 5 | 104 | agrees |" in md
    assert "| c | ≥ 0.9 | 0.95 | meets |" in md
    assert "| f\\|g |" in md  # a pipe in a cell is escaped
    c.add("h", reference=(13, 17), ours=12.0, rule="within")
    c.add("i", reference=(13, 17), ours=12.0, rule="within", tolerance=1.0)
    c.add("j", reference=True, ours=True, rule="equal")
    c.add("k", reference=[1, 2], ours=[1, 3], rule="equal")
    assert [r["verdict"] for r in c.rows[-4:]] == ["differs", "agrees", "agrees", "differs"]
    assert "| h | 13 to 17 | 12 | differs |" in c.to_markdown()
    with pytest.raises(ValueError, match="rule must be one of"):
        c.add("x", 1, 1, rule="close")


# -- data ---------------------------------------------------------------------------------------
def test_data_checksums(tmp_path):
    (tmp_path / "x.json").write_text('{"a": 1}')
    digest = hashlib.sha256(b'{"a": 1}').hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{digest}  x.json\n")
    assert data.load_json("x.json", tmp_path) == {"a": 1}
    assert data.verify(tmp_path) == []
    (tmp_path / "x.json").write_text('{"a": 2}')
    with pytest.raises(ValueError, match="checksum"):
        data.path("x.json", tmp_path)
    (tmp_path / "stray.csv").write_text("1")
    problems = data.verify(tmp_path)
    assert any("stray.csv: not listed" in p for p in problems)
    assert any("x.json: checksum mismatch" in p for p in problems)
    with pytest.raises(ValueError, match="not listed"):
        data.path("stray.csv", tmp_path)


def test_repository_data_folder_is_consistent():
    assert data.verify() == []


# -- env ----------------------------------------------------------------------------------------
def test_known_bad_combinations():
    assert known_problems({"brian2": "2.9.0", "numpy": "2.4.0"})
    assert not known_problems({"brian2": "2.9.0", "numpy": "2.3.5"})
    assert not known_problems({"brian2": "2.10.1", "numpy": "2.4.0"})
    assert known_problems({"dm_control": "1.0.50", "mujoco": "4.0.0"})
    assert not known_problems({"dm_control": "1.0.50", "mujoco": "3.17.0"})


def test_check_env_reports_and_installed_set_is_good(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error", EnvironmentWarning)
        versions = check_env()
    out = capsys.readouterr().out
    assert "brian2" in out and versions["torch"].startswith("2.")
    assert versions["numpy"] is not None


# -- runtime ------------------------------------------------------------------------------------
def test_progress_is_text_on_stdout_and_quiet_when_nested(capsys):
    from bioviz.runtime import progress

    for _ in progress(range(2), desc="outer"):
        for _ in progress(range(3), desc="inner"):
            pass
    captured = capsys.readouterr()
    assert "outer" in captured.out and "2/2" in captured.out
    assert "inner" not in captured.out and "\x1b" not in captured.out  # no cursor codes
    assert captured.err == ""


def test_blas_threads_limits_and_restores():
    from threadpoolctl import threadpool_info

    from bioviz.runtime import blas_threads

    def blas_counts():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    before = blas_counts()
    with blas_threads(1):
        assert all(n == 1 for n in blas_counts())
    assert blas_counts() == before


# -- the digits loader ----------------------------------------------------------------------------
@pytest.mark.parametrize("split", sorted(data.DIGIT_SPLITS))
def test_digit_splits_partition_the_set_stratified(split):
    X, y = data.digits()
    Xtr, Xte, ytr, yte = data.digits(split)
    assert len(Xtr) + len(Xte) == len(X) == 1797 and Xtr.dtype == np.float32
    assert 0.0 <= Xtr.min() and Xtr.max() == 1.0
    # the two parts are the whole set, each digit once (rows matched with their labels)
    rows = np.concatenate([np.c_[Xtr, ytr], np.c_[Xte, yte]])
    np.testing.assert_array_equal(np.unique(rows, axis=0), np.unique(np.c_[X, y], axis=0))
    # stratified: every class's share of the test set within 1 digit of the whole set's share
    expected = np.bincount(y) * len(yte) / len(y)
    assert np.abs(np.bincount(yte, minlength=10) - expected).max() <= 1.0
    assert data.digits(split)[1] is Xte  # loaded once, shared


def test_digits_reject_an_unknown_split_and_are_read_only():
    with pytest.raises(ValueError, match="split must be None or one of"):
        data.digits("test20")
    with pytest.raises(ValueError, match="read-only"):
        data.digits()[0][0, 0] = 1.0


# -- conventions ----------------------------------------------------------------------------------
def _public_functions():
    import importlib
    import inspect
    import pkgutil

    import bioviz

    for mod in pkgutil.walk_packages(bioviz.__path__, "bioviz."):
        module = importlib.import_module(mod.name)
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == mod.name and not name.startswith("_"):
                yield f"{mod.name}.{name}", inspect.signature(fn)


def test_one_progress_keyword_with_one_default():
    """Anything slow shows a bar unless told not to: ``show_progress=True``, never another name."""
    seen = 0
    for where, sig in _public_functions():
        for p in sig.parameters.values():
            if p.name in ("progress", "pbar", "show_bar", "progress_bar"):
                raise AssertionError(f"{where}: progress keyword {p.name!r}; use show_progress")
            if p.name == "show_progress":
                seen += 1
                assert p.default is True, f"{where}: show_progress defaults to {p.default!r}"
    assert seen >= 10


def test_every_colour_named_in_the_package_is_registered():
    """A colour looked up by a literal name (``color("iemf")``) must be registered, by the theme
    or by its subpackage (register_colors), not fall back silently to the cycle."""
    import importlib
    import pkgutil
    import re
    from pathlib import Path

    import bioviz

    for mod in pkgutil.walk_packages(bioviz.__path__, "bioviz."):
        importlib.import_module(mod.name)
    root = Path(bioviz.__file__).parent
    names = {n for p in root.rglob("*.py") for n in re.findall(r'\bcolor\("([^"]+)"\)', p.read_text())}
    names.discard("doc-only")  # the doctest of register_colors
    assert len(names) >= 15
    assert not [n for n in names if n.lower() not in COLORS]
