#!/usr/bin/env python3
"""Three days of flights, one file per day, for the nightly-gate example (README, docs/PROFILE.md).

Each file is sorted by carrier, then by time, as exports often are: the scheduled time is not
in order inside a file, but each day's file starts after the day before ends. flight_id counts
up across the days; flight_date is constant in a file; booking_ref is unique text. Day 3 has a
storm: 18% of flights cancelled (no departure delay) and the others an hour later on average.

    python3 Fixtures/daily/gen.py        # rewrites day1.csv, day2.csv, day3.csv beside this script
"""
import datetime
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = 1500
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

def day(n, storm=False):
    r = random.Random(1000 + n)
    date = datetime.date(2026, 11, 26) + datetime.timedelta(days=n - 1)
    rows = []
    for _ in range(ROWS):
        carrier = r.choice(["AA", "DL", "UA", "WN", "B6"])
        minute = r.randint(5 * 60, 23 * 60 - 1)
        scheduled = datetime.datetime.combine(date, datetime.time()) + datetime.timedelta(minutes=minute)
        if storm and r.random() < 0.18:
            delay = ""
        else:
            delay = "%.1f" % (r.gauss(12 + (60 if storm else 0), 25))
        ref = "".join(r.choice(ALPHABET) for _ in range(8))
        rows.append((carrier, scheduled, delay, ref))
    rows.sort(key=lambda x: (x[0], x[1]))
    first = 500_000 + (n - 1) * ROWS
    with open(os.path.join(HERE, "day%d.csv" % n), "w") as f:
        f.write("flight_id,scheduled,flight_date,carrier,dep_delay,booking_ref\n")
        for i, (carrier, scheduled, delay, ref) in enumerate(rows):
            f.write("%d,%sZ,%s,%s,%s,%s\n" % (first + i, scheduled.isoformat(), date.isoformat(), carrier, delay, ref))

day(1)
day(2)
day(3, storm=True)
