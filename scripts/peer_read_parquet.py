#!/usr/bin/env python3
"""Reads a Parquet file with pyarrow, DuckDB and Polars, and compares what each reads with our
own export of the same .col file to NDJSON (the reference). Installs the readers with pip when
they are missing. Prints one line per reader; exits 1 on the first difference, naming the
reader, the row and the column.

    python3 scripts/peer_read_parquet.py FILE.parquet REFERENCE.ndjson [--types name:type,...]

Values are compared in one canonical form: integers exactly, floats by their bits (NaN as
"NaN", -0.0 apart from 0.0), dates as YYYY-MM-DD, timestamps as microseconds since the epoch
in UTC, strings and json text as strings.
"""
import datetime
import json
import math
import subprocess
import sys


def need(module):
    try:
        __import__(module)
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", module], check=False)
        __import__(module)


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def micros(value):
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    delta = value - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def canonical(value, kind):
    if value is None:
        return None
    if kind == "float64":
        value = float(value)
        if math.isnan(value):
            return "NaN"
        return "-0.0" if value == 0 and math.copysign(1, value) < 0 else repr(value)
    if kind == "int64":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if kind == "timestamp":
        return value if isinstance(value, int) else micros(value)
    if isinstance(value, (bytes, bytearray)):
        # Polars reads a JSON-annotated column as binary: the same UTF-8 bytes.
        return bytes(value).decode("utf-8")
    return value if isinstance(value, str) else str(value)


def reference(path, kinds):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            row = {}
            for name, kind in kinds.items():
                v = record.get(name)
                if kind == "json" and v is not None:
                    v = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                elif kind == "timestamp" and v is not None:
                    v = micros(datetime.datetime.fromisoformat(v.replace("Z", "+00:00")))
                elif kind == "float64" and v is not None and isinstance(v, str):
                    v = float(v)
                row[name] = canonical(v, kind)
            rows.append(row)
    return rows


def compare(reader, rows, expected, kinds):
    if len(rows) != len(expected):
        print(f"{reader}: {len(rows)} rows, expected {len(expected)}")
        return False
    for i, (got, want) in enumerate(zip(rows, expected)):
        for name, kind in kinds.items():
            g = canonical(got[name], kind)
            if kind == "json" and g is not None:
                g = json.dumps(json.loads(g), separators=(",", ":"), ensure_ascii=False)
            if g != want[name]:
                print(f"{reader}: row {i + 1}, column {name} ({kind}): read {g!r}, expected {want[name]!r}")
                return False
    print(f"{reader}: {len(rows)} rows equal")
    return True


def main():
    path, ref = sys.argv[1], sys.argv[2]
    kinds = dict(item.split(":") for item in sys.argv[sys.argv.index("--types") + 1].split(","))
    for module in ("pyarrow", "duckdb", "polars"):
        need(module)
    import duckdb
    import polars
    import pyarrow.parquet as pq

    expected = reference(ref, kinds)
    ok = True
    table = pq.read_table(path)
    arrow_types = {"int64": "int64", "float64": "double", "bool": "bool", "string": "string", "json": "string",
                   "date": "date32[day]", "timestamp": "timestamp[us, tz=UTC]", "null": "null"}
    for name, kind in kinds.items():
        t = str(table.schema.field(name).type)
        # large_string: a file written by Polars says so in its Arrow schema; it is the same text.
        if t not in (arrow_types[kind], "extension<arrow.json>", "large_string" if kind in ("string", "json") else "") \
                and not (kind == "json" and "json" in t):
            print(f"pyarrow: column {name} is {t}, expected {arrow_types[kind]}")
            ok = False
    ok = compare("pyarrow", table.to_pylist(), expected, kinds) and ok
    con = duckdb.connect()
    cur = con.execute(f"SELECT * FROM read_parquet('{path}')")
    names = [d[0] for d in cur.description]
    duck = [dict(zip(names, r)) for r in cur.fetchall()]
    ok = compare("duckdb", duck, expected, kinds) and ok
    frame = polars.read_parquet(path)
    ok = compare("polars", frame.to_dicts(), expected, kinds) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
