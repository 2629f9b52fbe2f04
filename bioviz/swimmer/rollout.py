"""Episodes of the swim task, the travelling wave they show, and many episodes in parallel.

A *controller* is any callable ``controller(t, mjdata) -> torques`` (``t`` the control step,
``mjdata`` the raw ``mujoco.MjData``): :class:`~bioviz.swimmer.ncap.NCAPController`,
:class:`~bioviz.swimmer.ncap.MLPController`, :class:`TorchPolicy` or :func:`zero_controller`.
:func:`rollout` runs one episode on the fast physics path (:class:`~bioviz.swimmer.task.Body`)
and returns a :class:`Rollout` with everything the figures need.

Example
-------
>>> r = rollout(ncap(), n_links=6, n_steps=300, seed=0)
>>> r.return_ > 150, r.displacement > 0.4
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import mujoco
import numpy as np

from bioviz.swimmer import task
from bioviz.swimmer.ncap import DEFAULT_PERIOD, NCAPController, check_period
from bioviz.validation import check_int

#: Where the swimmer's sweeps run when neither ``parallel`` nor the session's default says (see
#: :mod:`bioviz.parallel`): the physics is worth both cores of a laptop.
PARALLEL = "processes:2"

__all__ = [
    "Rollout",
    "rollout",
    "ncap",
    "zero_controller",
    "TorchPolicy",
    "wave_lags",
    "joint_amplitude",
    "joint_posture",
    "PARALLEL",
    "summary",
]

_HALF = task.LINK_LENGTH / 2


def ncap(
    osc: float = 1.0,
    prop: float = 1.0,
    ipsi: float = 1.0,
    contra: float = -1.0,
    *,
    n_links: int = 6,
    period: int = DEFAULT_PERIOD,
    sign_constraints: bool = True,
) -> NCAPController:
    """The shared-weight NCAP circuit for an ``n_links`` body, as a fast float controller.

    Defaults are the constant initialisation (+1, +1, +1, -1) with a 60-step (1.8 s) period.
    """
    n_links = task.check_n_links(n_links)
    return NCAPController.shared(
        osc,
        prop,
        ipsi,
        contra,
        n_joints=n_links - 1,
        period=check_period(period),
        sign_constraints=sign_constraints,
    )


def zero_controller(t: int, data) -> float:
    """No torque at all (a floppy body)."""
    return 0.0


class TorchPolicy:
    """Wrap a torch NCAP or MLP module as a controller (slow path: one torch forward per step).

    ``kind="ncap"`` feeds joint angles and the explicit time step; ``kind="mlp"`` feeds the
    task's observation vector.
    """

    def __init__(self, net, kind: str = "ncap"):
        import torch

        self.net, self.kind, self._torch = net, kind, torch

    def __call__(self, t: int, data) -> list[float]:
        torch = self._torch
        with torch.no_grad():
            if self.kind == "ncap":
                q = torch.as_tensor(data.qpos[3:], dtype=torch.float32)[None]
                return self.net(q, torch.tensor([t]))[0].tolist()
            vel = data.sensordata[12:].reshape(-1, 6)[:, (0, 1, 5)]
            obs = np.concatenate([data.qpos[3:], vel.ravel()])
            return self.net(torch.as_tensor(obs, dtype=torch.float32)[None])[0].tolist()


@dataclass(frozen=True)
class Rollout:
    """One episode: the states after each control step, the speeds, rewards and torques.

    Arrays over time have ``n_steps + 1`` rows for states (the initial pose first) and
    ``n_steps`` rows for what happens during a step.

    Attributes
    ----------
    qpos : (n_steps + 1, n_links + 2)
        MuJoCo positions: root x, root y, heading (rad), then the joint angles (rad).
    xpos : (n_steps + 1, n_links, 2)
        Centre of every link in the plane (m), head first.
    speed : (n_steps,)
        Forward speed of the head after each step (m/s).
    reward : (n_steps,)
        ``clip(speed / 0.1, 0, 1)``.
    action : (n_steps, n_links - 1)
        Torques sent (the motor clips them to [-1, 1]).
    """

    n_links: int
    seed: int
    qpos: np.ndarray
    xpos: np.ndarray
    speed: np.ndarray
    reward: np.ndarray
    action: np.ndarray
    nose_offset: float = 0.06

    @property
    def n_steps(self) -> int:
        return len(self.speed)

    @property
    def time(self) -> np.ndarray:
        """Time of every state (s)."""
        return np.arange(self.n_steps + 1) * task.CONTROL_DT

    @property
    def return_(self) -> float:
        """Sum of rewards (the best possible is ``n_steps``)."""
        return float(self.reward.sum())

    @property
    def displacement(self) -> float:
        """Straight-line distance travelled by the head (m)."""
        return float(np.hypot(*(self.xpos[-1, 0] - self.xpos[0, 0])))

    @property
    def mean_speed(self) -> float:
        """Mean forward head speed (m/s); negative when swimming backwards."""
        return float(self.speed.mean())

    @property
    def joints(self) -> np.ndarray:
        """Joint angles (rad), shape ``(n_steps + 1, n_links - 1)``, head to tail."""
        return self.qpos[:, 3:]

    @cached_property
    def headings(self) -> np.ndarray:
        """Angle of every link's axis (rad), shape ``(n_steps + 1, n_links)``."""
        return np.cumsum(self.qpos[:, 2:], axis=1)

    @cached_property
    def outline(self) -> np.ndarray:
        """The body as a polyline, head tip to tail tip: ``(n_steps + 1, n_links + 1, 2)``.

        A link of heading :math:`\\theta` points along :math:`(-\\sin\\theta, \\cos\\theta)`
        (its local +y, towards the tail); its ends are the centre :math:`\\pm` 0.05 m along it.
        """
        th = self.headings
        axis = np.stack([-np.sin(th), np.cos(th)], axis=-1)
        front = self.xpos[:, :1] - _HALF * axis[:, :1]
        backs = self.xpos + _HALF * axis
        return np.concatenate([front, backs], axis=1)

    @cached_property
    def nose(self) -> np.ndarray:
        """Position of the nose (m), shape ``(n_steps + 1, 2)``."""
        th = self.qpos[:, 2]
        return self.xpos[:, 0] + self.nose_offset * np.stack([np.sin(th), -np.cos(th)], axis=-1)

    def summary(self) -> dict:
        """Return, displacement, mean speed and the wave's mean adjacent-joint lag."""
        lags = wave_lags(self)
        return dict(
            n_links=self.n_links,
            seed=self.seed,
            n_steps=self.n_steps,
            return_=self.return_,
            displacement=self.displacement,
            mean_speed=self.mean_speed,
            lag=float(np.mean(lags)) if lags.size and np.isfinite(lags).all() else math.nan,
            amplitude=joint_amplitude(self),
        )


