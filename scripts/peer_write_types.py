#!/usr/bin/env python3
"""Writes Parquet files with pyarrow holding every logical type colconv imports and nested
columns (lists, lists of lists, maps, structs, lists of structs), with nulls at every level,
in three forms: the defaults, data pages v2 with gzip, and INT96 timestamps with decimals stored
as integers. Installs pyarrow with pip when missing.

    python3 scripts/peer_write_types.py OUT_DIR
"""
import os
import subprocess
import sys

try:
    import pyarrow  # noqa: F401
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyarrow"], check=False)

import pyarrow as pa, pyarrow.parquet as pq, decimal, datetime, uuid
import numpy as np
D = decimal.Decimal
t = pa.table({
    "dec": pa.array([D("1.25"), None, D("-0.05")], pa.decimal128(5, 2)),
    "big": pa.array([D("12345678901234567890.1234"), D("-1.0000"), None], pa.decimal128(24, 4)),
    "t32": pa.array([datetime.time(1, 2, 3, 456000), None, datetime.time(23, 59, 59)], pa.time32("ms")),
    "t64": pa.array([datetime.time(0, 0, 0, 1), datetime.time(12, 0), None], pa.time64("us")),
    "half": pa.array([np.float16(1.5), None, np.float16(-0.0)], pa.float16()),
    "fixed": pa.array([b"abc", b"\x00\x01\xff", None], pa.binary(3)),
    "id": pa.array([uuid.UUID(int=1).bytes, None, uuid.UUID("12345678-1234-5678-1234-567812345678").bytes], pa.uuid()),
    "list": pa.array([[1, None, 3], [], None], pa.list_(pa.int64())),
    "nested": pa.array([[[1], []], None, [[None, 2]]], pa.list_(pa.list_(pa.int32()))),
    "map": pa.array([[("a", 1), ("b", None)], None, []], pa.map_(pa.string(), pa.int64())),
    "struct": pa.array([{"x": 1, "y": "a"}, None, {"x": None, "y": "é"}], pa.struct([("x", pa.int64()), ("y", pa.string())])),
    "deep": pa.array([{"s": {"v": 1.5}}, {"s": None}, None], pa.struct([("s", pa.struct([("v", pa.float64())]))])),
    "list_struct": pa.array([[{"k": 1, "d": datetime.date(2024, 1, 2)}, None], [], None],
                            pa.list_(pa.struct([("k", pa.int64()), ("d", pa.date32())]))),
    "local": pa.array([0, 1700000000123456789, None], pa.timestamp("ns")),
})
out = sys.argv[1]
pq.write_table(t, os.path.join(out, "types.parquet"))
pq.write_table(t, os.path.join(out, "types-v2.parquet"), data_page_version="2.0", compression="gzip")
pq.write_table(t.select(["dec", "local"]), os.path.join(out, "int96.parquet"), use_deprecated_int96_timestamps=True, store_decimal_as_integer=True)
