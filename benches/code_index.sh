#!/bin/bash
# Whole-process benchmark for the code model: apkscope's full parse and
# index of every dex of the large multidex APK, side by side in one run with
#   (a) the floor: inflating the dex entries alone  (unzip -p APK 'classes*.dex' > /dev/null)
#   (b) dexdump listing the classes of every dex     (dexdump APK > /dev/null)
#   (c) androguard's full analysis                   (AnalyzeAPK, Debian's androguard)
# plus apkscope on one thread (RAYON_NUM_THREADS=1) to show what the second core buys, and the
# peak RSS of each (GNU time). The rule pack is off (--no-rules): sdk_scan_vs_exodus.sh measures
# the full scan with it. Figures go to target/bench/code_index.txt.
#
# usage: benches/code_index.sh [--no-build] [--skip-androguard]
# environment: APKSCOPE_SHARED, APKSCOPE_BIN, APKSCOPE_LARGE_APK, RUNS (default 5)
# Needs: unzip, dexdump, androguard (Debian packages), hyperfine, /usr/bin/time.
set -euo pipefail

BUILD=1
ANDROGUARD=1
for arg in "$@"; do
    case "$arg" in
        --no-build) BUILD=0 ;;
        --skip-androguard) ANDROGUARD=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "code_index: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
die() { echo "code_index: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SHARED="$(realpath -m "${APKSCOPE_SHARED:-$ROOT/../shared}")"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
LARGE="${APKSCOPE_LARGE_APK:-${TMPDIR:-/tmp}/apkscope-bench/large.apk}"
OUT="$ROOT/target/bench"
RUNS="${RUNS:-5}"
mkdir -p "$OUT"

for tool in unzip dexdump hyperfine /usr/bin/time python3; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian packages unzip dexdump hyperfine time)"
done
if [ "$BUILD" = 1 ]; then cargo build --release -p apkscope-cli >&2 || die "cargo build failed"; fi
[ -x "$BIN" ] || die "no apkscope binary at $BIN"
if [ ! -f "$LARGE" ]; then
    mkdir -p "$(dirname "$LARGE")"
    python3 "$SHARED/bench/make-large-apk.py" "$LARGE" --corpus "$SHARED/corpus" >&2 || die "make-large-apk.py failed"
fi

DEX_BYTES=$(unzip -Z -l "$LARGE" 'classes*.dex' | awk '$NF ~ /^classes[0-9]*\.dex$/ { s += $4 } END { print s }')
N_DEX=$(unzip -Z -1 "$LARGE" 'classes*.dex' | wc -l)
APK_BYTES=$(stat -c %s "$LARGE")

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
FLOOR="unzip -p $(q "$LARGE") 'classes*.dex' > /dev/null"
SCAN="$(q "$BIN") scan --no-rules --format json $(q "$LARGE") > /dev/null"
SCAN_1="RAYON_NUM_THREADS=1 $SCAN"
DEXDUMP="dexdump $(q "$LARGE") > /dev/null 2>&1"
ANDRO="/usr/bin/python3 -c 'import sys; from androguard.misc import AnalyzeAPK; AnalyzeAPK(sys.argv[1])' $(q "$LARGE") > /dev/null 2>&1"

echo "== timing ($RUNS runs each; androguard once)" >&2
hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$OUT/code_index.json" \
    --command-name floor-unzip "$FLOOR" \
    --command-name apkscope "$SCAN" \
    --command-name apkscope-1-thread "$SCAN_1" \
    --command-name dexdump "$DEXDUMP" >&2
if [ "$ANDROGUARD" = 1 ]; then
    /usr/bin/python3 -c 'import androguard' 2>/dev/null || die "androguard not installed (apt-get install androguard) or use --skip-androguard"
    hyperfine --runs 1 --style basic --export-json "$OUT/code_index_androguard.json" \
        --command-name androguard "$ANDRO" >&2
fi

rss() { /usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1; }
mean() { python3 -c 'import json,sys
for f in sys.argv[2:]:
    try: rs = json.load(open(f))["results"]
    except FileNotFoundError: continue
    for r in rs:
        if r["command"] == sys.argv[1]: print("%.3f" % r["mean"])' "$1" "$OUT/code_index.json" "$OUT/code_index_androguard.json"; }

M_FLOOR=$(mean floor-unzip); M_SCAN=$(mean apkscope); M_SCAN1=$(mean apkscope-1-thread); M_DD=$(mean dexdump)
M_AG=$(mean androguard || true)
R_SCAN=$(rss "$SCAN"); R_FLOOR=$(rss "$FLOOR"); R_DD=$(rss "$DEXDUMP")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
{
    echo "code_index — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) cores"
    echo "input: $(basename "$LARGE"): $N_DEX dex files, $DEX_BYTES bytes of dex, $APK_BYTES bytes on disk"
    printf '%-28s %8s s   peak RSS %8s KB\n' "floor (unzip -p)" "$M_FLOOR" "$R_FLOOR"
    printf '%-28s %8s s   peak RSS %8s KB\n' "apkscope scan (2 threads)" "$M_SCAN" "$R_SCAN"
    printf '%-28s %8s s\n' "apkscope scan (1 thread)" "$M_SCAN1"
    printf '%-28s %8s s   peak RSS %8s KB\n' "dexdump" "$M_DD" "$R_DD"
    printf '%-28s %8s s\n' "androguard AnalyzeAPK" "${M_AG:-skipped}"
    echo "apkscope / floor:        $(ratio "$M_SCAN" "$M_FLOOR")x (target <= 2)"
    echo "dexdump / apkscope:      $(ratio "$M_DD" "$M_SCAN")x faster (target > 1)"
    echo "androguard / apkscope:   $(ratio "$M_AG" "$M_SCAN")x faster (target >= 100)"
    echo "second core:             $(ratio "$M_SCAN1" "$M_SCAN")x (1 thread / 2 threads)"
    echo "peak RSS / dex bytes:    $(awk -v r="$R_SCAN" -v d="$DEX_BYTES" 'BEGIN { printf "%.2f", r * 1024 / d }')x (target <= 3)"
} | tee "$OUT/code_index.txt"
