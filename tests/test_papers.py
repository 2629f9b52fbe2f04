"""The paper registries: well formed, cited, matching our models, and the only place their numbers are typed."""

import importlib
import inspect
import io
import json
import math
import re
import tokenize
from pathlib import Path

import pytest

from bioviz.papers import Paper, Reported

ROOT = Path(__file__).resolve().parents[1]
CONCEPTS = (
    "primer",
    "cam",
    "reservoir",
    "geometry",
    "fusion",
    "swimmer",
    "multitask",
    "delta",
    "continual",
    "credit",
    "events",
)


def _paper(concept) -> Paper:
    return importlib.import_module(f"bioviz.{concept}.paper").PAPER


@pytest.mark.parametrize("concept", CONCEPTS)
def test_every_concept_has_a_registry_cited_in_citation_cff(concept):
    paper = _paper(concept)
    assert isinstance(paper, Paper) and paper.numbers
    titles = re.findall(r'^\s+title: "(.+)"$', (ROOT / "CITATION.cff").read_text(), flags=re.M)
    assert paper.title.lower() in [t.lower() for t in titles]
    assert paper.url.startswith("https://")


def test_reported_refuses_what_a_registry_must_not_hold():
    with pytest.raises(ValueError, match="source"):
        Reported(1.0, where="Table 1", source="our prototype")
    with pytest.raises(ValueError, match="where"):
        Reported(1.0)
    with pytest.raises(ValueError, match="checked"):
        Reported(1.0, where="Table 1", checked="probably")
    with pytest.raises(ValueError, match="kind"):
        Reported(1.0, where="Table 1", kind="guess")
    with pytest.raises(ValueError, match="low, high"):
        Reported((3.0, 1.0), where="Table 1")
    with pytest.raises(KeyError, match="has no number 'nope'"):
        _paper("fusion")["nope"]


def test_snntorch_defaults_are_the_installed_librarys():
    import snntorch as snn
    from snntorch import surrogate

    from bioviz.primer import training
    from bioviz.primer.paper import PAPER

    def default(fn, name):
        return inspect.signature(fn).parameters[name].default

    assert default(surrogate.fast_sigmoid, "slope") == PAPER["fast_sigmoid_slope"]
    assert default(surrogate.atan, "alpha") == PAPER["atan_alpha"]
    assert default(snn.Leaky.__init__, "threshold") == PAPER["threshold"]
    assert default(snn.Leaky.__init__, "reset_mechanism") == PAPER["reset"]
    # the depth sweep's "defaults" are snnTorch's
    assert training.DEPTH_SURROGATES["fast sigmoid k=25"]["slope"] == PAPER["fast_sigmoid_slope"]
    assert training.DEPTH_SURROGATES["arctan alpha=2"]["slope"] / 12.5 == PAPER["atan_alpha"]


def test_cam_port_uses_the_authors_configuration():
    from bioviz.cam import network as net
    from bioviz.cam.paper import PAPER

    assert (net.DT_MS, net.V_REST_MV, net.TAU_SYN_MS, net.HOLD_MS) == (
        PAPER["dt"],
        PAPER["v_rest"],
        PAPER["tau_syn"],
        PAPER["learn_hold"],
    )
    assert (net.SLOW.c_m_nF, net.SLOW.tau_m_ms) == (PAPER["slow_cm"], PAPER["slow_tau_m"])
    assert (net.FAST.c_m_nF, net.FAST.tau_m_ms) == (PAPER["fast_cm"], PAPER["fast_tau_m"])
    assert net.SLOW.v_th_mV == net.FAST.v_th_mV == PAPER["v_thresh"]
    assert net.OUTPUT.v_th_mV == PAPER["v_thresh_output"]
    assert net.W_INPUT_NA == PAPER["w_input"]
    populations = {name for name, *_ in net.POPULATIONS}  # the port wires the authors' table as given
    assert net.FIXED is PAPER["fixed_projections"] and len(net.FIXED) == 14
    assert all(src in populations and dst in populations for src, dst, *_ in net.FIXED)
    p = net.Plasticity()
    assert p.tau_plus_ms == p.tau_minus_ms == PAPER["stdp_tau"] and p.w_max == PAPER["w_max"]
    # the one deliberate difference: our A+ / A- (4 and 9 nA per pairing) are not the authors'
    # 6 x w_max = 36 nA; the notebook explains why
    assert (p.a_plus, p.a_minus) != (PAPER["stdp_a"] * PAPER["w_max"],) * 2
    assert PAPER["neurons"] == "3C + 4N + 1"
    C, N = PAPER["cues"], PAPER["bits"]
    layout = net.Layout(C, N)
    assert layout.n_memory_neurons == 3 * C + 4 * N + 1


