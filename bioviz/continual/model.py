"""Continual learning on permuted digits, with Hebbian orthogonal projection (HLOP).

Xiao, Meng, Zhang, He & Lin, "Hebbian learning based orthogonal projection for continual learning
of spiking neural networks" (ICLR 2024).

**Tasks.** Task 0 is scikit-learn's 8x8 digits; task ``t > 0`` is the same digits with their 64
pixels shuffled by a fixed permutation (one per task, drawn from the seed). All tasks share one
10-way readout, so a network trained on task 1 is asked the same question as on task 0 with a
different input code.

**Network.** A two-layer perceptron :math:`h = \\mathrm{ReLU}(W_1 x)`, logits :math:`W_2 h`, no
biases (a bias is a weight on a constant input; leaving it out keeps every weight update of the
form below), trained by mini-batch SGD with momentum on the cross-entropy, one task after the
other.

**Projection.** The gradient of a linear layer is a sum over the batch of outer products
:math:`\\nabla W = \\sum_b \\delta_b x_b^\\top` (error times presynaptic input). If the rows of
``H`` are an orthonormal basis of the inputs the old tasks gave this layer, then using the
*projected* input :math:`\\tilde x = x - H^\\top H x` instead of ``x``,

.. math:: \\Delta W = -\\eta \\sum_b \\delta_b \\tilde x_b^\\top,

changes :math:`W x_{\\mathrm{old}}` by :math:`\\Delta W x_{\\mathrm{old}} = 0` for every old
input in that subspace: the old tasks' responses stay as they were.

**Hebbian subspace.** HLOP finds ``H`` without storing any data: lateral neurons
:math:`y = H x` learn by the Oja-subspace rule

.. math:: \\Delta H = \\eta_H \\langle y\\,(x - H^\\top y)^\\top \\rangle_{\\text{batch}},

which converges to an orthonormal basis of the inputs' principal subspace. After each task,
``k`` new rows are added per layer and learn on that task's inputs while the rows of the old
tasks stay frozen (they take part in the reconstruction :math:`H^\\top y`, so the new rows learn
what the old ones do not yet span). The rate is divided by the mean :math:`\\|x\\|^2` of the
inputs; without it the rule diverges on inputs of a large norm (the hidden layer's).

**Baselines.** ``"finetune"`` trains each task with the plain gradient (catastrophic forgetting);
``"exact"`` replaces the Hebbian rows by the top singular vectors of each task's inputs (what is
left of them outside the old basis), as gradient projection memory (GPM) does: the upper bound
of the Hebbian estimate with the same number of rows.

**Metrics** (Lopez-Paz & Ranzato, GEM, 2017): ``R[i, j]`` is the test accuracy on task ``j``
after training task ``i``; ``ACC`` is the mean of the last row, ``BWT`` the mean over the old
tasks of ``R[T-1, j] - R[j, j]`` (negative: forgetting).

>>> r = run_sequence("hlop", n_tasks=3, seed=0, show_progress=False)
>>> r.R.shape, bool(r.acc > run_sequence("finetune", n_tasks=3, seed=0, show_progress=False).acc)
((3, 3), True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bioviz.data import digits
from bioviz.runtime import blas_threads, memo, progress
from bioviz.validation import check_bool, check_choice, check_int, check_range, check_seed

N_IN = 64
HIDDEN = 200
N_CLASSES = 10
METHODS = ("finetune", "hlop", "exact")
#: Subspace rows added per task: input layer, hidden layer (the hidden layer has ~3x the width).
ROWS = (10, 30)
EPOCHS = 8
LR = 0.05
MOMENTUM = 0.9
BATCH = 32
#: Oja-subspace learning per task and layer: mini-batches, and the rate (times 1 / E||x||^2).
OJA_ITERS = 1000
OJA_RATE = 1.0
MAX_TASKS = 10


# ---------------------------------------------------------------------------------------------
# tasks


@dataclass(frozen=True)
class Tasks:
    """``n`` permuted-digit tasks: ``perms[t]`` reorders the pixels of task ``t`` (task 0: none)."""

    perms: np.ndarray
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def n(self) -> int:
        return len(self.perms)

    def train(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        return self.X_train[:, self.perms[t]], self.y_train

    def test(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        return self.X_test[:, self.perms[t]], self.y_test


def tasks(n_tasks: int = 4, seed: int = 0) -> Tasks:
    """Task 0 and ``n_tasks - 1`` pixel permutations drawn from ``seed`` (the ``test30`` split)."""
    n_tasks = check_int("n_tasks", n_tasks, 1, MAX_TASKS)
    rng = np.random.default_rng(check_seed(seed) + 10_000)
    perms = np.stack([np.arange(N_IN)] + [rng.permutation(N_IN) for _ in range(n_tasks - 1)])
    X_train, X_test, y_train, y_test = digits("test30")
    as64 = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    return Tasks(perms, as64(X_train), np.asarray(y_train), as64(X_test), np.asarray(y_test))


# ---------------------------------------------------------------------------------------------
# the network


@dataclass
class MLP:
    """``logits = W2 @ relu(W1 @ x)``; weights ``W1`` (hidden, 64) and ``W2`` (10, hidden)."""

    W1: np.ndarray
    W2: np.ndarray

    @classmethod
    def init(cls, seed: int = 0, hidden: int = HIDDEN) -> MLP:
        rng = np.random.default_rng(check_seed(seed))
        return cls(
            rng.normal(0, np.sqrt(2 / N_IN), (hidden, N_IN)),
            rng.normal(0, np.sqrt(1 / hidden), (N_CLASSES, hidden)),
        )

    def hidden(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x @ self.W1.T, 0.0)

    def logits(self, x: np.ndarray) -> np.ndarray:
        return self.hidden(x) @ self.W2.T

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        return float((self.logits(x).argmax(1) == y).mean())

    def copy(self) -> MLP:
        return MLP(self.W1.copy(), self.W2.copy())


def errors(net: MLP, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Back-propagation of the mean cross-entropy: ``(delta1, h, delta2)`` with ``delta2`` the
    error at the logits (divided by the batch size) and ``delta1`` the error at the hidden
    pre-activations; the gradients are ``delta1.T @ x`` and ``delta2.T @ h``."""
    h = net.hidden(x)
    z = h @ net.W2.T
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    delta2 = p / len(y)
    delta1 = (delta2 @ net.W2) * (h > 0)
    return delta1, h, delta2


