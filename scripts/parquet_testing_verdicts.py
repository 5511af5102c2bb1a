#!/usr/bin/env python3
"""Writes Fixtures/parquet-testing/verdicts.tsv: what colconv does with each Parquet file of
../shared/corpus/parquet-testing (data/ and bad_data/), as the sweep test expects it.

    python3 scripts/parquet_testing_verdicts.py COLCONV > Fixtures/parquet-testing/verdicts.tsv

Each line: the file (relative to parquet-testing/), `imported` or `refused`, and the detail: for
an import, `pyarrow: same` (every value equals what pyarrow reads) or `pyarrow: cannot read`;
for a refusal, colconv's message after the file name. Review the output before committing it:
a verdict is a claim the test will hold us to.
"""
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
corpus = os.path.join(here, "..", "..", "shared", "corpus", "parquet-testing")


def main():
    colconv = sys.argv[1]
    out = tempfile.mkdtemp()
    print("# file\tverdict\tdetail (scripts/parquet_testing_verdicts.py)")
    for folder in ("data", "bad_data"):
        for name in sorted(os.listdir(os.path.join(corpus, folder))):
            if not name.endswith(".parquet"):
                continue
            rel = folder + "/" + name
            path = os.path.join(corpus, rel)
            col = os.path.join(out, name + ".col")
            r = subprocess.run([colconv, path, col, "-q"], capture_output=True, text=True,
                               env=dict(os.environ, COL_DECODE_LIMIT="512MiB"))
            if r.returncode == 0:
                nd = os.path.join(out, name + ".ndjson")
                subprocess.run([colconv, col, nd, "-q"], check=True)
                c = subprocess.run([sys.executable, os.path.join(here, "parquet_compare.py"), path, nd], capture_output=True, text=True)
                detail = {0: "pyarrow: same", 3: "pyarrow: cannot read"}.get(c.returncode, "DIFFERS: " + c.stdout.strip())
                print("%s\timported\t%s" % (rel, detail))
            else:
                message = r.stderr.strip().splitlines()[-1]
                message = message.split(path + ": ", 1)[-1]
                print("%s\trefused\t%s" % (rel, message))


if __name__ == "__main__":
    main()
