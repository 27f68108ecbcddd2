#!/bin/bash
# Whole-process benchmark for the call graph ("what runs before consent"): a full scan of the
# large multidex APK with the default rule pack, with the call graph (the default) and without
# it (--no-call-graph), side by side in one run, as a ratio of wall time and of peak RSS; then
# the same on APKs made of 10 % and 50 % of its dex (make-large-apk.py --dex-mb), with the
# graph's size (methods, entry points, methods reached, edges) from each report, to show how
# the graph grows with the app. Figures go to target/bench/callgraph.txt.
#
# usage: benches/callgraph.sh [--no-build]
# environment: APKSCOPE_SHARED, APKSCOPE_BIN, APKSCOPE_LARGE_APK, RUNS (default 5)
# Needs: python3, /usr/bin/time (GNU time), unzip.
set -euo pipefail

BUILD=1
for arg in "$@"; do
    case "$arg" in
        --no-build) BUILD=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "callgraph: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
die() { echo "callgraph: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SHARED="$(realpath -m "${APKSCOPE_SHARED:-$ROOT/../shared}")"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
LARGE="${APKSCOPE_LARGE_APK:-${TMPDIR:-/tmp}/apkscope-bench/large.apk}"
OUT="$ROOT/target/bench"
RUNS="${RUNS:-5}"
mkdir -p "$OUT"

for tool in python3 /usr/bin/time unzip; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
if [ ! -d "$SHARED/corpus" ]; then
    echo "SKIPPED callgraph: $SHARED/corpus is absent (the large APK is built from it)" >&2
    exit 0
fi
if [ "$BUILD" = 1 ]; then cargo build --release -p apkscope-cli >&2 || die "cargo build failed"; fi
[ -x "$BIN" ] || die "no apkscope binary at $BIN"

BENCH_DIR="$(dirname "$LARGE")"
mkdir -p "$BENCH_DIR"
make_apk() { # OUT MB
    [ -f "$1" ] || python3 "$SHARED/bench/make-large-apk.py" "$1" --corpus "$SHARED/corpus" --dex-mb "$2" >&2 \
        || die "make-large-apk.py failed"
}
make_apk "$LARGE" 120
make_apk "$BENCH_DIR/large-50.apk" 60
make_apk "$BENCH_DIR/large-10.apk" 12

# median wall seconds and max RSS (KB) of RUNS runs of: BIN scan --format json APK [FLAGS...]
measure() {
    local apk="$1"; shift
    local times=() rss=0 i line
    "$BIN" scan --format json --out /dev/null "$apk" "$@" >/dev/null 2>&1 || die "scan of $apk failed"
    for ((i = 0; i < RUNS; i++)); do
        line=$(/usr/bin/time -f "%e %M" "$BIN" scan --format json --out /dev/null "$apk" "$@" 2>&1 >/dev/null | tail -1)
        times+=("${line% *}")
        [ "${line#* }" -gt "$rss" ] && rss="${line#* }"
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v rss="$rss" '{ a[NR] = $1 } END { printf "%.3f %d\n", a[int((NR + 1) / 2)], rss }'
}

graph_size() { # APK → "methods entries reached edges capped truncated"
    "$BIN" scan --format json --out "$OUT/callgraph-report.json" "$1" >/dev/null 2>&1 || die "scan failed"
    python3 - "$OUT/callgraph-report.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["startup"]
g = s["graph"]
print(g["methods"], g["entries"], g["reached"], g["edges"], g["capped_sites"], str(s["truncated"]).lower())
EOF
}

{
    echo "callgraph — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+changes'), $(nproc) cores, $RUNS runs (median wall, max RSS)"
    printf '%-14s %6s %8s %9s %9s %8s  %8s %8s  %8s %8s  %6s %6s\n' \
        apk dex methods entries reached edges "no-graph" "graph" "RSS-no" "RSS-yes" time× RSS×
    for apk in "$BENCH_DIR/large-10.apk" "$BENCH_DIR/large-50.apk" "$LARGE"; do
        n_dex=$(unzip -Z -1 "$apk" 'classes*.dex' | wc -l)
        read -r methods entries reached edges capped truncated < <(graph_size "$apk")
        read -r t_off rss_off < <(measure "$apk" --no-call-graph)
        read -r t_on rss_on < <(measure "$apk")
        ratio_t=$(python3 -c "print(f'{$t_on / $t_off:.2f}')")
        ratio_m=$(python3 -c "print(f'{$rss_on / $rss_off:.2f}')")
        printf '%-14s %6s %8s %9s %9s %8s  %7ss %7ss  %7sK %7sK  %5sx %5sx\n' \
            "$(basename "$apk")" "$n_dex" "$methods" "$entries" "$reached" "$edges" \
            "$t_off" "$t_on" "$rss_off" "$rss_on" "$ratio_t" "$ratio_m"
        [ "$capped" = 0 ] || echo "  ($capped virtual call sites cut at the dispatch bound)"
        [ "$truncated" = false ] || echo "  (search cut short: truncated)"
    done
} | tee "$OUT/callgraph.txt"
