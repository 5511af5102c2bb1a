"""``python -m coldask --scheduler ADDRESS INPUT… OUT_DIR [colconv options]``."""

import argparse
import sys

from . import PartFailed, convert


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coldask",
        description="Convert inputs into a .col dataset on a dask.distributed cluster (colconv on every worker).",
        epilog="Options after -- are passed to colconv, e.g. -- --chunk-rows 100000 --codec lz4")
    parser.add_argument("--scheduler", required=True, help="the scheduler's address, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--shards", type=int, help="N tasks of colconv --shard i/N instead of one task per input")
    parser.add_argument("--retries", type=int, default=2, help="retries of a task that fails other than by a bad input")
    parser.add_argument("--colconv", default="colconv", help="colconv on the workers (default: colconv on PATH)")
    parser.add_argument("--colprof", default="colprof", help="colprof on this machine, for the snapshot ('' for none)")
    parser.add_argument("--snapshot", help="where to write the snapshot (default OUT_DIR/dataset.colprof)")
    parser.add_argument("paths", nargs="+", metavar="INPUT… OUT_DIR")
    if argv is None:
        argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        k = argv.index("--")
        argv, extra = argv[:k], argv[k + 1:]
    args = parser.parse_args(argv)
    if len(args.paths) < 2:
        parser.error("give at least one INPUT and the OUT_DIR")
    from distributed import Client

    options = {}
    k = 0
    while k < len(extra):
        key = extra[k].lstrip("-").replace("-", "_")
        if k + 1 < len(extra) and not extra[k + 1].startswith("--"):
            options[key] = extra[k + 1]
            k += 2
        else:
            options[key] = True
            k += 1
    with Client(args.scheduler) as client:
        try:
            result = convert(client, args.paths[:-1], args.paths[-1], shards=args.shards, retries=args.retries,
                             colconv=args.colconv, colprof=args.colprof or None, snapshot=args.snapshot, **options)
        except PartFailed as e:
            print(f"coldask: {e}", file=sys.stderr)
            return 2
    converted = sum(t.converted for t in result.tasks)
    unchanged = sum(t.unchanged for t in result.tasks)
    print(f"{len(result)} parts: {converted} converted, {unchanged} unchanged, on {len(result.workers)} workers"
          + (f"; snapshot {result.snapshot}" if result.snapshot else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
