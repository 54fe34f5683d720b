"""A small HTTP load generator, run in its own process so it never shares an interpreter with the server: the
fallback of `make bench` where wrk cannot be installed (bench/harness.py, load_random). Python's threads hold
the GIL, so above a few hundred requests a second it is itself the bottleneck: ratios measured with it are
lower bounds.

    python -m bench.load http://127.0.0.1:8000 paths.txt --seconds 5 --concurrency 10 [--random]

`concurrency` threads, each with its own connection (reopened when gunicorn's sync worker closes it),
GET the paths in turn (or drawn at random, --random) until the time is up. Prints one JSON object: requests,
errors (anything but 200, and failed connections), statuses, seconds, median and 99th percentile latency.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import threading
import time
from collections import Counter
from urllib.parse import urlsplit


def _client(
    host: str, port: int, paths: list[str], offset: int, deadline: float, out: dict, accept: str, shuffle: bool
) -> None:
    statuses: Counter = Counter()
    latencies: list[float] = []
    conn = http.client.HTTPConnection(host, port, timeout=30)
    index = offset
    draw = random.Random(offset)
    while time.perf_counter() < deadline:
        path = draw.choice(paths) if shuffle else paths[index % len(paths)]
        index += 1
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Accept": accept})
            response = conn.getresponse()
            response.read()
            statuses[str(response.status)] += 1
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            statuses[type(exc).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        latencies.append(time.perf_counter() - started)
    conn.close()
    out["statuses"] = statuses
    out["latencies"] = latencies


def run(
    base_url: str,
    paths: list[str],
    *,
    seconds: float,
    concurrency: int,
    accept: str = "application/json",
    shuffle: bool = False,
) -> dict:
    parts = urlsplit(base_url)
    results: list[dict] = [{} for _ in range(concurrency)]
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(
                parts.hostname,
                parts.port or 80,
                paths,
                i * max(1, len(paths) // concurrency),
                deadline,
                results[i],
                accept,
                shuffle,
            ),
        )
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    statuses: Counter = Counter()
    latencies: list[float] = []
    for result in results:
        statuses.update(result["statuses"])
        latencies.extend(result["latencies"])
    latencies.sort()
    total = sum(statuses.values())

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "requests": total,
        "errors": total - statuses.get("200", 0),
        "statuses": dict(statuses),
        "seconds": elapsed,
        "p50_ms": percentile(0.5),
        "p99_ms": percentile(0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("paths_file")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--accept", default="application/json")
    parser.add_argument("--random", action="store_true", help="draw each path at random instead of in turn")
    args = parser.parse_args()
    with open(args.paths_file) as fh:
        paths = [line.strip() for line in fh if line.strip()]
    result = run(
        args.base_url,
        paths,
        seconds=args.seconds,
        concurrency=args.concurrency,
        accept=args.accept,
        shuffle=args.random,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
