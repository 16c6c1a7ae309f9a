#!/usr/bin/env python3
"""Ingest + exact-query benchmark for `qdb serve` over the Qdrant REST API.

Starts a (release-build) server on a free loopback port with a fresh temp storage, creates a
Cosine collection, upserts random points in batches with wait=true (JSON bodies are built
before timing, sent over one keep-alive session), then runs exact queries and prints a table
with the targets beside the results. Exit code 0 even if targets are missed (see --strict).

    python3 bench/ingest/run.py                       # 200k x 128d, 1000 queries
    python3 bench/ingest/run.py --points 5000 --queries 50
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
from benchlib import check, free_port, proc_status_kib, start_server, stop_server  # noqa: E402
TARGET_INGEST = 20_000.0  # points/s
TARGET_P50_MS = 20.0




def peak_rss_mb(pid: int) -> float | None:
    kib = proc_status_kib(pid, "VmHWM")
    return None if kib is None else kib / 1024.0





def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bin", default=os.environ.get("QDB_BIN",
                                                    str(REPO / ".build" / "release" / "qdb")))
    ap.add_argument("--url", help="use an already running server instead of starting one "
                                  "(peak RSS is then not reported unless --pid is given)")
    ap.add_argument("--pid", type=int, help="pid of the server given with --url")
    ap.add_argument("--keep", action="store_true", help="keep the temp storage directory")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    print(f"generating {args.points} x {args.dim} vectors and request bodies…", flush=True)
    # Rounded to 6 decimals so the JSON looks like a typical client's (short numbers).
    vecs = np.round(rng.standard_normal((args.points, args.dim)), 6)
    bodies = []
    for s in range(0, args.points, args.batch):
        e = min(s + args.batch, args.points)
        bodies.append(json.dumps({"batch": {"ids": list(range(s, e)),
                                            "vectors": vecs[s:e].tolist()}}).encode())
    queries = np.round(rng.standard_normal((args.queries, args.dim)), 6)
    query_bodies = [json.dumps({"query": q.tolist(), "limit": args.limit,
                                "params": {"exact": True}}).encode() for q in queries]
    body_mb = sum(map(len, bodies)) / 1e6

    root = Path(tempfile.mkdtemp(prefix="qdb-bench-"))
    proc = None
    try:
        if args.url:
            base, pid = args.url.rstrip("/"), args.pid
        else:
            args.bin = os.path.abspath(args.bin)
            if not Path(args.bin).exists():
                sys.exit(f"qdb binary not found at {args.bin}; build it with "
                         f"`swift build -c release` or pass --bin/QDB_BIN")
            port = free_port()
            proc = start_server(args.bin, root, port, root / "server.log")
            base, pid = f"http://127.0.0.1:{port}", proc.pid

        sess = requests.Session()
        headers = {"content-type": "application/json"}
        name = f"bench_{os.getpid()}"
        check(sess.put(f"{base}/collections/{name}",
                       json={"vectors": {"size": args.dim, "distance": "Cosine"}}))

        print(f"ingesting {len(bodies)} batches ({body_mb:.0f} MB JSON)…", flush=True)
        t0 = time.perf_counter()
        for b in bodies:
            res = check(sess.put(f"{base}/collections/{name}/points?wait=true", data=b,
                                 headers=headers))
            if res.get("status") != "completed":
                raise SystemExit(f"unexpected upsert result {res}")
        ingest_s = time.perf_counter() - t0
        ingest_rate = args.points / ingest_s

        n = check(sess.post(f"{base}/collections/{name}/points/count",
                            json={"exact": True}))["count"]
        if n != args.points:
            raise SystemExit(f"count is {n}, expected {args.points}")

        # Sanity: the first query's ids equal numpy's exact top-k.
        normed = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        print(f"running {len(query_bodies)} exact queries…", flush=True)
        lat = []
        for i, qb in enumerate(query_bodies):
            t = time.perf_counter()
            res = check(sess.post(f"{base}/collections/{name}/points/query", data=qb,
                                  headers=headers))
            lat.append((time.perf_counter() - t) * 1000)
            if i == 0:
                q = queries[0] / np.linalg.norm(queries[0])
                want = set(np.argsort(-(normed @ q))[:args.limit].tolist())
                got = {p["id"] for p in res["points"]}
                if len(got & want) < args.limit - 1:  # allow one tie/rounding swap
                    raise SystemExit(f"query result mismatch: got {sorted(got)}, "
                                     f"want {sorted(want)}")
        lat_a = np.array(lat)
        p50, p95, p99 = (float(np.percentile(lat_a, p)) for p in (50, 95, 99))
        rss = peak_rss_mb(pid) if pid else None

        rows = [
            ("ingest", f"{ingest_rate:,.0f} points/s", f">= {TARGET_INGEST:,.0f} points/s",
             ingest_rate >= TARGET_INGEST),
            ("query p50", f"{p50:.2f} ms", f"<= {TARGET_P50_MS:.0f} ms", p50 <= TARGET_P50_MS),
            ("query p95", f"{p95:.2f} ms", "-", None),
            ("query p99", f"{p99:.2f} ms", "-", None),
            ("server peak RSS", f"{rss:,.0f} MB" if rss is not None else "n/a", "-", None),
        ]
        print()
        print(f"qdb ingest benchmark: {args.points:,} points x {args.dim}d Cosine, batch "
              f"{args.batch}, {args.queries} exact queries (limit {args.limit})")
        print(f"ingest wall time {ingest_s:.2f} s; binary {args.bin if not args.url else base}")
        w = [max(len(r[i]) for r in rows + [("metric", "result", "target")]) for i in range(3)]
        print(f"| {'metric':<{w[0]}} | {'result':>{w[1]}} | {'target':<{w[2]}} | ok  |")
        print(f"|{'-' * (w[0] + 2)}|{'-' * (w[1] + 2)}|{'-' * (w[2] + 2)}|-----|")
        for m, r, t, good in rows:
            mark = "" if good is None else ("yes" if good else "NO")
            print(f"| {m:<{w[0]}} | {r:>{w[1]}} | {t:<{w[2]}} | {mark:<3} |")

        if args.json:
            Path(args.json).write_text(json.dumps({
                "points": args.points, "dim": args.dim, "queries": args.queries,
                "batch": args.batch, "ingest_points_per_s": ingest_rate, "ingest_s": ingest_s,
                "query_ms": {"p50": p50, "p95": p95, "p99": p99}, "peak_rss_mb": rss,
                "targets": {"ingest_points_per_s": TARGET_INGEST, "query_p50_ms": TARGET_P50_MS},
            }, indent=2))
        missed = [m for m, _, _, good in rows if good is False]
        return 1 if (args.strict and missed) else 0
    finally:
        stop_server(proc)
        if args.keep:
            print(f"storage kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
