r"""Two encoders, a concat fusion head and two unimodal heads, as an *ensemble* of runs.

Architecture (one run)::

    visual 64 -> 64 -> 32 --+                      +-> head_v   32 -> 10  (o_v)
                            +-- concat [a, v] 64 --> fusion 64 -> 10       (o_av)
    audio  32 -> 64 -> 32 --+                      +-> head_a   32 -> 10  (o_a)

In the ANN the encoder layers are ReLU. In the SNN (:class:`SpikingFusionNet`) they are
snnTorch ``Leaky`` neurons, :math:`U_t = \beta U_{t-1} + W x_t - S_{t-1}\vartheta`,
:math:`S_t = H(U_t - \vartheta)`, driven by the (noisy) input as a constant current for
``num_steps`` steps; the encoder's feature is each output neuron's spike *rate*
:math:`\frac1T\sum_t S_t`, and training uses the fast-sigmoid surrogate gradient.

**Ensembles.** Every weight has a leading dimension E: E independent runs (different seeds,
noise levels or training conditions) train side by side in one batched matrix product, which
costs little more than one run on a CPU. Runs never mix: each has its own weights, data noise,
batch order and loss term. Each run's initial weights come from its own generator (seeded by
the run's seed), so a run's result does not depend on which other runs share its ensemble.

Example
-------
>>> import torch
>>> net = FusionNet(seeds=[0, 1])
>>> out = net(torch.zeros(2, 5, 64), torch.zeros(2, 5, 32))
>>> tuple(out["av"].shape), tuple(out["a"].shape)
((2, 5, 10), (2, 5, 10))
"""

from __future__ import annotations

import math

import torch
from torch import nn

from bioviz.fusion.task import N_AUDIO, N_CLASSES, N_VISUAL

HIDDEN, FEATURES = 64, 32
#: (name, fan_in, fan_out) in the order each run's generator draws them
LAYERS = (
    ("enc_v.0", N_VISUAL, HIDDEN),
    ("enc_v.1", HIDDEN, FEATURES),
    ("enc_a.0", N_AUDIO, HIDDEN),
    ("enc_a.1", HIDDEN, FEATURES),
    ("fusion", 2 * FEATURES, N_CLASSES),
    ("head_a", FEATURES, N_CLASSES),
    ("head_v", FEATURES, N_CLASSES),
)
FUSION_PARAMS = ("fusion.weight", "fusion.bias")
INIT_STREAM = 0


def run_generator(seed: int, stream: int):
    """The torch generator of one run's random stream (0 init, 1 data, 2 gradient noise)."""
    return torch.Generator().manual_seed(1_000_003 * stream + int(seed))


def _init(seeds):
    """Per-run initial weights, PyTorch's nn.Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    per_layer = {name: ([], []) for name, _, _ in LAYERS}
    for seed in seeds:
        g = run_generator(seed, INIT_STREAM)
        for name, fan_in, fan_out in LAYERS:
            bound = 1.0 / math.sqrt(fan_in)
            per_layer[name][0].append((torch.rand(fan_in, fan_out, generator=g) * 2 - 1) * bound)
            per_layer[name][1].append((torch.rand(1, fan_out, generator=g) * 2 - 1) * bound)
    return {name: (torch.stack(w), torch.stack(b)) for name, (w, b) in per_layer.items()}


class ELinear(nn.Module):
    """y = x W + b for E runs at once: x (E, B, in), W (E, in, out), b (E, 1, out)."""

    def __init__(self, weight, bias):
        super().__init__()
        self.weight, self.bias = nn.Parameter(weight), nn.Parameter(bias)

    def forward(self, x):
        return torch.baddbmm(self.bias, x, self.weight)


class FusionNet(nn.Module):
    """ReLU encoders, concat fusion head, unimodal heads; E runs (one per seed)."""

    spiking = False

    def __init__(self, seeds):
        super().__init__()
        w = _init(list(seeds))
        self.n_runs = len(seeds)
        self.enc_v = nn.ModuleList([ELinear(*w["enc_v.0"]), ELinear(*w["enc_v.1"])])
        self.enc_a = nn.ModuleList([ELinear(*w["enc_a.0"]), ELinear(*w["enc_a.1"])])
        self.fusion = ELinear(*w["fusion"])
        self.head_a, self.head_v = ELinear(*w["head_a"]), ELinear(*w["head_v"])

    def encode(self, layers, x):
        for layer in layers:
            x = torch.relu(layer(x))
        return x, None

    def forward(self, xv, xa, detach_aux=None):
        """Logits ``av`` (fused), ``a``, ``v``; ``detach_aux`` (bool per run) stops the
        unimodal heads' gradients at the encoder features (the "probe" heads)."""
        fv, spikes_v = self.encode(self.enc_v, xv)
        fa, spikes_a = self.encode(self.enc_a, xa)
        out = {"av": self.fusion(torch.cat([fa, fv], dim=-1))}
        if detach_aux is not None:
            d = detach_aux.reshape(-1, 1, 1)
            fa_aux, fv_aux = torch.where(d, fa.detach(), fa), torch.where(d, fv.detach(), fv)
        else:
            fa_aux, fv_aux = fa, fv
        out["a"], out["v"] = self.head_a(fa_aux), self.head_v(fv_aux)
        out["spikes_v"], out["spikes_a"] = spikes_v, spikes_a
        return out

    def fusion_parameters(self):
        return [self.fusion.weight, self.fusion.bias]


