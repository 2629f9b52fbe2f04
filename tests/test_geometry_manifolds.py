"""Manifold measures of notebook 03: MFTMA anchors, companions, bad input (spec 03 checks)."""

import numpy as np
import pytest

from bioviz.geometry import manifolds as mf
from bioviz.geometry.paper import PAPER


def _points(P=20, N=64, M=8, seed=0):
    rng = np.random.default_rng(seed)
    return [np.tile(rng.standard_normal(N), (M, 1)) for _ in range(P)]


@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0])
def test_points_have_cover_and_gardner_capacity(kappa):
    # measured (n_t = 2000, seeds 0-3): within 0.6 % of Gardner's value; 2 at kappa = 0
    res = mf.mftma(_points(), kappa, n_t=2000, seed=0)
    assert res.capacity == pytest.approx(mf.points_capacity(kappa), rel=0.03)
    assert res.radius < 1e-12 and res.dimension < 1e-12
    assert mf.points_capacity(0.0) == 2.0


@pytest.mark.slow
def test_readme_random_data_example():
    # what the replicaMFT README prints is in the registry (its dimension comes with a K = 1
    # centre-correlation step, which we skip). Measured over seeds 0-3: capacity 0.0400-0.0401,
    # radius 1.4705-1.475, dimension 36.03-36.08.
    r = mf.readme_example(seed=0)
    assert r.capacity == pytest.approx(PAPER["mftma_readme_capacity"], abs=0.002)
    assert r.radius == pytest.approx(PAPER["mftma_readme_radius"], abs=0.02)
    assert r.dimension == pytest.approx(PAPER["mftma_readme_dimension"], abs=0.5)
    assert r.ball_capacity == pytest.approx(r.capacity, rel=0.05)  # R sqrt(D) = 8.8 >> 1


def test_mftma_is_deterministic_and_validates():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 10, 30)) + 3 * rng.standard_normal((6, 1, 30))
    a, b = mf.mftma(X, n_t=50, seed=4), mf.mftma(list(X), n_t=50, seed=4)
    assert a.capacity == b.capacity and np.array_equal(a.radii, b.radii)
    assert a.capacity == pytest.approx(1 / np.mean(1 / a.capacities))
    assert mf.mftma(X, n_t=50, seed=5).capacity != a.capacity
    # bigger manifolds (same centres) are harder to separate
    wide = X.mean(axis=1, keepdims=True) + 3 * (X - X.mean(axis=1, keepdims=True))
    assert mf.mftma(wide, n_t=200, seed=0).capacity < mf.mftma(X, n_t=200, seed=0).capacity


def test_participation_ratio_and_evd():
    rng = np.random.default_rng(0)
    # isotropic d-dimensional data: PR ~ d (measured 19.9 for d = 20, n = 5000)
    assert mf.participation_ratio(rng.standard_normal((5000, 20))) == pytest.approx(20, rel=0.05)
    line = np.outer(rng.standard_normal(100), rng.standard_normal(8))
    assert mf.participation_ratio(line) == pytest.approx(1.0)
    assert mf.evd(rng.standard_normal((5000, 10)), 0.9) == 9
    assert mf.evd(line) == 1
    assert mf.participation_ratio(np.ones((5, 3))) == 0.0


def test_plain_radius_overlap_and_displacement():
    c = np.array([[0.0, 0.0], [10.0, 0.0]])
    ring = np.array([[1.0, 0], [-1, 0], [0, 1], [0, -1]])
    X = [c[0] + ring, c[1] + ring]  # centres 5 from the global mean, RMS spread 1
    assert mf.plain_radius(X) == pytest.approx(0.2)
    clean = [c[0] + ring, c[1] + ring]
    adv = [c[0] + ring + [0.5, 0], c[1] + ring + [2.0, 0]]
    # clean variance (ddof = 1): 2/3 per axis, 4/3 in all; floor (4/3)/4 + (4/3)/4 = 2/3
    assert mf.overlap_ratio(clean, adv, corrected=False) == pytest.approx(
        np.sqrt(np.mean([0.5**2, 2.0**2]) / (4 / 3))
    )
    assert mf.overlap_ratio(clean, adv) == pytest.approx(
        np.sqrt(np.mean([0.5**2 - 2 / 3, 2.0**2 - 2 / 3]) / (4 / 3))
    )
    assert mf.overlap_floor(clean, adv) == pytest.approx(np.sqrt(0.5))
    # a shift smaller than the floor everywhere: the corrected ratio clips at 0
    assert mf.overlap_ratio(clean, [c[0] + ring + [0.1, 0], c[1] + ring]) == 0.0
    assert mf.displacement([c[0][None], c[1][None]], adv) == pytest.approx(
        np.mean([np.sqrt(np.mean(np.sum((a - cc) ** 2, 1))) / 5 for a, cc in zip(adv, c, strict=True)])
    )


