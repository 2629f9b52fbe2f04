"""The coding exercises of tutorial 01 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`PAIR_STDP` -- the weight after a few pre- and postsynaptic spikes under the
   trace-based STDP rule the Brian2 synapses run (depression before delivery, clipping; reference
   :func:`bioviz.cam.network.pair_stdp`), on spike pairs at several lags.
2. :data:`DECODE_WINDOW` -- which output neurons answered one operation: spikes after its start
   and up to the next one's (reference :func:`bioviz.cam.network.decode_window`).

>>> _ = DECODE_WINDOW.check(network.decode_window)
decode_window: all 5 cases pass. The rest of the notebook uses your decode_window.
"""

from __future__ import annotations

import numpy as np

from bioviz.cam import network
from bioviz.exercises import Case, Exercise

_RULE = dict(a_plus=4.0, a_minus=9.0, tau_ms=3.0, w_max=6.0)


def _stdp_case(pre, post, w0=0.0, **rule):
    r = {**_RULE, **rule}
    return (list(pre), list(post), r["a_plus"], r["a_minus"], r["tau_ms"], r["w_max"], w0)


def _run_stdp(fn, case):
    return float(fn(*case.args))


PAIR_STDP = Exercise(
    "pair_stdp",
    network.pair_stdp,
    run=_run_stdp,
    cases=[
        Case(
            "pre and post in the same step",
            _stdp_case([2.0], [2.0]),
            hint="same step: the pre spike is handled first",
        ),
        Case(
            "pre one step before post",
            _stdp_case([0.0], [1.0]),
            hint="at the post spike, add the pre trace a_plus * exp(-1 / tau)",
        ),
        Case(
            "post two steps before pre, from a full weight",
            _stdp_case([2.0], [0.0], w0=6.0),
            hint="at the pre spike, subtract the post trace a_minus * exp(-2 / tau), before anything else",
        ),
        Case(
            "a learn: three co-active steps saturate the weight",
            _stdp_case([0.0, 1.0, 2.0], [0.0, 1.0, 2.0]),
            hint="clip the weight to [0, w_max] after every change",
        ),
        Case(
            "an overwrite: post before pre, then pre before post",
            _stdp_case([1.0, 3.0], [0.0, 4.0], w0=6.0),
            hint="traces add up over spikes and decay between events by exp(-dt / tau)",
        ),
        Case(
            "equal amplitudes (the authors' 6 and 6)",
            _stdp_case([1.0, 3.0], [0.0, 4.0], w0=6.0, a_plus=6.0, a_minus=6.0),
            hint="a_plus and a_minus are parameters: do not hard-code 4 and 9",
        ),
    ],
)

_T = np.array([3.0, 5.0, 6.0, 6.0, 11.0, 12.0, 17.0])
_I = np.array([4, 0, 2, 2, 1, 3, 0])

DECODE_WINDOW = Exercise(
    "decode_window",
    network.decode_window,
    run=lambda fn, case: tuple(int(x) for x in fn(*case.args)),
    cases=[
        Case("one window", (_T, _I, 0.0, 10.0), hint="every neuron once, sorted: tuple(sorted(set(...)))"),
        Case(
            "a spike exactly at the start belongs to the previous operation",
            (_T, _I, 5.0, 11.0),
            hint="the window is (start, end]: strictly after the start",
        ),
        Case(
            "a spike exactly at the end belongs to this operation",
            (_T, _I, 6.0, 12.0),
            hint="the window is (start, end]: up to and including the end",
        ),
        Case("an empty window", (_T, _I, 12.0, 16.0), hint="no spike: return an empty tuple"),
        Case("the same neuron twice", (_T, _I, 4.0, 7.0), hint="a neuron that spikes twice is reported once"),
    ],
)
