#!/usr/bin/env bash
# Rebuilds everything under data-sample/ plus src/test/resources/sample-model/reference.json
# from lending_club.csv:
#   scripts/make-sample-data.sh [path/to/lending_club.csv]
# The CSV defaults to $LENDING_CLUB_CSV, then data-sample/lending_club.csv (a copy of the shared dataset).
# Needs: Maven (with the project's dependencies resolvable), Java 17, and Debian's
# /usr/bin/python3 with python3-torch 1.13 (override with $PYTHON), numpy and pandas.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
csv="${1:-${LENDING_CLUB_CSV:-$repo/data-sample/lending_club.csv}}"
python="${PYTHON:-/usr/bin/python3}"

die() { echo "make-sample-data: $*" >&2; exit 1; }

[[ -f "$csv" ]] || die "input CSV not found: $csv (pass it as the first argument or set LENDING_CLUB_CSV)"
csv="$(cd "$(dirname "$csv")" && pwd)/$(basename "$csv")"
command -v mvn >/dev/null || die "mvn not on PATH; it resolves Spark's class path for the Parquet step"
command -v java >/dev/null || die "java not on PATH (Java 17 is needed)"
[[ -x "$python" ]] || die "python not found at $python (set PYTHON)"
"$python" -c 'import torch, numpy, pandas' 2>/dev/null \
  || die "$python cannot import torch, numpy and pandas (Debian: apt-get install python3-torch python3-pandas)"

cd "$repo"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT

# Offline first: on a machine with a warm ~/.m2 this needs no network and is quick.
if ! mvn -q -o dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=compile >/dev/null 2>&1; then
  echo "make-sample-data: offline class path resolution failed, trying online" >&2
  mvn -q dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=compile \
    || die "could not resolve the project's class path with Maven"
fi

mkdir -p data-sample
echo "== Parquet: $csv -> data-sample/lending_club.parquet" >&2
java -cp "$(cat "$cp_file")" scripts/MakeSampleParquet.java "$csv" data-sample/lending_club.parquet

echo "== Model, vocabulary, training report, test reference" >&2
"$python" scripts/train_sample_model.py --csv "$csv" --repo "$repo"
