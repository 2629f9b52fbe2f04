"""What Casanueva-Morato et al. (2024) and its authors' code report (see :mod:`bioviz.papers`).

The paper's text was not reachable when these were checked; every value below is checked in the
authors' repository (``config/network_config.json``, ``test_CA3_content_addressable.py``,
``generate_testbench.py``), whose configuration sPyMem repeats byte for byte. Our port's
constants in :mod:`bioviz.cam.network` follow these except where ``tests/test_papers.py``
lists a deliberate difference (the STDP amplitudes).
"""

from bioviz.papers import Paper, Reported

_CONFIG = "config/network_config.json"
_TEST = "test_CA3_content_addressable.py"
_BENCH = "generate_testbench.py and tb/*/input_spikes.txt"


def _cfg(value, unit="", note=""):
    return Reported(value, unit, _CONFIG, "authors' code", "confirmed", note, kind="setting")


PAPER = Paper(
    citation="Casanueva-Morato et al. (2024)",
    title=(
        "Bio-inspired computational memory model of the Hippocampus: an approach to a neuromorphic "
        "spike-based Content-Addressable Memory"
    ),
    url="https://arxiv.org/abs/2310.05868",
    code="https://github.com/dancasmor/An-aproach-to-a-spike-based-Content-Addressable-Memory-bio-inspired-in-the-Hippocampus",
    numbers=dict(
        dt=Reported(1.0, "ms", f"{_TEST} (timeStep)", "authors' code", "confirmed", kind="setting"),
        v_rest=_cfg(-60.0, "mV", "also the reset and initial potential"),
        v_thresh=_cfg(-57.0, "mV"),
        v_thresh_output=Reported(
            -57.5, "mV", f"{_TEST} (output layer)", "authors' code", "confirmed", kind="setting"
        ),
        tau_refrac=_cfg(1.0, "ms"),
        tau_syn=_cfg(0.3, "ms", "excitatory and inhibitory"),
        slow_cm=_cfg(0.27, "nF"),
        slow_tau_m=_cfg(3.0, "ms"),
        fast_cm=_cfg(0.14, "nF", "CueCont, Cond and CondInt"),
        fast_tau_m=_cfg(0.5, "ms"),
        w_input=_cfg(6.0, "nA", "input layer to CueCue and ContCue, delay 1 ms"),
        fixed_projections=_cfg(
            (
                ("CueCue", "CueCont", 6.0, False, 2, "one"),
                ("CueCue", "CueCont", -6.0, True, 3, "others"),
                ("CueCue", "Cond", -6.0, False, 2, "all"),
                ("ContCue", "Cond", 9.0, False, 1, "one"),
                ("ContCue", "CondInt", 6.0, False, 1, "all"),
                ("CondInt", "Cond", 2.0, False, 1, "all"),
                ("Cond", "ContCont", 6.0, False, 1, "one"),
                ("CueCont", "CueCont", -6.0, True, 2, "others"),
                ("CueCue", "MergeCue", 6.0, False, 3, "one"),
                ("CueCont", "MergeCue", 6.0, False, 1, "one"),
                ("ContCue", "MergeCont", 6.0, False, 3, "one"),
                ("ContCont", "MergeCont", 6.0, False, 1, "one"),
                ("MergeCue", "OutCue", 6.0, False, 1, "one"),
                ("MergeCont", "OutCont", 6.0, False, 1, "one"),
            ),
            "(source, target, weight nA, x N, delay ms, connectivity)",
        ),
        stdp_tau=_cfg(3.0, "ms", "tau+ = tau- (pair-based, additive)"),
        w_max=_cfg(6.0, "nA", "weights start at 0"),
        stdp_a=_cfg(
            6.0,
            "",
            "A+ = A- = 6; sPyNNaker multiplies them by w_max, so one pairing moves a weight by up to 36 nA",
        ),
        learn_hold=Reported(3, "ms", _BENCH, "authors' code", "confirmed", kind="setting"),
        cues=Reported(5, "cues (C)", _TEST, "authors' code", "confirmed", kind="setting"),
        bits=Reported(10, "content bits (N)", _TEST, "authors' code", "confirmed", kind="setting"),
        neurons=Reported(
            "3C + 4N + 1",
            "memory neurons",
            f"{_TEST} (population sizes)",
            "authors' code",
            "confirmed",
            kind="setting",
        ),
        functional_spacing=Reported(
            10,
            "ms",
            f"{_TEST}, experiment 1",
            "authors' code",
            "confirmed",
            "operations at 0, 10, ..., 80 ms",
            kind="setting",
        ),
        stress_spacing=Reported(
            14, "ms", _BENCH, "authors' code", "confirmed", "the first operation at 1 ms", kind="setting"
        ),
        stress_operations=Reported(
            (60, 15, 45),
            "operations, learns, recalls",
            f"{_BENCH} (test bench 2, 'pyramidal')",
            "authors' code",
            "confirmed",
            kind="setting",
        ),
        min_spacing=Reported(
            (6, 7),
            "ms (after a recall, after a learn)",
            f"sPyMem {_TEST}, experiment 3 (a comment)",
            "authors' code",
            "confirmed",
            "a remark in the authors' tests on SpiNNaker, not a measured result",
        ),
    ),
)
