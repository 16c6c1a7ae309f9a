#!/usr/bin/env python3
"""Ingest + exact-query benchmark for `qdb serve` over the Qdrant REST and gRPC APIs.

Starts a (release-build) server on free loopback ports with a fresh temp storage, then for each
ingest mode creates a 128-dim Cosine collection (Qdrant's default index settings: segments past
`indexing_threshold` are indexed in the background while the ingest goes on) and upserts random
points in batches with wait=true (every batch acknowledged durable, as DESIGN.md promises).
Between modes it waits until the previous collection is green, so no mode is timed against
another's index build. Then exact queries run on the first mode's collection. Prints a table
with the targets beside the results. Exit code 0 even if targets are missed (see --strict).

Modes (`--modes`, comma-separated; default `rest`):
- rest: `PUT /collections/c/points` with `{"batch": …}` bodies JSON-encoded before the clock
  starts, sent over one keep-alive `requests` session (the server's ingest rate: the target);
- upload: the official client's `upload_collection` over REST (`QdrantClient(url)`), numpy
  vectors, `--batch` points per request, wait=true; the client's own encoding is timed;
- grpc: the same call with `prefer_grpc=True` (gRPC `Upsert`).

    python3 bench/ingest/run.py                       # 200k x 128d, 1000 queries
    python3 bench/ingest/run.py --modes rest,upload,grpc
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
TARGET_INGEST = 50_000.0  # points/s, with background indexing (issue 12)
TARGET_P50_MS = 20.0
MODES = ("rest", "upload", "grpc")


def peak_rss_mb(pid: int) -> float | None:
    kib = proc_status_kib(pid, "VmHWM")
    return None if kib is None else kib / 1024.0


def wait_green(sess, base: str, name: str, timeout: float = 1800) -> float:
    """Seconds until collection `name` is green (its background indexing done)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if check(sess.get(f"{base}/collections/{name}"))["status"] == "green":
            break
        time.sleep(0.2)
    return time.perf_counter() - t0


def ingest_rest(sess, base, name, vecs, batch) -> float:
    headers = {"content-type": "application/json"}
    bodies = []
    for s in range(0, len(vecs), batch):
        e = min(s + batch, len(vecs))
        bodies.append(json.dumps({"batch": {"ids": list(range(s, e)),
                                            "vectors": vecs[s:e].tolist()}}).encode())
    print(f"  rest: {len(bodies)} batches ({sum(map(len, bodies)) / 1e6:.0f} MB JSON)…", flush=True)
    t0 = time.perf_counter()
    for b in bodies:
        res = check(sess.put(f"{base}/collections/{name}/points?wait=true", data=b, headers=headers))
        if res.get("status") != "completed":
            raise SystemExit(f"unexpected upsert result {res}")
    return time.perf_counter() - t0


