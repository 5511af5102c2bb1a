#!/usr/bin/env python3
"""Compares what pyarrow reads from a Parquet file with our import of it, exported to NDJSON
(`colconv FILE.parquet X.col && colconv X.col X.ndjson`). Installs pyarrow with pip when it is
missing. Exits 0 when every row and column agree, 1 on the first difference (naming the row
and the column), 3 when pyarrow itself cannot read the file (the reason is printed).

    python3 scripts/parquet_compare.py FILE.parquet OURS.ndjson

pyarrow's values are put in the form our import gives (docs/PARQUET.md, "Type mapping, import"):
timestamps (every unit, INT96 too) as UTC microseconds, dates as YYYY-MM-DD, DECIMAL as a float
when its precision is at most 15 and as exact text otherwise, TIME as HH:MM:SS with 3, 6 or 9
fraction digits, FLOAT16 as a double, UUID as its canonical text, FIXED_LEN_BYTE_ARRAY without
an annotation as hex, binary as UTF-8 text, NaN and infinities as "NaN", "Infinity",
"-Infinity". A top-level struct with nothing repeated inside flattens to dotted columns; a field
holding a list or a map is one JSON value, lists as arrays, maps as objects with string keys.
"""
import datetime
import json
import math
import subprocess
import sys
import uuid


def need(module):
    try:
        __import__(module)
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", module], check=False)
        __import__(module)


need("pyarrow")
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

EPOCH = datetime.datetime(1970, 1, 1)


def civil(days):
    """Year, month, day of a day count since 1970-01-01, for any year (proleptic Gregorian)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, d


def date_text(days):
    y, m, d = civil(days)
    year = "%04d" % y if 0 <= y <= 9999 else ("+%d" % y if y > 0 else "%d" % y)
    return "%s-%02d-%02d" % (year, m, d)


def timestamp_text(us):
    days, rest = divmod(us, 86_400_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    text = "%sT%02d:%02d:%02d" % (date_text(days), seconds // 3600, seconds // 60 % 60, seconds % 60)
    return text + (".%06d" % fraction if fraction else "") + "Z"


def time_text(value, digits):
    per = 10 ** digits
    seconds, fraction = divmod(value, per)
    return "%02d:%02d:%02d.%0*d" % (seconds // 3600, seconds // 60 % 60, seconds % 60, digits, fraction)


def double(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def holds_repetition(t):
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t) or pa.types.is_map(t):
        return True
    if pa.types.is_struct(t):
        return any(holds_repetition(f.type) for f in t)
    return False


def norm(v, t):
    """One value as our import gives it, from pyarrow's Python value."""
    if v is None:
        return None
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(t, pa.BaseExtensionType):
        t = t.storage_type
        if isinstance(v, bytes) and pa.types.is_fixed_size_binary(t) and t.byte_width == 16:
            return str(uuid.UUID(bytes=v))
    if pa.types.is_dictionary(t):
        return norm(v, t.value_type)
    if pa.types.is_timestamp(t):
        if isinstance(v, int):
            return timestamp_text(v)
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        d = v - EPOCH
        return timestamp_text((d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds)
    if pa.types.is_date(t):
        return v.isoformat()
    if pa.types.is_decimal(t):
        return float(v) if t.precision <= 15 else format(v, "f")
    if pa.types.is_time(t):
        digits = {"ms": 3, "us": 6, "ns": 9}[t.unit]
        if isinstance(v, int):
            return time_text(v, digits)
        total_us = ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
        return time_text(total_us * 10 ** digits // 1_000_000, digits)
    if pa.types.is_fixed_size_binary(t):
        return v.hex()
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return v.decode("utf-8")
    if pa.types.is_floating(t):
        return double(v)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return [norm(x, t.value_type) for x in v]
    if pa.types.is_map(t):
        out = {}
        for k, x in v:
            key = norm(k, t.key_type)
            out[key if isinstance(key, str) else json.dumps(key)] = norm(x, t.item_type)
        return out
    if pa.types.is_struct(t):
        return {f.name: norm(v.get(f.name), f.type) for f in t}
    return v


def top_values(column, t):
    """A top-level column's values; timestamps and times through integers (pyarrow's datetime cannot hold every one)."""
    if pa.types.is_timestamp(t):
        return [None if x is None else timestamp_text(x) for x in column.cast(pa.timestamp("us", tz=t.tz), safe=False).cast(pa.int64()).to_pylist()]
    if pa.types.is_date32(t):
        return [None if x is None else date_text(x) for x in column.cast(pa.int32()).to_pylist()]
    if pa.types.is_time(t):
        digits = {"ms": 3, "us": 6, "ns": 9}[t.unit]
        return [None if x is None else time_text(x, digits) for x in column.cast(pa.int64() if t.bit_width == 64 else pa.int32()).to_pylist()]
    return [norm(x, t) for x in column.to_pylist()]


def flatten(name, column, t, out):
    """Top-level columns as our import names them: structs with nothing repeated inside flatten to dotted names."""
    if pa.types.is_struct(t) and not holds_repetition(t):
        validity = column.is_valid().to_pylist()
        for i, f in enumerate(t):
            child = pa.chunked_array([c.field(i) for c in column.chunks], type=f.type)
            inner = {}
            flatten(name + "." + f.name, child, f.type, inner)
            for k, values in inner.items():
                out[k] = [v if ok else None for v, ok in zip(values, validity)]
        return
    out[name] = top_values(column, t)


def main():
    parquet, ours = sys.argv[1], sys.argv[2]
    try:
        table = pq.read_table(parquet, coerce_int96_timestamp_unit="us")
    except Exception as e:  # pyarrow's own refusal
        print("pyarrow cannot read it: %s" % e)
        return 3
    expected = {}
    for name, column in zip(table.column_names, table.columns):
        flatten(name, column, column.type, expected)
    with open(ours) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    if len(rows) != table.num_rows:
        print("rows: pyarrow reads %d, ours %d" % (table.num_rows, len(rows)))
        return 1
    names = list(rows[0].keys()) if rows else list(expected.keys())
    # Names repeated in the Parquet schema are numbered by our import; pyarrow keeps them apart by position.
    if len(names) != len(expected):
        print("columns: pyarrow reads %s, ours %s" % (list(expected), names))
        return 1
    for ours_name, (name, values) in zip(names, expected.items()):
        for i, row in enumerate(rows):
            got = row.get(ours_name)
            if isinstance(got, float) and isinstance(values[i], float) and got == values[i]:
                continue
            if got != values[i]:
                print("row %d, column %s: pyarrow reads %r, ours %r" % (i, name, values[i], got))
                return 1
    print("same: %d rows, %d columns" % (len(rows), len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
