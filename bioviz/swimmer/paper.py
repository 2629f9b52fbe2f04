"""What Bhattasali, Zador & Engel (NeurIPS 2022) and its authors' code report (see :mod:`bioviz.papers`).

The architecture and task constants are checked against the authors' repository
(``nikhilxb/ncap``) and dm_control, which the authors' environment builds on. The returns in
``data/swimmer/spec05.json`` are *not* the paper's: they come from an earlier port of ours.
"""

from bioviz.papers import Paper, Reported

_NCAP = "nikhilxb/ncap, neurobo/ncap/swimmer.py"
_ENV = "nikhilxb/ncap, neurobo/ncap/envs.py"
_DMC = "dm_control suite swimmer (used by the authors' environment)"

PAPER = Paper(
    citation="Bhattasali, Zador & Engel (2022)",
    title="Neural Circuit Architectural Priors for Embodied Control",
    url="https://arxiv.org/abs/2201.05242",
    code="https://github.com/nikhilxb/ncap",
    numbers=dict(
        ncap_params_shared=Reported(
            4, "parameters", f"{_NCAP} (weight sharing)", "authors' code", "confirmed", kind="setting"
        ),
        ncap_params_per_joint=Reported(
            6, "parameters per joint", f"{_NCAP} (no sharing)", "authors' code", "confirmed", kind="setting"
        ),
        oscillator_period=Reported(
            60, "control steps", f"{_NCAP} (oscillator_period)", "authors' code", "confirmed", kind="setting"
        ),
        init_constant=Reported(
            (-1.0, 1.0),
            "inhibitory, excitatory",
            f"{_NCAP} (constant init)",
            "authors' code",
            "confirmed",
            kind="setting",
        ),
        swim_target_speed=Reported(
            0.1, "m/s", f"{_ENV} (_SWIM_SPEED)", "authors' code", "confirmed", kind="setting"
        ),
        episode_steps=Reported(
            1000, "control steps", _DMC, "authors' code", "confirmed", "30 s at 0.03 s per step", kind="setting"
        ),
        control_dt=Reported(0.03, "s", _DMC, "authors' code", "confirmed", kind="setting"),
        physics_dt=Reported(0.002, "s", f"{_DMC}, swimmer.xml", "authors' code", "confirmed", kind="setting"),
        link_length=Reported(0.1, "m", _DMC, "authors' code", "confirmed", kind="setting"),
        n_links=Reported(6, "links", f"{_ENV} (swim task)", "authors' code", "confirmed", kind="setting"),
        mlp_small=Reported(
            6021,
            "parameters",
            "PPO actor, ppo_mlp_model(actor_sizes=(64, 64), tanh)",
            "authors' code",
            "confirmed",
            "23 -> 64 -> 64 -> 5 for 6 links; the count is computed",
        ),
        mlp_large=Reported(
            73221,
            "parameters",
            "DDPG actor, (256, 256)",
            "authors' code",
            "confirmed",
            "23 -> 256 -> 256 -> 5 for 6 links; the paper's own count was not checked",
        ),
        es_population=Reported(
            8, "", "scripts/experiments/train_swimmer_es.py", "authors' code", "confirmed", kind="setting"
        ),
        es_sigma=Reported(
            0.02, "", "scripts/experiments/train_swimmer_es.py", "authors' code", "confirmed", kind="setting"
        ),
    ),
)
