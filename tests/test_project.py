"""The project's metadata: one version, the declared license, a citation for every paper taught."""

import re
import tomllib
from pathlib import Path

import yaml

import bioviz

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_one_version_from_the_package_metadata():
    version = PYPROJECT["project"]["version"]
    assert bioviz.__version__ == version
    assert f"version: {version}" in (REPO / "CITATION.cff").read_text()
    assert not re.search(r"__version__\s*=\s*['\"]\d+\.\d", (REPO / "bioviz" / "__init__.py").read_text())


def test_license_is_the_declared_spdx_license():
    assert PYPROJECT["project"]["license"] == "MIT"  # SPDX string, not the deprecated table
    assert (REPO / "LICENSE").read_text().startswith("MIT License")


def test_citation_lists_every_paper_a_notebook_teaches():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    cited = {i["value"] for ref in citation["references"] for i in ref.get("identifiers", [])}
    for nb in sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        # the paper of a notebook is the first arXiv identifier it names
        first = re.search(r"arXiv:\s*(\d{4}\.\d{4,5})", nb.read_text())
        assert first, f"{nb.name}: names no arXiv identifier for its paper"
        assert f"arXiv:{first.group(1)}" in cited, f"{nb.name}: arXiv:{first.group(1)} not in CITATION.cff"


def test_torch_is_pinned_once():
    """The torch version lives in constraints.txt only; every install reads it from there."""
    pins = [line for line in (REPO / "constraints.txt").read_text().splitlines() if line.startswith("torch==")]
    assert len(pins) == 1
    for name in ("Makefile", "environment.yml", "pyproject.toml", ".ci/run"):
        text = (REPO / name).read_text()
        assert not re.search(r"torch==\d", text), f"{name} pins torch again"
    assert "-c constraints.txt torch" in (REPO / "Makefile").read_text()
