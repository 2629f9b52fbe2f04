r"""Three small networks on sklearn's digits: standard, stochastic (V1-like noise), adversarially trained.

Every model has the same four stages (and these are the *layers* the geometry is measured on):

``pixels`` (64) -> ``front`` (256, fixed) -> ``hidden`` (128, ReLU, trained) -> ``logits`` (10, trained)

**The fixed front end** (never trained, like VOneNet's VOneBlock) is by default a random
projection, :math:`a = g\,[Wx + b]_+` with :math:`W_{ij} \sim \mathcal N(0,
1/64)`, :math:`b_i \sim U(-0.1, 0.1)` and gain :math:`g = 2` (256 units). ``front="gabor"`` is a
miniature VOneBlock instead: Gabor filters on a 4x4 grid of positions over the 8x8 digit, 4
orientations x 2 spatial frequencies; for each even/odd pair :math:`g_0, g_1` a *simple cell*
:math:`g\,[g_0\cdot x]_+` and a *complex cell* :math:`g\sqrt{(g_0\cdot x)^2 + (g_1\cdot
x)^2}/\sqrt 2` (quadrature energy): 16 positions x 8 filters x 2 cell types = 256 units. With
the Gabor front the standard network is already more robust and the noise adds little (the
report's section 8(e)), so the bounds of the tests use the random front.

**Noise** (the stochastic model; on in training *and* at test) is Poisson-like, variance growing
with the mean:

.. math:: a \leftarrow \left[a + \sigma \sqrt{[a]_+ + c}\;\xi\right]_+, \qquad \xi \sim \mathcal N(0, 1),

with :math:`c = 0.1`. VOneBlock's "neuronal" noise is this form with
:math:`\sigma = 1/\sqrt{n_s}` and :math:`c = n_l/n_s` (:math:`n_s = 0.35, n_l = 0.07` give
:math:`\sigma = 1.69, c = 0.2` on VOneNet's activation scale). ``noise="gaussian"`` adds
fixed-size noise :math:`\sigma\xi` instead. ``sigma = 0`` is the deterministic standard model.

**Training**: Adam (lr 2e-3), 20 epochs, batches of 64, cross-entropy; the adversarially trained
(AT) model is trained on 5-step L-inf PGD examples at eps = 0.1 (Madry et al. 2018), made
afresh for every batch. Data: the 1,797 bundled 8x8 digits scaled to [0, 1], 70/30 stratified
split (the "test30" split of :func:`bioviz.data.digits`).

Every model is trained once per process (:func:`trained`, a ``functools.cache``). Tiny models
run much faster on one torch thread here (``bioviz.runtime.torch_threads``). On a machine with
CUDA, :func:`device` picks the GPU; :data:`PAPER_SCALE` is a bigger configuration (a 4x wider
front end, more hidden units, 9x shift-augmented data, more epochs) meant for such readers.

>>> cfg = config("stochastic", 1.0)
>>> cfg.front, cfg.n_random, cfg.hidden, cfg.sigma
('random', 256, 128, 1.0)
>>> m = trained("stochastic", 1.0)                        # doctest: +SKIP
>>> m.net.layers(models.data()[1])["front"].shape          # doctest: +SKIP
torch.Size([540, 256])
"""

from __future__ import annotations

import functools
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from bioviz.data import digits
from bioviz.geometry import attacks
from bioviz.runtime import fit, torch_threads
from bioviz.validation import check_bool, check_choice, check_int, check_positive, check_seed

KINDS = ("standard", "stochastic", "adversarial")
FRONTS = ("gabor", "random")
NOISES = ("poisson", "gaussian")
LAYERS = ("pixels", "front", "hidden", "logits")
#: Noise levels trained for the sigma sliders and the accuracy-vs-sigma sweep.
SIGMAS = (0.5, 1.0, 1.5, 2.0)
POISSON_OFFSET = 0.1


def check_sigma(sigma) -> float:
    """A noise level: a finite number >= 0 (0 = no noise)."""
    return check_positive("sigma", sigma, allow_zero=True)


def device(prefer_cuda: bool = True):
    """``torch.device('cuda')`` when a GPU is present (and wanted), else the CPU."""
    prefer_cuda = check_bool("prefer_cuda", prefer_cuda)
    return torch.device("cuda" if prefer_cuda and torch.cuda.is_available() else "cpu")


