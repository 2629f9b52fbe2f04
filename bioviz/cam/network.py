r"""The hippocampal spiking content-addressable memory (CAM) as a Brian2 network.

Casanueva-Morato et al. (Neural Networks 2024) build a memory from small CA3-like
sub-populations of current-based LIF neurons. A memory is a **one-hot cue** (one of ``C``
address neurons) bound to a **binary content** (a set of the ``N`` content neurons). Which of
three operations happens is decided purely by the timing of the input spikes:

- **learn** ``(cue, bits)``: cue and content neurons spike together for 3 ms;
- **recall by cue** ``c``: one spike on cue ``c``; the cue reappears at the output 5 ms later,
  its content 6 ms later;
- **recall by content** ``bits``: one spike on some content bits; those bits reappear after
  5 ms, every cue whose content shares at least one bit with the probe after 6 ms.

Neurons (PyNN ``IF_curr_exp``, as on SpiNNaker, time step :math:`dt = 1` ms). Each step, with
the synaptic current :math:`I` held constant over the step,

.. math::

    v \leftarrow v_\infty + (v - v_\infty)\,e^{-dt/\tau_m}, \qquad
    v_\infty = v_\text{rest} + R\,I, \quad R = \tau_m / c_m, \qquad
    I \leftarrow I\,e^{-dt/\tau_s},

and an arriving spike of weight :math:`w` adds :math:`w\,(\tau_s/dt)(1 - e^{-dt/\tau_s})` to
:math:`I` (SpiNNaker's scaling of the exponential current to one step). A neuron spikes when
:math:`v > v_\text{th}` (-57 mV, rest and reset -60 mV) and then skips one update
(refractory). Slow cells: :math:`c_m` = 0.27 nF, :math:`\tau_m` = 3 ms; fast coincidence
cells: 0.14 nF, 0.5 ms; :math:`\tau_s` = 0.3 ms. One 6 nA spike fires any cell; 2 nA alone
does not fire a fast cell.

How the port maps SpiNNaker's step onto Brian2's schedule: Brian2 integrates ``v`` with
``method="exponential_euler"`` (exact for an equation linear in ``v`` with :math:`I` held over
the step, so it *is* the closed form above), decays :math:`I` right after the state update,
and adds synaptic input after the threshold test, so a spike sent with Brian delay
:math:`d-1` is felt in the step SpiNNaker feels it with delay :math:`d`. Brian's
``refractory`` counts from the spike's own step, so SpiNNaker's one-update refractory counter
is ``refractory = 2 ms``.

Speed: all :math:`3C + 4N + 1` memory neurons and the :math:`C + N` output neurons live in
**one** ``NeuronGroup`` and all fixed synapses in **one** ``Synapses`` object with per-synapse
weights and delays (Brian2's per-object, per-step overhead dominates in small networks), and a
whole scenario is **one** ``Network.run`` with its input spikes in a ``SpikeGeneratorGroup``.
The network is built once per ``(C, N)`` and reset with ``Network.restore``.

>>> from bioviz.cam.network import Learn, RecallCue, RecallContent, simulate
>>> run = simulate([Learn(0, {1, 3}), Learn(1, {2}), RecallCue(0), RecallContent({2})], C=2, N=4)
>>> run.results[2].cues, run.results[2].bits
((0,), (1, 3))
>>> run.results[3].cues, run.results[3].bits
((1,), (2,))
>>> run.accuracy
1.0
"""

from __future__ import annotations

import contextlib
import functools
import gc
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bioviz.cam.paper import PAPER as CAM_PAPER
from bioviz.runtime import brian2
from bioviz.validation import check_bool, check_int, check_positive, check_range

__all__ = [
    "DT_MS",
    "HOLD_MS",
    "SETTLE_MS",
    "POPULATIONS",
    "CellType",
    "Layout",
    "Plasticity",
    "Learn",
    "RecallCue",
    "RecallContent",
    "Operation",
    "OpResult",
    "CAMRun",
    "IdealCAM",
    "CAM",
    "simulate",
    "check_size",
    "describe",
    "threshold_weight",
    "fmt_bits",
    "pair_stdp",
    "decode_window",
    "SLOW",
    "FAST",
]

#: Simulation time step (ms), as on SpiNNaker.
DT_MS = 1.0
#: How long a learn operation holds its cue and content spikes (ms).
HOLD_MS = 3
#: How long a run lasts at least after its last operation: every output spike of an operation
#: comes 5-7 ms after it starts (measured on learns and both recalls), so 8 ms hold them all.
SETTLE_MS = 8
#: Output latencies of a recall: the addressed part after 5 ms, the recalled part after 6 ms.
LATENCY_MS = (5, 6)
V_REST_MV = -60.0
TAU_SYN_MS = 0.3
#: Scale of an input spike to one step of exponential current (SpiNNaker's ``init``).
SYN_SCALE = (TAU_SYN_MS / DT_MS) * (1.0 - np.exp(-DT_MS / TAU_SYN_MS))


@dataclass(frozen=True)
class CellType:
    """A PyNN ``IF_curr_exp`` cell: capacitance (nF), membrane time constant (ms), threshold (mV)."""

    c_m_nF: float
    tau_m_ms: float
    v_th_mV: float = -57.0

    @property
    def R_MOhm(self) -> float:
        return self.tau_m_ms / self.c_m_nF


