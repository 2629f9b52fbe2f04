"""Notebook 10's model: delta inference, the quantiser, and where temporal sparsity comes from.

Measured with the notebook's float network (seed 0, 10 epochs): test accuracy 0.794; post-hoc
delta inference at q = 0.1 / 0.2 / 0.4 sends 1.93x / 2.43x / 3.25x fewer non-zero values than
the float network's activations, at accuracy 0.793 / 0.793 / 0.787. Fine-tuned 4 epochs with the
delta penalty 100 at q = 0.1 (2 epochs): 2.97x at 0.780. Fast (1.5 px/frame), noisy (0.1), clutter-free
videos: 1.0x at q = 0.1.
"""

import numpy as np
import pytest
import torch

from bioviz.delta import model as M
from bioviz.delta import video


def _x(n=6, **kw):
    v, _ = video.videos("test", **kw)
    return torch.tensor(np.asarray(v[:n]).reshape(n, v.shape[1], -1))


@pytest.mark.parametrize("q", (0.025, 0.1, 0.4))
def test_delta_inference_reproduces_the_quantised_dense_pass(q):
    net = M.MLP(seed=3)  # untrained: the identity holds for any weights
    x = _x(20)
    delta, dense = M.delta_forward(net, x, q), M.dense_forward(net, x, q)
    with torch.no_grad():
        assert torch.equal(delta.deltas[0], dense.deltas[0])  # the pixels: the same input, exactly
        # deeper, float rounding of the accumulation can move a value across a rounding boundary
        # (one step q apart); rare, and where none did the logits agree to float tolerance
        flips = sum(int(((a - b).abs() > q / 2).sum()) for a, b in zip(delta.deltas, dense.deltas, strict=True))
        assert flips <= 1e-3 * sum(d.numel() for d in dense.deltas)
        if flips == 0:
            assert torch.allclose(delta.logits, dense.logits, atol=1e-4)
        assert torch.equal(delta.logits.mean(1).argmax(1), dense.logits.mean(1).argmax(1))
    # the deltas add up to the quantised activations
    assert torch.allclose(dense.deltas[0].cumsum(1), dense.acts[0], atol=1e-5)


def test_quantise_rounds_and_passes_the_gradient_straight_through():
    a = torch.tensor([0.04, 0.06, -0.26, 0.74], requires_grad=True)
    out = M.quantise(a, 0.1)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), [0.0, 0.1, -0.3, 0.7], atol=1e-6)
    assert a.grad.tolist() == [1.0, 1.0, 1.0, 1.0]


def test_still_video_without_noise_has_only_first_frame_deltas():
    x = _x(4, drift=0.0, noise=0.0)
    deltas = M.dense_forward(M.MLP(seed=0), x, 0.1).deltas
    for d in deltas:
        assert (d[:, 1:] == 0).all() and (d[:, 0] != 0).any()
    assert video.redundancy(x.numpy().reshape(4, 12, 14, 14), 0.1) == 1.0


@pytest.fixture(scope="module")
def net():
    return M.trained(0)


@pytest.mark.slow
def test_sparsity_grows_with_q_at_little_accuracy_cost(net):
    v, y = video.videos("test")
    counts = M.q_sweep(net, v, y, (0.025, 0.05, 0.1, 0.2, 0.4))
    deltas = [c.nonzero_delta for c in counts]
    assert all(np.diff(deltas) <= 0)  # non-increasing in q
    at = {c.q: c for c in counts}
    assert counts[0].float_accuracy > 0.75
    assert at[0.2].reduction >= 2.0 and at[0.2].float_accuracy - at[0.2].accuracy <= 0.03
    assert at[0.4].reduction >= 2.8


@pytest.mark.slow
def test_temporal_sparsity_needs_redundant_input(net):
    fast, y = video.videos("test", drift=1.5, noise=0.1, clutter=0.0)
    assert M.count(net, fast, y, 0.1).reduction < 1.3
    slow, y = video.videos("test")
    assert M.count(net, slow, y, 0.1).reduction > 1.7


@pytest.mark.slow
def test_the_delta_penalty_buys_sparsity_with_accuracy():
    base = M.baseline(0)
    v, y = video.videos("test")
    post_hoc = M.count(M.trained(0), v, y, 0.1)
    tuned = M.count(M.fine_tuned(100.0), v, y, 0.1)
    assert base.nonzero_dense / tuned.nonzero_delta > post_hoc.reduction + 0.5
    assert tuned.accuracy < base.float_accuracy  # not free: it costs some accuracy here
    assert tuned.accuracy > base.float_accuracy - 0.05


def test_videos_have_the_stated_clutter_and_are_cached_read_only():
    v, y = video.videos("test", noise=0.0, drift=0.0, clutter=0.2)
    assert v.shape == (540, 12, 14, 14) and not v.flags.writeable
    assert video.videos("test", noise=0.0, drift=0.0, clutter=0.2)[0] is v
    train, ytr = video.videos("train")
    assert train.shape[0] == 3 * 1257 and (np.bincount(ytr) > 300).all()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: M.count(M.MLP(), np.zeros((2, 12, 14, 14)), np.zeros(2), 0.0), "q must be"),
        (lambda: M.check_q(3.0), "q must be <= 2"),
        (lambda: video.videos("test", drift=-1.0), "drift"),
        (lambda: video.videos("test", T=1), "T"),
        (lambda: video.videos("validation"), "split"),
        (lambda: M.train(epochs=0), "epochs"),
        (lambda: M.train(lam=float("nan")), "lam"),
    ],
)
def test_impossible_input_is_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()