# ---------------------------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class Config:
    """Everything that defines a trained model (hashable: the per-process cache key).

    ``kind`` is one of :data:`KINDS`; ``sigma`` the noise level (0 for standard and AT);
    ``at_eps``/``at_steps`` the PGD used for adversarial training; ``augment`` the number of
    one-pixel shifts added per training image (0 here, 8 at paper scale).
    """

    kind: str = "standard"
    sigma: float = 0.0
    noise: str = "poisson"
    front: str = "random"
    n_orient: int = 4
    freqs: tuple = (0.18, 0.32)
    gabor_width: float = 1.2
    grid: int = 4
    gain: float = 2.0
    n_random: int = 256
    hidden: int = 128
    epochs: int = 20
    lr: float = 2e-3
    batch_size: int = 64
    at_eps: float = 0.1
    at_steps: int = 5
    augment: int = 0
    seed: int = 0

    def __post_init__(self):
        check_choice("kind", self.kind, KINDS)
        check_choice("noise", self.noise, NOISES)
        check_choice("front", self.front, FRONTS)
        check_sigma(self.sigma)
        if self.kind == "stochastic" and self.sigma == 0:
            raise ValueError("sigma must be > 0 for a stochastic model, got 0")
        if self.kind != "stochastic" and self.sigma != 0:
            raise ValueError(f"sigma must be 0 for a {self.kind} model, got {self.sigma}")
        check_int("n_orient", self.n_orient, 1)
        check_int("grid", self.grid, 1)
        check_int("hidden", self.hidden, 1)
        check_int("epochs", self.epochs, 1)
        check_int("batch_size", self.batch_size, 1)
        check_int("augment", self.augment, 0, 8)
        check_positive("lr", self.lr)
        check_positive("gain", self.gain)
        check_positive("gabor_width", self.gabor_width)
        check_positive("at_eps", self.at_eps, allow_zero=True)
        check_int("at_steps", self.at_steps, 1)
        check_seed(self.seed)
        for f in self.freqs:
            check_positive("freqs", f)


def config(kind: str = "standard", sigma: float | None = None, seed: int = 0, **overrides) -> Config:
    """A :class:`Config` for ``kind``; ``sigma`` defaults to 1 for the stochastic model, else 0."""
    if sigma is None:
        sigma = 1.0 if kind == "stochastic" else 0.0
    return Config(kind=kind, sigma=check_sigma(sigma), seed=seed, **overrides)


#: A bigger miniature for readers with a GPU: a 4x wider front end (1,024 random units, or
#: 8 orientations x 3 frequencies = 768 Gabor units), 512 hidden units, every digit also
#: shifted by one pixel in 8 directions (9x the data), 40 epochs, 10-step PGD for AT.
#: Use as ``trained("stochastic", **PAPER_SCALE)``.
PAPER_SCALE = dict(
    n_random=1024, n_orient=8, freqs=(0.14, 0.22, 0.32), hidden=512, epochs=40, augment=8, at_steps=10
)


# ---------------------------------------------------------------------------------------------
# the fixed front end


def gabor_bank(
    n_orient: int = 4, freqs=(0.18, 0.32), width: float = 1.2, grid: int = 4, size: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    r"""Even and odd Gabor filters on a ``grid`` x ``grid`` lattice over a ``size`` x ``size`` image.

    :math:`g(x, y) = \exp(-r^2 / 2w^2) \cos(2\pi f u + \phi)` with :math:`u` the coordinate
    along orientation :math:`\theta`, :math:`\phi = 0` (even) or :math:`\pi/2` (odd); each
    filter has zero mean (no response to a uniform image) and unit norm.
    Returns two arrays of shape ``(grid*grid*n_orient*len(freqs), size*size)``.

    >>> g0, g1 = gabor_bank()
    >>> g0.shape, bool(np.allclose(np.linalg.norm(g0, axis=1), 1))
    ((128, 64), True)
    """
    ys, xs = np.mgrid[0:size, 0:size].astype(float)
    centres = (np.arange(grid) + 0.5) * size / grid - 0.5
    rows = {0: [], 1: []}
    for cy in centres:
        for cx in centres:
            for theta in np.arange(n_orient) * np.pi / n_orient:
                u = (xs - cx) * np.cos(theta) + (ys - cy) * np.sin(theta)
                env = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * width**2))
                for f in freqs:
                    for q, phase in ((0, 0.0), (1, np.pi / 2)):
                        g = env * np.cos(2 * np.pi * f * u + phase)
                        g = g - env * (g.sum() / env.sum())  # zero mean under the envelope
                        rows[q].append((g / np.linalg.norm(g)).ravel())
    return np.array(rows[0]), np.array(rows[1])


