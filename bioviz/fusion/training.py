r"""Training the fusion networks under the five conditions, many runs at once.

Conditions (what trains the encoders, and whether IEMF's coefficient k is applied):

============  =======================================  ====================
condition     loss                                     fusion-head step
============  =======================================  ====================
``base``      CE(o_av)                                 plain
``joint``     CE(o_av) + CE(o_a) + CE(o_v)             plain
``iemf``      as joint                                 scaled by k
``probe``     CE(o_av) + CE(o_a, o_v on *detached*     plain
              features: the heads only watch)
``pcoef``     as probe                                 scaled by k
============  =======================================  ====================

``joint`` vs ``base`` measures what the auxiliary losses do; ``iemf`` vs ``joint`` what k adds
on top; ``pcoef`` vs ``probe`` isolates k (the heads there cannot change the encoders). In
``probe`` the encoders and the fusion head receive exactly the gradients of ``base``, so with
the same seed the two give *identical* fused outputs: a check that the random draws are aligned.
Two more conditions, ``visual_only`` and ``audio_only``, train one encoder and its head alone
(the unimodal networks of the enhancement index).

Two controls (:data:`CONTROLS`) ask what k does on the authors' recipe and whether its schedule
matters:

- ``authors``: the authors' configuration, as in their training scripts: ``iemf`` with
  OGM-GE's Gaussian noise added to the fusion gradient whenever k is applied, and k switched on
  late (``--inverse_starts 60`` of 100 epochs; :func:`authors_start` gives 60 % of ours).
  Its ``iemf_start`` must be given.
- ``constk``: ``iemf`` with k fixed at ``k_const`` every step (e.g. the mean k of the matching
  ``iemf`` run): a constant boost of the fusion layer's learning rate, no inverse-effectiveness
  schedule.

Optimizers: ``sgd`` (momentum 0.9, weight decay 5e-4; k multiplies the fusion head's
gradients), ``adam`` (k multiplies the fusion head's *learning rate*, as the authors do with
Adam) and ``adam_gradscale`` (k multiplies the gradient, which Adam's normalisation nearly
cancels: shown for contrast).

Random streams: each run's seed gives three independent generators, for the initial weights,
for the data (batch order and the training noise, redrawn every epoch) and for the optional
gradient noise. Runs with the same seed therefore see the same data whatever their condition.

Example
-------
>>> r = train("iemf", sigma_v=0.8, sigma_a=0.8, epochs=3, seed=0, show_progress=False)
>>> len(r.history["test_acc"]), 1.0 <= r.history["k"][-1] < 1.77
(3, True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from bioviz.fusion import iemf
from bioviz.fusion.models import FEATURES, HIDDEN, FusionNet, SpikingFusionNet, run_generator
from bioviz.fusion.task import check_sigma, clean_data, test_noise
from bioviz.parallel import Backend, pmap, resolve
from bioviz.runtime import progress, torch_threads
from bioviz.validation import check_choice, check_int, check_number, check_positive, check_range, check_seed

CONDITIONS = ("base", "joint", "iemf", "probe", "pcoef")
UNIMODAL = ("visual_only", "audio_only")
CONTROLS = ("authors", "constk")
#: the authors switch k on at epoch 60 of 100 (``--inverse_starts 60``)
AUTHORS_START_FRACTION = 0.6
AUX_MODES = ("attached", "detached", "none")
OPTIMIZERS = ("sgd", "adam", "adam_gradscale")
KINDS = ("ann", "snn")
#: default learning rates per (kind, optimizer); the surrogate-gradient SNN needs a larger step
DEFAULT_LR = {
    ("ann", "sgd"): 0.02,
    ("ann", "adam"): 2e-3,
    ("ann", "adam_gradscale"): 2e-3,
    ("snn", "sgd"): 0.1,
    ("snn", "adam"): 5e-3,
    ("snn", "adam_gradscale"): 5e-3,
}

#: condition -> (auxiliary heads, k applied, loss weights (fused, audio, visual))
_PRESETS = {
    "base": ("none", False, (1.0, 0.0, 0.0)),
    "joint": ("attached", False, (1.0, 1.0, 1.0)),
    "iemf": ("attached", True, (1.0, 1.0, 1.0)),
    "probe": ("detached", False, (1.0, 1.0, 1.0)),
    "pcoef": ("detached", True, (1.0, 1.0, 1.0)),
    "visual_only": ("attached", False, (0.0, 0.0, 1.0)),
    "audio_only": ("attached", False, (0.0, 1.0, 0.0)),
    "authors": ("attached", True, (1.0, 1.0, 1.0)),
    "constk": ("attached", True, (1.0, 1.0, 1.0)),
}


def authors_start(epochs: int) -> int:
    """The epoch (0-based) at which the authors' configuration switches k on: 60 % of ``epochs``.

    >>> authors_start(100), authors_start(30)
    (60, 18)
    """
    return int(round(AUTHORS_START_FRACTION * check_int("epochs", epochs, 1, 10_000)))


@dataclass(frozen=True)
class RunSpec:
    """One training run: its condition, noise levels, seed and IEMF settings.

    ``k_scale`` multiplies k (the authors' ablation coefficient, > 0); ``iemf_start`` is the
    first epoch (0-based) at which k is applied; ``grad_noise`` adds OGM-GE's Gaussian noise to
    the fusion head's gradient whenever k is applied.

    ``k_const`` (condition ``constk`` only): the k applied at every step instead of the
    computed one. ``aux`` (``attached`` / ``detached`` / ``none``) and ``use_k`` override the condition's
    preset (the explorer uses them to mix and match). With ``aux="none"`` the unimodal heads
    are not trained, so k, if applied, comes from untrained heads (near its maximum).
    """

    condition: str = "iemf"
    sigma_v: float = 0.8
    sigma_a: float = 0.8
    seed: int = 0
    k_scale: float = 1.0
    iemf_start: int = 0
    grad_noise: bool = False
    aux: str | None = None
    use_k: bool | None = None
    k_const: float | None = None

    def __post_init__(self):
        check_choice("condition", self.condition, CONDITIONS + UNIMODAL + CONTROLS)
        object.__setattr__(self, "sigma_v", check_sigma("sigma_v", self.sigma_v))
        object.__setattr__(self, "sigma_a", check_sigma("sigma_a", self.sigma_a))
        object.__setattr__(self, "seed", check_seed(self.seed))
        object.__setattr__(self, "k_scale", check_positive("k_scale", check_number("k_scale", self.k_scale)))
        object.__setattr__(self, "iemf_start", check_int("iemf_start", self.iemf_start, 0, 1000))
        if not isinstance(self.grad_noise, bool | np.bool_):
            raise ValueError(f"grad_noise must be True or False, got {self.grad_noise!r}")
        if self.aux is not None:
            check_choice("aux", self.aux, AUX_MODES)
        if self.use_k is not None and not isinstance(self.use_k, bool | np.bool_):
            raise ValueError(f"use_k must be True or False, got {self.use_k!r}")
        if self.condition == "constk":
            if self.k_const is None:
                raise ValueError("condition 'constk' needs k_const (the k to apply at every step)")
            object.__setattr__(self, "k_const", check_positive("k_const", check_number("k_const", self.k_const)))
        elif self.k_const is not None:
            raise ValueError(f"k_const is for condition 'constk' only, not {self.condition!r}")
        if self.condition == "authors":
            if self.iemf_start == 0:
                raise ValueError(
                    "condition 'authors' switches k on late: give iemf_start (e.g. authors_start(epochs))"
                )
            object.__setattr__(self, "grad_noise", True)

    @property
    def aux_mode(self) -> str:
        return self.aux or _PRESETS[self.condition][0]

    @property
    def applies_k(self) -> bool:
        return bool(_PRESETS[self.condition][1] if self.use_k is None else self.use_k)

    @property
    def loss_weights(self) -> tuple[float, float, float]:
        if self.aux is None:
            return _PRESETS[self.condition][2]
        return (1.0, 0.0, 0.0) if self.aux == "none" else (1.0, 1.0, 1.0)


@dataclass
class Ensemble:
    """Histories of E runs trained side by side (arrays have shape (E, epochs)).

    ``test_acc`` is the fused head's test accuracy (for ``visual_only``/``audio_only`` runs,
    that of their unimodal head); ``acc_a``/``acc_v`` the unimodal heads'; ``k`` the mean IEMF
    coefficient per epoch (computed in every run as a diagnostic, with the run's k scale);
    ``k_applied`` the multiplier actually applied (1 where IEMF is off); ``rho`` the mean ratio.
    For the SNN, ``spikes`` (E, 2) is the mean number of spikes per test sample in the
    visual and audio encoders, ``spike_counts`` (E, n_test) each test sample's total.
    """

    specs: list[RunSpec]
    config: dict
    test_acc: np.ndarray
    acc_a: np.ndarray
    acc_v: np.ndarray
    k: np.ndarray
    k_applied: np.ndarray
    rho: np.ndarray
    loss: np.ndarray
    seconds: float
    n_params: int
    spikes: np.ndarray | None = None
    spike_counts: np.ndarray | None = None
    firing_prob: np.ndarray | None = None

    @property
    def epochs(self) -> np.ndarray:
        return np.arange(1, self.test_acc.shape[1] + 1)

    def __len__(self) -> int:
        return len(self.specs)

    @property
    def run_specs(self) -> list[RunSpec]:
        """The runs' settings (:class:`RunSpec`), in order."""
        return self.specs

    def select(self, **match) -> np.ndarray:
        """Indices of the runs whose spec fields equal ``match`` (e.g. condition="iemf")."""
        return np.array(
            [
                i
                for i, s in enumerate(self.specs)
                if all(
                    np.isclose(getattr(s, k), v) if isinstance(v, float) else getattr(s, k) == v
                    for k, v in match.items()
                )
            ],
            dtype=int,
        )

    def subset(self, idx) -> Ensemble:
        """The runs ``idx`` (indices, e.g. from :meth:`select`) as a smaller ensemble."""
        idx = np.asarray(idx, dtype=int)
        arrays = {
            name: getattr(self, name)[idx]
            for name in ("test_acc", "acc_a", "acc_v", "k", "k_applied", "rho", "loss")
        }
        extra = {
            name: None if getattr(self, name) is None else getattr(self, name)[idx]
            for name in ("spikes", "spike_counts", "firing_prob")
        }
        return Ensemble(
            specs=[self.specs[i] for i in idx],
            config=self.config,
            seconds=self.seconds,
            n_params=self.n_params,
            **arrays,
            **extra,
        )

    @classmethod
    def concat(cls, parts: list[Ensemble], *, seconds: float | None = None) -> Ensemble:
        """The runs of several ensembles of the same configuration as one, in order."""
        if not parts:
            raise ValueError("parts must not be empty")
        if any(p.config != parts[0].config for p in parts):
            raise ValueError("ensembles of different configurations cannot be joined")
        arrays = {
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in ("test_acc", "acc_a", "acc_v", "k", "k_applied", "rho", "loss")
        }
        extra = {
            name: None if getattr(parts[0], name) is None else np.concatenate([getattr(p, name) for p in parts])
            for name in ("spikes", "spike_counts", "firing_prob")
        }
        return cls(
            specs=[s for p in parts for s in p.specs],
            config=parts[0].config,
            seconds=max(p.seconds for p in parts) if seconds is None else seconds,
            n_params=parts[0].n_params,
            **arrays,
            **extra,
        )

    def first_epochs(self, n: int) -> Ensemble:
        """The same runs cut after their first ``n`` epochs (to compare runs of different lengths
        at the same epoch, e.g. a 30-epoch ANN sweep with 20-epoch SNN runs). ``spikes`` and
        ``firing_prob`` are measured after the last epoch, so they are dropped when cutting."""
        n = check_int("n", n, 1, self.test_acc.shape[1])
        if n == self.test_acc.shape[1]:
            return self
        arrays = {
            name: getattr(self, name)[:, :n]
            for name in ("test_acc", "acc_a", "acc_v", "k", "k_applied", "rho", "loss")
        }
        return Ensemble(
            specs=list(self.specs),
            config={**self.config, "epochs": n},
            seconds=self.seconds,
            n_params=self.n_params,
            **arrays,
        )

    def run(self, i: int) -> RunResult:
        """Run ``i`` as a :class:`RunResult`."""
        hist = {"epoch": self.epochs.tolist()}
        for name in ("test_acc", "acc_a", "acc_v", "k", "k_applied", "rho", "loss"):
            hist[name] = getattr(self, name)[i].tolist()
        extra = {}
        if self.spikes is not None:
            extra = dict(
                spikes=self.spikes[i], spike_counts=self.spike_counts[i], firing_prob=float(self.firing_prob[i])
            )
        return RunResult(
            spec=self.specs[i],
            test_acc=float(self.test_acc[i, -1]),
            history=hist,
            seconds=self.seconds,
            config=self.config,
            **extra,
        )


@dataclass
class RunResult:
    """One run: its spec, final fused test accuracy, per-epoch ``history`` (see :class:`Ensemble`)."""

    spec: RunSpec
    test_acc: float
    history: dict
    seconds: float
    config: dict = field(default_factory=dict)
    spikes: np.ndarray | None = None
    spike_counts: np.ndarray | None = None
    firing_prob: float = float("nan")


class Optimizer:
    r"""SGD with momentum or Adam (PyTorch's update rules), with a per-run learning-rate scale.

    ``step(lr_scale)`` takes a dict ``parameter -> tensor (E,)``: that parameter's learning rate
    is multiplied run by run (IEMF with Adam scales the fusion head's learning rate by k).
    With all scales 1 it is ``torch.optim.SGD(momentum, weight_decay)`` / ``torch.optim.Adam``.
    """

    def __init__(self, params, kind="sgd", lr=0.02, momentum=0.9, weight_decay=5e-4, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.kind = check_choice("optimizer", kind, ("sgd", "adam"))
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.betas, self.eps = betas, eps
        self.state: dict = {}
        self.t = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self, lr_scale: dict | None = None):
        import torch

        lr_scale = lr_scale or {}
        self.t += 1
        params = [p for p in self.params if p.grad is not None]
        grads = [p.grad for p in params]
        with torch.no_grad():
            if self.weight_decay:
                for g, p in zip(grads, params, strict=True):
                    g.add_(p, alpha=self.weight_decay)
            if self.kind == "sgd":
                if "buf" not in self.state:
                    self.state["buf"] = [g.clone() for g in grads]
                else:
                    for buf, g in zip(self.state["buf"], grads, strict=True):
                        buf.mul_(self.momentum).add_(g)
                updates = self.state["buf"]
                scale = [self.lr] * len(params)
            else:
                b1, b2 = self.betas
                if "m" not in self.state:
                    self.state["m"] = [torch.zeros_like(p) for p in params]
                    self.state["v"] = [torch.zeros_like(p) for p in params]
                bc1, bc2 = 1 - b1**self.t, 1 - b2**self.t
                updates = []
                for m, v, g in zip(self.state["m"], self.state["v"], grads, strict=True):
                    m.lerp_(g, 1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    updates.append(m / (v.sqrt() / bc2**0.5 + self.eps))
                scale = [self.lr / bc1] * len(params)
            for p, update, lr in zip(params, updates, scale, strict=True):
                if p in lr_scale:
                    s = lr_scale[p].reshape(-1, *([1] * (p.ndim - 1)))
                    p.sub_(update * (lr * s))
                else:
                    p.add_(update, alpha=-lr)


def _stack_test(specs):
    import torch

    d = clean_data()
    ev, ea = test_noise()
    sv = torch.tensor([s.sigma_v for s in specs]).reshape(-1, 1, 1)
    sa = torch.tensor([s.sigma_a for s in specs]).reshape(-1, 1, 1)
    return d.visual_test + sv * ev, d.audio_test + sa * ea, d.y_test


def _check_config(kind, epochs, lr, batch_size, optimizer, num_steps, beta):
    check_choice("kind", kind, KINDS)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    epochs = check_int("epochs", epochs, 1, 1000)
    # above 10 every optimizer here diverges to NaN within an epoch
    lr = DEFAULT_LR[kind, optimizer] if lr is None else check_range("lr", lr, 0.0, 10.0, low_open=True)
    batch_size = check_int("batch_size", batch_size, 1, 100_000)
    num_steps = check_int("num_steps", num_steps, 1, 1000)
    beta = check_range("beta", beta, 0.0, 1.0)
    return epochs, lr, batch_size, num_steps, beta


class Trainer:
    """The network, optimizer and per-run settings of one ensemble; :meth:`step` is one update.

    ``train_runs`` drives it epoch by epoch; tests drive single steps. Arguments as in
    :func:`train_runs` (already validated there).
    """

    def __init__(
        self,
        specs,
        *,
        kind="ann",
        lr=0.02,
        optimizer="sgd",
        momentum=0.9,
        weight_decay=5e-4,
        num_steps=6,
        beta=0.9,
        gain=2.0,
    ):
        import torch

        self.specs, self.kind, self.optimizer = list(specs), kind, optimizer
        E = len(self.specs)
        seeds = [s.seed for s in self.specs]
        self.net = (
            SpikingFusionNet(seeds, num_steps=num_steps, beta=beta, gain=gain)
            if kind == "snn"
            else FusionNet(seeds)
        )
        self.opt = Optimizer(
            self.net.parameters(),
            kind="sgd" if optimizer == "sgd" else "adam",
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
        )
        self.fusion = self.net.fusion_parameters()
        self.gens_data = [run_generator(s, 1) for s in seeds]
        self.gens_noise = [run_generator(s, 2) for s in seeds]
        self.sig_v = torch.tensor([s.sigma_v for s in self.specs]).reshape(E, 1, 1)
        self.sig_a = torch.tensor([s.sigma_a for s in self.specs]).reshape(E, 1, 1)
        self.weights = torch.tensor([s.loss_weights for s in self.specs])
        self.detach = torch.tensor([s.aux_mode == "detached" for s in self.specs])
        self.use_k = torch.tensor([s.applies_k for s in self.specs])
        self.k_scale = torch.tensor([s.k_scale for s in self.specs])
        self.k_const = torch.tensor([float("nan") if s.k_const is None else s.k_const for s in self.specs])
        self.start = torch.tensor([s.iemf_start for s in self.specs])
        self.noise_on = torch.tensor([s.grad_noise for s in self.specs])

    def epoch_data(self):
        """Fresh training noise and batch order for every run (from its own data generator):
        (visual, audio, labels), shapes (E, N, 64), (E, N, 32), (E, N)."""
        import torch

        d = clean_data()
        n = len(d.y_train)
        perms, xv, xa = [], [], []
        for e, g in enumerate(self.gens_data):
            perm = torch.randperm(n, generator=g)
            ev = torch.randn(d.visual_train.shape, generator=g)
            ea = torch.randn(d.audio_train.shape, generator=g)
            perms.append(perm)
            xv.append((d.visual_train + self.sig_v[e] * ev)[perm])
            xa.append((d.audio_train + self.sig_a[e] * ea)[perm])
        return torch.stack(xv), torch.stack(xa), torch.stack([d.y_train[p] for p in perms])

    def step(self, xv, xa, y, epoch: int) -> dict:
        """One batch: forward, loss, backward, IEMF modulation of the fusion head, optimizer step.

        Returns per-run tensors: ``loss``, ``rho``, ``k`` (computed, with the k scale) and
        ``k_eff`` (applied: k, or ``k_const``, where IEMF is on and ``epoch >= iemf_start``, else 1).
        """
        import torch
        import torch.nn.functional as F

        out = self.net(xv, xa, self.detach)
        # per-sample negative log-likelihood of the true class, (E, B) per pathway
        idx = y.unsqueeze(-1)
        nll = [-F.log_softmax(out[m], dim=-1).gather(-1, idx).squeeze(-1) for m in ("av", "a", "v")]
        loss = (self.weights * torch.stack([x.mean(1) for x in nll], dim=1)).sum(1)
        self.opt.zero_grad()
        loss.sum().backward()
        # strengths s_m = sum_i softmax(o_m)_y = sum_i exp(-nll)
        s_av, s_a, s_v = (torch.exp(-x.detach()).sum(1) for x in nll)
        rho, k = iemf.k_from_strengths(s_a, s_v, s_av, self.k_scale)
        active = self.use_k & (epoch >= self.start)
        k_eff = torch.where(
            active, torch.where(torch.isnan(self.k_const), k, self.k_const.to(k.dtype)), torch.ones_like(k)
        )
        scale_lr = self.optimizer == "adam"  # Adam: k scales the learning rate, not the gradient
        iemf.modulate_fusion_grads(
            self.fusion, 1.0 if scale_lr else k_eff, noise=active & self.noise_on, generators=self.gens_noise
        )
        self.opt.step({p: k_eff for p in self.fusion} if scale_lr else None)
        return dict(loss=loss.detach(), rho=rho, k=k, k_eff=k_eff)

    def evaluate(self) -> dict:
        """Test accuracy of the fused and the unimodal heads (numpy, per run) and the outputs."""
        import torch

        xv, xa, y = _stack_test(self.specs)
        self.net.eval()
        with torch.no_grad():
            out = self.net(xv, xa, self.detach)
        self.net.train()
        acc = {m: (out[m].argmax(-1) == y).float().mean(1).numpy() for m in ("av", "a", "v")}
        acc["fused"] = np.array(
            [
                acc["v"][e]
                if s.condition == "visual_only"
                else acc["a"][e]
                if s.condition == "audio_only"
                else acc["av"][e]
                for e, s in enumerate(self.specs)
            ]
        )
        return dict(acc=acc, out=out)


def train_runs(
    specs,
    *,
    kind: str = "ann",
    epochs: int = 30,
    lr: float | None = None,
    batch_size: int = 64,
    optimizer: str = "sgd",
    momentum: float = 0.9,
    weight_decay: float = 5e-4,
    num_steps: int = 6,
    beta: float = 0.9,
    gain: float = 2.0,
    parallel: str | Backend | None = None,
    show_progress: bool = True,
    desc: str | None = None,
) -> Ensemble:
    """Train the runs ``specs`` (a list of :class:`RunSpec`) side by side; see the module doc.

    ``lr=None`` takes :data:`DEFAULT_LR` (SGD: 0.02 for the ANN, 0.1 for the SNN).
    ``kind="snn"`` uses spiking encoders with ``num_steps`` steps and membrane decay ``beta``
    (``gain`` scales the input current). Deterministic: the same specs and settings give the
    same result, and each run's result does not depend on the other runs in ``specs``.
    Runs on one torch thread (faster for models this small on a 2-core machine). With a
    ``parallel`` backend other than serial (see :mod:`bioviz.parallel`) the runs are split into
    one contiguous group per worker, trained there, and joined in the order of ``specs``.
    """
    import torch

    specs = list(specs)
    if not specs:
        raise ValueError("specs must not be empty")
    for s in specs:
        if not isinstance(s, RunSpec):
            raise ValueError(f"specs must hold RunSpec objects, got {s!r}")
    epochs, lr, batch_size, num_steps, beta = _check_config(
        kind, epochs, lr, batch_size, optimizer, num_steps, beta
    )
    momentum = check_range("momentum", momentum, 0.0, 1.0, high_open=True)
    weight_decay = check_range("weight_decay", weight_decay, 0.0, 1.0)
    gain = check_positive("gain", check_number("gain", gain))
    config = dict(
        kind=kind,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        optimizer=optimizer,
        momentum=momentum,
        weight_decay=weight_decay,
        num_steps=num_steps,
        beta=beta,
        gain=gain,
    )
    E = len(specs)
    t0 = time.perf_counter()
    backend = resolve(parallel)
    if backend.kind != "serial" and E > 1:
        groups = np.array_split(np.arange(E), min(backend.n_workers, E))
        parts = pmap(
            train_runs,
            [dict(config, specs=[specs[i] for i in g], show_progress=False, parallel="serial") for g in groups],
            unpack=True,
            parallel=backend,
            desc=desc or f"training {E} {kind.upper()} run(s) on {len(groups)} workers",
            show_progress=show_progress,
        )
        return Ensemble.concat(parts, seconds=time.perf_counter() - t0)
    with torch_threads(1):
        tr = Trainer(
            specs,
            kind=kind,
            lr=lr,
            optimizer=optimizer,
            momentum=momentum,
            weight_decay=weight_decay,
            num_steps=num_steps,
            beta=beta,
            gain=gain,
        )
        hist = {
            name: np.zeros((E, epochs)) for name in ("test_acc", "acc_a", "acc_v", "k", "k_applied", "rho", "loss")
        }
        bar = progress(
            range(epochs), desc=desc or f"training {E} {kind.upper()} run(s)", disable=not show_progress
        )
        for epoch in bar:
            xv, xa, y = tr.epoch_data()
            sums = {name: torch.zeros(E, dtype=torch.float64) for name in ("k", "k_eff", "rho", "loss")}
            n_batches = 0
            for i in range(0, y.shape[1], batch_size):
                got = tr.step(
                    xv[:, i : i + batch_size], xa[:, i : i + batch_size], y[:, i : i + batch_size], epoch
                )
                for name in sums:
                    sums[name] += got[name].double()
                n_batches += 1
            for name, key in (("k", "k"), ("k_applied", "k_eff"), ("rho", "rho"), ("loss", "loss")):
                hist[name][:, epoch] = (sums[key] / n_batches).numpy()
            ev = tr.evaluate()
            hist["test_acc"][:, epoch] = ev["acc"]["fused"]
            hist["acc_a"][:, epoch], hist["acc_v"][:, epoch] = ev["acc"]["a"], ev["acc"]["v"]
        seconds = time.perf_counter() - t0
        result = Ensemble(
            specs=specs,
            config=config,
            seconds=seconds,
            n_params=sum(p[0].numel() for p in tr.net.parameters()),
            **hist,
        )
        if kind == "snn":
            sv, sa = ev["out"]["spikes_v"], ev["out"]["spikes_a"]
            result.spikes = torch.stack([sv.mean(1), sa.mean(1)], dim=1).numpy()
            result.spike_counts = (sv + sa).numpy()
            neurons = 2 * (HIDDEN + FEATURES)
            result.firing_prob = ((sv + sa).mean(1) / (num_steps * neurons)).numpy()
    return result


def train(
    condition: str = "iemf",
    *,
    sigma_v: float = 0.8,
    sigma_a: float = 0.8,
    seed: int = 0,
    k_scale: float = 1.0,
    iemf_start: int = 0,
    grad_noise: bool = False,
    aux: str | None = None,
    use_k: bool | None = None,
    k_const: float | None = None,
    **kwargs,
) -> RunResult:
    """Train one run (see :class:`RunSpec` and :func:`train_runs` for the arguments)."""
    spec = RunSpec(condition, sigma_v, sigma_a, seed, k_scale, iemf_start, grad_noise, aux, use_k, k_const)
    return train_runs([spec], **kwargs).run(0)


def grid(conditions=CONDITIONS, sigmas=(0.8,), seeds=(0, 1, 2), **spec_kwargs) -> list[RunSpec]:
    """Specs for every (condition, sigma, seed); sigma is used for both modalities."""
    for c in conditions:
        check_choice("condition", c, CONDITIONS + UNIMODAL + CONTROLS)
    return [RunSpec(c, s, s, seed, **spec_kwargs) for s in sigmas for c in conditions for seed in seeds]


def first_update_ratio(optimizer: str = "sgd", *, k_scale: float = 3.0, sigma: float = 0.8, seed: int = 0) -> dict:
    """How much larger IEMF makes the fusion head's first update, per optimizer.

    Takes one step of an ``iemf`` run and of its ``joint`` twin (same seed, same batch, no
    weight decay) and returns the applied ``k`` and the ratio of the two fusion-weight updates
    (median over weights). SGD and ``adam`` (k scales the learning rate) give ratio = k;
    ``adam_gradscale`` (k scales the gradient) gives ~1: Adam's normalisation cancels it.
    """

    check_choice("optimizer", optimizer, OPTIMIZERS)
    deltas, k = {}, None
    for condition in ("joint", "iemf"):
        spec = RunSpec(condition, sigma, sigma, seed, k_scale=k_scale)
        with torch_threads(1):
            tr = Trainer([spec], lr=DEFAULT_LR["ann", optimizer], optimizer=optimizer, weight_decay=0.0)
            w0 = tr.net.fusion.weight.detach().clone()
            xv, xa, y = tr.epoch_data()
            got = tr.step(xv[:, :64], xa[:, :64], y[:, :64], epoch=0)
        deltas[condition] = (tr.net.fusion.weight.detach() - w0).double()
        if condition == "iemf":
            k = float(got["k_eff"][0])
    big = deltas["joint"].abs() > 0.5 * deltas["joint"].abs().median()
    ratio = float((deltas["iemf"][big] / deltas["joint"][big]).median())
    return dict(optimizer=optimizer, k=k, ratio=ratio)


def epochs_to_target(curve, target: float):
    """First epoch (1-based) at which ``curve`` reaches ``target``; ``None`` if it never does."""
    curve = np.asarray(curve, dtype=float)
    hit = np.flatnonzero(curve >= target)
    return int(hit[0]) + 1 if hit.size else None