def projected_gradient(delta: np.ndarray, x: np.ndarray, H: np.ndarray) -> np.ndarray:
    """``delta.T @ (x - x @ H.T @ H)``: the gradient of a linear layer with the presynaptic input
    projected out of the row space of ``H`` (orthonormal rows; zero rows: the plain gradient).

    >>> H = np.array([[1.0, 0.0]])
    >>> projected_gradient(np.array([[2.0]]), np.array([[3.0, 4.0]]), H)
    array([[0., 8.]])
    """
    x_tilde = x - (x @ H.T) @ H
    return delta.T @ x_tilde


def oja_step(H: np.ndarray, x: np.ndarray, rate: float, n_frozen: int = 0) -> np.ndarray:
    """One Oja-subspace update of the rows ``H[n_frozen:]`` on a batch ``x`` (rows: samples):
    ``y = x @ H.T``, ``H_new += rate * y_new.T @ (x - y @ H) / batch``. The first ``n_frozen``
    rows (old tasks) take part in the reconstruction ``y @ H`` but do not change. Returns a new
    array.

    >>> H = oja_step(np.array([[0.6, 0.0]]), np.array([[1.0, 0.0]]), 0.5)
    >>> H.round(3).tolist()
    [[0.792, 0.0]]
    """
    y = x @ H.T
    residual = x - y @ H
    out = H.copy()
    out[n_frozen:] += rate * (y[:, n_frozen:].T @ residual) / len(x)
    return out


def check_rows(rows) -> tuple[int, int]:
    """Rows per task as ``(input layer, hidden layer)``; one int ``r`` means ``(r, 3 r)``."""
    if isinstance(rows, int | np.integer) and not isinstance(rows, bool):
        rows = (int(rows), 3 * int(rows))
    if not isinstance(rows, tuple | list) or len(rows) != 2:
        raise ValueError(f"rows must be an int or a pair of ints (input layer, hidden layer), got {rows!r}")
    return tuple(check_int("rows", r, 0, HIDDEN) for r in rows)


