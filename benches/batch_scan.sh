#!/bin/bash
# Whole-process benchmark for batch scanning: the whole shared corpus as one batch
# (`scan --format jsonl`, default rule pack) with --jobs 1 and --jobs 2, the corpus listed three
# times (peak RSS must not grow with the number of apps), and the same work as one process per
# APK (two at a time, like --jobs 2). Throughput in APKs/s and MB/s, peak RSS of the process
# (of the largest single process for the one-per-APK row). Figures go to
# target/bench/batch_scan.txt.
#
# usage: benches/batch_scan.sh [--no-build]
# environment: APKSCOPE_SHARED, APKSCOPE_BIN, RUNS (default 1: each row scans the corpus)
# Needs: /usr/bin/time, xargs.
set -euo pipefail
BUILD=1
[ "${1:-}" = --no-build ] && BUILD=0
die() { echo "batch_scan: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SHARED="$(realpath -m "${APKSCOPE_SHARED:-$ROOT/../shared}")"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
OUT="$ROOT/target/bench"
RUNS="${RUNS:-1}"
mkdir -p "$OUT"
[ -d "$SHARED/corpus" ] || die "no corpus at $SHARED/corpus"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
if [ "$BUILD" = 1 ]; then cargo build --release -p apkscope-cli >&2 || die "cargo build failed"; fi

LIST="$OUT/batch_scan.list"
LIST3="$OUT/batch_scan.list3"
find "$SHARED/corpus" -type f \( -name '*.apk' -o -name '*.dex' \) | sort > "$LIST"
cat "$LIST" "$LIST" "$LIST" > "$LIST3"
apps=$(wc -l < "$LIST")
bytes=$(tr '\n' '\0' < "$LIST" | xargs -0 stat -c %s | awk '{ s += $1 } END { print s }')

# Runs "$@" RUNS times; prints the best wall time (s) and the peak RSS (KB) of the last run.
measure() {
    local best="" t rss
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -o "$OUT/batch_scan.time" -f '%e %M' "$@" > /dev/null 2>&1 || true
        read -r t rss < <(tail -1 "$OUT/batch_scan.time")
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "$best $rss"
}

row() { # name apps seconds rss
    awk -v n="$1" -v a="$2" -v s="$3" -v r="$4" -v b="$bytes" -v k="$5" 'BEGIN {
        printf "%-28s %6d %9.2f %9.1f %9.1f %10d KB\n", n, a, s, a / s, k * b / s / 1048576, r }'
}

{
    echo "batch_scan — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $(nproc) cores"
    echo "input: $apps files of ../shared/corpus (APKs and dex), $bytes bytes"
    printf '%-28s %6s %9s %9s %9s %13s\n' run apps seconds "apps/s" "MB/s" "peak RSS"
} | tee "$OUT/batch_scan.txt"

declare -A secs
for jobs in 1 2; do
    read -r s r < <(measure "$BIN" scan --format jsonl --quiet --jobs "$jobs" --from-list "$LIST")
    secs[$jobs]=$s
    row "batch --jobs $jobs" "$apps" "$s" "$r" 1 | tee -a "$OUT/batch_scan.txt"
done
read -r s3 r3 < <(measure "$BIN" scan --format jsonl --quiet --jobs 2 --from-list "$LIST3")
row "batch --jobs 2, corpus x3" "$((apps * 3))" "$s3" "$r3" 3 | tee -a "$OUT/batch_scan.txt"

# One process per APK, two at a time; the RSS column is the largest single process.
per_apk() {
    # shellcheck disable=SC2016 # $0..$2 expand in the inner sh, not here
    tr '\n' '\0' < "$LIST" | xargs -0 -P 2 -n 1 sh -c \
        '/usr/bin/time -a -o "$0" -f %M "$1" scan --format jsonl "$2" > /dev/null 2>&1 || true' \
        "$OUT/batch_scan.rss" "$BIN"
}
: > "$OUT/batch_scan.rss"
start=$(date +%s.%N)
per_apk
end=$(date +%s.%N)
sp=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
rp=$(grep -E '^[0-9]+$' "$OUT/batch_scan.rss" | sort -n | tail -1)
row "one process per APK (-P 2)" "$apps" "$sp" "$rp" 1 | tee -a "$OUT/batch_scan.txt"

awk -v j1="${secs[1]}" -v j2="${secs[2]}" -v p="$sp" 'BEGIN {
    printf "speed-up --jobs 2 over --jobs 1: %.2fx (target >= 1.8)\n", j1 / j2
    printf "one batch over one process per APK: %.2fx faster (target > 1)\n", p / j2 }' |
    tee -a "$OUT/batch_scan.txt"
echo "peak RSS, corpus x1 vs x3 (--jobs 2): see rows 2 and 3 (target: independent of the count)" |
    tee -a "$OUT/batch_scan.txt"
