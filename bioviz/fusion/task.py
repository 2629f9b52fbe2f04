r"""The two-modality task: sklearn digits as "visual", a synthetic class spectrum as "audio".

Nothing is downloaded. Each sample pairs one 8x8 handwritten digit (64 pixels scaled to
[0, 1]) with an "audio" vector of the same class: a 32-bin spectrum with two Gaussian
harmonics at class-specific bins,

.. math::

    a_c(b) = \exp\!\Big(-\frac{(b - f_c)^2}{2 w^2}\Big)
             + h \exp\!\Big(-\frac{(b - 2 f_c)^2}{2 w^2}\Big),
    \qquad f_c = f_0 + \Delta f \cdot c ,

so neighbouring classes overlap a little and noise makes them ambiguous. Each modality gets
its own Gaussian noise, :math:`x_v + \sigma_v \varepsilon_v` and :math:`a + \sigma_a \varepsilon_a`,
so the reader can make one modality weak and the other strong.

The split is fixed (1,200 training and 597 test samples, stratified). Training noise is
redrawn every epoch (:meth:`Noise.train`); with a fixed draw the networks memorise the noise,
the unimodal heads become as confident as the fused one and the IEMF coefficient stays at 1.
The test noise is one fixed draw shared by every run, so runs differ only by training.

Example
-------
>>> X = clean_data()
>>> tuple(X.visual_train.shape), tuple(X.audio_train.shape), tuple(X.visual_test.shape)
((1200, 64), (1200, 32), (597, 64))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from bioviz.data import digits
from bioviz.validation import check_int, check_number, check_positive, check_seed

N_CLASSES = 10
N_VISUAL = 64
N_AUDIO = 32
N_TRAIN = 1200
#: audio spectrum: first harmonic at bin F0 + DF * class (3..12), second at twice that
#: (6..24), width W bins, second harmonic of height H
F0, DF, W, H = 3.0, 1.0, 1.0, 0.8
#: the test noise draw shared by every run (independent of the training seed)
TEST_NOISE_SEED = 2024


def check_sigma(name: str, value) -> float:
    """A noise level: a finite number >= 0."""
    return check_positive(name, check_number(name, value), allow_zero=True)


def spectrum(label, n_bins: int = N_AUDIO) -> np.ndarray:
    """The clean audio "spectrum" of class ``label`` (an int or an array of ints).

    >>> s = spectrum(0); s.shape, int(np.argmax(s))
    ((32,), 3)
    """
    label = np.asarray(label)
    f = F0 + DF * label[..., None].astype(float)
    b = np.arange(n_bins, dtype=float)
    return np.exp(-((b - f) ** 2) / (2 * W**2)) + H * np.exp(-((b - 2 * f) ** 2) / (2 * W**2))


@dataclass(frozen=True)
class CleanData:
    """Noise-free inputs and labels as float32 torch tensors (``*_train`` and ``*_test``)."""

    visual_train: object
    audio_train: object
    y_train: object
    visual_test: object
    audio_test: object
    y_test: object


@functools.cache
def clean_data() -> CleanData:
    """The digits' "train1200" split (:func:`bioviz.data.digits`), each digit paired by label
    with its class spectrum."""
    import torch

    Xtr, Xte, ytr, yte = digits(f"train{N_TRAIN}")
    f = functools.partial(torch.tensor, dtype=torch.float32)
    return CleanData(f(Xtr), f(spectrum(ytr)), torch.tensor(ytr), f(Xte), f(spectrum(yte)), torch.tensor(yte))


@functools.cache
def test_noise():
    """One fixed standard-normal draw for the test set: (visual, audio), unit variance."""
    import torch

    d = clean_data()
    g = torch.Generator().manual_seed(TEST_NOISE_SEED)
    return (torch.randn(d.visual_test.shape, generator=g), torch.randn(d.audio_test.shape, generator=g))


def noisy_test(sigma_v: float, sigma_a: float):
    """The test set at noise levels ``sigma_v``, ``sigma_a``: (visual, audio, labels)."""
    sigma_v, sigma_a = check_sigma("sigma_v", sigma_v), check_sigma("sigma_a", sigma_a)
    d = clean_data()
    ev, ea = test_noise()
    return d.visual_test + sigma_v * ev, d.audio_test + sigma_a * ea, d.y_test


def examples(sigma_v: float, sigma_a: float, label: int = 3, seed: int = 0) -> dict:
    """One training sample of class ``label`` clean and with noise (numpy), for figures."""
    import torch

    sigma_v, sigma_a = check_sigma("sigma_v", sigma_v), check_sigma("sigma_a", sigma_a)
    seed = check_seed(seed)
    d = clean_data()
    label = check_int("label", label, 0, int(d.y_train.max()))
    idx = int(np.flatnonzero(d.y_train.numpy() == label)[0])
    g = torch.Generator().manual_seed(seed)
    v, a = d.visual_train[idx], d.audio_train[idx]
    return dict(
        label=int(label),
        visual=v.numpy(),
        audio=a.numpy(),
        visual_noisy=(v + sigma_v * torch.randn(v.shape, generator=g)).numpy(),
        audio_noisy=(a + sigma_a * torch.randn(a.shape, generator=g)).numpy(),
    )
