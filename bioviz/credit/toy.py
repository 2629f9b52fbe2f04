"""A two-weight network in which flipping one weight's plasticity makes the update field curl.

The smallest deep network: :math:`\\hat y = w_2 w_1 x`, learning :math:`y = x` on unit input,
so the loss is :math:`L(w) = \\tfrac12 (w_1 w_2 - 1)^2`, minimal on the hyperbola
:math:`w_1 w_2 = 1`. Gradient descent follows :math:`F = -\\nabla L = -e\\,(w_2, w_1)` with the
error :math:`e = w_1 w_2 - 1`. Flipping one weight's plasticity (an anti-Hebbian synapse,
in the language of curl descent) multiplies that component by -1: :math:`F = -D\\nabla L` with
:math:`D = \\mathrm{diag}(\\pm 1)`.

The flipped field is no gradient of anything: its **curl**
:math:`\\partial F_2/\\partial w_1 - \\partial F_1/\\partial w_2` is
:math:`\\pm 2(2 w_1 w_2 - 1)`, while a gradient field's is 0. Its fixed points are still the
hyperbola, but stability changes: near a solution the flipped dynamics have the one non-zero
eigenvalue :math:`w_1^2 - w_2^2` (flipping :math:`w_2`), so the solution is stable where the
flipped weight is the larger one, :math:`|w_2| > |w_1|`, and repels elsewhere; gradient descent's
eigenvalue, :math:`-(w_1^2 + w_2^2)`, is always stable.

>>> F = field(np.array([2.0]), np.array([0.5]), flip="none")
>>> [round(float(f[0]), 3) for f in F]
[-0.0, -0.0]
>>> round(float(curl(np.array([1.0]), np.array([1.0]), "w2")[0]), 6)
2.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.validation import check_choice, check_int, check_number, check_range

FLIPS = ("none", "w1", "w2")
LIMIT = 3.0


def _signs(flip: str) -> tuple[float, float]:
    flip = check_choice("flip", flip, FLIPS)
    return (-1.0 if flip == "w1" else 1.0, -1.0 if flip == "w2" else 1.0)


def loss(w1, w2):
    """:math:`\\tfrac12 (w_1 w_2 - 1)^2`."""
    return 0.5 * (np.asarray(w1) * np.asarray(w2) - 1.0) ** 2


def field(w1, w2, flip: str = "none") -> tuple[np.ndarray, np.ndarray]:
    """The update direction :math:`-D\\nabla L` at ``(w1, w2)`` (arrays of any shape)."""
    s1, s2 = _signs(flip)
    w1, w2 = np.asarray(w1, dtype=float), np.asarray(w2, dtype=float)
    e = w1 * w2 - 1.0
    return -s1 * e * w2, -s2 * e * w1


def curl(w1, w2, flip: str = "none", h: float = 1e-5) -> np.ndarray:
    """:math:`\\partial F_2/\\partial w_1 - \\partial F_1/\\partial w_2` by central differences."""
    w1, w2 = np.asarray(w1, dtype=float), np.asarray(w2, dtype=float)
    dF2 = (field(w1 + h, w2, flip)[1] - field(w1 - h, w2, flip)[1]) / (2 * h)
    dF1 = (field(w1, w2 + h, flip)[0] - field(w1, w2 - h, flip)[0]) / (2 * h)
    return dF2 - dF1


@dataclass(frozen=True)
class Path:
    """A trajectory ``w`` (steps + 1, 2) and its losses."""

    w: np.ndarray
    loss: np.ndarray


def trajectory(start: tuple[float, float], flip: str = "none", *, lr: float = 0.05, steps: int = 400) -> Path:
    """Follow the field from ``start`` with step ``lr`` (stops early if it leaves the plotted box
    by more than a factor of 3)."""
    w = np.array([check_number("w1", start[0]), check_number("w2", start[1])], dtype=float)
    lr = check_range("lr", lr, 0.0, 0.5, low_open=True)
    steps = check_int("steps", steps, 1, 100_000)
    _signs(flip)
    path = [w.copy()]
    for _ in range(steps):
        w = w + lr * np.array(field(w[0], w[1], flip))
        path.append(w.copy())
        if np.abs(w).max() > 3 * LIMIT:
            break
    path = np.array(path)
    return Path(path, loss(path[:, 0], path[:, 1]))


def stability(w1, w2, flip: str = "none") -> np.ndarray:
    """The non-zero eigenvalue of the field's Jacobian on the solution hyperbola (negative: the
    solution attracts)."""
    s1, s2 = _signs(flip)
    return -(s1 * np.asarray(w2, dtype=float) ** 2 + s2 * np.asarray(w1, dtype=float) ** 2)
