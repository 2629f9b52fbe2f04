"""Parameter checks used at every public API boundary.

Each helper raises ``ValueError`` whose message starts with the parameter's name, so a reader
who moves a slider or calls a function with an impossible value learns which one and why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real


def _fmt(name: str, value, why: str) -> str:
    return f"{name} {why}, got {value!r}"


def check_number(name: str, value, *, allow_inf: bool = False) -> float:
    """Return ``value`` as float; reject non-numbers and NaN (and inf unless allowed)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(_fmt(name, value, "must be a number"))
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(_fmt(name, value, "must be finite"))
    return value


def check_positive(name: str, value, *, allow_zero: bool = False) -> float:
    """``value > 0`` (or ``>= 0`` with ``allow_zero``)."""
    value = check_number(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(_fmt(name, value, "must be >= 0" if allow_zero else "must be > 0"))
    return value


def check_range(
    name: str, value, low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> float:
    """``low <= value <= high``; ``low_open``/``high_open`` make that end strict."""
    value = check_number(name, value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(_fmt(name, value, f"must lie in {left}{low}, {high}{right}"))
    return value


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """An integer (not bool) with optional inclusive bounds."""
    if isinstance(value, bool):
        raise ValueError(_fmt(name, value, "must be an integer"))
    if not isinstance(value, Integral):
        if isinstance(value, Real) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(_fmt(name, value, "must be an integer"))
    value = int(value)
    if low is not None and value < low:
        raise ValueError(_fmt(name, value, f"must be >= {low}"))
    if high is not None and value > high:
        raise ValueError(_fmt(name, value, f"must be <= {high}"))
    return value


def check_choice(name: str, value, options: Iterable):
    """``value`` must be one of ``options``."""
    options = tuple(options)
    if value not in options:
        raise ValueError(_fmt(name, value, f"must be one of {options}"))
    return value


def check_seed(seed) -> int:
    """A non-negative integer seed."""
    return check_int("seed", seed, low=0)