def threshold_weight(cell: CellType) -> float:
    r"""The smallest single-spike weight (nA) that fires a resting ``cell`` in one step:
    :math:`(v_\text{th} - v_\text{rest}) / (R \cdot \text{scale} \cdot (1 - e^{-dt/\tau_m}))`.

    >>> round(threshold_weight(FAST), 2), round(threshold_weight(SLOW), 2)
    (3.36, 3.29)
    """
    return float((cell.v_th_mV - V_REST_MV) / (cell.R_MOhm * SYN_SCALE * (1 - np.exp(-DT_MS / cell.tau_m_ms))))


SLOW = CellType(0.27, 3.0)
FAST = CellType(0.14, 0.5)
#: The authors' output layer (their test script): a slow cell with threshold -57.5 mV.
OUTPUT = CellType(0.27, 3.0, -57.5)

#: (name, size as a function of (C, N), cell type, role); the order is the raster's order.
POPULATIONS = (
    ("CueCue", lambda C, N: C, SLOW, "cue input stage (CA3cue, cue recall)"),
    ("ContCue", lambda C, N: N, SLOW, "content input stage (CA3cont, cue recall)"),
    ("Cond", lambda C, N: N, FAST, "gate: passes content to the return stage only without a cue"),
    ("CondInt", lambda C, N: 1, FAST, "interneuron: any content spike primes Cond"),
    ("ContCont", lambda C, N: N, SLOW, "content return stage (content recall)"),
    ("CueCont", lambda C, N: C, FAST, "cue return stage (content recall)"),
    ("MergeCue", lambda C, N: C, SLOW, "merges both cue stages"),
    ("MergeCont", lambda C, N: N, SLOW, "merges both content stages"),
    ("OutCue", lambda C, N: C, OUTPUT, "output layer, cue part"),
    ("OutCont", lambda C, N: N, OUTPUT, "output layer, content part"),
)

#: Fixed projections: (source, target, weight nA, weight scales with N, delay ms, connectivity),
#: e.g. ``("ContCue", "Cond", 9.0, False, 1, "one")``.
#: Negative weights are inhibitory (same 0.3 ms current, subtracted). Connectivity: "one"
#: (one-to-one), "all" (all-to-all) or "others" (all-to-all except the same index).
FIXED = CAM_PAPER["fixed_projections"]  # the authors' configuration, as the registry gives it
#: Input layer -> CueCue (cue part) and -> ContCue (content part): one-to-one, 6 nA, 1 ms.
W_INPUT_NA = 6.0
#: The two plastic projections (all-to-all, delay 1 ms), named by direction.
PLASTIC = (("cue->content", "CueCue", "ContCue"), ("content->cue", "ContCont", "CueCont"))


def describe(C: int = 5, N: int = 10) -> str:
    """Markdown tables of the populations and the fixed projections of a ``(C, N)`` memory."""
    C, N = check_size(C, N)
    rows = ["| population | neurons | cell | role |", "|---|---|---|---|"]
    kinds = {
        id(SLOW): "slow (0.27 nF, 3 ms)",
        id(FAST): "fast (0.14 nF, 0.5 ms)",
        id(OUTPUT): "output (slow, -57.5 mV)",
    }
    for name, size, cell, role in POPULATIONS:
        rows.append(f"| {name} | {size(C, N)} | {kinds[id(cell)]} | {role} |")
    conn = {"one": "one-to-one", "all": "all-to-all", "others": "all but the same index"}
    rows += [
        "",
        "| from | to | weight (nA) | delay (ms) | connectivity |",
        "|---|---|---|---|---|",
        f"| input (cue, content) | CueCue, ContCue | {W_INPUT_NA:g} | 1 | one-to-one |",
    ]
    for src, dst, w, by_n, d, rule in FIXED:
        weight = f"{w:g} N (= {w * N:g})" if by_n else f"{w:g}"
        rows.append(f"| {src} | {dst} | {weight} | {d} | {conn[rule]} |")
    for label, src, dst in PLASTIC:
        rows.append(f"| {src} | {dst} | plastic 0..6 (STDP) | 1 | all-to-all ({label}) |")
    return "\n".join(rows)


def check_size(C, N) -> tuple[int, int]:
    """Validate the number of cues ``C`` and content bits ``N`` (1 to 500 each: the network has
    3C + 4N + 1 neurons and 2CN plastic synapses, all simulated)."""
    return check_int("C", C, low=1, high=500), check_int("N", N, low=1, high=500)


def check_without(without) -> tuple[tuple[str, str], ...]:
    """Validate fixed pathways to remove for an ablation: ``(source, target)`` pairs of
    :data:`FIXED` (e.g. ``(("CondInt", "Cond"),)``), returned as a sorted tuple.

    >>> check_without([("CondInt", "Cond")])
    (('CondInt', 'Cond'),)
    """
    known = {(src, dst) for src, dst, *_ in FIXED}
    out = tuple(sorted({tuple(pair) for pair in without}))
    unknown = [pair for pair in out if pair not in known]
    if unknown:
        raise ValueError(f"without must hold fixed pathways (source, target) of FIXED, got {unknown}")
    return out


