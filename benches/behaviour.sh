#!/bin/bash
# Whole-process benchmark for the behaviour analysis (arguments rebuilt while indexing:
# permission requests, associated start, receivers registered in code): a full scan of the
# large multidex APK with the default rule pack by this build and by a baseline build of the
# commit before the behaviour work, runs interleaved, as a ratio of median wall time and of
# peak RSS, with how many methods were tracked and sites found. The issue's bound: at most
# 1.15x. Figures go to target/bench/behaviour.txt.
#
# usage: benches/behaviour.sh BASELINE_BIN [--no-build]
#   BASELINE_BIN   an apkscope binary built from the commit before the behaviour work
#                  (git worktree add /tmp/base c190ea0 && cargo build --release there)
# environment: APKSCOPE_SHARED, APKSCOPE_BIN, APKSCOPE_LARGE_APK, RUNS (default 7)
# Needs: python3, /usr/bin/time (GNU time).
set -euo pipefail

BASE="${1:-}"
BUILD=1
[ "${2:-}" = "--no-build" ] && BUILD=0
case "$BASE" in
    "" | -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
die() { echo "behaviour: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SHARED="$(realpath -m "${APKSCOPE_SHARED:-$ROOT/../shared}")"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
LARGE="${APKSCOPE_LARGE_APK:-${TMPDIR:-/tmp}/apkscope-bench/large.apk}"
OUT="$ROOT/target/bench"
RUNS="${RUNS:-7}"
mkdir -p "$OUT"

for tool in python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
if [ ! -d "$SHARED/corpus" ]; then
    echo "SKIPPED behaviour: $SHARED/corpus is absent (the large APK is built from it)" >&2
    exit 0
fi
[ -x "$BASE" ] || die "no baseline binary at $BASE"
if [ "$BUILD" = 1 ]; then cargo build --release -p apkscope-cli >&2 || die "cargo build failed"; fi
[ -x "$BIN" ] || die "no apkscope binary at $BIN"
if [ ! -f "$LARGE" ]; then
    mkdir -p "$(dirname "$LARGE")"
    python3 "$SHARED/bench/make-large-apk.py" "$LARGE" --corpus "$SHARED/corpus" --dex-mb 120 >&2 \
        || die "make-large-apk.py failed"
fi

one() { # BIN → "wall rss"
    /usr/bin/time -f "%e %M" "$1" scan --format json --out /dev/null "$LARGE" 2>&1 >/dev/null | tail -1
}
"$BASE" scan --format json --out /dev/null "$LARGE" >/dev/null 2>&1 || die "baseline scan failed"
"$BIN" scan --format json --out "$OUT/behaviour-report.json" "$LARGE" >/dev/null 2>&1 || die "scan failed"
base_t=() base_m=() new_t=() new_m=()
for ((i = 0; i < RUNS; i++)); do
    read -r t m < <(one "$BASE"); base_t+=("$t"); base_m+=("$m")
    read -r t m < <(one "$BIN"); new_t+=("$t"); new_m+=("$m")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
bt=$(median "${base_t[@]}"); nt=$(median "${new_t[@]}")
bm=$(max "${base_m[@]}"); nm=$(max "${new_m[@]}")
{
    echo "behaviour — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+changes'), $(nproc) cores, $RUNS interleaved runs (median wall, max RSS), $(basename "$LARGE")"
    python3 - "$OUT/behaviour-report.json" "$bt" "$nt" "$bm" "$nm" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
b = r.get("behaviour", {})
bt, nt, bm, nm = (float(x) for x in sys.argv[2:])
print(f"baseline {bt:.3f} s {bm/1024:.0f} MB | this build {nt:.3f} s {nm/1024:.0f} MB | time {nt/bt:.2f}x, RSS {nm/bm:.2f}x")
print("behaviour: " + ", ".join(f"{k} {len(v)}" for k, v in b.items()))
PY
} | tee "$OUT/behaviour.txt"
