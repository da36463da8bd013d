#!/usr/bin/python3
"""Coalition-value tables for the accuracy harness (scripts/bench.sh --accuracy).

For the sample model (data-sample/model/lending_club_mlp.pt, its "bad" logit) with the 22 features
grouped into M players, writes v(S) = sum_b w_b f(x on S, b elsewhere) for every one of the 2^M
coalitions S of each explained row, in float64, to a file that AccuracyProblems.java reads.

Evaluating 2^M x |background| inputs per row through the model is minutes per row on a shared
2-core machine, so the model is evaluated in float64 in two parts: its input transform (log1p,
standardisation) works column by column and its first layer is linear, so the first layer's
pre-activation of a masked input is that of the background row plus one term per present player,
a 2^M x M by M x 64 product; the rest of the network runs as usual. AccuracyProblems.java checks
sampled table entries against the TorchScript model run through DJL (float32).

The sample model is close to additive on these players (Kernel SHAP is within 0.5% at its default
budget), so the script can also train a small MLP that is not (MODEL "mlp"): the 17 numeric features
(and for 20 players also term, verification_status and emp_length, one player each), standardised,
-> Linear(16) -> ReLU -> Linear(2), full-batch Adam from a fixed seed; it is saved as TorchScript
next to OUT, for the check against DJL.

Usage: accuracy-tables.py OUT MODEL(sample|mlp) PLAYERS ROWS BACKGROUND_ROWS KMEANS(0|1) SEED
Needs Debian's python3-torch (/usr/bin/python3), as the sample model's training did.
"""
import json
import struct
import sys

import numpy as np
import torch

FEATURES = ["funded_amnt", "term", "int_rate", "sub_grade", "addr_state", "verification_status",
            "annual_inc", "emp_length", "delinq_2yrs", "inq_last_6mths", "revol_util",
            "acc_now_delinq", "open_il_6m", "open_il_12m", "open_il_24m", "total_bal_il",
            "all_util", "inq_fi", "inq_last_12m", "delinq_amnt", "num_il_tl",
            "total_il_high_credit_limit"]
# Feature indices merged into one player; the rest are one player each (same as AccuracyProblems).
MERGED = {20: [[12, 13, 14]], 17: [[12, 13, 14], [8, 11, 19], [15, 21]]}
TARGET = 1


def groups(players):
    merged = MERGED[players]
    out, taken = [], set()
    for f in range(len(FEATURES)):
        if f in taken:
            continue
        group = next((m for m in merged if m[0] == f), [f])
        taken.update(group)
        out.append(group)
    assert len(out) == players
    return out


def encoded_sample():
    vocab = json.load(open("data-sample/vocabulary.json"))
    lines = open("data-sample/lending_club.csv").read().splitlines()[1:]
    rows, owner_feature = [], []
    for f in FEATURES:
        owner_feature += [f] * (len(vocab[f]) if f in vocab else 1)
    for line in lines:
        fields = [s.strip('"') for s in line.split(",")]
        row = []
        for i, f in enumerate(FEATURES):
            if f in vocab:
                one_hot = [0.0] * len(vocab[f])
                one_hot[vocab[f].index(fields[i])] = 1.0
                row += one_hot
            else:
                row.append(float(np.float32(float(fields[i]))))
        rows.append(row)
    return np.array(rows, dtype=np.float64), owner_feature


def kmeans(data, k, rng, iterations=100):
    centres = data[rng.choice(len(data), k, replace=False)]
    for _ in range(iterations):
        d = ((data[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        label = d.argmin(1)
        new = np.array([data[label == j].mean(0) if (label == j).any() else centres[j] for j in range(k)])
        if np.allclose(new, centres):
            break
        centres = new
    weights = np.bincount(label, minlength=k).astype(np.float64)
    keep = weights > 0
    centres = centres[keep].astype(np.float32).astype(np.float64)
    return centres, weights[keep] / weights[keep].sum()


NUMERIC = [f for f in FEATURES if f not in ("term", "sub_grade", "addr_state", "verification_status",
                                             "emp_length")]


class Mlp(torch.nn.Module):
    def __init__(self, mean, std, width):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.first = torch.nn.Linear(width, 16)
        self.second = torch.nn.Linear(16, 2)

    def forward(self, x):
        return self.second(torch.relu(self.first((x - self.mean) / self.std)))


def trained_mlp(data, owner_feature, players, seed, path):
    """The columns of the MLP's players, and the model trained on them and saved to path."""
    kept = NUMERIC + (["term", "verification_status", "emp_length"] if players == 20 else [])
    columns = [c for c, f in enumerate(owner_feature) if f in kept]
    x = torch.from_numpy(data[:, columns]).float()
    labels = [line.rsplit(",", 1)[1].strip('"') == "bad"
              for line in open("data-sample/lending_club.csv").read().splitlines()[1:]]
    y = torch.tensor(labels, dtype=torch.long)
    torch.manual_seed(seed)
    model = Mlp(x.mean(0), x.std(0) + 1e-6, len(columns))
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    loss = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 9.0]))
    for _ in range(300):
        optimiser.zero_grad()
        loss(model(x), y).backward()
        optimiser.step()
    model.eval()
    torch.jit.script(model).save(path)
    return columns, [owner_feature[c] for c in columns], model.double()


