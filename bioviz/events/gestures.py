"""Gesture-lite: six synthetic motions seen by the simulated DVS, a small stand-in for DVS128 Gesture.

Each sample is one second of a 32 x 32 sensor watching one shape move: a bar turning clockwise
or anticlockwise, a disc waving left-right or up-down, a disc expanding or contracting. Size,
speed, phase, position and starting angle vary at random. The shapes are always brighter than
the background, so the polarity of an edge tells which way it moves: a leak the time-collapsed
control (:func:`control`) exploits.
:func:`dataset` returns the samples as event counts in ``bins`` time bins and two polarity
channels, ``(n, bins, 2, 32, 32)`` (uint8), with their labels.

>>> X, y = dataset(n_per_class=1, bins=4, seed=0, show_progress=False)
>>> X.shape, y.tolist()
((6, 4, 2, 32, 32), [0, 1, 2, 3, 4, 5])
"""

from __future__ import annotations

import numpy as np

from bioviz.events import sensor
from bioviz.runtime import memo, progress
from bioviz.validation import check_int, check_range, check_seed

CLASSES = (
    "bar turning clockwise",
    "bar turning anticlockwise",
    "disc waving left-right",
    "disc waving up-down",
    "disc expanding",
    "disc contracting",
)
SIZE = 32
DURATION = 1.0
#: Frame step of the gesture scenes (s).
DT = 4e-3
#: Sample seeds: the training set uses 0.., the shipped test subset starts here.
TEST_SEED = 10_000


def render(label: int, seed: int, size: int = SIZE, duration: float = DURATION) -> np.ndarray:
    """Log-intensity frames of one sample of class ``label`` (image y points down)."""
    label = check_int("label", label, 0, len(CLASSES) - 1)
    rng = np.random.default_rng(check_seed(seed))
    n = int(round(duration / DT)) + 1
    t = (np.arange(n) * DT)[:, None, None]
    X, Y = sensor._grid(size)
    cx, cy = size / 2 + rng.uniform(-3, 3, 2) * size / 32
    contrast = 1.0  # bright shapes on a dark background (see the module docstring)
    s = size / 32
    if label in (0, 1):
        omega = rng.uniform(1.2, 2.0) * np.pi * (1 if label == 0 else -1)  # clockwise on screen
        angle = rng.uniform(0, 2 * np.pi) + omega * t
        cov = sensor.bar(X, Y, cx, cy, rng.uniform(16, 22) * s, rng.uniform(3, 5) * s, angle)
    elif label in (2, 3):
        f, amp, phase = rng.uniform(1.0, 2.0), rng.uniform(5, 8) * s, rng.uniform(0, 2 * np.pi)
        shift = amp * np.sin(2 * np.pi * f * t + phase)
        r = rng.uniform(3.5, 5.5) * s
        cov = sensor.disc(X, Y, cx + shift, cy, r) if label == 2 else sensor.disc(X, Y, cx, cy + shift, r)
    else:
        r0, r1 = rng.uniform(2.5, 4.5) * s, rng.uniform(10, 13) * s
        frac = t / duration
        r = r0 + (r1 - r0) * frac if label == 4 else r1 - (r1 - r0) * frac
        cov = sensor.disc(X, Y, cx, cy, r)
    return sensor.to_log(cov, contrast)


def events(label: int, seed: int, *, threshold: float = 0.2, noise_hz: float = 0.5) -> sensor.Events:
    """The event stream of one sample (seed ``seed`` for the scene, ``seed + 7`` for the sensor)."""
    return sensor.simulate(render(label, seed), DT, threshold=threshold, noise_hz=noise_hz, seed=seed + 7)


def counts(ev: sensor.Events, bins: int) -> np.ndarray:
    """A stream as event counts ``(bins, 2, 32, 32)`` (uint8, capped at 255)."""
    return np.minimum(sensor.to_frames(ev, bins), 255).astype(np.uint8)


def sample(label: int, seed: int, *, bins: int = 20, threshold: float = 0.2, noise_hz: float = 0.5) -> np.ndarray:
    """One sample as event counts ``(bins, 2, 32, 32)``."""
    return counts(events(label, seed, threshold=threshold, noise_hz=noise_hz), bins)


def dataset(
    n_per_class: int = 100,
    *,
    bins: int = 20,
    threshold: float = 0.2,
    noise_hz: float = 0.5,
    seed: int = 0,
    show_progress: bool = True,
):
    """``n_per_class`` samples of every class, interleaved (labels 0..5, 0..5, ...), and labels.

    Sample ``i`` of the set uses seed ``seed + i``; the test subset of the notebooks uses
    ``seed = TEST_SEED``, which no training sample reaches. Sets are cached: a second call with
    the same settings returns at once (and shows no bar).
    """
    n_per_class = check_int("n_per_class", n_per_class, 1, 10_000)
    bins = check_int("bins", bins, 1, 10_000)
    threshold = check_range("threshold", threshold, 0.02, 2.0)
    noise_hz = check_range("noise_hz", noise_hz, 0.0, 100.0)
    seed = check_seed(seed)
    _BAR[0] = bool(show_progress)
    try:
        return _dataset(n_per_class, bins, threshold, noise_hz, seed)
    finally:
        _BAR[0] = False


_BAR = [False]


@memo(maxsize=8)
def _dataset(n_per_class, bins, threshold, noise_hz, seed):
    n = n_per_class * len(CLASSES)
    y = np.arange(n) % len(CLASSES)
    X = np.stack(
        [
            sample(int(y[i]), seed + i, bins=bins, threshold=threshold, noise_hz=noise_hz)
            for i in progress(range(n), desc="simulating the sensor", disable=not _BAR[0])
        ]
    )
    return X, y


def collapse(X: np.ndarray, bins: int = 1) -> np.ndarray:
    """Counts summed into ``bins`` coarse time bins and flattened: the features of the control."""
    X = np.asarray(X, dtype=np.float32)
    n, T = X.shape[:2]
    bins = check_int("bins", bins, 1, T)
    edges = np.linspace(0, T, bins + 1).astype(int)
    parts = [X[:, a:b].sum(axis=1) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    return np.stack(parts, axis=1).reshape(n, -1)


def control(X_train, y_train, X_test, bins: int = 1, alpha: float = 10.0) -> np.ndarray:
    """Predicted labels of a linear classifier (ridge, one-vs-rest) on time-collapsed counts.

    The features are ``log(1 + count)`` per pixel, polarity and coarse bin (``bins`` of them),
    scaled by their standard deviation on the training set.
    """
    from sklearn.linear_model import RidgeClassifier

    A, B = collapse(X_train, bins), collapse(X_test, bins)
    scale = max(float(np.log1p(A).std()), 1e-6)
    clf = RidgeClassifier(alpha=check_range("alpha", alpha, 1e-6, 1e6)).fit(np.log1p(A) / scale, y_train)
    return clf.predict(np.log1p(B) / scale)
