"""The swim task, the fast physics path, and parameter validation (notebook 05)."""

import numpy as np
import pytest
from dm_control import suite
from dm_control.utils import rewards

from bioviz.swimmer import task
from bioviz.swimmer.explorers import BodyExplorer, SwimmerExplorer
from bioviz.swimmer.ncap import NCAP, NCAPController
from bioviz.swimmer.rollout import ncap, rollout, wave_lags


def test_swim_is_registered_with_the_spec_observation():
    env = suite.load("swimmer", "swim", task_kwargs=dict(n_links=6, random=0))
    step = env.reset()
    assert set(step.observation) == {"joints", "body_velocities"}
    assert sum(v.size for v in step.observation.values()) == task.observation_size(6) == 23
    assert env.action_spec().shape == (5,)
    assert env.control_timestep() == pytest.approx(0.03)
    assert env.physics.timestep() == pytest.approx(0.002)


def test_full_episode_is_1000_steps():
    env = task.make_env(6, seed=0)
    step, n = env.reset(), 0
    while not step.last():
        step = env.step(np.zeros(5))
        n += 1
    assert n == task.EPISODE_STEPS


@pytest.mark.parametrize("n_links", [3, 6, 9])
def test_fast_path_reproduces_the_environment_exactly(n_links):
    ctrl = ncap(n_links=n_links)
    env = task.make_env(n_links, seed=3, n_steps=60)
    step, t, rew = env.reset(), 0, []
    while not step.last():
        step = env.step(ctrl.torques(step.observation["joints"], t))
        rew.append(step.reward)
        t += 1
    r = rollout(ctrl, n_links=n_links, n_steps=60, seed=3)
    np.testing.assert_allclose(r.reward, rew, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(r.qpos[-1], env.physics.data.qpos)
    np.testing.assert_allclose(r.nose[-1], env.physics.named.data.geom_xpos["nose", :2], atol=1e-12)
    np.testing.assert_allclose(r.xpos[-1], env.physics.data.xpos[1:, :2], atol=1e-12)


def test_reward_is_the_spec_tolerance():
    for v in np.linspace(-0.2, 0.3, 51):
        expected = rewards.tolerance(
            v, bounds=(0.1, float("inf")), margin=0.1, value_at_margin=0.0, sigmoid="linear"
        )
        assert task.swim_reward(v) == pytest.approx(float(expected), abs=1e-12)


def test_reset_is_seeded():
    a, b = task.Body(6), task.Body(6)
    a.reset(5)
    b.reset(5)
    np.testing.assert_array_equal(a.data.qpos, b.data.qpos)
    b.reset(6)
    assert not np.array_equal(a.data.qpos, b.data.qpos)
    lim = task.joint_limit(6)
    assert np.all(np.abs(a.joints()) <= lim)


def test_body_outline_is_a_connected_chain():
    r = rollout(ncap(), n_steps=100, seed=1)
    seg = np.diff(r.outline, axis=1)
    np.testing.assert_allclose(np.hypot(seg[..., 0], seg[..., 1]), task.LINK_LENGTH, atol=1e-9)
    # link centres are the midpoints of consecutive outline points
    np.testing.assert_allclose((r.outline[:, :-1] + r.outline[:, 1:]) / 2, r.xpos, atol=1e-9)


def test_time_step_is_explicit_and_outputs_depend_only_on_inputs():
    import torch

    net = NCAP(5)
    q = torch.zeros(1, 5)
    first = net(q, torch.tensor([0]))
    for _ in range(3):  # no hidden counter: the same inputs give the same output
        assert torch.equal(net(q, torch.tensor([0])), first)
    assert net(q, torch.tensor([30]))[0, 0] == -first[0, 0]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: task.Body(2), "n_links"),
        (lambda: task.make_env(n_links=1), "n_links"),
        (lambda: rollout(ncap(), n_links=2), "n_links"),
        (lambda: ncap(n_links=2), "n_links"),
        (lambda: ncap(period=1), "period"),
        (lambda: NCAPController.shared(period=0), "period"),
        (lambda: NCAP(5, period=1), "period"),
        (lambda: rollout(ncap(), n_steps=0), "n_steps"),
        (lambda: rollout(ncap(), n_steps=-5), "n_steps"),
        (lambda: task.make_env(n_steps=0), "n_steps"),
        (lambda: SwimmerExplorer().simulate({**SwimmerExplorer().defaults(), "n_links": 2}, 0), "n_links"),
        (lambda: SwimmerExplorer().simulate({**SwimmerExplorer().defaults(), "period": 1}, 0), "period"),
        (lambda: BodyExplorer().simulate({**BodyExplorer().defaults(), "n_steps": 0}, 0), "n_steps"),
        (lambda: SwimmerExplorer().params(n_steps=0), "n_steps"),
        (lambda: NCAP(5, init="gaussian"), "init"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        call()


def test_wave_lag_of_a_still_body_is_undefined():
    r = rollout(ncap(1, 1, 1, 1, sign_constraints=False), n_steps=300, seed=0)
    assert np.isnan(wave_lags(r)).all()
