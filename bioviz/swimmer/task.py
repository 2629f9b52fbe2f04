"""The "swim" task on dm_control's n-link swimmer, and a fast physics-only stepper.

The body
--------
``dm_control.suite.swimmer.get_model_and_assets(n_links)`` builds a planar chain of
``n_links`` capsules of 0.1 m joined by ``n_links - 1`` hinge joints, each limited to
:math:`\\pm 2\\pi / n_\\text{links}` and driven by a motor whose action lies in [-1, 1]. The head
floats in a viscous fluid (MuJoCo's inertia-based drag, no contacts). Physics steps of
0.002 s; the controller acts every 0.03 s (15 physics steps), so 1000 control steps are 30 s.

The task
--------
The stock swimmer is rewarded for reaching a target. The paper's "swim" task has no target:
the reward per control step is the forward speed of the head, :math:`v = -v_y^\\text{head}`
(the nose points along the head's local :math:`-y`), measured against 0.1 m/s,

.. math:: r = \\operatorname{clip}(v / 0.1\\,\\text{m/s},\\ 0,\\ 1),

which is ``dm_control.utils.rewards.tolerance(v, bounds=(0.1, inf), margin=0.1,
sigmoid="linear", value_at_margin=0)``. The best return of a 1000-step episode is 1000.
Observations are the joint angles and the body velocities (x, y, angular z of every link):
``(n_links - 1) + 3 n_links`` values, 23 for 6 links.

An episode starts from a random pose (every joint uniform within its limits, the heading
uniform in [-pi, pi)), drawn from ``numpy.random.RandomState(seed)`` exactly as the suite
does, so :class:`Body` and the suite environment give the same episode for the same seed.

Example
-------
>>> env = make_env(n_links=6, seed=0)
>>> step = env.reset()
>>> sorted(step.observation), observation_size(6)
(['body_velocities', 'joints'], 23)
>>> body = Body(6)
>>> body.reset(seed=0)
>>> body.step([0.0] * 5)          # no torque: the body stays still
>>> abs(body.forward_speed()) < 1e-12
True
"""

from __future__ import annotations

import collections
import functools
import math
import os

import numpy as np

from bioviz.validation import check_int, check_seed

os.environ.setdefault("MUJOCO_GL", "disable")

import mujoco  # noqa: E402
from dm_control.rl import control  # noqa: E402
from dm_control.suite import base  # noqa: E402
from dm_control.suite import swimmer as dm_swimmer  # noqa: E402
from dm_control.suite.utils import randomizers  # noqa: E402
from dm_control.utils import rewards  # noqa: E402

__all__ = [
    "LINK_LENGTH",
    "PHYSICS_DT",
    "CONTROL_DT",
    "N_SUB_STEPS",
    "TARGET_SPEED",
    "EPISODE_STEPS",
    "check_n_links",
    "check_n_steps",
    "joint_limit",
    "observation_size",
    "swim_reward",
    "Swim",
    "swim",
    "make_env",
    "Body",
    "body",
]

#: Length of one link (m).
LINK_LENGTH = 0.1
#: Physics time step (s).
PHYSICS_DT = 0.002
#: Control time step (s): the controller acts every 15 physics steps.
CONTROL_DT = 0.03
#: Physics steps per control step.
N_SUB_STEPS = round(CONTROL_DT / PHYSICS_DT)
#: Speed at which the reward saturates (m/s).
TARGET_SPEED = 0.1
#: Control steps of a full 30 s episode.
EPISODE_STEPS = 1000

# sensordata layout of the swimmer (see swimmer.xml and _make_model): nose_pos, target_pos,
# head_xaxis, head_yaxis (3 each), then head_vel (velocimeter) and head_gyro, then a
# velocimeter and a gyro per joint.
_BODY_VEL_START = 12
_HEAD_VEL_Y = 13


def check_n_links(n_links) -> int:
    """``n_links`` must be an integer from 3 (dm_control's swimmer needs three bodies) to 100."""
    return check_int("n_links", n_links, low=3, high=100)


def check_n_steps(n_steps, name: str = "n_steps") -> int:
    """An episode length in control steps: an integer from 1 to 100,000 (100 episodes)."""
    return check_int(name, n_steps, low=1, high=100_000)


def joint_limit(n_links: int) -> float:
    """Range of every joint (rad): :math:`2\\pi / n_\\text{links}` (60 degrees for 6 links)."""
    return 2.0 * math.pi / check_n_links(n_links)


def observation_size(n_links: int) -> int:
    """Joint angles plus (vx, vy, wz) of every link: ``(n_links - 1) + 3 n_links``."""
    n_links = check_n_links(n_links)
    return (n_links - 1) + 3 * n_links


def swim_reward(forward_speed: float) -> float:
    """Reward of one control step: ``clip(forward_speed / 0.1, 0, 1)`` (plain floats).

    Equal to dm_control's ``rewards.tolerance(v, bounds=(0.1, inf), margin=0.1,
    sigmoid="linear", value_at_margin=0)``, without its numpy overhead.

    >>> swim_reward(0.05), swim_reward(0.2), swim_reward(-0.1)
    (0.5, 1.0, 0.0)
    """
    r = forward_speed / TARGET_SPEED
    return 1.0 if r >= 1.0 else (r if r > 0.0 else 0.0)


