#!/usr/bin/env python3
"""Query-kind latency benchmark for `qdb serve`: one server per binary (the same random
collection loaded into each), the same queries sent to each, median and p95 latency per query
kind printed as a table, side by side, so a change to the planner or the filters can be
compared with a baseline build on the same machine and run.

    python3 bench/query/run.py --binary .build/release/qdb                       # 100k x 128d
    python3 bench/query/run.py --binary .build/debug/qdb --baseline /other/qdb --points 20000

Rows: plain nearest (the SIMD scan path), nearest with a keyword filter, with a nested-path
filter, recommend best_score, rrf of two prefetches, order_by, formula. A baseline that
refuses a kind (400) shows `-`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
from benchlib import check, free_port, start_server, stop_server  # noqa: E402


def queries(rng, dim, n_points):
    def v():
        return rng.standard_normal(dim).astype(np.float32).round(4).tolist()
    return {
        "nearest": lambda: {"query": v(), "limit": 10},
        "nearest + keyword filter": lambda: {"query": v(), "limit": 10,
                                             "filter": {"must": [{"key": "city", "match": {"value": "c3"}}]}},
        "nearest + nested path filter": lambda: {"query": v(), "limit": 10,
                                                 "filter": {"must": [{"key": "items[].n", "range": {"gte": 5}}]}},
        "recommend best_score": lambda: {"query": {"recommend": {"positive": [int(rng.integers(1, n_points))],
                                                                 "negative": [v()], "strategy": "best_score"}}, "limit": 10},
        "rrf of 2 prefetches": lambda: {"prefetch": [{"query": v(), "limit": 50}, {"query": v(), "limit": 50}],
                                        "query": {"fusion": "rrf"}, "limit": 10},
        "order_by": lambda: {"query": {"order_by": {"key": "num", "direction": "desc"}}, "limit": 10},
        "formula over prefetch": lambda: {"prefetch": {"query": v(), "limit": 100},
                                          "query": {"formula": {"sum": ["$score", {"mult": [0.1, "num"]}]}}, "limit": 10},
    }


def load(url, rng, n, dim):
    check(requests.put(f"{url}/collections/b", json={"vectors": {"size": dim, "distance": "Cosine"}}))
    s = requests.Session()
    for start in range(0, n, 1000):
        ids = list(range(start + 1, min(n, start + 1000) + 1))
        pts = [{"id": i, "vector": rng.standard_normal(dim).astype(np.float32).round(4).tolist(),
                "payload": {"city": f"c{i % 10}", "num": float(i % 997), "items": [{"n": i % 7}, {"n": i % 3}]}}
               for i in ids]
        check(s.put(f"{url}/collections/b/points", params={"wait": "true"}, json={"points": pts}))


def measure(url, bodies):
    s = requests.Session()
    out = {}
    for kind, list_ in bodies.items():
        times = []
        for body in list_:
            t = time.perf_counter()
            r = s.post(f"{url}/collections/b/points/query", json=body)
            times.append(time.perf_counter() - t)
            if r.status_code != 200:
                times = None
                break
        out[kind] = times
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(REPO / ".build/release/qdb"))
    ap.add_argument("--baseline")
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=50)
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    gens = queries(rng, a.dim, a.points)
    bodies = {k: [g() for _ in range(a.queries)] for k, g in gens.items()}
    results = {}
    for label, binary in [("qdb", a.binary)] + ([("baseline", a.baseline)] if a.baseline else []):
        root = Path(tempfile.mkdtemp(prefix="qdb-bench-query-"))
        port = free_port()
        proc = start_server(binary, root, port, root / "server.log")
        try:
            url = f"http://127.0.0.1:{port}"
            load(url, np.random.default_rng(11), a.points, a.dim)
            results[label] = measure(url, bodies)
        finally:
            stop_server(proc)
            shutil.rmtree(root, ignore_errors=True)
    labels = list(results)
    print(f"{a.points} points x {a.dim}d, {a.queries} queries per kind; latency in ms (median / p95)")
    print("| query kind | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for kind in gens:
        cells = []
        for label in labels:
            t = results[label][kind]
            if not t:
                cells.append("-")
            else:
                ms = sorted(x * 1000 for x in t)
                cells.append(f"{statistics.median(ms):.2f} / {ms[int(len(ms) * 0.95) - 1]:.2f}")
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
