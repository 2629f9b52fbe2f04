"""NCAP: the C. elegans forward-locomotion circuit as a swimmer controller; and an MLP baseline.

The circuit (Bhattasali, Zador & Engel 2022, fig. 2)
-----------------------------------------------------
Every joint :math:`i` (head to tail) has two B-class interneurons :math:`b_d, b_v` and two
muscles :math:`m_d, m_v` (dorsal and ventral). Neurons are *graded* and have no state:
:math:`\\mathrm{graded}(x) = \\operatorname{clip}(x, 0, 1)`; memory lives in the body and in
the clock only. The joint angle :math:`q_i` is divided by the joint limit
(:math:`2\\pi/n_\\text{links}`), clipped to [-1, 1] and split into a dorsal and a ventral
stretch signal, :math:`q^d = \\operatorname{clip}(q, 0, 1)`, :math:`q^v = \\operatorname{clip}(-q, 0, 1)`.

- Head (joint 0): a square-wave oscillator of period :math:`P` control steps (default 60,
  1.8 s), :math:`o^d = 1` for the first half of each period and :math:`o^v = 1` for the second:
  :math:`b^d_0 = \\mathrm{graded}(w_\\text{osc}\\,o^d)`, likewise ventral.
- Body (joint :math:`i > 0`): proprioception from the joint in front, same side,
  :math:`b^d_i = \\mathrm{graded}(w_\\text{prop}\\,q^d_{i-1})`, likewise ventral.
- Muscles: :math:`m^d_i = \\mathrm{graded}(w_\\text{ipsi}\\,b^d_i + w_\\text{contra}\\,b^v_i)`,
  :math:`m^v` symmetric; the torque is :math:`u_i = m^d_i - m^v_i \\in [-1, 1]`.

Signs follow the worm: :math:`w_\\text{osc}, w_\\text{prop}, w_\\text{ipsi} \\ge 0`
(excitatory), :math:`w_\\text{contra} \\le 0` (inhibitory), enforced by clamping in the forward
pass. With weight sharing the whole controller has **4 parameters** for any body length
(6 per joint without sharing: two B-neuron input weights and four muscle weights).

**What the contralateral weight can do here.** At most one B-neuron of a joint is ever active:
the head oscillator is either dorsal or ventral, and :math:`q^d, q^v` are never both positive.
When :math:`b^d > 0` then :math:`b^v = 0`, so :math:`m^d = \\mathrm{graded}(w_\\text{ipsi} b^d)`
and :math:`m^v = \\mathrm{graded}(w_\\text{contra} b^d)`. An inhibitory
:math:`w_\\text{contra} \\le 0` only pushes the silent muscle further below 0, where the clip
holds it: **every** :math:`w_\\text{contra} \\le 0` gives exactly the torques of
:math:`w_\\text{contra} = 0`. Only a positive (excitatory) value acts, and it subtracts from the
torque (cancelling it when :math:`w_\\text{contra} = w_\\text{ipsi}`). With the sign constraints
the forward-swimming circuit therefore has 3 effective parameters; the constraint on
``contra`` matters because it keeps the weight out of the harmful positive range. (The authors'
code, nikhilxb/ncap-swimmer ``neurobo/ncap/swimmer.py``, feeds the same inputs to the B-neurons;
there inhibition can act only at the head joints with its optional turn-control input, which
can excite a B-neuron while the oscillator drives the other one.)

Two implementations give the same torques:

- :class:`NCAP`, a ``torch.nn.Module`` (gradients, batches; the time step is an explicit
  argument of ``forward``, not a hidden counter);
- :class:`NCAPController`, plain Python floats for the inner loop of a rollout or an
  optimiser (a torch forward per step would cost more than the physics).

The baseline is an MLP actor, observations -> 64 -> 64 -> joints with tanh
(:class:`MLP`; 6,021 parameters for 6 links), with a numpy twin :class:`MLPController`.

Example
-------
>>> import torch
>>> net = NCAP(n_joints=5)
>>> sum(p.numel() for p in net.parameters())
4
>>> u = net(torch.zeros(1, 5), timestep=torch.tensor([0]))
>>> u.tolist()[0]
[1.0, 0.0, 0.0, 0.0, 0.0]
>>> NCAPController.from_module(net).torques([0.0] * 5, 0)
[1.0, 0.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from bioviz.validation import check_bool, check_choice, check_int, check_number, check_seed

__all__ = [
    "WEIGHTS",
    "SIGNS",
    "INITS",
    "DEFAULT_PERIOD",
    "check_period",
    "graded",
    "joint_torques",
    "NCAP",
    "NCAPController",
    "MLP",
    "MLPController",
    "n_params",
]

#: The four shared weights, in the order used everywhere (sign patterns, sliders, ES vectors).
WEIGHTS = ("osc", "prop", "ipsi", "contra")
#: Their signs in the worm: +1 excitatory, -1 inhibitory.
SIGNS = {"osc": 1, "prop": 1, "ipsi": 1, "contra": -1}
#: Initialisations: "constant" (+1 / -1 with the worm's signs), "uniform" (U(0, 1) in
#: magnitude with the worm's signs), "unsigned_constant" (+-1 with random signs) and
#: "unsigned_uniform" (U(-1, 1)).
INITS = ("constant", "uniform", "unsigned_constant", "unsigned_uniform")
#: Oscillator period in control steps (1.8 s).
DEFAULT_PERIOD = 60


def check_period(period) -> int:
    """The oscillator period: an integer number of control steps, >= 2."""
    return check_int("period", period, low=2, high=10_000)


def graded(x: torch.Tensor) -> torch.Tensor:
    """A graded, stateless neuron: ``clip(x, 0, 1)``."""
    return x.clamp(0.0, 1.0)


def _initial_values(init: str, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """Initial raw values of the weights (``n`` copies each: 1 with sharing, per joint without)."""
    check_choice("init", init, INITS)
    values = {}
    for name in WEIGHTS:
        sign = SIGNS[name]
        if init == "constant":
            values[name] = torch.full((n,), float(sign))
        elif init == "uniform":
            values[name] = sign * torch.rand(n, generator=generator)
        elif init == "unsigned_constant":
            values[name] = torch.randint(0, 2, (n,), generator=generator).float() * 2 - 1
        else:
            values[name] = torch.rand(n, generator=generator) * 2 - 1
    return values


def joint_torques(in_d, in_v, w_b, w_ipsi, w_contra) -> np.ndarray:
    r"""The torques of the joints from their B-neurons' inputs (numpy, one value per joint):
    ``in_d``/``in_v`` are the oscillator's halves at the head and the stretch of the joint in
    front elsewhere; the weights are the effective ones (after the sign constraints).

    :math:`b^{d,v} = \mathrm{graded}(w_b\, in^{d,v})`,
    :math:`m^d = \mathrm{graded}(w_\text{ipsi} b^d + w_\text{contra} b^v)`, :math:`m^v` mirrored,
    torque :math:`m^d - m^v` (the module docstring).

    >>> joint_torques([1.0, 0.0], [0.0, 0.5], w_b=1.0, w_ipsi=1.0, w_contra=-1.0).tolist()
    [1.0, -0.5]
    """
    in_d, in_v = np.asarray(in_d, float), np.asarray(in_v, float)
    b_d, b_v = np.clip(w_b * in_d, 0.0, 1.0), np.clip(w_b * in_v, 0.0, 1.0)
    m_d = np.clip(w_ipsi * b_d + w_contra * b_v, 0.0, 1.0)
    m_v = np.clip(w_ipsi * b_v + w_contra * b_d, 0.0, 1.0)
    return m_d - m_v


class NCAP(nn.Module):
    """The NCAP swimmer circuit (see the module docstring for the equations).

    Parameters
    ----------
    n_joints : int
        Joints of the body (``n_links - 1``), >= 2.
    period : int
        Oscillator period in control steps (>= 2; default 60 = 1.8 s at 0.03 s per step).
    sign_constraints : bool
        Clamp ``osc, prop, ipsi`` to >= 0 and ``contra`` to <= 0 in the forward pass.
    weight_sharing : bool
        One copy of each weight for all joints (4 parameters) or one per joint and side
        (6 per joint).
    init : str
        One of :data:`INITS`.
    seed : int
        Seeds the random initialisations.

    ``forward(joint_pos, timestep)`` takes joint angles in radians, shape ``(batch, n_joints)``,
    and the control step of each row (an integer tensor of shape ``(batch,)``), and returns the
    torques, shape ``(batch, n_joints)``, in [-1, 1].
    """

    def __init__(
        self,
        n_joints: int = 5,
        *,
        period: int = DEFAULT_PERIOD,
        sign_constraints: bool = True,
        weight_sharing: bool = True,
        init: str = "constant",
        seed: int = 0,
    ):
        super().__init__()
        self.n_joints = check_int("n_joints", n_joints, low=2, high=99)  # bodies of up to 100 links
        self.period = check_period(period)
        self.sign_constraints = check_bool("sign_constraints", sign_constraints)
        self.weight_sharing = check_bool("weight_sharing", weight_sharing)
        self.init = check_choice("init", init, INITS)
        self.joint_limit = 2 * math.pi / (self.n_joints + 1)
        gen = torch.Generator().manual_seed(check_seed(seed))
        if self.weight_sharing:
            values = _initial_values(init, 1, gen)
            self.weights = nn.ParameterDict({k: nn.Parameter(v[0].clone()) for k, v in values.items()})
            self._order = WEIGHTS
        else:
            # per joint and side: dorsal B input, ventral B input (osc at the head, prop behind),
            # and the ipsi/contra weights onto each muscle
            keys = {
                "osc": ("b_d", "b_v"),
                "prop": None,
                "ipsi": ("ipsi_d", "ipsi_v"),
                "contra": ("contra_d", "contra_v"),
            }
            params = {}
            for side in range(2):
                values = _initial_values(init, self.n_joints, gen)
                b_in = torch.where(torch.arange(self.n_joints) == 0, values["osc"], values["prop"])
                params[keys["osc"][side]] = nn.Parameter(b_in)
                params[keys["ipsi"][side]] = nn.Parameter(values["ipsi"])
                params[keys["contra"][side]] = nn.Parameter(values["contra"])
            self.weights = nn.ParameterDict(params)
            self._order = ("b_d", "b_v", "ipsi_d", "ipsi_v", "contra_d", "contra_v")

    # -- the weights as used in the forward pass ------------------------------------------
    def _exc(self, w: torch.Tensor) -> torch.Tensor:
        return w.clamp(min=0.0) if self.sign_constraints else w

    def _inh(self, w: torch.Tensor) -> torch.Tensor:
        return w.clamp(max=0.0) if self.sign_constraints else w

    def effective(self) -> dict[str, torch.Tensor]:
        """Per-joint weights after the sign constraint: ``b_d, b_v, ipsi_d, ipsi_v, contra_d,
        contra_v``, each of shape ``(n_joints,)`` (``b`` is ``osc`` at the head, ``prop`` behind)."""
        n = self.n_joints
        if self.weight_sharing:
            w = self.weights
            head = torch.arange(n) == 0
            b = torch.where(head, self._exc(w["osc"]).expand(n), self._exc(w["prop"]).expand(n))
            ipsi, contra = self._exc(w["ipsi"]).expand(n), self._inh(w["contra"]).expand(n)
            return dict(b_d=b, b_v=b, ipsi_d=ipsi, ipsi_v=ipsi, contra_d=contra, contra_v=contra)
        w = self.weights
        return dict(
            b_d=self._exc(w["b_d"]),
            b_v=self._exc(w["b_v"]),
            ipsi_d=self._exc(w["ipsi_d"]),
            ipsi_v=self._exc(w["ipsi_v"]),
            contra_d=self._inh(w["contra_d"]),
            contra_v=self._inh(w["contra_v"]),
        )

    def oscillator(self, timestep: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Square wave: (dorsal, ventral) = (1, 0) in the first half of each period, else (0, 1)."""
        phase = torch.remainder(torch.as_tensor(timestep).long(), self.period)
        dorsal = (phase < self.period // 2).float()
        return dorsal, 1.0 - dorsal

    def forward(self, joint_pos: torch.Tensor, timestep: torch.Tensor) -> torch.Tensor:
        q = (joint_pos / self.joint_limit).clamp(-1.0, 1.0)
        q_d, q_v = q.clamp(0.0, 1.0), (-q).clamp(0.0, 1.0)
        w = self.effective()
        osc_d, osc_v = self.oscillator(timestep)
        # B-neuron inputs: the oscillator at the head, the joint in front elsewhere
        in_d = torch.cat([osc_d[:, None], q_d[:, :-1]], dim=1)
        in_v = torch.cat([osc_v[:, None], q_v[:, :-1]], dim=1)
        b_d, b_v = graded(w["b_d"] * in_d), graded(w["b_v"] * in_v)
        m_d = graded(w["ipsi_d"] * b_d + w["contra_d"] * b_v)
        m_v = graded(w["ipsi_v"] * b_v + w["contra_v"] * b_d)
        return m_d - m_v

    def vector(self) -> np.ndarray:
        """The raw parameters as one flat float64 vector (in :data:`WEIGHTS` order with sharing).

        (``nn.ParameterDict`` sorts its keys, so the order is fixed here explicitly.)
        """
        return torch.cat([self.weights[k].detach().reshape(-1) for k in self._order]).double().numpy()

    def set_vector(self, theta) -> NCAP:
        """Load a flat vector written by :meth:`vector`; returns ``self``."""
        theta = torch.as_tensor(np.asarray(theta, dtype=np.float64), dtype=torch.float32)
        start = 0
        with torch.no_grad():
            for p in (self.weights[k] for k in self._order):
                p.copy_(theta[start : start + p.numel()].reshape(p.shape))
                start += p.numel()
        if start != theta.numel():
            raise ValueError(f"theta must have {start} values, got {theta.numel()}")
        return self


@dataclass(frozen=True)
class NCAPController:
    """The NCAP circuit in plain Python floats: the same torques as :class:`NCAP`, ~50x faster.

    Holds per-joint effective weights (after the sign constraint) as tuples. Build one from
    the four shared weights with :meth:`shared`, or from a module with :meth:`from_module`.
    ``torques(q, t)`` maps joint angles (rad, a sequence) and the control step ``t`` to the
    torques; calling the controller with ``(t, mjdata)`` reads the angles from MuJoCo.
    """

    b_d: tuple
    b_v: tuple
    ipsi_d: tuple
    ipsi_v: tuple
    contra_d: tuple
    contra_v: tuple
    period: int = DEFAULT_PERIOD
    joint_limit: float = 2 * math.pi / 6

    @classmethod
    def shared(
        cls,
        osc: float = 1.0,
        prop: float = 1.0,
        ipsi: float = 1.0,
        contra: float = -1.0,
        *,
        n_joints: int = 5,
        period: int = DEFAULT_PERIOD,
        sign_constraints: bool = True,
    ) -> NCAPController:
        """The circuit with four shared weights (``contra`` is inhibitory: default -1)."""
        n_joints = check_int("n_joints", n_joints, low=2)
        w = {k: check_number(k, v) for k, v in dict(osc=osc, prop=prop, ipsi=ipsi, contra=contra).items()}
        if check_bool("sign_constraints", sign_constraints):
            w = {k: (max(v, 0.0) if SIGNS[k] > 0 else min(v, 0.0)) for k, v in w.items()}
        b = (w["osc"],) + (w["prop"],) * (n_joints - 1)
        return cls(
            b,
            b,
            (w["ipsi"],) * n_joints,
            (w["ipsi"],) * n_joints,
            (w["contra"],) * n_joints,
            (w["contra"],) * n_joints,
            period=check_period(period),
            joint_limit=2 * math.pi / (n_joints + 1),
        )

    @classmethod
    def from_module(cls, net: NCAP) -> NCAPController:
        """The float twin of a :class:`NCAP` module (its current, sign-constrained weights)."""
        with torch.no_grad():
            eff = {k: tuple(float(x) for x in v) for k, v in net.effective().items()}
        return cls(**eff, period=net.period, joint_limit=net.joint_limit)

    @property
    def n_joints(self) -> int:
        return len(self.b_d)

    def torques(self, q, t: int) -> list[float]:
        """Torques for joint angles ``q`` (rad) at control step ``t`` (plain floats)."""
        lim = self.joint_limit
        dorsal = (t % self.period) < self.period // 2
        in_d, in_v = (1.0, 0.0) if dorsal else (0.0, 1.0)
        out = []
        b_d, b_v = self.b_d, self.b_v
        ipsi_d, ipsi_v, contra_d, contra_v = self.ipsi_d, self.ipsi_v, self.contra_d, self.contra_v
        for i in range(len(b_d)):
            if i:
                x = q[i - 1] / lim
                in_d = 1.0 if x >= 1.0 else (x if x > 0.0 else 0.0)
                in_v = 1.0 if x <= -1.0 else (-x if x < 0.0 else 0.0)
            bd = b_d[i] * in_d
            bd = 1.0 if bd >= 1.0 else (bd if bd > 0.0 else 0.0)
            bv = b_v[i] * in_v
            bv = 1.0 if bv >= 1.0 else (bv if bv > 0.0 else 0.0)
            md = ipsi_d[i] * bd + contra_d[i] * bv
            md = 1.0 if md >= 1.0 else (md if md > 0.0 else 0.0)
            mv = ipsi_v[i] * bv + contra_v[i] * bd
            mv = 1.0 if mv >= 1.0 else (mv if mv > 0.0 else 0.0)
            out.append(md - mv)
        return out

    def __call__(self, t: int, data) -> list[float]:
        return self.torques(data.qpos[3:].tolist(), t)


class MLP(nn.Module):
    """Baseline actor: ``obs -> 64 -> 64 -> n_joints`` with tanh (torch's default init, seeded).

    >>> sum(p.numel() for p in MLP(23, 5).parameters())
    6021
    """

    def __init__(self, n_obs: int = 23, n_joints: int = 5, hidden: int = 64, seed: int = 0):
        super().__init__()
        n_obs = check_int("n_obs", n_obs, low=1, high=10_000)
        n_joints = check_int("n_joints", n_joints, low=1, high=99)
        hidden = check_int("hidden", hidden, low=1, high=4096)
        torch.manual_seed(check_seed(seed))
        self.net = nn.Sequential(
            nn.Linear(n_obs, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, n_joints),
            nn.Tanh(),
        )

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs)

    def vector(self) -> np.ndarray:
        """All parameters as one flat float64 vector."""
        return torch.nn.utils.parameters_to_vector(self.parameters()).detach().double().numpy()

    def set_vector(self, theta) -> MLP:
        """Load a flat vector written by :meth:`vector`; returns ``self``."""
        torch.nn.utils.vector_to_parameters(
            torch.as_tensor(np.asarray(theta), dtype=torch.float32), self.parameters()
        )
        return self


