#!/usr/bin/env python3
"""Deterministic, seeded benchmark data: CSV or NDJSON at any row count.

Usage: bench/gen.py ROWS OUT.csv|OUT.ndjson [--seed N]
       bench/gen.py ROWS OUT.csv --wide [--seed N]

16 columns of mixed types: sequential and random ints, ints with nulls, prices
with 2 decimals, full-precision doubles, bools, low-cardinality strings (20
values), medium-cardinality strings (10k values), UUIDs, free text with commas,
quotes, embedded newlines and non-ASCII, ISO timestamps and dates, and an
often-empty column. NDJSON (.ndjson or .jsonl) has the same 16 values per row
(nulls as null, the often-empty column's key left out when empty) plus a
nested object `geo` {lat, lon} and an array `tags`; the extras come from a
second generator, so CSV and NDJSON of one seed agree on the shared columns.
With --wide, CSV of 1,000 columns instead: 500 integer columns (0 to 100,000)
alternating with 500 short-string columns (a dozen values each), the shape of
the wide case in bench/run. Its manifest has the rows and the sum of c0.
Writes OUT.manifest.json with exact aggregates used to check outputs.
"""
import datetime
import json
import random
import sys
import uuid


def wide(rows, out, seed, columns=1000):
    rng = random.Random(seed)
    labels = [["ab", "cde", "fg", "hij", "k", "lmno", "p", "qr", "stu", "vw", "xyz", "z"][k] + str(j % 13)
              for j in range(columns) for k in range(12)]
    agg = {"rows": rows, "sum_c0": 0}
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(f"c{j}" for j in range(columns)) + "\n")
        for _ in range(rows):
            row = [str(rng.randint(0, 100_000)) if j % 2 == 0 else labels[j * 12 + rng.randrange(12)] for j in range(columns)]
            agg["sum_c0"] += int(row[0])
            f.write(",".join(row) + "\n")
    with open(out + ".manifest.json", "w") as m:
        json.dump(agg, m, indent=1)


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 42
    if "--wide" in sys.argv:
        return wide(rows, out, seed)
    ndjson = out.endswith(".ndjson") or out.endswith(".jsonl")
    rng = random.Random(seed)
    extra = random.Random(seed + 1_000_003)
    cities = [f"city_{i:02d}" for i in range(20)]
    medium = [f"customer_{i:05d}" for i in range(10_000)]
    words = ["alpha", "beta", "gamma", "delta", "épsilon", "zeta", "ηta", "theta", "iota", "kappa", "日本", "naïve"]
    tag_words = ["new", "vip", "eu", "us", "promo", "returning", "mobile", "web"]
    base = datetime.datetime(2024, 1, 1)
    day0 = datetime.date(2020, 1, 1)
    agg = {"rows": rows, "sum_seq": 0, "sum_rand": 0, "nulls_maybe": 0, "sum_price_cents": 0, "true_count": 0,
           "empty_count": 0}
    if ndjson:
        agg["tags_total"] = 0
    header = ["seq", "rand_int", "maybe_int", "price", "ratio", "flag", "city", "customer", "uuid", "comment",
              "created_at", "day", "empty_mostly", "score", "qty", "code"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        if not ndjson:
            f.write(",".join(header) + "\n")
        for i in range(rows):
            rand_int = rng.randint(-1_000_000, 1_000_000)
            maybe = None if rng.random() < 0.2 else rng.randint(0, 5000)
            cents = rng.randint(100, 99_999)
            ratio = rng.random()
            flag = rng.random() < 0.5
            text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
            r = rng.random()
            if r < 0.05:
                text = text + ', "quoted"'
            elif r < 0.07:
                text = text + "\nsecond line"
            created = base + datetime.timedelta(seconds=i * 7 + rng.randint(0, 6))
            day = day0 + datetime.timedelta(days=rng.randint(0, 2000))
            empty = "" if rng.random() < 0.9 else rng.choice(words)
            u = uuid.UUID(int=rng.getrandbits(128), version=4)
            city = rng.choice(cities)
            customer = rng.choice(medium)
            score = f"{rng.gauss(50, 10):.3f}"
            qty = rng.randint(1, 12)
            code = f"{rng.choice(['A', 'B', 'C', 'D'])}{rng.randint(0, 999):03d}"
            price = f"{cents // 100}.{cents % 100:02d}"
            if ndjson:
                tags = [extra.choice(tag_words) for _ in range(extra.randint(0, 3))]
                record = (f'{{"seq":{i},"rand_int":{rand_int},"maybe_int":{"null" if maybe is None else maybe},'
                          f'"price":{price},"ratio":{ratio!r},"flag":{"true" if flag else "false"},'
                          f'"city":"{city}","customer":"{customer}","uuid":"{u}","comment":{json.dumps(text, ensure_ascii=False)},'
                          f'"created_at":"{created.isoformat()}","day":"{day.isoformat()}",')
                if empty:
                    record += f'"empty_mostly":"{empty}",'
                record += (f'"score":{score},"qty":{qty},"code":"{code}",'
                           f'"geo":{{"lat":{extra.uniform(-90, 90):.5f},"lon":{extra.uniform(-180, 180):.5f}}},'
                           f'"tags":{json.dumps(tags)}}}\n')
                f.write(record)
                agg["tags_total"] += len(tags)
            else:
                if any(c in text for c in ',"\n'):
                    text = '"' + text.replace('"', '""') + '"'
                f.write(f"{i},{rand_int},{'' if maybe is None else maybe},{price},{ratio!r},{'true' if flag else 'false'},"
                        f"{city},{customer},{u},{text},{created.isoformat()},{day.isoformat()},"
                        f"{empty},{score},{qty},{code}\n")
            agg["sum_seq"] += i
            agg["sum_rand"] += rand_int
            agg["nulls_maybe"] += maybe is None
            agg["sum_price_cents"] += cents
            agg["true_count"] += flag
            agg["empty_count"] += empty == ""
    with open(out + ".manifest.json", "w") as m:
        json.dump(agg, m, indent=1)


if __name__ == "__main__":
    main()