def rollout(controller: Callable, n_links: int = 6, n_steps: int = task.EPISODE_STEPS, seed: int = 0) -> Rollout:
    """Run one episode of the swim task from the random pose of ``seed``.

    Parameters
    ----------
    controller : callable
        ``controller(t, mjdata) -> torques`` for control step ``t`` (0, 1, ...).
    n_links : int
        Links of the body (>= 3).
    n_steps : int
        Control steps of 0.03 s (1000 = the paper's 30 s episode).
    seed : int
        Initial pose (the same one ``make_env(seed=seed)`` starts from).
    """
    n_steps = task.check_n_steps(n_steps)
    seed = check_int("seed", seed, low=0)
    body = task.body(task.check_n_links(n_links))
    body.reset(seed)
    m, d = body.model, body.data
    nq = m.nq
    qpos = np.empty((n_steps + 1, nq))
    xpos = np.empty((n_steps + 1, body.n_links, 2))
    action = np.empty((n_steps, body.n_joints))
    speed = np.empty(n_steps)
    qpos[0] = d.qpos
    xpos[0] = d.xpos[1:, :2]
    ctrl, sensordata = d.ctrl, d.sensordata
    step1, step2, step = mujoco.mj_step1, mujoco.mj_step2, mujoco.mj_step
    sub = task.N_SUB_STEPS - 1
    for t in range(n_steps):
        ctrl[:] = controller(t, d)
        step2(m, d)
        step(m, d, sub)
        step1(m, d)
        speed[t] = sensordata[13]
        qpos[t + 1] = d.qpos
        xpos[t + 1] = d.xpos[1:, :2]
        action[t] = ctrl
    speed = -speed
    reward = np.clip(speed / task.TARGET_SPEED, 0.0, 1.0)
    return Rollout(
        n_links=body.n_links,
        seed=seed,
        qpos=qpos,
        xpos=xpos,
        speed=speed,
        reward=reward,
        action=action,
        nose_offset=body.nose_offset,
    )


def _steady(r: Rollout, start: int | None) -> np.ndarray:
    q = r.joints
    start = len(q) // 3 if start is None else start
    return q[start:]


def wave_lags(r: Rollout, period: int = DEFAULT_PERIOD, start: int | None = None) -> np.ndarray:
    """Lag (control steps, in ``[0, period)``) of each joint behind the joint in front.

    For each adjacent pair the lag :math:`L` maximises the correlation of
    :math:`q_{i+1}(t)` with :math:`q_i(t - L)` over the steady part of the episode (from
    ``start``, by default the last two thirds). A wave travelling head to tail has a small
    lag; a wave travelling tail to head shows up as a lag close to ``period``. A joint that
    does not move has no phase: NaN.
    """
    period = check_period(period)
    q = _steady(r, start)
    q = q - q.mean(axis=0)
    n = len(q)
    if n <= period + 2:
        return np.array([])
    lags = []
    still = q.std(axis=0) < 1e-9
    for i in range(q.shape[1] - 1):
        a, b = q[:, i], q[:, i + 1]
        if still[i] or still[i + 1]:  # a joint that does not move has no phase
            lags.append(np.nan)
            continue
        best, best_lag = -np.inf, 0
        for lag in range(period):
            x, y = a[: n - lag], b[lag:]
            denom = np.sqrt((x @ x) * (y @ y))
            c = (x @ y) / denom if denom > 0 else -np.inf
            if c > best:
                best, best_lag = c, lag
        lags.append(best_lag)
    return np.array(lags, dtype=float)


def joint_amplitude(r: Rollout, start: int | None = None) -> float:
    """Half the peak-to-peak joint angle (rad) in the steady part, averaged over joints."""
    q = _steady(r, start)
    return float(np.mean((q.max(axis=0) - q.min(axis=0)) / 2))


def joint_posture(r: Rollout, start: int | None = None) -> dict[str, np.ndarray]:
    """How each joint (head first) moves in the steady part of the episode (rad).

    ``swing``: the standard deviation of its angle (a sinusoid of amplitude :math:`A` has
    :math:`A/\\sqrt{2}`): how far it bends back and forth. ``offset``: its mean angle: a joint
    that stays bent to one side has a large offset and a small swing. With a fast clock the head
    joint barely swings before its drive reverses, and the tail can lock in a bend.
    """
    q = _steady(r, start)
    return dict(swing=q.std(axis=0), offset=q.mean(axis=0))


def summary(controller: Callable, n_links: int = 6, n_steps: int = task.EPISODE_STEPS, seed: int = 0) -> dict:
    """:meth:`Rollout.summary` of one episode (small enough to send between processes)."""
    return rollout(controller, n_links=n_links, n_steps=n_steps, seed=seed).summary()