def main():
    out, kind, players, rows, background_rows, use_kmeans, seed = sys.argv[1:8]
    players, rows, background_rows, seed = int(players), int(rows), int(background_rows), int(seed)
    torch.set_num_threads(2)
    data, owner_feature = encoded_sample()
    if kind == "mlp":
        columns, owner_feature, mlp = trained_mlp(data, owner_feature, players, seed, out + ".pt")
        data = data[:, columns]
    rng = np.random.default_rng(seed)
    if use_kmeans == "1":
        background, weights = kmeans(data, background_rows, rng)
    else:
        background = data[rng.choice(len(data), background_rows, replace=False)]
        weights = np.full(background_rows, 1.0 / background_rows)
    explained = data[rng.choice(len(data), rows, replace=False)]
    player_of_feature = {}
    if kind == "mlp":
        for f in owner_feature:
            player_of_feature.setdefault(f, len(player_of_feature))
        first = mlp.first

        def rest(h):
            return mlp.second(torch.relu(h))

        def transform(x):
            return (torch.from_numpy(x) - mlp.mean) / mlp.std
    else:
        for p, group in enumerate(groups(players)):
            for f in group:
                player_of_feature[FEATURES[f]] = p
        model = torch.jit.load("data-sample/model/lending_club_mlp.pt").double().eval()
        log_mask, log_scale = model.log_mask, model.log_scale.double()
        mean, std = model.mean.double(), model.std.double()
        layers = [module for _, module in model.net.named_children()]
        first = layers[0]

        def rest(h):
            for layer in layers[1:]:
                h = layer(h)
            return h

        def transform(x):
            x = torch.from_numpy(x)
            x = torch.where(log_mask, torch.log1p(torch.clamp(x, 0.0) / log_scale), x)
            return (x - mean) / std
    assert len(set(player_of_feature.values())) == players
    column_player = np.array([player_of_feature[f] for f in owner_feature])

    subsets = torch.arange(1 << players)
    z = ((subsets[:, None] >> torch.arange(players)[None, :]) & 1).double()  # 2^M x M
    tb = transform(background)  # B x W
    with torch.no_grad():
        pre_background = first(tb)  # B x 64
        with open(out + ".partial", "wb") as f:
            f.write(struct.pack(">iiii", rows, len(background), data.shape[1], players))
            f.write(struct.pack(">%di" % len(column_player), *column_player))
            f.write(struct.pack(">%dd" % len(weights), *weights))
            f.write(struct.pack(">%dd" % background.size, *background.ravel()))
            f.write(struct.pack(">%dd" % explained.size, *explained.ravel()))
            for r in range(rows):
                tx = transform(explained[r:r + 1])[0]
                values = torch.zeros(1 << players, dtype=torch.float64)
                for b in range(len(background)):
                    diff = (tx - tb[b]) * first.weight  # 64 x W
                    per_player = torch.zeros(players, first.weight.shape[0], dtype=torch.float64)
                    per_player.index_add_(0, torch.from_numpy(column_player), diff.T)
                    pre = pre_background[b][None, :] + z @ per_player
                    values += weights[b] * rest(pre)[:, TARGET]
                f.write(values.numpy().astype(">f8").tobytes())
                print("  %d players: row %d of %d" % (players, r + 1, rows), file=sys.stderr, flush=True)
    import os
    os.replace(out + ".partial", out)


if __name__ == "__main__":
    main()
