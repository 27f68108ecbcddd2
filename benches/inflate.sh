#!/bin/bash
# Whole-process benchmark for DEFLATE inflation: how much of a full scan of the large multidex
# APK is inflation, and what each available inflater would cost, in one run:
#   (a) the full scan: apkscope scan APK --format json --out /dev/null (default rule pack), and
#       with APKSCOPE_BEFORE an older binary side by side (e.g. one built with the other flate2
#       backend), with after / before;
#   (b) inflation alone: benches/inflate (inflate-bench) inflates every deflated entry of the
#       same APK, on as many threads as the scan, once per backend it was built with:
#         apk          the project's read path (Apk::read: capped streaming inflation through
#                      flate2, with the backend the workspace's Cargo.toml selects)
#         miniz_oxide  flate2's rust_backend, called directly
#         zlib-rs      flate2's zlib-rs backend, called directly (with runtime CPU detection)
#         libdeflate   C, whole-buffer only (built only where a C compiler is found)
#       and `none`, the floor that every row pays (process start, reading the file, opening the
#       archive); inflation figures below are the row less the floor;
#   (c) unzip -p APK 'classes*.dex' > /dev/null, for reference (one core, C zlib).
# Ratios: each backend's inflation time over miniz_oxide's, and the share of the full scan's
# CPU and wall time that the `apk` row's inflation is. Wall is hyperfine's median (robust to a
# shared machine), CPU its mean user + system. Figures go to target/bench/inflate.txt.
#
# usage: benches/inflate.sh [--no-build]
# environment: APKSCOPE_BIN, APKSCOPE_BEFORE, APKSCOPE_LARGE_APK, INFLATE_BENCH_BIN,
#              RUNS (default 10), THREADS (default: the number of cores, as the scan uses)
# Needs: hyperfine, python3; unzip for row (c). Skips (exit 0, a SKIP line) when the large APK
# is absent: make it with ../shared/bench/make-large-apk.py (see README.md).
set -euo pipefail

BUILD=1
for arg in "$@"; do
    case "$arg" in
        --no-build) BUILD=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "inflate: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
die() { echo "inflate: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
BEFORE="${APKSCOPE_BEFORE:-}"
LARGE="${APKSCOPE_LARGE_APK:-${TMPDIR:-/tmp}/apkscope-bench/large.apk}"
BENCH_TARGET="$ROOT/target/inflate-bench"
IBIN="${INFLATE_BENCH_BIN:-$BENCH_TARGET/release/inflate-bench}"
OUT="$ROOT/target/bench"
RUNS="${RUNS:-10}"
THREADS="${THREADS:-$(nproc)}"

if [ ! -f "$LARGE" ]; then
    echo "inflate: SKIP: no large APK at $LARGE" >&2
    echo "inflate: make it with: python3 ../shared/bench/make-large-apk.py $LARGE" >&2
    exit 0
fi
for tool in hyperfine python3; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian packages hyperfine python3)"
done
mkdir -p "$OUT"

if [ "$BUILD" = 1 ]; then
    cargo build --release -p apkscope-cli >&2 || die "cargo build failed"
    # libdeflate needs a C compiler; without one, build the pure-Rust backends only.
    cargo build --release --manifest-path benches/inflate/Cargo.toml --target-dir "$BENCH_TARGET" >&2 ||
        cargo build --release --manifest-path benches/inflate/Cargo.toml --target-dir "$BENCH_TARGET" \
            --no-default-features >&2 ||
        die "cargo build of benches/inflate failed"
fi
[ -x "$BIN" ] || die "no apkscope binary at $BIN"
[ -x "$IBIN" ] || die "no inflate-bench binary at $IBIN (run without --no-build)"
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || die "APKSCOPE_BEFORE=$BEFORE is not executable"
mapfile -t BACKENDS < <("$IBIN" --list | grep -v '^none$')

# Every backend must give back every entry's declared size and CRC-32 before it is timed.
for b in "${BACKENDS[@]}"; do
    "$IBIN" "$LARGE" --backend "$b" --threads "$THREADS" --check 2> "$OUT/inflate-check-$b.txt" ||
        die "backend $b fails the size/CRC check (see $OUT/inflate-check-$b.txt)"
done

