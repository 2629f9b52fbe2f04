"""Environment report: the versions that matter and known-bad combinations.

Every notebook's setup cell calls :func:`check_env`. Versions are read from package metadata,
so the check is fast and does not import torch or brian2.
"""

from __future__ import annotations

import os
import platform
import sys
import warnings
from importlib import metadata

#: Distributions whose versions we report, in display order.
PACKAGES = (
    "numpy",
    "scipy",
    "torch",
    "snntorch",
    "brian2",
    "plotly",
    "ipywidgets",
    "scikit-learn",
    "reservoirpy",
    "dm_control",
    "mujoco",
)


class EnvironmentWarning(UserWarning):
    """A known-bad combination of installed packages."""


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _release(version: str | None) -> tuple[int, ...]:
    """Numeric release tuple of a version string ('2.13.0+cpu' -> (2, 13, 0))."""
    if version is None:
        return ()
    parts = []
    for piece in version.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:  # '0rc1' and the like: stop after the numeric head
            break
    return tuple(parts)


def known_problems(versions: dict[str, str | None]) -> list[str]:
    """Return human-readable problems for a mapping ``distribution -> version``.

    The rules are the version traps met while building this suite (see constraints.txt).

    >>> known_problems({"brian2": "2.9.0", "numpy": "2.4.1"})[0][:23]
    'brian2 2.9.0 with numpy'
    >>> known_problems({"brian2": "2.9.0", "numpy": "2.3.5"})
    []
    """
    problems = []
    brian2, numpy = versions.get("brian2"), versions.get("numpy")
    if brian2 and numpy and _release(brian2) < (2, 10) and _release(numpy) >= (2, 4):
        problems.append(
            f"brian2 {brian2} with numpy {numpy}: brian2 < 2.10 fails to import with numpy >= 2.4 "
            "(ndarray.ptp was removed). Install numpy<2.4."
        )
    dmc, mujoco = versions.get("dm_control"), versions.get("mujoco")
    if dmc and mujoco and _release(dmc) <= (1, 0, 50) and _release(mujoco) >= (4,):
        problems.append(
            f"dm_control {dmc} with mujoco {mujoco}: crashes ('MjModel' has no attribute "
            "'flex_vertedge'). Install mujoco 3.17.0."
        )
    torch = versions.get("torch")
    if torch and ("+cu" in torch) and os.environ.get("CUDA_VISIBLE_DEVICES", None) == "":
        problems.append(f"torch {torch} is a CUDA build but CUDA is hidden; the CPU build is smaller.")
    return problems


def check_env(verbose: bool = True) -> dict[str, str | None]:
    """Print the versions that matter and warn on a known-bad combination.

    Parameters
    ----------
    verbose : bool
        Print a one-line summary (default True).

    Returns
    -------
    dict
        ``distribution -> version`` (None where not installed), plus ``python``.
    """
    versions: dict[str, str | None] = {name: _version(name) for name in PACKAGES}
    versions["python"] = platform.python_version()
    if verbose:
        shown = ", ".join(f"{k} {v}" for k, v in versions.items() if v and k != "python")
        missing = [k for k, v in versions.items() if v is None]
        print(f"bioviz environment: Python {versions['python']} ({sys.platform}); {shown}")
        if missing:
            print("not installed: " + ", ".join(missing))
    for problem in known_problems(versions):
        warnings.warn(problem, EnvironmentWarning, stacklevel=2)
    return versions