def check_capacity(rows: int, n_tasks: int, dim: int, layer: str = "layer") -> None:
    """Raise a ValueError when ``rows`` per task over ``n_tasks`` tasks fill the ``dim``-dimensional
    input space of a layer (no direction would be left for learning)."""
    if rows * n_tasks >= dim:
        raise ValueError(
            f"the {layer} subspace is overfilled: {rows} rows per task x {n_tasks} tasks = {rows * n_tasks} "
            f">= its input dimension {dim}, so no direction is left for a new task to learn in; use at most "
            f"{(dim - 1) // n_tasks} rows per task for {n_tasks} tasks, or fewer tasks"
        )


# ---------------------------------------------------------------------------------------------
# subspaces


def learn_subspace(
    X: np.ndarray,
    H_old: np.ndarray,
    k: int,
    *,
    iters: int = OJA_ITERS,
    rate: float = OJA_RATE,
    batch: int = BATCH,
    seed: int = 0,
    step: Callable = oja_step,
    normalise: bool = True,
    record: int = 0,
) -> tuple[np.ndarray, list]:
    """Add ``k`` rows to ``H_old`` (frozen) and train them by ``step`` (the Oja-subspace rule) on
    mini-batches of ``X``. The rate is divided by the mean squared norm of what the old rows leave
    of ``x`` (``x - H_old.T @ H_old @ x``, all of ``x`` for the first task) unless ``normalise``
    is False: each task's new rows then learn at the same pace. Returns ``(H, snapshots)``;
    with ``record > 0`` the new rows every ``record`` batches.
    """
    rate = check_range("rate", rate, 0.0, 1e6, low_open=True)
    iters = check_int("iters", iters, 1, 1_000_000)
    k = check_int("k", k, 1, X.shape[1] - len(H_old))
    rng = np.random.default_rng(check_seed(seed) + 777)
    n = X.shape[1]
    new = np.linalg.qr(rng.normal(size=(n, k)))[0].T  # orthonormal random rows, as the authors start
    H = np.vstack([H_old, new])
    residual = X - (X @ H_old.T) @ H_old  # what the old rows leave for the new ones to learn
    eta = rate / float((residual**2).sum(1).mean()) if normalise else rate
    with np.errstate(over="ignore", invalid="ignore"):  # a divergence is reported below, with advice
        H, snaps = _oja_loop(H, X, eta, iters, batch, len(H_old), rng, step, record)
    return H, snaps


def _oja_loop(H, X, eta, iters, batch, n_old, rng, step, record):
    snaps = []
    for i in range(iters):
        idx = rng.integers(0, len(X), batch)
        H = step(H, X[idx], eta, n_old)
        if (i % 50 == 49 or i == iters - 1) and not (np.abs(H).max() < 1e6):  # inf and nan fail too
            raise FloatingPointError(
                f"the Oja-subspace rule diverged after {i + 1} batches (rate {eta:.3g}); lower the rate or "
                "divide it by the mean squared norm of the inputs"
            )
        if record and (i + 1) % record == 0:
            snaps.append(H[n_old:].copy())
    return H, snaps


def exact_subspace(X: np.ndarray, H_old: np.ndarray, k: int) -> np.ndarray:
    """Append to ``H_old`` the top ``k`` right singular vectors of what ``X`` has outside its
    row space (GPM's basis with a fixed number of rows per task)."""
    R = X - (X @ H_old.T) @ H_old
    _, _, Vt = np.linalg.svd(R, full_matrices=False)
    return np.vstack([H_old, Vt[:k]])


