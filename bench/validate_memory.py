#!/usr/bin/env python3
"""Checks colprof's `arrow` memory estimate against pyarrow's own count.

Usage: bench/validate_memory.py [--bin DIR] [--out FILE.md] [INPUT ...]

For each input (CSV, TSV, JSON or NDJSON; by default the demo data and every
real file of ../shared/corpus/real), the script converts it with colconv,
asks `colprof --json --layout arrow` for the estimate, exports the .col back
to CSV, loads that CSV with pyarrow using the column types of the .col
schema (strings decoded, nulls where the .col has nulls), and compares
`Table.nbytes` with the estimate, per column and in total. pyarrow is
installed with pip when it is missing. Exit status 1 when a file's total is
off by more than 2%.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyarrow"], check=True)


def arrow_type(pa, name):
    return {
        "null": pa.null(), "bool": pa.bool_(), "int64": pa.int64(), "float64": pa.float64(),
        "string": pa.string(), "json": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC"),
    }[name]


def measure(path, bindir, tmp):
    import pyarrow as pa
    import pyarrow.csv as pacsv
    col = os.path.join(tmp, "data.col")
    back = os.path.join(tmp, "data.csv")
    subprocess.run([os.path.join(bindir, "colconv"), path, col, "-q"], check=True)
    profile = json.loads(subprocess.run([os.path.join(bindir, "colprof"), col, "--json", "--layout", "arrow"],
                                        check=True, capture_output=True).stdout)
    subprocess.run([os.path.join(bindir, "colconv"), col, back, "-q"], check=True)
    columns = profile["columns"]
    types = {c["name"]: arrow_type(pa, c["type"]) for c in columns}
    table = pacsv.read_csv(back, parse_options=pacsv.ParseOptions(newlines_in_values=True), convert_options=pacsv.ConvertOptions(
        column_types=types, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False))
    table = table.combine_chunks()
    rows = []
    for i, c in enumerate(columns):
        rows.append((c["name"], c["type"], c["memory_bytes"], table.column(i).nbytes))
    return profile["memory"]["estimated_bytes"], table.nbytes, rows


def main():
    args = sys.argv[1:]
    bindir = os.path.join(ROOT, ".build", "release")
    out = None
    if "--bin" in args:
        i = args.index("--bin")
        bindir = args[i + 1]
        del args[i:i + 2]
    if "--out" in args:
        i = args.index("--out")
        out = args[i + 1]
        del args[i:i + 2]
    inputs = args
    if not inputs:
        inputs = [os.path.join(ROOT, "Fixtures", "demo", "orders.csv")]
        real = os.path.join(ROOT, "..", "shared", "corpus", "real")
        for folder, _, files in sorted(os.walk(real)):
            inputs += [os.path.join(folder, f) for f in sorted(files) if f.endswith((".csv", ".json"))]
    ensure_pyarrow()
    import pyarrow as pa
    lines = [f"pyarrow {pa.__version__}; estimate = `colprof FILE --json --layout arrow` memory.estimated_bytes; "
             "actual = pyarrow `Table.nbytes` of the same data (exported to CSV, read with the .col types, chunks combined).", "",
             "| file | rows | estimate | pyarrow nbytes | error |", "|---|---|---|---|---|"]
    worst = 0.0
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in inputs:
            try:
                estimate, actual, columns = measure(path, bindir, tmp)
            except subprocess.CalledProcessError as e:
                lines.append(f"| {os.path.relpath(path, ROOT)} | conversion failed ({e.returncode}) | | | |")
                continue
            error = (estimate - actual) / actual if actual else 0.0
            worst = max(worst, abs(error))
            if abs(error) > 0.02:
                failed.append(path)
            lines.append(f"| {os.path.relpath(path, ROOT)} | | {estimate} | {actual} | {error * 100:+.2f}% |")
            for name, typ, est, act in columns:
                if est != act:
                    lines.append(f"|   column `{name}` ({typ}) | | {est} | {act} | {((est - act) / act * 100) if act else 0:+.2f}% |")
    lines += ["", f"largest error: {worst * 100:.2f}% (target: within 2%)"]
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
