#!/usr/bin/env python3
"""Writes one table as Parquet with pyarrow, DuckDB and Polars, in the settings colconv imports
(installing them with pip when missing), and prints the files written, one per line.

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
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-default')}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-zstd')}' (FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"COPY (SELECT * FROM read_parquet('{source}')) TO '{path('duckdb-uncompressed')}' (FORMAT parquet, COMPRESSION uncompressed)")
    frame = polars.read_parquet(source)
    frame.write_parquet(path("polars-default"))
    frame.write_parquet(path("polars-snappy"), compression="snappy")
    frame.write_parquet(path("polars-uncompressed"), compression="uncompressed")
    print("\n".join(written))


if __name__ == "__main__":
    main()
