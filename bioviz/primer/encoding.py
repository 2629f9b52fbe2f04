r"""Spike encodings of an image, with snnTorch's ``spikegen``.

- **rate**: each pixel fires in every step with probability :math:`p = \min(1, g\,x)`
  (Bernoulli, the discrete Poisson process); information is in the spike count.
- **latency**: each pixel fires at most once; brighter pixels fire earlier, at
  :math:`t = \tau \ln(x / (x - \vartheta))` steps (an RC circuit charged by the pixel);
  pixels below the threshold never fire.
- **delta**: a pixel fires only when its value *changes* by more than a threshold between
  steps (+1 for an increase, -1 for a decrease). A static image gives one burst at onset;
  here the digit drifts one pixel to the right every ``hold`` steps, so spikes mark its
  moving edges: activity is sparse in time (the idea behind delta / temporal-sparsity layers).

Pixel values are in [0, 1]. Outputs are ``(num_steps, 64)`` float arrays.

>>> img, label = digit(0)
>>> spikes = rate(img, num_steps=20, gain=1.0, seed=0)
>>> spikes.shape, label
((20, 64), 0)
>>> bool(np.array_equal(spikes, rate(img, num_steps=20, gain=1.0, seed=0)))
True
"""

from __future__ import annotations

import functools

import numpy as np

from bioviz.data import digits
from bioviz.validation import check_int, check_positive, check_range, check_seed

ENCODINGS = ("rate", "latency", "delta")


@functools.cache
def _digits():
    X, y = digits()
    return X.reshape(-1, 8, 8), y.astype(int)


def digit(index: int) -> tuple[np.ndarray, int]:
    """Image ``index`` of sklearn's bundled 8x8 digits, scaled to [0, 1], and its label."""
    images, labels = _digits()
    index = check_int("index", index, 0, len(images) - 1)
    return images[index], int(labels[index])


def first_of_class(label: int) -> int:
    """Index of the first digit with this label."""
    label = check_int("label", label, 0, 9)
    return int(np.flatnonzero(_digits()[1] == label)[0])


def _image(image) -> np.ndarray:
    img = np.asarray(image, dtype=np.float32)
    if img.size == 0:
        raise ValueError("image must not be empty")
    if not np.all(np.isfinite(img)) or img.min() < 0 or img.max() > 1:
        raise ValueError("image must hold values in [0, 1]")
    return img


def rate(image, num_steps: int = 50, gain: float = 1.0, seed: int = 0) -> np.ndarray:
    """Bernoulli rate code: ``spikegen.rate`` with a private, seeded torch generator state."""
    import torch
    from snntorch import spikegen

    img = _image(image).ravel()
    num_steps = check_int("num_steps", num_steps, 1, 10_000)
    gain = check_range("gain", gain, 0.0, 10.0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(check_seed(seed))
        spikes = spikegen.rate(torch.from_numpy(img.copy()).clamp(0, 1), num_steps=num_steps, gain=gain)
    return spikes.numpy().reshape(num_steps, -1)


def latency(image, num_steps: int = 50, tau: float = 5.0, threshold: float = 0.2) -> np.ndarray:
    """Latency code (one spike per pixel, brighter -> earlier): ``spikegen.latency``.

    The RC-circuit code: a pixel of value ``x`` is a constant input charging a leaky membrane
    with time constant ``tau`` (in steps) toward ``x``; it spikes when it crosses ``threshold``,
    at ``t = tau ln(x / (x - threshold))`` -- the LIF interspike interval of section 1.
    Pixels at or below ``threshold`` never fire, nor do those whose time falls past the window.
    """
    import torch
    from snntorch import spikegen

    img = _image(image).ravel()
    num_steps = check_int("num_steps", num_steps, 2, 10_000)
    tau = check_positive("tau", tau)
    threshold = check_range("threshold", threshold, 0.0, 1.0, low_open=True, high_open=True)
    spikes = spikegen.latency(
        torch.from_numpy(img.copy()), num_steps=num_steps, tau=tau, threshold=threshold, clip=True, bypass=True
    )
    return spikes.numpy().reshape(num_steps, -1)


def drifting_frames(image, num_steps: int = 50, hold: int | None = None) -> np.ndarray:
    """The image shifted one pixel right every ``hold`` steps: ``(num_steps, H, W)``."""
    img = _image(image)
    if img.ndim != 2:
        raise ValueError(f"image must be 2-D for drifting frames, got shape {img.shape}")
    num_steps = check_int("num_steps", num_steps, 1, 10_000)
    hold = max(1, num_steps // img.shape[1]) if hold is None else check_int("hold", hold, 1)
    frames = np.zeros((num_steps,) + img.shape, dtype=np.float32)
    for t in range(num_steps):
        shift = t // hold
        if shift < img.shape[1]:
            frames[t, :, shift:] = img[:, : img.shape[1] - shift]
    return frames


def delta(image, num_steps: int = 50, threshold: float = 0.1, hold: int | None = None) -> np.ndarray:
    """Delta (change) code of the drifting image: ``spikegen.delta`` with on/off spikes."""
    import torch
    from snntorch import spikegen

    threshold = check_range("threshold", threshold, 0.0, 1.0, low_open=True)
    frames = drifting_frames(image, num_steps, hold)
    spikes = spikegen.delta(
        torch.from_numpy(frames.reshape(frames.shape[0], -1)), threshold=threshold, off_spike=True
    )
    return spikes.numpy()


def encode(kind: str, image, num_steps: int = 50, seed: int = 0, **kwargs) -> np.ndarray:
    """Dispatch to :func:`rate`, :func:`latency` or :func:`delta` by name."""
    if kind == "rate":
        return rate(image, num_steps, seed=seed, **kwargs)
    if kind == "latency":
        return latency(image, num_steps, **kwargs)
    if kind == "delta":
        return delta(image, num_steps, **kwargs)
    raise ValueError(f"kind must be one of {ENCODINGS}, got {kind!r}")


def spike_events(spikes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(steps, neurons, signs)`` of the non-zero entries of a ``(T, N)`` spike array."""
    spikes = np.asarray(spikes)
    steps, neurons = np.nonzero(spikes)
    return steps, neurons, np.sign(spikes[steps, neurons]).astype(int)
