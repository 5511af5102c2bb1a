"""coldask on a real local Dask cluster: two worker processes, eight seeded inputs.

Run by `make test-dask` (and so by .ci/run). COLCONV_BIN names the folder of
the colconv and colprof binaries (default: .build/debug of the repository).
"""

import bisect
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BIN = os.environ.get("COLCONV_BIN", os.path.join(ROOT, ".build", "debug"))
os.environ["PATH"] = BIN + os.pathsep + os.environ.get("PATH", "")  # the workers inherit it
sys.path.insert(0, os.path.join(HERE, ".."))

import coldask  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Nice", "Rennes", "Brest", "Metz", "Pau", "Caen"]
COLUMNS = ["id", "amount", "city", "score", "day"]
KLL_RANK_ERROR = 0.01  # KLLSketch.swift: about 1.7/k^0.95 at k = 256, 99% confidence


def write_inputs(folder, parts=8, rows=4000):
    """Eight seeded CSV inputs, and their rows in order."""
    rng = random.Random(20261129)
    os.makedirs(folder, exist_ok=True)
    paths, table = [], []
    for p in range(parts):
        path = os.path.join(folder, f"shop{p}.csv")
        lines = [",".join(COLUMNS)]
        for r in range(rows):
            row = [
                p * rows + r,
                round(rng.lognormvariate(3 + p * 0.05, 0.8), 4),
                rng.choice(CITIES[: 5 + p % 5]),
                None if rng.random() < 0.07 else rng.randint(0, 10_000 + p * 1000),
                f"2026-11-{1 + p:02d}",
            ]
            table.append(row)
            lines.append(",".join("" if v is None else str(v) for v in row))
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        paths.append(path)
    return paths, table


def run(*args, check=True):
    done = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{args}: exit {done.returncode}: {done.stderr}")
    return done


def profile(path):
    return {c["name"]: c for c in json.loads(run("colprof", path, "--json").stdout)["columns"]}


class ColdaskOnLocalCluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="coldask-")
        cls.inputs, cls.table = write_inputs(os.path.join(cls.tmp, "landing"))
        cls.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        cls.client = Client(cls.cluster)
        cls.client.wait_for_workers(2)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_1_parts_on_both_workers_and_a_merged_profile_that_equals_one_pass(self):
        out = os.path.join(self.tmp, "dataset")
        result = coldask.convert(self.client, self.inputs, out, chunk_rows=1000)
        self.assertEqual(len(result), 8)
        self.assertEqual(sorted(os.listdir(out)), sorted([os.path.basename(p) for p in result] + ["dataset.colprof"]))
        for part in result:
            self.assertTrue(part.startswith(out + "/") and part.endswith(".col"), part)
        # Both worker processes ran tasks.
        workers = set(self.client.scheduler_info()["workers"])
        self.assertEqual(result.workers, workers, [(t.worker, t.inputs) for t in result.tasks])
        self.assertEqual(sum(t.converted for t in result.tasks), 8)

        # The same rows converted in one process, as one file.
        whole_csv = os.path.join(self.tmp, "whole.csv")
        with open(whole_csv, "w") as w:
            for k, path in enumerate(self.inputs):
                with open(path) as f:
                    lines = f.readlines()
                w.writelines(lines if k == 0 else lines[1:])
        whole = os.path.join(self.tmp, "whole.col")
        run("colconv", whole_csv, whole, "--chunk-rows", "1000", "-q")
        merged, single = profile(out), profile(whole)
        self.assertEqual(list(merged), COLUMNS)
        snapshot = profile(result.snapshot)
        for name in COLUMNS:
            m, s = merged[name], single[name]
            with self.subTest(column=name):
                self.assertEqual(m["type"], s["type"])
                for key in ("row_count", "null_count", "nan_count", "min", "max", "length_min", "length_max"):
                    self.assertEqual(m[key], s[key], key)
                # Distinct counts: exact ones equal the truth; estimates are the same HyperLogLog, merged or not.
                truth = len({row[COLUMNS.index(name)] for row in self.table} - {None})
                self.assertEqual(m["distinct_exact"], s["distinct_exact"])
                if m["distinct_exact"]:
                    self.assertEqual(m["distinct_count"], truth)
                self.assertEqual(m["distinct_count"], s["distinct_count"])
                # Moments merge exactly enough: 1e-12 relative.
                for key in ("mean", "std"):
                    if s[key] is not None:
                        self.assertTrue(math.isclose(m[key], s[key], rel_tol=1e-12, abs_tol=0), (key, m[key], s[key]))
                # Quantiles: within the sketch's rank error of the exact ones, merged and single alike.
                values = sorted(row[COLUMNS.index(name)] for row in self.table if row[COLUMNS.index(name)] is not None)
                if m["quantiles"] and isinstance(values[0], (int, float)):
                    n = len(values)
                    for label, q in m["quantiles"].items():
                        p = int(label[1:]) / 100
                        lo, hi = bisect.bisect_left(values, q) / n, bisect.bisect_right(values, q) / n
                        self.assertTrue(lo - KLL_RANK_ERROR <= p <= hi + KLL_RANK_ERROR, (label, q, lo, hi))
                # The snapshot answers like the parts.
                self.assertEqual(snapshot[name]["row_count"], m["row_count"])
                self.assertEqual(snapshot[name]["distinct_count"], m["distinct_count"])

    def test_2_rerun_converts_nothing_and_shards_give_the_same_parts(self):
        out = os.path.join(self.tmp, "dataset")
        first = coldask.convert(self.client, self.inputs, out, chunk_rows=1000)
        again = coldask.convert(self.client, self.inputs, out, chunk_rows=1000)
        self.assertEqual(list(again), list(first))
        self.assertEqual(sum(t.converted for t in again.tasks), 0)
        self.assertEqual(sum(t.unchanged for t in again.tasks), 8)
        sharded = coldask.convert(self.client, self.inputs, os.path.join(self.tmp, "sharded"), shards=3,
                                  chunk_rows=1000, colprof=None)
        self.assertEqual(len(sharded.tasks), 3)
        self.assertEqual([os.path.basename(p) for p in sharded], [os.path.basename(p) for p in first])
        # The same parts: the same rows (the files differ only in their provenance's creation time).
        for a, b in zip(sharded, first):
            self.assertEqual(run("colprof", "scan", a, "--format", "csv").stdout, run("colprof", "scan", b, "--format", "csv").stdout)

    def test_3_a_corrupt_input_fails_the_job_with_its_location(self):
        bad = os.path.join(self.tmp, "landing-bad")
        os.makedirs(bad, exist_ok=True)
        inputs = []
        for k in range(4):
            path = os.path.join(bad, f"in{k}.csv")
            with open(path, "wb") as f:
                f.write(b"id,v\n1,2\n3,4\n" if k != 2 else b"id,v\n1,2\n3,\xff\xfe\n")
            inputs.append(path)
        with self.assertRaises(coldask.PartFailed) as caught:
            coldask.convert(self.client, inputs, os.path.join(self.tmp, "bad-out"))
        e = caught.exception
        self.assertEqual(e.input, inputs[2])
        self.assertEqual(e.exit_status, 2)
        self.assertIn(inputs[2] + ":3", e.message)
        self.assertIn(inputs[2], str(e))

    def test_4_command_line(self):
        out = os.path.join(self.tmp, "cli")
        done = run(sys.executable, "-m", "coldask", "--scheduler", self.cluster.scheduler_address, *self.inputs[:3], out,
                   "--", "--chunk-rows", "500", check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("3 parts: 3 converted, 0 unchanged", done.stdout)
        self.assertTrue(os.path.exists(os.path.join(out, "dataset.colprof")))
        bad = os.path.join(self.tmp, "missing.csv")
        done = run(sys.executable, "-m", "coldask", "--scheduler", self.cluster.scheduler_address, bad, out, check=False)
        self.assertEqual(done.returncode, 2)
        self.assertIn("missing.csv", done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
