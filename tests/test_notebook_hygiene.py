"""Notebook hygiene: committed without outputs, following the template, calling check_env."""

import json
from pathlib import Path

import pytest

from bioviz.notebook import SECTIONS, missing_sections

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

IDS = [p.name for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_outputs_or_execution_counts(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: saved widget state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_template_sections(path):
    nb = json.loads(path.read_text())
    assert not missing_sections(nb), (
        f"{path.name}: missing or out of order: {missing_sections(nb)}; template: {SECTIONS}")
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# "), (
        f"{path.name}: the first cell must be the title")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_calls_check_env_and_uses_the_default_kernel(path):
    nb = json.loads(path.read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and "check_env()" in code[0], f"{path.name}: the first code cell must call check_env()"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_missing_sections_detects_order():
    def nb(*heads):
        return {"cells": [{"cell_type": "markdown", "source": f"## {h}"} for h in heads]}

    assert missing_sections(nb(*SECTIONS)) == []
    swapped = list(SECTIONS)
    swapped[2], swapped[3] = swapped[3], swapped[2]
    assert missing_sections(nb(*swapped))
    assert missing_sections(nb(*SECTIONS[:-1])) == ["References"]