@dataclass(frozen=True)
class Layout:
    """Where each population sits in the one ``NeuronGroup`` of a ``(C, N)`` memory, and which
    fixed pathways it has (all of :data:`FIXED` but those in ``without``, an ablation)."""

    C: int
    N: int
    without: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        check_size(self.C, self.N)
        object.__setattr__(self, "without", check_without(self.without))

    @functools.cached_property
    def slices(self) -> dict[str, slice]:
        out, pos = {}, 0
        for name, size, _, _ in POPULATIONS:
            n = size(self.C, self.N)
            out[name] = slice(pos, pos + n)
            pos += n
        return out

    @property
    def size(self) -> int:
        return self.slices["OutCont"].stop

    @property
    def n_memory_neurons(self) -> int:
        """Neurons of the memory proper: 3C + 4N + 1 (without the C + N output layer).

        Developer note: the spec writes 3C + 5N + 1, but the populations it lists (and the
        authors' sPyMem code) give 3C + 4N + 1: CueCue, CueCont, MergeCue (C each), ContCue,
        Cond, ContCont, MergeCont (N each) and CondInt (1)."""
        return self.slices["MergeCont"].stop

    def index(self, population: str, k=None):
        s = self.slices[population]
        return np.arange(s.start, s.stop) if k is None else s.start + np.asarray(k)

    def cell_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-neuron R (MOhm), tau_m (ms) and threshold (mV)."""
        R, tau, vth = (np.empty(self.size) for _ in range(3))
        for name, _, cell, _ in POPULATIONS:
            s = self.slices[name]
            R[s], tau[s], vth[s] = cell.R_MOhm, cell.tau_m_ms, cell.v_th_mV
        return R, tau, vth

    def fixed_synapses(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(pre, post, weight nA, delay ms) of every fixed synapse."""
        pre, post, w, d = [], [], [], []
        for src, dst, weight, by_n, delay, rule in FIXED:
            if (src, dst) in self.without:
                continue
            a, b = self.index(src), self.index(dst)
            ii, jj = np.meshgrid(np.arange(a.size), np.arange(b.size), indexing="ij")
            ii, jj = ii.ravel(), jj.ravel()
            keep = {"one": ii == jj, "all": np.ones(ii.size, bool), "others": ii != jj}[rule]
            pre.append(a[ii[keep]])
            post.append(b[jj[keep]])
            w.append(np.full(keep.sum(), weight * (self.N if by_n else 1.0)))
            d.append(np.full(keep.sum(), float(delay)))
        return tuple(np.concatenate(x) for x in (pre, post, w, d))

    def plastic_synapses(self) -> tuple[np.ndarray, np.ndarray]:
        """(pre, post) of the plastic synapses: first cue->content (C x N, row-major by cue),
        then content->cue (N x C, row-major by bit)."""
        cue, cont = np.arange(self.C), np.arange(self.N)
        pre = np.concatenate(
            [self.index("CueCue", np.repeat(cue, self.N)), self.index("ContCont", np.repeat(cont, self.C))]
        )
        post = np.concatenate(
            [self.index("ContCue", np.tile(cont, self.C)), self.index("CueCont", np.tile(cue, self.N))]
        )
        return pre, post


@dataclass(frozen=True)
class Plasticity:
    r"""Pair-based additive STDP on the two plastic projections (weights in nA).

    A presynaptic spike adds ``a_plus`` to a trace :math:`x_+` (decay :math:`\tau_+`), a
    postsynaptic spike adds ``a_minus`` to :math:`x_-` (decay :math:`\tau_-`). At a presynaptic
    spike the weight is first depressed, :math:`w \leftarrow \mathrm{clip}(w - g\,x_-, 0,
    w_\max)`, then delivered; at a postsynaptic spike it is potentiated,
    :math:`w \leftarrow \mathrm{clip}(w + g\,x_+, 0, w_\max)`. Weights start at 0.

    Pair by pair, with :math:`\Delta t = t_\text{post} - t_\text{pre}` (the steps in which the
    two neurons fire) and every pair counted (the traces add up):

    .. math::

        \Delta w = +A_+\,e^{-\Delta t/\tau_+} \ (\Delta t \ge 0,\ \text{pre before post}),
        \qquad
        \Delta w = -A_-\,e^{-|\Delta t|/\tau_-} \ (\Delta t < 0,\ \text{post before pre}),

    each applied as its later spike arrives and clipped to :math:`[0, w_\max]`. A pre and a
    post spike in the same step count as pre before post (Brian2 runs the ``pre`` pathway
    first), so a co-active pair gains the full :math:`A_+`.

    ``gated=False`` (the paper): :math:`g = 1` always. ``gated=True``: :math:`g = 1` only during
    learn operations (their first ``gate_ms`` ms), 0 otherwise, an encoding-phase
    (acetylcholine-like) switch that keeps recalls from writing.
    """

    a_plus: float = 4.0
    a_minus: float = 9.0
    tau_plus_ms: float = 3.0
    tau_minus_ms: float = 3.0
    w_max: float = 6.0
    gated: bool = False
    gate_ms: int = 6

    def __post_init__(self):
        check_range("a_plus", self.a_plus, 0.0, 100.0)
        check_range("a_minus", self.a_minus, 0.0, 100.0)
        check_positive("tau_plus_ms", self.tau_plus_ms)
        check_positive("tau_minus_ms", self.tau_minus_ms)
        check_positive("w_max", self.w_max)
        check_int("gate_ms", self.gate_ms, low=1, high=1000)
        check_bool("gated", self.gated)

    @property
    def ratio(self) -> float:
        """A-/A+ (depression over potentiation)."""
        return self.a_minus / self.a_plus if self.a_plus else float("inf")

    @classmethod
    def from_ratio(cls, ratio: float, a_plus: float = 4.0, **kwargs) -> Plasticity:
        """The rule with ``a_minus = ratio * a_plus``."""
        ratio = check_range("ratio", ratio, 0.0, 25.0)
        a_plus = check_positive("a_plus", a_plus)
        return cls(a_plus=a_plus, a_minus=ratio * a_plus, **kwargs)


