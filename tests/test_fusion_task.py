"""The two-modality task: digits + class spectrum, noise per modality redrawn every epoch."""

import numpy as np
import pytest
import torch

from bioviz.fusion import task
from bioviz.fusion.training import RunSpec, Trainer


def test_split_and_shapes():
    d = task.clean_data()
    assert d.visual_train.shape == (1200, 64) and d.audio_train.shape == (1200, 32)
    assert d.visual_test.shape == (597, 64) and d.audio_test.shape == (597, 32)
    assert 0.0 <= float(d.visual_train.min()) and float(d.visual_train.max()) <= 1.0
    counts = np.bincount(d.y_train.numpy(), minlength=10)
    assert counts.min() >= 110 and counts.max() <= 125  # stratified: ~120 per class


def test_spectrum_has_class_specific_harmonics():
    for c in range(10):
        s = task.spectrum(c)
        f = task.F0 + task.DF * c
        assert int(np.argmax(s)) == round(f)
        assert s[round(2 * f)] == pytest.approx(task.H, abs=0.05)
    # the audio of each training sample is its class's spectrum
    d = task.clean_data()
    assert np.allclose(d.audio_train.numpy(), task.spectrum(d.y_train.numpy()), atol=1e-6)


def test_training_noise_is_redrawn_every_epoch_and_aligned_across_conditions():
    tr = Trainer(
        [RunSpec("base", 0.5, 0.3, seed=1), RunSpec("iemf", 0.5, 0.3, seed=1), RunSpec("base", 0.5, 0.3, seed=2)]
    )
    xv1, xa1, y1 = tr.epoch_data()
    xv2, _, _ = tr.epoch_data()
    assert not torch.equal(xv1[0], xv2[0])  # redrawn
    assert torch.equal(xv1[0], xv1[1]) and torch.equal(y1[0], y1[1])  # same seed, same draws
    assert not torch.equal(xv1[0], xv1[2])  # another seed, other draws
    # the audio noise level: sd 0.3 around each sample's class spectrum
    perm_clean_a = torch.tensor(task.spectrum(y1[0].numpy()), dtype=torch.float32)
    assert float((xa1[0] - perm_clean_a).std()) == pytest.approx(0.3, rel=0.03)


def test_test_noise_is_fixed_and_scaled():
    a = task.noisy_test(0.4, 0.0)
    b = task.noisy_test(0.8, 0.0)
    d = task.clean_data()
    assert torch.allclose(b[0] - d.visual_test, 2 * (a[0] - d.visual_test), atol=1e-6)
    assert torch.equal(a[1], d.audio_test)


def test_examples_are_seeded():
    a, b = task.examples(0.8, 0.8, label=4, seed=3), task.examples(0.8, 0.8, label=4, seed=3)
    assert np.array_equal(a["visual_noisy"], b["visual_noisy"]) and a["label"] == 4


@pytest.mark.parametrize(
    "args, match",
    [
        ((-0.1, 0.5), "sigma_v must be >= 0"),
        ((0.5, -1.0), "sigma_a must be >= 0"),
        ((float("nan"), 0.5), "sigma_v must be finite"),
    ],
)
def test_negative_noise_is_rejected(args, match):
    with pytest.raises(ValueError, match=match):
        task.noisy_test(*args)
    with pytest.raises(ValueError, match=match):
        RunSpec("base", *args)
