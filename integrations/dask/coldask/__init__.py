"""Fan-out of ``colconv`` over a ``dask.distributed`` cluster.

A dataset is a folder of ``.col`` parts, one per input (docs/SCALE.md). Each
part is named from its input's path and content hash and written atomically,
so converting an input twice, on any machine, writes the same part or skips
it. That makes the fan-out simple: every task runs the ``colconv`` binary on
a worker, for one input (or one ``--shard i/N`` of the list), with retries;
the client gathers the part paths and builds the dataset's snapshot with
``colprof snapshot``.

What the workers need: the ``colconv`` binary on their ``PATH`` (or the
path given as ``colconv=``), and a filesystem shared with the client, on
which the inputs and ``out_dir`` have the same paths everywhere. Nothing of
Python runs on the data: the workers only start processes.

Failures. colconv exits 2 for a bad input or a bad option. That is not
retried (it would fail again): ``convert`` raises ``PartFailed`` naming the
input and carrying colconv's message, which locates the fault (line, byte).
Any other failure (the process killed, a worker lost) raises inside the
task, and dask retries it ``retries`` times.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

__all__ = ["convert", "ConversionResult", "PartFailed", "TaskRecord", "colconv_arguments"]
__version__ = "0.1.0"


class PartFailed(RuntimeError):
    """A part could not be converted: ``input`` names it, ``message`` is colconv's (located) error."""

    def __init__(self, input: str, message: str, exit_status: int):
        self.input = input
        self.message = message.strip()
        self.exit_status = exit_status
        super().__init__(f"{input}: colconv exited {exit_status}: {self.message}")


@dataclass
class TaskRecord:
    """What one task did: its inputs, their parts, and where it ran."""

    inputs: List[str]
    parts: List[str]
    converted: int
    unchanged: int
    worker: str
    seconds: float


class ConversionResult(list):
    """The part paths, in input order (a list), with each task's record (``.tasks``) and the snapshot's path."""

    def __init__(self, parts: Iterable[str] = (), tasks=None, snapshot=None):
        list.__init__(self, parts)
        self.tasks = list(tasks or [])
        self.snapshot = snapshot

    @property
    def workers(self) -> set:
        """The addresses of the workers that ran at least one task."""
        return {t.worker for t in self.tasks}


def colconv_arguments(options: dict) -> List[str]:
    """``{"chunk_rows": 1000, "codec": "lz4", "force": True}`` → ``["--chunk-rows", "1000", "--codec", "lz4", "--force"]``.

    ``True`` is a flag, ``False`` and ``None`` are left out, a list repeats the option.
    """
    out: List[str] = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            out.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                out += [flag, str(v)]
        else:
            out += [flag, str(value)]
    return out


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def _run_colconv(colconv: str, inputs: Sequence[str], out_dir: str, arguments: Sequence[str]) -> dict:
    """Runs on a worker: one colconv process over `inputs` into the dataset `out_dir`.

    Returns a record, or a failure for exit status 2 (a bad input: retrying cannot help).
    Raises for anything else, so that dask retries the task.
    """
    start = time.monotonic()
    command = [colconv, *inputs, out_dir.rstrip("/") + "/", "--verbose", *arguments]
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except FileNotFoundError:
        return {"failed": True, "status": 127, "inputs": list(inputs),
                "message": f"{colconv}: not found on this worker's PATH ({_worker_address()})"}
    if done.returncode == 2:
        return {"failed": True, "status": 2, "inputs": list(inputs), "message": done.stderr}
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited {done.returncode}: {done.stderr.strip()}")
    parts = {}
    converted = unchanged = 0
    for line in done.stderr.splitlines():
        # "INPUT: converted, PART" or "INPUT: unchanged, PART" (colconv --verbose, one line per input)
        for outcome in (": converted, ", ": unchanged, "):
            source, sep, part = line.rpartition(outcome)
            if sep and source in inputs:
                parts[source] = part
                if outcome == ": converted, ":
                    converted += 1
                else:
                    unchanged += 1
                break
    # With --shard, this task owns a share of `inputs`; the parts name only those.
    return {"failed": False, "inputs": list(parts), "parts": [parts[i] for i in parts], "converted": converted,
            "unchanged": unchanged, "worker": _worker_address(), "seconds": time.monotonic() - start}


def convert(client, inputs: Sequence[str], out_dir: str, *, shards: Optional[int] = None, retries: int = 2,
            colconv: str = "colconv", colprof: Optional[str] = "colprof", snapshot: Optional[str] = None,
            **colconv_options) -> ConversionResult:
    """Converts `inputs` into the dataset folder `out_dir` on the cluster of `client`.

    - One task per input by default; with ``shards=N``, N tasks, each running
      ``colconv INPUTS… OUT_DIR/ --shard i/N`` over the whole list (fewer, longer tasks
      for very many small inputs).
    - Other keyword arguments are colconv options: ``chunk_rows=100_000``,
      ``codec="lz4"``, ``force=True`` (see ``colconv_arguments``).
    - Paths must be the same on the client and on every worker (a shared filesystem).
      Give inputs as absolute paths: a part's name hashes the path as given.
    - Returns the part paths in input order; ``.tasks`` says which worker did what.
      Unless ``colprof`` is None, the dataset's snapshot is then written with
      ``colprof snapshot`` to ``snapshot`` (default ``OUT_DIR/dataset.colprof``),
      on the client; its path is ``.snapshot``.
    - Raises ``PartFailed`` for the first input (in input order) that colconv refuses.
    """
    inputs = [os.fspath(i) for i in inputs]
    if not inputs:
        raise ValueError("coldask.convert: no inputs")
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    arguments = colconv_arguments(colconv_options)
    for reserved in ("--shard", "--verbose", "--quiet", "-q"):
        if reserved in arguments:
            raise ValueError(f"coldask.convert sets {reserved} itself")
    if shards:
        groups = [(list(inputs), [*arguments, "--shard", f"{i}/{shards}"]) for i in range(1, shards + 1)]
    else:
        groups = [([i], arguments) for i in inputs]
    futures = client.map(_run_colconv, [colconv] * len(groups), [g[0] for g in groups], [out_dir] * len(groups),
                         [g[1] for g in groups], retries=retries, pure=False)
    outcomes = client.gather(futures)
    failures = [o for o in outcomes if o["failed"]]
    if failures:
        first = min(failures, key=lambda o: min(inputs.index(i) for i in o["inputs"]))
        message = first["message"]
        # A --shard task fails on one of its inputs; colconv's message names it.
        culprit = next((i for i in first["inputs"] if i in message), first["inputs"][0])
        raise PartFailed(culprit, message, first["status"])
    part_of = {}
    tasks = []
    for o in outcomes:
        part_of.update(zip(o["inputs"], o["parts"]))
        tasks.append(TaskRecord(o["inputs"], o["parts"], o["converted"], o["unchanged"], o["worker"], o["seconds"]))
    missing = [i for i in inputs if i not in part_of]
    if missing:
        raise RuntimeError(f"coldask.convert: colconv reported no part for {missing[0]} (and {len(missing) - 1} more)")
    result = ConversionResult([part_of[i] for i in inputs], tasks)
    if colprof:
        target = snapshot or os.path.join(out_dir, "dataset.colprof")
        done = subprocess.run([colprof, "snapshot", out_dir, "-o", target], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"colprof snapshot {out_dir}: {done.stderr.strip()}")
        result.snapshot = target
    return result
