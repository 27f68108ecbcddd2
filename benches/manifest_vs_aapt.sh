#!/bin/bash
# Whole-process benchmark: `apkscope scan --format json APK` versus
# `aapt dump badging APK`, over every APK of the shared corpus and over one
# large multidex APK built from it. See benches/README.md.
#
# usage: benches/manifest_vs_aapt.sh [--aapt-only] [--no-build]
#
#   --aapt-only   time only the aapt half (for checking the script and the
#                 machine before the CLI exists); prints no ratio
#   --no-build    do not run `cargo build --release -p apkscope-cli` first
#
# environment:
#   APKSCOPE_SHARED     the shared folder          (default: ../shared beside the repo)
#   APKSCOPE_BIN        the binary to time         (default: target/release/apkscope)
#   APKSCOPE_LARGE_APK  where the large APK lives  (default: $TMPDIR/apkscope-bench/large.apk,
#                       built with ../shared/bench/make-large-apk.py when missing)
#   BENCH_OUT           where raw results go       (default: target/bench)
#   RUNS_CORPUS         timed passes over the whole corpus (default 3)
#   RUNS_LARGE          timed runs on the large APK        (default 10)
#   BENCH_TIMER=loop    use the date +%s%N loop even where hyperfine is installed
#
# Needs: bash, python3, aapt (Debian package aapt), cargo; hyperfine
# (Debian package hyperfine) if installed, else a date +%s%N loop.
set -euo pipefail

AAPT_ONLY=0
BUILD=1
for arg in "$@"; do
    case "$arg" in
        --aapt-only) AAPT_ONLY=1 ;;
        --no-build) BUILD=0 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "manifest_vs_aapt: unknown argument '$arg' (see --help)" >&2
            exit 2
            ;;
    esac
done

die() {
    echo "manifest_vs_aapt: $*" >&2
    exit 1
}

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SHARED="$(realpath -m "${APKSCOPE_SHARED:-$ROOT/../shared}")"
CORPUS="$SHARED/corpus"
MAKE_LARGE="$SHARED/bench/make-large-apk.py"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
LARGE="${APKSCOPE_LARGE_APK:-${TMPDIR:-/tmp}/apkscope-bench/large.apk}"
OUT="${BENCH_OUT:-$ROOT/target/bench}"
RUNS_CORPUS="${RUNS_CORPUS:-3}"
RUNS_LARGE="${RUNS_LARGE:-10}"