def test_swimmer_task_and_models_match_the_authors_code():
    from bioviz.swimmer import ncap, task
    from bioviz.swimmer.paper import PAPER

    assert task.TARGET_SPEED == PAPER["swim_target_speed"]
    assert (task.CONTROL_DT, task.PHYSICS_DT, task.LINK_LENGTH, task.EPISODE_STEPS) == (
        PAPER["control_dt"],
        PAPER["physics_dt"],
        PAPER["link_length"],
        PAPER["episode_steps"],
    )
    assert ncap.DEFAULT_PERIOD == PAPER["oscillator_period"]
    assert ncap.n_params(ncap.MLP()) == PAPER["mlp_small"]
    assert ncap.n_params(ncap.MLP(hidden=256)) == PAPER["mlp_large"]


def test_fusion_headline_gains_follow_the_table():
    from bioviz.fusion import paper

    lo, hi = paper.headline_gains()
    assert lo == pytest.approx(63.44 - 62.63) and hi == pytest.approx(64.61 - 57.63)
    assert len(paper.PAPER["k_scale_values"]) == len(paper.PAPER["k_scale_acc"])
    best = paper.PAPER["k_scale_values"][max(range(6), key=lambda i: paper.PAPER["k_scale_acc"][i])]
    assert best == 1  # "the authors found 1 best among 0.1-5"


# -- one place ---------------------------------------------------------------------------------


def _distinctive() -> dict[float, str]:
    """Reported results with at least three significant digits (too specific to be a coincidence).

    Settings (a model's parameters) may be typed where a model adopts them; the tests above
    check that they match.
    """
    out = {}
    for concept in CONCEPTS:
        for key, r in _paper(concept).numbers.items():
            if r.kind != "result":
                continue
            values = r.value if isinstance(r.value, tuple) else (r.value,)
            for v in values:
                if isinstance(v, float) and len(f"{v:g}".replace(".", "").replace("-", "").strip("0")) >= 3:
                    out[v] = f"{concept}.paper {key}"
    return out


def _code_sources():
    for path in sorted((ROOT / "bioviz").rglob("*.py")):
        if path.name != "paper.py":
            yield path, path.read_text()
    for folder in ("tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name != "test_papers.py":
                yield path, path.read_text()
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        yield path, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_paper_numbers_are_typed_only_in_their_registry():
    numbers = _distinctive()
    assert 0.949 in numbers and 62.63 in numbers  # the guard has something to guard
    found = []
    for path, text in _code_sources():
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):  # IPython magics: scan lines
            tokens = [
                t
                for line in text.splitlines()
                if not line.lstrip().startswith(("%", "!"))
                for t in _safe_tokens(line)
            ]
        for tok in tokens:
            if tok.type == tokenize.NUMBER and "j" not in tok.string:
                written = [tok.string.replace("_", "")]
            elif tok.type == tokenize.STRING:  # "ResNet18: 0.949 / 0.404" types them too
                written = re.findall(r"(?<![\w.])\d+\.\d+(?![\w.])", tok.string)
            else:
                continue
            for w in written:
                for v, owner in numbers.items():
                    if math.isclose(float(w), abs(v), rel_tol=0, abs_tol=1e-12):
                        found.append(f"{path.relative_to(ROOT)}: {w} (use {owner})")
    assert not found, "paper numbers typed outside their registry:\n" + "\n".join(found)


def _safe_tokens(line):
    try:
        return list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
