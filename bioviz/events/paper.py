"""What Cordone et al. (2021) and Alkendi et al. (2024) report (see :mod:`bioviz.papers`).

Neither paper's full text (results tables included) could be read here, so no accuracy of
theirs is printed: the claims compared are the abstracts' and the authors' README's words, and
the settings are read from the authors' code:

- Cordone: github.com/loiccordone/sparse-spiking-neural-networks, ``models/sparse_snn.py``
  (commit cad4b0a), ``models/sparse_spk_layers.py`` (79929bf), ``classification.py`` (34fea9a).
  The code has no licence file: nothing is copied, the layer is rewritten from the equations.
- Alkendi: github.com/Yusra-alkendi/ED-KoGTL,
  ``Code_Network_Data/GNNdrivenTransformer_training_testing_maincode.py`` (25800c1).
"""

from bioviz.papers import Paper, Reported

CORDONE = Paper(
    citation="Cordone, Miramond & Ferrante (2021)",
    title="Learning from Event Cameras with Sparse Spiking Convolutional Neural Networks",
    url="https://arxiv.org/abs/2104.12579",
    code="https://github.com/loiccordone/sparse-spiking-neural-networks",
    numbers=dict(
        claim=Reported(
            "competitive results with a much smaller and sparser network",
            "",
            "README: 'achieving competitive results while using a much smaller and sparser network than other "
            "spiking neural networks' (DVS128 Gesture)",
            source="authors' code",
            checked="confirmed",
            note="the paper's accuracy and sparsity numbers could not be read here, so none is quoted",
        ),
        neuron=Reported(
            "U = beta U + (1 - beta) W*S; S = H(U / ||W||^2 - b); U -= S b ||W||^2",
            "",
            "models/sparse_spk_layers.py: new_mem = mem*beta + conv*(1-beta); mthr = new_mem/norm - b",
            source="authors' code",
            checked="confirmed",
            note="||W||^2 per output channel; beta one learnable number per layer (starts near 0.8), "
            "b one per channel (starts at 0.1); surrogate gradient 1 / (3|x| + 1)^2",
            kind="setting",
        ),
        layers=Reported(
            "1 -> 4 -> 8 -> 8 -> 16 channels, stride 2, then 1024 -> 11",
            "",
            "models/sparse_snn.py",
            source="authors' code",
            checked="confirmed",
            note="128 x 128 input, polarity as one +-1 channel; kernels 5, 5, 3, 3; a non-spiking readout "
            "averaged over time",
            kind="setting",
        ),
        parameters=Reported(
            13943,
            "parameters (our count from the code's layers)",
            "models/sparse_snn.py",
            source="authors' code",
            checked="confirmed",
            note="weights 13,892 plus each layer's beta and b; consistent with '~14k', the paper's own "
            "figure not read",
            kind="setting",
        ),
        time_steps=Reported(
            150,
            "time steps of 10 ms (1.5 s samples)",
            "classification.py defaults: -T 150, -sample_size 1500000 (us)",
            source="authors' code",
            checked="confirmed",
            kind="setting",
        ),
    ),
)

ALKENDI = Paper(
    citation="Alkendi et al. (2024)",
    title="Neuromorphic Camera Denoising using Graph Neural Network-driven Transformers",
    url="https://arxiv.org/abs/2112.09685",
    code="https://github.com/Yusra-alkendi/ED-KoGTL",
    numbers=dict(
        claim=Reported(
            8.8,
            "percentage points of filtration accuracy over state-of-the-art filters, at least",
            "abstract: 'When tested on unseen datasets, the proposed algorithm outperforms state-of-the-art "
            "methods by at least 8.8% in terms of filtration accuracy'",
            checked="confirmed",
            note="IEEE TNNLS 35(3), 2024; real DAVIS346 recordings labelled by KoGTL, good light (~750 lux) and "
            "low light (~5 lux); which filters and which noise levels, in the tables we could not read",
        ),
        edge_features=Reported(
            7,
            "features per edge: dx, dy, dt, a spread term per axis, distance in (x, y, t)",
            "training script: EventConv, nn.Linear(7, 7), summed over edges, then a sigmoid",
            source="authors' code",
            checked="confirmed",
            kind="setting",
        ),
        transformer=Reported(
            "d_model 7, 7 heads, feed-forward 14, one encoder and one decoder layer",
            "",
            "training script: nn.Transformer(d_model=7, nhead=7, dim_feedforward=14, ...), then Linear(7, 2)",
            source="authors' code",
            checked="confirmed",
            note="it sees one token per event (the graph's embedding): attention has nothing else to attend to",
            kind="setting",
        ),
    ),
)

#: The notebook's main paper (tests look for ``PAPER``); the denoising paper is :data:`ALKENDI`.
PAPER = CORDONE