class SpikingFusionNet(FusionNet):
    """The same network with spiking (snnTorch Leaky) encoders read out as spike rates."""

    spiking = True

    def __init__(self, seeds, num_steps=6, beta=0.9, slope=25.0, gain=1.0):
        super().__init__(seeds)
        import snntorch as snn
        from snntorch import surrogate

        self.num_steps, self.gain = num_steps, gain
        grad = surrogate.fast_sigmoid(slope=slope)
        self.lif = nn.ModuleList([snn.Leaky(beta=beta, spike_grad=grad) for _ in range(4)])

    def encode(self, layers, x):
        lifs = self.lif[:2] if layers is self.enc_v else self.lif[2:]
        current = layers[0](self.gain * x)  # the input is a constant current
        mem1, mem2 = lifs[0].init_leaky(), lifs[1].init_leaky()
        rate = 0.0
        count = 0.0
        for _ in range(self.num_steps):
            s1, mem1 = lifs[0](current, mem1)
            s2, mem2 = lifs[1](layers[1](s1), mem2)
            rate = rate + s2
            count = count + s1.detach().sum(-1) + s2.detach().sum(-1)
        return rate / self.num_steps, count


class PlainFusionNet(nn.Module):
    """One run of the network, as ordinary torch layers (no ensemble dimension): the tutorial's
    training loop. Same architecture as :class:`FusionNet`; returns the logits
    ``{"av": o_av, "a": o_a, "v": o_v}`` for inputs of shape (batch, 64) and (batch, 32).

    >>> net = PlainFusionNet(seed=0)
    >>> {k: tuple(v.shape) for k, v in net(torch.zeros(4, 64), torch.zeros(4, 32)).items()}
    {'av': (4, 10), 'a': (4, 10), 'v': (4, 10)}
    """

    def __init__(self, seed: int = 0):
        from bioviz.validation import check_seed

        super().__init__()
        with torch.random.fork_rng():  # the seed decides the weights; the global stream is left alone
            torch.manual_seed(check_seed(seed))
            self.enc_v = nn.Sequential(
                nn.Linear(N_VISUAL, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, FEATURES), nn.ReLU()
            )
            self.enc_a = nn.Sequential(
                nn.Linear(N_AUDIO, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, FEATURES), nn.ReLU()
            )
            self.fusion = nn.Linear(2 * FEATURES, N_CLASSES)
            self.head_a, self.head_v = nn.Linear(FEATURES, N_CLASSES), nn.Linear(FEATURES, N_CLASSES)

    def forward(self, xv, xa):
        fv, fa = self.enc_v(xv), self.enc_a(xa)
        return {"av": self.fusion(torch.cat([fa, fv], dim=-1)), "a": self.head_a(fa), "v": self.head_v(fv)}
