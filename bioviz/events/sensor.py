"""A dynamic vision sensor (DVS) simulated over rendered moving shapes.

A DVS pixel does not report intensity. It keeps a reference level of its log intensity and
emits an ON event each time ``log I`` has risen by the contrast threshold ``C`` above it (an OFF
event for a fall), moving the reference by ``C`` per event (:func:`dvs_pixel`). Real pixels
differ: each has its own thresholds (mismatch), it cannot fire again within a refractory
period, and leakage and shot noise make it fire without any change in the scene (background
activity, uniform in space and time, a few Hz per pixel); some pixels fire constantly (hot
pixels). :func:`simulate` adds all of these to a stack of log-intensity frames and labels every
event signal or noise, so the labels a denoiser learns from come free.

:func:`scene` renders the moving shapes (anti-aliased discs, bars and polygons) as
log-intensity frames. Time is in seconds, positions in pixels; an :class:`Events` stream is
sorted by time.

>>> frames, dt = scene("bounce", size=16, duration=0.1, seed=0)
>>> ev = simulate(frames, dt, threshold=0.2, noise_hz=5.0, seed=0)
>>> bool(np.all(np.diff(ev.t) >= 0)), ev.n == len(ev.x), set(np.unique(ev.p)) <= {-1, 1}
(True, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioviz.validation import check_choice, check_int, check_positive, check_range, check_seed

#: Background and shape intensities (arbitrary units; the sensor sees only their log).
BACKGROUND, FOREGROUND = 0.25, 1.0
#: The floor added before the log (a dark pixel's log stays finite).
EPS = 1e-3
#: Frame step of the rendered scenes (s): 2 ms, 500 frames per second.
DT = 2e-3
#: Scenes :func:`scene` renders.
SCENES = ("bounce", "disc", "bar", "triangle")


@dataclass(frozen=True)
class Events:
    """An event stream: time (s), pixel, polarity (+1 ON, -1 OFF) and whether it is signal."""

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    p: np.ndarray
    signal: np.ndarray
    size: int
    duration: float

    @property
    def n(self) -> int:
        return len(self.t)

    def take(self, mask) -> Events:
        """The events where ``mask`` is true (or at the given indices)."""
        return Events(
            self.t[mask], self.x[mask], self.y[mask], self.p[mask], self.signal[mask], self.size, self.duration
        )

    @property
    def rate(self) -> float:
        """Mean events per pixel per second."""
        return self.n / (self.size**2 * self.duration)


# ---------------------------------------------------------------------------------------------
# the scene


def _grid(size: int):
    c = np.arange(size) + 0.5
    return np.meshgrid(c, c, indexing="xy")  # X[y, x] = x + 0.5


def disc(X, Y, cx, cy, r):
    """Coverage (0..1) of a disc of radius ``r``: one pixel of anti-aliased edge."""
    d = np.hypot(X - cx, Y - cy) - r
    return np.clip(0.5 - d, 0.0, 1.0)


def bar(X, Y, cx, cy, length, width, angle):
    """Coverage of a bar (a rectangle centred at (cx, cy), rotated by ``angle`` radians)."""
    c, s = np.cos(angle), np.sin(angle)
    u = (X - cx) * c + (Y - cy) * s
    v = -(X - cx) * s + (Y - cy) * c
    d = np.maximum(np.abs(u) - length / 2, np.abs(v) - width / 2)
    return np.clip(0.5 - d, 0.0, 1.0)


def polygon(X, Y, cx, cy, r, n_sides, angle):
    """Coverage of a regular polygon inscribed in a circle of radius ``r``."""
    a = np.arctan2(Y - cy, X - cx) - angle
    sector = 2 * np.pi / n_sides
    a = (a + sector / 2) % sector - sector / 2
    # distance to the polygon's edge along the ray, via the apothem
    apothem = r * np.cos(np.pi / n_sides)
    d = np.hypot(X - cx, Y - cy) * np.cos(a) - apothem
    return np.clip(0.5 - d, 0.0, 1.0)


def to_log(coverage, contrast: float = 1.0) -> np.ndarray:
    """Log intensity of a scene: background where coverage is 0, the shape where it is 1.

    ``contrast`` > 0 draws a bright shape on a dark background; < 0 a dark one (the background
    then at FOREGROUND and the shape at BACKGROUND).
    """
    lo, hi = (BACKGROUND, FOREGROUND) if contrast > 0 else (FOREGROUND, BACKGROUND)
    return np.log(lo + (hi - lo) * coverage + EPS)


def scene(kind: str = "bounce", *, size: int = 32, duration: float = 0.5, speed: float = 1.0, seed: int = 0):
    """Log-intensity frames ``(n_frames, size, size)`` of one moving shape, and the frame step.

    ``bounce``: a disc crossing the field and bouncing off its walls (``speed`` in field widths
    per second); ``disc`` / ``bar`` / ``triangle``: that shape drifting along a random
    direction while the bar and triangle also rotate. ``seed`` sets the start and direction.
    """
    check_choice("kind", kind, SCENES)
    size = check_int("size", size, 8, 256)
    duration = check_range("duration", duration, 0.01, 10.0)
    speed = check_range("speed", speed, 0.0, 20.0)
    rng = np.random.default_rng(check_seed(seed))
    n = int(round(duration / DT)) + 1
    t = np.arange(n) * DT
    X, Y = _grid(size)
    r = size * rng.uniform(0.12, 0.18)
    heading = rng.uniform(0, 2 * np.pi)
    v = speed * size * np.array([np.cos(heading), np.sin(heading)])
    start = rng.uniform(r + 1, size - r - 1, 2)
    frames = np.empty((n, size, size))
    spin = rng.choice([-1, 1]) * 2 * np.pi * 0.5 * max(speed, 0.2)
    for k in range(n):
        if kind == "bounce":
            lo, hi = r + 0.5, size - r - 0.5
            pos = start + v * t[k]
            pos = lo + _reflect(pos - lo, hi - lo)
            cov = disc(X, Y, pos[0], pos[1], r)
        else:
            pos = start + 0.5 * v * t[k]
            if kind == "disc":
                cov = disc(X, Y, pos[0], pos[1], r)
            elif kind == "bar":
                cov = bar(X, Y, pos[0], pos[1], 2.6 * r, 0.6 * r, spin * t[k])
            else:
                cov = polygon(X, Y, pos[0], pos[1], 1.3 * r, 3, spin * t[k])
        frames[k] = to_log(cov)
    return frames, DT


def _reflect(offset, span):
    """A position bouncing between 0 and ``span``."""
    m = np.mod(offset, 2 * span)
    return np.where(m > span, 2 * span - m, m)


# ---------------------------------------------------------------------------------------------
# the pixel


def dvs_pixel(log_i, ref, c_on, c_off):
    """One frame step of DVS pixels: the signed number of events and the new reference.

    ``log_i`` is the pixel's log intensity now, ``ref`` its reference (the log intensity at its
    last event). A rise of ``k`` whole ON thresholds gives ``+k`` events, a fall of ``k`` whole
    OFF thresholds ``-k``; the reference moves by the thresholds crossed (not to ``log_i``:
    the remainder below one threshold is kept for the next step). Works on arrays of pixels;
    ``c_on`` and ``c_off`` may be per-pixel arrays.

    >>> n, ref = dvs_pixel(np.array([0.5, -0.25, 0.1]), np.zeros(3), 0.2, 0.2)
    >>> n.tolist(), np.round(ref, 2).tolist()
    ([2, -1, 0], [0.4, -0.2, 0.0])
    """
    delta = log_i - ref
    n_on = np.floor(np.maximum(delta, 0.0) / c_on)
    n_off = np.floor(np.maximum(-delta, 0.0) / c_off)
    return (n_on - n_off).astype(int), ref + n_on * c_on - n_off * c_off


def simulate(
    frames,
    dt: float = DT,
    *,
    threshold: float = 0.2,
    mismatch: float = 0.03,
    refractory: float = 1e-3,
    noise_hz: float = 0.0,
    hot_pixels: int = 0,
    hot_hz: float = 200.0,
    seed: int = 0,
    pixel=None,
) -> Events:
    """The events a DVS would emit watching ``frames`` (log intensity), labelled signal/noise.

    Each pixel has its own ON and OFF thresholds, ``threshold * (1 + mismatch * N(0, 1))``.
    Within a step the ``k`` events of a pixel are placed where a linear ramp of log intensity
    crosses each threshold; an event less than ``refractory`` seconds after the pixel's last
    kept one is dropped (the reference still moves). Noise: ``noise_hz`` background events per
    pixel per second (Poisson, uniform in time and space, random polarity) and ``hot_pixels``
    pixels firing at ``hot_hz``. ``pixel`` replaces :func:`dvs_pixel` (same signature), e.g. by
    a student's version.
    """
    frames = np.asarray(frames, dtype=float)
    if frames.ndim != 3 or frames.shape[1] != frames.shape[2] or len(frames) < 2:
        raise ValueError(f"frames must have shape (n_frames >= 2, size, size), got {frames.shape}")
    dt = check_positive("dt", dt)
    threshold = check_range("threshold", threshold, 0.01, 5.0)
    mismatch = check_range("mismatch", mismatch, 0.0, 0.5)
    refractory = check_range("refractory", refractory, 0.0, 1.0)
    noise_hz = check_range("noise_hz", noise_hz, 0.0, 1000.0)
    hot_pixels = check_int("hot_pixels", hot_pixels, 0)
    hot_hz = check_range("hot_hz", hot_hz, 0.0, 10000.0)
    rng = np.random.default_rng(check_seed(seed))
    pixel = pixel or dvs_pixel
    n_frames, size, _ = frames.shape
    duration = (n_frames - 1) * dt
    c_on = np.maximum(threshold * (1 + mismatch * rng.standard_normal((size, size))), 0.2 * threshold).ravel()
    c_off = np.maximum(threshold * (1 + mismatch * rng.standard_normal((size, size))), 0.2 * threshold).ravel()
    ref = frames[0].ravel().copy()
    last = np.full(size * size, -np.inf)
    ts, idx, ps = [], [], []
    for k in range(1, n_frames):
        level = frames[k].ravel()
        n, new_ref = pixel(level, ref, c_on, c_off)
        n = np.asarray(n).astype(int)
        fired = np.flatnonzero(n)
        if len(fired):
            count = np.abs(n[fired])
            delta = np.abs(level[fired] - ref[fired])
            c = np.where(n[fired] > 0, c_on[fired], c_off[fired])
            spacing = dt * c / np.maximum(delta, 1e-12)  # time between this pixel's crossings
            t0 = (k - 1) * dt
            pix = np.repeat(fired, count)
            j = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + 1  # 1..count
            sp = np.repeat(spacing, count)
            t = t0 + j * sp
            if refractory > 0:
                # first allowed crossing, then every m-th one (m crossings span the refractory time)
                j0 = np.maximum(1, np.ceil((last[fired] + refractory - t0) / spacing - 1e-9))
                m = np.maximum(1, np.ceil(refractory / spacing - 1e-9))
                j0r, mr = np.repeat(j0, count), np.repeat(m, count)
                keep = (j >= j0r) & (np.mod(j - j0r, mr) == 0)
                pix, t = pix[keep], t[keep]
            if len(pix):
                last[pix] = t  # later events of a pixel come later in the arrays: the last write wins
                ts.append(t)
                idx.append(pix)
                ps.append(np.sign(n[pix]))
        ref = new_ref
    signal_t = np.concatenate(ts) if ts else np.zeros(0)
    signal_i = np.concatenate(idx) if idx else np.zeros(0, int)
    signal_p = np.concatenate(ps) if ps else np.zeros(0, int)
    # background activity: Poisson counts, uniform in time and space
    n_noise = rng.poisson(noise_hz * size * size * duration)
    noise_t = rng.uniform(0, duration, n_noise)
    noise_i = rng.integers(0, size * size, n_noise)
    noise_p = rng.choice([-1, 1], n_noise)
    if hot_pixels:
        hot = rng.choice(size * size, min(hot_pixels, size * size), replace=False)
        counts = rng.poisson(hot_hz * duration, len(hot))
        noise_t = np.concatenate([noise_t, rng.uniform(0, duration, counts.sum())])
        noise_i = np.concatenate([noise_i, np.repeat(hot, counts)])
        noise_p = np.concatenate([noise_p, rng.choice([-1, 1], counts.sum())])
    t = np.concatenate([signal_t, noise_t])
    i = np.concatenate([signal_i, noise_i]).astype(np.int64)
    p = np.concatenate([signal_p, noise_p]).astype(np.int8)
    sig = np.concatenate([np.ones(len(signal_t), bool), np.zeros(len(noise_t), bool)])
    order = np.argsort(t, kind="stable")
    return Events(
        t[order],
        (i[order] % size).astype(np.int16),
        (i[order] // size).astype(np.int16),
        p[order],
        sig[order],
        size,
        duration,
    )


def to_frames(events: Events, bins: int) -> np.ndarray:
    """Event counts binned in time: ``(bins, 2, size, size)``, channel 0 OFF, channel 1 ON."""
    bins = check_int("bins", bins, 1, 10000)
    out = np.zeros((bins, 2, events.size, events.size), np.float32)
    if events.n:
        b = np.minimum((events.t / events.duration * bins).astype(int), bins - 1)
        np.add.at(out, (b, (events.p > 0).astype(int), events.y, events.x), 1.0)
    return out
