"""Checksummed access to the small files in ``data/``.

``data/SHA256SUMS`` lists every file (``sha256sum`` format, paths relative to ``data/``), and
``data/README.md`` gives each file's provenance. :func:`path` refuses a file that is missing
from the list or whose content no longer matches it, so a notebook never plots silently
changed reference numbers.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

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
    for line in listing.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
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
