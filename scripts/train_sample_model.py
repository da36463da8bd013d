#!/usr/bin/python3
"""Train the project's sample model on lending_club.csv and write its reference data.

Run with Debian's /usr/bin/python3 (python3-torch 1.13.1): files saved by that torch load in
DJL 0.35.1 / libtorch 2.7.1, which is what the Spark job uses.

    /usr/bin/python3 scripts/train_sample_model.py [--csv PATH] [--repo DIR]

Writes, relative to the repository root:
    data-sample/model/lending_club_mlp.pt        TorchScript model, encoded float32 [N, W] -> logits [N, 2]
    data-sample/vocabulary.json                  categorical vocabularies, in encoding order
    data-sample/model/training-report.json       features, metrics, seed, versions
    src/test/resources/sample-model/reference.json  inputs, outputs and input gradients for Java tests

The encoding contract (the Java job rebuilds this vector, so it must match exactly): for each
feature in CSV column order, a numeric feature contributes one column (its value as float32),
a categorical feature one column per vocabulary entry, one-hot. Vocabulary = Python sorted() of
the distinct values in the whole CSV.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import subprocess
import sys

import numpy as np
import pandas as pd
import torch
from torch import nn

SEED = 20240607
TARGET = "Class"
POSITIVE = "bad"
NEGATIVE = "good"
CATEGORICAL = ["term", "sub_grade", "addr_state", "verification_status", "emp_length"]
# Money amounts spanning several orders of magnitude: log1p keeps a few huge incomes or balances
# from dominating the standardised inputs. Done inside the model, so the contract stays raw values.
LOG1P = ["funded_amnt", "annual_inc", "total_bal_il", "total_il_high_credit_limit", "delinq_amnt"]
HOLDOUT_FRACTION = 0.2
HIDDEN = (64, 32)
# Chosen on a validation split carved out of the training split (never the held-out split):
# validation AUC plateaus around 0.71 from epoch ~8 to ~40 at this learning rate, while with
# lr 1e-3 / dropout 0.3 it peaks early and then falls as the model memorises the 400 bad loans.
DROPOUT = 0.5
EPOCHS = 20
BATCH_SIZE = 256
LEARNING_RATE = 3e-4
WEIGHT_DECAY = 1e-3
N_REFERENCE_GOOD = 4
N_REFERENCE_BAD = 4

DEFAULT_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data-sample", "lending_club.csv")


def parse_args():
    repo_default = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--csv", default=os.environ.get("LENDING_CLUB_CSV", DEFAULT_CSV),
                   help="lending_club.csv (default: $LENDING_CLUB_CSV or %(default)s)")
    p.add_argument("--repo", default=repo_default, help="repository root (default: %(default)s)")
    return p.parse_args()


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    # Reductions split across threads can round differently; one thread makes reruns bit-identical.
    torch.set_num_threads(1)


def read_csv(path):
    if not os.path.isfile(path):
        sys.exit(f"error: input CSV not found: {path} (pass --csv or set LENDING_CLUB_CSV)")
    # round_trip parsing matches Java's Double.parseDouble bit for bit; pandas' default fast
    # parser can be off by one ulp, which would break the "exact same vector" contract.
    df = pd.read_csv(path, float_precision="round_trip", keep_default_na=False, na_values=["NA"],
                     dtype={c: str for c in CATEGORICAL + [TARGET]})
    if TARGET not in df.columns:
        sys.exit(f"error: {path} has no '{TARGET}' column; columns are {list(df.columns)}")
    missing = [c for c in CATEGORICAL if c not in df.columns]
    if missing:
        sys.exit(f"error: {path} lacks categorical columns {missing}")
    if df.isna().any().any():
        bad = df.columns[df.isna().any()].tolist()
        sys.exit(f"error: {path} has missing values in {bad}; the encoding contract has no slot for them")
    labels = set(df[TARGET].unique())
    if labels != {POSITIVE, NEGATIVE}:
        sys.exit(f"error: expected {TARGET} values {{'{POSITIVE}', '{NEGATIVE}'}}, found {sorted(labels)}")
    features = [c for c in df.columns if c != TARGET]
    for c in features:
        if c not in CATEGORICAL and not pd.api.types.is_numeric_dtype(df[c]):
            sys.exit(f"error: column '{c}' is not numeric and not a known categorical column")
    return df, features


def build_vocabulary(df):
    return {c: sorted(df[c].unique().tolist()) for c in CATEGORICAL}


def encoded_column_names(features, vocab):
    names = []
    for f in features:
        if f in vocab:
            names.extend(f"{f}={v}" for v in vocab[f])
        else:
            names.append(f)
    return names


def encode(df, features, vocab):
    n = len(df)
    blocks = []
    for f in features:
        if f in vocab:
            index = {v: i for i, v in enumerate(vocab[f])}
            codes = df[f].map(index)
            if codes.isna().any():
                unknown = sorted(set(df.loc[codes.isna(), f]))
                raise ValueError(f"column '{f}' has values outside the vocabulary: {unknown}")
            onehot = np.zeros((n, len(vocab[f])), dtype=np.float32)
            onehot[np.arange(n), codes.to_numpy(dtype=np.int64)] = 1.0
            blocks.append(onehot)
        else:
            # float64 -> float32 rounds to nearest, as Java's (float) cast of a double does.
            blocks.append(df[f].to_numpy(dtype=np.float64).astype(np.float32)[:, None])
    return np.ascontiguousarray(np.concatenate(blocks, axis=1))


def stratified_split(y, fraction, seed):
    rng = np.random.RandomState(seed)
    holdout = []
    for cls in (0, 1):
        idx = np.flatnonzero(y == cls)
        rng.shuffle(idx)
        holdout.append(idx[:int(round(len(idx) * fraction))])
    holdout = np.sort(np.concatenate(holdout))
    train = np.setdiff1d(np.arange(len(y)), holdout)
    return train, holdout


def roc_auc(y_true, score):
    """Mann-Whitney AUC with average ranks for ties (equals the trapezoidal ROC area)."""
    y_true = np.asarray(y_true)
    score = np.asarray(score, dtype=np.float64)
    n_pos = int((y_true == 1).sum())
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC AUC needs both classes")
    order = np.argsort(score, kind="mergesort")
    sorted_scores = score[order]
    ranks = np.empty(len(score), dtype=np.float64)
    i = 0
    while i < len(score):
        j = i
        while j + 1 < len(score) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y_true == 1].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


class LendingClubMLP(nn.Module):
    """Encoded float32 [N, W] -> logits [N, 2] (index 0 = good, 1 = bad).

    Preprocessing lives in the model so that the job only has to build the raw encoded vector.
    BatchNorm and Dropout are there on purpose: a caller that runs the model in train mode gets
    visibly different (and non-deterministic) outputs, so eval-mode bugs cannot hide.
    """

    def __init__(self, log_mask, log_scale, mean, std, hidden, dropout):
        super().__init__()
        width = int(mean.numel())
        # Buffers, not parameters: saved with the model, never trained, no gradient of their own.
        self.register_buffer("log_mask", log_mask)
        self.register_buffer("log_scale", log_scale)
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        layers = []
        previous = width
        for h in hidden:
            layers += [nn.Linear(previous, h), nn.BatchNorm1d(h), nn.SiLU(), nn.Dropout(dropout)]
            previous = h
        layers.append(nn.Linear(previous, 2))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # clamp keeps log1p finite (and its gradient defined) for the odd negative input a
        # perturbation method might produce; torch.where keeps the untouched columns exact.
        # Dividing by the column mean first matters for path attributions: log1p(x) of raw
        # dollar amounts has its pole within 1/x of a path that starts at 0, which makes the
        # path integral converge slowly under any quadrature; log1p(x / mean) moves it to O(1).
        x = torch.where(self.log_mask, torch.log1p(torch.clamp(x, min=0.0) / self.log_scale), x)
        x = (x - self.mean) / self.std
        return self.net(x)


def preprocessing_buffers(x_train, columns, features, vocab):
    width = x_train.shape[1]
    numeric = np.array([c in features and c not in vocab for c in columns])
    log_mask = np.array([c in LOG1P for c in columns])
    log_scale = np.ones(width)
    log_scale[log_mask] = np.maximum(np.clip(x_train[:, log_mask], 0.0, None).mean(axis=0), 1.0)
    transformed = np.where(log_mask, np.log1p(np.clip(x_train, 0.0, None) / log_scale), x_train).astype(np.float64)
    mean = np.zeros(width)
    std = np.ones(width)
    mean[numeric] = transformed[:, numeric].mean(axis=0)
    sd = transformed[:, numeric].std(axis=0)
    # A constant column in the training split would divide by zero; leave it unscaled.
    std[numeric] = np.where(sd > 1e-6, sd, 1.0)
    # One-hot columns stay 0/1 (mean 0, std 1) so the first layer's weights read directly.
    return (torch.from_numpy(log_mask), torch.from_numpy(log_scale.astype(np.float32)),
            torch.from_numpy(mean.astype(np.float32)),
            torch.from_numpy(std.astype(np.float32)))


def train(model, x, y, seed):
    counts = np.bincount(y, minlength=2)
    # "Balanced" weights: each class contributes equally to the loss despite the ~5% bad rate.
    class_weight = torch.tensor(len(y) / (2.0 * counts), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=class_weight)
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y.astype(np.int64))
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(yt), generator=generator)
        total = 0.0
        # drop_last: a final batch of one row would make BatchNorm fail in train mode.
        n_batches = len(yt) // BATCH_SIZE
        for b in range(n_batches):
            idx = perm[b * BATCH_SIZE:(b + 1) * BATCH_SIZE]
            optimiser.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            optimiser.step()
            total += float(loss)
        print(f"epoch {epoch + 1:3d}/{EPOCHS} loss {total / n_batches:.4f}", file=sys.stderr)
    model.eval()
    return class_weight


def predict_proba_bad(model, x):
    with torch.no_grad():
        return torch.softmax(model(torch.from_numpy(x)), dim=1)[:, 1].numpy()


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def reference_entry(model, x_row):
    x = torch.from_numpy(x_row[None, :].copy()).requires_grad_(True)
    logits = model(x)
    probs = torch.softmax(logits, dim=1)
    (grad_p1,) = torch.autograd.grad(probs[0, 1], x, retain_graph=True)
    (grad_l1,) = torch.autograd.grad(logits[0, 1], x)
    return {
        "input": floats(x),
        "logits": floats(logits),
        "probabilities": floats(probs),
        "grad_probability_1": floats(grad_p1),
        "grad_logit_1": floats(grad_l1),
    }


def package_version(name):
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True,
                             text=True, check=True)
        return out.stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def build_date():
    # SOURCE_DATE_EPOCH pins the date for byte-identical rebuilds on another day.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = (datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc) if epoch
           else datetime.datetime.now(datetime.timezone.utc))
    return now.date().isoformat()


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def ensure_fixed_hash_seed():
    # TorchScript writes module constants in set order, and str hashing is randomised per
    # process, so without a fixed PYTHONHASHSEED the saved model differs from run to run in
    # the order of a few lines of its generated code.
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)


def main():
    ensure_fixed_hash_seed()
    args = parse_args()
    seed_everything(SEED)

    df, features = read_csv(args.csv)
    vocab = build_vocabulary(df)
    columns = encoded_column_names(features, vocab)
    x = encode(df, features, vocab)
    y = (df[TARGET] == POSITIVE).to_numpy().astype(np.int64)
    width = x.shape[1]
    assert width == len(columns)

    train_idx, holdout_idx = stratified_split(y, HOLDOUT_FRACTION, SEED)
    log_mask, log_scale, mean, std = preprocessing_buffers(x[train_idx], columns, features, vocab)
    model = LendingClubMLP(log_mask, log_scale, mean, std, HIDDEN, DROPOUT)
    class_weight = train(model, x[train_idx], y[train_idx], SEED)

    p_holdout = predict_proba_bad(model, x[holdout_idx])
    y_holdout = y[holdout_idx]
    accuracy = float(((p_holdout >= 0.5).astype(np.int64) == y_holdout).mean())
    auc = roc_auc(y_holdout, p_holdout)
    train_auc = roc_auc(y[train_idx], predict_proba_bad(model, x[train_idx]))
    print(f"held-out accuracy {accuracy:.4f}  ROC AUC {auc:.4f}  (train AUC {train_auc:.4f})",
          file=sys.stderr)

    data_dir = os.path.join(args.repo, "data-sample")
    model_dir = os.path.join(data_dir, "model")
    os.makedirs(model_dir, exist_ok=True)
    model_path = os.path.join(model_dir, "lending_club_mlp.pt")
    model.eval()
    torch.jit.script(model).save(model_path)

    write_json(os.path.join(data_dir, "vocabulary.json"), vocab)

    write_json(os.path.join(model_dir, "training-report.json"), {
        "model_file": "lending_club_mlp.pt",
        "model_sha256": sha256(model_path),
        "input": "float32 [N, encoded_width], encoded as described in data-sample/README.md",
        "output": "float32 [N, 2] logits; index 0 = good, 1 = bad",
        "feature_order": features,
        "categorical_features": CATEGORICAL,
        "encoded_width": width,
        "encoded_columns": columns,
        "log1p_in_model": LOG1P,
        "target": {"column": TARGET, "positive": POSITIVE, "negative": NEGATIVE},
        "rows": int(len(y)),
        "base_rate": float(y.mean()),
        "split": {"holdout_fraction": HOLDOUT_FRACTION, "stratified": True,
                  "train_rows": int(len(train_idx)), "holdout_rows": int(len(holdout_idx)),
                  "train_base_rate": float(y[train_idx].mean()),
                  "holdout_base_rate": float(y_holdout.mean())},
        "holdout_accuracy": accuracy,
        "holdout_accuracy_threshold": 0.5,
        "holdout_majority_class_accuracy": float(1.0 - y_holdout.mean()),
        "holdout_roc_auc": auc,
        "train_roc_auc": train_auc,
        "architecture": (f"where(log1p(x / mean) mask) -> standardise -> "
                         + " -> ".join(f"Linear({w}) BatchNorm1d SiLU Dropout({DROPOUT})" for w in HIDDEN)
                         + " -> Linear(2)"),
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "training": {"epochs": EPOCHS, "batch_size": BATCH_SIZE, "optimizer": "Adam",
                     "learning_rate": LEARNING_RATE, "weight_decay": WEIGHT_DECAY,
                     "loss": "weighted cross-entropy", "class_weights": floats(class_weight)},
        "seed": SEED,
        "torch_version": torch.__version__,
        "torch_package": package_version("python3-torch"),
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "date": build_date(),
    })

    # Reference values come from the saved file, reloaded, so they test what the job will load.
    loaded = torch.jit.load(model_path)
    loaded.eval()
    good_rows = np.flatnonzero(y == 0)[:N_REFERENCE_GOOD]
    bad_rows = np.flatnonzero(y == 1)[:N_REFERENCE_BAD]
    rows = []
    for i in np.sort(np.concatenate([good_rows, bad_rows])):
        i = int(i)
        entry = {"loan_id": i + 1,
                 "class": df[TARGET].iloc[i],
                 "features": {f: (df[f].iloc[i] if f in vocab else df[f].iloc[i].item()) for f in features}}
        entry.update(reference_entry(loaded, x[i]))
        rows.append(entry)
    zeros = reference_entry(loaded, np.zeros(width, dtype=np.float32))
    del zeros["input"]
    write_json(os.path.join(args.repo, "src", "test", "resources", "sample-model", "reference.json"), {
        "description": ("Outputs of data-sample/model/lending_club_mlp.pt reloaded with torch.jit.load in "
                        "eval mode. Gradients are d(output)/d(encoded input) for a single row."),
        "model": "data-sample/model/lending_club_mlp.pt",
        "model_sha256": sha256(model_path),
        "torch_version": torch.__version__,
        "encoded_width": width,
        "encoded_columns": columns,
        "rows": rows,
        "zeros": zeros,
    })
    print(f"wrote {model_path} ({os.path.getsize(model_path)} bytes), encoded width {width}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
