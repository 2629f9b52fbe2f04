"""Checksummed access to the small files in ``data/``.

``data/SHA256SUMS`` lists every file (``sha256sum`` format, paths relative to ``data/``), and
``data/README.md`` gives each file's provenance. :func:`path` refuses a file that is missing
from the list or whose content no longer matches it, so a notebook never plots silently
changed reference numbers.

:func:`digits` is the one loader of scikit-learn's bundled 8x8 digits (shipped inside the
package, so nothing is downloaded), with the named train/test splits the notebooks use.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

import numpy as np

#: The data folder: ``$BIOVIZ_DATA`` if set, else ``data/`` beside the package.
DATA_DIR = Path(os.environ.get("BIOVIZ_DATA", Path(__file__).resolve().parents[1] / "data"))
SUMS = "SHA256SUMS"


def sha256(file: Path) -> str:
    """The SHA-256 hex digest of a file, read in 64 kB chunks."""
    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checksums(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """``relative path -> sha256`` as listed in ``SHA256SUMS``."""
    sums = {}
    listing = Path(data_dir) / SUMS
    if not listing.exists():
        return sums
    for number, line in enumerate(listing.read_text().splitlines(), 1):
        if line.strip():
            parts = line.split(maxsplit=1)
            if len(parts) != 2 or len(parts[0]) != 64 or any(c not in "0123456789abcdef" for c in parts[0]):
                raise ValueError(
                    f"{listing}, line {number}: expected '<64 hex digits>  <path>' "
                    f"(the sha256sum format), got {line!r}"
                )
            digest, name = parts
            sums[name.lstrip("*")] = digest
    return sums


def path(name: str, data_dir: Path = DATA_DIR) -> Path:
    """Path of a listed data file after checking its checksum."""
    data_dir = Path(data_dir)
    expected = checksums(data_dir).get(name)
    if expected is None:
        raise ValueError(f"name {name!r} is not listed in {data_dir / SUMS}")
    file = data_dir / name
    if not file.exists():
        raise FileNotFoundError(f"{file} is listed in {SUMS} but missing")
    actual = sha256(file)
    if actual != expected:
        raise ValueError(f"{file}: checksum {actual[:12]}... does not match {SUMS} ({expected[:12]}...)")
    return file


def load_json(name: str, data_dir: Path = DATA_DIR):
    """Load a listed JSON file (after the checksum check)."""
    return json.loads(path(name, data_dir).read_text())


def verify(data_dir: Path = DATA_DIR) -> list[str]:
    """Problems with ``data/``: unlisted files, missing files, checksum mismatches."""
    data_dir = Path(data_dir)
    sums = checksums(data_dir)
    problems = []
    skip = {SUMS, "README.md"}
    present = {
        p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*") if p.is_file() and p.name not in skip
    }
    for name in sorted(present - sums.keys()):
        problems.append(f"{name}: not listed in {SUMS}")
    for name, digest in sorted(sums.items()):
        file = data_dir / name
        if not file.exists():
            problems.append(f"{name}: listed but missing")
        elif sha256(file) != digest:
            problems.append(f"{name}: checksum mismatch")
    return problems


#: Named stratified train/test splits of the digits (``train_test_split`` arguments, seed 0):
#: "test30" holds out 30% (the primer's SNN vs ANN and the geometry models), "train1200"
#: trains on 1,200 digits (the fusion task, which pairs each digit with a sound).
DIGIT_SPLITS = {"test30": {"test_size": 0.3}, "train1200": {"train_size": 1200}}


@functools.cache
def digits(split: str | None = None):
    """scikit-learn's 1,797 8x8 digits, pixels scaled to [0, 1] (float32), and their labels.

    With ``split=None``: ``(X, y)``, ``X`` of shape (1797, 64). With a name from
    :data:`DIGIT_SPLITS`: ``(X_train, X_test, y_train, y_test)``, stratified by label, seed 0,
    the same digits on every call. Arrays are read-only (shared by every caller).

    >>> X, y = digits()
    >>> X.shape, float(X.max()), int(y[0])
    ((1797, 64), 1.0, 0)
    >>> [a.shape[0] for a in digits("test30")]
    [1257, 540, 1257, 540]
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    if split is None:
        out = (X, y)
    else:
        if split not in DIGIT_SPLITS:
            raise ValueError(f"split must be None or one of {sorted(DIGIT_SPLITS)}, got {split!r}")
        out = tuple(train_test_split(X, y, stratify=y, random_state=0, **DIGIT_SPLITS[split]))
    for a in out:
        a.setflags(write=False)
    return out
