"""Points/s from one Python process into Tracker through tracker_client (the python-ingest benchmark).

Logs --points points (--keys keys per log call, one call per step) and finishes the run; the time runs from the first
log() to finish() returning, which waits until every batch is acknowledged. Prints one line the benchmark shows.
"""

import argparse
import time

import tracker_client as tracker


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--keys", type=int, default=10)
    args = parser.parse_args()
    keys = [f"bench/metric{i}" for i in range(args.keys)]
    steps = args.points // args.keys

    run = tracker.init(project="benchmark", name="python-ingest", config={"points": args.points}, system_metrics=False)
    started = time.perf_counter()
    in_log = 0.0
    for step in range(steps):
        metrics = {key: step * 1e-3 + i for i, key in enumerate(keys)}
        before = time.perf_counter()
        run.log(metrics, step=step)
        in_log += time.perf_counter() - before
    logged = time.perf_counter() - started
    run.finish()
    seconds = time.perf_counter() - started
    points = steps * args.keys
    print(f"python client {points:9d} points acknowledged in {seconds:6.2f} s = {points / seconds:9.0f} points/s "
          f"(log() calls alone {points / in_log:9.0f} points/s; the loop ended after {logged:.2f} s); run {run.url}")


if __name__ == "__main__":
    main()
