"""What the three papers of notebook 06 report, and the settings read from the authors' code.

Only the abstracts could be read here (no stored copy reached the papers' tables), so the
results registered are the abstracts' claims, as text; no accuracy from a table is printed.
The CCL settings come from github.com/IandRover/CCL-NeurIPS24 (commit 789a8e4: ``utils/loss.py``,
``main_class_mlp.py``); the curl-descent model from github.com/caycogajiclab/Curl_Descent
(``Data_generation/fig3a/phase_diag.py``). The cosine law of random-direction estimates,
:math:`\\sqrt{K/(K+d)}`, is a standard result, not a number of the review, and lives in
:func:`bioviz.credit.zo.theory`.
"""

from bioviz.papers import Paper, Reported

CCL = Paper(
    citation="Kao & Hariharan (2024)",
    title="Counter-Current Learning: A Biologically Plausible Dual Network Approach for Deep Learning",
    url="https://arxiv.org/abs/2409.19841",
    code="https://github.com/IandRover/CCL-NeurIPS24",
    numbers=dict(
        claim=Reported(
            "comparable to other biologically plausible algorithms",
            "",
            "abstract: 'CCL achieves comparable performance to other biologically plausible algorithms' "
            "(MNIST, FashionMNIST, CIFAR10, CIFAR100)",
            checked="confirmed",
            note="the abstract does not claim parity with back-propagation; the table was not read here",
        ),
        local_loss_scale=Reported(
            128.0,
            "times MSE(A B^T, onehot) / d",
            "utils/loss.py: F.mse_loss(C, identity) / A.shape[1] * args.loss_scale_C * 256, loss_scale_C 0.5",
            source="authors' code",
            checked="confirmed",
            kind="setting",
        ),
        mlp=Reported(
            "784-256x5-10, ELU, no biases",
            "",
            "main_class_mlp.py (MNIST, FashionMNIST)",
            source="authors' code",
            checked="confirmed",
            note="plain SGD at lr 1 for both networks, batch 256, 100 epochs, gradients clipped to 1, one seed",
            kind="setting",
        ),
    ),
)

ZO = Paper(
    citation="Garcia Fernandez, Ahmad & van Gerven (2025)",
    title="A Unified Perspective on Optimization in Machine Learning and Neuroscience",
    url="https://arxiv.org/abs/2510.18812",
    numbers=dict(
        claim=Reported(
            "generally less sample efficient, can approach BP",
            "",
            "abstract: 'While generally less sample efficient, recent breakthroughs demonstrate that modern ZO "
            "methods can effectively approximate gradients and achieve performance competitive with BP'",
            checked="confirmed",
            note="a review; it gives no single number we test",
        ),
    ),
)

CURL = Paper(
    citation="Ninou, Kadmon & Cayco-Gajic (2025)",
    title="Curl Descent: Non-Gradient Learning Dynamics with Sign-Diverse Plasticity",
    url="https://arxiv.org/abs/2510.02765",
    code="https://github.com/caycogajiclab/Curl_Descent",
    numbers=dict(
        small_curl=Reported(
            "small curl keeps the solution stable",
            "",
            "abstract: 'Small curl terms preserve the stability of the original solution manifold, resulting in "
            "learning dynamics similar to gradient descent'",
            checked="confirmed",
        ),
        strong_curl=Reported(
            "beyond a critical value, unstable",
            "",
            "abstract: 'Beyond a critical value, strong curl terms destabilize the solution manifold. Depending "
            "on the network architecture, this loss of stability can lead to chaotic learning dynamics'",
            checked="confirmed",
        ),
        speed_up=Reported(
            "curl can speed learning past saddles",
            "",
            "abstract: 'In other cases, the curl terms can counterintuitively speed learning compared to "
            "gradient descent by allowing the weight dynamics to escape saddles by temporarily ascending "
            "the loss'",
            checked="confirmed",
        ),
        model=Reported(
            "y = phi(W2 phi(W1 x)), flips on the updates only",
            "",
            "Data_generation/fig3a/phase_diag.py: dWs1 = -lr*(da1 @ x.T @ D1)/B, dWs2 = -lr*(da2 @ h.T @ D2)/B",
            source="authors' code",
            checked="confirmed",
            note="250 inputs from N(0, 1/2); each layer's weight norm reset to its start after every update",
            kind="setting",
        ),
    ),
)

#: The registry the project's tests read (one per concept); the other two sit beside it.
PAPER = CCL
