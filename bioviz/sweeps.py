"""One result type for parameter sweeps: values measured on every point of a grid.

Every sweep in the suite that repeats a measurement over a grid of settings and seeds
(geometry's noise sweep, the swimmer's weight sweeps, the primer's depth sweep, the CAM's
spacing sweep) returns a :class:`SweepResult`:

- ``axes``: the grid, an ordered ``name -> coordinates`` mapping. By convention the ``seed``
  axis comes first, so ``result["acc"][:, j]`` is "every seed at grid point j";
- ``values``: ``name -> array`` whose leading dimensions are the grid's shape (trailing
  dimensions are allowed: an accuracy per attack strength, a value per layer);
- ``runs``: the full result object of each point, keyed by its coordinate tuple (optional);
- ``settings``: everything else the sweep used (the labels of trailing dimensions, fixed
  parameters).

``result[name]`` gives a value array, or an axis's coordinates as an array;
:meth:`~SweepResult.sel` picks coordinates, :meth:`~SweepResult.mean` and friends reduce an
axis, and :meth:`~SweepResult.summary` gives the table rows a report prints.

>>> r = SweepResult.from_points(
...     {"seed": (0, 1), "sigma": (0.0, 1.0)},
...     [dict(acc=0.9), dict(acc=0.5), dict(acc=0.8), dict(acc=0.7)],
... )
>>> r.shape, r["acc"].tolist(), r["sigma"].tolist()
((2, 2), [[0.9, 0.5], [0.8, 0.7]], [0.0, 1.0])
>>> r.mean("acc").round(2).tolist(), r.sel(sigma=1.0)["acc"].tolist()
([0.85, 0.6], [0.5, 0.7])
>>> r.summary("acc")[1]
{'sigma': 1.0, 'mean': 0.6, 'min': 0.5, 'max': 0.7, 'n': 2}
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SweepResult", "grid_points", "save", "load"]


def _axes(axes: Mapping[str, Sequence]) -> dict[str, tuple]:
    if not isinstance(axes, Mapping) or not axes:
        raise ValueError("axes must be a non-empty mapping of axis name -> coordinates")
    out = {}
    for name, coords in axes.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"axis names must be non-empty strings, got {name!r}")
        coords = tuple(coords.tolist() if isinstance(coords, np.ndarray) else coords)
        if not coords:
            raise ValueError(f"axis {name!r} has no coordinates")
        out[name] = coords
    return out


def grid_points(axes: Mapping[str, Sequence]) -> list[dict]:
    """Every point of the grid as a ``{axis: coordinate}`` dict, last axis fastest (C order).

    This is the order :meth:`SweepResult.from_points` expects its points in.

    >>> grid_points({"seed": (0, 1), "gated": (False, True)})[:2]
    [{'seed': 0, 'gated': False}, {'seed': 0, 'gated': True}]
    """
    axes = _axes(axes)
    return [dict(zip(axes, p, strict=True)) for p in itertools.product(*axes.values())]


def _same_coord(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (type(a) is type(b) and a == b)
    if isinstance(a, int | float | np.number) and isinstance(b, int | float | np.number):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@dataclass
class SweepResult:
    """Values measured on every point of a grid (see the module docstring)."""

    axes: dict[str, tuple]
    values: dict[str, np.ndarray]
    runs: dict[tuple, Any] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        self.axes = _axes(self.axes)
        shape = self.shape
        values = {}
        for name, v in self.values.items():
            if name in self.axes:
                raise ValueError(f"value {name!r} has the name of an axis")
            v = np.asarray(v)
            if v.shape[: len(shape)] != shape:
                raise ValueError(
                    f"value {name!r} has shape {v.shape}; its leading dimensions must be the grid's {shape} "
                    f"(axes {', '.join(self.axes)})"
                )
            values[name] = v
        self.values = values
        for key in self.runs:
            if not isinstance(key, tuple) or len(key) != len(shape):
                raise ValueError(f"runs are keyed by coordinate tuples of length {len(shape)}, got {key!r}")

    @classmethod
    def from_points(
        cls,
        axes: Mapping[str, Sequence],
        points: Sequence[Mapping],
        *,
        runs: Sequence | None = None,
        settings: dict | None = None,
    ) -> SweepResult:
        """Stack one dict of measurements per grid point, given in :func:`grid_points` order.

        Every point must have the same keys; ``runs`` (optional) is one full result per point
        in the same order.
        """
        axes = _axes(axes)
        shape = tuple(len(c) for c in axes.values())
        n = math.prod(shape)
        points = list(points)
        if len(points) != n:
            raise ValueError(f"got {len(points)} points for a grid of {n} ({' x '.join(map(str, shape))})")
        names = list(points[0])
        for p in points:
            if list(p) != names:
                raise ValueError(f"every point must have the keys {names}, got {list(p)}")
        values = {
            k: np.stack([np.asarray(p[k]) for p in points]).reshape(shape + np.shape(points[0][k])) for k in names
        }
        keyed = {}
        if runs is not None:
            runs = list(runs)
            if len(runs) != n:
                raise ValueError(f"got {len(runs)} runs for a grid of {n}")
            keyed = dict(zip(itertools.product(*axes.values()), runs, strict=True))
        return cls(axes, values, keyed, dict(settings or {}))

    # -- shape and lookup -------------------------------------------------------------------

    @property
    def dims(self) -> tuple[str, ...]:
        """The axis names, in array order."""
        return tuple(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """The grid's shape (the leading dimensions of every value)."""
        return tuple(len(c) for c in self.axes.values())

    def keys(self) -> tuple[str, ...]:
        """The value names."""
        return tuple(self.values)

    def __contains__(self, name) -> bool:
        return name in self.values or name in self.axes

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.values:
            return self.values[name]
        if name in self.axes:
            return np.asarray(self.axes[name])
        raise KeyError(
            f"{name!r} is neither a value ({', '.join(self.values)}) nor an axis ({', '.join(self.axes)})"
        )

    def index(self, axis: str, coord) -> int:
        """Position of ``coord`` on ``axis`` (numbers compared with a 1e-9 relative tolerance)."""
        if axis not in self.axes:
            raise KeyError(f"no axis {axis!r}; the axes are {', '.join(self.axes)}")
        for i, c in enumerate(self.axes[axis]):
            if _same_coord(c, coord):
                return i
        raise ValueError(f"{coord!r} is not on axis {axis!r} (coordinates: {list(self.axes[axis])})")

    def sel(self, **coords) -> SweepResult:
        """The sub-grid at the given coordinates, those axes dropped.

        At least one axis must remain; :meth:`at` gives a single point.

        >>> r = SweepResult({"seed": (0, 1), "gated": (False, True)}, {"ok": [[1, 2], [3, 4]]})
        >>> r.sel(gated=True)["ok"].tolist(), r.at(seed=1, gated=False)["ok"].item()
        ([2, 4], 3)
        """
        if not coords:
            return self
        idx = {a: self.index(a, c) for a, c in coords.items()}
        if len(idx) == len(self.axes):
            raise ValueError("sel() must leave at least one axis; use at() for a single point")
        where = tuple(idx.get(a, slice(None)) for a in self.axes)
        keep = [i for i, a in enumerate(self.axes) if a not in idx]
        runs = {
            tuple(key[i] for i in keep): r
            for key, r in self.runs.items()
            if all(key[self.dims.index(a)] == self.axes[a][i] for a, i in idx.items())
        }
        return SweepResult(
            {a: c for a, c in self.axes.items() if a not in idx},
            {k: v[where] for k, v in self.values.items()},
            runs,
            dict(self.settings),
        )

    def _where(self, coords: dict) -> tuple[int, ...]:
        """The grid index of the point named by a coordinate on every axis."""
        if set(coords) != set(self.axes):
            raise ValueError(f"name one coordinate on every axis ({', '.join(self.axes)}); got {sorted(coords)}")
        return tuple(self.index(a, coords[a]) for a in self.axes)

    def at(self, **coords) -> dict[str, np.ndarray]:
        """Every value at one grid point (name a coordinate on every axis)."""
        where = self._where(coords)
        return {k: v[where] for k, v in self.values.items()}

    def run(self, **coords):
        """The full result stored for the point with these coordinates (every axis named)."""
        key = tuple(c[i] for c, i in zip(self.axes.values(), self._where(coords), strict=True))
        if key not in self.runs:
            raise KeyError(f"no run stored for {coords}")
        return self.runs[key]

    def points(self) -> Iterator[dict]:
        """Every grid point's coordinates, in array order."""
        return iter(grid_points(self.axes))

    # -- reductions -------------------------------------------------------------------------

    def reduce(self, name: str, fn, over: str | Sequence[str] = "seed") -> np.ndarray:
        """``fn(value, axis=...)`` over the named axes, e.g. ``np.mean`` over seeds."""
        over = (over,) if isinstance(over, str) else tuple(over)
        for a in over:
            if a not in self.axes:
                raise KeyError(f"no axis {a!r}; the axes are {', '.join(self.axes)}")
        return np.asarray(fn(self[name], axis=tuple(self.dims.index(a) for a in over)))

    def mean(self, name: str, over: str | Sequence[str] = "seed") -> np.ndarray:
        """Mean of a value over the named axes (default: over seeds)."""
        return self.reduce(name, np.mean, over)

    def min(self, name: str, over: str | Sequence[str] = "seed") -> np.ndarray:
        """Minimum of a value over the named axes (default: over seeds)."""
        return self.reduce(name, np.min, over)

    def max(self, name: str, over: str | Sequence[str] = "seed") -> np.ndarray:
        """Maximum of a value over the named axes (default: over seeds)."""
        return self.reduce(name, np.max, over)

    def summary(self, name: str, over: str = "seed") -> list[dict]:
        """Table rows: a scalar value's statistics over ``over``, one row per other grid point.

        Each row holds that point's coordinates and the ``mean``, ``min``, ``max`` and count
        ``n`` over ``over``.
        """
        if self[name].ndim != len(self.axes):
            raise ValueError(f"{name!r} is not one number per grid point (shape {self[name].shape})")
        mean, lo, hi = self.mean(name, over), self.min(name, over), self.max(name, over)
        rest = {a: c for a, c in self.axes.items() if a != over}
        n = len(self.axes[over])
        if not rest:
            return [dict(mean=float(mean), min=float(lo), max=float(hi), n=n)]
        return [
            dict(p, mean=float(mean[i]), min=float(lo[i]), max=float(hi[i]), n=n)
            for i, p in zip(np.ndindex(mean.shape), grid_points(rest), strict=True)
        ]

    def __repr__(self) -> str:
        grid = " x ".join(f"{a}[{len(c)}]" for a, c in self.axes.items())
        return f"SweepResult({grid}; values: {', '.join(self.values)}; {len(self.runs)} runs)"


def _jsonable(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, tuple | list):
        return [_jsonable(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    return x


def save(result: SweepResult, path) -> Path:
    """Write a sweep to ``path`` (``.npz``): every value array, the axes and the settings.

    The full ``runs`` are not written (they can be models); :func:`load` reads the rest.
    Settings are stored as JSON, so tuples come back as lists.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"a sweep is saved as .npz, got {path.name!r}")
    header = dict(axes=_jsonable(result.axes), settings=_jsonable(result.settings), format=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, __header__=np.array(json.dumps(header)), **result.values)
    return path


def load(path) -> SweepResult:
    """A sweep written by :func:`save` (without its ``runs``)."""
    with np.load(Path(path), allow_pickle=False) as f:
        if "__header__" not in f:
            raise ValueError(f"{path} is not a saved sweep (no header)")
        header = json.loads(str(f["__header__"]))
        values = {k: f[k] for k in f.files if k != "__header__"}
    axes = {k: tuple(tuple(c) if isinstance(c, list) else c for c in v) for k, v in header["axes"].items()}
    return SweepResult(axes, values, settings=header["settings"])
