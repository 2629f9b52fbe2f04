"""Notebook 09: event cameras, from the pixel to a sparse spiking classifier.

- :mod:`bioviz.events.sensor` -- a DVS simulated over rendered moving shapes (log-intensity
  reference, contrast thresholds with mismatch, refractory period, background noise, hot
  pixels), every event labelled signal or noise; binning to frames.
- :mod:`bioviz.events.denoise` -- the background-activity filter (BAF) and a learned filter on
  each event's k-nearest-neighbour graph (after Alkendi et al., TNNLS 2024).
- :mod:`bioviz.events.gestures` -- six synthetic motion classes ("gesture-lite").
- :mod:`bioviz.events.snn` -- the sparse spiking CNN (after Cordone et al., IJCNN 2021):
  weight-normalised LIF neurons with a learnable leak, operation counts.
"""

from bioviz.theme import register_colors

register_colors(
    {
        "ON": "#c0392b",
        "OFF": "#1f618d",
        "signal": "#1e8449",
        "noise": "#7f8c8d",
        "BAF": "#ca6f1e",
        "learned (kNN graph)": "#1f618d",
    }
)