command -v aapt >/dev/null || die "aapt not found (apt-get install aapt)"
command -v python3 >/dev/null || die "python3 not found"
[ -f "$CORPUS/MANIFEST.tsv" ] || die "no corpus at $CORPUS (set APKSCOPE_SHARED)"
case "$LARGE" in
    "$ROOT"/target/* | "$ROOT/target") ;;
    "$ROOT"/*) die "APKSCOPE_LARGE_APK=$LARGE is inside the repository; put it under /tmp or target/" ;;
esac

# --- the binary -------------------------------------------------------------
if [ "$AAPT_ONLY" = 0 ]; then
    if [ "$BUILD" = 1 ]; then
        echo "== cargo build --release -p apkscope-cli" >&2
        cargo build --release -p apkscope-cli ||
            die "cargo build --release -p apkscope-cli failed (use --aapt-only to time aapt alone)"
    fi
    [ -x "$BIN" ] ||
        die "no apkscope binary at $BIN: build it (cargo build --release -p apkscope-cli), set APKSCOPE_BIN, or use --aapt-only"
    "$BIN" scan --help >/dev/null 2>&1 ||
        die "$BIN has no working 'scan' subcommand ('$BIN scan --help' failed)"
fi

# --- inputs -----------------------------------------------------------------
mkdir -p "$OUT"
LIST="$OUT/corpus-apks.txt"
awk -F'\t' -v dir="$CORPUS" 'NR > 1 && $2 == "apk" { print dir "/" $1 }' "$CORPUS/MANIFEST.tsv" |
    while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done >"$LIST"
N_APKS=$(wc -l <"$LIST")
[ "$N_APKS" -gt 0 ] || die "MANIFEST.tsv lists no readable APK under $CORPUS"
CORPUS_BYTES=$(xargs -d '\n' stat -c %s <"$LIST" | awk '{ s += $1 } END { print s }')

if [ ! -f "$LARGE" ]; then
    echo "== building the large APK: $LARGE" >&2
    mkdir -p "$(dirname "$LARGE")"
    python3 "$MAKE_LARGE" "$LARGE" --corpus "$CORPUS" >&2 || die "make-large-apk.py failed"
fi
LARGE_BYTES=$(stat -c %s "$LARGE")

# Commands, as sh snippets (hyperfine runs them with sh -c). Failures are
# ignored while timing: several corpus APKs are deliberately malformed, and
# apkscope may exit non-zero when it has findings. They are counted below.
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
AAPT_ONE="aapt dump badging"
# Like for like with aapt: manifest and resources only, no rule pack (the code is benchmarked by
# code_index.sh, the rule pack by sdk_scan_vs_exodus.sh).
SCAN_ONE="$(q "$BIN") scan --no-code --no-rules --format json"
loop() { echo "while IFS= read -r f; do $1 \"\$f\" >/dev/null 2>&1; done < $(q "$LIST")"; }

# --- untimed pass: exit codes, and warms the page cache ---------------------
count_failures() { # $1 = label, rest = command words; prints the failure count
    local label="$1" fails=0 f
    shift
    : >"$OUT/failures-$label.txt"
    while IFS= read -r f; do
        if ! "$@" "$f" >/dev/null 2>&1; then
            fails=$((fails + 1))
            printf '%s\n' "${f#"$CORPUS"/}" >>"$OUT/failures-$label.txt"
        fi
    done <"$LIST"
    echo "$fails"
}
echo "== untimed pass over $N_APKS corpus APKs" >&2
AAPT_FAILS=$(count_failures aapt aapt dump badging)
if [ "$AAPT_ONLY" = 0 ]; then
    SCAN_FAILS=$(count_failures apkscope "$BIN" scan --no-code --no-rules --format json)
fi

# --- timing -----------------------------------------------------------------
# Each timer sets MEAN_<key> and SD_<key> in seconds.
declare -A MEAN SD

time_hyperfine() { # $1 = json out, $2 = runs, then name/command pairs
    local json="$1" runs="$2"
    shift 2
    local args=() keys=()
    while [ $# -gt 0 ]; do
        keys+=("$1")
        args+=(--command-name "$1" "$2")
        shift 2
    done
    hyperfine --ignore-failure --warmup 1 --runs "$runs" --style basic \
        --export-json "$json" "${args[@]}" >&2
    local k
    for k in "${keys[@]}"; do
        read -r "MEAN[$k]" "SD[$k]" < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["command"] == sys.argv[2]:
        print(r["mean"], r["stddev"] or 0.0)' "$json" "$k")
    done
}

time_loop() { # same arguments as time_hyperfine; the json file is written too
    local json="$1" runs="$2"
    shift 2
    local results=()
    while [ $# -gt 0 ]; do
        local key="$1" cmd="$2" times=() i s e
        shift 2
        sh -c "$cmd" >/dev/null 2>&1 || true # warmup
        for ((i = 0; i < runs; i++)); do
            s=$(date +%s%N)
            sh -c "$cmd" >/dev/null 2>&1 || true
            e=$(date +%s%N)
            times+=("$(((e - s) / 1000))")
        done
        read -r "MEAN[$key]" "SD[$key]" < <(printf '%s\n' "${times[@]}" | awk '
            { x = $1 / 1e6; s += x; ss += x * x; n++ }
            END { m = s / n; v = n > 1 ? (ss - n * m * m) / (n - 1) : 0; if (v < 0) v = 0; print m, sqrt(v) }')
        echo "  $key: mean ${MEAN[$key]} s over $runs runs" >&2
        results+=("{\"command\": \"$key\", \"mean\": ${MEAN[$key]}, \"stddev\": ${SD[$key]}, \"runs\": $runs}")
    done
    (IFS=,; echo "{\"results\": [${results[*]}]}") >"$json"
}

if [ "${BENCH_TIMER:-}" != loop ] && command -v hyperfine >/dev/null; then
    TIMER=time_hyperfine
    TIMER_NAME="hyperfine $(hyperfine --version | awk '{ print $2 }')"
else
    TIMER=time_loop
    TIMER_NAME="date +%s%N loop"
fi

corpus_cmds=(aapt-corpus "$(loop "$AAPT_ONE")")
large_cmds=(aapt-large "$AAPT_ONE $(q "$LARGE") >/dev/null 2>&1")
if [ "$AAPT_ONLY" = 0 ]; then
    corpus_cmds+=(apkscope-corpus "$(loop "$SCAN_ONE")")
    large_cmds+=(apkscope-large "$SCAN_ONE $(q "$LARGE") >/dev/null 2>&1")
fi

echo "== corpus: $N_APKS APKs, $RUNS_CORPUS timed passes ($TIMER_NAME)" >&2
$TIMER "$OUT/corpus.json" "$RUNS_CORPUS" "${corpus_cmds[@]}"
echo "== large APK: $LARGE, $RUNS_LARGE timed runs" >&2
$TIMER "$OUT/large.json" "$RUNS_LARGE" "${large_cmds[@]}"

# --- summary ----------------------------------------------------------------
fmt() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%9.3f s ± %.3f", m, s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
per_apk() { awk -v m="$1" -v n="$2" 'BEGIN { printf "%.2f ms/APK", m * 1000 / n }'; }

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo uncommitted)
{
    echo
    echo "manifest_vs_aapt — $(date -u +%Y-%m-%dT%H:%MZ), commit $COMMIT, $(nproc) cores, $TIMER_NAME"
    awk -v n="$N_APKS" -v c="$CORPUS_BYTES" -v l="$LARGE_BYTES" -v name="$(basename "$LARGE")" \
        'BEGIN { printf "corpus: %d APKs, %.1f MB; large: %s, %.1f MB\n", n, c / 1e6, name, l / 1e6 }'
    printf '  %-18s %s  (%s)  failures %s/%s\n' "aapt corpus" \
        "$(fmt "${MEAN[aapt-corpus]}" "${SD[aapt-corpus]}")" \
        "$(per_apk "${MEAN[aapt-corpus]}" "$N_APKS")" "$AAPT_FAILS" "$N_APKS"
    if [ "$AAPT_ONLY" = 0 ]; then
        printf '  %-18s %s  (%s)  failures %s/%s\n' "apkscope corpus" \
            "$(fmt "${MEAN[apkscope-corpus]}" "${SD[apkscope-corpus]}")" \
            "$(per_apk "${MEAN[apkscope-corpus]}" "$N_APKS")" "$SCAN_FAILS" "$N_APKS"
    fi
    printf '  %-18s %s\n' "aapt large" "$(fmt "${MEAN[aapt-large]}" "${SD[aapt-large]}")"
    if [ "$AAPT_ONLY" = 0 ]; then
        printf '  %-18s %s\n' "apkscope large" "$(fmt "${MEAN[apkscope-large]}" "${SD[apkscope-large]}")"
        echo "ratio apkscope/aapt (time; < 1 means apkscope is faster):"
        echo "  corpus $(ratio "${MEAN[apkscope-corpus]}" "${MEAN[aapt-corpus]}")x, large $(ratio "${MEAN[apkscope-large]}" "${MEAN[aapt-large]}")x"
    else
        echo "(--aapt-only: no apkscope figures, no ratio)"
    fi
    echo "raw results: $OUT/{corpus,large}.json, failures-*.txt"
} | tee "$OUT/summary.txt"
