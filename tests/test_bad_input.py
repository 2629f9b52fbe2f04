"""Impossible input gets a ValueError that names the parameter (reproducers from a probe of the API)."""

import numpy as np
import pytest

from bioviz import data, plots
from bioviz.cam import experiments as cam_ex
from bioviz.cam import explorers as cam_explorers
from bioviz.cam import hopfield
from bioviz.cam.network import Plasticity, check_size
from bioviz.fusion import task as fusion_task
from bioviz.fusion import training as fusion_training
from bioviz.geometry import attacks
from bioviz.primer import lif
from bioviz.primer import training as primer_training
from bioviz.reservoir import tasks as reservoir_tasks
from bioviz.swimmer import ncap, task
from bioviz.validation import MAX_SEED, check_bool, check_seed

CASES = [
    # silent NaN or garbage before
    (lambda: hopfield.load_curve(N=50, loads=[np.nan], trials=1), "loads must be"),
    (lambda: hopfield.load_curve(N=50, loads=[], trials=1), "loads must be"),
    (lambda: cam_ex.fragment_experiment(sets=0), "sets must be >= 1"),
    (lambda: reservoir_tasks.orthogonal(20, radius=np.nan), "radius must be finite"),
    (lambda: reservoir_tasks.gaussian(20, radius=-1.0), "radius must be >= 0"),
    (lambda: lif.rate_closed_form(np.nan), "current_nA must be finite"),
    (lambda: lif.isi_closed_form([2.0, np.inf]), "current_nA must be finite"),
    (
        lambda: fusion_training.train_runs([fusion_training.RunSpec("iemf")], epochs=1, momentum=np.nan),
        "momentum must be finite",
    ),
    (
        lambda: fusion_training.train_runs([fusion_training.RunSpec("iemf")], epochs=1, weight_decay=-1),
        "weight_decay must lie in",
    ),
    (lambda: fusion_training.train_runs([fusion_training.RunSpec("iemf")], epochs=1, lr=1e9), "lr must lie in"),
    # strings read as True before
    (lambda: ncap.NCAP(sign_constraints="no"), "sign_constraints must be True or False"),
    (lambda: ncap.NCAP(weight_sharing=0), "weight_sharing must be True or False"),
    (lambda: ncap.NCAPController.shared(sign_constraints="no"), "sign_constraints must be True or False"),
    (lambda: Plasticity(gated="yes"), "gated must be True or False"),
    (lambda: cam_ex.fragment_experiment(orthogonal="yes"), "orthogonal must be True or False"),
    (lambda: lif.simulate_snntorch(2.0, emulate_refractory=1), "emulate_refractory must be True or False"),
    (lambda: reservoir_tasks.evaluate(None, radius="no"), "radius must be True or False"),
    # unchecked labels and indices
    (lambda: fusion_task.examples(0.8, 0.8, label=10), "label must be <= 9"),
    (lambda: fusion_task.examples(0.8, 0.8, label=2.5), "label must be an integer"),
    (lambda: cam_explorers.overwrite_contents(4), "shared must be <= 3"),
    # wrong shapes
    (lambda: lif.relative_error([1.0], [1.0, 2.0]), r"simulated and reference must have the same shape"),
    # sizes with no upper bound ran for minutes or filled the memory
    (lambda: primer_training.train("snn", epochs=1, num_steps=10**9), "num_steps must be <= 1000"),
    (lambda: lif.fi_curve([2.0], duration_ms=1e9), "duration_ms must be at most"),
    (lambda: check_size(10**9, 10), "C must be <= 500"),
    (lambda: task.check_n_links(10**9), "n_links must be <= 100"),
    (lambda: task.check_n_steps(10**9), "n_steps must be <= 100000"),
    (lambda: attacks.pgd(None, np.zeros((1, 64)), np.zeros(1, int), 0.1, steps=10**9), "steps must be <= 10000"),
    (lambda: plots.new_figure(rows=10**9), "rows must be <= 50"),
    # seeds every generator accepts
    (lambda: check_seed(2**64), "seed must be <= 4294967295"),
    (lambda: check_bool("flag", "no"), "flag must be True or False"),
]


@pytest.mark.parametrize("call, message", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_impossible_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_largest_seed_still_works():
    assert check_seed(MAX_SEED) == MAX_SEED
    assert check_bool("flag", np.bool_(True)) is True
    assert hopfield.load_curve(N=20, loads=[0.1], trials=1, seed=MAX_SEED - 5)["P"].tolist() == [2]


def test_a_malformed_checksum_line_says_where(tmp_path):
    (tmp_path / "SHA256SUMS").write_text("abc\n")
    with pytest.raises(ValueError, match=r"line 1: expected '<64 hex digits>  <path>'"):
        data.checksums(tmp_path)


def test_widget_set_refuses_out_of_range_and_wrong_types():
    from bioviz.primer.explorers import SurrogateExplorer

    w = SurrogateExplorer().widget()
    with pytest.raises(ValueError, match=r"slope must lie in \[1.0, 50.0\]"):
        w.set(slope=1e6)
    with pytest.raises(ValueError, match="slope must be a number"):
        w.set(slope="x")
    w.set(slope=10.0)
    assert w.values()["slope"] == 10.0
    with pytest.raises(ValueError, match="is not a control"):
        w.set(nope=1)


def test_hopfield_recall_does_not_depend_on_the_blas_thread_count():
    # a probe saw notebook 01's load curve at N = 200 change with 2 BLAS threads (0.78732 vs 0.78510)
    from bioviz.runtime import blas_threads

    runs = []
    for n in (1, 2):
        with blas_threads(n):
            runs.append(hopfield.load_curve(N=200, loads=[0.12, 0.16], trials=2, seed=3)["overlap"])
    np.testing.assert_array_equal(runs[0], runs[1])
