#!/usr/bin/env python3
"""Checks that DuckDB sees a Parquet file's statistics and skips row groups by them.

    python3 scripts/duckdb_prune_check.py FILE.parquet COLUMN LOWER EXPECTED_GROUPS

Prints parquet_metadata()'s statistics of COLUMN in every row group (each must have a min,
a max and a null count), runs `SELECT count(*) FROM FILE WHERE COLUMN >= LOWER` with DuckDB's
profiler on, and checks that it scanned exactly EXPECTED_GROUPS of the row groups. Installs
DuckDB with pip when it is missing. Exits 1 on a failed check.
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    path, column, lower, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    try:
        import duckdb
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"], check=False)
        import duckdb
    con = duckdb.connect()
    rows = con.execute(
        "SELECT row_group_id, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata(?) "
        "WHERE path_in_schema = ? ORDER BY row_group_id", [path, column]).fetchall()
    ok = bool(rows)
    for group, low, high, nulls in rows:
        print(f"row group {group}: min {low}, max {high}, nulls {nulls}")
        if low is None or high is None or nulls is None:
            print(f"row group {group}: statistics missing")
            ok = False
    profile = os.path.join(tempfile.mkdtemp(), "profile.json")
    con.execute("PRAGMA enable_profiling='json'")
    con.execute(f"PRAGMA profiling_output='{profile}'")
    count = con.execute(f"SELECT count(*) FROM read_parquet(?) WHERE \"{column}\" >= {lower}", [path]).fetchone()[0]
    con.execute("PRAGMA disable_profiling")

    def scans(node):
        if node.get("type") == "TABLE_SCAN" or node.get("name") == "PARQUET_SCAN":
            yield node
        for child in node.get("children", []) + node.get("operator", []):
            yield from scans(child)

    with open(profile) as f:
        tree = json.load(f)
    found = list(scans(tree))
    scanned = sum(int(n.get("row_groups_scanned", -1)) for n in found)
    total = sum(int(n.get("total_row_groups_to_scan", -1)) for n in found)
    print(f"count {count}; row groups scanned {scanned} of {total}")
    if scanned != expected or total != len(rows):
        print(f"expected {expected} of {len(rows)} row groups scanned")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
