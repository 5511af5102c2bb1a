#!/usr/bin/env bash
# The README's first command: convert a shipped CSV to .col, show what was
# decided, and convert it back to CSV and NDJSON.
set -euo pipefail
bin="$1"
mkdir -p out
echo "\$ colconv Fixtures/demo/orders.csv out/orders.col --verbose"
"$bin/colconv" Fixtures/demo/orders.csv out/orders.col --verbose
echo
echo "\$ colconv out/orders.col out/orders.roundtrip.csv && head -3 out/orders.roundtrip.csv"
"$bin/colconv" out/orders.col out/orders.roundtrip.csv
head -3 out/orders.roundtrip.csv
echo
echo "\$ colconv out/orders.col out/orders.ndjson && head -2 out/orders.ndjson"
"$bin/colconv" out/orders.col out/orders.ndjson
head -2 out/orders.ndjson
echo
echo "\$ colconv Fixtures/cli/events.ndjson out/events.col --verbose && colconv out/events.col - --to csv -q"
"$bin/colconv" Fixtures/cli/events.ndjson out/events.col --verbose
"$bin/colconv" out/events.col - --to csv -q
echo
echo "\$ colprof out/orders.col --columns order_id,city,unit_price,discount,paid"
"$bin/colprof" out/orders.col --columns order_id,city,unit_price,discount,paid
echo
echo "\$ for d in 1 2 3; do colconv Fixtures/daily/day\$d.csv out/day\$d.col -q; done"
for d in 1 2 3; do "$bin/colconv" Fixtures/daily/day$d.csv out/day$d.col -q; done
echo "\$ colprof snapshot out/day1.col out/day2.col -o out/baseline.colprof"
"$bin/colprof" snapshot out/day1.col out/day2.col -o out/baseline.colprof
echo "\$ colprof drift out/baseline.colprof out/day3.col     # exit 1: the storm day fails the gate"
"$bin/colprof" drift out/baseline.colprof out/day3.col || echo "(exit $?)"
