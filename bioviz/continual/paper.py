"""What Xiao et al. (2024) and their code report (see :mod:`bioviz.papers`).

The abstract could be read here; the paper's result tables could not (no stored copy reached
past the introduction), so no accuracy from them is printed: the claim we test is the
abstract's "nearly zero forgetting". The settings are read from the authors' code
(github.com/pkuxmq/HLOP-SNN, commit 530b89a): ``modules/hlop_module.py`` (the update),
``modules/proj_linear.py`` (the projection) and ``spiking_train_pmnist.py`` (the permuted-MNIST
run and its metrics).
"""

from bioviz.papers import Paper, Reported

CODE = "https://github.com/pkuxmq/HLOP-SNN"

PAPER = Paper(
    citation="Xiao, Meng, Zhang, He & Lin (2024)",
    title="Hebbian Learning based Orthogonal Projection for Continual Learning of Spiking Neural Networks",
    url="https://arxiv.org/abs/2402.11984",
    code=CODE,
    numbers=dict(
        forgetting=Reported(
            "nearly zero forgetting",
            "",
            "abstract: 'our method consistently solves forgetting for spiking neural networks with nearly "
            "zero forgetting under various supervised training methods'",
            checked="confirmed",
            note="permuted MNIST (10 tasks), CIFAR-100, miniImageNet, 5-Datasets; the tables were not read here",
        ),
        hebbian_rule=Reported(
            "dH = <y (x - H^T y)^T>_batch",
            "",
            "modules/hlop_module.py, update_weights: torch.mm(y.t(), x - xhat) / x.shape[0]",
            source="authors' code",
            checked="confirmed",
            note="each entry clamped to +-10, momentum 0.9, old rows frozen; new rows start orthogonal",
            kind="setting",
        ),
        projection=Reported(
            "dW = delta^T (x - H^T H x)",
            "",
            "modules/proj_linear.py: grad_weight = grad.t() @ (input - proj_input)",
            source="authors' code",
            checked="confirmed",
            note="the forward pass and the error use the unprojected input",
            kind="setting",
        ),
        hebbian_iterations=Reported(
            5,
            "Hebbian updates per training batch",
            "models/spiking_mlp_hlop.py, forward_with_update(x, iteration=5)",
            source="authors' code",
            checked="confirmed",
            note="the rows learn while the task trains; ours learn after it, on its inputs",
            kind="setting",
        ),
        first_task_rows=Reported(
            "80, 200, 100",
            "subspace neurons for the first task (three layers of a 784-800-800-10 MLP)",
            "spiking_train_pmnist.py",
            source="authors' code",
            checked="confirmed",
            note="later tasks add 70 per layer, 20 fewer at tasks 3, 6 and 9",
            kind="setting",
        ),
        seeds=Reported(
            1,
            "seed per configuration",
            "spiking_train_pmnist.py: _seed_ = 2022, no loop over seeds",
            source="authors' code",
            checked="confirmed",
            kind="setting",
        ),
    ),
)