# ---------------------------------------------------------------------------------------------
# operations


def fmt_bits(bits) -> str:
    """A set of indices as sorted set notation (``{}`` when empty).

    >>> fmt_bits((8, 1, 3, 4))
    '{1, 3, 4, 8}'
    """
    return "{" + ", ".join(str(int(b)) for b in sorted(bits)) + "}"


def _bits(bits, name: str = "bits") -> tuple[int, ...]:
    if isinstance(bits, int | np.integer):
        bits = (bits,)
    try:
        values = [check_int(name, b, low=0) for b in bits]
    except TypeError:
        raise ValueError(f"{name} must be a collection of bit indices, got {bits!r}") from None
    if not values:
        raise ValueError(
            f"{name} must not be empty, got {bits!r}: a content needs at least one bit. The circuit "
            "has no operation that empties a cell (a learn changes weights only through the spikes "
            "of the bits it presents); to forget a content, learn other bits under the same cue, "
            "which overwrites it."
        )
    return tuple(sorted(set(values)))


def _check_bits_range(bits: tuple[int, ...], N: int, name: str = "bits") -> None:
    if max(bits) > N - 1:
        raise ValueError(f"{name} must lie in 0..{N - 1} (N = {N}), got {list(bits)}")


def pair_stdp(
    pre_times, post_times, a_plus: float, a_minus: float, tau_ms: float, w_max: float, w0: float = 0.0
) -> float:
    r"""The weight after the spikes ``pre_times`` and ``post_times`` (ms), by the rule the Brian2
    synapses run (:class:`Plasticity`, no gate): traces :math:`x_\pm` decay as
    :math:`e^{-\Delta t/\tau}` between events; at a presynaptic spike :math:`x_+` grows by
    ``a_plus`` and the weight is first depressed by :math:`x_-`; at a postsynaptic spike
    :math:`x_-` grows by ``a_minus`` and the weight is potentiated by :math:`x_+`; the weight is
    clipped to ``[0, w_max]`` after every change; a pre and a post spike in the same step count
    as pre first.

    >>> round(pair_stdp([0.0], [1.0], 4.0, 9.0, 3.0, 6.0), 3)          # pre one step before post: A+ e^(-1/3)
    2.866
    >>> round(pair_stdp([1.0], [0.0], 4.0, 9.0, 3.0, 6.0, w0=6.0), 3)  # post before pre: 6 - 9 e^(-1/3)
    0.0
    """
    events = sorted([(float(t), 0) for t in pre_times] + [(float(t), 1) for t in post_times])
    w, xp, xm, t_last = float(w0), 0.0, 0.0, None
    for t, kind in events:
        if t_last is not None:
            decay = np.exp(-(t - t_last) / tau_ms)
            xp, xm = xp * decay, xm * decay
        t_last = t
        if kind == 0:
            xp += a_plus
            w = min(max(w - xm, 0.0), w_max)
        else:
            xm += a_minus
            w = min(max(w + xp, 0.0), w_max)
    return float(w)


def decode_window(times, ids, start: float, end: float) -> tuple[int, ...]:
    r"""The neurons (sorted, each once) that spiked after ``start`` and up to ``end`` (ms):
    the window :math:`(\text{start}, \text{end}]` in which a run decodes one operation.

    >>> decode_window([5.0, 6.0, 6.0, 11.0], [2, 1, 2, 0], start=5.0, end=11.0)
    (0, 1, 2)
    """
    times, ids = np.asarray(times, float), np.asarray(ids, int)
    keep = (times > start) & (times <= end)
    return tuple(sorted(set(ids[keep].tolist())))


@dataclass(frozen=True)
class Learn:
    """Store ``bits`` under ``cue`` (overwriting what the cue held)."""

    cue: int
    bits: tuple[int, ...]
    kind = "learn"

    def __post_init__(self):
        object.__setattr__(self, "cue", check_int("cue", self.cue, low=0))
        object.__setattr__(self, "bits", _bits(self.bits))

    def validate(self, C: int, N: int) -> None:
        check_int("cue", self.cue, 0, C - 1)
        _check_bits_range(self.bits, N)

    def inputs(self, C: int, t0: int) -> list[tuple[int, int]]:
        idx = [self.cue] + [C + b for b in self.bits]
        return [(i, t0 + h) for h in range(HOLD_MS) for i in idx]

    @property
    def label(self) -> str:
        return f"L{self.cue}"

    def __str__(self) -> str:
        return f"learn(cue {self.cue}, bits {fmt_bits(self.bits)})"


@dataclass(frozen=True)
class RecallCue:
    """Recall the content stored under ``cue``."""

    cue: int
    kind = "recall_cue"

    def __post_init__(self):
        object.__setattr__(self, "cue", check_int("cue", self.cue, low=0))

    def validate(self, C: int, N: int) -> None:
        check_int("cue", self.cue, 0, C - 1)

    def inputs(self, C: int, t0: int) -> list[tuple[int, int]]:
        return [(self.cue, t0)]

    @property
    def label(self) -> str:
        return f"C{self.cue}"

    def __str__(self) -> str:
        return f"recall_cue({self.cue})"


