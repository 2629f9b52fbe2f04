"""What Yousefzadeh & Sifalakis (2021) and the follow-up by Vijayan et al. report (see :mod:`bioviz.papers`).

Both numbers are the abstracts' (the papers' tables were not checked): ResNet50 / MobileNet on
UCF101 action recognition, far from our MLP on digit videos, so they are set beside our
measurement as what the method achieved on real video, not as a target for the miniature.
"""

from bioviz.papers import Paper, Reported

PAPER = Paper(
    citation="Yousefzadeh & Sifalakis (2021)",
    title="Training for temporal sparsity in deep neural networks, application in video processing",
    url="https://arxiv.org/abs/2107.07305",
    code="https://github.com/msifalakis/delta_activation_layer",
    numbers=dict(
        sparsity_gain=Reported(
            3.0,
            "x fewer non-zero activations",
            "abstract: 'an almost 3x improvement of activation sparsity, with recoverable loss of model "
            "accuracy after longer training' (UCF101)",
            checked="confirmed",
            note="'almost 3x'; the accuracy cost is not given in the abstract",
        ),
        followup_gain=Reported(
            2.0,
            "x fewer non-zero activations",
            "Vijayan, Yousefzadeh, Sifalakis, van Leuken, 'Temporal delta layer', abstract (ResNet50, UCF101)",
            checked="confirmed",
            note="with a 5 % reduction in accuracy",
        ),
        followup_accuracy_loss=Reported(
            0.05,
            "accuracy (fraction)",
            "Vijayan et al., abstract: 'a 5% reduction in accuracy'",
            checked="confirmed",
        ),
    ),
)
