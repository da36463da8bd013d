#!/usr/bin/env bash
# Screenshots an HTML report with headless Chromium, to look at it the way an auditor will.
#   scripts/render-report.sh REPORT.html OUT.png [HEIGHT]     (HEIGHT defaults to 2400 px)
# Every network and background feature is off: the report must render from the file alone.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPORT.html OUT.png [HEIGHT]" >&2
  exit 2
fi
report=$(realpath "$1")
out=$(realpath -m "$2")
height=${3:-2400}
chromium=${CHROMIUM:-chromium}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --window-size=1280,"$height" \
  --screenshot="$out" "file://$report" >/dev/null 2>&1
[[ -s $out ]] || { echo "Cannot screenshot $report: chromium wrote no $out" >&2; exit 1; }
echo "$out"