# --------------------------------------------------------------------------------------------
# the dm_control task


class Swim(dm_swimmer.Swimmer):
    """dm_control task: swim forward as fast as possible (no target).

    Observation: ``joints`` (n_links - 1) and ``body_velocities`` (3 n_links). Reward: forward
    head speed against 0.1 m/s, see :func:`swim_reward`.
    """

    def initialize_episode(self, physics):
        # the stock task's pose randomisation, without drawing a target
        randomizers.randomize_limited_and_rotational_joints(physics, self.random)
        base.Task.initialize_episode(self, physics)

    def get_observation(self, physics):
        obs = collections.OrderedDict()
        obs["joints"] = physics.joints()
        obs["body_velocities"] = physics.body_velocities()
        return obs

    def get_reward(self, physics):
        forward = -physics.named.data.sensordata["head_vel"][1]
        return rewards.tolerance(
            forward,
            bounds=(TARGET_SPEED, float("inf")),
            margin=TARGET_SPEED,
            value_at_margin=0.0,
            sigmoid="linear",
        )


def swim(
    n_links: int = 6, time_limit: float = CONTROL_DT * EPISODE_STEPS, random=None, environment_kwargs=None
) -> control.Environment:
    """The swim task as a dm_control environment (registered as ``suite.load("swimmer", "swim")``).

    ``random`` is a seed or a ``numpy.random.RandomState`` for the initial pose.
    """
    n_links = check_n_links(n_links)
    xml, assets = dm_swimmer.get_model_and_assets(n_links)
    physics = dm_swimmer.Physics.from_xml_string(xml, assets=assets)
    return control.Environment(
        physics,
        Swim(random=random),
        time_limit=time_limit,
        control_timestep=CONTROL_DT,
        **(environment_kwargs or {}),
    )


if "swim" not in dm_swimmer.SUITE:  # register once per process: suite.load("swimmer", "swim")
    dm_swimmer.SUITE.add("custom")(swim)


def make_env(n_links: int = 6, seed: int | None = 0, n_steps: int = EPISODE_STEPS) -> control.Environment:
    """The registered swim environment with ``n_links`` links, ``n_steps`` control steps long."""
    from dm_control import suite

    n_steps = check_n_steps(n_steps)
    if seed is not None:
        seed = check_seed(seed)
    return suite.load(
        "swimmer",
        "swim",
        task_kwargs=dict(n_links=check_n_links(n_links), random=seed, time_limit=n_steps * CONTROL_DT - 1e-9),
    )


# --------------------------------------------------------------------------------------------
# the fast path: raw MuJoCo on the same model


class Body:
    """The swimmer's physics without the environment wrapper: reset, act, step, read.

    Steps exactly as ``dm_control`` does (``mj_step2``, then ``mj_step`` for the remaining
    sub-steps, then ``mj_step1``, so sensors and positions describe the state after the step),
    but on the raw ``mujoco.MjModel``/``MjData``, without named indexing or observation dicts:
    about twice as fast as ``env.step``. ``model`` and ``data`` are public for readers who want
    more than the helpers below.
    """

    def __init__(self, n_links: int = 6):
        self.n_links = check_n_links(n_links)
        self.n_joints = self.n_links - 1
        xml, assets = dm_swimmer.get_model_and_assets(self.n_links)
        self.physics = dm_swimmer.Physics.from_xml_string(xml, assets=assets)
        self.model = self.physics.model.ptr
        self.data = self.physics.data.ptr
        self.joint_limit = joint_limit(self.n_links)
        self.nose_offset = float(-self.physics.named.model.geom_pos["nose", "y"])

    def reset(self, seed: int = 0) -> None:
        """Start an episode from the random pose the suite draws for ``seed``."""
        random = np.random.RandomState(check_int("seed", seed, low=0))
        with self.physics.reset_context():
            randomizers.randomize_limited_and_rotational_joints(self.physics, random)

    def step(self, action) -> None:
        """Apply ``action`` (one value in [-1, 1] per joint) for one control step (0.03 s)."""
        m, d = self.model, self.data
        d.ctrl[:] = action
        mujoco.mj_step2(m, d)
        mujoco.mj_step(m, d, N_SUB_STEPS - 1)
        mujoco.mj_step1(m, d)

    def joints(self) -> np.ndarray:
        """Joint angles (rad), head to tail."""
        return self.data.qpos[3:].copy()

    def forward_speed(self) -> float:
        """Forward speed of the head (m/s): minus its local y velocity."""
        return -float(self.data.sensordata[_HEAD_VEL_Y])

    def observation(self) -> np.ndarray:
        """The task's observation as one flat vector: joints, then body velocities."""
        d = self.data
        vel = d.sensordata[_BODY_VEL_START:].reshape(-1, 6)[:, (0, 1, 5)]
        return np.concatenate([d.qpos[3:], vel.ravel()])


@functools.cache
def body(n_links: int) -> Body:
    """One :class:`Body` per number of links and process (built once, reset per episode)."""
    return Body(n_links)
