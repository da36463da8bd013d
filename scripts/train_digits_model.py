#!/usr/bin/python3
"""Train the image sample: a small CNN on scikit-learn's 8 x 8 digits, and a tiny fixed CNN for tests.

Run with Debian's /usr/bin/python3 (python3-torch 1.13.1, python3-sklearn for the data file):
files saved by that torch load in DJL 0.35.1 / libtorch 2.7.1, which is what the Spark job uses.

    apt-get install -y python3-sklearn
    /usr/bin/python3 scripts/train_digits_model.py [--repo DIR]

Writes, relative to the repository root:
    data-sample/digits/digits.jsonl        300 held-out images: {"id", "label", "pixels": [64 values]}
    data-sample/digits/digits_cnn.pt       TorchScript CNN, float32 [N, 1, 8, 8] -> logits [N, 10]
    data-sample/digits/training-report.json  accuracy, seed, versions
    src/test/resources/digits/reference.json  inputs, softmax outputs and input gradients from PyTorch
    src/test/resources/digits/tiny_cnn.pt  a 1 x 4 x 4 CNN with fixed weights, for the Grad-CAM test

The pixel contract: the 64 values of an image in row-major order (row 0 left to right, then row
1, ...), scaled from scikit-learn's 0..16 to 0..1. The job reshapes each row to [1, 8, 8]
(model.input_shape), so the model needs no reshape of its own.

The Grad-CAM contract: besides forward(x), the module exports two methods,
    activations(x)        x [N, 1, 8, 8] -> the last convolution's activations [N, K, H, W]
    from_activations(a)   a [N, K, H, W] -> the logits, so that
    forward(x) == from_activations(activations(x)).
"""

import argparse
import datetime
import gzip
import json
import os
import random

import numpy as np
import torch
from torch import nn

SEED = 20261201
DIGITS = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
HELD_OUT = 300
EPOCHS = 30
BATCH_SIZE = 64
LEARNING_RATE = 3e-3
N_REFERENCE = 4


class DigitsCnn(nn.Module):
    """Two 3 x 3 convolutions (8 and 16 channels) at full 8 x 8 resolution, then pooling and a linear layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.linear = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x):
        return self.from_activations(self.activations(x))

    @torch.jit.export
    def activations(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))))

    @torch.jit.export
    def from_activations(self, a):
        return self.linear(torch.flatten(self.pool(a), 1))


class TinyCnn(nn.Module):
    """1 x 4 x 4 images; a 1 x 1 convolution to 2 channels, ReLU, then a linear map to 2 logits.

    With A = relu(w_k x + b_k) and logits y_c = sum_{k,i,j} V[c,k,i,j] A[k,i,j] + d_c, Grad-CAM of
    class c is relu(sum_k alpha_k A[k]) with alpha_k = mean_{i,j} V[c,k,i,j]: the Java test
    computes that by hand from these weights.
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 1)
        self.linear = nn.Linear(2 * 4 * 4, 2)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor([1.0, -0.5]).reshape(2, 1, 1, 1))
            self.conv.bias.copy_(torch.tensor([0.0, 1.0]))
            v = torch.arange(64, dtype=torch.float32).reshape(2, 2, 4, 4) / 16.0 - 2.0
            self.linear.weight.copy_(v.reshape(2, 32))
            self.linear.bias.copy_(torch.tensor([0.5, -0.5]))

    def forward(self, x):
        return self.from_activations(self.activations(x))

    @torch.jit.export
    def activations(self, x):
        return torch.relu(self.conv(x))

    @torch.jit.export
    def from_activations(self, a):
        return self.linear(torch.flatten(a, 1))


def read_digits():
    with gzip.open(DIGITS, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    return (data[:, :64] / 16.0).astype(np.float32), data[:, 64].astype(np.int64)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = p.parse_args()
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    x, y = read_digits()
    order = np.random.permutation(len(y))
    test, train = order[:HELD_OUT], order[HELD_OUT:]
    model = DigitsCnn()
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    xt = torch.from_numpy(x[train]).reshape(-1, 1, 8, 8)
    yt = torch.from_numpy(y[train])
    for _ in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(yt))
        for start in range(0, len(yt), BATCH_SIZE):
            batch = perm[start:start + BATCH_SIZE]
            optimiser.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[batch]), yt[batch])
            loss.backward()
            optimiser.step()
    model.eval()
    xs = torch.from_numpy(x[test]).reshape(-1, 1, 8, 8)
    with torch.no_grad():
        accuracy = float((model(xs).argmax(1).numpy() == y[test]).mean())
    print(f"held-out accuracy {accuracy:.4f} on {HELD_OUT} images")

    out = os.path.join(args.repo, "data-sample", "digits")
    os.makedirs(out, exist_ok=True)
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(out, "digits_cnn.pt"))
    with open(os.path.join(out, "digits.jsonl"), "w") as f:
        for i in test:
            pixels = [round(float(v) * 16) / 16 for v in x[i]]
            f.write(json.dumps({"id": int(i), "label": int(y[i]), "pixels": pixels}) + "\n")
    with open(os.path.join(out, "training-report.json"), "w") as f:
        json.dump({"seed": SEED, "train_images": int(len(train)), "held_out_images": HELD_OUT,
                   "held_out_accuracy": accuracy, "epochs": EPOCHS, "torch": torch.__version__,
                   "source": DIGITS, "trained": datetime.date.today().isoformat()}, f, indent=2)

    # Reference values for the Java adapter: PyTorch's own softmax outputs and input gradients.
    tests = os.path.join(args.repo, "src", "test", "resources", "digits")
    os.makedirs(tests, exist_ok=True)
    reference = []
    for i in test[:N_REFERENCE]:
        xi = torch.from_numpy(x[i]).reshape(1, 1, 8, 8).clone().requires_grad_(True)
        probabilities = torch.softmax(model(xi), 1)
        target = int(probabilities.argmax())
        probabilities[0, target].backward()
        reference.append({"id": int(i), "input": x[i].tolist(), "target": target,
                          "softmax": probabilities[0].tolist(), "gradient": xi.grad.reshape(64).tolist()})
    with open(os.path.join(tests, "reference.json"), "w") as f:
        json.dump({"model": "data-sample/digits/digits_cnn.pt", "output": "softmax", "rows": reference}, f)
    torch.jit.script(TinyCnn().eval()).save(os.path.join(tests, "tiny_cnn.pt"))


if __name__ == "__main__":
    main()
