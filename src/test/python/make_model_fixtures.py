"""Writes the TorchScript fixtures for the model-adapter tests.

Run with Debian's interpreter, which has torch installed:

    /usr/bin/python3 src/test/python/make_model_fixtures.py

Outputs go to src/test/resources/models/. The files are committed, so this only needs running
again when a fixture changes; the Java tests repeat the weights of the linear models. Another
torch build writes other bytes for the same models (and draws another MLP and its reference), so
commit only the files meant to change and restore the others with git checkout.
"""

import json
import pathlib

import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "models"

# Hand-chosen so every product and sum in the tests is exact in float32.
LINEAR_WEIGHT = [[1.0, -2.0, 0.5, 3.0], [-1.5, 0.25, 2.0, -0.75]]
LINEAR_BIAS = [0.5, -1.0]


class Linear(nn.Module):
    """y = W x + b with 4 inputs and 2 outputs: output shape [N, 2]."""

    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 2)
        with torch.no_grad():
            self.layer.weight.copy_(torch.tensor(LINEAR_WEIGHT))
            self.layer.bias.copy_(torch.tensor(LINEAR_BIAS))

    def forward(self, x):
        return self.layer(x)


class SingleOutput(nn.Module):
    """The first output of Linear squeezed to shape [N], as regression models often return."""

    def __init__(self):
        super().__init__()
        self.linear = Linear()

    def forward(self, x):
        return self.linear(x)[:, 0]


class OutputAs(nn.Module):
    """The linear model with its outputs cast to another floating dtype, as some exporters do."""

    def __init__(self, dtype: torch.dtype):
        super().__init__()
        self.linear = Linear()
        self.dtype = dtype

    def forward(self, x):
        return self.linear(x).to(self.dtype)


def mlp():
    return nn.Sequential(
        nn.Linear(6, 8),
        nn.BatchNorm1d(8),
        nn.Tanh(),
        nn.Dropout(0.5),
        nn.Linear(8, 3),
    )


def train(model, steps=20):
    """A few SGD steps on random data, so BatchNorm's running stats are far from (0, 1)."""
    x = torch.randn(64, 6) * 3.0 + 1.5
    y = torch.randint(0, 3, (64,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()


def input_gradient(model, x, select):
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(select(model(x)).sum(), x)
    return grad


def reference(model):
    """Inputs, outputs and input gradients computed here for the Java side to match."""
    x = torch.randn(5, 6) * 2.0
    with torch.no_grad():
        logits = model(x)
    return {
        "inputWidth": 6,
        "outputWidth": 3,
        "inputs": x.tolist(),
        "logits": logits.tolist(),
        "softmax": torch.softmax(logits, dim=1).tolist(),
        "gradSoftmaxClass2": input_gradient(
            model, x, lambda out: torch.softmax(out, dim=1)[:, 2]).tolist(),
        "gradLogit0": input_gradient(model, x, lambda out: out[:, 0]).tolist(),
    }


class NanAbove2(torch.nn.Module):
    """The linear model, but NaN in every output where x0 > 2.

    Models do this (a log of a negative, 0/0) for some inputs; the job must not let those rows
    turn an audit's averages into NaN.
    """

    def __init__(self):
        super().__init__()
        self.linear = Linear()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.linear(x)
        return torch.where(x[:, 0:1] > 2.0, torch.full_like(y, float("nan")), y)


def main():
    torch.manual_seed(20240611)
    OUT.mkdir(parents=True, exist_ok=True)

    torch.jit.script(Linear().eval()).save(str(OUT / "linear.pt"))
    torch.jit.script(SingleOutput().eval()).save(str(OUT / "linear_single_output.pt"))
    torch.jit.script(NanAbove2().eval()).save(str(OUT / "linear_nan_above_2.pt"))

    model = mlp()
    train(model)
    scripted = torch.jit.script(model)
    scripted.save(str(OUT / "mlp_bn_dropout.pt"))
    with open(OUT / "mlp_bn_dropout_reference.json", "w") as f:
        json.dump(reference(scripted), f, indent=1)
        f.write("\n")

    # After the MLP, whose random weights and reference inputs these would otherwise change
    # (every nn.Linear draws its initial weights). The same weights in float64: the model takes
    # and returns float64 tensors.
    torch.jit.script(Linear().double().eval()).save(str(OUT / "linear_float64.pt"))
    # Frozen, the weights become constants: a float64 model with no parameters to tell its dtype.
    torch.jit.freeze(torch.jit.script(Linear().double().eval())).save(
        str(OUT / "linear_float64_frozen.pt"))
    for dtype, name in [(torch.float64, "float64"), (torch.float16, "float16"),
                        (torch.bfloat16, "bfloat16")]:
        torch.jit.script(OutputAs(dtype).eval()).save(str(OUT / f"linear_{name}_output.pt"))


if __name__ == "__main__":
    main()
