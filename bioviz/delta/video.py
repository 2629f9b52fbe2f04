"""Digits as video: a handwritten digit drifting slowly over a static, cluttered background.

Each video is ``T`` frames of a 14 x 14 canvas. The digit (scikit-learn's 8 x 8, pixels in
[0, 1]) drifts in a random direction at ``drift`` pixels per frame, along a path centred within
1 px of the canvas centre (bilinear interpolation, so sub-pixel motion changes many pixels a
little); a fixed random ``clutter`` fraction of the canvas holds static bright specks; every
frame adds Gaussian pixel noise of standard deviation ``noise``. Frame = clip(max(digit, clutter) + noise, 0, 1).

Slow drift, static clutter and little noise make consecutive frames nearly equal (temporal
redundancy); fast drift and strong noise remove it.

>>> v, y = videos("test30", drift=0.25, seed=0)
>>> v.shape, y.shape, float(v.min()) >= 0.0, float(v.max()) <= 1.0
((540, 12, 14, 14), (540,), True, True)
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import shift as nd_shift

from bioviz.data import digits
from bioviz.runtime import memo
from bioviz.validation import check_choice, check_int, check_range, check_seed

SIZE = 14
FRAMES = 12
SPLITS = ("train", "test")
#: Renderings of each training digit (different paths, clutter and noise).
TRAIN_COPIES = 3


def check_video_settings(T: int, drift: float, clutter: float, noise: float) -> tuple[int, float, float, float]:
    """Frames 2-100, drift 0-3 px/frame, clutter fraction 0-0.5, noise sd 0-1."""
    return (
        check_int("T", T, 2, 100),
        check_range("drift", drift, 0.0, 3.0),
        check_range("clutter", clutter, 0.0, 0.5),
        check_range("noise", noise, 0.0, 1.0),
    )


def render(
    images: np.ndarray,
    *,
    T: int = FRAMES,
    drift: float = 0.25,
    clutter: float = 0.08,
    noise: float = 0.02,
    seed: int = 0,
) -> np.ndarray:
    """Videos of the 8 x 8 ``images`` (n, 64), shape (n, T, 14, 14), float32 in [0, 1]."""
    T, drift, clutter, noise = check_video_settings(T, drift, clutter, noise)
    rng = np.random.default_rng(check_seed(seed))
    images = np.asarray(images, dtype=np.float32).reshape(-1, 8, 8)
    n = images.shape[0]
    out = np.zeros((n, T, SIZE, SIZE), dtype=np.float32)
    span = SIZE - 8
    for i in range(n):
        angle = rng.uniform(0, 2 * np.pi)
        v = drift * np.array([np.sin(angle), np.cos(angle)])
        # a start from which the whole path stays on the canvas (centred if none does)
        lo = np.maximum(0.0, -v * (T - 1))
        hi = np.minimum(span, span - v * (T - 1))
        # the path's midpoint near the canvas centre (+-1 px), clipped to stay on the canvas
        mid = (span - v * (T - 1)) / 2 + rng.uniform(-1.0, 1.0, 2)
        start = np.where(hi >= lo, np.clip(mid, lo, np.maximum(hi, lo)), (span - v * (T - 1)) / 2)
        canvas = np.zeros((SIZE, SIZE), dtype=np.float32)
        canvas[:8, :8] = images[i]
        specks = np.where(rng.random((SIZE, SIZE)) < clutter, rng.uniform(0.5, 1.0, (SIZE, SIZE)), 0.0)
        for t in range(T):
            moved = nd_shift(canvas, tuple(start + v * t), order=1, mode="constant", cval=0.0)
            out[i, t] = np.maximum(moved, specks)
    if noise > 0:
        out += rng.normal(0.0, noise, out.shape).astype(np.float32)
    return np.clip(out, 0.0, 1.0)


@memo(maxsize=16)
def _videos(split, T, drift, clutter, noise, seed):
    Xtr, Xte, ytr, yte = digits("test30")
    if split == "train":  # each training digit three times, on different paths and clutter
        X, y = np.concatenate([Xtr] * TRAIN_COPIES), np.concatenate([ytr] * TRAIN_COPIES)
    else:
        X, y = Xte, yte
    v = render(X, T=T, drift=drift, clutter=clutter, noise=noise, seed=seed + (0 if split == "train" else 10_007))
    v.setflags(write=False)
    return v, np.asarray(y)


def videos(
    split: str = "test",
    *,
    T: int = FRAMES,
    drift: float = 0.25,
    clutter: float = 0.08,
    noise: float = 0.02,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """The train (3 x 1,257) or test (540) digits as videos, and their labels (cached, read-only).

    ``split`` is ``"train"`` or ``"test"`` (``"test30"`` is accepted for the test split).
    """
    split = "test" if split == "test30" else check_choice("split", split, SPLITS)
    T, drift, clutter, noise = check_video_settings(T, drift, clutter, noise)
    return _videos(split, T, float(drift), float(clutter), float(noise), check_seed(seed))


def redundancy(v: np.ndarray, q: float) -> float:
    """The fraction of frame-to-frame pixel changes that quantise to zero at step ``q``."""
    v = np.asarray(v, dtype=np.float32)
    quant = q * np.round(v / q)
    return float((np.diff(quant, axis=-3) == 0).mean())
