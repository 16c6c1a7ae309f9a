#!/usr/bin/env python3
"""ANN benchmark: qdb's HNSW index against qdrant-edge and faiss-cpu HNSW on the same data.

    /work/venv/bin/python bench/ann/run.py [--points 1000000] [--dim 128] [--queries 1000]
        [--efs 16,32,64,128,256] [--binary .build/release/qdb] [--out .build/bench-ann]
        [--skip edge,faiss]

Data: seeded Gaussian mixture (--clusters, default 100) of Cosine vectors; queries are fresh
draws from the mixture (never points of the data); ground truth by exact numpy. Each system runs
in its own process (peak RSS is that process's VmHWM; qdb's is the server's):

- qdb: `qdb serve` (release) with Qdrant's default hnsw/optimizer settings; REST upserts of
  1000 points with wait=true (ingest rate, background indexing running meanwhile), then the time
  until the collection is green (build); searches over REST with params.hnsw_ef = ef, one client,
  two clients, and `points/query/batch` with 100 queries per request. Request bodies are JSON-
  encoded before the clock starts (edge's in-process calls encode nothing); sending them and
  decoding the answers is timed;
- qdrant-edge (qdrant-edge-py): the same defaults, `optimize()` timed as its build,
  `query_batch` of all queries in-process;
- faiss: IndexHNSWFlat(M=16, efConstruction=100, inner product on normalized vectors),
  one batched search of all queries.

Prints one table (recall@10 and QPS per system and ef) and writes ann.png (recall vs QPS).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
K = 10


def make_data(n: int, dim: int, queries: int, clusters: int, seed: int):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(clusters, dim)).astype(np.float32)
    def draw(m):
        return centers[rng.integers(0, clusters, m)] + rng.normal(scale=0.6, size=(m, dim)).astype(np.float32)
    x = np.concatenate([draw(min(100_000, n - s)) for s in range(0, n, 100_000)])
    q = draw(queries)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return x.astype(np.float32), q.astype(np.float32)


def ground_truth(x, q):
    best_s = np.full((len(q), K), -np.inf, dtype=np.float32)
    best_i = np.zeros((len(q), K), dtype=np.int64)
    for s in range(0, len(x), 200_000):
        sc = q @ x[s:s + 200_000].T
        idx = np.argpartition(-sc, K, axis=1)[:, :K]
        cand_s = np.concatenate([best_s, np.take_along_axis(sc, idx, 1)], axis=1)
        cand_i = np.concatenate([best_i, idx + s], axis=1)
        order = np.argsort(-cand_s, axis=1)[:, :K]
        best_s, best_i = np.take_along_axis(cand_s, order, 1), np.take_along_axis(cand_i, order, 1)
    return best_i


def recall(found, truth) -> float:
    return float(np.mean([len(set(f) & set(t.tolist())) / K for f, t in zip(found, truth)]))


def vm_hwm_mib(pid: str | int = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# ---------------------------------------------------------------- workers (own processes)

def worker_edge(data: Path, efs: list[int]) -> dict:
    import qdrant_edge as qe
    z = np.load(data)
    x, q = z["x"], z["q"]
    with tempfile.TemporaryDirectory() as d:
        shard = qe.EdgeShard.create(d + "/s", qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=x.shape[1], distance=qe.Distance.Cosine)))
        t0 = time.perf_counter()
        for s in range(0, len(x), 1000):
            shard.update(qe.UpdateOperation.upsert_points([qe.Point(i, x[i].tolist(), {}) for i in range(s, min(len(x), s + 1000))]))
        ingest = time.perf_counter() - t0
        t0 = time.perf_counter()
        shard.optimize()
        build = time.perf_counter() - t0
        out = {"ingest_pps": len(x) / ingest, "build_s": build, "runs": {}}
        for ef in efs:
            reqs = [qe.QueryRequest(limit=K, query=qe.Query.Nearest(v.tolist()), params=qe.SearchParams(hnsw_ef=ef)) for v in q]
            t0 = time.perf_counter()
            res = shard.query_batch(qe.QueryBatchRequest(reqs))
            dt = time.perf_counter() - t0
            out["runs"][ef] = {"batch": (len(q) / dt, [[p.id for p in r] for r in res])}
        out["rss_mib"] = vm_hwm_mib()
        return out


def worker_faiss(data: Path, efs: list[int]) -> dict:
    import faiss
    z = np.load(data)
    x, q = z["x"], z["q"]
    faiss.omp_set_num_threads(2)
    index = faiss.IndexHNSWFlat(x.shape[1], 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 100
    t0 = time.perf_counter()
    index.add(x)
    out = {"build_s": time.perf_counter() - t0, "runs": {}}
    for ef in efs:
        index.hnsw.efSearch = ef
        t0 = time.perf_counter()
        _, ids = index.search(q, K)
        out["runs"][ef] = {"batch": (len(q) / (time.perf_counter() - t0), ids.tolist())}
    out["rss_mib"] = vm_hwm_mib()
    return out


def worker_qdb(data: Path, efs: list[int], binary: str) -> dict:
    import requests
    from benchlib import check, free_port, start_server, stop_server
    z = np.load(data)
    x, q = z["x"], z["q"]
    root = Path(tempfile.mkdtemp(prefix="qdb-ann-"))
    port = free_port()
    proc = start_server(binary, root, port, root / "server.log")
    base = f"http://127.0.0.1:{port}"
    http = requests.Session()
    try:
        check(http.put(f"{base}/collections/c", json={"vectors": {"size": x.shape[1], "distance": "Cosine"}}))
        # Bodies are encoded off the clock, 50 requests at a time (Python's json.dumps of
        # 1000 x 128 floats costs about as much as qdb's whole upsert); only sending them and
        # qdb's answers are timed. The background indexing also runs while the client encodes.
        ingest = 0.0
        for c in range(0, len(x), 50_000):
            bodies = [json.dumps({"batch": {"ids": list(range(s, min(len(x), s + 1000))), "vectors": x[s:s + 1000].tolist()}})
                      for s in range(c, min(len(x), c + 50_000), 1000)]
            t0 = time.perf_counter()
            for b in bodies:
                check(http.put(f"{base}/collections/c/points?wait=true", data=b, headers={"content-type": "application/json"}))
            ingest += time.perf_counter() - t0
        t1 = time.perf_counter()
        while True:
            info = check(http.get(f"{base}/collections/c"))
            indexable = len(x) * x.shape[1] * 4 >= 10_000 * 1024  # Qdrant's default indexing_threshold
            if info["status"] == "green" and (not indexable or info["indexed_vectors_count"] >= len(x) * 0.99):
                break
            time.sleep(0.2)
        out = {"ingest_pps": len(x) / ingest, "build_s": time.perf_counter() - t1, "ingest_s": ingest,
               "segments": info["segments_count"], "runs": {}}

        # Request bodies are encoded before the clock starts (edge's in-process calls encode
        # nothing); sending them and decoding the responses is timed.
        hdr = {"content-type": "application/json"}

        def searches(ef, vecs):
            return [json.dumps({"vector": v.tolist(), "limit": K, "params": {"hnsw_ef": ef}}) for v in vecs]

        def send(bodies, session=None):
            s = session or requests.Session()
            return [[p["id"] for p in check(s.post(f"{base}/collections/c/points/search", data=b, headers=hdr))] for b in bodies]

        for ef in efs:
            run = {}
            bodies = searches(ef, q)
            t0 = time.perf_counter()
            ids = send(bodies, http)
            run["rest_1"] = (len(q) / (time.perf_counter() - t0), ids)
            halves = [bodies[: len(q) // 2], bodies[len(q) // 2:]]
            res: list = [None, None]
            start = threading.Barrier(3)

            def client(i):
                s = requests.Session()
                start.wait()
                res[i] = send(halves[i], s)
            threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            start.wait()
            t0 = time.perf_counter()
            for t in threads:
                t.join()
            run["rest_2"] = (len(q) / (time.perf_counter() - t0), res[0] + res[1])
            ids = []
            batches = [json.dumps({"searches": [{"query": v.tolist(), "limit": K, "params": {"hnsw_ef": ef}} for v in q[s:s + 100]]})
                       for s in range(0, len(q), 100)]
            t0 = time.perf_counter()
            for b in batches:
                ids += [[p["id"] for p in r["points"]] for r in check(http.post(f"{base}/collections/c/points/query/batch", data=b, headers=hdr))]
            run["batch"] = (len(q) / (time.perf_counter() - t0), ids)
            out["runs"][ef] = run
        out["rss_mib"] = vm_hwm_mib(proc.pid)
        return out
    finally:
        stop_server(proc)
        subprocess.run(["rm", "-rf", str(root)])


# ---------------------------------------------------------------- driver

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--clusters", type=int, default=100)
    ap.add_argument("--efs", default="16,32,64,128,256")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--binary", default=str(HERE.parents[1] / ".build/release/qdb"))
    ap.add_argument("--out", default=str(HERE.parents[1] / ".build/bench-ann"))
    ap.add_argument("--skip", default="", help="comma-separated: edge,faiss,qdb")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    a = ap.parse_args()
    efs = [int(e) for e in a.efs.split(",")]
    if a.worker:
        fn = {"edge": worker_edge, "faiss": worker_faiss, "qdb": lambda d, e: worker_qdb(d, e, a.binary)}[a.worker]
        print(json.dumps(fn(Path(a.data), efs)))
        return
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    x, q = make_data(a.points, a.dim, a.queries, a.clusters, a.seed)
    truth = ground_truth(x, q)
    data = out / "data.npz"
    np.savez(data, x=x, q=q)
    results = {}
    for system in ["qdb", "edge", "faiss"]:
        if system in a.skip.split(","):
            continue
        print(f"ann: running {system} …", file=sys.stderr)
        r = subprocess.run([sys.executable, __file__, "--worker", system, "--data", str(data), "--efs", a.efs, "--binary", a.binary],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{system} failed:\n{r.stderr[-3000:]}")
        results[system] = json.loads(r.stdout.strip().splitlines()[-1])
    report(results, truth, a, out)


def report(results, truth, a, out: Path):
    print(f"\n{a.points:,} × {a.dim}-d Cosine, {a.clusters} clusters, {a.queries} queries from the mixture, recall@{K}\n")
    print("| system | ef | recall@10 | QPS |")
    print("|---|---|---|---|")
    curves = {}
    for system, r in results.items():
        for ef, runs in sorted(r["runs"].items(), key=lambda kv: int(kv[0])):
            for mode, (qps, ids) in runs.items():
                rc = recall(ids, truth)
                label = {"rest_1": "qdb REST, 1 client", "rest_2": "qdb REST, 2 clients", "batch": f"{system} batched"}[mode]
                curves.setdefault(label, []).append((rc, qps))
                print(f"| {label} | {ef} | {rc:.4f} | {qps:,.0f} |")
    print("\n| system | build (s) | ingest (points/s) | peak RSS (MiB) |")
    print("|---|---|---|---|")
    for system, r in results.items():
        ing = f"{r['ingest_pps']:,.0f}" if "ingest_pps" in r else "–"
        print(f"| {system} | {r['build_s']:.1f} | {ing} | {r['rss_mib']:.0f} |")
    if "qdb" in results:
        print(f"\nqdb: {results['qdb']['segments']} segments; build = time from the last upsert to status green "
              f"(indexing also ran during the {results['qdb']['ingest_s']:.1f} s of ingest)")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(7, 5))
        for label, pts in curves.items():
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
        ax.set_xlabel("recall@10")
        ax.set_ylabel("queries per second")
        ax.set_yscale("log")
        ax.set_title(f"{a.points:,} × {a.dim}-d Cosine (2 cores)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.savefig(out / "ann.png", dpi=110, bbox_inches="tight")
        print(f"\nplot: {out / 'ann.png'}")
    except ImportError:
        print("\n(matplotlib missing: no plot)")


if __name__ == "__main__":
    main()