# Which inflater a binary carries (std's own miniz_oxide 0.8, for backtraces, is in every one).
backend_of() {
    local found
    found=$(grep -aoE '(zlib-rs|libz-sys|libz-ng-sys|miniz_oxide)-[0-9]+\.[0-9]+\.[0-9]+' "$1" | sort -u |
        grep -v '^miniz_oxide-0\.8\.' | paste -sd ' ')
    echo "${found:-unknown}"
}

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
CMDS=(--command-name none "$IBIN $(q "$LARGE") --backend none --threads $THREADS")
for b in "${BACKENDS[@]}"; do
    CMDS+=(--command-name "$b" "$IBIN $(q "$LARGE") --backend $b --threads $THREADS")
done
CMDS+=(--command-name scan "$(q "$BIN") scan $(q "$LARGE") --format json --out /dev/null")
[ -z "$BEFORE" ] || CMDS+=(--command-name scan-before "$(q "$BEFORE") scan $(q "$LARGE") --format json --out /dev/null")

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
echo "== timing ($RUNS runs each, $THREADS threads)" >&2
hyperfine -N --warmup 2 --runs "$RUNS" --style basic --export-json "$OUT/inflate.json" "${CMDS[@]}" >&2
if command -v unzip >/dev/null; then
    hyperfine --warmup 1 --runs "$RUNS" --style basic --export-json "$OUT/inflate-unzip.json" \
        --command-name unzip "unzip -p $(q "$LARGE") 'classes*.dex' > /dev/null" >&2
fi

ENTRIES=$("$IBIN" "$LARGE" --backend none 2>&1 | sed -n 's/^inflate-bench: \([0-9]*\) entries.*/\1/p')
INFLATED=$(sed -n 's/.* \([0-9]*\) bytes out.*/\1/p' "$OUT/inflate-check-${BACKENDS[0]}.txt")
{
    echo "inflate — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- || echo +changes), $(nproc) cores, $(hyperfine --version)"
    echo "input: $(basename "$LARGE"): $ENTRIES deflated entries, $INFLATED bytes inflated, $(stat -c %s "$LARGE") bytes on disk; $RUNS runs, $THREADS threads"
    echo "load average (1 min): $LOAD_START before timing, $(cut -d' ' -f1 /proc/loadavg) after (this script alone adds up to $THREADS)"
    echo "scan binary: $BIN (inflater: $(backend_of "$BIN"))"
    [ -z "$BEFORE" ] || echo "before binary: $BEFORE (inflater: $(backend_of "$BEFORE"))"
    python3 - "$OUT/inflate.json" "$OUT/inflate-unzip.json" "${BACKENDS[@]}" <<'EOF'
import json, sys
res = {}
for f in sys.argv[1:3]:
    try:
        res.update({r["command"]: r for r in json.load(open(f))["results"]})
    except FileNotFoundError:
        pass
backends = sys.argv[3:]
wall = lambda n: res[n]["median"]
cpu = lambda n: res[n]["user"] + res[n]["system"]
floor_w, floor_c = wall("none"), cpu("none")
print("%-34s %9s %9s %12s %12s %10s" % ("run", "wall s", "CPU s", "inflate wall", "inflate CPU", "/ miniz"))
print("%-34s %9.3f %9.3f" % ("floor (start, read, open)", floor_w, floor_c))
base = "miniz_oxide"
for b in backends:
    iw, ic = wall(b) - floor_w, cpu(b) - floor_c
    rel = "%.2fx" % (ic / (cpu(base) - floor_c)) if base in res else "n/a"
    label = "inflate: apk (Apk::read, flate2)" if b == "apk" else "inflate: " + b
    print("%-34s %9.3f %9.3f %12.3f %12.3f %10s" % (label, wall(b), cpu(b), iw, ic, rel))
if "unzip" in res:
    print("%-34s %9.3f %9.3f" % ("unzip -p 'classes*.dex' (1 core)", wall("unzip"), cpu("unzip")))
print("%-34s %9.3f %9.3f" % ("full scan", wall("scan"), cpu("scan")))
if "scan-before" in res:
    print("%-34s %9.3f %9.3f" % ("full scan, before", wall("scan-before"), cpu("scan-before")))
iw, ic = wall("apk") - floor_w, cpu("apk") - floor_c
print("inflation (apk row) / full scan:  CPU %.0f %%, wall %.0f %%" % (100 * ic / cpu("scan"), 100 * iw / wall("scan")))
print("inflation / miniz_oxide's (CPU): " + ", ".join(
    "%s %.2fx" % (b, (cpu(b) - floor_c) / (cpu(base) - floor_c)) for b in backends if b != "apk" and base in res))
if "scan-before" in res:
    print("full scan after / before:  wall %.2fx, CPU %.2fx" % (wall("scan") / wall("scan-before"), cpu("scan") / cpu("scan-before")))
EOF
} | tee "$OUT/inflate.txt"