class MLPController:
    """An :class:`MLP` in numpy (float64) for rollouts: ``controller(t, mjdata) -> torques``."""

    def __init__(self, net: MLP):
        layers = [m for m in net.net if isinstance(m, nn.Linear)]
        self.params = [
            (layer.weight.detach().double().numpy().copy(), layer.bias.detach().double().numpy().copy())
            for layer in layers
        ]

    @classmethod
    def from_vector(cls, theta, n_obs: int = 23, n_joints: int = 5, hidden: int = 64) -> MLPController:
        """Build from a flat parameter vector (the layout of :meth:`MLP.vector`)."""
        theta = np.asarray(theta, dtype=np.float64)
        self = cls.__new__(cls)
        self.params, start = [], 0
        for n_in, n_out in ((n_obs, hidden), (hidden, hidden), (hidden, n_joints)):
            w = theta[start : start + n_in * n_out].reshape(n_out, n_in)
            start += n_in * n_out
            b = theta[start : start + n_out]
            start += n_out
            self.params.append((w, b))
        if start != theta.size:
            raise ValueError(f"theta must have {start} values, got {theta.size}")
        return self

    def act(self, obs: np.ndarray) -> np.ndarray:
        h = obs
        for w, b in self.params:
            h = np.tanh(w @ h + b)
        return h

    def __call__(self, t: int, data) -> np.ndarray:
        vel = data.sensordata[12:].reshape(-1, 6)[:, (0, 1, 5)]
        return self.act(np.concatenate([data.qpos[3:], vel.ravel()]))


def n_params(net: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)
