#!/usr/bin/env python3
"""Sparse-vector search benchmark (issue 13): qdb against qdrant-edge on the same data.

Documents have `--nnz` distinct non-zeros drawn from a Zipf(1.1) vocabulary of `--vocab` terms
(weights uniform in [0, 1), rounded to 4 places); queries have ~`--terms` terms from the same distribution. The same
documents go into one `qdb serve` (REST, batches of `--batch`, then a snapshot so every segment
is sealed and searched by its inverted index) and one qdrant-edge shard (in-process, then
`optimize()`, which builds Qdrant's immutable inverted index). For each modifier (plain dot, and
`idf`) it prints a table row: load time, QPS of sequential top-`--limit` queries, and exactness
of qdb's answers against edge's (ids equal at each rank, and the largest score difference).

    python3 bench/ann/sparse.py --binary .build/release/qdb                # 1M docs, 100 nnz
    python3 bench/ann/sparse.py --binary .build/debug/qdb --docs 20000     # a quick check

qdb's QPS includes REST and JSON for each query; edge's is an in-process call, so the two
columns are not the same measurement (edge has no transport). Needs numpy, requests and
qdrant-edge-py (all in tests/e2e/requirements.txt).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import qdrant_edge as qe
import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
from benchlib import check, free_port, proc_status_kib, start_server, stop_server  # noqa: E402


class Corpus:
    def __init__(self, args):
        self.args = args
        ranks = np.arange(1, args.vocab + 1, dtype=np.float64)
        p = ranks ** -1.1
        # The CDF once: `rng.choice(p=…)` rebuilds it at every call (O(vocab) per document).
        self.cdf = np.cumsum(p / p.sum())

    def terms(self, rng, k):
        """`k` distinct terms (fewer only if the vocabulary is smaller), drawn by Zipf."""
        draws = np.minimum(np.searchsorted(self.cdf, rng.random(3 * k + 16)), self.args.vocab - 1)
        _, first = np.unique(draws, return_index=True)
        return np.sort(draws[np.sort(first)[:k]]).astype(np.int64)

    def batch(self, b):
        """Documents of batch `b` (deterministic: both engines get the same)."""
        rng = np.random.default_rng((self.args.seed, b))
        start = b * self.args.batch
        out = []
        for i in range(start, min(start + self.args.batch, self.args.docs)):
            t = self.terms(rng, self.args.nnz)
            out.append((i, t.tolist(), rng.random(len(t), dtype=np.float32).round(4).tolist()))
        return out

    def queries(self):
        rng = np.random.default_rng((self.args.seed, "q".encode()[0]))
        out = []
        for _ in range(self.args.queries):
            t = self.terms(rng, self.args.terms)
            out.append((t.tolist(), rng.random(len(t), dtype=np.float32).round(4).tolist()))
        return out

    @property
    def batches(self):
        return (self.args.docs + self.args.batch - 1) // self.args.batch


def load_qdb(args, corpus, url):
    s = requests.Session()
    check(s.put(f"{url}/collections/bench", json={"sparse_vectors": {"plain": {}, "idf": {"modifier": "idf"}}}))
    t0 = time.perf_counter()
    for b in range(corpus.batches):
        pts = [{"id": i, "vector": {"plain": {"indices": ix, "values": vs}, "idf": {"indices": ix, "values": vs}}}
               for i, ix, vs in corpus.batch(b)]
        check(s.put(f"{url}/collections/bench/points?wait=true", json={"points": pts}, timeout=600))
    snap = check(s.post(f"{url}/collections/bench/snapshots", timeout=3600))  # seals the appendable segment
    elapsed = time.perf_counter() - t0
    # The archive is not needed (at 1M documents it is gigabytes of disk).
    check(s.delete(f"{url}/collections/bench/snapshots/{snap['name']}"))
    return elapsed


def load_edge(args, corpus, path):
    cfg = qe.EdgeConfig(sparse_vectors={"plain": qe.EdgeSparseVectorParams(),
                                        "idf": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)})
    path.mkdir(parents=True)
    shard = qe.EdgeShard.create(str(path), cfg)
    t0 = time.perf_counter()
    for b in range(corpus.batches):
        shard.update(qe.UpdateOperation.upsert_points([
            qe.Point(i, {"plain": qe.SparseVector(ix, vs), "idf": qe.SparseVector(ix, vs)}, {})
            for i, ix, vs in corpus.batch(b)]))
    shard.optimize()
    return shard, time.perf_counter() - t0


def run(args):
    corpus = Corpus(args)
    queries = corpus.queries()
    root = Path(tempfile.mkdtemp(prefix="qdb-sparse-bench-"))
    port = free_port()
    proc = start_server(args.binary, root, port, root / "server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        qdb_load = load_qdb(args, corpus, url)
        shard, edge_load = load_edge(args, corpus, root / "edge")
        s = requests.Session()
        rows = []
        for using in ("plain", "idf"):
            got, want = [], []
            t0 = time.perf_counter()
            for ix, vs in queries:
                res = check(s.post(f"{url}/collections/bench/points/query",
                                   json={"query": {"indices": ix, "values": vs}, "using": using, "limit": args.limit}))
                got.append([(p["id"], p["score"]) for p in res["points"]])
            qdb_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            for ix, vs in queries:
                res = shard.query(qe.QueryRequest(limit=args.limit, query=qe.Query.Nearest(qe.SparseVector(ix, vs), using=using)))
                want.append([(p.id, p.score) for p in res])
            edge_s = time.perf_counter() - t0
            same = sum(a[0] == b[0] for g, w in zip(got, want) for a, b in zip(g, w))
            total = sum(len(w) for w in want)
            diff = max((abs(a[1] - b[1]) for g, w in zip(got, want) for a, b in zip(g, w)), default=0.0)
            rows.append((using, qdb_load, edge_load, len(queries) / qdb_s, len(queries) / edge_s, same / max(1, total), diff))
        shard.close()
        peak = proc_status_kib(proc.pid, "VmHWM")
    finally:
        stop_server(proc)
        shutil.rmtree(root, ignore_errors=True)
    print(f"sparse: {args.docs} docs x ~{args.nnz} nnz (Zipf 1.1 over {args.vocab} terms), "
          f"{args.queries} queries x ~{args.terms} terms, top-{args.limit}")
    print(f"{'modifier':<8} {'qdb load s':>10} {'edge load s':>11} {'qdb QPS':>9} {'edge QPS':>9} {'ids equal':>9} {'max |Δscore|':>12}")
    for using, ql, el, qq, eq, same, diff in rows:
        print(f"{using:<8} {ql:>10.1f} {el:>11.1f} {qq:>9.1f} {eq:>9.1f} {same:>9.4f} {diff:>12.2e}")
    if peak:
        print(f"qdb peak RSS: {peak / 1024:.0f} MiB")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(REPO / ".build/release/qdb"))
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--nnz", type=int, default=100)
    ap.add_argument("--vocab", type=int, default=30_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--terms", type=int, default=10)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    args.binary = str(Path(args.binary).resolve())
    run(args)


if __name__ == "__main__":
    main()
