#!/usr/bin/env bash
# Builds the fuzz targets (libFuzzer + AddressSanitizer), replays FailCases/,
# and runs each target for SECONDS seconds (default 60) from seeds made of
# the repository's fixtures and ../shared/corpus. Usage:
#
#   FuzzTesting/run.sh [SECONDS] [TARGET...]
#
# A crash leaves its input in $WORK/crashes (default /tmp/col-fuzz); minimize it,
# add it to FailCases/<target>/, and fix the code.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzCSVTokenizer FuzzJSONScanner FuzzCSV FuzzJSON FuzzColReader FuzzStatistics FuzzConfig FuzzParquetFooter)
work="${WORK:-/tmp/col-fuzz}"
scratch="${FUZZ_SCRATCH:-$root/.build-fuzz}"
mkdir -p "$work/crashes"
# A trap must reach libFuzzer as a signal at once: Swift's backtracer can hang under ASan.
export SWIFT_BACKTRACE=enable=no
# A decode limit the fuzzer's 2 GiB RSS limit can hold: a few KiB of brotli or gzip may claim
# 2 GiB of values (parquet-testing's large_string_map.brotli does), which is refused past it.
export COL_DECODE_LIMIT=256MiB

cd "$here"
for t in "${targets[@]}"; do
    # The linker is lld: gold fails on AddressSanitizer's debug info (an internal error in dwarf_reader.cc).
    if ! swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
        --toolset "$here/toolset.json" --scratch-path "$scratch" --product "$t" > "$work/build-$t.log" 2>&1; then
        cat "$work/build-$t.log" >&2
        exit 2
    fi
done

# Seeds: corpus CSV and JSON, and .col files converted from them (when a colconv is built).
mkdir -p "$work/seeds/FuzzCSV" "$work/seeds/FuzzJSON" "$work/seeds/FuzzCSVTokenizer" "$work/seeds/FuzzJSONScanner" "$work/seeds/FuzzColReader" "$work/seeds/FuzzStatistics" "$work/seeds/FuzzConfig" "$work/seeds/FuzzParquetFooter"
cp -n "$root"/Fixtures/config/*.toml "$work/seeds/FuzzConfig/" 2>/dev/null || true
corpus="$root/../shared/corpus"
find "$corpus" "$root/Fixtures" -type f \( -name '*.csv' -o -name '*.tsv' \) -size -64k -exec cp -n {} "$work/seeds/FuzzCSV/" \; 2>/dev/null || true
find "$corpus" "$root/Fixtures" -type f \( -name '*.json' -o -name '*.ndjson' \) -size -64k -exec cp -n {} "$work/seeds/FuzzJSON/" \; 2>/dev/null || true
# The tokenizer's first byte picks the dialect: 0 is comma and double quote.
for f in "$work"/seeds/FuzzCSV/*; do
    [ -e "$work/seeds/FuzzCSVTokenizer/${f##*/}" ] || { printf '\0'; cat "$f"; } > "$work/seeds/FuzzCSVTokenizer/${f##*/}"
done
cp -n "$work"/seeds/FuzzJSON/* "$work/seeds/FuzzJSONScanner/" 2>/dev/null || true
colconv=""
for c in "$root/.build/release/colconv" "$root/.build/debug/colconv"; do [ -x "$c" ] && colconv="$c" && break; done
if [ -n "$colconv" ] && [ -z "$(ls -A "$work/seeds/FuzzColReader")" ]; then
    n=0
    for f in "$work"/seeds/FuzzCSV/*; do
        "$colconv" "$f" "$work/seeds/FuzzColReader/$n.col" --chunk-rows 3 --quiet --on-error skip >/dev/null 2>&1 || true
        n=$((n + 1))
        [ $n -ge 40 ] && break
    done
fi
# Parquet seeds: our exports of a few fixtures, when a colconv is built.
if [ -n "$colconv" ] && [ -z "$(ls -A "$work/seeds/FuzzParquetFooter")" ]; then
    n=0
    for f in "$root"/Fixtures/parquet/*.csv "$root"/Fixtures/daily/day1.csv; do
        "$colconv" "$f" "$work/seeds/FuzzParquetFooter/$n.parquet" --chunk-rows 50 --quiet >/dev/null 2>&1 || true
        n=$((n + 1))
    done
fi
# And the peer suite's Parquet files (apache/parquet-testing), small ones: every encoding, codec and nesting.
find "$corpus/parquet-testing" -type f -name '*.parquet' -size -64k -exec cp -n {} "$work/seeds/FuzzParquetFooter/" \; 2>/dev/null || true
FUZZ_WRITE_SEEDS="$work/seeds/FuzzStatistics" "$scratch/release/FuzzStatistics" 2>/dev/null || true

status=0
for t in "${targets[@]}"; do
    bin="$scratch/release/$t"
    echo "== $t: replaying FailCases/$t"
    if [ -n "$(ls -A "$here/FailCases/$t" 2>/dev/null)" ]; then
        "$bin" -runs=0 "$here"/FailCases/"$t"/* || status=1
    fi
    echo "== $t: fuzzing for $seconds s"
    mkdir -p "$work/corpus/$t"
    dict=()
    [ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
    "$bin" "$work/corpus/$t" "$work/seeds/$t" "${dict[@]}" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
        -timeout=20 -artifact_prefix="$work/crashes/$t-" -print_final_stats=1 2>&1 \
        | grep -E "^(#[0-9]+ *(DONE|INITED)|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+== ?ERROR|ALARM|SUMMARY|artifact_prefix|Test unit written)" || true
    if ls "$work/crashes/$t-"* >/dev/null 2>&1; then
        echo "$t: crash inputs in $work/crashes" >&2
        status=1
    fi
done
exit $status
