#!/bin/bash
# Whole-process benchmark for rule-pack validation on hostile rule folders (a service may load
# third-party ones): `apkscope rules validate DIR` on each folder below, wall time and peak RSS
# (GNU time), for the release binary and, when APKSCOPE_BEFORE names one, an older binary side
# by side. The folders are generated under target/bench/rules_validate/:
#   dup-ids          20,000 [[sdk]] tables sharing one id                      (2.6 MB)
#   dup-prefixes     one SDK listing a class prefix 20,000 times, then 2,000 SDKs each claiming
#                    one shared prefix and a nested one                         (0.9 MB)
#   long-line        one SDK listing a prefix 5,000 times on one 110 KB line
#   comments-4m      "#\n" lines up to the rule-file limit (4 MiB): the costliest file accepted
#   comments-100m    100 MB of "#\n" lines (refused from its size after the change)
#   comments-100m-l  100 MB of 100-byte comment lines
#   fifo             a FIFO named x.toml beside a rule file (must not block)
# Each run is limited to BENCH_TIMEOUT seconds and BENCH_MEM_KB of address space, so an old
# binary's quadratic or unbounded case shows as "timeout" or "mem-limit" instead of taking the
# machine down. Figures go to target/bench/rules_validate.txt.
#
# usage: benches/rules_validate.sh [--no-build]
# environment: APKSCOPE_BIN (default target/release/apkscope), APKSCOPE_BEFORE (an older binary,
#              e.g. /work/baseline/apkscope-before; optional), BENCH_TIMEOUT (default 300),
#              BENCH_MEM_KB (default 12000000)
# Needs: python3, mkfifo, timeout, /usr/bin/time.
set -euo pipefail

BUILD=1
for arg in "$@"; do
    case "$arg" in
        --no-build) BUILD=0 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "rules_validate: unknown argument '$arg'" >&2; exit 2 ;;
    esac
done
die() { echo "rules_validate: $*" >&2; exit 1; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BIN="${APKSCOPE_BIN:-$ROOT/target/release/apkscope}"
BEFORE="${APKSCOPE_BEFORE:-}"
TIMEOUT="${BENCH_TIMEOUT:-300}"
MEM_KB="${BENCH_MEM_KB:-12000000}"
OUT="$ROOT/target/bench"
WORK="$OUT/rules_validate"
mkdir -p "$OUT"

for tool in python3 mkfifo timeout /usr/bin/time; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
if [ "$BUILD" = 1 ]; then cargo build --release -p apkscope-cli >&2 || die "cargo build failed"; fi
[ -x "$BIN" ] || die "no apkscope binary at $BIN"
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || die "APKSCOPE_BEFORE=$BEFORE is not an executable"

CASES=(dup-ids dup-prefixes long-line comments-4m comments-100m comments-100m-l fifo)

echo "== generating folders under $WORK" >&2
rm -rf "$WORK"
mkdir -p "$WORK"
python3 - "$WORK" <<'PY'
import os, sys

work = sys.argv[1]

def sdk(sdk_id, prefixes, one_line=False):
    if one_line:
        body = "class_prefixes = [" + ", ".join('"%s"' % p for p in prefixes) + "]\n"
    else:
        body = "class_prefixes = [\n" + "".join('    "%s",\n' % p for p in prefixes) + "]\n"
    # A vendor and a resolvable reference, as the default pack requires, so that only the
    # hostile shape itself is diagnosed.
    return ('[[sdk]]\nid = "%s"\nname = "N"\nvendor = "V"\ncategory = "ads"\npurpose = "p"\n%s'
            'references = ["https://example.com/r"]\n\n' % (sdk_id, body))

def write(case, chunks):
    os.makedirs(os.path.join(work, case))
    with open(os.path.join(work, case, "hostile.toml"), "w") as f:
        for c in chunks:
            f.write(c)

write("dup-ids", (sdk("dup-sdk", ["com.dupid.s%d." % i]) for i in range(20000)))
write("dup-prefixes", [sdk("one-list", ["com.dupprefix.same."] * 20000)]
      + [sdk("claim-%d" % i, ["com.dupprefix.shared.", "com.dupprefix.shared.s%d." % i])
         for i in range(2000)])
write("long-line", [sdk("long-line", ["com.longline.same."] * 5000, one_line=True)])
write("comments-4m", ["#\n" * (4 * 1024 * 1024 // 2)])
write("comments-100m", ("#\n" * 1000000 for _ in range(50)))
write("comments-100m-l", (("# " + "x" * 97 + "\n") * 10000 for _ in range(100)))
os.makedirs(os.path.join(work, "fifo"))
with open(os.path.join(work, "fifo", "a.toml"), "w") as f:
    f.write(sdk("fifo-neighbour", ["com.fifo.neighbour."]))
PY
mkfifo "$WORK/fifo/x.toml"

# Runs one binary on one folder; prints "seconds peak-KB exit" (or a reason instead of figures).
measure() {
    local bin="$1" dir="$2" rc=0
    rm -f "$OUT/rules_validate.time"
    (
        ulimit -v "$MEM_KB"
        timeout "$TIMEOUT" /usr/bin/time -o "$OUT/rules_validate.time" -f '%e %M' \
            "$bin" rules validate "$dir" > "$OUT/rules_validate.last" 2>&1
    ) || rc=$?
    local t rss
    read -r t rss < <(grep -sE '^[0-9.]+ [0-9]+$' "$OUT/rules_validate.time" | tail -1 || true)
    if [ "$rc" = 124 ]; then
        echo "timeout - $rc"
    elif grep -qE 'memory allocation|out of memory|Cannot allocate' "$OUT/rules_validate.last"; then
        echo "mem-limit ${rss:--} $rc"
    else
        echo "${t:--} ${rss:--} $rc"
    fi
}

{
    dirty=$(git diff --quiet HEAD -- crates Cargo.toml Cargo.lock 2>/dev/null || echo " + uncommitted changes")
    echo "rules_validate — $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$dirty, $(nproc) cores"
    echo "timeout ${TIMEOUT}s, address space ${MEM_KB} KB per run; after = $BIN"
    [ -z "$BEFORE" ] || echo "before = $BEFORE"
    printf '%-16s %11s  %10s %12s %5s  %10s %12s %5s\n' \
        case bytes "before s" "before KB" exit "after s" "after KB" exit
    for case in "${CASES[@]}"; do
        dir="$WORK/$case"
        bytes=$(find "$dir" -type f -name '*.toml' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
        if [ -n "$BEFORE" ]; then read -r bt brss brc < <(measure "$BEFORE" "$dir"); else bt=- brss=- brc=-; fi
        read -r at arss arc < <(measure "$BIN" "$dir")
        cp "$OUT/rules_validate.last" "$OUT/rules_validate.$case.out"
        printf '%-16s %11s  %10s %12s %5s  %10s %12s %5s\n' \
            "$case" "$bytes" "$bt" "$brss" "$brc" "$at" "$arss" "$arc"
    done
    echo "exit: 0 valid (warnings only), 1 problems found, 2 refused (read error or size limit)"
    echo "the last lines each run printed (after): target/bench/rules_validate.<case>.out"
} | tee "$OUT/rules_validate.txt"
