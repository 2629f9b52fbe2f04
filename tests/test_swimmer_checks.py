"""The spec's checks 1-7 for notebook 05 (bounds with margin beyond the worst measured seed).

Measured ranges (seeds 0-9, 6 links unless stated) are in the comments.
"""

import numpy as np
import pytest

from bioviz.swimmer import es
from bioviz.swimmer.ncap import MLP, MLPController
from bioviz.swimmer.rollout import joint_posture, ncap, rollout, wave_lags

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def at_init():
    return [rollout(ncap(), n_steps=1000, seed=s) for s in SEEDS]


@pytest.fixture(scope="module")
def swapped():
    # muscle signs swapped: ipsi inhibitory, contra excitatory (+, +, -, +)
    return [rollout(ncap(1, 1, -1, 1, sign_constraints=False), n_steps=1000, seed=s) for s in SEEDS]


def test_1_ncap_swims_at_initialisation(at_init):
    # measured: return 790-807, displacement 2.14-2.21 m, mean speed 0.081-0.083 m/s
    for r in at_init:
        assert r.return_ > 650
        assert r.displacement > 1.5
        assert r.mean_speed > 0.06
    # measured at 300 steps: return 213-230, displacement 0.57-0.64 m
    for s in SEEDS:
        r = rollout(ncap(), n_steps=300, seed=s)
        assert r.return_ > 170
        assert r.displacement > 0.4


def test_2_swapped_muscle_signs_swim_backwards(swapped):
    # measured: mean speed -0.079 to -0.073 m/s, return 6-16
    for r in swapped:
        assert r.mean_speed < -0.04
        assert r.return_ < 60


def test_3_ipsi_equal_to_contra_gives_no_torque():
    # measured: return exactly 0, displacement exactly 0 (every seed)
    for s in SEEDS:
        r = rollout(ncap(1, 1, 1, 1, sign_constraints=False), n_steps=1000, seed=s)
        assert r.return_ == 0.0
        assert r.displacement < 1e-9
        assert np.all(r.action == 0.0)


def test_4_without_proprioception_or_with_a_fast_clock_it_barely_swims():
    # measured: prop = 0 return 123-137; period 10 return 42-100
    for s in SEEDS:
        assert rollout(ncap(prop=0.0), n_steps=1000, seed=s).return_ < 250
        fast = rollout(ncap(period=10), n_steps=1000, seed=s)
        assert fast.return_ < 150
        # measured (seeds 0-2): the head joint swings by 0.14 rad (std) at period 10, 0.83 at 60
        assert joint_posture(fast)["swing"][0] < 0.3


def test_the_reward_pays_a_wagging_head():
    # the reward is the clipped instantaneous head speed: without proprioception only the head
    # wags, the swimmer makes no forward progress, yet the return is far from 0.
    # measured (seeds 0-9): return 123-137, mean speed -0.013 to -0.007 m/s
    for s in SEEDS:
        r = rollout(ncap(prop=0.0), n_steps=1000, seed=s)
        assert r.return_ > 90
        assert r.mean_speed < 0.005
        # a negative proprioceptive weight silences the B-neurons: the same episode as prop = 0
        neg = rollout(ncap(1, -1, 1, -1, sign_constraints=False), n_steps=1000, seed=s)
        assert np.array_equal(neg.qpos, r.qpos)


def test_contralateral_inhibition_is_inert_and_excitation_hurts():
    # measured (seeds 0-9, 300 steps): contra 0 and -2 give the episode of contra = -1 exactly;
    # contra = +0.5 returns 122-138 against 213-230 at init
    for s in SEEDS:
        ref = rollout(ncap(), n_steps=300, seed=s)
        for contra in (0.0, -2.0):
            r = rollout(ncap(contra=contra, sign_constraints=False), n_steps=300, seed=s)
            assert np.array_equal(r.qpos, ref.qpos)
        half = rollout(ncap(contra=0.5, sign_constraints=False), n_steps=300, seed=s)
        assert 90 < half.return_ < 170 < ref.return_


def test_5_travelling_wave_lags(at_init, swapped):
    # measured: mean adjacent lag 16.75 steps (of 60) at init; 46.0-47.75 when swapped
    for r in at_init:
        assert 5 < wave_lags(r).mean() < 25
    for r in swapped:
        assert 35 < wave_lags(r).mean() < 55


def test_6_zero_shot_transfer_to_12_links():
    # measured: return 900-914 with the same four weights; mean speed 0.1062-0.1065 m/s, above
    # the 0.1 m/s at which every step earns the full reward (the return saturates there)
    for s in SEEDS:
        r = rollout(ncap(n_links=12), n_links=12, n_steps=1000, seed=s)
        assert r.return_ > 750
        assert r.mean_speed > 0.1


def test_three_links_earn_reward_without_much_progress():
    # measured (seeds 0-9): return 288-292 (36 % of the 6-link return) at a mean speed of only
    # 0.009-0.011 m/s (the 6-link body: 0.081-0.083)
    for s in SEEDS:
        r = rollout(ncap(n_links=3), n_links=3, n_steps=1000, seed=s)
        assert r.return_ > 250
        assert r.mean_speed < 0.02


def test_7a_random_mlp_does_not_swim():
    # measured over seeds 0-9 (weights and pose): 0-102, mean 19.7 (seed 5 reaches 102: the
    # spec's "< 100" holds for the mean, not for every seed)
    returns = [rollout(MLPController(MLP(23, 5, seed=s)), n_steps=1000, seed=s).return_ for s in range(10)]
    assert np.mean(returns) < 60
    assert max(returns) < 150


@pytest.mark.slow
def test_7b_ncap_at_init_beats_the_trained_mlp_under_the_same_budget():
    # measured: NCAP at constant init 143 on the held-out poses; MLP after ES (its tuned step
    # sizes) 57-80 over seeds 0-2, 51-79 over seeds 3-5
    budget = dict(iterations=10, population=8, episode_steps=200)
    mlp = es.train("mlp", seed=0, **budget)
    ncap_init = np.mean([rollout(ncap(), n_steps=200, seed=s).return_ for s in (100, 101)])
    assert mlp.budget_steps == 16_000
    assert mlp.n_params == 6021
    assert ncap_init > mlp.final_return


def test_es_is_seeded_and_counts_its_budget():
    a = es.train("ncap", seed=1, iterations=2, population=4, episode_steps=50, eval_seeds=(100,))
    b = es.train("ncap", seed=1, iterations=2, population=4, episode_steps=50, eval_seeds=(100,))
    assert a.history == b.history and np.array_equal(a.theta, b.theta)
    assert a.budget_steps == a.history["steps"][-1] == 2 * 4 * 50
    assert not np.array_equal(a.theta, a.theta0)
    with pytest.raises(ValueError, match="^population"):
        es.train("ncap", population=3)
