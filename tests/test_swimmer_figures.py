"""Figures and experiments of notebook 05: built from physics data, finite, and telling the truth."""

import json

import numpy as np
import pytest
from plotly.utils import PlotlyJSONEncoder

from bioviz.swimmer import es, experiments, figures
from bioviz.swimmer.rollout import ncap, rollout


@pytest.fixture(scope="module")
def episode():
    return rollout(ncap(), n_steps=120, seed=0)


def _finite(fig):
    data = json.loads(json.dumps(fig.to_plotly_json()["data"], cls=PlotlyJSONEncoder))

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)
        elif isinstance(x, float):
            yield x

    return all(np.isfinite(v) for v in walk(data))


def test_body_figure_draws_the_physics_positions(episode):
    fig = figures.body_figure(episode, 60)
    body = next(t for t in fig.data if t.name == "body")
    np.testing.assert_allclose(np.c_[body.x, body.y], episode.outline[60])
    nose = next(t for t in fig.data if t.name == "nose")
    np.testing.assert_allclose([nose.x[0], nose.y[0]], episode.nose[60])
    path = next(t for t in fig.data if t.name == "head path")
    assert len(path.x) == 61
    assert fig.layout.yaxis.scaleanchor == "x"
    assert _finite(fig)


def test_animation_has_one_frame_per_stride(episode):
    fig = figures.body_animation(episode, every=10, align=False)
    assert len(fig.frames) == 13  # steps 0, 10, ..., 120
    last = fig.frames[-1].data[2]
    np.testing.assert_allclose(np.c_[last.x, last.y], episode.outline[-1])
    # aligned: a rigid rotation about the start that puts the net displacement on +x
    fig = figures.body_animation(episode, every=10)
    body = np.c_[fig.frames[-1].data[2].x, fig.frames[-1].data[2].y]
    np.testing.assert_allclose(
        np.linalg.norm(np.diff(body, axis=0), axis=1),
        np.linalg.norm(np.diff(episode.outline[-1], axis=0), axis=1),
        atol=1e-12,
    )
    head = fig.frames[-1].data[0]
    assert abs(head.y[-1]) < 1e-12 and head.x[-1] == pytest.approx(episode.displacement)
    assert fig.layout.updatemenus[0].buttons[0].method == "animate"
    assert len(fig.layout.sliders[0].steps) == 13


def test_wave_heatmap_is_time_by_joint(episode):
    fig = figures.wave_heatmap(episode)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (5, 121)
    assert _finite(fig)


def test_circuit_colours_follow_the_signs():
    fig = figures.circuit_figure(dict(osc=1.0, prop=0.0, ipsi=2.0, contra=-1.0))
    by = {t.name.split(" =")[0]: t for t in fig.data if t.name.startswith("w_")}
    assert by["w_osc"].line.color == by["w_ipsi"].line.color == figures._SIGN_COLOR[1]
    assert by["w_contra"].line.color == figures._SIGN_COLOR[-1]
    assert by["w_prop"].line.dash == "dot"
    assert by["w_ipsi"].line.width > by["w_osc"].line.width
    flipped = figures.circuit_figure(dict(osc=1.0, prop=1.0, ipsi=-1.0, contra=1.0))
    assert sum("sign flipped" in t.name for t in flipped.data) == 2


def test_rollout_figure(episode):
    fig = figures.rollout_figure(episode, dict(osc=1, prop=1, ipsi=1, contra=-1), title="x")
    assert {t.type for t in fig.data} == {"scatter", "heatmap"}
    assert _finite(fig)


def test_experiments_and_result_figures():
    sw = experiments.sweep(
        "prop", [0.0, 1.0], seeds=(0, 1), n_steps=200, parallel="processes:2", show_progress=False
    )
    assert sw["returns"].shape == (2, 2)
    assert sw["returns"][:, 1].min() > sw["returns"][:, 0].max()  # proprioception helps
    fig = figures.sweep_figure(
        [dict(x=sw["prop"], returns=sw["returns"], x_label="w_prop", name="prop", reference=[129, 792])]
    )
    assert _finite(fig)
    # with speeds: a second row under the returns, with the full-reward line at 0.1 m/s
    fig = figures.sweep_figure(
        [dict(x=sw["prop"], returns=sw["returns"], speeds=sw["speeds"], x_label="w_prop", name="prop")]
    )
    speed = [t for t in fig.data if t.yaxis == "y2" and t.name == "NCAP, ours (range over seeds)"]
    np.testing.assert_allclose(speed[0].y, sw["speeds"].mean(0))
    assert any(t.name.endswith("full reward per step") and list(t.y) == [0.1, 0.1] for t in fig.data)
    assert _finite(fig)
    # contra through positive values needs the sign constraints off; with them it is clamped to 0
    free = experiments.sweep(
        "contra",
        [-1.0, 0.0, 1.0],
        seeds=(0,),
        n_steps=100,
        sign_constraints=False,
        parallel="serial",
        show_progress=False,
    )["returns"][0]
    assert free[0] == free[1] > 0 == free[2]
    clamped = experiments.sweep("contra", [1.0], seeds=(0,), n_steps=100, parallel="serial", show_progress=False)[
        "returns"
    ][0]
    assert clamped[0] == free[1]
    tr = experiments.sweep("n_links", [4, 8], seeds=(0,), n_steps=100, parallel="serial", show_progress=False)
    assert tr["returns"].shape == (1, 2)
    fig = figures.bars_figure([4, 8], tr["returns"], speeds=tr["speeds"], reference=[343, 900])
    bars = [t for t in fig.data if t.type == "bar"]
    np.testing.assert_allclose(bars[1].y, tr["speeds"][0])
    assert bars[1].yaxis == "y2" and _finite(fig)
    ab = experiments.sign_ablation(seeds=(0,), n_steps=150, parallel="processes:2", show_progress=False)
    assert ab.axes["pattern"] == experiments.PATTERNS and ab["returns"].shape == (1, 16)
    best = ab.axes["pattern"][int(np.argmax(ab["returns"][0]))]
    assert best == (1, 1, 1, -1)  # only the worm's signs swim forward
    assert _finite(figures.sign_ablation_figure(ab.axes["pattern"], ab["returns"][0], ab["speeds"][0]))
    ini = experiments.init_returns(seeds=(0, 1), n_steps=100, parallel="serial", show_progress=False)
    assert ini["returns"].shape == (2, 4) and ini.dims == ("seed", "init")
    # seed s of an initialisation is the same episode whatever else is on the grid
    one = experiments.init_returns(
        ini.axes["init"][1:2], seeds=(1,), n_steps=100, parallel="serial", show_progress=False
    )
    assert one["returns"][0, 0] == ini["returns"][1, 1]
    assert _finite(figures.bars_figure(ini.axes["init"], ini["returns"], reference=[1, 2, 3, 4]))


def test_es_figure():
    runs = {
        k: [es.train(k, seed=0, iterations=1, population=2, episode_steps=20, eval_seeds=(100,))] for k in es.KINDS
    }
    fig = figures.es_figure(runs, labels=es.LABELS, baseline=10.0)
    assert any("6,021 parameters" in (t.name or "") for t in fig.data)
    assert fig.layout.yaxis.title.text == "held-out return per 20-step episode (max 20)"
    assert _finite(fig)