def _front_weights(cfg: Config):
    """Fixed front-end matrices as float32 arrays (deterministic in ``cfg``)."""
    if cfg.front == "gabor":
        g0, g1 = gabor_bank(cfg.n_orient, cfg.freqs, cfg.gabor_width, cfg.grid)
        return {"g0": g0.astype(np.float32), "g1": g1.astype(np.float32)}
    rng = np.random.default_rng(10_000 + cfg.seed)
    w = rng.standard_normal((cfg.n_random, 64)) / np.sqrt(64)
    b = rng.uniform(-0.1, 0.1, cfg.n_random)
    return {"w": w.astype(np.float32), "b": b.astype(np.float32)}


# ---------------------------------------------------------------------------------------------
# the network


def poisson_like(a, sigma: float, xi, offset: float = POISSON_OFFSET):
    r"""Poisson-like noise on front-end rates ``a`` with standard-normal draws ``xi`` (same shape):
    :math:`[a + \sigma\sqrt{[a]_+ + c}\,\xi]_+`, so the variance before rectification is
    :math:`\sigma^2([a]_+ + c)`, growing with the mean (numpy arrays or torch tensors).

    >>> a = np.array([0.0, 1.0, 4.0])
    >>> poisson_like(a, 1.0, np.array([1.0, 1.0, -1.0]), offset=0.0).tolist()
    [0.0, 2.0, 2.0]
    """
    if isinstance(a, torch.Tensor):
        return torch.relu(a + sigma * torch.sqrt(torch.relu(a) + offset) * xi)
    a = np.asarray(a, dtype=float)
    return np.maximum(a + sigma * np.sqrt(np.maximum(a, 0.0) + offset) * np.asarray(xi, dtype=float), 0.0)


