"""What Dapello et al. (NeurIPS 2021) and its authors' code report (see :mod:`bioviz.papers`).

The paper's full text was not reachable when these were checked; the accuracies come from the
CSV results of the authors' demo repository, the noise constants from VOneNet (the authors'
earlier model) and the MFTMA numbers from the replicaMFT README (companion code of the
manifold-capacity analysis). Their CIFAR-10 ResNets are not our 8x8-digit networks: the
accuracies are for orientation, never for a verdict.
"""

from bioviz.papers import Paper, Reported

_DEMO = "chung-neuroai-lab/adversarial-manifolds, results/*.csv"
_README = "schung039/neural_manifolds_replicaMFT, README random-data example"

PAPER = Paper(
    citation="Dapello et al. (2021)",
    title="Neural Population Geometry Reveals the Role of Stochasticity in Robust Perception",
    url="https://arxiv.org/abs/2111.06979",
    code="https://github.com/chung-neuroai-lab/adversarial-manifolds",
    numbers=dict(
        standard_clean_acc=Reported(
            0.949, "fraction", _DEMO, "authors' code", "confirmed", "ResNet18 on CIFAR-10, all 10,000 test images"
        ),
        standard_adv_acc=Reported(
            0.404, "fraction", _DEMO, "authors' code", "confirmed", "ResNet18, PGD at eps 1/255, 500 stimuli"
        ),
        stochastic_clean_acc=Reported(
            0.891,
            "fraction",
            _DEMO,
            "authors' code",
            "confirmed",
            "VOneResNet18 with Gaussian noise, all test images",
        ),
        stochastic_adv_acc=Reported(
            0.830,
            "fraction",
            _DEMO,
            "authors' code",
            "confirmed",
            "VOneResNet18, one noise draw per gradient (no EOT)",
        ),
        attack_eps=Reported(
            1 / 255, "L-inf, pixels in [0, 1]", "demo notebook", "authors' code", "confirmed", kind="setting"
        ),
        attack_steps=Reported(
            16, "PGD steps", "demo notebook (max_iter)", "authors' code", "confirmed", kind="setting"
        ),
        attack_stimuli=Reported(
            500,
            "images",
            "demo notebook (P = 10 classes x M = 50)",
            "authors' code",
            "confirmed",
            "the adversarial accuracy only; the clean accuracy uses the whole test set",
            kind="setting",
        ),
        attack_eot=Reported(
            1,
            "noise draws per gradient",
            "demo notebook (ART PGD, no EOT)",
            "authors' code",
            "confirmed",
            kind="setting",
        ),
        vone_noise_scale=Reported(
            0.35, "n_s", "dicarlolab/vonenet, VOneNet() defaults", "companion code", "confirmed", kind="setting"
        ),
        vone_noise_level=Reported(
            0.07, "n_l", "dicarlolab/vonenet, VOneNet() defaults", "companion code", "confirmed", kind="setting"
        ),
        mftma_readme_capacity=Reported(0.04, "", _README, "companion code", "confirmed"),
        mftma_readme_radius=Reported(
            1.47, "", _README, "companion code", "confirmed", "an older version of the README printed 1.48"
        ),
        mftma_readme_dimension=Reported(
            36.17,
            "",
            _README,
            "companion code",
            "confirmed",
            "with its K = 1 centre-correlation step, which we skip",
        ),
        mftma_readme_setup=Reported(
            "P = 100 manifolds of M = 50 Gaussian points in N = 5000 dimensions, kappa = 0, n_t = 200",
            "",
            _README,
            "companion code",
            "confirmed",
            kind="setting",
        ),
    ),
)