@dataclass(frozen=True)
class RecallContent:
    """Recall every cue whose content shares a bit with the probe ``bits``."""

    bits: tuple[int, ...]
    kind = "recall_content"

    def __post_init__(self):
        object.__setattr__(self, "bits", _bits(self.bits))

    def validate(self, C: int, N: int) -> None:
        _check_bits_range(self.bits, N)

    def inputs(self, C: int, t0: int) -> list[tuple[int, int]]:
        return [(C + b, t0) for b in self.bits]

    @property
    def label(self) -> str:
        return "P" + ",".join(map(str, self.bits))

    def __str__(self) -> str:
        return f"recall_content({fmt_bits(self.bits)})"


Operation = Learn | RecallCue | RecallContent


# ---------------------------------------------------------------------------------------------
# the ideal memory (what a perfect CAM would answer)


class IdealCAM:
    """The CAM's specification as a dictionary: one content per cue, overwrite on relearn,
    recall by content = OR over every cue sharing a bit with the probe.

    >>> m = IdealCAM(3, 6)
    >>> m.apply(Learn(0, {1, 2})); m.apply(Learn(2, {2, 5}))
    >>> m.expected(RecallContent({2}))
    ((0, 2), (2,))
    >>> m.expected(RecallCue(2))
    ((2,), (2, 5))
    """

    def __init__(self, C: int, N: int):
        self.C, self.N = check_size(C, N)
        self.memory: dict[int, frozenset[int]] = {}

    def expected(self, op: Operation) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(cues, bits) a perfect memory shows at the output for ``op``."""
        if isinstance(op, Learn):
            return (op.cue,), op.bits
        if isinstance(op, RecallCue):
            return (op.cue,), tuple(sorted(self.memory.get(op.cue, ())))
        probe = set(op.bits)
        return tuple(sorted(c for c, b in self.memory.items() if b & probe)), op.bits

    def apply(self, op: Operation) -> None:
        if isinstance(op, Learn):
            self.memory[op.cue] = frozenset(op.bits)


# ---------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True)
class OpResult:
    """One operation: when it started, what the output layer showed in its window, what a
    perfect memory shows, and whether they agree (recalls only; learns are not scored)."""

    op: Operation
    t_ms: float
    cues: tuple[int, ...]
    bits: tuple[int, ...]
    expected_cues: tuple[int, ...]
    expected_bits: tuple[int, ...]

    @property
    def is_recall(self) -> bool:
        return not isinstance(self.op, Learn)

    @property
    def correct(self) -> bool:
        return self.cues == self.expected_cues and self.bits == self.expected_bits


@dataclass(frozen=True)
class CAMRun:
    """Everything one batch of operations produced.

    ``spikes[name] = (times_ms, ids)`` per population (plus ``"Input"``: cue inputs 0..C-1,
    content inputs C..C+N-1); ``weights_t`` (ms) and the plastic weights over time,
    ``w_cue_content[k, c, b]`` (CueCue c -> ContCue b) and ``w_content_cue[k, c, b]``
    (ContCont b -> CueCont c), both indexed (cue, bit); ``results`` one :class:`OpResult` per op.
    """

    C: int
    N: int
    spacing_ms: float
    plasticity: Plasticity
    results: tuple[OpResult, ...]
    spikes: dict
    weights_t: np.ndarray
    w_cue_content: np.ndarray
    w_content_cue: np.ndarray
    t_start_ms: float
    t_end_ms: float
    wall_s: float = field(compare=False)

    @property
    def ops(self) -> tuple[Operation, ...]:
        return tuple(r.op for r in self.results)

    @property
    def recalls(self) -> tuple[OpResult, ...]:
        return tuple(r for r in self.results if r.is_recall)

    @property
    def n_correct(self) -> int:
        return sum(r.correct for r in self.recalls)

    @property
    def accuracy(self) -> float:
        """Fraction of recalls whose output equals the perfect memory's (NaN without recalls)."""
        n = len(self.recalls)
        return self.n_correct / n if n else float("nan")

    @property
    def cues(self) -> tuple[int, ...]:
        """Cues shown at the output by the last operation."""
        return self.results[-1].cues

    @property
    def bits(self) -> tuple[int, ...]:
        """Content bits shown at the output by the last operation."""
        return self.results[-1].bits

    @property
    def duration_ms(self) -> float:
        return self.t_end_ms - self.t_start_ms

    @property
    def realtime_factor(self) -> float:
        """Simulated biological time / wall time (1 = real time, as on SpiNNaker)."""
        return (self.duration_ms / 1000.0) / self.wall_s if self.wall_s > 0 else float("inf")

    def weights_at(self, t_ms: float) -> tuple[np.ndarray, np.ndarray]:
        """(cue->content, content->cue) weights (C x N, nA) at the end of step ``t_ms``."""
        k = int(np.clip(np.searchsorted(self.weights_t, t_ms, side="right") - 1, 0, len(self.weights_t) - 1))
        return self.w_cue_content[k], self.w_content_cue[k]

    @property
    def final_weights(self) -> tuple[np.ndarray, np.ndarray]:
        return self.w_cue_content[-1], self.w_content_cue[-1]

    @property
    def initial_weights(self) -> tuple[np.ndarray, np.ndarray]:
        return self.w_cue_content[0], self.w_content_cue[0]

    def events(self) -> list[tuple[float, str]]:
        """(start time, short label) of each operation, for raster markers."""
        return [(r.t_ms, r.op.label) for r in self.results]

    def summary(self) -> str:
        lines = []
        for r in self.results:
            mark = (
                ""
                if not r.is_recall
                else (
                    "  ok"
                    if r.correct
                    else f"  WRONG (expected cues {fmt_bits(r.expected_cues)}, bits {fmt_bits(r.expected_bits)})"
                )
            )
            lines.append(
                f"t={r.t_ms:5.0f} ms  {str(r.op):<34} -> cues {fmt_bits(r.cues)}, bits {fmt_bits(r.bits)}{mark}"
            )
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# the Brian2 network, built once per (C, N)


