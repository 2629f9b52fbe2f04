"""Parameter checks used at every public API boundary.

Each helper raises ``ValueError`` whose message starts with the parameter's name, so a reader
who moves a slider or calls a function with an impossible value learns which one and why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real

import numpy as np


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


#: The largest seed: numpy's legacy ``RandomState`` (which MuJoCo's suite uses) takes 32 bits.
MAX_SEED = 2**32 - 1


def check_seed(seed, name: str = "seed") -> int:
    """A non-negative integer seed that every generator of the suite accepts (<= 2**32 - 1)."""
    return check_int(name, seed, low=0, high=MAX_SEED)


def check_bool(name: str, value) -> bool:
    """``True`` or ``False`` (numpy's booleans too); not a string such as ``"no"``, nor 0/1."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(_fmt(name, value, "must be True or False"))


def check_shapes(**arrays) -> tuple:
    """The arguments as float arrays of one common shape (the message names them and theirs)."""
    out = tuple(np.asarray(v, dtype=float) for v in arrays.values())
    shapes = {name: a.shape for name, a in zip(arrays, out, strict=True)}
    if len(set(shapes.values())) > 1:
        got = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(" and ".join(arrays) + f" must have the same shape, got {got}")
    return out