class Net(nn.Module):
    """pixels -> fixed front (+ noise) -> hidden -> logits; see the module docstring."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        for name, value in _front_weights(cfg).items():
            self.register_buffer(name, torch.from_numpy(value))
        n_front = self.g0.shape[0] * 2 if cfg.front == "gabor" else cfg.n_random
        self.n_front = n_front
        self.fc1 = nn.Linear(n_front, cfg.hidden)
        self.fc2 = nn.Linear(cfg.hidden, 10)

    @property
    def stochastic(self) -> bool:
        return self.cfg.sigma > 0

    def front(self, x):
        """The fixed V1-like stage, before noise."""
        if self.cfg.front == "gabor":
            q0, q1 = x @ self.g0.T, x @ self.g1.T
            simple = torch.relu(q0)
            complex_ = torch.sqrt(1e-5 + q0**2 + q1**2) / np.sqrt(2)
            return self.cfg.gain * torch.cat([simple, complex_], dim=1)
        return self.cfg.gain * torch.relu(x @ self.w.T + self.b)

    def noise(self, a, generator=None):
        """Poisson-like (or Gaussian) noise; the identity when ``sigma = 0``."""
        if not self.stochastic:
            return a
        xi = torch.randn(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        if self.cfg.noise == "poisson":
            return poisson_like(a, self.cfg.sigma, xi)
        return torch.relu(a + self.cfg.sigma * xi)

    def layers(self, x, generator=None) -> dict:
        """Activations of every layer of :data:`LAYERS` (one noise draw per row)."""
        front = self.noise(self.front(x), generator)
        hidden = torch.relu(self.fc1(front))
        return {"pixels": x, "front": front, "hidden": hidden, "logits": self.fc2(hidden)}

    def forward(self, x, generator=None):
        return self.fc2(torch.relu(self.fc1(self.noise(self.front(x), generator))))


@dataclass
class Model:
    """A trained network with its configuration, training history and timing.

    ``net`` is the torch module (call ``net(x, generator)`` for logits, ``net.layers(...)`` for
    every layer); ``history`` has per-epoch ``loss`` and (single-draw) ``test_acc``.
    """

    cfg: Config
    net: object = field(repr=False)
    history: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return self.cfg.kind if self.cfg.kind != "stochastic" else f"stochastic σ={self.cfg.sigma:g}"

    @property
    def stochastic(self) -> bool:
        return self.cfg.sigma > 0

    @property
    def device(self):
        return next(self.net.parameters()).device


@functools.cache
def data(dev: str = "cpu", augment: int = 0):
    """``(x_train, x_test, y_train, y_test)`` as torch tensors on ``dev``.

    ``augment`` (0-8) adds that many one-pixel shifts of every training digit (zero-padded).
    """
    augment = check_int("augment", augment, 0, 8)
    f = functools.partial(torch.tensor, dtype=torch.float32)
    Xtr, Xte, ytr, yte = (f(a) if a.dtype.kind == "f" else torch.tensor(a) for a in digits("test30"))
    if augment:
        imgs = Xtr.reshape(-1, 8, 8)
        shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]
        extra = []
        for dy, dx in shifts[:augment]:
            moved = torch.zeros_like(imgs)
            ys = slice(max(dy, 0), 8 + min(dy, 0))
            yd = slice(max(-dy, 0), 8 + min(-dy, 0))
            xs_ = slice(max(dx, 0), 8 + min(dx, 0))
            xd = slice(max(-dx, 0), 8 + min(-dx, 0))
            moved[:, ys, xs_] = imgs[:, yd, xd]
            extra.append(moved.reshape(-1, 64))
        Xtr = torch.cat([Xtr, *extra])
        ytr = ytr.repeat(augment + 1)
    return tuple(t.to(dev) for t in (Xtr, Xte, ytr, yte))


@functools.cache
def _warm_up(dev: str) -> None:
    """A few throw-away Adam steps, once per process and device, before any timed training.

    The first backward pass and optimiser step in a process pay for torch's lazy set-up (about
    2 s here); without this the first model trained would look several times slower than it is.
    """
    with torch_threads(1):
        gen = torch.Generator(device=dev).manual_seed(0)
        net = Net(Config()).to(dev)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x = torch.rand((64, 64), generator=gen, device=dev)
        y = torch.randint(0, 10, (64,), generator=gen, device=dev)
        for _ in range(3):
            xa = x.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(torch.nn.functional.cross_entropy(net(xa), y), xa)
            loss = torch.nn.functional.cross_entropy(net(x + 0.01 * g.sign()), y)
            opt.zero_grad()
            loss.backward()
            opt.step()


def train(cfg: Config | None = None, *, dev=None, show_progress: bool = True, **kwargs) -> Model:
    """Train one model (``cfg``, or ``config(**kwargs)``); deterministic for a given seed on a device.

    ``Model.seconds`` is the training time after a one-off warm-up of torch (:func:`_warm_up`).

    >>> m = train(config("standard", epochs=1))   # doctest: +SKIP
    """
    cfg = cfg if cfg is not None else config(**kwargs)
    dev = torch.device(dev) if dev is not None else device()
    Xtr, Xte, ytr, yte = data(str(dev), cfg.augment)
    _warm_up(str(dev))
    t0 = time.perf_counter()
    with torch_threads(1):
        torch.manual_seed(cfg.seed)
        net = Net(cfg).to(dev)
        gen = torch.Generator(device=dev).manual_seed(cfg.seed)

        def batch_loss(xb, yb):
            if cfg.kind == "adversarial" and cfg.at_eps > 0:  # train on PGD examples made now
                xb = attacks.pgd_module(
                    net, xb, yb, cfg.at_eps, cfg.at_steps, 2.5 * cfg.at_eps / cfg.at_steps, 1, True, gen
                )
            return torch.nn.functional.cross_entropy(net(xb, gen), yb)

        def evaluate():
            net.eval()
            with torch.no_grad():
                return {"test_acc": float((net(Xte, gen).argmax(1) == yte).float().mean())}

        history = fit(
            net,
            Xtr,
            ytr,
            batch_loss,
            evaluate,
            epochs=cfg.epochs,
            batch_size=cfg.batch_size,
            lr=cfg.lr,
            generator=gen,
            desc=f"training {Model(cfg, net).name}",
            show_progress=show_progress,
        )
    for p in net.parameters():
        p.requires_grad_(False)
    return Model(cfg, net, history, time.perf_counter() - t0)


@functools.cache
def _trained(cfg: Config, dev: str) -> Model:
    return train(cfg, dev=dev)


def trained(kind: str = "standard", sigma: float | None = None, seed: int = 0, **overrides) -> Model:
    """The model for ``kind`` (and ``sigma``, ``seed``), trained on first use and cached per process.

    Treat the returned model as read-only: it is shared by every caller in this process.
    """
    cfg = config(kind, sigma, seed, **overrides)
    return _trained(cfg, str(device()))


def describe(cfg: Config) -> dict:
    """The configuration as a plain dict (for tables and reports)."""
    return asdict(cfg)


__all__ = [
    "check_sigma",
    "KINDS",
    "FRONTS",
    "NOISES",
    "LAYERS",
    "SIGMAS",
    "PAPER_SCALE",
    "Config",
    "Model",
    "config",
    "data",
    "device",
    "gabor_bank",
    "train",
    "trained",
    "describe",
]