def _forget_stored(net, name: str) -> None:
    """Drop a state saved with ``net.store(name)``.

    Brian2 offers ``store``/``restore`` but no way to delete a stored state; it keeps them in
    the private ``Network._stored_state`` dict. This is the one place that touches it, and it
    degrades to keeping the state (a little memory) if a Brian2 release renames it.
    """
    stored = getattr(net, "_stored_state", None)
    if isinstance(stored, dict):
        stored.pop(name, None)


@contextlib.contextmanager
def _no_full_gc():
    """``Network.run`` calls ``gc.collect()`` (to warn about objects outside the network); in a
    notebook full of objects that costs ~0.1 s per run. Freezing the existing objects first
    makes that collection scan only new ones; unfreezing afterwards restores the collector."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _Engine:
    """The Brian2 objects of one ``(C, N)`` memory, reused by every run (see :func:`_engine`)."""

    def __init__(self, C: int, N: int, without: tuple[tuple[str, str], ...] = ()):
        b2 = brian2()
        ms, mV, nA, Mohm = b2.ms, b2.mV, b2.nA, b2.Mohm
        self.layout = lay = Layout(C, N, without)
        dt = DT_MS * ms
        R, tau, vth = lay.cell_arrays()
        eqs = """
        dv/dt = (v_rest + R * I - v) / tau_m : volt (unless refractory)
        I : amp
        R : ohm (constant)
        tau_m : second (constant)
        v_th : volt (constant)
        """
        G = b2.NeuronGroup(
            lay.size,
            eqs,
            threshold="v > v_th",
            reset="v = v_rest",
            refractory=2 * dt,
            method="exponential_euler",
            dt=dt,
            name="cam_cells",
            namespace=dict(v_rest=V_REST_MV * mV, decay_syn=float(np.exp(-DT_MS / TAU_SYN_MS))),
        )
        G.R, G.tau_m, G.v_th, G.v = R * Mohm, tau * ms, vth * mV, V_REST_MV * mV
        G.run_regularly("I = I * decay_syn", when="after_groups", name="cam_syn_decay")
        inp = b2.SpikeGeneratorGroup(C + N, np.array([], int), np.array([]) * ms, dt=dt, name="cam_input")
        S_in = b2.Synapses(inp, G, "w : amp (constant)", on_pre="I_post += w", dt=dt, name="cam_input_syn")
        S_in.connect(i=np.arange(C + N), j=np.concatenate([lay.index("CueCue"), lay.index("ContCue")]))
        S_in.w = W_INPUT_NA * SYN_SCALE * nA
        pre, post, w, d = lay.fixed_synapses()
        S_fix = b2.Synapses(G, G, "w : amp (constant)", on_pre="I_post += w", dt=dt, name="cam_fixed_syn")
        S_fix.connect(i=pre, j=post)
        S_fix.w = w * SYN_SCALE * nA
        S_fix.delay = (d - DT_MS) * ms
        # pair-based STDP with the traces decayed in closed form at each event (what Brian2's
        # "(event-driven)" equations do; written out, Brian2 need not solve them symbolically
        # for every new network)
        model = """
        w : amp
        xp : amp
        xm : amp
        t_last : second
        """
        decay = """
        xp = xp * exp(-(t - t_last) / tau_plus)
        xm = xm * exp(-(t - t_last) / tau_minus)
        t_last = t
        """
        on_pre = (
            decay
            + """
        xp += a_plus
        w = clip(w - gate(t) * xm, 0 * nA, w_max)
        I_post += w * syn_scale
        """
        )
        on_post = (
            decay
            + """
        xm += a_minus
        w = clip(w + gate(t) * xp, 0 * nA, w_max)
        """
        )
        S_pl = b2.Synapses(G, G, model, on_pre=on_pre, on_post=on_post, dt=dt, name="cam_plastic_syn")
        pre, post = lay.plastic_synapses()
        S_pl.connect(i=pre, j=post)
        self.spike_mon = b2.SpikeMonitor(G, name="cam_spikes")
        self.w_mon = b2.StateMonitor(S_pl, "w", record=True, dt=dt, when="end", name="cam_weights")
        self.G, self.inp, self.S_pl = G, inp, S_pl
        self.net = b2.Network(G, inp, S_in, S_fix, S_pl, self.spike_mon, self.w_mon)
        self.net.store("fresh")
        self.owner = None  # the CAM whose state the network holds now

    def run(
        self,
        ops: Sequence[Operation],
        gaps_ms: Sequence[float],
        plasticity: Plasticity,
        t0_ms: float,
        ideal: IdealCAM,
        tail_ms: float,
        spacing_ms: float,
    ) -> tuple[CAMRun, float]:
        """Run ``ops`` from ``t0_ms`` in one ``Network.run``; ``gaps_ms[k]`` is the time from
        operation ``k`` to ``k + 1``. Returns the run and its end time, at least
        :data:`SETTLE_MS` after the last operation so that its outputs are complete."""
        b2 = brian2()
        ms, nA = b2.ms, b2.nA
        lay = self.layout
        C, N = lay.C, lay.N
        offsets = np.concatenate([[0.0], np.cumsum(gaps_ms)])
        starts = [int(np.floor(t0_ms + off + 0.5)) for off in offsets]
        t_end = int(np.floor(starts[-1] + max(spacing_ms, tail_ms, SETTLE_MS) + 0.5))
        pairs = sorted(
            {p for op, t in zip(ops, starts, strict=True) for p in op.inputs(C, t)}, key=lambda p: (p[1], p[0])
        )
        idx = np.array([p[0] for p in pairs], dtype=int)
        times = np.array([p[1] for p in pairs], dtype=float)
        gate = np.zeros(t_end + 2) if plasticity.gated else np.ones(t_end + 2)
        if plasticity.gated:
            for op, t in zip(ops, starts, strict=True):
                if isinstance(op, Learn):
                    gate[t : t + plasticity.gate_ms] = 1.0
        self.inp.set_spikes(idx, times * ms)
        namespace = dict(
            a_plus=plasticity.a_plus * nA,
            a_minus=plasticity.a_minus * nA,
            tau_plus=plasticity.tau_plus_ms * ms,
            tau_minus=plasticity.tau_minus_ms * ms,
            w_max=plasticity.w_max * nA,
            syn_scale=SYN_SCALE,
            gate=b2.TimedArray(gate, dt=DT_MS * ms),
        )
        t_now = float(self.net.t / ms)
        wall0 = time.perf_counter()
        with _no_full_gc():
            self.net.run((t_end - t_now) * ms, namespace=namespace)
        wall = time.perf_counter() - wall0

        # read back: spikes since t0 and the weights
        sm_t = np.asarray(self.spike_mon.t / ms)
        sm_i = np.asarray(self.spike_mon.i)
        keep = sm_t >= t0_ms
        sm_t, sm_i = sm_t[keep], sm_i[keep]
        spikes = {"Input": (times, idx)}
        for name, s in lay.slices.items():
            m = (sm_i >= s.start) & (sm_i < s.stop)
            spikes[name] = (sm_t[m], sm_i[m] - s.start)
        wt = np.asarray(self.w_mon.t / ms)
        keep_w = wt >= t0_ms - DT_MS  # the step before t0 gives the weights at the start
        W = np.asarray(self.w_mon.w / nA)[:, keep_w].T  # (T, synapses)
        wt = wt[keep_w]
        w_cc = W[:, : C * N].reshape(-1, C, N)
        w_kc = W[:, C * N :].reshape(-1, N, C).transpose(0, 2, 1)
        if len(wt) == 0 or wt[0] >= t0_ms:  # fresh network: weights at t0 are the initial zeros
            wt = np.concatenate([[t0_ms - DT_MS], wt])
            w_cc = np.concatenate([np.zeros((1, C, N)), w_cc])
            w_kc = np.concatenate([np.zeros((1, C, N)), w_kc])

        # decode: output spikes in (start, next start], the last operation's up to the end of the
        # run (every simulated step lies before t_end, and the run lasts SETTLE_MS beyond the last
        # start, so each output spike is decoded once, in this call)
        out_cue_t, out_cue_i = spikes["OutCue"]
        out_cont_t, out_cont_i = spikes["OutCont"]
        results = []
        for k, (op, t) in enumerate(zip(ops, starts, strict=True)):
            t_next = starts[k + 1] if k + 1 < len(ops) else t_end
            exp_cues, exp_bits = ideal.expected(op)
            results.append(
                OpResult(
                    op,
                    float(t),
                    decode_window(out_cue_t, out_cue_i, t, t_next),
                    decode_window(out_cont_t, out_cont_i, t, t_next),
                    exp_cues,
                    exp_bits,
                )
            )
            ideal.apply(op)
        run = CAMRun(
            C=C,
            N=N,
            spacing_ms=float(spacing_ms),
            plasticity=plasticity,
            results=tuple(results),
            spikes=spikes,
            weights_t=wt,
            w_cue_content=w_cc,
            w_content_cue=w_kc,
            t_start_ms=float(t0_ms),
            t_end_ms=float(t_end),
            wall_s=wall,
        )
        return run, float(t_end)


@functools.lru_cache(maxsize=12)
def _engine(C: int, N: int, without: tuple[tuple[str, str], ...] = ()) -> _Engine:
    """One Brian2 network per (C, N) and process: building and the first run's code
    generation cost a few tenths of a second, a later run only its time steps."""
    return _Engine(C, N, without)


def check_spacing(spacing_ms) -> float:
    """Operation spacing in ms: at least one time step."""
    spacing_ms = float(check_positive("spacing_ms", spacing_ms))
    if spacing_ms < DT_MS:
        raise ValueError(f"spacing_ms must be at least one time step ({DT_MS:g} ms), got {spacing_ms!r}")
    return spacing_ms


class CAM:
    """A hippocampal spiking CAM with ``C`` cues and ``N`` content bits, driven op by op.

    Each call runs the Brian2 network on from where the previous call stopped and returns a
    :class:`CAMRun` (decoded outputs, spikes and weights of that call). The network is built
    once per ``(C, N)`` and shared; each ``CAM`` keeps its own state (``Network.store`` /
    ``restore``), so several can be used side by side.

    Parameters
    ----------
    C, N : int
        Cues (memories) and content bits, both >= 1.
    spacing_ms : float
        Time from one operation to the next (>= 1 ms). The authors' stress-test benches use
        14 ms, their functional test 10 ms; a comment in their tests says 7 ms after a learn is
        enough on SpiNNaker. Measured on this port's stress test (45 recalls, C = 5, N = 10,
        :func:`bioviz.cam.experiments.spacing_sweep`): 27 of 45 right at 7 ms, all 45 only from
        10 ms on (from 9 ms with the learning gate). ``run(ops, gaps_ms=...)`` spaces the
        operations of one call individually.
    plasticity : Plasticity
        The STDP rule (default: A+ = 4 nA, A- = 9 nA, not gated).

    >>> cam = CAM(C=3, N=6)
    >>> _ = cam.learn(0, {0, 4}); _ = cam.learn(2, {4, 5})
    >>> cam.recall_cue(0).bits
    (0, 4)
    >>> cam.recall_content({4}).cues
    (0, 2)
    """

    _counter = 0

    def __init__(
        self,
        C: int = 5,
        N: int = 10,
        *,
        spacing_ms: float = 14.0,
        plasticity: Plasticity | None = None,
        without: Sequence[tuple[str, str]] = (),
    ):
        self.C, self.N = check_size(C, N)
        self.without = check_without(without)
        self.spacing_ms = check_spacing(spacing_ms)
        self.plasticity = plasticity or Plasticity()
        self.ideal = IdealCAM(self.C, self.N)
        self.t_ms = DT_MS  # the first operation starts at 1 ms, as in the authors' stress-test benches
        self.runs: list[CAMRun] = []
        CAM._counter += 1
        self._name = f"cam{CAM._counter}"
        self._stored = False
        self._engine: _Engine | None = None

    # -- the small API ---------------------------------------------------------------------
    def learn(self, cue: int, bits: Iterable[int]) -> CAMRun:
        """Store ``bits`` under ``cue`` (cue and content spikes held for 3 ms)."""
        return self.run([Learn(cue, bits)])

    def recall_cue(self, cue: int) -> CAMRun:
        """One spike on ``cue``; ``.bits`` of the result is the recalled content."""
        return self.run([RecallCue(cue)])

    def recall_content(self, bits: Iterable[int]) -> CAMRun:
        """One spike on each probe bit; ``.cues`` of the result are the cues it recalls."""
        return self.run([RecallContent(bits)])

    def run(
        self, ops: Sequence[Operation], tail_ms: float = 10.0, gaps_ms: Sequence[float] | None = None
    ) -> CAMRun:
        """Run several operations in one simulation, ``spacing_ms`` apart or, with ``gaps_ms``
        (one value per pair of neighbours), at their own spacing: the authors' tests mix 7 ms
        after a learn with 6 ms after a recall. The run ends ``max(spacing_ms, tail_ms,
        SETTLE_MS)`` after the last operation (:data:`SETTLE_MS`: every output spike of an
        operation falls within it), so chained calls decode every output spike exactly once."""
        ops = list(ops)
        if not ops:
            raise ValueError("ops must hold at least one operation")
        tail_ms = float(check_positive("tail_ms", tail_ms, allow_zero=True))
        if gaps_ms is None:
            gaps = [self.spacing_ms] * (len(ops) - 1)
        else:
            gaps = [check_spacing(g) for g in gaps_ms]
            if len(gaps) != len(ops) - 1:
                raise ValueError(f"gaps_ms must hold len(ops) - 1 = {len(ops) - 1} values, got {len(gaps)}")
        for op in ops:
            if not isinstance(op, Learn | RecallCue | RecallContent):
                raise ValueError(f"ops must be Learn, RecallCue or RecallContent, got {op!r}")
            op.validate(self.C, self.N)
        if self._engine is None:
            self._engine = _engine(self.C, self.N, self.without)
        eng = self._engine
        if eng.owner is not self:
            eng.net.restore(self._name if self._stored else "fresh")
        run, self.t_ms = eng.run(ops, gaps, self.plasticity, self.t_ms, self.ideal, tail_ms, self.spacing_ms)
        eng.owner = self
        eng.net.store(self._name)
        self._stored = True
        self.runs.append(run)
        return run

    @property
    def memory(self) -> dict[int, frozenset[int]]:
        """What a perfect memory would hold after the operations so far."""
        return dict(self.ideal.memory)

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Current (cue->content, content->cue) weights, each C x N (nA)."""
        if not self.runs:
            z = np.zeros((self.C, self.N))
            return z, z.copy()
        return self.runs[-1].final_weights

    def __del__(self):  # free this memory's stored network state
        eng = getattr(self, "_engine", None)
        if eng is not None:
            _forget_stored(eng.net, self._name)
            if eng.owner is self:
                eng.owner = None


def simulate(
    ops: Sequence[Operation],
    C: int = 5,
    N: int = 10,
    *,
    spacing_ms: float = 14.0,
    plasticity: Plasticity | None = None,
    without: Sequence[tuple[str, str]] = (),
    gaps_ms: Sequence[float] | None = None,
) -> CAMRun:
    """Run ``ops`` on a fresh memory in one Brian2 run (see :class:`CAM`); ``without`` removes
    fixed pathways (an ablation, :func:`check_without`); ``gaps_ms`` spaces the operations
    individually (:meth:`CAM.run`)."""
    return CAM(C, N, spacing_ms=spacing_ms, plasticity=plasticity, without=without).run(ops, gaps_ms=gaps_ms)
