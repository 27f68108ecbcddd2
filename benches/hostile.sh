#!/bin/bash
# Whole-process benchmark for hostile uploads: peak RSS and time per app over the corpus and over
# the hostile set, for a build before the hostile-input work and the build under test, and the
# corpus batch (--jobs 2) time of both in one run.
#
# Rows:
#   - every hostile case (crates/testkit's make-hostile, --scale small and, with FULL=1, full):
#     wall time, peak RSS and the outcome (report, or the failure kind) of one process each,
#     under `ulimit -v` (VMEM_KB, default 16 GiB) so a runaway build fails instead of swapping;
#   - the corpus, one process per app: peak RSS p50 / p95 / max;
#   - the whole corpus as one batch with --jobs 2: best of RUNS wall time, and the ratio.
# Figures go to target/bench/hostile.txt.
#
# usage: benches/hostile.sh [--no-build]
# environment: APKSCOPE_BEFORE (the binary to compare with; default /work/baseline/apkscope-before
#   when present), APKSCOPE_BIN, APKSCOPE_SHARED, RUNS (default 3), FULL (1: also the full-scale
#   set), HOSTILE (0: skip the hostile rows), TIMEOUT (seconds per hostile run, default 300),
#   VMEM_KB.
# Needs: /usr/bin/time, timeout, xargs.
set -euo pipefail
BUILD=1
[ "${1:-}" = --no-build ] && BUILD=0
die() { echo "hostile: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SHARED="$(realpath -m "${APKSCOPE_SHARED:-$ROOT/../shared}")"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
BEFORE="${APKSCOPE_BEFORE:-/work/baseline/apkscope-before}"
OUT="$ROOT/target/bench"
RUNS="${RUNS:-3}"
TIMEOUT="${TIMEOUT:-300}"
VMEM_KB="${VMEM_KB:-16777216}"
mkdir -p "$OUT"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
if [ "$BUILD" = 1 ]; then
    cargo build --release -p apkscope-cli -p apkscope-testkit --bin apkscope --bin make-hostile >&2 ||
        die "cargo build failed"
fi
[ -x "$BIN" ] || die "no binary at $BIN"
bins=("after:$BIN")
if [ -x "$BEFORE" ]; then bins=("before:$BEFORE" "${bins[@]}"); else
    echo "hostile: no APKSCOPE_BEFORE binary; measuring $BIN alone" >&2
fi

SET="$OUT/hostile-set"
rm -rf "$SET"
"$ROOT/target/release/make-hostile" "$SET/small" --scale small >&2
[ "${FULL:-0}" = 1 ] && "$ROOT/target/release/make-hostile" "$SET/full" --scale full >&2

# One process: prints "seconds peak_kb outcome".
one() { # bin file
    local out="$OUT/hostile.one" kind
    /usr/bin/time -o "$OUT/hostile.time" -f '%e %M' bash -c \
        "ulimit -v $VMEM_KB; exec timeout $TIMEOUT \"\$0\" scan --format jsonl --quiet \"\$1\"" \
        "$1" "$2" > "$out" 2> "$OUT/hostile.err" || true
    read -r t rss < <(tail -1 "$OUT/hostile.time")
    if grep -q '"error"' "$out"; then
        kind=$(sed -n 's/.*"kind":"\([a-z_]*\)".*/\1/p' "$out" | head -1)
    elif [ -s "$out" ]; then kind=report
    elif grep -q 'Killed\|Aborted\|memory allocation' "$OUT/hostile.err"; then kind=ABORT
    else kind="none($(tail -c 60 "$OUT/hostile.err" | tr '\n' ' '))"; fi
    [ "$(awk -v t="$t" -v l="$TIMEOUT" 'BEGIN { print (t >= l - 0.5) }')" = 1 ] && kind=KILLED-AT-TIMEOUT
    echo "$t $rss $kind"
}

if [ "${HOSTILE:-1}" = 1 ]; then
{
    echo "hostile — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet || echo +changes), $(nproc) cores"
    echo "ulimit -v ${VMEM_KB} KB, timeout ${TIMEOUT} s, default limits of each build"
    printf '%-44s' "hostile input (size)"
    for b in "${bins[@]}"; do printf ' %26s' "${b%%:*}: s / peak RSS / outcome"; done
    echo
} | tee "$OUT/hostile.txt"
for f in "$SET"/*/*.apk; do
    label="$(basename "$(dirname "$f")")/$(basename "$f") ($(( $(stat -c %s "$f") / 1024 )) KB)"
    printf '%-44s' "$label" | tee -a "$OUT/hostile.txt"
    for b in "${bins[@]}"; do
        read -r t rss kind < <(one "${b#*:}" "$f")
        printf ' %8.2f %9d KB %-14s' "$t" "$rss" "$kind" | tee -a "$OUT/hostile.txt"
    done
    echo | tee -a "$OUT/hostile.txt"
done
else
    echo "hostile — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet || echo +changes) (hostile rows skipped)" |
        tee "$OUT/hostile.txt"
fi

[ -d "$SHARED/corpus" ] || { echo "hostile: no corpus at $SHARED/corpus; corpus rows skipped" >&2; exit 0; }
LIST="$OUT/hostile.corpus.list"
find "$SHARED/corpus" -type f \( -name '*.apk' -o -name '*.dex' \) | sort > "$LIST"
apps=$(wc -l < "$LIST")

# Peak RSS of one process per app: p50, p95, max (KB).
per_app_rss() { # bin
    : > "$OUT/hostile.rss"
    # shellcheck disable=SC2016 # $0..$2 expand in the inner sh
    tr '\n' '\0' < "$LIST" | xargs -0 -P 2 -n 1 sh -c \
        '/usr/bin/time -a -o "$0" -f %M "$1" scan --format jsonl --quiet "$2" > /dev/null 2>&1 || true' \
        "$OUT/hostile.rss" "$1"
    grep -E '^[0-9]+$' "$OUT/hostile.rss" | sort -n | awk '{ v[NR] = $1 } END {
        printf "%d %d %d\n", v[int(NR * 0.5) + 1], v[int(NR * 0.95) + 1], v[NR] }'
}

best_batch() { # bin
    local best="" t
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -o "$OUT/hostile.time" -f '%e' "$1" scan --format jsonl --quiet --jobs 2 \
            --from-list "$LIST" > /dev/null 2>&1 || true
        t=$(tail -1 "$OUT/hostile.time")
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    echo "$best"
}

{
    echo
    echo "corpus: $apps files of $SHARED/corpus"
    printf '%-10s %12s %12s %12s %14s\n' build "RSS p50" "RSS p95" "RSS max" "batch -j2 s"
} | tee -a "$OUT/hostile.txt"
declare -A batch
for b in "${bins[@]}"; do
    read -r p50 p95 max < <(per_app_rss "${b#*:}")
    batch[${b%%:*}]=$(best_batch "${b#*:}")
    printf '%-10s %9d KB %9d KB %9d KB %14.2f\n' "${b%%:*}" "$p50" "$p95" "$max" "${batch[${b%%:*}]}" |
        tee -a "$OUT/hostile.txt"
done
if [ -n "${batch[before]:-}" ]; then
    awk -v a="${batch[after]}" -v b="${batch[before]}" 'BEGIN {
        printf "batch time after / before: %.3f (target <= 1.10)\n", a / b }' | tee -a "$OUT/hostile.txt"
fi