def ingest_client(url, grpc_port, name, vecs, batch, grpc: bool) -> float:
    from qdrant_client import QdrantClient
    client = (QdrantClient(url=url, grpc_port=grpc_port, prefer_grpc=True, timeout=600) if grpc
              else QdrantClient(url=url, timeout=600))
    vectors = vecs.astype(np.float32)
    print(f"  {'grpc' if grpc else 'upload'}: upload_collection, batch {batch}…", flush=True)
    t0 = time.perf_counter()
    client.upload_collection(name, vectors=vectors, ids=range(len(vecs)), batch_size=batch, wait=True)
    elapsed = time.perf_counter() - t0
    client.close()
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--modes", default="rest", help="comma-separated: " + ",".join(MODES))
    ap.add_argument("--bin", default=os.environ.get("QDB_BIN",
                                                    str(REPO / ".build" / "release" / "qdb")))
    ap.add_argument("--url", help="use an already running server instead of starting one "
                                  "(peak RSS is then not reported unless --pid is given)")
    ap.add_argument("--grpc-port", type=int, default=6334, help="gRPC port of the --url server")
    ap.add_argument("--pid", type=int, help="pid of the server given with --url")
    ap.add_argument("--keep", action="store_true", help="keep the temp storage directory")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    ap.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not modes or any(m not in MODES for m in modes):
        sys.exit(f"--modes takes a comma-separated list of {', '.join(MODES)}")

    rng = np.random.default_rng(args.seed)
    print(f"generating {args.points} x {args.dim} vectors…", flush=True)
    # Rounded to 6 decimals so the JSON looks like a typical client's (short numbers).
    vecs = np.round(rng.standard_normal((args.points, args.dim)), 6)
    queries = np.round(rng.standard_normal((args.queries, args.dim)), 6)
    query_bodies = [json.dumps({"query": q.tolist(), "limit": args.limit,
                                "params": {"exact": True}}).encode() for q in queries]

    root = Path(tempfile.mkdtemp(prefix="qdb-bench-"))
    proc = None
    try:
        if args.url:
            base, pid, grpc_port = args.url.rstrip("/"), args.pid, args.grpc_port
        else:
            args.bin = os.path.abspath(args.bin)
            if not Path(args.bin).exists():
                sys.exit(f"qdb binary not found at {args.bin}; build it with "
                         f"`swift build -c release` or pass --bin/QDB_BIN")
            port, grpc_port = free_port(), free_port()
            proc = start_server(args.bin, root, port, root / "server.log", grpc_port=grpc_port)
            base, pid = f"http://127.0.0.1:{port}", proc.pid

        sess = requests.Session()
        rates: dict[str, float] = {}
        builds: dict[str, float] = {}
        first = None
        for mode in modes:
            name = f"bench_{mode}_{os.getpid()}"
            first = first or name
            check(sess.put(f"{base}/collections/{name}",
                           json={"vectors": {"size": args.dim, "distance": "Cosine"}}))
            if mode == "rest":
                secs = ingest_rest(sess, base, name, vecs, args.batch)
            else:
                secs = ingest_client(base, grpc_port, name, vecs, args.batch, grpc=mode == "grpc")
            rates[mode] = args.points / secs
            n = check(sess.post(f"{base}/collections/{name}/points/count", json={"exact": True}))["count"]
            if n != args.points:
                raise SystemExit(f"{mode}: count is {n}, expected {args.points}")
            builds[mode] = wait_green(sess, base, name)

        # Sanity: the first query's ids equal numpy's exact top-k.
        normed = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        print(f"running {len(query_bodies)} exact queries…", flush=True)
        lat = []
        for i, qb in enumerate(query_bodies):
            t = time.perf_counter()
            res = check(sess.post(f"{base}/collections/{first}/points/query", data=qb,
                                  headers={"content-type": "application/json"}))
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

        labels = {"rest": "ingest, REST (pre-encoded)", "upload": "ingest, client upload_collection REST",
                  "grpc": "ingest, client upload_collection gRPC"}
        rows = []
        for mode in modes:
            target = mode == "rest"
            rows.append((labels[mode], f"{rates[mode]:,.0f} points/s",
                         f">= {TARGET_INGEST:,.0f} points/s" if target else "-",
                         rates[mode] >= TARGET_INGEST if target else None))
        rows += [
            ("index build left after ingest", ", ".join(f"{m} {builds[m]:.1f} s" for m in modes), "-", None),
            ("query p50", f"{p50:.2f} ms", f"<= {TARGET_P50_MS:.0f} ms", p50 <= TARGET_P50_MS),
            ("query p95", f"{p95:.2f} ms", "-", None),
            ("query p99", f"{p99:.2f} ms", "-", None),
            ("server peak RSS", f"{rss:,.0f} MB" if rss is not None else "n/a", "-", None),
        ]
        print()
        print(f"qdb ingest benchmark: {args.points:,} points x {args.dim}d Cosine, batch "
              f"{args.batch}, wait=true, background indexing on; {args.queries} exact queries "
              f"(limit {args.limit})")
        print(f"binary {args.bin if not args.url else base}; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the end")
        w = [max(len(r[i]) for r in rows + [("metric", "result", "target")]) for i in range(3)]
        print(f"| {'metric':<{w[0]}} | {'result':>{w[1]}} | {'target':<{w[2]}} | ok  |")
        print(f"|{'-' * (w[0] + 2)}|{'-' * (w[1] + 2)}|{'-' * (w[2] + 2)}|-----|")
        for m, r, t, good in rows:
            mark = "" if good is None else ("yes" if good else "NO")
            print(f"| {m:<{w[0]}} | {r:>{w[1]}} | {t:<{w[2]}} | {mark:<3} |")

        if args.json:
            Path(args.json).write_text(json.dumps({
                "points": args.points, "dim": args.dim, "queries": args.queries,
                "batch": args.batch, "ingest_points_per_s": rates, "index_build_after_s": builds,
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