@pytest.mark.parametrize("seed", range(5))
def test_overlap_ratio_floor_and_correction(seed):
    # P = 16 Gaussian clouds of M = 16 points in 50 dimensions. Measured over seeds 0-4: with no
    # attack (a second clean cloud) raw 0.344-0.364, floor 0.352-0.356 (sqrt(2/16) = 0.354),
    # corrected 0-0.091; a true shift of 0.5 s_c gives corrected 0.478-0.527.
    rng = np.random.default_rng(seed)
    clean, same = rng.standard_normal((16, 16, 50)), rng.standard_normal((16, 16, 50))
    assert mf.overlap_ratio(clean, same, corrected=False) == pytest.approx(np.sqrt(2 / 16), abs=0.03)
    assert mf.overlap_floor(clean, same) == pytest.approx(np.sqrt(2 / 16), abs=0.01)
    assert mf.overlap_ratio(clean, same) < 0.15
    shifted = same + 0.5 * np.sqrt(50) * np.eye(50)[0]
    assert mf.overlap_ratio(clean, shifted) == pytest.approx(0.5, abs=0.06)
    assert mf.overlap_ratio(clean, shifted, corrected=False) > mf.overlap_ratio(clean, shifted)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: mf.mftma([]), "manifolds must hold at least 2"),
        (lambda: mf.mftma([np.ones((3, 4))]), "manifolds must hold at least 2"),
        (lambda: mf.mftma([np.ones((3, 4)), np.zeros((0, 4))]), r"manifolds\[1\] must hold at least 1 point"),
        (lambda: mf.mftma([np.ones((3, 4)), np.ones((3, 5))]), r"manifolds\[1\] has 5 features"),
        (lambda: mf.mftma([np.ones((3, 4)), np.full((3, 4), np.nan)]), "NaN"),
        (lambda: mf.mftma([np.ones((3, 4)), np.ones((3, 4))]), "centre at the global mean"),
        (lambda: mf.mftma(_points(), kappa=-1), "kappa must be >= 0"),
        (lambda: mf.mftma(_points(), n_t=0), "n_t must be >= 1"),
        (lambda: mf.mftma(np.ones((3, 4))), r"\(P, M, N\) array"),
        (lambda: mf.participation_ratio(np.ones((1, 4))), "at least 2 points"),
        (lambda: mf.evd(np.eye(3), 1.5), "fraction must lie in"),
        (lambda: mf.plain_radius([np.ones((3, 2))]), "at least 2 manifold"),
        (lambda: mf.overlap_ratio([np.ones((3, 2))], [np.ones((3, 2))]), "zero spread"),
        (lambda: mf.overlap_ratio([np.eye(2)], [np.eye(2), np.eye(2)]), "adversarial must match"),
        (lambda: mf.overlap_ratio([np.ones((1, 2))], [np.ones((1, 2))]), "at least 2 point"),
        (lambda: mf.overlap_ratio([np.eye(2)], [np.ones((1, 2))]), r"adversarial\[0\] must hold at least 2"),
    ],
)
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("delta", [1.0, 2.0, 3.0])
def test_separability_recovers_a_known_dprime(delta):
    from scipy.stats import norm

    rng = np.random.default_rng(int(delta))
    a, b = rng.normal(size=(1000, 30)), rng.normal(size=(1000, 30))
    b[:, 3] += delta  # the shift lies along one axis; unit spread along it: d' = delta
    s = mf.separability(a, b)
    assert abs(s.dprime - delta) < 0.15 * delta
    assert abs(s.decoder_accuracy - norm.cdf(delta / 2)) < 0.05  # the Bayes-optimal accuracy


def test_separability_of_two_samples_of_one_cloud_is_chance():
    rng = np.random.default_rng(7)
    s = mf.separability(rng.normal(size=(200, 30)), rng.normal(size=(200, 30)))
    assert abs(s.dprime) < 0.3 and abs(s.decoder_accuracy - 0.5) < 0.08


def test_separability_does_not_grow_with_noise_dimensions_as_the_ratio_does():
    # the same shift, with noise filling 10 or 200 dimensions: the overlap ratio (shift over the
    # cloud's radius) falls ~4.5x, d' (along the shift) stays, given enough points to find the
    # direction (with few points in many dimensions it is a lower bound)
    rng = np.random.default_rng(3)
    out = {}
    for n in (10, 200):
        a, b = rng.normal(size=(2000, n)), rng.normal(size=(2000, n))
        b[:, 0] += 1.5
        out[n] = (mf.overlap_ratio([a], [b]), mf.separability(a, b).dprime)
    assert out[200][0] < out[10][0] / 3
    assert abs(out[200][1] - out[10][1]) < 0.3


def test_separability_refuses_bad_clouds():
    with pytest.raises(ValueError, match="same N"):
        mf.separability(np.zeros((10, 3)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="at least 4"):
        mf.separability(np.zeros((3, 3)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match="finite"):
        mf.separability(np.full((10, 3), np.nan), np.zeros((10, 3)))


def test_separable_fraction_follows_covers_formula_for_points_and_falls_with_radius():
    from bioviz.geometry.manifolds import capacity_curves, cover_fraction, separable_fraction

    assert cover_fraction(20, 10) == 0.5 and cover_fraction(10, 10) == 1.0 and cover_fraction(40, 10) < 0.001
    # points: the direct test agrees with Cover's count (120 dichotomies: standard error <= 0.046)
    for P in (14, 20, 26):
        assert abs(separable_fraction(P, 10, trials=120, seed=P) - cover_fraction(P, 10)) < 0.12
    curves = capacity_curves(10, (8, 12, 16), (0.0, 0.3), trials=40, show_progress=False)
    pts, wide = curves["fractions"][0.0], curves["fractions"][0.3]
    assert np.all(wide <= pts + 0.05) and wide[-1] < pts[-1] - 0.3  # extended manifolds lose capacity
    with pytest.raises(ValueError):
        separable_fraction(0, 10)
