"""Notebook 02: reservoir computing with adaptive E/I balance (Srinivasan, Plenz, Girvan 2025).

- :mod:`bioviz.reservoir.model` -- a Dale's-law rate reservoir, local inhibitory plasticity,
  the one-step design, the Jacobian radius.
- :mod:`bioviz.reservoir.tasks` -- memory capacity and NARMA-10 with a ridge readout
  (reservoirpy's Ridge), plain ESNs and the reservoirpy cross-check.
- :mod:`bioviz.reservoir.experiments` -- the sweeps of the notebook (beta, targets, gain,
  intrinsic plasticity), vectorised over configurations.
- :mod:`bioviz.reservoir.figures`, :mod:`bioviz.reservoir.explorers` -- figures and explorers.
"""