def principal_angles(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Principal angles (degrees, ascending) between the row spaces of ``A`` and ``B``."""
    qa, _ = np.linalg.qr(A.T)
    qb, _ = np.linalg.qr(B.T)
    s = np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), -1.0, 1.0)
    return np.sort(np.degrees(np.arccos(s)))


def orthonormality_error(H: np.ndarray) -> float:
    """``max |H H^T - I|``: 0 for orthonormal rows."""
    return float(np.abs(H @ H.T - np.eye(len(H))).max()) if len(H) else 0.0


# ---------------------------------------------------------------------------------------------
# a task sequence


@dataclass
class Sequence:
    """One run: ``R[i, j]`` test accuracy on task ``j`` after training task ``i``, the bases
    ``H`` (input layer, hidden layer) after the last task, and the settings."""

    R: np.ndarray
    H: tuple
    net: MLP
    settings: dict = field(default_factory=dict)

    @property
    def acc(self) -> float:
        return float(self.R[-1].mean())

    @property
    def bwt(self) -> float:
        T = len(self.R)
        return float(np.mean([self.R[-1, j] - self.R[j, j] for j in range(T - 1)])) if T > 1 else 0.0

    @property
    def learned(self) -> float:
        """Mean accuracy on each task right after training it (the diagonal: plasticity)."""
        return float(np.diag(self.R).mean())


def train_task(
    net: MLP,
    X: np.ndarray,
    y: np.ndarray,
    H: tuple,
    *,
    epochs: int = EPOCHS,
    lr: float = LR,
    rng: np.random.Generator,
    gradient: Callable = projected_gradient,
) -> None:
    """SGD with momentum on one task (in place), each layer's gradient computed by ``gradient``
    with its basis (``H[0]`` input layer, ``H[1]`` hidden layer; empty: no projection)."""
    v1, v2 = np.zeros_like(net.W1), np.zeros_like(net.W2)
    for _ in range(epochs):
        perm = rng.permutation(len(X))
        for i in range(0, len(X), BATCH):
            idx = perm[i : i + BATCH]
            xb = X[idx]
            delta1, h, delta2 = errors(net, xb, y[idx])
            v1 = MOMENTUM * v1 + gradient(delta1, xb, H[0])
            v2 = MOMENTUM * v2 + gradient(delta2, h, H[1])
            net.W1 -= lr * v1
            net.W2 -= lr * v2


def run_sequence(
    method: str = "hlop",
    *,
    n_tasks: int = 4,
    rows: tuple | int = ROWS,
    project: tuple = (True, True),
    epochs: int = EPOCHS,
    oja_iters: int = OJA_ITERS,
    oja_rate: float = OJA_RATE,
    seed: int = 0,
    gradient: Callable = projected_gradient,
    step: Callable = oja_step,
    show_progress: bool = True,
) -> Sequence:
    """Train ``n_tasks`` permuted-digit tasks one after the other and test every task after each.

    ``method``: ``"finetune"`` (no projection), ``"hlop"`` (Hebbian subspaces) or ``"exact"``
    (SVD subspaces); ``rows``: rows added per task (input layer, hidden layer), or one int for the
    input layer (the hidden layer then gets 3x as many); ``project``: which layers project.
    ``gradient`` and ``step`` let a reader's own functions replace the package's.
    """
    method = check_choice("method", method, METHODS)
    n_tasks = check_int("n_tasks", n_tasks, 1, MAX_TASKS)
    k = check_rows(rows)
    project = tuple(check_bool("project", p) for p in project)
    if len(project) != 2:
        raise ValueError(f"project must be a pair of booleans (input layer, hidden layer), got {project!r}")
    epochs = check_int("epochs", epochs, 1, 100)
    oja_iters = check_int("oja_iters", oja_iters, 1, 20_000)
    oja_rate = check_range("oja_rate", oja_rate, 0.0, 2.0, low_open=True)
    seed = check_seed(seed)
    if method != "finetune":
        for r, dim, on, layer in zip(k, (N_IN, HIDDEN), project, ("input-layer", "hidden-layer"), strict=True):
            if on:
                check_capacity(r, n_tasks, dim, layer)
    data = tasks(n_tasks, seed)
    rng = np.random.default_rng(seed + 1)
    net = MLP.init(seed)
    H = (np.zeros((0, N_IN)), np.zeros((0, HIDDEN)))
    R = np.zeros((n_tasks, n_tasks))
    with blas_threads(1):
        for t in progress(range(n_tasks), desc=f"{method}: tasks", disable=not show_progress):
            X, y = data.train(t)
            train_task(net, X, y, H, epochs=epochs, rng=rng, gradient=gradient)
            for j in range(n_tasks):
                R[t, j] = net.accuracy(*data.test(j))
            if method == "finetune" or t == n_tasks - 1:
                continue
            inputs = (X, net.hidden(X))
            new = []
            for layer in range(2):
                if not project[layer] or k[layer] == 0:
                    new.append(H[layer])
                elif method == "exact":
                    new.append(exact_subspace(inputs[layer], H[layer], k[layer]))
                else:
                    Hl, _ = learn_subspace(
                        inputs[layer],
                        H[layer],
                        k[layer],
                        iters=oja_iters,
                        rate=oja_rate,
                        seed=seed + 31 * t + layer,
                        step=step,
                    )
                    new.append(Hl)
            H = tuple(new)
    settings = dict(method=method, n_tasks=n_tasks, rows=k, project=project, epochs=epochs, seed=seed)
    return Sequence(R, H, net, settings)


@memo(maxsize=64)
def sequence(
    method: str = "hlop", n_tasks: int = 4, rows: int = ROWS[0], project: tuple = (True, True), seed: int = 0
) -> Sequence:
    """:func:`run_sequence` with the package's functions, cached per process (do not modify it)."""
    return run_sequence(method, n_tasks=n_tasks, rows=rows, project=project, seed=seed, show_progress=False)


def captured_energy(X: np.ndarray, H: np.ndarray) -> float:
    """The fraction of ``sum ||x||^2`` that lies in the row space of ``H`` (any rows)."""
    if len(H) == 0:
        return 0.0
    Q, _ = np.linalg.qr(H.T)
    return float(((X @ Q) ** 2).sum() / (X**2).sum())


@dataclass(frozen=True)
class SubspaceFit:
    """Hebbian rows against the exact principal subspace of the same size, on task 0's inputs to
    one layer: the energy captured every ``iters / 20`` batches, the final principal angles and
    the final ``max |H H^T - I|``."""

    iters: np.ndarray
    energy: np.ndarray
    exact_energy: float
    angles: np.ndarray
    orthonormality: float


LAYERS = ("input", "hidden")


@memo(maxsize=32)
def subspace_fit(
    layer: str = "input", rows: int = ROWS[0], rate: float = OJA_RATE, iters: int = OJA_ITERS, seed: int = 0
) -> SubspaceFit:
    """Learn ``rows`` Hebbian rows on task 0's inputs to ``layer`` (the pixels, or the hidden
    activity of a network trained on task 0) and compare them with the exact subspace."""
    layer = check_choice("layer", layer, LAYERS)
    dim = N_IN if layer == "input" else HIDDEN
    rows = check_int("rows", rows, 1, dim - 1)
    iters = check_int("iters", iters, 20, 20_000)
    rate = check_range("rate", rate, 0.0, 2.0, low_open=True)
    X, _ = tasks(1, seed).train(0)
    with blas_threads(1):
        if layer == "hidden":
            X = sequence("finetune", n_tasks=1, seed=seed).net.hidden(X)
        empty = np.zeros((0, dim))
        every = max(iters // 20, 1)
        H, snaps = learn_subspace(X, empty, rows, iters=iters, rate=rate, seed=seed, record=every)
        exact = exact_subspace(X, empty, rows)
        return SubspaceFit(
            iters=np.arange(1, len(snaps) + 1) * every,
            energy=np.array([captured_energy(X, s) for s in snaps]),
            exact_energy=captured_energy(X, exact),
            angles=principal_angles(H, exact),
            orthonormality=orthonormality_error(H),
        )


@dataclass(frozen=True)
class SeedSummary:
    """ACC, BWT and the diagonal's mean of one configuration over seeds (arrays, one per seed)."""

    acc: np.ndarray
    bwt: np.ndarray
    learned: np.ndarray
    last_learned: np.ndarray

    def row(self, **labels) -> dict:
        """A table row: the labels, then mean and standard deviation of each measure."""
        out = dict(labels)
        for key in ("acc", "bwt", "learned", "last_learned"):
            values = getattr(self, key)
            out[key] = float(values.mean())
            out[f"{key} sd"] = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        return out


def over_seeds(
    method: str, seeds=(0, 1, 2), *, n_tasks: int = 4, rows: int = ROWS[0], project: tuple = (True, True)
) -> SeedSummary:
    """:func:`sequence` for every seed in ``seeds``; ``last_learned`` is the last task's accuracy
    right after learning it (how much room the subspace left)."""
    runs = [sequence(method, n_tasks, rows, tuple(project), check_seed(s)) for s in seeds]
    return SeedSummary(
        acc=np.array([r.acc for r in runs]),
        bwt=np.array([r.bwt for r in runs]),
        learned=np.array([r.learned for r in runs]),
        last_learned=np.array([r.R[-1, -1] for r in runs]),
    )
