"""The coding exercises of tutorial 09 and their checkers (see :mod:`bioviz.exercises`).

1. :data:`DVS_PIXEL` -- one step of DVS pixels: events from the change of log intensity since
   the reference, and the reference moved by the thresholds crossed
   (reference :func:`bioviz.events.sensor.dvs_pixel`).
2. :data:`BAF` -- the background-activity filter (reference :func:`bioviz.events.denoise.baf`).
3. :data:`WN_LIF_STEP` -- one step of weight-normalised LIF neurons
   (reference :func:`bioviz.events.snn.wn_lif_step`).

>>> _ = BAF.check(denoise.baf)
baf: all 6 cases pass. The rest of the notebook uses your baf.
"""

from __future__ import annotations

import numpy as np

from bioviz.events import denoise, sensor, snn
from bioviz.exercises import Case, Exercise


def _run_baf(fn, case):
    return np.asarray(fn(*case.args, **case.kwargs), dtype=bool)


DVS_PIXEL = Exercise(
    "dvs_pixel",
    sensor.dvs_pixel,
    names=("signed number of events", "new reference"),
    cases=[
        Case(
            "a rise of 2.5 thresholds",
            (np.array([0.5]), np.array([0.0]), 0.2, 0.2),
            hint="n_on = floor((log_i - ref) / c_on) for a rise; here 2 events, not 2.5 and not 3",
        ),
        Case(
            "a fall gives negative counts (OFF events)",
            (np.array([-0.45]), np.array([0.0]), 0.2, 0.15),
            hint="a fall uses the OFF threshold: n_off = floor((ref - log_i) / c_off), and n = n_on - n_off",
        ),
        Case(
            "the reference moves by the thresholds crossed, not to log_i",
            (np.array([0.5, 0.1]), np.array([0.0, 0.0]), 0.2, 0.2),
            hint="ref_new = ref + n_on * c_on - n_off * c_off: the remainder (0.1 here) waits for the next step",
        ),
        Case(
            "no change, no event",
            (np.array([1.0, -1.0]), np.array([1.0, -1.0]), 0.2, 0.2),
            hint="delta = 0 gives 0 events and leaves the reference where it was",
        ),
        Case(
            "per-pixel thresholds (mismatch)",
            (np.array([0.3, 0.3, -0.3]), np.zeros(3), np.array([0.1, 0.25, 0.2]), np.array([0.1, 0.2, 0.14])),
            hint="c_on and c_off may be arrays, one threshold per pixel: use them elementwise",
        ),
    ],
)


BAF = Exercise(
    "baf",
    denoise.baf,
    run=_run_baf,
    cases=[
        Case(
            "a neighbour fired 1 ms before: keep",
            (np.array([0.0, 0.001]), np.array([5, 6]), np.array([5, 5]), 16, 0.005),
            hint="keep[i] = t[i] - last[y, x] <= window, where last holds the neighbours' latest times; "
            "every event writes its time into its neighbours' entries, kept or not",
        ),
        Case(
            "the first event and a lonely one: drop",
            (np.array([0.0, 0.001]), np.array([5, 12]), np.array([5, 12]), 16, 0.005),
            hint="start last at -infinity everywhere: nothing has fired yet",
        ),
        Case(
            "a pixel cannot vouch for itself",
            (np.array([0.0, 0.001]), np.array([5, 5]), np.array([5, 5]), 16, 0.005),
            hint="write t into the 8 neighbours' entries, not the event's own pixel",
        ),
        Case(
            "a diagonal neighbour counts; too old does not",
            (np.array([0.0, 0.002, 0.02]), np.array([3, 4, 5]), np.array([3, 4, 5]), 16, 0.005),
            hint="the 3 x 3 block around the event, minus its centre; compare with the window",
        ),
        Case(
            "events on the border of the sensor",
            (np.array([0.0, 0.001, 0.002]), np.array([0, 0, 15]), np.array([0, 1, 15]), 16, 0.005),
            hint="pixels at x = 0 or size - 1 have fewer neighbours: pad the map or clip the slices",
        ),
        Case(
            "a longer window keeps more",
            (np.array([0.0, 0.01, 0.02, 0.05]), np.array([5, 6, 7, 8]), np.array([5, 5, 5, 5]), 16, 0.012),
            hint="use the window argument, not a fixed 5 ms",
        ),
    ],
)


WN_LIF_STEP = Exercise(
    "wn_lif_step",
    snn.wn_lif_step,
    names=("spikes", "potential after the step"),
    cases=[
        Case(
            "a leaky integration step, below threshold",
            (np.array([0.2]), np.array([0.1]), 0.8, 1.0, 0.5),
            hint="u = beta * u + (1 - beta) * x: 0.8 * 0.2 + 0.2 * 0.1 = 0.18, no spike",
        ),
        Case(
            "a spike, and the reset by subtraction",
            (np.array([0.0]), np.array([2.0]), 0.5, 1.0, 0.5),
            hint="spike when u / w_norm2 - b > 0; then subtract b * w_norm2 from u (not set it to 0)",
        ),
        Case(
            "the threshold scales with the kernel's squared norm",
            (np.zeros(2), np.array([3.0, 3.0]), 0.5, np.array([1.0, 4.0]), 1.0),
            hint="compare u / w_norm2 with b: the same input spikes for the small kernel only",
        ),
        Case(
            "spikes are 0.0 or 1.0 (floats)",
            (np.array([0.5, 0.0, 1.5]), np.array([0.5, 0.0, 0.0]), 0.9, 2.0, 0.2),
            hint="(u / w_norm2 - b > 0).astype(float)",
        ),
    ],
)
