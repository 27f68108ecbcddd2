#!/bin/bash
# Whole-process benchmark for the rule pack and engine: apkscope's full scan (manifest, every
# dex, the default rule pack: SDKs, permission matrix, findings) against exodus-core's static
# tracker analysis, on the large benchmark APK and the two real apps of github/exodus-core,
# side by side in one run, with peak RSS. Figures go to target/bench/sdk_scan_vs_exodus.txt.
#
# usage: benches/sdk_scan_vs_exodus.sh [--no-build]
# environment:
#   EXODUS_PYTHON   a python with exodus-core 1.3.15 installed (default /tmp/exodus-venv/bin/python;
#                   make it with: python3 -m venv /tmp/exodus-venv &&
#                   /tmp/exodus-venv/bin/pip install exodus-core==1.3.15)
#   APKSCOPE_SHARED, APKSCOPE_BIN, APKSCOPE_LARGE_APK, RUNS (default 3)
# Needs: hyperfine, dexdump (exodus-core shells out to it), /usr/bin/time.
set -euo pipefail
BUILD=1
[ "${1:-}" = --no-build ] && BUILD=0
die() { echo "sdk_scan_vs_exodus: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SHARED="$(realpath -m "${APKSCOPE_SHARED:-$ROOT/../shared}")"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
LARGE="${APKSCOPE_LARGE_APK:-${TMPDIR:-/tmp}/apkscope-bench/large.apk}"
PY="${EXODUS_PYTHON:-/tmp/exodus-venv/bin/python}"
OUT="$ROOT/target/bench"
RUNS="${RUNS:-3}"
mkdir -p "$OUT"
"$PY" -c 'import exodus_core' 2>/dev/null || die "no exodus-core at $PY (see --help in the header)"
command -v hyperfine >/dev/null || die "hyperfine not found"
if [ "$BUILD" = 1 ]; then cargo build --release -p apkscope-cli >&2 || die "cargo build failed"; fi
if [ ! -f "$LARGE" ]; then
    mkdir -p "$(dirname "$LARGE")"
    python3 "$SHARED/bench/make-large-apk.py" "$LARGE" --corpus "$SHARED/corpus" >&2
fi

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
SIGS="$SHARED/reference/exodus-trackers.json"
EXODUS="$SHARED/bench/exodus-offline.py"
{
    echo "sdk_scan_vs_exodus — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) cores"
    printf '%-18s %12s %12s %8s %14s %14s\n' input "apkscope s" "exodus s" ratio "apkscope RSS" "exodus RSS"
} | tee "$OUT/sdk_scan_vs_exodus.txt"
for apk in "$LARGE" "$SHARED/corpus/github/exodus-core/apks/instapaper.apk" \
    "$SHARED/corpus/github/exodus-core/apks/blooddonation.apk"; do
    name=$(basename "$apk")
    ours="$(q "$BIN") scan --format json $(q "$apk") > /dev/null"
    theirs="$(q "$PY") $(q "$EXODUS") $(q "$SIGS") $(q "$apk") > /dev/null 2>&1"
    json="$OUT/sdk_scan_vs_exodus-$name.json"
    hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$json" \
        --command-name apkscope "$ours" --command-name exodus "$theirs" >&2
    read -r m_ours m_theirs < <(python3 -c 'import json,sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print("%.3f %.3f" % (r["apkscope"], r["exodus"]))' "$json")
    rss_ours=$(/usr/bin/time -f %M sh -c "$ours" 2>&1 >/dev/null | tail -1)
    rss_theirs=$(/usr/bin/time -f %M sh -c "$theirs" 2>&1 >/dev/null | tail -1)
    ratio=$(awk -v a="$m_theirs" -v b="$m_ours" 'BEGIN { printf "%.1fx", a / b }')
    printf '%-18s %12s %12s %8s %11s KB %11s KB\n' "$name" "$m_ours" "$m_theirs" "$ratio" "$rss_ours" "$rss_theirs" |
        tee -a "$OUT/sdk_scan_vs_exodus.txt"
done
echo "ratio = exodus time / apkscope time (target >= 10)" | tee -a "$OUT/sdk_scan_vs_exodus.txt"
