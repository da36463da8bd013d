"""Writes a deliberately changed copy of the sample model, for the drift gate's test.

The copy ignores the pricing features (int_rate and every sub_grade one-hot input): their
columns of the first layer's weights are zeroed. Everything else is the sample model as it is,
so an audit of the copy against a run of the original must show drift, and nothing else.

Run with Debian's /usr/bin/python3 (python3-torch) from the repository root:
    /usr/bin/python3 src/test/python/make_changed_sample_model.py
"""
import json

import torch

SOURCE = "data-sample/model/lending_club_mlp.pt"
TARGET = "src/test/resources/models/lending_club_mlp_without_pricing.pt"
REFERENCE = "src/test/resources/sample-model/reference.json"


def main():
    columns = json.load(open(REFERENCE))["encoded_columns"]
    ignored = [i for i, c in enumerate(columns) if c == "int_rate" or c.startswith("sub_grade=")]
    model = torch.jit.load(SOURCE)
    model.eval()
    first = dict(model.named_parameters())["net.0.weight"]
    with torch.no_grad():
        first[:, ignored] = 0.0
    model.save(TARGET)
    print(f"wrote {TARGET}: zeroed {len(ignored)} input columns")


if __name__ == "__main__":
    main()
