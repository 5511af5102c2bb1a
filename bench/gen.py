#!/usr/bin/env python3
"""Deterministic, seeded benchmark data: CSV (and later NDJSON) at any row count.

Usage: bench/gen.py ROWS OUT.csv [--seed N]

16 columns of mixed types: sequential and random ints, ints with nulls, prices
with 2 decimals, full-precision doubles, bools, low-cardinality strings (20
values), medium-cardinality strings (10k values), UUIDs, free text with commas,
quotes, embedded newlines and non-ASCII, ISO timestamps and dates, and an
often-empty column. Writes OUT.manifest.json with exact aggregates.
"""
import json
import random
import sys
import uuid
import datetime

def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 42
    rng = random.Random(seed)
    cities = [f"city_{i:02d}" for i in range(20)]
    medium = [f"customer_{i:05d}" for i in range(10_000)]
    words = ["alpha", "beta", "gamma", "delta", "épsilon", "zeta", "ηta", "theta", "iota", "kappa", "日本", "naïve"]
    base = datetime.datetime(2024, 1, 1)
    day0 = datetime.date(2020, 1, 1)
    agg = {"rows": rows, "sum_seq": 0, "sum_rand": 0, "nulls_maybe": 0, "sum_price_cents": 0, "true_count": 0, "empty_count": 0}
    header = ["seq", "rand_int", "maybe_int", "price", "ratio", "flag", "city", "customer", "uuid", "comment",
              "created_at", "day", "empty_mostly", "score", "qty", "code"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for i in range(rows):
            rand_int = rng.randint(-1_000_000, 1_000_000)
            maybe = "" if rng.random() < 0.2 else str(rng.randint(0, 5000))
            cents = rng.randint(100, 99_999)
            ratio = rng.random()
            flag = rng.random() < 0.5
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
            r = rng.random()
            if r < 0.05:
                text = text + ', "quoted"'
            elif r < 0.07:
                text = text + "\nsecond line"
            if any(c in text for c in ',"\n'):
                text = '"' + text.replace('"', '""') + '"'
            created = base + datetime.timedelta(seconds=i * 7 + rng.randint(0, 6))
            day = day0 + datetime.timedelta(days=rng.randint(0, 2000))
            empty = "" if rng.random() < 0.9 else rng.choice(words)
            u = uuid.UUID(int=rng.getrandbits(128), version=4)
            f.write(f"{i},{rand_int},{maybe},{cents // 100}.{cents % 100:02d},{ratio!r},{'true' if flag else 'false'},"
                    f"{rng.choice(cities)},{rng.choice(medium)},{u},{text},{created.isoformat()},{day.isoformat()},"
                    f"{empty},{rng.gauss(50, 10):.3f},{rng.randint(1, 12)},{rng.choice(['A', 'B', 'C', 'D'])}{rng.randint(0, 999):03d}\n")
            agg["sum_seq"] += i
            agg["sum_rand"] += rand_int
            agg["nulls_maybe"] += maybe == ""
            agg["sum_price_cents"] += cents
            agg["true_count"] += flag
            agg["empty_count"] += empty == ""
    with open(out + ".manifest.json", "w") as m:
        json.dump(agg, m, indent=1)

if __name__ == "__main__":
    main()
