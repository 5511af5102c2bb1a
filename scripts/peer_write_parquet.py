#!/usr/bin/env python3
"""Writes one table as Parquet with pyarrow, DuckDB and Polars, with their defaults and with
every codec and encoding each offers (LZO, which none of them writes, aside), installing
them with pip when missing, and prints the files written, one per line.

    python3 scripts/peer_write_parquet.py SOURCE.parquet OUT_DIR

SOURCE is read with pyarrow; every file written holds the same rows and columns.
"""
import os
import subprocess
import sys


def need(module):
    try:
        __import__(module)
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", module], check=False)


def main():
    source, out = sys.argv[1], sys.argv[2]
    for module in ("pyarrow", "duckdb", "polars"):
        need(module)
    import duckdb
    import polars
    import pyarrow.parquet as pq

    table = pq.read_table(source)
    written = []

    def path(name):
        p = os.path.join(out, name + ".parquet")
        written.append(p)
        return p

    pq.write_table(table, path("pyarrow-default"))                       # snappy, dictionary, data page v1
    pq.write_table(table, path("pyarrow-v2-zstd"), data_page_version="2.0", compression="zstd")
    pq.write_table(table, path("pyarrow-plain-none"), compression="none", use_dictionary=False)
    pq.write_table(table, path("pyarrow-lz4raw"), compression="lz4")
    pq.write_table(table, path("pyarrow-small-pages"), data_page_size=256, row_group_size=50)
    pq.write_table(table, path("pyarrow-gzip"), compression="gzip")
    pq.write_table(table, path("pyarrow-brotli"), compression="brotli")
    # Every encoding pyarrow writes besides PLAIN and the dictionary, column by column.
    encodings = {"id": "DELTA_BINARY_PACKED", "qty": "DELTA_BINARY_PACKED", "day": "DELTA_BINARY_PACKED",
                 "at": "BYTE_STREAM_SPLIT", "city": "DELTA_BYTE_ARRAY", "status": "DELTA_LENGTH_BYTE_ARRAY",
                 "note": "DELTA_BYTE_ARRAY", "score": "BYTE_STREAM_SPLIT"}
    pq.write_table(table, path("pyarrow-delta-v1"), use_dictionary=False, column_encoding=encodings)
    pq.write_table(table, path("pyarrow-delta-v2-gzip"), use_dictionary=False, column_encoding=encodings,
                   data_page_version="2.0", compression="gzip", data_page_size=512)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-default')}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-zstd')}' (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-uncompressed')}' (FORMAT parquet, COMPRESSION uncompressed)")
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-gzip')}' (FORMAT parquet, COMPRESSION gzip)")
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-lz4')}' (FORMAT parquet, COMPRESSION lz4)")
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-brotli')}' (FORMAT parquet, COMPRESSION brotli)")
    # Format version 2: DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and BYTE_STREAM_SPLIT, data pages v2.
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-v2')}' (FORMAT parquet, PARQUET_VERSION V2)")
    frame = polars.read_parquet(source)
    frame.write_parquet(path("polars-default"))
    frame.write_parquet(path("polars-snappy"), compression="snappy")
    frame.write_parquet(path("polars-uncompressed"), compression="uncompressed")
    frame.write_parquet(path("polars-gzip"), compression="gzip")
    frame.write_parquet(path("polars-lz4"), compression="lz4")
    frame.write_parquet(path("polars-brotli"), compression="brotli")
    frame.write_parquet(path("polars-zstd-small-row-groups"), compression="zstd", row_group_size=40)
    print("\n".join(written))


if __name__ == "__main__":
    main()
